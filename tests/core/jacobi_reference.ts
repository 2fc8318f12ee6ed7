// Cyclic-Jacobi symmetric eigen-decomposition: the tests' independent reference for the
// Householder + QL solver of lib/core/eigen.ts (a different algorithm, so agreement means something).

import { assertFiniteArray, assertInt } from "../../lib/core/validate.ts";
/**
 * Symmetric eigen-decomposition by cyclic Jacobi rotations (for small matrices, e.g. the
 * Gauss–Newton matrix of MATH §7). Returns eigenvalues in ascending order and eigenvectors as
 * the columns of an n×n row-major matrix.
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
