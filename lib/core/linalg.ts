/**
 * Small dense float64 linear algebra on row-major `Float64Array`s.
 *
 * @module
 */

import { assertFiniteArray, assertInt } from "./validate.ts";

/**
 * Solve `A x = b` for square `A` (n×n, row-major) by Gaussian elimination with partial pivoting.
 * Inputs are not modified. Throws if `A` is singular to working precision.
 *
 * @example
 * ```ts
 * solve(new Float64Array([2, 0, 0, 4]), new Float64Array([2, 8]), 2); // [1, 2]
 * ```
 */
export function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  assertInt("n", n, 1);
  if (A.length !== n * n) throw new RangeError(`A must be ${n}×${n}, got length ${A.length}`);
  if (b.length !== n) throw new RangeError(`b must have length ${n}, got ${b.length}`);
  assertFiniteArray("A", A, n * n);
  assertFiniteArray("b", b, n);
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = Math.abs(M[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(M[r * n + col]);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (!(best > 1e-300)) {
      throw new RangeError(`matrix is singular (pivot ${best} at column ${col})`);
    }
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const t = M[col * n + k];
        M[col * n + k] = M[piv * n + k];
        M[piv * n + k] = t;
      }
      const t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    const inv = 1 / M[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = M[r * n + col] * inv;
      if (f === 0) continue;
      for (let k = col; k < n; k++) M[r * n + k] -= f * M[col * n + k];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let acc = x[r];
    for (let k = r + 1; k < n; k++) acc -= M[r * n + k] * x[k];
    x[r] = acc / M[r * n + r];
  }
  return x;
}

/**
 * Matrix product `C = A B` with `A` m×k and `B` k×n (row-major).
 *
 * @example
 * ```ts
 * matmul(new Float64Array([1, 2]), new Float64Array([3, 4]), 1, 2, 1); // [11]
 * ```
 */
export function matmul(
  A: Float64Array,
  B: Float64Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  if (A.length !== m * k) throw new RangeError(`A must be ${m}×${k}, got length ${A.length}`);
  if (B.length !== k * n) throw new RangeError(`B must be ${k}×${n}, got length ${B.length}`);
  assertFiniteArray("A", A, m * k);
  assertFiniteArray("B", B, k * n);
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j];
    }
  }
  return C;
}

/**
 * Transpose of an m×n row-major matrix.
 *
 * @example
 * ```ts
 * transpose(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3); // 3×2
 * ```
 */
export function transpose(A: Float64Array, m: number, n: number): Float64Array {
  assertInt("m", m, 1);
  assertInt("n", n, 1);
  if (A.length !== m * n) throw new RangeError(`A must be ${m}×${n}, got length ${A.length}`);
  assertFiniteArray("A", A, m * n);
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

/**
 * Largest absolute entry.
 *
 * @example
 * ```ts
 * maxAbs([1, -3]); // 3
 * ```
 */
export function maxAbs(a: ArrayLike<number>): number {
  assertFiniteArray("a", a);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/**
 * `H (Hᵀ v)` for a row-major D×c matrix H and a length-D vector v, without forming `H Hᵀ`
 * (2·D·c multiply-adds; entries of v equal to 0 are skipped). The product the LSA readout and
 * its gradient apply to a prompt (MATH §4).
 *
 * @example
 * ```ts
 * import { gramApply } from "./linalg.ts";
 * // H = [[1, 2], [0, 1]]: H Hᵀ = [[5, 2], [2, 1]], so H Hᵀ [1, 1] = [7, 3]
 * gramApply(new Float64Array([1, 2, 0, 1]), new Float64Array([1, 1]), 2, 2); // [7, 3]
 * ```
 */
export function gramApply(H: Float64Array, v: Float64Array, D: number, c: number): Float64Array {
  if (H.length !== D * c || v.length !== D) {
    throw new RangeError(
      `gramApply: need H of ${D}×${c} = ${
        D * c
      } entries and v of ${D}, got ${H.length} and ${v.length}`,
    );
  }
  const a = new Float64Array(c);
  for (let r = 0; r < D; r++) {
    const vr = v[r];
    if (vr === 0) continue;
    for (let j = 0; j < c; j++) a[j] += H[r * c + j] * vr;
  }
  const out = new Float64Array(D);
  for (let r = 0; r < D; r++) {
    let acc = 0;
    for (let j = 0; j < c; j++) acc += H[r * c + j] * a[j];
    out[r] = acc;
  }
  return out;
}
