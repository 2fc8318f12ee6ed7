/**
 * The per-environment linear-Gaussian statistics LinUCB and Gaussian Thompson sampling share
 * (MATH §9): a d × d matrix per environment (LinUCB's `cov⁻¹`, TS's posterior covariance Σ), kept
 * by Sherman–Morrison rank-1 steps, its product with a vector, and the arms' scores `θᵀa`. Every
 * matrix is row-major at an offset of a flat E × d × d array; every vector at an offset of its
 * flat array.
 *
 * @module
 */

/**
 * `E` diagonal d × d matrices `diag·I`, one after the other (E × d × d, row-major).
 *
 * @example
 * ```ts
 * import { diagonalBlocks } from "./ridge.ts";
 * diagonalBlocks(2, 2, 0.5); // [0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5]
 * ```
 */
export function diagonalBlocks(E: number, d: number, diag: number): Float64Array {
  const M = new Float64Array(E * d * d);
  for (let e = 0; e < E; e++) {
    for (let j = 0; j < d; j++) M[e * d * d + j * d + j] = diag;
  }
  return M;
}

/**
 * `out[i] = Σ_j M[off + i·d + j] · x[xOff + j]` for i < d (the d × d matrix at `off` times the
 * vector at `xOff`); returns `out`.
 *
 * @example
 * ```ts
 * import { blockMatVec } from "./ridge.ts";
 * blockMatVec([1, 2, 3, 4], 0, 2, [0, 1, 1], 1, new Float64Array(2)); // [3, 7]
 * ```
 */
export function blockMatVec(
  M: ArrayLike<number>,
  off: number,
  d: number,
  x: ArrayLike<number>,
  xOff: number,
  out: Float64Array,
): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += M[off + i * d + j] * x[xOff + j];
    out[i] = s;
  }
  return out;
}

/**
 * The quadratic form `aᵀ M a` of the d × d matrix at `off` and the vector at `a[aOff …]`; when `v`
 * is given, `v ← M a` is written too.
 *
 * @example
 * ```ts
 * import { quadraticForm } from "./ridge.ts";
 * quadraticForm([2, 1, 1, 3], 0, 2, [1, 1], 0); // 7
 * ```
 */
export function quadraticForm(
  M: ArrayLike<number>,
  off: number,
  d: number,
  a: ArrayLike<number>,
  aOff: number,
  v?: Float64Array,
): number {
  let q = 0;
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += M[off + i * d + j] * a[aOff + j];
    if (v) v[i] = s;
    q += a[aOff + i] * s;
  }
  return q;
}

/**
 * The Sherman–Morrison step `M ← M − (M a)(M a)ᵀ / (s + aᵀ M a)` on the symmetric d × d matrix at
 * `off` (with `s = 1`: `M = C⁻¹ → (C + a aᵀ)⁻¹`; with `s = σ²`: `(C + a aᵀ/σ²)⁻¹`). `v` (length ≥ d)
 * is scratch; it holds `M a` (before the step) afterwards.
 *
 * @example
 * ```ts
 * import { shermanMorrison } from "./ridge.ts";
 * const M = new Float64Array([1, 0, 0, 1]);
 * shermanMorrison(M, 0, 2, [1, 0], 0, 1, new Float64Array(2)); // M = [0.5, 0, 0, 1] = (I + e₁e₁ᵀ)⁻¹
 * ```
 */
export function shermanMorrison(
  M: Float64Array,
  off: number,
  d: number,
  a: ArrayLike<number>,
  aOff: number,
  s: number,
  v: Float64Array,
): void {
  const c = 1 / (s + quadraticForm(M, off, d, a, aOff, v));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) M[off + i * d + j] -= c * v[i] * v[j];
  }
}

/**
 * `out[a] = θᵀ arm_a` for the `A` arms of dimension d stored one after the other from
 * `arms[armsOff]`; returns `out`.
 *
 * @example
 * ```ts
 * import { armScores } from "./ridge.ts";
 * armScores([1, 2], [1, 0, 0, 1, 1, 1], 0, 3, 2, new Float64Array(3)); // [1, 2, 3]
 * ```
 */
export function armScores(
  theta: ArrayLike<number>,
  arms: ArrayLike<number>,
  armsOff: number,
  A: number,
  d: number,
  out: Float64Array,
): Float64Array {
  for (let a = 0; a < A; a++) {
    const ao = armsOff + a * d;
    let m = 0;
    for (let j = 0; j < d; j++) m += theta[j] * arms[ao + j];
    out[a] = m;
  }
  return out;
}
