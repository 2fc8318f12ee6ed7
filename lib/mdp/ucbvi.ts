/**
 * UCB-VI ([Azar et al. 2017] as stated in [LBM24] App. "UCB-VI and soft UCB-VI"; MATH §10.8) on
 * the episodic MDPs of `episodic.ts`, float64. Before episode k, from the counts of episodes
 * 1 … k−1 (0-based step h):
 *
 *     P̂_h(s′|s,a) = N_h(s,a,s′)/(N_h(s,a) ∨ 1),   r̂_h(s,a) = R_h(s,a)/(N_h(s,a) ∨ 1)   (reward sums)
 *     b_h(s,a) = c_b H √(log(SAT/δ) / (N_h(s,a) ∨ 1)),   δ = 1/(KH), T = KH   (paper: c_b = 2)
 *     Q̂_h(s,a) = min{H, r̂_h + b_h + Σ_{s′} P̂_h(s′|s,a) V̂_{h+1}(s′)},   V̂_h = max_a Q̂_h,  V̂_H = 0
 *
 * UCB-VI plays `argmax_a Q̂_h(s_h, a)` (ties uniformly at random); soft UCB-VI(τ) plays
 * `softmax(Q̂_h(s_h, ·)/τ)`. Regret is exact: `Σ_k (V*_1(ρ) − V^{π_k}_1(ρ))`.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import { assertInt } from "../core/validate.ts";
import {
  type Episode,
  type EpisodicMdp,
  episodicOptimal,
  episodicPolicyValue,
  playEpisode,
} from "./episodic.ts";

/** Visit counts and reward sums of past episodes. */
export interface UcbviCounts {
  /** States, actions, horizon. */
  readonly nS: number;
  readonly nA: number;
  readonly H: number;
  /** `N_h(s,a,s′)` at `((h·S + s)·A + a)·S + s′`, h = 0 … H−2. */
  readonly N3: Float64Array;
  /** `N_h(s,a)` at `(h·S + s)·A + a`, h = 0 … H−1. */
  readonly N2: Float64Array;
  /** Reward sums `Σ r` at `(h·S + s)·A + a`. */
  readonly Rsum: Float64Array;
}

/**
 * Zero counts.
 *
 * @example
 * ```ts
 * import { emptyUcbviCounts } from "./ucbvi.ts";
 * emptyUcbviCounts(3, 2, 4).N2.length; // 24
 * ```
 */
export function emptyUcbviCounts(nS: number, nA: number, H: number): UcbviCounts {
  return {
    nS,
    nA,
    H,
    N3: new Float64Array(H * nS * nA * nS),
    N2: new Float64Array(H * nS * nA),
    Rsum: new Float64Array(H * nS * nA),
  };
}

/**
 * Add one episode to the counts (in place).
 *
 * @example
 * ```ts
 * import { addEpisode, emptyUcbviCounts } from "./ucbvi.ts";
 * const c = emptyUcbviCounts(2, 2, 2);
 * addEpisode(c, { states: Int32Array.from([0, 1]), actions: Int32Array.from([1, 0]), rewards: Float64Array.from([1, 0]) });
 * c.N3[(0 * 2 + 0) * 2 * 2 + 1 * 2 + 1]; // 1: (h 0, s 0, a 1) → s′ 1
 * ```
 */
export function addEpisode(c: UcbviCounts, ep: Episode): void {
  const { nS: S, nA: A, H } = c;
  for (let h = 0; h < H; h++) {
    const sa = (h * S + ep.states[h]) * A + ep.actions[h];
    c.N2[sa]++;
    c.Rsum[sa] += ep.rewards[h];
    if (h < H - 1) c.N3[sa * S + ep.states[h + 1]]++;
  }
}

/**
 * The log term `log(SAT/δ)` with δ = 1/(KH), T = KH.
 *
 * @example
 * ```ts
 * import { ucbviLog } from "./ucbvi.ts";
 * ucbviLog(3, 2, 4, 25); // log(3·2·100·100)
 * ```
 */
export function ucbviLog(nS: number, nA: number, H: number, K: number): number {
  const T = K * H;
  return Math.log(nS * nA * T * T);
}

/**
 * The bonus `c_b H √(L/(n ∨ 1))` (the paper's c_b = 2).
 *
 * @example
 * ```ts
 * import { ucbviBonus } from "./ucbvi.ts";
 * ucbviBonus(0, 4, 2); // 8·√2
 * ```
 */
export function ucbviBonus(n: number, H: number, L: number, scale = 2): number {
  return scale * H * Math.sqrt(L / Math.max(n, 1));
}

/**
 * `Q̂_h(s,a)` (H × S × A) and `V̂_h(s)` (H × S) of UCB-VI from the counts (module doc), for a run of
 * K episodes, with bonus scale c_b (paper 2).
 *
 * @example
 * ```ts
 * import { emptyUcbviCounts, ucbviQ } from "./ucbvi.ts";
 * ucbviQ(emptyUcbviCounts(2, 2, 3), 10).Q[0]; // 3: no data, every Q̂ is clipped at H
 * ```
 */
