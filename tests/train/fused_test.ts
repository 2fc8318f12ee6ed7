import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { restrictedLossGrad } from "../../lib/icrl/grad.ts";
import { adam, gradientDescent } from "../../lib/core/optim.ts";
import { fusedAdam, fusedBatch, fusedPrompt, fusedStep } from "../../lib/train/fused.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import { restrictedScratch } from "../../lib/icrl/restricted.ts";
import { type RestrictedBlocks } from "../../lib/icrl/lsa.ts";

/** Random restricted blocks laid out in one buffer (P12 first), as the trainer does. */
function randomBlocks(rng: Rng, m: number, p: number) {
  const flat = rng.fillUniform(new Float64Array(m * p + (p - 1) * m), -1, 1);
  const blk: RestrictedBlocks = {
    m,
    p,
    P12: flat.subarray(0, m * p),
    V21bar: flat.subarray(m * p),
  };
  return { flat, blk };
}

/** Reference: loss and gradient by grad.ts, then optim.ts. */
function referenceStep(
  flat: Float64Array,
  blk: RestrictedBlocks,
  prompts: { X: Float64Array; theta: Float64Array; target: Float64Array }[],
  n: number,
  step: (flat: Float64Array, g: Float64Array) => void,
): number {
  const { m, p } = blk;
  const grad = new Float64Array(flat.length);
  const sc = restrictedScratch(m, p, n);
  let loss = 0;
  for (const q of prompts) {
    loss += restrictedLossGrad(
      blk,
      q.X,
      n,
      q.theta,
      q.target,
      grad.subarray(0, m * p),
      grad.subarray(m * p),
      1 / prompts.length,
      sc,
    );
  }
  step(flat, grad);
  return loss;
}

/** Literal gradient of one prompt from the formulas of MATH §4 (Σ̂ as a matrix), independent. */
function literalGrad(
  blk: RestrictedBlocks,
  X: Float64Array,
  n: number,
  theta: Float64Array,
  target: Float64Array,
) {
  const { m, p, P12, V21bar } = blk;
  const S = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < m; c++) S[a * m + c] += X[i * m + a] * X[i * m + c] / n;
    }
  }
  const th = [1, ...theta];
  const u = Array.from(
    { length: m },
    (_, r) => th.reduce((acc, v, k) => acc + P12[r * p + k] * v, 0),
  );
  const z = Array.from({ length: m }, (_, a) => u.reduce((acc, v, c) => acc + S[a * m + c] * v, 0));
  const e = Array.from(
    { length: p - 1 },
    (_, k) => theta[k] + z.reduce((acc, v, r) => acc + V21bar[k * m + r] * v, 0) - target[k],
  );
  const gV = new Float64Array((p - 1) * m), gP = new Float64Array(m * p);
  for (let k = 0; k < p - 1; k++) for (let r = 0; r < m; r++) gV[k * m + r] = e[k] * z[r];
  const y = Array.from(
    { length: m },
    (_, r) => e.reduce((acc, v, k) => acc + V21bar[k * m + r] * v, 0),
  );
  const t = Array.from({ length: m }, (_, a) => y.reduce((acc, v, c) => acc + S[a * m + c] * v, 0));
  for (let r = 0; r < m; r++) for (let k = 0; k < p; k++) gP[r * p + k] = t[r] * th[k];
  return { gP, gV, loss: 0.5 * e.reduce((acc, v) => acc + v * v, 0) };
}

function prompts(rng: Rng, B: number, n: number, m: number, p: number) {
  return Array.from({ length: B }, () => ({
    X: rng.fillUniform(new Float64Array(n * m), -1, 1),
    theta: rng.fillUniform(new Float64Array(p - 1), -1, 1),
    target: rng.fillUniform(new Float64Array(p - 1), -1, 1),
  }));
}

Deno.test("fusedStep with plain GD equals a step on the literal (Σ̂-matrix) gradient to round-off", () => {
  const rng = new Rng(11);
  for (const [n, m, p, B] of [[5, 7, 4, 1], [6, 9, 5, 3], [20, 13, 7, 5]]) {
    const { flat, blk } = randomBlocks(rng, m, p);
    const before = Float64Array.from(flat);
    const qs = prompts(rng, B, n, m, p);
    const fb = fusedBatch(m, p, n, B + 2);
    let loss = 0;
    qs.forEach((q, b) => loss += fusedPrompt(fb, blk, q.X, q.theta, q.target, b, 1 / B));
    const lr = 0.1;
    fusedStep(blk, fb, B, null, lr);
    const gP = new Float64Array(m * p), gV = new Float64Array((p - 1) * m);
    let lossLit = 0;
    for (const q of qs) {
      const g = literalGrad(
        { m, p, P12: before.subarray(0, m * p), V21bar: before.subarray(m * p) },
        q.X,
        n,
        q.theta,
        q.target,
      );
      g.gP.forEach((v, i) => gP[i] += v / B);
      g.gV.forEach((v, i) => gV[i] += v / B);
      lossLit += g.loss;
    }
    assert.ok(
      Math.abs(loss - lossLit) <= 1e-12 * Math.max(1, lossLit),
      `loss ${loss} vs ${lossLit}`,
    );
    for (let i = 0; i < m * p; i++) {
      const want = before[i] - lr * gP[i];
      assert.ok(Math.abs(flat[i] - want) <= 1e-12, `P12[${i}]: ${flat[i]} vs ${want}`);
    }
    for (let i = 0; i < (p - 1) * m; i++) {
      const want = before[m * p + i] - lr * gV[i];
      assert.ok(
        Math.abs(flat[m * p + i] - want) <= 1e-12,
        `V21bar[${i}]: ${flat[m * p + i]} vs ${want}`,
      );
    }
  }
});

