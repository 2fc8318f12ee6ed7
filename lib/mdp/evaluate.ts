/**
 * Exact float64 evaluation of stationary policies on a tabular MDP (MATH §1): `v_π` from
 * `(I − γP_π) v = r_π`, the return `J(π) = p0ᵀ v_π`, and the optimal policy by value iteration
 * (the **oracle**).
 *
 * @module
 */

import { expectedReward, type Mdp, validateMdp } from "./mdp.ts";
import { solve } from "../core/linalg.ts";
import { uniformPolicy } from "./policy.ts";
import { assertFiniteArray, assertInt, assertNumber, assertProbVector } from "../core/validate.ts";

/** Check that `pi` is an nS×nA table of probability rows. */
function validatePolicy(mdp: Mdp, pi: ArrayLike<number>): void {
  validateMdp(mdp);
  assertFiniteArray("pi", pi, mdp.nS * mdp.nA);
  for (let s = 0; s < mdp.nS; s++) assertProbVector(`pi(·|s=${s})`, pi, s * mdp.nA, mdp.nA);
}

/**
 * Value function `v_π` of a stochastic stationary policy `pi[s·nA+a]`, by solving
 * `(I − γP_π) v = r_π` exactly.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp } from "./mdp.ts";
 * import { uniformPolicy } from "./policy.ts";
 * import { policyValue } from "./evaluate.ts";
 * const mdp = randomMdp(new Rng(0), { nS: 3, nA: 2 });
 * const v = policyValue(mdp, uniformPolicy(mdp.nS, mdp.nA));
 * console.log(v); // v_π(s) for s = 0, 1, 2
 * ```
 */
export function policyValue(mdp: Mdp, pi: ArrayLike<number>): Float64Array {
  validatePolicy(mdp, pi);
  const { nS, nA, gamma, P } = mdp;
  const rbar = expectedReward(mdp);
  const A = new Float64Array(nS * nS);
  const b = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    A[s * nS + s] = 1;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p === 0) continue;
      b[s] += p * rbar[s * nA + a];
      const base = (s * nA + a) * nS;
      for (let s2 = 0; s2 < nS; s2++) A[s * nS + s2] -= gamma * p * P[base + s2];
    }
  }
  return solve(A, b, nS);
}

/**
 * Discounted return from the initial distribution, `J(π) = p0ᵀ v_π` (exact).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures, randomMdp } from "./mdp.ts";
 * import { greedyPolicy } from "./policy.ts";
 * import { policyReturn, valueIteration } from "./evaluate.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2);
 * const w = rng.fillUniform(new Float64Array(feat.d), -1, 1);
 * const J = policyReturn(mdp, greedyPolicy(feat, w));
 * if (J > valueIteration(mdp).J + 1e-12) throw new Error("no policy beats the optimum");
 * ```
 */
export function policyReturn(mdp: Mdp, pi: ArrayLike<number>): number {
  const v = policyValue(mdp, pi);
  let J = 0;
  for (let s = 0; s < mdp.nS; s++) J += mdp.p0[s] * v[s];
  if (!Number.isFinite(J)) {
    throw new RangeError(`policyReturn: J = ${J} is not finite (MDP changed after validation?)`);
  }
  return J;
}

/** Result of {@linkcode valueIteration}. */
export interface OptimalSolution {
  /** Optimal state values v⋆. */
  v: Float64Array;
  /** Optimal action values q⋆, `[s·nA+a]`. */
  q: Float64Array;
  /** Greedy optimal action per state (ties → lowest index). */
  actions: Int32Array;
  /** The deterministic optimal policy as a table. */
  pi: Float64Array;
  /** `J(π⋆) = p0ᵀ v_{π⋆}` computed by exact evaluation of `pi`. */
  J: number;
  /** Iterations used. */
  iterations: number;
}

/**
 * Optimal policy by value iteration to sup-norm change `< tol`, then exact evaluation of the
 * greedy policy (the **oracle** of MATH §1/§8.3).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp } from "./mdp.ts";
 * import { valueIteration } from "./evaluate.ts";
 * const { J, actions } = valueIteration(randomMdp(new Rng(0), { nS: 3, nA: 2 }));
 * console.log(J, actions); // optimal return and the optimal action in each state
 * ```
 */
export function valueIteration(mdp: Mdp, tol = 1e-12, maxIter = 100_000): OptimalSolution {
  assertNumber("tol", tol, 0);
  assertInt("maxIter", maxIter, 1);
  const { nS, nA, gamma, P } = validateMdp(mdp);
  const rbar = expectedReward(mdp);
  let v = new Float64Array(nS);
  const q = new Float64Array(nS * nA);
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    const next = new Float64Array(nS);
    let change = 0;
    for (let s = 0; s < nS; s++) {
      let best = -Infinity;
      for (let a = 0; a < nA; a++) {
        const base = (s * nA + a) * nS;
        let acc = rbar[s * nA + a];
        for (let s2 = 0; s2 < nS; s2++) acc += gamma * P[base + s2] * v[s2];
        q[s * nA + a] = acc;
        if (acc > best) best = acc;
      }
      next[s] = best;
      change = Math.max(change, Math.abs(best - v[s]));
    }
    v = next;
    if (change < tol) {
      iterations++;
      break;
    }
  }
  const actions = new Int32Array(nS);
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let best = 0;
    // Ties within round-off of the maximum go to the lowest index.
    const qmax = Math.max(...q.subarray(s * nA, s * nA + nA));
    while (q[s * nA + best] < qmax - 1e-12 * (1 + Math.abs(qmax))) best++;
    actions[s] = best;
    pi[s * nA + best] = 1;
  }
  return { v, q, actions, pi, J: policyReturn(mdp, pi), iterations };
}

/**
 * `J` of the uniform-random policy (the lower reference line of MATH §8.3).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp } from "./mdp.ts";
 * import { uniformReturn, valueIteration } from "./evaluate.ts";
 * const mdp = randomMdp(new Rng(0), { nS: 3, nA: 2 });
 * console.log(uniformReturn(mdp), "≤", valueIteration(mdp).J);
 * ```
 */
export function uniformReturn(mdp: Mdp): number {
  return policyReturn(mdp, uniformPolicy(mdp.nS, mdp.nA));
}
