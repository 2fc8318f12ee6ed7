/**
 * Rollouts (MATH §2): `n` transitions `s_0, a_0, r_1, s_1, …, s_n` plus the extra action
 * `a_n ~ π(·|s_n)`, stored in typed arrays. Per step the RNG draws the action, then the next state.
 *
 * @module
 */

import { type Mdp, validateMdp } from "./mdp.ts";
import { Rng } from "../core/rng.ts";
import {
  assertFiniteArray,
  assertIndexArray,
  assertInt,
  assertObject,
  assertProbVector,
  showValue,
} from "../core/validate.ts";

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
 * The `|S|`, `|A|` a trajectory's indices were checked against (by {@linkcode validateTrajectory}
 * or, for a trajectory written by {@linkcode rollout}, the MDP it was rolled out on). Keyed by
 * identity, so a validated trajectory is accepted in O(1) where it meets features.
 */
const trajBounds = new WeakMap<Trajectory, { nS: number; nA: number }>();

/**
 * Check a trajectory where it meets an MDP or features with `nS` states and `nA` actions
 * (`nA` omitted: actions only need to be ≥ 0): `n ≥ 1` matches the array lengths, states and
 * actions are in range, rewards finite. A trajectory rolled out on an MDP of another size is
 * refused even if its visited states happen to fit. O(1) for a trajectory validated (or rolled
 * out) against the same sizes before. Returns it.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp } from "./mdp.ts";
 * import { uniformPolicy } from "./policy.ts";
 * import { rollout, validateTrajectory } from "./rollout.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * validateTrajectory(rollout(mdp, uniformPolicy(3, 2), 0, 5, rng), 3, 2); // passes
 * const bad = { n: 1, s: new Int32Array([0, 7]), a: new Int32Array(2), r: new Float64Array(1) };
 * try {
 *   validateTrajectory(bad, 3, 2);
 * } catch (e) {
 *   console.log((e as Error).message); // names traj.s and the bad state 7
 * }
 * ```
 */
export function validateTrajectory(traj: Trajectory, nS: number, nA?: number): Trajectory {
  if (traj === null || typeof traj !== "object") {
    throw new TypeError(`trajectory must be an object {n, s, a, r}, got ${showValue(traj)}`);
  }
  const n = traj.n;
  assertInt("traj.n", n, 1);
  const known = trajBounds.get(traj);
  if (known) {
    if (known.nS !== nS || (nA !== undefined && known.nA !== nA)) {
      throw new RangeError(
        `trajectory is from an MDP with |S|=${known.nS}, |A|=${known.nA} but is used with ` +
          `|S|=${nS}` + (nA !== undefined ? `, |A|=${nA}` : ""),
      );
    }
    if (traj.s.length === n + 1 && traj.a.length === n + 1 && traj.r.length === n) return traj;
  }
  assertObject("trajectory", traj);
  assertIndexArray("traj.s", traj.s, n + 1, nS);
  assertIndexArray("traj.a", traj.a, n + 1, nA ?? Infinity);
  assertFiniteArray("traj.r", traj.r, n);
  if (nA !== undefined) trajBounds.set(traj, { nS, nA });
  return traj;
}

/**
 * Allocate an empty trajectory buffer for `n` transitions (reuse it across rollouts).
 *
 * @example
 * ```ts
 * import { emptyTrajectory } from "./rollout.ts";
 * const buf = emptyTrajectory(5);
 * console.log(buf.s.length, buf.a.length, buf.r.length); // 6 6 5
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
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp } from "./mdp.ts";
 * import { sampleInitialState } from "./rollout.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const s0 = sampleInitialState(mdp, rng);
 * if (!(s0 >= 0 && s0 < 3)) throw new Error(`state out of range: ${s0}`);
 * ```
 */
export function sampleInitialState(mdp: Mdp, rng: Rng): number {
  validateMdp(mdp);
  assertRng(rng);
  return rng.categorical(mdp.p0, 0, mdp.nS, true);
}

/**
 * Roll out `n` transitions from `s0` under the policy table `pi[s·nA+a]`, then draw the extra
 * action `a_n`. Writes into `out` if given (its `n` must match). The next prompt of the same MDP
 * continues from `traj.s[n]` (MATH §2).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures, randomMdp } from "./mdp.ts";
 * import { epsGreedyPolicy } from "./policy.ts";
 * import { rollout, sampleInitialState } from "./rollout.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2);
 * const w = new Float64Array(feat.d).fill(0.1);
 * const pi = epsGreedyPolicy(feat, w, 0.1);
 * const traj = rollout(mdp, pi, sampleInitialState(mdp, rng), 5, rng);
 * console.log(traj.s, traj.a, traj.r); // 6 states, 6 actions (the last is a_n), 5 rewards
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
  const { nS, nA, P, R } = validateMdp(mdp);
  assertInt("s0", s0, 0, nS - 1);
  assertInt("n", n, 1);
  assertRng(rng);
  if (pi === null || pi === undefined || pi.length !== nS * nA) {
    throw new RangeError(`pi must have length nS·nA = ${nS * nA}, got ${showValue(pi)}`);
  }
  for (let s = 0; s < nS; s++) {
    // Inline the probability-row check (same order and tolerance as assertProbVector); the
    // message (and its string) is only built for a bad row.
    let sum = 0, ok = true;
    for (let a = 0; a < nA; a++) {
      const x = pi[s * nA + a];
      if (!(x >= 0)) ok = false;
      sum += x;
    }
    if (!ok || !(Math.abs(sum - 1) <= 1e-9)) assertProbVector(`pi(·|s=${s})`, pi, s * nA, nA);
  }
  const traj = out ?? emptyTrajectory(n);
  if (traj.n !== n || traj.s.length !== n + 1 || traj.a.length !== n + 1 || traj.r.length !== n) {
    throw new RangeError(`out.n = ${traj.n} (or its array lengths) does not match n = ${n}`);
  }
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
  const kb = trajBounds.get(traj);
  if (kb === undefined || kb.nS !== nS || kb.nA !== nA) trajBounds.set(traj, { nS, nA });
  return traj;
}

function assertRng(rng: Rng): void {
  if (!(rng instanceof Rng)) {
    throw new TypeError(`rng must be an Rng (lib/core/rng.ts), got ${showValue(rng)}`);
  }
}
