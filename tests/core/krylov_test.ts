import assert from "node:assert/strict";
import { nullityAndGap, symmetricEigenQL } from "../../lib/core/eigen.ts";
import { Rng } from "../../lib/core/rng.ts";
import { blockKrylovSmallest, lobpcgSmallest } from "../../lib/core/krylov.ts";

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
