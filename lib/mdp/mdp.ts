/**
 * Tabular MDPs and features (MATH §1).
 *
 * Layouts (all row-major, 0-based):
 * - `P[(s·nA + a)·nS + s']` = P(s'|s,a);  `R[(s·nA + a)·nS + s']` = r(s,a,s');  `p0[s]`.
 * - state–action features `phi[(s·nA + a)·d + k]`; state features `psi[s·d + k]`.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import {
  assertFiniteArray,
  assertInt,
  assertNumber,
  assertObject,
  assertProbVector,
  isValid,
  markValid,
  type Validated,
} from "../core/validate.ts";

/** A finite discounted MDP `(S, A, P, r, γ, p0)` with deterministic rewards r(s,a,s'). */
export interface Mdp {
  /** Number of states |S|. */
  readonly nS: number;
  /** Number of actions |A|. */
  readonly nA: number;
  /** Discount γ ∈ [0, 1). */
  readonly gamma: number;
  /** Transition kernel, `P[(s·nA+a)·nS+s']`. */
  readonly P: Float64Array;
  /** Rewards, `R[(s·nA+a)·nS+s']`. */
  readonly R: Float64Array;
  /** Initial-state distribution. */
  readonly p0: Float64Array;
}

/** An MDP that passed {@linkcode validateMdp} (or came from a constructor of this module). */
export type ValidMdp = Validated<Mdp, "Mdp">;

/** Options of {@linkcode randomMdp} (MATH §1 defaults). */
export interface RandomMdpOptions {
  /** |S|, default 9. */
  nS?: number;
  /** |A|, default 4. */
  nA?: number;
  /** γ, default 0.5. */
  gamma?: number;
  /** Dirichlet concentration of each row P(·|s,a), default 1 (uniform on the simplex). */
  concentration?: number;
}

/**
 * Draw a random MDP as in MATH §1: `P(·|s,a) ~ Dirichlet(1,…,1)` for each (s,a) in order
 * s = 0…, a = 0…; then `r(s,a,s') ~ Unif(−1,1)` in layout order; then `p0 ~ Dirichlet(1,…,1)`.
 * (A smaller `concentration` gives near-deterministic transitions — used by the richness ablation.)
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp } from "./mdp.ts";
 * const mdp = randomMdp(new Rng(0), { nS: 3, nA: 2 }); // γ = 0.5 by default
 * console.log(mdp.P.length); // 3·2·3 = 18 transition probabilities
 * ```
 */
export function randomMdp(rng: Rng, opts: RandomMdpOptions = {}): ValidMdp {
  const { nS = 9, nA = 4, gamma = 0.5, concentration = 1 } = opts;
  assertInt("nS", nS, 1);
  assertInt("nA", nA, 1);
  assertNumber("gamma", gamma, 0, 0.999999);
  assertNumber("concentration", concentration, 1e-6);
  const P = new Float64Array(nS * nA * nS);
  for (let sa = 0; sa < nS * nA; sa++) rng.dirichlet(concentration, nS, P, sa * nS);
  const R = rng.fillUniform(new Float64Array(nS * nA * nS), -1, 1);
  const p0 = rng.dirichlet(1, nS);
  return markValid({ nS, nA, gamma, P, R, p0 }, "Mdp");
}

/**
 * Check an MDP's shapes and numbers: every transition row and p0 sum to 1 within 1e-9,
 * rewards finite, γ ∈ [0,1). Throws naming the first bad value; returns the MDP, branded. An MDP
 * validated before (same object) is accepted in O(1), so every public function taking an MDP
 * calls this at its boundary.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp, validateMdp } from "./mdp.ts";
 * validateMdp(randomMdp(new Rng(0), { nS: 3, nA: 2 })); // passes
 * const P = new Float64Array([0.5]); // a transition row summing to 0.5
 * const bad = { nS: 1, nA: 1, gamma: 0.5, P, R: new Float64Array(1), p0: new Float64Array([1]) };
 * try {
 *   validateMdp(bad);
 * } catch (e) {
 *   console.log((e as Error).message); // names mdp.P(·|s=0,a=0)
 * }
 * ```
 */
