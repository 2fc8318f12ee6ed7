import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  newTaskEnv,
  taskAdvance,
  taskDims,
  type TaskSpec,
  taskStep,
} from "../../lib/icrl/tasks.ts";
import { taskStepFast } from "../../lib/icrl/fast_task.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import {
  blockLearner,
  constructedLearner,
  evaluateTransfer,
  teacherLearner,
  transferConfig,
} from "../../lib/transfer/mod.ts";
import { fusedBatch } from "../../lib/train/fused.ts";
import { fusedReadout, restrictedReadout, restrictedScratch } from "../../lib/icrl/restricted.ts";

const sarsa = trainConfig({}).task;
const ac = trainConfig({ task: { kind: "ac" } }).task;
const small: TaskSpec = { ...sarsa, nS: 4, nA: 3, d: 5, n: 7, eps: 0.3 };
const smallAc: TaskSpec = { ...ac, nS: 4, nA: 3, d: 5, dPsi: 3, n: 6 };

Deno.test("taskStepFast is bit-identical to taskStep over a closed loop (SARSA and AC, two sizes)", () => {
  for (const task of [sarsa, ac, small, smallAc]) {
    const { m, p } = taskDims(task);
    const a = newTaskEnv(task, new Rng(9).fork(1));
    const b = newTaskEnv(task, new Rng(9).fork(1));
    const Xa = new Float64Array(task.n * m), Xb = new Float64Array(task.n * m);
    const ta = new Float64Array(p - 1), tb = new Float64Array(p - 1);
    for (let i = 0; i < 200; i++) {
      taskStep(task, a, Xa, ta);
      taskStepFast(task, b, Xb, tb);
      assert.deepEqual(Xb, Xa);
      assert.deepEqual(tb, ta);
      assert.deepEqual(b.pi, a.pi);
      assert.deepEqual(b.traj, a.traj);
      taskAdvance(a, ta);
      taskAdvance(b, tb);
    }
  }
});

Deno.test("taskStepFast: the SARSA target is the literal (α/n) Σ δ_i φ_i update of MATH §3", () => {
  const env = newTaskEnv(small, new Rng(4));
  const { m, p } = taskDims(small);
  const X = new Float64Array(small.n * m), target = new Float64Array(p - 1);
  taskStepFast(small, env, X, target);
  const { d } = small;
  for (let k = 0; k < d; k++) {
    let want = env.theta[k];
    for (let i = 0; i < small.n; i++) {
      const phi = X.subarray(i * m, i * m + d), gphip = X.subarray(i * m + d, i * m + 2 * d);
      let q = 0, gqp = 0;
      for (let j = 0; j < d; j++) {
        q += env.theta[j] * phi[j];
        gqp += env.theta[j] * gphip[j];
      }
      want += (small.alpha / small.n) * (X[i * m + 2 * d] + gqp - q) * phi[k];
    }
    assert.ok(Math.abs(target[k] - want) < 1e-12, `target[${k}] = ${target[k]} vs ${want}`);
  }
});

Deno.test("taskStepFast throws on a non-finite θ like the reference", () => {
  for (const task of [sarsa, ac]) {
    const { m, p } = taskDims(task);
    const env = newTaskEnv(task, new Rng(2));
    env.theta[0] = NaN;
    assert.throws(
      () => taskStepFast(task, env, new Float64Array(task.n * m), new Float64Array(p - 1)),
      /w.*NaN|NaN/,
    );
  }
});

Deno.test("fusedReadout is bit-identical to restrictedReadout on random blocks and prompts", () => {
  const rng = new Rng(6);
  for (const [n, m, p] of [[20, 73, 37], [3, 5, 2], [9, 11, 7]]) {
    const blk = {
      m,
      p,
      P12: rng.fillUniform(new Float64Array(m * p), -1, 1),
      V21bar: rng.fillUniform(new Float64Array((p - 1) * m), -1, 1),
    };
    const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
    const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
    const ref = Float64Array.from(restrictedReadout(blk, X, n, theta, restrictedScratch(m, p, n)));
    const out = fusedReadout(fusedBatch(m, p, n, 1), blk, X, theta, new Float64Array(p - 1));
    assert.deepEqual(out, ref);
  }
});

Deno.test("closed-loop evaluation: fused and reference kernels give identical rows", async () => {
  for (const task of [sarsa, ac]) {
    const trained = await trainTeacherMimic(trainConfig({ task, K: 2, T: 20, batch: 2 }));
    const cfg = transferConfig({ task, numMdps: 3, updates: 30, recordAt: [0, 10, 30] });
    const learners = (k: "fused" | "reference") => [
      teacherLearner(),
      constructedLearner(task),
      blockLearner("trained", trained.model, k),
    ];
    const f = await evaluateTransfer(cfg, learners("fused"), undefined, "fused");
    const r = await evaluateTransfer(cfg, learners("reference"), undefined, "reference");
    assert.deepEqual(f.rows, r.rows);
  }
  const task = sarsa;
  const trained = await trainTeacherMimic(trainConfig({ task, K: 1, T: 2, batch: 1 }));
  assert.throws(() => blockLearner("x", trained.model, "simd" as "fused"), /kernel must be/);
});
