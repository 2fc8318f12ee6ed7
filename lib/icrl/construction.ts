/**
 * Explicit constructions θ⋆ = (P⋆, V⋆) (MATH §5), each beside the algorithm it reproduces, and
 * the block views used by training (`P12`, `V̄21`).
 *
 * Every construction takes the scale `c ≠ 0`: `(cP⋆, V⋆/c)` is equally exact (the optimal set is the
 * scaling manifold `M⋆ = {(cP⋆, V⋆/c)}`).
 *
 * @module
 */

import { type LsaParams, validateLsaParams } from "./lsa.ts";
import {
  assertFiniteArray,
  assertInt,
  assertNumber,
  assertObject,
  isValid,
  markValid,
  type Validated,
} from "../core/validate.ts";

/** The trainable blocks of the restricted parameterisation (MATH §6a). */
export interface RestrictedBlocks {
  /** Token dimension m. */
  m: number;
  /** Parameter-column dimension p (including the leading 1). */
  p: number;
  /** `P12`: rows 0…m−1, cols m…m+p−1 of P — an `m × p` row-major matrix. */
  P12: Float64Array;
  /** `V̄21`: rows m+1…m+p−1, cols 0…m−1 of V — a `(p−1) × m` row-major matrix. */
  V21bar: Float64Array;
}

/** Restricted blocks that passed {@linkcode validateBlocks}. */
export type ValidBlocks = Validated<RestrictedBlocks, "RestrictedBlocks">;

/**
 * Check restricted blocks: `m ≥ 1`, `p ≥ 2`, `P12` of length `m·p` and `V̄21` of length
 * `(p−1)·m`, all finite. Returns them branded; O(1) for blocks validated (or constructed) before.
 *
 * @example
 * ```ts
 * import { sarsaBlocks, validateBlocks } from "./construction.ts";
 * validateBlocks(sarsaBlocks(2, 0.2)); // passes
 * const bad = { m: 5, p: 3, P12: new Float64Array(15), V21bar: new Float64Array(9) };
 * try {
 *   validateBlocks(bad);
 * } catch (e) {
 *   console.log((e as Error).message); // names blocks.V21bar and its length (should be 10)
 * }
 * ```
 */
export function validateBlocks(b: RestrictedBlocks): ValidBlocks {
  if (isValid(b, "RestrictedBlocks")) return b as ValidBlocks;
  assertObject("blocks", b);
  assertInt("blocks.m", b.m, 1);
  assertInt("blocks.p", b.p, 2);
  assertFiniteArray("blocks.P12", b.P12, b.m * b.p);
  assertFiniteArray("blocks.V21bar", b.V21bar, (b.p - 1) * b.m);
  return markValid(b, "RestrictedBlocks");
}

/** `c` must be finite, non-zero, and `α/c`, `β/c` must stay finite (so a subnormal c is refused). */
function assertScale(c: number, ...steps: number[]): void {
  assertNumber("c", c);
  if (c === 0) throw new RangeError("c must be non-zero, got 0");
  for (const s of [1, ...steps]) {
    if (!Number.isFinite(s / c)) {
      throw new RangeError(`c = ${c} is too small: step/c = ${s / c} overflows (use |c| ≥ 1e-300)`);
    }
  }
}

/**
 * Restricted blocks of the TD-style construction for tokens `[f_i ; γf_i⁺ ; r ; extra…]` with the
 * value rows acting on `f` (dimension `dv`) and, optionally, `dg` extra token rows written into
 * extra parameter rows with step `beta` (the actor part).
 */
function tdStyleBlocks(
  dv: number,
  dg: number,
  alpha: number,
  beta: number,
  c: number,
): RestrictedBlocks {
  const m = 2 * dv + 1 + dg, p = 1 + dv + dg;
  const P12 = new Float64Array(m * p);
  const V21bar = new Float64Array((p - 1) * m);
  for (let k = 0; k < dv; k++) {
    P12[k * p + 1 + k] = -c; // −w against f_i
    P12[(dv + k) * p + 1 + k] = c; // +w against γ f_i⁺
    V21bar[k * m + k] = alpha / c; // α f_i into the w rows
  }
  P12[2 * dv * p + 0] = c; // the "1" against r_{i+1}
  for (let j = 0; j < dg; j++) V21bar[(dv + j) * m + 2 * dv + 1 + j] = beta / c; // β g_i into λ rows
  return markValid({ m, p, P12, V21bar }, "RestrictedBlocks");
}