export function ucbviQ(
  c: UcbviCounts,
  K: number,
  bonusScale = 2,
): { Q: Float64Array; V: Float64Array } {
  const { nS: S, nA: A, H } = c;
  assertInt("K", K, 1);
  const L = ucbviLog(S, A, H, K);
  const Q = new Float64Array(H * S * A), V = new Float64Array((H + 1) * S);
  for (let h = H - 1; h >= 0; h--) {
    for (let s = 0; s < S; s++) {
      let best = -Infinity;
      for (let a = 0; a < A; a++) {
        const sa = (h * S + s) * A + a, n = c.N2[sa], inv = 1 / Math.max(n, 1);
        let q = c.Rsum[sa] * inv + ucbviBonus(n, H, L, bonusScale);
        if (h < H - 1) {
          for (let s2 = 0; s2 < S; s2++) q += c.N3[sa * S + s2] * inv * V[(h + 1) * S + s2];
        }
        q = Math.min(H, q);
        Q[sa] = q;
        best = Math.max(best, q);
      }
      V[h * S + s] = best;
    }
  }
  return { Q, V: V.slice(0, H * S) };
}

/**
 * The policy (H × S × A) of UCB-VI from `Q̂`: `tau > 0` soft, `softmax(Q̂/τ)`; `tau = 0` greedy,
 * uniform over exact ties.
 *
 * @example
 * ```ts
 * import { ucbviPolicy } from "./ucbvi.ts";
 * ucbviPolicy(new Float64Array([1, 1, 0, 2]), 2, 1, 2, 0); // [0.5, 0.5, 0, 1]
 * ```
 */
export function ucbviPolicy(
  Q: ArrayLike<number>,
  nS: number,
  H: number,
  nA: number,
  tau: number,
): Float64Array {
  if (!(tau >= 0)) throw new RangeError(`UCB-VI temperature τ must be ≥ 0, got ${tau}`);
  const pi = new Float64Array(H * nS * nA);
  for (let hs = 0; hs < H * nS; hs++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, Q[hs * nA + a]);
    let z = 0;
    for (let a = 0; a < nA; a++) {
      const v = tau > 0 ? Math.exp((Q[hs * nA + a] - m) / tau) : (Q[hs * nA + a] === m ? 1 : 0);
      pi[hs * nA + a] = v;
      z += v;
    }
    for (let a = 0; a < nA; a++) pi[hs * nA + a] /= z;
  }
  return pi;
}

/** What {@linkcode runUcbvi} returns. */
export interface UcbviRun {
  /** Per-episode regret `V*_1(ρ) − V^{π_k}_1(ρ)` (K). */
  regret: Float64Array;
  /** The episodes played. */
  episodes: Episode[];
  /** The policies used (K, each H × S × A). */
  policies: Float64Array[];
}

/**
 * Run UCB-VI (τ = 0) or soft UCB-VI(τ) (bonus scale c_b, paper 2) for K episodes on `m`, drawing
 * everything from `rng` (actions from the policy by inverse CDF, one uniform per step, before the
 * environment's draws).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomEpisodicMdp } from "./episodic.ts";
 * import { runUcbvi } from "./ucbvi.ts";
 * const rng = new Rng(4);
 * runUcbvi(randomEpisodicMdp(rng), 20, 0.1, rng).regret.length; // 20
 * ```
 */
export function runUcbvi(
  m: EpisodicMdp,
  K: number,
  tau: number,
  rng: Rng,
  bonusScale = 2,
): UcbviRun {
  const { nS: S, nA: A, H } = m;
  const opt = episodicOptimal(m).value;
  const counts = emptyUcbviCounts(S, A, H);
  const regret = new Float64Array(K), episodes: Episode[] = [], policies: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    const pi = ucbviPolicy(ucbviQ(counts, K, bonusScale).Q, S, H, A, tau);
    policies.push(pi);
    regret[k] = opt - episodicPolicyValue(m, pi).value;
    const ep = playEpisode(m, (h, s) => sampleRow(pi, (h * S + s) * A, A, rng.uniform()), rng);
    episodes.push(ep);
    addEpisode(counts, ep);
  }
  return { regret, episodes, policies };
}

/**
 * Inverse-CDF draw from `p[off … off+n−1]` with the uniform u.
 *
 * @example
 * ```ts
 * import { sampleRow } from "./ucbvi.ts";
 * const p = [9, 0.2, 0.5, 0.3]; // the row starts at offset 1
 * if ([0.1, 0.6, 0.95].map((u) => sampleRow(p, 1, 3, u)).join() !== "0,1,2") throw new Error("cdf");
 * ```
 */
export function sampleRow(p: ArrayLike<number>, off: number, n: number, u: number): number {
  let acc = 0;
  for (let a = 0; a < n; a++) {
    acc += p[off + a];
    if (u < acc) return a;
  }
  return n - 1;
}
