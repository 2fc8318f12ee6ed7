import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { initWeights } from "../../lib/bandits/model_config.ts";
import { WasmDecoder } from "../../lib/bandits/engine/decode.ts";
import { referenceLossGrad } from "../../lib/bandits/engine/reference.ts";
import {
  PriorArmPolicy,
  ReplacedRewardPolicy,
  TransformerPolicy,
} from "../../lib/bandits/deploy.ts";
import { banditReward, LINEAR_BANDIT, sampleBandits } from "../../lib/bandits/env.ts";
import { simulate } from "../../lib/bandits/simulate.ts";
import { policyStreams } from "../../lib/bandits/policy.ts";
import { initTf } from "../../lib/icrl/tf.ts";
import type { BanditPolicy } from "../../lib/bandits/policy.ts";

Deno.test("the cached decoder's logits equal the float64 full forward pass at every position", () => {
  for (const heads of [1, 2]) {
    const cfg = { tokenDim: 7, numActions: 5, maxLen: 9, D: 16, layers: 2, mlpHidden: 12, heads };
    const rng = new Rng(3 + heads);
    const w = initWeights(cfg, rng);
    const E = 3, T = 9, F = 7;
    const tokens = new Float32Array(E * T * F).map(() => rng.normal());
    const ref = referenceLossGrad(cfg, w, tokens, new Int32Array(E * T), E, T).logits;
    const dec = new WasmDecoder(cfg, w, E);
    for (let t = 0; t < T; t++) {
      const tok = new Float32Array(E * F);
      for (let e = 0; e < E; e++) {
        tok.set(tokens.subarray((e * T + t) * F, (e * T + t + 1) * F), e * F);
      }
      const lg = dec.step(tok);
      for (let e = 0; e < E; e++) {
        for (let a = 0; a < 5; a++) {
          const r = ref[(e * T + t) * 5 + a];
          assert.ok(
            Math.abs(lg[e * 5 + a] - r) < 1e-5 * (1 + Math.abs(r)),
            `M ${heads} t ${t} e ${e} a ${a}`,
          );
        }
      }
    }
    assert.throws(() => dec.step(new Float32Array(E * F)), /the model has 9 positions; step 10/);
    dec.reset();
    assert.throws(
      () => dec.step(new Float32Array(E * F + 1)),
      /tokens have 22 values, expected 3·7 = 21/,
    );
    assert.throws(() => dec.step(new Float32Array(E * F).fill(NaN)), /tokens\[0\] = NaN/);
  }
});

Deno.test("deployed on the wasm decoder, the transformer plays the same arms as on tfjs (greedy and sampled)", async () => {
  await initTf();
  const T = 12;
  const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: T }, 5, 6);
  const cfg = {
    tokenDim: 61,
    numActions: 10,
    maxLen: T,
    D: 16,
    layers: 2,
    mlpHidden: 16,
    heads: 2,
  };
  const w = initWeights(cfg, new Rng(8));
  for (const mode of ["greedy", "sample"] as const) {
    const runs = [];
    for (const engine of ["tfjs", "wasm"] as const) {
      const pol = new TransformerPolicy(
        cfg,
        w,
        envs,
        mode,
        policyStreams(9, "tf", 6, 0),
        undefined,
        engine,
      );
      runs.push(simulate(envs, pol).actions);
      pol.dispose();
    }
    assert.deepEqual(runs[1], runs[0], mode);
  }
});

Deno.test("ReplacedRewardPolicy feeds another environment's reward for the chosen arm and leaves acting alone", () => {
  const T = 5, E = 4;
  const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: T }, 2, E);
  const seen: number[][] = [];
  const prior = new PriorArmPolicy(envs);
  const spy: BanditPolicy = {
    name: "spy",
    numEnvs: E,
    numArms: envs.numArms,
    hasProbs: true,
    act: (a, p) => prior.act(a, p),
    update: (_a, r) => void seen.push(Array.from(r)),
  };
  const tr = simulate(envs, new ReplacedRewardPolicy(spy, envs, 1));
  assert.deepEqual(tr.actions, simulate(envs, new PriorArmPolicy(envs)).actions);
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < E; e++) {
      const a = tr.actions[e * T + t];
      assert.equal(seen[t][e], banditReward(envs, (e + 1) % E, t, a));
      assert.notEqual(seen[t][e], tr.rewards[e * T + t]);
    }
  }
  assert.throws(() => new ReplacedRewardPolicy(spy, envs, 4), /shift 4 must be an integer/);
});