/**
 * Embed restricted blocks into full `D × D` matrices (all other blocks zero).
 *
 * @example
 * ```ts
 * import { blocksToParams, sarsaBlocks } from "./construction.ts";
 * const params = blocksToParams(sarsaBlocks(2, 0.2)); // m = 5, p = 3
 * console.log(params.D, params.P.length); // 8 64
 * ```
 */
export function blocksToParams(b: RestrictedBlocks): LsaParams {
  const { m, p, P12, V21bar } = validateBlocks(b);
  const D = m + p;
  const P = new Float64Array(D * D), V = new Float64Array(D * D);
  for (let r = 0; r < m; r++) for (let k = 0; k < p; k++) P[r * D + m + k] = P12[r * p + k];
  for (let r = 0; r < p - 1; r++) {
    for (let k = 0; k < m; k++) V[(m + 1 + r) * D + k] = V21bar[r * m + k];
  }
  return markValid({ D, P, V }, "LsaParams");
}

/**
 * Read the `P12` and `V̄21` blocks out of full parameters.
 *
 * @example
 * ```ts
 * import { paramsToBlocks, sarsaBlocks, sarsaConstruction } from "./construction.ts";
 * const d = 2;
 * const params = sarsaConstruction(d, 0.2);
 * const { P12, V21bar } = paramsToBlocks(params, 2 * d + 1);
 * const star = sarsaBlocks(d, 0.2);
 * if (P12.some((x, i) => x !== star.P12[i]) || V21bar.some((x, i) => x !== star.V21bar[i])) {
 *   throw new Error("blocksToParams and paramsToBlocks should round-trip");
 * }
 * ```
 */
export function paramsToBlocks(params: LsaParams, m: number): RestrictedBlocks {
  const { D, P, V } = validateLsaParams(params);
  assertInt("m", m, 1, D - 2);
  const p = D - m;
  const P12 = new Float64Array(m * p), V21bar = new Float64Array((p - 1) * m);
  for (let r = 0; r < m; r++) for (let k = 0; k < p; k++) P12[r * p + k] = P[r * D + m + k];
  for (let r = 0; r < p - 1; r++) {
    for (let k = 0; k < m; k++) V21bar[r * m + k] = V[(m + 1 + r) * D + k];
  }
  return markValid({ m, p, P12, V21bar }, "RestrictedBlocks");
}

/**
 * SARSA construction blocks ([LL26] Thm 3.1, MATH §5): `P⋆12 w̃ = c(−w ; w ; 1)`,
 * `V̄⋆21 = [αI_d, 0, 0]/c`, so that `x_iᵀP⋆12 w̃ = cδ_i` and `TF_θ⋆(H) = w_SARSA` exactly.
 *
 * @example
 * ```ts
 * import { sarsaBlocks } from "./construction.ts";
 * const blocks = sarsaBlocks(2, 0.2, -0.5); // on the manifold at c = −0.5
 * console.log(blocks.P12); // 5×3: −c, +c against w in rows 0…3, c against 1 in row 4
 * console.log(blocks.V21bar); // 2×5: α/c = −0.4 on the diagonal of the first 2 columns
 * ```
 */
export function sarsaBlocks(d: number, alpha: number, c = 1): RestrictedBlocks {
  assertInt("d", d, 1);
  assertNumber("alpha", alpha);
  assertScale(c, alpha);
  return tdStyleBlocks(d, 0, alpha, 0, c);
}

/**
 * SARSA construction θ⋆ as full `D × D` matrices, `D = 3d+2`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures, randomMdp, rollout, uniformPolicy } from "../mdp/mod.ts";
 * import { buildSarsaPrompt, lsaReadout, sarsaUpdate } from "./mod.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 2, nA: 2 });
 * const feat = randomFeatures(rng, 2, 2, 3);
 * const traj = rollout(mdp, uniformPolicy(2, 2), 0, 4, rng);
 * const w = rng.fillUniform(new Float64Array(3), -1, 1);
 * const params = sarsaConstruction(3, 0.2); // D = 3·3 + 2 = 11
 * const got = lsaReadout(params, buildSarsaPrompt(traj, feat, mdp.gamma, w));
 * const want = sarsaUpdate(traj, feat, w, mdp.gamma, 0.2);
 * if (got.some((x, k) => Math.abs(x - want[k]) > 1e-12)) throw new Error("TF_θ⋆(H) ≠ w_SARSA");
 * ```
 */
