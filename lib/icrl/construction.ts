/**
 * Explicit constructions θ⋆ = (P⋆, V⋆) (MATH §5), each beside the algorithm it reproduces, as
 * restricted blocks (`P12`, `V̄21`) and as full matrices (the block types live in `lsa.ts`).
 *
 * Every construction takes the scale `c ≠ 0`: `(cP⋆, V⋆/c)` is equally exact (the optimal set is the
 * scaling manifold `M⋆ = {(cP⋆, V⋆/c)}`).
 *
 * @module
 */

import { blocksToParams, type LsaParams, type RestrictedBlocks } from "./lsa.ts";
import { assertInt, assertNumber, markValid } from "../core/validate.ts";

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
 * SARSA construction blocks ([LL26] Thm 3.1, MATH §5): `P⋆12 w̃ = c(−w ; w ; 1)`,
 * `V̄⋆21 = [αI_d, 0, 0]/c`, so that `x_iᵀP⋆12 w̃ = cδ_i` and `TF_θ⋆(H) = w_SARSA` exactly.
 *
 * @example
 * ```ts
 * const blocks = sarsaBlocks(36, 0.2, -0.5);
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
 * const params = sarsaConstruction(36, 0.2); // lsaReadout(params, prompt) == sarsaUpdate(...)
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
 * const params = td0Construction(9, 0.2);
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
 * const blocks = acBlocks(9, 36, 0.2, 0.2);
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
 * const params = acConstruction(9, 36, 0.2, 0.2);
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
