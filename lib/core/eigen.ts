/**
 * Symmetric eigenproblems for the richness and rate checks of MATH §7:
 *
 * - {@linkcode symmetricEigenQL}: the full spectrum of a dense symmetric matrix by Householder
 *   reduction to tridiagonal form followed by the implicit QL iteration with Wilkinson-type shifts
 *   (O(n³), fine up to n ≈ 1 000; the Jacobi solver in `linalg.ts` is the slower reference).
 * - {@linkcode blockKrylovSmallest}: the smallest eigenvalues of a symmetric positive semi-definite
 *   operator given only by matrix–vector products (block Lanczos with full reorthogonalisation and
 *   a Rayleigh–Ritz step), with residual norms so convergence is visible, never assumed.
 *
 * @module
 */

import { assertInt, assertNumber } from "./validate.ts";
import type { Rng } from "./rng.ts";

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

/** A symmetric linear operator on R^n given by its product `out ← A v`. */
export interface SymmetricOperator {
  /** Dimension. */
  n: number;
  /** Write `A v` into `out` (both length n). */
  apply(v: Float64Array, out: Float64Array): void;
}

/** Options of {@linkcode blockKrylovSmallest}. */
export interface BlockKrylovOptions {
  /** Block size b (the largest eigenvalue multiplicity that can be resolved). Default 8. */
  block?: number;
  /** Krylov-space dimension (a multiple of the block size, ≤ n). Default min(n, 60·block). */
  dim?: number;
  /** How many of the smallest Ritz pairs to return (≤ dim). Default = block + 4. */
  want?: number;
  /** Known eigenvectors to deflate: the Krylov space is kept orthogonal to them (need not be unit). */
  deflate?: Float64Array[];
}

/** Result of {@linkcode blockKrylovSmallest}. */
export interface KrylovResult {
  /** The `want` smallest Ritz values, ascending. */
  values: Float64Array;
  /** `‖A y − θ y‖` of each returned Ritz pair (unit y) — 0 means an exact eigenpair. */
  residuals: Float64Array;
  /** Largest Ritz value (≈ λ_max; converges first). */
  largest: number;
  /** Krylov dimension used. */
  dim: number;
  /** Operator applications. */
  matvecs: number;
}

/**
 * Smallest eigenvalues of a symmetric operator by block Lanczos with full reorthogonalisation
 * (classical Gram–Schmidt, twice) and Rayleigh–Ritz on the whole block Krylov space
 * `span{X, AX, A²X, …}` from a random start block X. A direction in which the new block is
 * (numerically) dependent is replaced by a fresh random one, so exact null spaces of dimension up to
 * the block size are found. The residual of each returned pair says how far it is converged.
 * Ritz values are upper bounds of the eigenvalues they approximate (Cauchy interlacing): the k-th
 * smallest Ritz value is ≥ the k-th smallest eigenvalue (of the operator on the complement of
 * `deflate`).
 *
 * @example
 * ```ts
 * const diag = { n: 50, apply: (v, out) => v.forEach((x, i) => (out[i] = (i + 1) * x)) };
 * blockKrylovSmallest(diag, new Rng(0), { block: 2, dim: 50 }).values[0]; // 1
 * ```
 */