export function sarsaConstruction(d: number, alpha: number, c = 1): LsaParams {
  return blocksToParams(sarsaBlocks(d, alpha, c));
}

/**
 * TD(0) construction ([LL26] Thm 3.3's critic half; Wang et al. 2025): the SARSA pattern on state
 * features ψ, `D = 3d_ψ+2`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomMdp, randomStateFeatures, rollout, uniformPolicy } from "../mdp/mod.ts";
 * import { buildTd0Prompt, lsaReadout, td0Update } from "./mod.ts";
 * import { td0Construction } from "./construction.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const sf = randomStateFeatures(rng, 3);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 4, rng);
 * const w = rng.fillUniform(new Float64Array(3), -1, 1);
 * const got = lsaReadout(td0Construction(3, 0.2), buildTd0Prompt(traj, sf, mdp.gamma, w));
 * const want = td0Update(traj, sf, w, mdp.gamma, 0.2);
 * if (got.some((x, k) => Math.abs(x - want[k]) > 1e-12)) throw new Error("TF_θ⋆(H) ≠ w_TD(0)");
 * ```
 */
export function td0Construction(dPsi: number, alpha: number, c = 1): LsaParams {
  return sarsaConstruction(dPsi, alpha, c);
}

/**
 * Actor–critic construction blocks ([LL26] Thm 3.3, MATH §5): `P⋆12 θ̃ = c(−w ; w ; 1 ; 0)`,
 * `V̄⋆21` writes `αψ_i/c` into the w rows and `βg_i/c` into the λ rows.
 *
 * @example
 * ```ts
 * import { acBlocks } from "./construction.ts";
 * const blocks = acBlocks(2, 3, 0.2, 0.1); // d_ψ = 2 critic, d = 3 actor
 * console.log(blocks.m, blocks.p); // 8 = 2·2+1+3 token rows, 6 = 1+2+3 parameter rows
 * ```
 */
export function acBlocks(
  dPsi: number,
  d: number,
  alpha: number,
  beta: number,
  c = 1,
): RestrictedBlocks {
  assertInt("dPsi", dPsi, 1);
  assertInt("d", d, 1);
  assertNumber("alpha", alpha);
  assertNumber("beta", beta);
  assertScale(c, alpha, beta);
  return tdStyleBlocks(dPsi, d, alpha, beta, c);
}

/**
 * Actor–critic construction θ⋆ as full matrices, `D = (2d_ψ+1+d) + (1+d_ψ+d)`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mod.ts";
 * import { rollout, softmaxPolicy } from "../mdp/mod.ts";
 * import { actorCriticUpdate, buildAcPrompt, lsaReadout } from "./mod.ts";
 * import { acConstruction } from "./construction.ts";
 * const rng = new Rng(0);
 * const mdp = randomMdp(rng, { nS: 2, nA: 2 });
 * const feat = randomFeatures(rng, 2, 2, 3), sf = randomStateFeatures(rng, 2);
 * const w = rng.fillUniform(new Float64Array(2), -1, 1);
 * const lambda = rng.fillUniform(new Float64Array(3), -1, 1);
 * const traj = rollout(mdp, softmaxPolicy(feat, lambda), 0, 4, rng);
 * const params = acConstruction(2, 3, 0.2, 0.1);
 * const got = lsaReadout(params, buildAcPrompt(traj, feat, sf, mdp.gamma, w, lambda)); // [w' ; λ']
 * const want = actorCriticUpdate(traj, feat, sf, w, lambda, mdp.gamma, 0.2, 0.1);
 * const ref = [...want.w, ...want.lambda];
 * if (got.some((x, k) => Math.abs(x - ref[k]) > 1e-12)) throw new Error("TF_θ⋆(H) ≠ actor–critic");
 * ```
 */
export function acConstruction(
  dPsi: number,
  d: number,
  alpha: number,
  beta: number,
  c = 1,
): LsaParams {
  return blocksToParams(acBlocks(dPsi, d, alpha, beta, c));
}
