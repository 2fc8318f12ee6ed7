import assert from "node:assert/strict";
import { initTf, tf } from "../../lib/icrl/tf.ts";
import { Rng } from "../../lib/core/rng.ts";
import { BERNOULLI_BANDIT, LINEAR_BANDIT, sampleBandits } from "../../lib/bandits/env.ts";
import { policyStreams } from "../../lib/bandits/policy.ts";
import { simulate } from "../../lib/bandits/simulate.ts";
import { cumulativeRegret } from "../../lib/bandits/regret.ts";
import { PriorArmPolicy, TransformerPolicy } from "../../lib/bandits/deploy.ts";
import {
  initWeights,
  paramCount,
  trainStepFlops,
  type TransformerConfig,
  TransformerModel,
} from "../../lib/bandits/transformer.ts";
import { armFeatures, tokenDim, trajectoryTokens } from "../../lib/bandits/tokens.ts";
import { loadCheckpoint, saveCheckpoint } from "../../lib/bandits/checkpoint.ts";
import { type PretrainJob, runPretrainJob } from "../../lib/bandits/pretrain_job.ts";

await initTf();

const T = 8;
const lin = { ...LINEAR_BANDIT, horizon: T };
const cfgFor = (
  envs: { spec: { family: "linear" | "bernoulli" }; numArms: number; dim: number },
) => ({
  tokenDim: tokenDim(envs.numArms, armFeatures(envs)),
  numActions: envs.numArms,
  maxLen: T,
  D: 8,
  layers: 2,
  mlpHidden: 16,
});

/** Spread the weights so the policy is far from uniform. */
function sharpWeights(cfg: TransformerConfig, seed: number) {
  const w = initWeights(cfg, new Rng(seed));
  w.out = w.out.map((x) => 4 * x);
  return w;
}

Deno.test("TransformerPolicy: step-t probabilities are the softmax of the full-trajectory logits at t", () => {
  for (const spec of [lin, { ...BERNOULLI_BANDIT, horizon: T }]) {
    const envs = sampleBandits(spec, 3, 6);
    const cfg = cfgFor(envs);
    const w = sharpWeights(cfg, 1);
    for (const mode of ["sample", "greedy"] as const) {
      const pol = new TransformerPolicy(cfg, w, envs, mode, policyStreams(4, "tf", 6));
      const tr = simulate(envs, pol, { recordProbs: true });
      pol.dispose();
      // independent: one forward pass over each whole recorded trajectory (causal ⇒ same logits)
      const set = { ...envs, actions: tr.actions, rewards: tr.rewards, best: envs.best };
      const m = new TransformerModel(cfg, w);
      const x = trajectoryTokens(set, [0, 1, 2, 3, 4, 5], T);
      const logits = tf.tidy(() => m.logits(tf.tensor3d(x, [6, T, cfg.tokenDim])).arraySync());
      m.dispose();
      const A = envs.numArms;
      for (let e = 0; e < 6; e++) {
        for (let t = 0; t < T; t++) {
          const l = logits[e][t], mx = Math.max(...l);
          const z = l.reduce((s, v) => s + Math.exp(v - mx), 0);
          const a = tr.actions[e * T + t];
          if (mode === "sample") {
            for (let k = 0; k < A; k++) {
              const p = Math.exp(l[k] - mx) / z;
              assert.ok(
                Math.abs(tr.probs![(e * T + t) * A + k] - p) < 1e-4,
                `${spec.family} e=${e} t=${t} arm ${k}`,
              );
            }
          } else {
            assert.equal(a, l.indexOf(mx), `greedy picks the argmax (e=${e}, t=${t})`);
          }
        }
      }
    }
  }
});

