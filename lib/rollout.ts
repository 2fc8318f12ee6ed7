/**
 * Rollouts (MATH §2): `n` transitions `s_0, a_0, r_1, s_1, …, s_n` plus the extra action
 * `a_n ~ π(·|s_n)`, stored in typed arrays. Per step the RNG draws the action, then the next state.
 *
 * @module
 */

import type { Mdp } from "./mdp.ts";
import type { Rng } from "./rng.ts";
import { assertInt, assertProbVector } from "./validate.ts";

/** A trajectory of `n` transitions and one extra action (MATH §2). */
export interface Trajectory {
  /** Number of transitions. */
  n: number;
  /** States `s_0 … s_n` (length n+1). */
  s: Int32Array;
  /** Actions `a_0 … a_n` (length n+1; `a_n` is the extra SARSA action). */
  a: Int32Array;
  /** Rewards `r_1 … r_n` stored at index 0 … n−1 (`r[i] = r(s_i, a_i, s_{i+1})`). */
  r: Float64Array;
}

/**
 * Allocate an empty trajectory buffer for `n` transitions (reuse it across rollouts).
 *
 * @example
 * ```ts
 * const buf = emptyTrajectory(20);
 * ```
 */
export function emptyTrajectory(n: number): Trajectory {
  assertInt("n", n, 1);
  return { n, s: new Int32Array(n + 1), a: new Int32Array(n + 1), r: new Float64Array(n) };
}

/**
 * Draw `s_0 ~ p0`.
 *
 * @example
 * ```ts
 * const s0 = sampleInitialState(mdp, rng);
 * ```
 */
export function sampleInitialState(mdp: Mdp, rng: Rng): number {
  return rng.categorical(mdp.p0, 0, mdp.nS, true);
}

/**
 * Roll out `n` transitions from `s0` under the policy table `pi[s·nA+a]`, then draw the extra
 * action `a_n`. Writes into `out` if given (its `n` must match). The next prompt of the same MDP
 * continues from `traj.s[n]` (MATH §2).
 *
 * @example
 * ```ts
 * const traj = rollout(mdp, epsGreedyPolicy(feat, w, 0.1), sampleInitialState(mdp, rng), 20, rng);
 * ```
 */
export function rollout(
  mdp: Mdp,
  pi: Float64Array,
  s0: number,
  n: number,
  rng: Rng,
  out?: Trajectory,
): Trajectory {
  const { nS, nA, P, R } = mdp;
  assertInt("s0", s0, 0, nS - 1);
  assertInt("n", n, 1);
  if (pi.length !== nS * nA) {
    throw new RangeError(`pi must have length nS·nA = ${nS * nA}, got ${pi.length}`);
  }
  for (let s = 0; s < nS; s++) assertProbVector(`pi(·|s=${s})`, pi, s * nA, nA);
  const traj = out ?? emptyTrajectory(n);
  if (traj.n !== n) throw new RangeError(`out.n = ${traj.n} does not match n = ${n}`);
  let s = s0;
  for (let i = 0; i < n; i++) {
    const a = rng.categorical(pi, s * nA, nA, true);
    const base = (s * nA + a) * nS;
    const s2 = rng.categorical(P, base, nS, true);
    traj.s[i] = s;
    traj.a[i] = a;
    traj.r[i] = R[base + s2];
    s = s2;
  }
  traj.s[n] = s;
  traj.a[n] = rng.categorical(pi, s * nA, nA, true);
  return traj;
}
