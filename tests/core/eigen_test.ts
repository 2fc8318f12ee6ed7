import assert from "node:assert/strict";
import { nullityAndGap, symmetricEigenQL } from "../../lib/core/eigen.ts";
import { symmetricEigen } from "../../lib/core/linalg.ts";
import { Rng } from "../../lib/core/rng.ts";
import { blockKrylovSmallest, lobpcgSmallest } from "../../lib/core/krylov.ts";

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

Deno.test("blockKrylovSmallest: finds a 3-fold null space and the gap of a diagonal operator; deflation removes a known vector", () => {
  const n = 300;
  const diag = (i: number) => (i < 3 ? 0 : i === 3 ? 1 : 2 + i / n);
  const op = {
    n,
    apply: (v: Float64Array, out: Float64Array) => {
      for (let i = 0; i < n; i++) out[i] = diag(i) * v[i];
    },
  };
  const r = blockKrylovSmallest(op, new Rng(2), { block: 4, dim: 120, want: 6 });
  const g = nullityAndGap(r.values, 1e-9, r.largest);
  assert.equal(g.zeros, 3);
  assert.ok(Math.abs(g.smallestNonzero! - diag(3)) < 1e-8);
  assert.ok(r.residuals[0] < 1e-8);
  assert.ok(r.largest <= diag(n - 1) + 1e-12 && r.largest > diag(n - 1) - 1e-3);
  const e0 = new Float64Array(n);
  e0[0] = 2;
  const rd = blockKrylovSmallest(op, new Rng(2), { block: 4, dim: 120, want: 6, deflate: [e0] });
  assert.equal(nullityAndGap(rd.values, 1e-9, rd.largest).zeros, 2);
  assert.throws(() => blockKrylovSmallest(op, new Rng(0), { block: 4, dim: 10 }), /multiple/);
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

Deno.test("lobpcgSmallest: smallest eigenvalues of a dense random PSD matrix match the full QL spectrum; deflation skips a known null vector", () => {
  const rng = new Rng(21);
  const n = 90, k = 60;
  const B = new Float64Array(k * n);
  for (let i = 0; i < B.length; i++) B[i] = rng.normal();
  const A = new Float64Array(n * n); // BᵀB: rank 60, 30 zero eigenvalues
  for (let r = 0; r < k; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i * n + j] += B[r * n + i] * B[r * n + j];
    }
  }
  // A + I has no zero eigenvalue; A itself has a 30-dimensional null space.
  const op = (M: Float64Array) => ({
    n,
    apply: (v: Float64Array, out: Float64Array) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += M[i * n + j] * v[j];
        out[i] = s;
      }
    },
  });
  const AI = Float64Array.from(A);
  for (let i = 0; i < n; i++) AI[i * n + i] += 1;
  const exact = symmetricEigenQL(AI, n).values;
  const r = lobpcgSmallest(op(AI), (x, out) => out.set(x), new Rng(3), {
    block: 4,
    maxIter: 500,
    tol: 1e-11,
    scale: exact[n - 1],
  });
  for (let i = 0; i < 4; i++) {
    assert.ok(
      Math.abs(r.values[i] - exact[i]) < 1e-8 * exact[n - 1],
      `${r.values[i]} vs ${exact[i]}`,
    );
  }
  const z = lobpcgSmallest(op(A), (x, out) => out.set(x), new Rng(3), {
    block: 4,
    maxIter: 300,
    tol: 1e-11,
  });
  assert.equal(nullityAndGap(z.values, 1e-9, symmetricEigenQL(A, n).values[n - 1]).zeros, 4);
  const e0 = new Float64Array(n);
  e0[5] = 1;
  const d = lobpcgSmallest(op(AI), (x, out) => out.set(x), new Rng(3), {
    block: 3,
    maxIter: 500,
    tol: 1e-11,
    scale: exact[n - 1],
    deflate: [e0],
  });
  for (const v of d.values) assert.ok(v >= exact[0] - 1e-9);
});