Deno.test("TransformerPolicy: sampled actions follow the softmax (frequency check)", () => {
  // one environment replicated: at t = 0 every copy sees the same tokens, so the empirical
  // frequencies of a_0 over 4 000 copies must match the softmax at position 0
  const one = sampleBandits(lin, 5, 1);
  const E = 4000;
  const envs = {
    ...one,
    numEnvs: E,
    arms: Float64Array.from(
      { length: E * one.arms.length },
      (_, i) => one.arms[i % one.arms.length],
    ),
  };
  const cfg = cfgFor(envs);
  const w = sharpWeights(cfg, 2);
  const pol = new TransformerPolicy(cfg, w, envs, "sample", policyStreams(6, "tf", E));
  const act = new Int32Array(E), probs = new Float64Array(E * 10);
  pol.act(act, probs);
  pol.dispose();
  const counts = new Array(10).fill(0);
  act.forEach((a) => counts[a]++);
  for (let k = 0; k < 10; k++) {
    const p = probs[k], se = Math.sqrt(p * (1 - p) / E);
    assert.ok(Math.abs(counts[k] / E - p) < 5 * se + 1e-9, `arm ${k}: ${counts[k] / E} vs ${p}`);
  }
});

Deno.test("TransformerPolicy: validates shapes, mode, streams and the horizon", () => {
  const envs = sampleBandits(lin, 1, 2);
  const cfg = cfgFor(envs);
  const w = initWeights(cfg, new Rng(1));
  assert.throws(
    () =>
      new TransformerPolicy({ ...cfg, numActions: 5 }, w, envs, "sample", policyStreams(1, "x", 2)),
    /model expects 61 features and 5 arms/,
  );
  assert.throws(
    () => new TransformerPolicy(cfg, w, envs, "argmax" as "greedy", policyStreams(1, "x", 2)),
    /mode must be "sample" or "greedy"/,
  );
  assert.throws(
    () => new TransformerPolicy(cfg, w, envs, "sample", policyStreams(1, "x", 3)),
    /need 2 rngs/,
  );
  const pol = new TransformerPolicy(
    { ...cfg, maxLen: 2 },
    initWeights({ ...cfg, maxLen: 2 }, new Rng(1)),
    envs,
    "greedy",
    policyStreams(1, "x", 2),
  );
  const a = new Int32Array(2);
  for (let t = 0; t < 2; t++) {
    pol.act(a);
    pol.update(a, new Float64Array([0.5, -0.5]));
  }
  assert.throws(() => pol.act(a), /the model has 2 positions; step 3/);
  assert.throws(
    () => pol.update(new Int32Array([0, 11]), new Float64Array(2)),
    /actions\[1\] = 11/,
  );
  assert.throws(() => pol.update(a, new Float64Array([NaN, 0])), /rewards\[0\] = NaN/);
  pol.dispose();
});

Deno.test("PriorArmPolicy: always the arm with the largest coordinate sum (brute force)", () => {
  const envs = sampleBandits(lin, 9, 50);
  const prior = new PriorArmPolicy(envs);
  const tr = simulate(envs, prior);
  for (let e = 0; e < 50; e++) {
    const sums = Array.from({ length: 10 }, (_, a) => {
      let s = 0;
      for (let j = 0; j < 5; j++) s += envs.arms[(e * 10 + a) * 5 + j];
      return s;
    });
    const want = sums.indexOf(Math.max(...sums));
    for (let t = 0; t < T; t++) assert.equal(tr.actions[e * T + t], want);
  }
  // its regret grows linearly: (best mean − chosen mean) per step
  const R = cumulativeRegret(envs, tr.actions, T);
  for (let e = 0; e < 50; e++) {
    const gap = envs.bestMean[e] - envs.means[e * 10 + prior.choice[e]];
    assert.ok(Math.abs(R[e * T + T - 1] - T * gap) < 1e-9);
  }
});