export function validateMdp(mdp: Mdp): ValidMdp {
  if (isValid(mdp, "Mdp")) return mdp as ValidMdp;
  assertObject("mdp", mdp);
  const { nS, nA, gamma, P, R, p0 } = mdp;
  assertInt("mdp.nS", nS, 1);
  assertInt("mdp.nA", nA, 1);
  assertNumber("mdp.gamma", gamma, 0, 0.999999);
  assertFiniteArray("mdp.P", P, nS * nA * nS);
  assertFiniteArray("mdp.R", R, nS * nA * nS);
  assertFiniteArray("mdp.p0", p0, nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      assertProbVector(`mdp.P(·|s=${s},a=${a})`, P, (s * nA + a) * nS, nS);
    }
  }
  assertProbVector("mdp.p0", p0);
  return markValid(mdp, "Mdp");
}

/**
 * Expected one-step reward `r̄(s,a) = Σ_s' P(s'|s,a) r(s,a,s')`, laid out `[s·nA + a]`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { expectedReward, randomMdp } from "./mdp.ts";
 * const rbar = expectedReward(randomMdp(new Rng(0), { nS: 3, nA: 2 }));
 * console.log(rbar.length); // 6 = |S|·|A|
 * ```
 */
export function expectedReward(mdp: Mdp): Float64Array {
  const { nS, nA, P, R } = validateMdp(mdp);
  const out = new Float64Array(nS * nA);
  for (let sa = 0; sa < nS * nA; sa++) {
    let acc = 0;
    for (let s2 = 0; s2 < nS; s2++) acc += P[sa * nS + s2] * R[sa * nS + s2];
    if (!Number.isFinite(acc)) {
      throw new RangeError(
        `expected reward r̄(s=${Math.floor(sa / nA)},a=${sa % nA}) = ${acc} is not finite ` +
          `(MDP changed after validation?)`,
      );
    }
    out[sa] = acc;
  }
  return out;
}

/** State–action features φ(s,a) ∈ R^d, `phi[(s·nA+a)·d + k]`. */
export interface Features {
  /** Number of states. */
  readonly nS: number;
  /** Number of actions. */
  readonly nA: number;
  /** Feature dimension d. */
  readonly d: number;
  /** Feature table. */
  readonly phi: Float64Array;
}

/** Features that passed {@linkcode validateFeatures} (or came from a constructor here). */
export type ValidFeatures = Validated<Features, "Features">;

/** State features ψ(s) ∈ R^d (the actor–critic's critic), `psi[s·d + k]`. */
export interface StateFeatures {
  /** Number of states. */
  readonly nS: number;
  /** Feature dimension d_ψ. */
  readonly d: number;
  /** Feature table. */
  readonly psi: Float64Array;
}

/** State features that passed {@linkcode validateStateFeatures}. */
export type ValidStateFeatures = Validated<StateFeatures, "StateFeatures">;

/**
 * Random state–action features, entries i.i.d. Unif(−1,1) in layout order (MATH §1; drawn fresh
 * for every MDP). Default `d = nS·nA`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures } from "./mdp.ts";
 * const feat = randomFeatures(new Rng(1), 3, 2); // d = 6 by default
 * console.log(feat.d, feat.phi.length); // 6 36
 * ```
 */
export function randomFeatures(rng: Rng, nS: number, nA: number, d = nS * nA): ValidFeatures {
  assertInt("nS", nS, 1);
  assertInt("nA", nA, 1);
  assertInt("d", d, 1);
  return markValid(
    { nS, nA, d, phi: rng.fillUniform(new Float64Array(nS * nA * d), -1, 1) },
    "Features",
  );
}

/**
 * Low-rank random features: `φ = U Bᵀ` with `U ∈ R^{(nS·nA)×rank}`, `B ∈ R^{d×rank}`, entries
 * Unif(−1,1)/√rank. The Gram matrix of such features has rank ≤ `rank` (richness ablation, MATH §8.5).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { lowRankFeatures } from "./mdp.ts";
 * const feat = lowRankFeatures(new Rng(1), 3, 2, 6, 2); // 6 feature rows of rank ≤ 2
 * console.log(feat.phi.length); // 36
 * ```
 */
export function lowRankFeatures(
  rng: Rng,
  nS: number,
  nA: number,
  d: number,
  rank: number,
): ValidFeatures {
  assertInt("nS", nS, 1);
  assertInt("nA", nA, 1);
  assertInt("d", d, 1);
  assertInt("rank", rank, 1, d);
  const n = nS * nA;
  const U = rng.fillUniform(new Float64Array(n * rank), -1, 1);
  const B = rng.fillUniform(new Float64Array(d * rank), -1, 1);
  const phi = new Float64Array(n * d);
  const scale = 1 / Math.sqrt(rank);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      let acc = 0;
      for (let j = 0; j < rank; j++) acc += U[i * rank + j] * B[k * rank + j];
      phi[i * d + k] = acc * scale;
    }
  }
  return markValid({ nS, nA, d, phi }, "Features");
}

