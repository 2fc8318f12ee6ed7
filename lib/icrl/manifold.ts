import { type RestrictedBlocks, validateBlocks } from "./lsa.ts";
/**
 * Where learned blocks sit relative to the construction's scaling manifold
 * `M⋆ = {(cP⋆12, V̄⋆21/c)}` (MATH §7).
 *
 * @module
 */

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function checkSameShape(b: RestrictedBlocks, star: RestrictedBlocks): void {
  if (b.m !== star.m || b.p !== star.p) {
    throw new RangeError(
      `blocks are m=${b.m}, p=${b.p} but the construction is m=${star.m}, p=${star.p}`,
    );
  }
}

/** Summary of learned blocks against a construction (all scale-free except `cP`, `cV`). */
export interface ManifoldStats {
  /** `‖V̄21⊗P12 − V̄⋆21⊗P⋆12‖_F / ‖V̄⋆21⊗P⋆12‖_F` — invariant to `(cP, V/c)`. */
  dist: number;
  /** Cosine of `P12` with `P⋆12` (negative when c < 0). */
  cosP12: number;
  /** Cosine of `V̄21` with `V̄⋆21`. */
  cosV21: number;
  /** Scale read off P12: `⟨P⋆12, P12⟩/‖P⋆12‖²` (= c on M⋆). */
  cP: number;
  /** Scale read off V̄21: `‖V̄⋆21‖²/⟨V̄⋆21, V̄21⟩` (= c on M⋆). MATH §7's `mean(diag V̄21)/α` is `1/cV`. */
  cV: number;
}

/**
 * Distance, cosines and scale of `(P12, V̄21)` relative to the construction `star` (given at c = 1).
 * The Kronecker product is never formed (see the difference form in the code).
 *
 * @example
 * ```ts
 * import { sarsaBlocks } from "./construction.ts";
 * import { manifoldStats } from "./manifold.ts";
 * const st = manifoldStats(sarsaBlocks(3, 0.2, -2), sarsaBlocks(3, 0.2)); // on M⋆ at c = −2
 * console.log(st); // dist 0, cosP12 −1, cosV21 −1, cP −2, cV −2
 * ```
 */
export function manifoldStats(b: RestrictedBlocks, star: RestrictedBlocks): ManifoldStats {
  validateBlocks(b);
  validateBlocks(star);
  checkSameShape(b, star);
  const pp = dot(b.P12, b.P12), vv = dot(b.V21bar, b.V21bar);
  const ss = dot(star.P12, star.P12), tt = dot(star.V21bar, star.V21bar);
  if (ss === 0 || tt === 0) {
    throw new RangeError(
      `star: the reference blocks must be non-zero, got ‖P12‖² = ${ss}, ‖V̄21‖² = ${tt}`,
    );
  }
  const ps = dot(b.P12, star.P12), vt = dot(b.V21bar, star.V21bar);
  const cP = ps / ss;
  // Rescale (P12, V̄21) → (P12/ĉ, ĉV̄21) (same product), then use the difference form
  // ‖A⊗B − C⊗D‖² = ‖A−C‖²‖B‖² + ‖C‖²‖B−D‖² + 2⟨A−C, C⟩⟨B, B−D⟩, stable near the manifold.
  const chat = cP !== 0 && Number.isFinite(cP) ? cP : 1;
  let aa = 0, ac = 0, bb = 0, bd = 0;
  for (let i = 0; i < b.P12.length; i++) {
    const dA = b.P12[i] / chat - star.P12[i];
    aa += dA * dA;
    ac += dA * star.P12[i];
  }
  let bn = 0;
  for (let i = 0; i < b.V21bar.length; i++) {
    const B = b.V21bar[i] * chat, dB = B - star.V21bar[i];
    bb += dB * dB;
    bd += B * dB;
    bn += B * B;
  }
  const d2 = aa * bn + ss * bb + 2 * ac * bd;
  return {
    dist: Math.sqrt(Math.max(0, d2)) / Math.sqrt(ss * tt),
    cosP12: ps / Math.sqrt(pp * ss || 1),
    cosV21: vt / Math.sqrt(vv * tt || 1),
    cP,
    cV: tt / vt,
  };
}

/**
 * |c| predicted by balancedness (MATH §7): on M⋆, `‖V̄21‖² − ‖P12‖² = α²d/c² − (2d+1)c²`; solving
 * for the conserved value Δ gives `c² = (−Δ + √(Δ² + 4(2d+1)α²d)) / (2(2d+1))` (Δ = 0: `|c|⁴ = α²d/(2d+1)`).
 *
 * @example
 * ```ts
 * balancedScale(36, 0.2, 0); // ≈ 0.3748
 * ```
 */
export function balancedScale(d: number, alpha: number, delta: number): number {
  if (!(d >= 1) || !(alpha > 0) || !Number.isFinite(delta)) {
    throw new RangeError(
      `balancedScale: need d ≥ 1, α > 0, finite Δ; got ${d}, ${alpha}, ${delta}`,
    );
  }
  const a = 2 * d + 1;
  return Math.sqrt((-delta + Math.sqrt(delta * delta + 4 * a * alpha * alpha * d)) / (2 * a));
}
