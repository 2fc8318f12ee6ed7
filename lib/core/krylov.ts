/**
 * Iterative symmetric eigensolvers for operators given only by matrix–vector products (MATH §7):
 *
 * - {@linkcode blockKrylovSmallest}: block Lanczos with full reorthogonalisation and a
 *   Rayleigh–Ritz step;
 * - {@linkcode lobpcgSmallest}: LOBPCG with a preconditioner.
 *
 * Both report residual norms, so convergence is visible, never assumed. The small dense
 * Rayleigh–Ritz problems are solved by `eigen.ts`'s {@linkcode symmetricEigenQL}.
 *
 * @module
 */

import { symmetricEigenQL } from "./eigen.ts";
import { assertInt, assertNumber } from "./validate.ts";
import type { Rng } from "./rng.ts";

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
 * import { blockKrylovSmallest, type SymmetricOperator } from "./krylov.ts";
 * import { Rng } from "./rng.ts";
 * // diag(1, 2, …, 50) as an operator
 * const diag: SymmetricOperator = {
 *   n: 50,
 *   apply: (v, out) => v.forEach((x, i) => (out[i] = (i + 1) * x)),
 * };
 * const res = blockKrylovSmallest(diag, new Rng(0), { block: 2, dim: 50 });
 * console.log(res.values[0].toFixed(6), res.largest.toFixed(6)); // 1.000000 50.000000
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
 * import { lobpcgSmallest, type SymmetricOperator } from "./krylov.ts";
 * import { Rng } from "./rng.ts";
 * // diag(1, 2, …, 50) as an operator, and its exact inverse as the preconditioner
 * const diag: SymmetricOperator = {
 *   n: 50,
 *   apply: (v, out) => v.forEach((x, i) => (out[i] = (i + 1) * x)),
 * };
 * const pre = (r: Float64Array, out: Float64Array) => r.forEach((x, i) => (out[i] = x / (i + 1)));
 * const { values } = lobpcgSmallest(diag, pre, new Rng(0), { block: 2 });
 * console.log(Array.from(values, (x) => x.toFixed(4))); // [ "1.0000", "2.0000" ]
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