/**
 * One-hot (tabular) features: `d = nS·nA`, φ(s,a) = e_{s·nA+a}.
 *
 * @example
 * ```ts
 * import { oneHotFeatures } from "./mdp.ts";
 * const feat = oneHotFeatures(2, 2); // d = 4, φ(s,a) = e_{s·2+a}
 * console.log(feat.phi[1 * 4 + 1]); // 1 (φ(0,1) has a 1 at index 1)
 * ```
 */
export function oneHotFeatures(nS: number, nA: number): ValidFeatures {
  assertInt("nS", nS, 1);
  assertInt("nA", nA, 1);
  const d = nS * nA;
  const phi = new Float64Array(d * d);
  for (let i = 0; i < d; i++) phi[i * d + i] = 1;
  return markValid({ nS, nA, d, phi }, "Features");
}

/**
 * Random state features ψ(s), entries i.i.d. Unif(−1,1), default `d_ψ = nS` (MATH §1).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomStateFeatures } from "./mdp.ts";
 * const sf = randomStateFeatures(new Rng(2), 3); // d_ψ = 3
 * console.log(sf.psi.length); // 9
 * ```
 */
export function randomStateFeatures(rng: Rng, nS: number, d = nS): ValidStateFeatures {
  assertInt("nS", nS, 1);
  assertInt("d", d, 1);
  return markValid(
    { nS, d, psi: rng.fillUniform(new Float64Array(nS * d), -1, 1) },
    "StateFeatures",
  );
}

/**
 * Check a feature table's shape and values (and, given an MDP, that both have the same |S|, |A|).
 * Throws naming the bad field; returns the features, branded. Features validated before are
 * accepted in O(1).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures, randomMdp, validateFeatures } from "./mdp.ts";
 * const mdp = randomMdp(new Rng(0), { nS: 3, nA: 2 });
 * validateFeatures(randomFeatures(new Rng(1), 3, 2), mdp); // passes
 * try {
 *   validateFeatures(randomFeatures(new Rng(1), 4, 2), mdp);
 * } catch (e) {
 *   console.log((e as Error).message); // features are for |S|=4, |A|=2 but the MDP has |S|=3, …
 * }
 * ```
 */
export function validateFeatures(feat: Features, mdp?: Mdp): ValidFeatures {
  if (!isValid(feat, "Features")) {
    assertObject("features", feat);
    assertInt("features.nS", feat.nS, 1);
    assertInt("features.nA", feat.nA, 1);
    assertInt("features.d", feat.d, 1);
    assertFiniteArray("features.phi", feat.phi, feat.nS * feat.nA * feat.d);
    markValid(feat, "Features");
  }
  if (mdp) {
    validateMdp(mdp);
    if (feat.nS !== mdp.nS || feat.nA !== mdp.nA) {
      throw new RangeError(
        `features are for |S|=${feat.nS}, |A|=${feat.nA} but the MDP has |S|=${mdp.nS}, |A|=${mdp.nA}`,
      );
    }
  }
  return feat as ValidFeatures;
}

/**
 * Check state features ψ: shape and finite values, and `|S|` against an MDP when given. Returns
 * them branded; O(1) for features validated before.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp, randomStateFeatures, validateStateFeatures } from "./mdp.ts";
 * validateStateFeatures(randomStateFeatures(new Rng(2), 3), randomMdp(new Rng(0), { nS: 3, nA: 2 }));
 * ```
 */
export function validateStateFeatures(sf: StateFeatures, mdp?: Mdp): ValidStateFeatures {
  if (!isValid(sf, "StateFeatures")) {
    assertObject("stateFeatures", sf);
    assertInt("stateFeatures.nS", sf.nS, 1);
    assertInt("stateFeatures.d", sf.d, 1);
    assertFiniteArray("stateFeatures.psi", sf.psi, sf.nS * sf.d);
    markValid(sf, "StateFeatures");
  }
  if (mdp) {
    validateMdp(mdp);
    if (sf.nS !== mdp.nS) {
      throw new RangeError(`state features are for |S|=${sf.nS} but the MDP has |S|=${mdp.nS}`);
    }
  }
  return sf as ValidStateFeatures;
}
