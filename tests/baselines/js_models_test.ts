import assert from "node:assert/strict";
import {
  engine,
  forwardMacs,
  initLearner,
  type LearnerArch,
  learnerParamCount,
  validateLearnerArch,
} from "../../lib/baselines/js_models.ts";
import { initModel, type ModelDims, predictBatch } from "../../lib/baselines/models.ts";
import { initTf } from "../../lib/icrl/tf.ts";
import { Rng } from "../../lib/core/rng.ts";
import { sarsaBlocks, sarsaConstruction } from "../../lib/icrl/construction.ts";
import { DEFAULT_TASK, newTaskEnv, taskDims, taskStep } from "../../lib/icrl/tasks.ts";

await initTf();

const TINY: ModelDims = { m: 5, p: 3, nTrain: 3 };
const BASE: LearnerArch[] = [
  { kind: "mlp", hidden: 4 },
  { kind: "gru", hidden: 3, head: 4 },
  { kind: "gru", hidden: 3, head: 4, wEveryStep: true },
  { kind: "softmax" },
  { kind: "softmax", heads: 2 },
];
const ALL: LearnerArch[] = [
  ...BASE,
  { kind: "lsa", param: "restricted" },
  { kind: "lsa", param: "full" },
];

function batch(rng: Rng, B: number, n: number, dims: ModelDims) {
  const u = (k: number) => Float64Array.from({ length: k }, () => rng.uniformIn(-1, 1));
  return {
    Xs: Array.from({ length: B }, () => u(n * dims.m)),
    thetas: Array.from({ length: B }, () => u(dims.p - 1)),
    targets: Array.from({ length: B }, () => u(dims.p - 1)),
  };
}

for (const arch of BASE) {
  Deno.test(`${JSON.stringify(arch)}: float64 engine equals the tfjs model on the same parameters`, () => {
    const params = initModel(arch as never, TINY, new Rng(4), 1);
    const flat = Float64Array.from(params.values.flatMap((v) => Array.from(v)));
    const e = engine(arch, TINY);
    assert.equal(e.size, flat.length);
    for (const n of [2, 3, 6]) {
      const { Xs, thetas } = batch(new Rng(n), 3, n, TINY);
      const X = new Float64Array(3 * n * TINY.m), W = new Float64Array(3 * (TINY.p - 1));
      Xs.forEach((x, b) => X.set(x, b * n * TINY.m));
      thetas.forEach((w, b) => W.set(w, b * (TINY.p - 1)));
      const want = predictBatch(params, X, W, 3, n);
      const out = new Float64Array(TINY.p - 1);
      for (let b = 0; b < 3; b++) {
        e.predict(flat, Xs[b], thetas[b], n, out);
        out.forEach((v, j) => {
          const w = want[b * (TINY.p - 1) + j];
          assert.ok(
            Math.abs(v - w) <= 2e-5 * Math.max(1, Math.abs(w)),
            `n=${n} b=${b}: ${v} vs ${w}`,
          );
        });
      }
    }
  });
}

for (const arch of ALL) {
  Deno.test(`${JSON.stringify(arch)}: hand gradient equals central finite differences (float64)`, () => {
    const e = engine(arch, TINY);
    const rng = new Rng(7);
    const P = Float64Array.from({ length: e.size }, () => 0.5 * rng.normal());
    const n = 3, B = 2;
    const { Xs, thetas, targets } = batch(new Rng(8), B, n, TINY);
    const grad = new Float64Array(e.size), scratch = new Float64Array(e.size);
    const loss = e.lossGrad(P, Xs, thetas, targets, B, n, grad);
    // the loss is the mean of ½‖predict − target‖²
    let direct = 0;
    const out = new Float64Array(TINY.p - 1);
    for (let b = 0; b < B; b++) {
      e.predict(P, Xs[b], thetas[b], n, out);
      out.forEach((o, j) => (direct += 0.5 * (o - targets[b][j]) ** 2));
    }
    assert.ok(Math.abs(loss - direct / B) <= 1e-12 * Math.max(1, loss), `${loss} vs ${direct / B}`);
    const h = 1e-6;
    for (let k = 0; k < e.size; k++) {
      const v0 = P[k];
      P[k] = v0 + h;
      const lp = e.lossGrad(P, Xs, thetas, targets, B, n, scratch);
      P[k] = v0 - h;
      const lm = e.lossGrad(P, Xs, thetas, targets, B, n, scratch);
      P[k] = v0;
      const fd = (lp - lm) / (2 * h);
      assert.ok(
        Math.abs(grad[k] - fd) <= 1e-6 * Math.max(1, Math.abs(fd)),
        `parameter ${k}: hand ${grad[k]} vs finite difference ${fd}`,
      );
    }
  });
}

