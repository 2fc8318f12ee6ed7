import assert from "node:assert/strict";
import { initTf, tf } from "../../lib/icrl/tf.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  armFeatures,
  repeatPreviousAccuracy,
  tokenDim,
  type TokenSource,
  trajectoryTargets,
  trajectoryTokens,
} from "../../lib/bandits/tokens.ts";
import {
  AdamW,
  evaluateImitation,
  type PretrainConfig,
  pretrainTransformer,
  validatePretrainConfig,
} from "../../lib/bandits/pretrain.ts";
import { initWeights, TransformerModel } from "../../lib/bandits/transformer.ts";

await initTf();

/** Trajectories of a "sticky" policy: a_0 random, then repeat with probability `stick`. */
function stickySet(
  n: number,
  T: number,
  A: number,
  d: number,
  stick: number,
  seed: number,
): TokenSource {
  const rng = new Rng(seed);
  const arms = new Float64Array(n * A * d).map(() => rng.uniformIn(-1, 1));
  const actions = new Int32Array(n * T), rewards = new Float64Array(n * T);
  const best = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    best[e] = rng.int(A);
    for (let t = 0; t < T; t++) {
      actions[e * T + t] = t > 0 && rng.uniform() < stick ? actions[e * T + t - 1] : rng.int(A);
      rewards[e * T + t] = rng.normal();
    }
  }
  const family = d > 0 ? "linear" as const : "bernoulli" as const;
  return {
    spec: { family },
    numEnvs: n,
    numArms: A,
    dim: d,
    horizon: T,
    arms,
    actions,
    rewards,
    best,
  };
}

export const baseCfg: PretrainConfig = {
  D: 16,
  layers: 1,
  mlpHidden: 32,
  steps: 60,
  batch: 16,
  lr: 3e-3,
  weightDecay: 1e-4,
  clipNorm: 1,
  evalEvery: 20,
  target: "logged",
  seed: 1,
  matmul: "plain",
};

Deno.test("tokens: layout is [arms ; one-hot(a_{i−1}) ; r_{i−1}], zeros at i = 0", () => {
  const set: TokenSource = {
    spec: { family: "linear" },
    numEnvs: 2,
    numArms: 3,
    dim: 2,
    horizon: 3,
    arms: Float64Array.from({ length: 12 }, (_, i) => i / 10),
    actions: new Int32Array([2, 0, 1, 1, 1, 0]),
    rewards: new Float64Array([0.5, -1, 2, 3, 4, 5]),
    best: new Int32Array([1, 0]),
  };
  const F = tokenDim(3, 2);
  assert.equal(F, 10);
  const x = trajectoryTokens(set, [1], 3);
  const arms1 = [0.6, 0.7, 0.8, 0.9, 1.0, 1.1];
  const expect = [
    [...arms1, 0, 0, 0, 0],
    [...arms1, 0, 1, 0, 3],
    [...arms1, 0, 1, 0, 4],
  ].flat();
  expect.forEach((v, i) =>
    assert.ok(Math.abs(x[i] - v) < 1e-6, `x[${i}] = ${x[i]}, expected ${v}`)
  );
  assert.deepEqual(Array.from(trajectoryTargets(set, [0, 1], 3, "logged")), [2, 0, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(trajectoryTargets(set, [0, 1], 2, "optimal")), [1, 1, 0, 0]);
  // repeat-previous: trajectory 0 targets 0,1 vs previous 2,0 → 0 hits; trajectory 1: 1,0 vs 1,1 → 1
  assert.equal(repeatPreviousAccuracy(set, [0, 1], "logged"), 1 / 4);
  assert.throws(() => trajectoryTokens(set, [2], 3), /row 2 is not a trajectory index/);
  // Bernoulli: the (one-hot) arms are not repeated in the tokens
  const bern = { ...set, spec: { family: "bernoulli" as const } };
  assert.equal(armFeatures(bern), 0);
  assert.deepEqual(Array.from(trajectoryTokens(bern, [1], 2)), [0, 0, 0, 0, 0, 1, 0, 3]);
  assert.throws(() => trajectoryTokens(set, [0], 4), /len/);
  assert.throws(() => trajectoryTokens(set, [0], 3, new Float32Array(5)), /out has 5 values/);
});

Deno.test("AdamW: one step equals the literal formula (bias-corrected, decoupled decay)", () => {
  const p = tf.variable(tf.tensor1d([1, -2]));
  const opt = new AdamW(0.1, 0.01);
  const g1 = [0.5, -0.25], g2 = [-1, 2];
  const ref = [1, -2];
  const m = [0, 0], v = [0, 0];
  [g1, g2].forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < 2; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] ** 2;
      const mh = m[i] / (1 - 0.9 ** t), vh = v[i] / (1 - 0.999 ** t);
      ref[i] -= 0.1 * (mh / (Math.sqrt(vh) + 1e-8) + 0.01 * ref[i]);
    }
    tf.tidy(() => opt.step({ p }, { p: tf.tensor1d(g) }));
  });
  const got = p.dataSync();
  ref.forEach((r, i) => assert.ok(Math.abs(got[i] - r) < 1e-6, `p[${i}] = ${got[i]} vs ${r}`));
  assert.throws(() => opt.step({ p }, { q: tf.tensor1d([1, 1]) }), /unknown variable "q"/);
  opt.dispose();
  p.dispose();
});

