/**
 * Dense symmetric eigenproblems for the richness and rate checks of MATH §7:
 * {@linkcode symmetricEigenQL}, the full spectrum of a dense symmetric matrix by Householder
 * reduction to tridiagonal form followed by the implicit QL iteration with Wilkinson-type shifts
 * (O(n³), fine up to n ≈ 1 000; the Jacobi solver in `linalg.ts` is the slower reference), and
 * {@linkcode nullityAndGap}, the null-space count and spectral gap of a PSD spectrum. The iterative
 * solvers for operators given only by products are in `krylov.ts`.
 *
 * @module
 */

import { assertInt, assertNumber } from "./validate.ts";

/** Eigen-decomposition: ascending eigenvalues, eigenvectors as columns of a row-major n×n matrix. */
export interface EigenResult {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Column j is the unit eigenvector of `values[j]` (row-major n×n). Empty when not requested. */
  vectors: Float64Array;
}

function checkSymmetric(A: Float64Array, n: number): void {
  assertInt("n", n, 1);
  if (!(A instanceof Float64Array) || A.length !== n * n) {
    throw new RangeError(`A must be a Float64Array of ${n}×${n}, got length ${A?.length}`);
  }
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(A[i])) throw new RangeError(`A[${Math.floor(i / n)},${i % n}] = ${A[i]}`);
    scale = Math.max(scale, Math.abs(A[i]));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = A[i * n + j], y = A[j * n + i];
      if (Math.abs(x - y) > 1e-10 * (scale || 1)) {
        throw new RangeError(`A must be symmetric: A[${i},${j}]=${x} ≠ A[${j},${i}]=${y}`);
      }
    }
  }
}

/**
 * All eigenvalues (ascending) and, by default, eigenvectors of the symmetric n×n matrix `A`
 * (row-major; not modified): Householder tridiagonalisation, then implicit QL. Throws on a
 * non-symmetric or non-finite input, or if the QL iteration fails to converge (30 sweeps per value).
 *
 * @example
 * ```ts
 * symmetricEigenQL(new Float64Array([2, 1, 1, 2]), 2).values; // [1, 3]
 * ```
 */
export function symmetricEigenQL(A: Float64Array, n: number, wantVectors = true): EigenResult {
  checkSymmetric(A, n);
  // Z holds the accumulated orthogonal transformation (row-major, Z[i*n+j]).
  const Z = Float64Array.from(A);
  const d = new Float64Array(n), e = new Float64Array(n);
  tridiagonalise(Z, n, d, e);
  implicitQL(d, e, Z, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(wantVectors ? n * n : 0);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    if (wantVectors) { for (let k = 0; k < n; k++) vectors[k * n + dst] = Z[k * n + src]; }
  });
  return { values, vectors };
}

/** Householder reduction: on exit d = diagonal, e[1..] = sub-diagonal, Z = the transformation. */
function tridiagonalise(Z: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = Z[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = Z[(i - 1) * n + j];
        Z[i * n + j] = 0;
        Z[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        Z[j * n + i] = f;
        g = e[j] + Z[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += Z[k * n + j] * d[k];
          e[k] += Z[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) Z[k * n + j] -= f * e[k] + g * d[k];
        d[j] = Z[(i - 1) * n + j];
        Z[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    Z[(n - 1) * n + i] = Z[i * n + i];
    Z[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = Z[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += Z[k * n + i + 1] * Z[k * n + j];
        for (let k = 0; k <= i; k++) Z[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) Z[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = Z[(n - 1) * n + j];
    Z[(n - 1) * n + j] = 0;
  }
  Z[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), rotating the columns of Z. */
function implicitQL(d: Float64Array, e: Float64Array, Z: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 30 * Math.max(1, n)) {
          throw new Error(`symmetricEigenQL: no convergence for eigenvalue ${l} of ${n}`);
        }
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            const zi1 = Z[k * n + i + 1], zi = Z[k * n + i];
            Z[k * n + i + 1] = s * zi + c * zi1;
            Z[k * n + i] = c * zi - s * zi1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/**
 * Spectrum summary of a positive semi-definite matrix: eigenvalues below `relTol · λ_max` count as
 * zero; `smallestNonzero` is the smallest eigenvalue above that threshold (null if none).
 *
 * @example
 * ```ts
 * nullityAndGap(new Float64Array([0, 1e-18, 0.5, 2])); // { zeros: 2, smallestNonzero: 0.5, largest: 2 }
 * ```
 */
export function nullityAndGap(
  ascending: ArrayLike<number>,
  relTol = 1e-9,
  largest = ascending[ascending.length - 1],
): { zeros: number; smallestNonzero: number | null; largest: number } {
  assertNumber("relTol", relTol, 0, 1);
  assertNumber("largest", largest);
  const tol = relTol * Math.abs(largest);
  let zeros = 0;
  let smallestNonzero: number | null = null;
  for (let i = 0; i < ascending.length; i++) {
    const v = ascending[i];
    if (!Number.isFinite(v)) throw new RangeError(`eigenvalue ${i} is ${v}`);
    if (i > 0 && v < ascending[i - 1]) {
      throw new RangeError(`eigenvalues must be ascending; index ${i}: ${v} < ${ascending[i - 1]}`);
    }
    if (Math.abs(v) <= tol) zeros++;
    else if (smallestNonzero === null) smallestNonzero = v;
  }
  return { zeros, smallestNonzero, largest };
}