Deno.test("checkpoint: weights and config round-trip exactly; bad files are named", async () => {
  const dir = await Deno.makeTempDir();
  const cfg = { tokenDim: 6, numActions: 5, maxLen: 4, D: 4, layers: 1, mlpHidden: 8 };
  const w = initWeights(cfg, new Rng(3));
  await saveCheckpoint(`${dir}/m/a.json`, cfg, w, { steps: 7 });
  const back = await loadCheckpoint(`${dir}/m/a.json`);
  assert.deepEqual(back.model, cfg);
  for (const k of Object.keys(w)) assert.deepEqual(back.weights[k], w[k]);
  assert.deepEqual(back.summary, { steps: 7 });
  await assert.rejects(() => loadCheckpoint(`${dir}/none.json`), /cannot read checkpoint/);
  await Deno.writeTextFile(`${dir}/bad.json`, "{not json");
  await assert.rejects(() => loadCheckpoint(`${dir}/bad.json`), /not valid JSON/);
  await Deno.writeTextFile(`${dir}/fmt.json`, JSON.stringify({ format: "other" }));
  await assert.rejects(() => loadCheckpoint(`${dir}/fmt.json`), /format is "other"/);
  const j = JSON.parse(await Deno.readTextFile(`${dir}/m/a.json`));
  j.weights.pos = j.weights.pos.slice(1);
  await Deno.writeTextFile(`${dir}/short.json`, JSON.stringify(j));
  await assert.rejects(
    () => loadCheckpoint(`${dir}/short.json`),
    /short.json: weight "pos" has 15/,
  );
  await assert.rejects(() => saveCheckpoint(`${dir}/x.json`, { ...cfg, D: 0 }, w), /D/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainStepFlops and paramCount: hand counts on a tiny model", () => {
  const cfg = { tokenDim: 2, numActions: 2, maxLen: 3, D: 2, layers: 1, mlpHidden: 4 };
  // per token: embed 2·2, qkv 3·2·2, MLP 2·4 + 4·2, read-out 2·2 → 36 multiply-adds;
  // attention: QKᵀ row (3 keys × 2) + S·V row (3 × 2) → 12; ×2 FLOP, ×3 fwd+bwd, ×3 tokens
  assert.equal(trainStepFlops(cfg, 1), 3 * 2 * 3 * (36 + 12));
  assert.equal(trainStepFlops(cfg, 5), 5 * trainStepFlops(cfg, 1));
  // embed 4+2, pos 6, qkv 12, ln 4, w1 8+4, w2 8+2, ln 4, out 4+2
  assert.equal(paramCount(cfg), 6 + 6 + 12 + 4 + 12 + 10 + 4 + 6);
  assert.throws(() => trainStepFlops(cfg, 0), /batch/);
});

Deno.test("runPretrainJob: trains, deploys in each mode, and rejects empty settings", async () => {
  const job: PretrainJob = {
    name: "tiny",
    backend: "wasm",
    spec: { ...BERNOULLI_BANDIT, horizon: 5 },
    context: { name: "uniform" },
    trainCount: 20,
    heldoutCount: 5,
    dataEnvSeed: 1,
    dataPolicySeed: 2,
    train: {
      D: 8,
      layers: 1,
      mlpHidden: 8,
      steps: 3,
      batch: 4,
      lr: 1e-3,
      weightDecay: 0,
      clipNorm: 1,
      evalEvery: 3,
      target: "optimal",
      seed: 0,
      matmul: "plain",
    },
    evalEnvSeed: 3,
    evalFirst: 0,
    evalCount: 7,
    evalPolicySeed: 4,
    modes: ["sample", "greedy"],
  };
  const res = await runPretrainJob(job);
  assert.equal(res.backend, "wasm");
  assert.deepEqual(res.regret.map((r) => r.mode), ["sample", "greedy"]);
  for (const r of res.regret) assert.equal(r.R.length, 7 * 5);
  assert.equal(res.pretrain.curve.length, 1);
  await assert.rejects(() => runPretrainJob({ ...job, modes: [] }), /at least one deployment mode/);
  await assert.rejects(() => runPretrainJob({ ...job, evalCount: 0 }), /evalCount/);
});