Deno.test("fused Adam steps are bit-identical to grad.ts + optim.ts adam over many steps", () => {
  const rng = new Rng(5);
  for (const [n, m, p, B] of [[20, 73, 37, 1], [7, 10, 6, 4], [20, 73, 37, 64]]) {
    const a = randomBlocks(rng, m, p);
    const ref = Float64Array.from(a.flat);
    const refBlk: RestrictedBlocks = {
      m,
      p,
      P12: ref.subarray(0, m * p),
      V21bar: ref.subarray(m * p),
    };
    const opt = adam(ref.length);
    const st = fusedAdam(ref.length);
    const fb = fusedBatch(m, p, n, B);
    for (let step = 0; step < 5; step++) {
      const qs = prompts(rng, B, n, m, p);
      const lr = 1e-3 * (step + 1);
      const lRef = referenceStep(ref, refBlk, qs, n, (f, g) => opt.step(f, g, lr));
      let lFused = 0;
      qs.forEach((q, b) => lFused += fusedPrompt(fb, a.blk, q.X, q.theta, q.target, b, 1 / B));
      fusedStep(a.blk, fb, B, st, lr);
      assert.equal(lFused, lRef);
      assert.deepEqual(a.flat, ref);
    }
  }
});

Deno.test("fused GD step is bit-identical to grad.ts + optim.ts gradientDescent", () => {
  const rng = new Rng(8);
  const [n, m, p, B] = [20, 19, 10, 3];
  const a = randomBlocks(rng, m, p);
  const ref = Float64Array.from(a.flat);
  const refBlk: RestrictedBlocks = {
    m,
    p,
    P12: ref.subarray(0, m * p),
    V21bar: ref.subarray(m * p),
  };
  const gd = gradientDescent();
  const fb = fusedBatch(m, p, n, 4);
  const qs = prompts(rng, B, n, m, p);
  referenceStep(ref, refBlk, qs, n, (f, g) => gd.step(f, g, 0.05));
  qs.forEach((q, b) => fusedPrompt(fb, a.blk, q.X, q.theta, q.target, b, 1 / B));
  fusedStep(a.blk, fb, B, null, 0.05);
  assert.deepEqual(a.flat, ref);
});

Deno.test("fusedStep rejects a bad batch size and a mismatched Adam state", () => {
  const { blk } = randomBlocks(new Rng(1), 5, 3);
  const fb = fusedBatch(5, 3, 4, 2);
  assert.throws(() => fusedStep(blk, fb, 3, null, 0.1), /B must be in 1…2, got 3/);
  assert.throws(() => fusedStep(blk, fb, 1, fusedAdam(7), 0.1), /Adam state has 7 entries/);
  assert.throws(() => fusedBatch(5, 1, 4, 2), /p/);
});

Deno.test("training with the fused kernel is bit-identical to the reference kernel (SARSA, AC, exact, batched, GD)", async () => {
  const cases = [
    { K: 3, T: 30, batch: 1 },
    { K: 8, T: 20, batch: 4, lrDecayEvery: 2 },
    { K: 5, T: 10, batch: 2, optimizer: "gd" as const, lr: 1e-2 },
    { K: 4, T: 15, batch: 2, task: { kind: "ac" as const } },
    { K: 2, T: 15, batch: 1, task: { kind: "ac" as const } },
  ];
  for (const c of cases) {
    const cfg = trainConfig({ ...c, logEvery: 7, seed: 3 });
    const f = await trainTeacherMimic(cfg, undefined, "fused");
    const r = await trainTeacherMimic(cfg, undefined, "reference");
    assert.deepEqual(f.model.blocks.P12, r.model.blocks.P12);
    assert.deepEqual(f.model.blocks.V21bar, r.model.blocks.V21bar);
    assert.deepEqual(f.metrics.map((x) => x.loss), r.metrics.map((x) => x.loss));
    assert.ok(f.metrics.at(-1)!.loss < f.metrics[0].loss || c.optimizer === "gd");
  }
  await assert.rejects(
    () => trainTeacherMimic(trainConfig({ K: 1, T: 1, batch: 1 }), undefined, "fast" as "fused"),
    /kernel must be "fused", "streamed" or "reference", got "fast"/,
  );
});