Deno.test("LSA learners at the construction reproduce the SARSA teacher exactly (restricted and full)", () => {
  const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
  const { m, p } = taskDims(task);
  const dims = { m, p, nTrain: task.n };
  const env = newTaskEnv(task, new Rng(0));
  const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
  taskStep(task, env, X, target);
  const b = sarsaBlocks(task.d, task.alpha);
  const full = sarsaConstruction(task.d, task.alpha);
  const out = new Float64Array(p - 1);
  engine({ kind: "lsa", param: "restricted" }, dims).predict(
    Float64Array.from([...b.P12, ...b.V21bar]),
    X,
    env.theta,
    task.n,
    out,
  );
  out.forEach((v, k) => assert.ok(Math.abs(v - target[k]) < 1e-12));
  engine({ kind: "lsa", param: "full" }, dims).predict(
    Float64Array.from([...full.P, ...full.V]),
    X,
    env.theta,
    task.n,
    out,
  );
  out.forEach((v, k) => assert.ok(Math.abs(v - target[k]) < 1e-12));
});

Deno.test("initLearner: LSA as MATH §6 (P22 = V̄22 = 0 in full), baselines as initModel; seed-deterministic", () => {
  const dims = { m: 73, p: 37, nTrain: 20 };
  for (const arch of [...BASE, { kind: "lsa", param: "restricted" }] as LearnerArch[]) {
    const a = initLearner(arch, TINY, 3, 0.1), b = initLearner(arch, TINY, 3, 0.1);
    assert.deepEqual(a, b);
    assert.equal(a.length, learnerParamCount(arch, TINY));
    assert.ok(a.some((v) => v !== 0));
  }
  const full = initLearner({ kind: "lsa", param: "full" }, dims, 0, 0.1);
  const D = 110;
  assert.equal(full.length, 2 * D * D);
  assert.equal(full[73 * D + 73], 0); // P22
  const params = initModel({ kind: "mlp", hidden: 3 }, dims, new Rng(5).fork("init"), 0.1);
  assert.deepEqual(
    initLearner({ kind: "mlp", hidden: 3 }, dims, 5, 0.1),
    Float64Array.from(params.values.flatMap((v) => Array.from(v))),
  );
});

Deno.test("param and FLOP counts at the paper's size: the matched variants sit near the LSA block", () => {
  const dims = { m: 73, p: 37, nTrain: 20 };
  const lsa = { kind: "lsa", param: "restricted" } as const;
  assert.equal(learnerParamCount(lsa, dims), 5329);
  assert.equal(forwardMacs(lsa, dims, 20), 73 * 37 + 2 * 20 * 73 + 36 * 73);
  assert.equal(learnerParamCount({ kind: "softmax" }, dims), 5329);
  assert.equal(learnerParamCount({ kind: "lsa", param: "full" }, dims), 24200);
  const near = (x: number, y: number, tol: number) => Math.abs(x / y - 1) <= tol;
  assert.ok(near(learnerParamCount({ kind: "mlp", hidden: 3 }, dims), 5329, 0.15));
  assert.ok(near(learnerParamCount({ kind: "gru", hidden: 12, head: 20 }, dims), 5329, 0.1));
  assert.ok(near(forwardMacs({ kind: "mlp", hidden: 5 }, dims, 20), 8249, 0.1));
  assert.ok(near(forwardMacs({ kind: "gru", hidden: 2, head: 4 }, dims, 20), 8249, 0.15));
  assert.throws(() => validateLearnerArch({ kind: "lsa", param: "half" } as never), /arch.param/);
  assert.throws(() => validateLearnerArch({ kind: "softmax", heads: 3 }), /arch.heads/);
});
