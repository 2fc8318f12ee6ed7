import assert from "node:assert/strict";
import { gramApply, matmul, maxAbs, solve, transpose } from "../../lib/core/linalg.ts";
import { maxAbsDiff } from "../helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  DEFAULT_TASK,
  newTaskEnv,
  taskAdvance,
  taskConstruction,
  taskDims,
  taskStep,
  validateTask,
} from "../../lib/icrl/tasks.ts";
import { acTokens, sarsaTokens } from "../../lib/icrl/prompt.ts";
import { actorCriticUpdate, sarsaUpdate } from "../../lib/icrl/teachers.ts";
import { acBlocks, sarsaBlocks } from "../../lib/icrl/construction.ts";
import { blocksToParams, modelParams } from "../../lib/icrl/lsa.ts";

Deno.test("solve: A·x reproduces b; singular matrices are rejected", () => {
  const rng = new Rng(1);
  const n = 7;
  const A = rng.fillUniform(new Float64Array(n * n), -1, 1);
  const b = rng.fillUniform(new Float64Array(n), -1, 1);
  const x = solve(A, b, n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += A[i * n + k] * x[k];
    assert.ok(Math.abs(s - b[i]) < 1e-12);
  }
  assert.throws(() => solve(new Float64Array([1, 2, 2, 4]), new Float64Array(2), 2), /singular/);
  assert.throws(() => solve(new Float64Array(3), new Float64Array(2), 2), /A must be 2×2/);
});

Deno.test("matmul and transpose match literal sums; maxAbs(Diff) refuse NaN and ragged input", () => {
  const A = new Float64Array([1, 2, 3, 4, 5, 6]); // 2×3
  const B = new Float64Array([1, 0, 0, 1, 1, 1]); // 3×2
  assert.deepEqual(Array.from(matmul(A, B, 2, 3, 2)), [1 + 3, 2 + 3, 4 + 6, 5 + 6]);
  assert.deepEqual(Array.from(transpose(A, 2, 3)), [1, 4, 2, 5, 3, 6]);
  assert.throws(() => matmul(A, B, 3, 3, 2), /A must be 3×3/);
  assert.equal(maxAbs([1, -3, 2]), 3);
  assert.equal(maxAbsDiff([1, 2], [1, 2.5]), 0.5);
  assert.throws(() => maxAbsDiff([NaN], [0]), { name: "RangeError", message: /a\[0\] .*NaN/ });
  assert.throws(() => maxAbsDiff([1], [1, 2]), { name: "RangeError", message: /length 2/ });
});

Deno.test("taskStep (SARSA) writes the MATH §4 tokens and the SARSA target; taskAdvance continues", () => {
  const spec = { ...DEFAULT_TASK, nS: 5, nA: 3, d: 6 };
  const env = newTaskEnv(spec, new Rng(3));
  const { m, p } = taskDims(spec);
  assert.deepEqual([m, p], [13, 7]);
  const X = new Float64Array(spec.n * m), target = new Float64Array(p - 1);
  const w0 = Float64Array.from(env.theta), s0 = env.s0;
  taskStep(spec, env, X, target);
  assert.equal(env.traj.s[0], s0);
  assert.deepEqual(X, sarsaTokens(env.traj, env.feat, spec.gamma));
  assert.deepEqual(target, sarsaUpdate(env.traj, env.feat, w0, spec.gamma, spec.alpha));
  assert.deepEqual(env.theta, w0); // not advanced yet
  taskAdvance(env, target);
  assert.deepEqual(env.theta, target);
  assert.equal(env.s0, env.traj.s[spec.n]);
  assert.deepEqual(taskConstruction(spec), sarsaBlocks(6, spec.alpha));
});

Deno.test("taskStep (actor–critic) writes AC tokens and the AC target [w ; λ]", () => {
  const spec = { ...DEFAULT_TASK, kind: "ac" as const, nS: 4, nA: 3, d: 5, dPsi: 3 };
  const env = newTaskEnv(spec, new Rng(4));
  const { m, p } = taskDims(spec);
  assert.deepEqual([m, p], [2 * 3 + 1 + 5, 1 + 3 + 5]);
  const X = new Float64Array(spec.n * m), target = new Float64Array(p - 1);
  const th = Float64Array.from(env.theta);
  taskStep(spec, env, X, target);
  const w = th.subarray(0, 3), lambda = th.subarray(3);
  const ref = actorCriticUpdate(
    env.traj,
    env.feat,
    env.sf!,
    w,
    lambda,
    spec.gamma,
    spec.alpha,
    spec.beta,
  );
  assert.ok(maxAbsDiff(X, acTokens(env.traj, env.feat, env.sf!, lambda, spec.gamma)) < 1e-15);
  assert.ok(maxAbsDiff(target, [...ref.w, ...ref.lambda]) < 1e-15);
  assert.deepEqual(taskConstruction(spec), acBlocks(3, 5, spec.alpha, spec.beta));
});

Deno.test("validateTask names the bad field; modelParams embeds restricted blocks", () => {
  assert.throws(() => validateTask({ ...DEFAULT_TASK, eps: 2 }), /task\.eps.*2/);
  assert.throws(() => validateTask({ ...DEFAULT_TASK, alpha: -1 }), /task\.alpha.*-1/);
  const blocks = sarsaBlocks(3, 0.2);
  assert.deepEqual(
    modelParams({ task: DEFAULT_TASK, param: "restricted", blocks }),
    blocksToParams(blocks),
  );
});

Deno.test("gramApply equals H (Hᵀ v) formed explicitly, and checks shapes", () => {
  const rng = new Rng(7);
  const D = 5, c = 4;
  const H = rng.fillUniform(new Float64Array(D * c), -1, 1);
  const v = rng.fillUniform(new Float64Array(D), -1, 1);
  v[2] = 0;
  const got = gramApply(H, v, D, c);
  for (let r = 0; r < D; r++) {
    let want = 0;
    for (let s = 0; s < D; s++) {
      let hh = 0;
      for (let j = 0; j < c; j++) hh += H[r * c + j] * H[s * c + j];
      want += hh * v[s];
    }
    assert.ok(Math.abs(got[r] - want) < 1e-12, `row ${r}: ${got[r]} vs ${want}`);
  }
  assert.throws(() => gramApply(H, new Float64Array(3), D, c), /v of 5, got 20 and 3/);
});