Deno.test("pretraining learns a sticky policy: held-out accuracy far above chance, near the repeat floor", async () => {
  const set = stickySet(300, 12, 4, 2, 0.9, 2);
  const train = Int32Array.from({ length: 250 }, (_, i) => i);
  const held = Int32Array.from({ length: 50 }, (_, i) => 250 + i);
  const res = await pretrainTransformer(
    { ...baseCfg, steps: 150, evalEvery: 50 },
    set,
    train,
    held,
  );
  const last = res.curve.at(-1)!;
  assert.equal(res.curve.length, 3);
  assert.ok(res.curve[0].heldoutLoss > last.heldoutLoss, "held-out loss decreases");
  // optimal predictor: repeat (≈ 0.9 + 0.1/4 of positions ≥ 1); chance 1/4
  assert.ok(res.repeatFloor > 0.85 && res.repeatFloor < 0.98, `floor ${res.repeatFloor}`);
  assert.ok(last.heldoutAcc > 0.8, `held-out accuracy ${last.heldoutAcc}`);
  assert.equal(res.accByPosition.length, 12);
  assert.ok(res.accByPosition[0] < 0.6, "position 0 cannot be predicted");
});

Deno.test("pretraining on the wasm engine follows the tfjs run (same init and minibatches), for any worker count", async () => {
  const set = stickySet(300, 12, 4, 2, 0.9, 2);
  const train = Int32Array.from({ length: 250 }, (_, i) => i);
  const held = Int32Array.from({ length: 50 }, (_, i) => 250 + i);
  const cfg = { ...baseCfg, steps: 150, evalEvery: 50 };
  const ref = await pretrainTransformer(cfg, set, train, held);
  const one = await pretrainTransformer(cfg, set, train, held, undefined, {
    backend: "wasm",
    workers: 1,
  });
  const two = await pretrainTransformer(cfg, set, train, held, undefined, {
    backend: "wasm",
    workers: 2,
  });
  assert.deepEqual(two.weights, one.weights);
  assert.deepEqual(two.curve.map((r) => r.heldoutLoss), one.curve.map((r) => r.heldoutLoss));
  for (let i = 0; i < ref.curve.length; i++) {
    const a = one.curve[i].heldoutLoss, b = ref.curve[i].heldoutLoss;
    assert.ok(Math.abs(a - b) <= 0.02 * b, `eval ${i}: held-out loss wasm ${a} vs tfjs ${b}`);
  }
  assert.ok(one.curve.at(-1)!.heldoutAcc > 0.8);
});

Deno.test("pretraining: same seed ⇒ same weights and curves", async () => {
  const set = stickySet(60, 6, 3, 0, 0.8, 3);
  const train = Int32Array.from({ length: 50 }, (_, i) => i);
  const held = Int32Array.from({ length: 10 }, (_, i) => 50 + i);
  const cfg = { ...baseCfg, steps: 8, evalEvery: 4 };
  const a = await pretrainTransformer(cfg, set, train, held);
  const b = await pretrainTransformer(cfg, set, train, held);
  assert.deepEqual(a.curve.map((r) => r.heldoutLoss), b.curve.map((r) => r.heldoutLoss));
  assert.deepEqual(a.weights.out, b.weights.out);
  const c = await pretrainTransformer({ ...cfg, seed: 2 }, set, train, held);
  assert.notDeepEqual(a.weights.out, c.weights.out);
});

