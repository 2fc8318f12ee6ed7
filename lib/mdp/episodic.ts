/**
 * Finite-horizon tabular MDPs, the setting of [LBM24] §4.3 (MATH §10.8): S states, A actions,
 * horizon H, time-dependent transitions `P_h(·|s, a)` and mean rewards `R_h(s, a) ∈ [0, 1]`
 * (the observed reward is Bernoulli(R_h(s, a))), initial distribution ρ. K episodes of H steps
 * make a trajectory of T = KH steps. Exact float64 quantities by backward induction: the optimal
 * value `V*_1`, and the value of any step-dependent stochastic policy — so regret is computed
 * exactly, `Σ_k (V*_1(ρ) − V^{π_k}_1(ρ))`.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import { assertInt } from "../core/validate.ts";

/** A finite-horizon tabular MDP. */
export interface EpisodicMdp {
  /** States S. */
  readonly nS: number;
  /** Actions A. */
  readonly nA: number;
  /** Horizon H. */
  readonly H: number;
  /** `P[((h·S + s)·A + a)·S + s′] = P_h(s′|s, a)`, h = 0 … H−1 (0-based step). */
  readonly P: Float64Array;
  /** `R[(h·S + s)·A + a]` = mean reward ∈ [0, 1]. */
  readonly R: Float64Array;
  /** Initial distribution ρ (S). */
  readonly rho: Float64Array;
}

/** Options of {@linkcode randomEpisodicMdp}. */
export interface RandomEpisodicOptions {
  /** States (default 3). */
  nS?: number;
  /** Actions (default 3). */
  nA?: number;
  /** Horizon (default 4). */
  H?: number;
  /** Dirichlet concentration of every `P_h(·|s, a)` (default 1). */
  concentration?: number;
}

/**
 * A random episodic MDP: `P_h(·|s,a) ~ Dirichlet(c, …, c)`, `R_h(s,a) ~ Unif[0,1]`,
 * `ρ ~ Dirichlet(1, …, 1)`, all independent, drawn from `rng`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomEpisodicMdp } from "./episodic.ts";
 * const m = randomEpisodicMdp(new Rng(1), { nS: 3, nA: 2, H: 4 });
 * m.P.length; // 4 · 3 · 2 · 3
 * ```
 */
export function randomEpisodicMdp(rng: Rng, opts: RandomEpisodicOptions = {}): EpisodicMdp {
  const nS = opts.nS ?? 3, nA = opts.nA ?? 3, H = opts.H ?? 4, c = opts.concentration ?? 1;
  assertInt("nS", nS, 1, 1000);
  assertInt("nA", nA, 1, 1000);
  assertInt("H", H, 1, 10_000);
  const P = new Float64Array(H * nS * nA * nS), R = new Float64Array(H * nS * nA);
  for (let n = 0; n < H * nS * nA; n++) rng.dirichlet(c, nS, P, n * nS);
  for (let n = 0; n < R.length; n++) R[n] = rng.uniform();
  return { nS, nA, H, P, R, rho: rng.dirichlet(1, nS) };
}

/**
 * Value `V^π_1(ρ)` of a step-dependent stochastic policy `pi[(h·S + s)·A + a]` (exact backward
 * induction), and the per-step values `V_h(s)` (H × S).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { episodicPolicyValue, randomEpisodicMdp } from "./episodic.ts";
 * const m = randomEpisodicMdp(new Rng(1), { nS: 2, nA: 2, H: 3 });
 * episodicPolicyValue(m, new Float64Array(3 * 2 * 2).fill(0.5)).value; // uniform policy's value
 * ```
 */
export function episodicPolicyValue(
  m: EpisodicMdp,
  pi: ArrayLike<number>,
): { value: number; V: Float64Array } {
  const { nS: S, nA: A, H } = m;
  if (pi.length !== H * S * A) throw new RangeError(`policy must be H·S·A = ${H * S * A} long`);
  const V = new Float64Array((H + 1) * S);
  for (let h = H - 1; h >= 0; h--) {
    for (let s = 0; s < S; s++) {
      let v = 0;
      for (let a = 0; a < A; a++) {
        const p = pi[(h * S + s) * A + a];
        if (p === 0) continue;
        let q = m.R[(h * S + s) * A + a];
        const o = ((h * S + s) * A + a) * S;
        for (let s2 = 0; s2 < S; s2++) q += m.P[o + s2] * V[(h + 1) * S + s2];
        v += p * q;
      }
      V[h * S + s] = v;
    }
  }
  let value = 0;
  for (let s = 0; s < S; s++) value += m.rho[s] * V[s];
  return { value, V: V.slice(0, H * S) };
}

/**
 * The optimal value `V*_1(ρ)` and an optimal deterministic policy (as a one-hot `pi`), by backward
 * induction.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { episodicOptimal, randomEpisodicMdp } from "./episodic.ts";
 * episodicOptimal(randomEpisodicMdp(new Rng(2))).value > 0; // true
 * ```
 */
export function episodicOptimal(m: EpisodicMdp): { value: number; pi: Float64Array } {
  const { nS: S, nA: A, H } = m;
  const V = new Float64Array((H + 1) * S), pi = new Float64Array(H * S * A);
  for (let h = H - 1; h >= 0; h--) {
    for (let s = 0; s < S; s++) {
      let best = -Infinity, arg = 0;
      for (let a = 0; a < A; a++) {
        let q = m.R[(h * S + s) * A + a];
        const o = ((h * S + s) * A + a) * S;
        for (let s2 = 0; s2 < S; s2++) q += m.P[o + s2] * V[(h + 1) * S + s2];
        if (q > best) {
          best = q;
          arg = a;
        }
      }
      V[h * S + s] = best;
      pi[(h * S + s) * A + arg] = 1;
    }
  }
  let value = 0;
  for (let s = 0; s < S; s++) value += m.rho[s] * V[s];
  return { value, pi };
}

/** One episode: states s_1 … s_H, actions and observed rewards. */
export interface Episode {
  /** States (H). */
  states: Int32Array;
  /** Actions (H). */
  actions: Int32Array;
  /** Observed rewards (H), 0 or 1. */
  rewards: Float64Array;
}

/**
 * Play one episode: `s_1 ~ ρ`, then for h = 1 … H `a_h = act(h, s_h)` (0-based h passed),
 * `r_h ~ Bernoulli(R_h(s_h, a_h))`, `s_{h+1} ~ P_h(·|s_h, a_h)`; every draw from `rng`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { playEpisode, randomEpisodicMdp } from "./episodic.ts";
 * const rng = new Rng(3);
 * playEpisode(randomEpisodicMdp(rng), () => 0, rng).actions; // all 0
 * ```
 */
export function playEpisode(
  m: EpisodicMdp,
  act: (h: number, s: number) => number,
  rng: Rng,
): Episode {
  const { nS: S, nA: A, H } = m;
  const states = new Int32Array(H), actions = new Int32Array(H), rewards = new Float64Array(H);
  let s = rng.categorical(m.rho, 0, S, true);
  for (let h = 0; h < H; h++) {
    const a = act(h, s);
    if (!(Number.isInteger(a) && a >= 0 && a < A)) {
      throw new RangeError(`episode step ${h}: action ${a} outside [0, ${A})`);
    }
    states[h] = s;
    actions[h] = a;
    rewards[h] = rng.uniform() < m.R[(h * S + s) * A + a] ? 1 : 0;
    s = rng.categorical(m.P, ((h * S + s) * A + a) * S, S, true);
  }
  return { states, actions, rewards };
}
