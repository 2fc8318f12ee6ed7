/**
 * The per-prompt work of the teacher-mimicking tasks (MATH §2, §3, §6) in one pass:
 * {@linkcode taskStepFast} does what `tasks.ts`'s `taskStep` does — behaviour-policy table, rollout,
 * tokens, teacher target — with the same operations in the same order (bit-identical results,
 * `tests/fast_task_test.ts`), but without temporary arrays, with the teacher's dot products fused
 * into the token copy, and (actor–critic) with the TD error and the softmax score computed once
 * each instead of twice. `taskStep` stays the tested reference.
 *
 * @module
 */

import { softmaxPolicy } from "../mdp/policy.ts";
import { rollout } from "../mdp/rollout.ts";
import type { TaskEnv, TaskSpec } from "./tasks.ts";
import { assertFiniteArray } from "../core/validate.ts";

/**
 * One prompt, exactly as `taskStep`: roll out `n` steps of the behaviour policy of `env.theta`
 * from `env.s0`, write the tokens into `X` (n×m) and the teacher's update into `target` (p−1).
 * Does not change `env.theta`. Throws on a non-finite θ, as the reference does.
 *
 * @example
 * ```ts
 * import { taskStepFast } from "./fast_task.ts";
 * import { DEFAULT_TASK, newTaskEnv, taskDims, taskStep } from "./tasks.ts";
 * import { Rng } from "../core/rng.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
 * taskStepFast(task, newTaskEnv(task, new Rng(0)), X, target);
 * const X0 = new Float64Array(X.length), target0 = new Float64Array(p - 1);
 * taskStep(task, newTaskEnv(task, new Rng(0)), X0, target0); // the reference, same stream
 * console.log(X.every((x, i) => x === X0[i]) && target.every((x, i) => x === target0[i])); // true
 * ```
 */
export function taskStepFast(
  t: TaskSpec,
  env: TaskEnv,
  X: Float64Array,
  target: Float64Array,
): void {
  if (t.kind === "sarsa") sarsaStep(t, env, X, target);
  else acStep(t, env, X, target);
}

function sarsaStep(t: TaskSpec, env: TaskEnv, X: Float64Array, target: Float64Array): void {
  const { feat, mdp, traj, theta: w, pi } = env;
  const { nS, nA, d, phi } = feat;
  const n = t.n, eps = t.eps;
  assertFiniteArray("w", w, d);
  // ε-greedy table (policy.ts epsGreedyPolicy: Q = φᵀw, ties → lowest action).
  const low = eps / nA;
  for (let s = 0; s < nS; s++) {
    let best = 0, qBest = 0;
    for (let a = 0; a < nA; a++) {
      const base = (s * nA + a) * d;
      let acc = 0;
      for (let k = 0; k < d; k++) acc += phi[base + k] * w[k];
      if (a === 0 || acc > qBest) {
        best = a;
        qBest = acc;
      }
      pi[s * nA + a] = low;
    }
    pi[s * nA + best] += 1 - eps;
  }
  rollout(mdp, pi, env.s0, n, env.rng, traj);
  // Tokens and the SARSA target (teachers.ts sarsaUpdate) in one pass over the transitions.
  const m = 2 * d + 1, g = t.gamma, step = t.alpha / n;
  for (let k = 0; k < d; k++) target[k] = w[k];
  for (let i = 0; i < n; i++) {
    const b = (traj.s[i] * nA + traj.a[i]) * d;
    const bp = (traj.s[i + 1] * nA + traj.a[i + 1]) * d;
    const c = step * criticToken(X, i * m, phi, b, bp, d, g, w, traj.r[i]);
    for (let k = 0; k < d; k++) target[k] += c * phi[b + k];
  }
}

function acStep(t: TaskSpec, env: TaskEnv, X: Float64Array, target: Float64Array): void {
  const { feat, mdp, traj, theta, pi } = env;
  const sf = env.sf!;
  const dq = t.dPsi, d = t.d, n = t.n, g = t.gamma;
  const w = theta.subarray(0, dq), lambda = theta.subarray(dq);
  softmaxPolicy(feat, lambda, pi);
  rollout(mdp, pi, env.s0, n, env.rng, traj);
  assertFiniteArray("w", w, dq);
  const psi = sf.psi, { nA, phi } = feat;
  const m = 2 * dq + 1 + d, gOff = 2 * dq + 1;
  const aStep = t.alpha / n, bStep = t.beta / n;
  for (let k = 0; k < dq + d; k++) target[k] = theta[k];
  for (let i = 0; i < n; i++) {
    const b = traj.s[i] * dq, bp = traj.s[i + 1] * dq, row = i * m;
    const delta = criticToken(X, row, psi, b, bp, dq, g, w, traj.r[i]);
    // Score g_i = φ(s,a) − Σ_b π(b|s) φ(s,b) into the token (policy.ts softmaxScore, the same
    // subtractions in the same order, without its per-call checks); the actor update reads it back.
    const si = traj.s[i], sa = (si * nA + traj.a[i]) * d, go = row + gOff;
    for (let k = 0; k < d; k++) X[go + k] = phi[sa + k];
    for (let b2 = 0; b2 < nA; b2++) {
      const pb = pi[si * nA + b2], base = (si * nA + b2) * d;
      for (let k = 0; k < d; k++) X[go + k] -= pb * phi[base + k];
    }
    const cw = aStep * delta, cl = bStep * delta;
    for (let k = 0; k < dq; k++) target[k] += cw * psi[b + k];
    for (let k = 0; k < d; k++) target[dq + k] += cl * X[row + gOff + k];
  }
}

/**
 * The critic part of one token, `[f ; γf⁺ ; r]` with `f`, `f⁺` the rows of `F` at `b`, `bp` (`d`
 * entries), written at `X[row …]`; returns the TD error `r + γ wᵀf⁺ − wᵀf` (each dot product in k
 * order, as the teachers compute it).
 */
function criticToken(
  X: Float64Array,
  row: number,
  F: Float64Array,
  b: number,
  bp: number,
  d: number,
  g: number,
  w: Float64Array,
  r: number,
): number {
  let q = 0, qp = 0;
  for (let k = 0; k < d; k++) {
    const f = F[b + k], fp = F[bp + k], wk = w[k];
    X[row + k] = f;
    X[row + d + k] = g * fp;
    q += wk * f;
    qp += wk * fp;
  }
  X[row + 2 * d] = r;
  return r + g * qp - q;
}