Deno.test("pretraining: bad config, overlapping split and divergence are reported", async () => {
  const set = stickySet(20, 4, 3, 0, 0.5, 4);
  const train = Int32Array.from({ length: 15 }, (_, i) => i);
  const held = Int32Array.from({ length: 5 }, (_, i) => 15 + i);
  assert.throws(
    () => validatePretrainConfig({ ...baseCfg, lr: -1 }),
    /lr/,
  );
  assert.throws(
    () => validatePretrainConfig({ ...baseCfg, epochs: 3 } as unknown as PretrainConfig),
    /unknown pretrain config key "epochs"/,
  );
  assert.throws(
    () => validatePretrainConfig({ ...baseCfg, target: "best" as "optimal" }),
    /target must be/,
  );
  await assert.rejects(
    () => pretrainTransformer(baseCfg, set, train, new Int32Array([3])),
    /trajectory 3 is both in training and held out/,
  );
  const bad = { ...set, rewards: Float64Array.from(set.rewards, () => 1e38) };
  await assert.rejects(
    () => pretrainTransformer({ ...baseCfg, lr: 1, clipNorm: 0, steps: 50 }, bad, train, held),
    /pretraining diverged at step \d+/,
  );
  for (const backend of ["wasm"] as const) {
    await assert.rejects(
      () => pretrainTransformer(baseCfg, set, train, new Int32Array([3]), undefined, { backend }),
      /trajectory 3 is both in training and held out/,
    );
    await assert.rejects(
      () =>
        pretrainTransformer(
          { ...baseCfg, lr: 1, clipNorm: 0, steps: 50 },
          bad,
          train,
          held,
          undefined,
          {
            backend,
          },
        ),
      /diverged at step \d+ \(lr 1\)/,
    );
  }
});

Deno.test("evaluateImitation: accuracy equals a direct argmax count", () => {
  const set = stickySet(7, 5, 3, 1, 0.5, 5);
  const cfg = {
    tokenDim: tokenDim(3, armFeatures(set)),
    numActions: 3,
    maxLen: 5,
    D: 8,
    layers: 1,
    mlpHidden: 8,
  };
  const m = new TransformerModel(cfg, initWeights(cfg, new Rng(1)));
  const rows = [0, 2, 4, 6];
  const ev = evaluateImitation(m, set, rows, "logged", 3);
  const logits = tf.tidy(() =>
    m.logits(tf.tensor3d(trajectoryTokens(set, rows, 5), [4, 5, cfg.tokenDim])).arraySync()
  );
  let hits = 0;
  rows.forEach((r, b) =>
    logits[b].forEach((l, i) => {
      const arg = l.indexOf(Math.max(...l));
      if (arg === set.actions[r * 5 + i]) hits++;
    })
  );
  assert.equal(ev.acc, hits / 20);
  assert.equal(ev.accByPosition.length, 5);
  m.dispose();
});

Deno.test("engine pretraining resumes from its state file to the same bits, and checkpoints collect values", async () => {
  const set = stickySet(120, 8, 3, 0, 0.8, 5);
  const train = Int32Array.from({ length: 100 }, (_, i) => i);
  const held = Int32Array.from({ length: 20 }, (_, i) => 100 + i);
  const cfg = { ...baseCfg, steps: 12, evalEvery: 100, heads: 2 };
  const marks = [4, 8, 12];
  const whole = await pretrainTransformer(cfg, set, train, held, undefined, {
    backend: "wasm",
    checkpointSteps: marks,
    onCheckpoint: (step, w) => ({ step, first: w.embed[0] }),
  });
  assert.deepEqual(whole.checkpointData!.map((d) => (d as { step: number }).step), marks);
  assert.equal(whole.model.heads, 2);
  const dir = await Deno.makeTempDir(), file = `${dir}/state.json`;
  // first attempt dies at the second checkpoint (after the state of step 4 was written)
  await assert.rejects(
    () =>
      pretrainTransformer(cfg, set, train, held, undefined, {
        backend: "wasm",
        checkpointSteps: marks,
        stateFile: file,
        onCheckpoint: (step, w) => {
          if (step === 8) throw new Error("stopped");
          return { step, first: w.embed[0] };
        },
      }),
    /stopped/,
  );
  const resumed = await pretrainTransformer(cfg, set, train, held, undefined, {
    backend: "wasm",
    checkpointSteps: marks,
    stateFile: file,
    onCheckpoint: (step, w) => ({ step, first: w.embed[0] }),
  });
  assert.equal(resumed.resumedFrom, 4);
  assert.deepEqual(resumed.weights, whole.weights);
  assert.deepEqual(resumed.checkpointData, whole.checkpointData);
  assert.deepEqual(resumed.curve.map((r) => r.heldoutLoss), whole.curve.map((r) => r.heldoutLoss));
  await assert.rejects(
    () =>
      pretrainTransformer({ ...cfg, lr: 2e-3 }, set, train, held, undefined, {
        backend: "wasm",
        checkpointSteps: marks,
        stateFile: file,
      }),
    /was written by other settings/,
  );
  await Deno.writeTextFile(file, "{not json");
  await assert.rejects(
    () =>
      pretrainTransformer(cfg, set, train, held, undefined, { backend: "wasm", stateFile: file }),
    /training state .*state\.json is corrupt/,
  );
  await Deno.remove(dir, { recursive: true });
});
