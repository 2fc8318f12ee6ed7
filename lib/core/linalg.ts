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
 * Symmetric eigen-decomposition by cyclic Jacobi rotations (for small matrices, e.g. the
 * Gauss–Newton matrix of MATH §7). Returns eigenvalues in ascending order and eigenvectors as
 * the columns of an n×n row-major matrix.
 *
 * @example
 * ```ts
 * symmetricEigen(new Float64Array([2, 1, 1, 2]), 2).values; // [1, 3]
 * ```
 */
export function symmetricEigen(
  A: Float64Array,
  n: number,
  tol = 1e-14,
  maxSweeps = 100,
): { values: Float64Array; vectors: Float64Array } {
  assertInt("n", n, 1);
  if (A.length !== n * n) throw new RangeError(`A must be ${n}×${n}, got length ${A.length}`);
  assertFiniteArray("A", A, n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = A[i * n + j], y = A[j * n + i];
      if (Math.abs(x - y) > 1e-9 * (1 + Math.abs(x))) {
        throw new RangeError(`A must be symmetric: A[${i},${j}]=${x} ≠ A[${j},${i}]=${y}`);
      }
    }
  }
  const M = Float64Array.from(A);
  const Vv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Vv[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += M[i] * M[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += M[i * n + j] ** 2;
    if (off <= tol * tol * scale) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = M[p * n + q];
        if (apq === 0) continue;
        const theta = (M[q * n + q] - M[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = M[k * n + p], mkq = M[k * n + q];
          M[k * n + p] = c * mkp - s * mkq;
          M[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = M[p * n + k], mqk = M[q * n + k];
          M[p * n + k] = c * mpk - s * mqk;
          M[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = Vv[k * n + p], vkq = Vv[k * n + q];
          Vv[k * n + p] = c * vkp - s * vkq;
          Vv[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => M[i * n + i] - M[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = M[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = Vv[k * n + src];
  });
  return { values, vectors };
}