export function blockKrylovSmallest(
  op: SymmetricOperator,
  rng: Rng,
  opts: BlockKrylovOptions = {},
): KrylovResult {
  const n = op.n;
  assertInt("op.n", n, 1);
  const b = opts.block ?? 8;
  assertInt("block", b, 1, n);
  const dim = opts.dim ?? Math.min(n, 60 * b);
  assertInt("dim", dim, b, n);
  if (dim % b !== 0 && dim !== n) {
    throw new RangeError(`dim must be a multiple of block (${b}) or n (${n}), got ${dim}`);
  }
  const want = opts.want ?? Math.min(dim, b + 4);
  assertInt("want", want, 1, dim);
  const Q: Float64Array[] = [], AQ: Float64Array[] = [];
  const locked = (opts.deflate ?? []).map((u, i) => {
    if (u.length !== n) throw new RangeError(`deflate[${i}] has length ${u.length}, need ${n}`);
    const nrm = Math.sqrt(dotv(u, u));
    if (!(nrm > 0) || !Number.isFinite(nrm)) throw new RangeError(`deflate[${i}] has norm ${nrm}`);
    return u.map((x) => x / nrm);
  });
  let matvecs = 0;
  const orthonormalise = (v: Float64Array): boolean => {
    const norm0 = Math.sqrt(dotv(v, v));
    for (let pass = 0; pass < 2; pass++) {
      for (const q of locked) axpy(-dotv(q, v), q, v);
      for (const q of Q) axpy(-dotv(q, v), q, v);
    }
    const nrm = Math.sqrt(dotv(v, v));
    if (!(nrm > 1e-10 * Math.max(norm0, 1e-300))) return false;
    for (let i = 0; i < n; i++) v[i] /= nrm;
    return true;
  };
  const randomVec = () => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    return v;
  };
  const addVector = (v: Float64Array) => {
    let tries = 0;
    while (!orthonormalise(v)) {
      if (++tries > 5) throw new Error("blockKrylovSmallest: cannot extend the Krylov basis");
      v = randomVec();
    }
    Q.push(v);
    const av = new Float64Array(n);
    op.apply(v, av);
    matvecs++;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(av[i])) throw new RangeError(`operator returned ${av[i]} at ${i}`);
    }
    AQ.push(av);
  };
  for (let j = 0; j < b; j++) addVector(randomVec());
  let blockStart = 0;
  while (Q.length < dim) {
    const end = Q.length;
    for (let j = blockStart; j < end && Q.length < dim; j++) addVector(Float64Array.from(AQ[j]));
    blockStart = end;
  }
  const K = Q.length;
  const T = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = i; j < K; j++) {
      const t = 0.5 * (dotv(Q[i], AQ[j]) + dotv(Q[j], AQ[i]));
      T[i * K + j] = t;
      T[j * K + i] = t;
    }
  }
  const eig = symmetricEigenQL(T, K);
  const values = eig.values.slice(0, want);
  const residuals = new Float64Array(want);
  const r = new Float64Array(n);
  for (let w = 0; w < want; w++) {
    r.fill(0);
    for (let j = 0; j < K; j++) {
      const y = eig.vectors[j * K + w];
      if (y === 0) continue;
      axpy(y, AQ[j], r);
      axpy(-values[w] * y, Q[j], r);
    }
    residuals[w] = Math.sqrt(dotv(r, r));
  }
  return { values, residuals, largest: eig.values[K - 1], dim: K, matvecs };
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
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

/** Options of {@linkcode lobpcgSmallest}. */
export interface LobpcgOptions {
  /** Block size b: the number of smallest eigenpairs sought. Default 8. */
  block?: number;
  /** Iterations. Default 300. */
  maxIter?: number;
  /** Stop when every residual ‖Ax − θx‖ ≤ tol·λ_scale. Default 1e-10. */
  tol?: number;
  /** Scale of the residual test (e.g. λ_max); default 1. */
  scale?: number;
  /** Known eigenvectors to deflate (the iteration stays orthogonal to them). */
  deflate?: Float64Array[];
}

/** Result of {@linkcode lobpcgSmallest}. */
export interface LobpcgResult {
  /** The b smallest Ritz values, ascending. */
  values: Float64Array;
  /** Their residual norms ‖Ax − θx‖ (unit x). */
  residuals: Float64Array;
  /** Iterations run. */
  iterations: number;
  /** Operator applications. */
  matvecs: number;
}

/**
 * Smallest eigenvalues of a symmetric positive semi-definite operator by LOBPCG (locally optimal
 * block preconditioned conjugate gradient; Knyazev 2001) with an orthonormal basis: each iteration
 * does Rayleigh–Ritz on `span[X, T·R, P]` (X current block, R its residuals, T the preconditioner,
 * P the previous search directions). The preconditioner should approximate the inverse of the
 * operator; the identity gives a plain block steepest-descent/CG method.
 *
 * @example
 * ```ts
 * const diag = { n: 50, apply: (v, out) => v.forEach((x, i) => (out[i] = (i + 1) * x)) };
 * const pre = (r, out) => r.forEach((x, i) => (out[i] = x / (i + 1)));
 * lobpcgSmallest(diag, pre, new Rng(0), { block: 2 }).values; // ≈ [1, 2]
 * ```
 */
