import assert from "node:assert/strict";
import { nullityAndGap, symmetricEigenQL } from "../../lib/core/eigen.ts";
import { symmetricEigen } from "./jacobi_reference.ts";
import { Rng } from "../../lib/core/rng.ts";

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = rng.normal();
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  return A;
}

Deno.test("symmetricEigenQL: closed forms (2×2, tridiagonal Toeplitz, diagonal)", () => {
  const two = symmetricEigenQL(new Float64Array([2, 1, 1, 2]), 2).values;
  assert.ok(Math.abs(two[0] - 1) < 1e-15 && Math.abs(two[1] - 3) < 1e-15);
  // tridiag(−1, 2, −1) of size n: eigenvalues 2 − 2cos(kπ/(n+1)), k = 1…n.
  const n = 25;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    A[i * n + i] = 2;
    if (i > 0) A[i * n + i - 1] = A[(i - 1) * n + i] = -1;
  }
  const vals = symmetricEigenQL(A, n).values;
  for (let k = 1; k <= n; k++) {
    assert.ok(Math.abs(vals[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1)))) < 1e-13);
  }
  const D = new Float64Array(9);
  [5, -1, 3].forEach((v, i) => (D[i * 3 + i] = v));
  assert.deepEqual(Array.from(symmetricEigenQL(D, 3).values), [-1, 3, 5]);
});

Deno.test("symmetricEigenQL: random matrices are reconstructed as QΛQᵀ with orthonormal Q and match Jacobi", () => {
  const rng = new Rng(11);
  for (const n of [1, 3, 17, 60]) {
    const A = randomSymmetric(rng, n);
    const { values, vectors } = symmetricEigenQL(A, n);
    let rec = 0, orth = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        let s = 0, o = 0;
        for (let q = 0; q < n; q++) {
          s += vectors[i * n + q] * values[q] * vectors[k * n + q];
          o += vectors[q * n + i] * vectors[q * n + k];
        }
        rec = Math.max(rec, Math.abs(s - A[i * n + k]));
        orth = Math.max(orth, Math.abs(o - (i === k ? 1 : 0)));
      }
    }
    assert.ok(rec < 1e-12, `n=${n}: reconstruction error ${rec}`);
    assert.ok(orth < 1e-12, `n=${n}: orthogonality error ${orth}`);
    const jac = symmetricEigen(A, n).values;
    for (let i = 0; i < n; i++) assert.ok(Math.abs(jac[i] - values[i]) < 1e-11);
    for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1]);
  }
});

Deno.test("symmetricEigenQL: rejects non-symmetric, non-finite and mis-sized input", () => {
  assert.throws(() => symmetricEigenQL(new Float64Array([1, 2, 3, 4]), 2), /symmetric/);
  assert.throws(() => symmetricEigenQL(new Float64Array([1, NaN, NaN, 4]), 2), /NaN/);
  assert.throws(() => symmetricEigenQL(new Float64Array(3), 2), /2×2/);
});

Deno.test("nullityAndGap: counts values below the relative threshold; rejects unsorted input", () => {
  assert.deepEqual(nullityAndGap([0, 1e-18, 0.5, 2]), {
    zeros: 2,
    smallestNonzero: 0.5,
    largest: 2,
  });
  assert.deepEqual(nullityAndGap([0, 0]), { zeros: 2, smallestNonzero: null, largest: 0 });
  assert.throws(() => nullityAndGap([1, 0.5]), /ascending/);
});