export function lobpcgSmallest(
  op: SymmetricOperator,
  precondition: (r: Float64Array, out: Float64Array) => void,
  rng: Rng,
  opts: LobpcgOptions = {},
): LobpcgResult {
  const n = op.n;
  assertInt("op.n", n, 1);
  const b = opts.block ?? 8;
  assertInt("block", b, 1, Math.floor(n / 3));
  const maxIter = opts.maxIter ?? 300;
  assertInt("maxIter", maxIter, 1);
  const tol = opts.tol ?? 1e-10;
  assertNumber("tol", tol, 0);
  const scale = opts.scale ?? 1;
  assertNumber("scale", scale, Number.MIN_VALUE);
  const locked = (opts.deflate ?? []).map((u) => {
    const nrm = Math.sqrt(dotv(u, u));
    if (u.length !== n || !(nrm > 0)) {
      throw new RangeError("deflate vectors must be non-zero, length n");
    }
    return u.map((x) => x / nrm);
  });
  let matvecs = 0;
  const applyA = (v: Float64Array) => {
    const out = new Float64Array(n);
    op.apply(v, out);
    matvecs++;
    return out;
  };
  // Orthonormalise `cand` against `basis` (and the locked vectors), appending survivors to basis.
  const extend = (basis: Float64Array[], cand: Float64Array[]) => {
    for (let v of cand) {
      const n0 = Math.sqrt(dotv(v, v));
      if (!(n0 > 0)) continue;
      v = Float64Array.from(v);
      for (let pass = 0; pass < 2; pass++) {
        for (const q of locked) axpy(-dotv(q, v), q, v);
        for (const q of basis) axpy(-dotv(q, v), q, v);
      }
      const nrm = Math.sqrt(dotv(v, v));
      if (nrm > 1e-8 * n0) {
        for (let i = 0; i < n; i++) v[i] /= nrm;
        basis.push(v);
      }
    }
  };
  let X: Float64Array[] = [];
  extend(X, Array.from({ length: b }, () => Float64Array.from({ length: n }, () => rng.normal())));
  let AX = X.map(applyA);
  let P: Float64Array[] = [];
  const theta = new Float64Array(b);
  let res = new Float64Array(b);
  let it = 0;
  const rayleighRitz = (S: Float64Array[], AS: Float64Array[]) => {
    const k = S.length, T = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        const v = 0.5 * (dotv(S[i], AS[j]) + dotv(S[j], AS[i]));
        T[i * k + j] = v;
        T[j * k + i] = v;
      }
    }
    return symmetricEigenQL(T, k);
  };
  const combine = (S: Float64Array[], Y: Float64Array, k: number, col: number, from = 0) => {
    const v = new Float64Array(n);
    for (let j = from; j < S.length; j++) {
      const y = Y[j * k + col];
      if (y !== 0) axpy(y, S[j], v);
    }
    return v;
  };
  {
    const e = rayleighRitz(X, AX);
    const k = X.length;
    const Xn = [], AXn = [];
    for (let c = 0; c < b; c++) {
      Xn.push(combine(X, e.vectors, k, c));
      AXn.push(combine(AX, e.vectors, k, c));
      theta[c] = e.values[c];
    }
    X = Xn;
    AX = AXn;
  }
  for (; it < maxIter; it++) {
    const R = X.map((x, c) => {
      const r = Float64Array.from(AX[c]);
      axpy(-theta[c], x, r);
      return r;
    });
    res = Float64Array.from(R.map((r) => Math.sqrt(dotv(r, r))));
    if (res.every((r) => r <= tol * scale)) break;
    const W = R.map((r) => {
      const w = new Float64Array(n);
      precondition(r, w);
      return w;
    });
    const S: Float64Array[] = [];
    extend(S, X);
    extend(S, W);
    extend(S, P);
    const AS = S.map((s, i) => (i < b ? AX[i] : applyA(s)));
    // X stays the first b basis vectors (already orthonormal); AX is reused.
    const e = rayleighRitz(S, AS);
    const k = S.length;
    const Xn = [], AXn = [], Pn = [];
    for (let c = 0; c < b; c++) {
      Xn.push(combine(S, e.vectors, k, c));
      AXn.push(combine(AS, e.vectors, k, c));
      Pn.push(combine(S, e.vectors, k, c, b));
      theta[c] = e.values[c];
    }
    X = Xn;
    AX = AXn;
    P = Pn;
  }
  res = Float64Array.from(X.map((x, c) => {
    const r = Float64Array.from(AX[c]);
    axpy(-theta[c], x, r);
    return Math.sqrt(dotv(r, r));
  }));
  return { values: Float64Array.from(theta), residuals: res, iterations: it, matvecs };
}
