/**
 * The richness numbers of MATH §7 over a prompt set: the ranks and extreme eigenvalues of the Gram
 * matrices of the tokens `x_i` and of `w̃` ({@linkcode gramStats}), and the null-space dimension
 * and spectral gap of the Gauss–Newton matrix `G = JᵀJ / N` ({@linkcode gaussNewtonStats}; dense,
 * block Lanczos or preconditioned LOBPCG). The operator itself is built in `richness.ts`.
 *
 * @module
 */

import { nullityAndGap, symmetricEigenQL } from "../core/eigen.ts";
import {
  type BlockKrylovOptions,
  blockKrylovSmallest,
  lobpcgSmallest,
  type SymmetricOperator,
} from "../core/krylov.ts";
import type { Rng } from "../core/rng.ts";
import { type RestrictedBlocks, restrictedSize } from "./lsa.ts";
import {
  gaussNewtonDense,
  gaussNewtonOperator,
  type PromptSet,
  validatePromptSet,
} from "./richness.ts";
import { gaussNewtonPreconditioner } from "./gn_preconditioner.ts";

/** Rank and extreme eigenvalues of a Gram matrix. */
export interface GramStats {
  /** Size of the matrix. */
  size: number;
  /** Eigenvalues above `1e-10·λ_max`. */
  rank: number;
  /** Smallest eigenvalue. */
  smallest: number;
  /** Largest eigenvalue. */
  largest: number;
}

function gramOf(G: Float64Array, size: number): GramStats {
  const vals = symmetricEigenQL(G, size, false).values;
  const { zeros } = nullityAndGap(vals, 1e-10);
  return { size, rank: size - zeros, smallest: vals[0], largest: vals[size - 1] };
}

/**
 * The Gram matrices of MATH §7's rebuttal phrasing: of the tokens, `(1/(N n)) Σ_{k,i} x_i x_iᵀ`
 * (m×m), and of the parameter columns, `(1/N) Σ_k w̃_k w̃_kᵀ` (p×p) — their ranks and smallest
 * eigenvalues.
 *
 * @example
 * ```ts
 * import { gramStats } from "./richness_stats.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const { tokens, wTilde } = gramStats(ps);
 * console.log(tokens.rank, wTilde.rank); // 5 3: both full rank
 * ```
 */
export function gramStats(ps: PromptSet): { tokens: GramStats; wTilde: GramStats } {
  validatePromptSet(ps);
  const { m, p, n, N, X, theta } = ps;
  const Gx = new Float64Array(m * m), Gw = new Float64Array(p * p);
  for (let t = 0; t < N * n; t++) {
    for (let r = 0; r < m; r++) {
      const a = X[t * m + r];
      if (a === 0) continue;
      for (let c = r; c < m; c++) Gx[r * m + c] += a * X[t * m + c];
    }
  }
  const wt = new Float64Array(p);
  for (let k = 0; k < N; k++) {
    wt[0] = 1;
    for (let j = 1; j < p; j++) wt[j] = theta[k * (p - 1) + j - 1];
    for (let r = 0; r < p; r++) for (let c = r; c < p; c++) Gw[r * p + c] += wt[r] * wt[c];
  }
  for (let r = 0; r < m; r++) {
    for (let c = r; c < m; c++) Gx[c * m + r] = Gx[r * m + c] /= N * n;
  }
  for (let r = 0; r < p; r++) for (let c = r; c < p; c++) Gw[c * p + r] = Gw[r * p + c] /= N;
  return { tokens: gramOf(Gx, m), wTilde: gramOf(Gw, p) };
}

/** The Gauss–Newton numbers of MATH §7 at one point. */
export interface GaussNewtonStats {
  /** "dense" (full spectrum, exact), "krylov" (block Lanczos) or "lobpcg" (preconditioned). */
  method: "dense" | "krylov" | "lobpcg";
  /** Parameters P. */
  params: number;
  /** Eigenvalues ≤ relTol·λ_max (1 = only the scaling direction). With "krylov" at most `block`. */
  zeros: number;
  /** True when the count may be capped (krylov and every resolved value was zero). */
  zerosCapped: boolean;
  /** μ: smallest eigenvalue above the threshold (null if none resolved). With "krylov" an upper bound (Ritz value). */
  mu: number | null;
  /** Largest eigenvalue. */
  lambdaMax: number;
  /** Residual ‖Gy − μy‖ of the μ pair (0 for dense). */
  muResidual: number | null;
  /** The eigenvalue (Ritz value) just above μ, and its residual — for a Kato–Temple bound on μ. */
  next: { value: number; residual: number } | null;
  /** The smallest eigenvalues found (ascending, up to 12). */
  smallest: number[];
}

/** Options of {@linkcode gaussNewtonStats}. */
export interface GaussNewtonOptions {
  /** "dense" (P ≲ 1 500), "krylov" or "lobpcg" (needs `scaling`; λ_max from a short Krylov run). */
  method: "dense" | "krylov" | "lobpcg";
  /** LOBPCG settings. */
  lobpcg?: { block: number; maxIter: number; tol: number };
  /** Relative zero threshold (default 1e-8 of λ_max). */
  relTol?: number;
  /** Krylov settings (`deflate` is set to the scaling tangent when `scaling` is given). */
  krylov?: BlockKrylovOptions;
  /**
   * The scaling tangent t of M⋆ at the point (an exact null vector of G): with "krylov" the search
   * runs on t⊥ and t is counted as one zero eigenvalue when ‖Gt‖ ≤ relTol·λ_max‖t‖.
   */
  scaling?: Float64Array;
}

function lobpcgStats(
  b: RestrictedBlocks,
  ps: PromptSet,
  op: SymmetricOperator,
  rng: Rng,
  opts: GaussNewtonOptions,
  relTol: number,
  P: number,
): GaussNewtonStats {
  const t = opts.scaling;
  if (!t) throw new RangeError(`method "lobpcg" needs the scaling tangent (opts.scaling)`);
  const lo = opts.lobpcg ?? { block: 8, maxIter: 200, tol: 1e-6 };
  const top = blockKrylovSmallest(op, rng.fork("lmax"), { block: 2, dim: 40, want: 1 }).largest;
  const res = lobpcgSmallest(op, gaussNewtonPreconditioner(b, ps), rng, {
    block: lo.block,
    maxIter: lo.maxIter,
    tol: lo.tol,
    scale: top,
    deflate: [t],
  });
  return iterativeStats("lobpcg", P, res, top, relTol, op, t);
}

/**
 * The stats of an iterative search (`res`: the smallest Ritz values and residuals found on t⊥ when
 * `t` is given) with λ_max = `top`: `t` counts as one more zero when ‖Gt‖ ≤ relTol·top·‖t‖.
 */
function iterativeStats(
  method: "krylov" | "lobpcg",
  P: number,
  res: { values: Float64Array; residuals: Float64Array },
  top: number,
  relTol: number,
  op: SymmetricOperator,
  t: Float64Array | undefined,
): GaussNewtonStats {
  const g = nullityAndGap(res.values, relTol, top);
  const idx = g.smallestNonzero === null ? -1 : g.zeros;
  let extra = 0;
  if (t) {
    const Gt = new Float64Array(P);
    op.apply(t, Gt);
    let gg = 0, tt = 0;
    for (let i = 0; i < P; i++) {
      gg += Gt[i] * Gt[i];
      tt += t[i] * t[i];
    }
    if (Math.sqrt(gg / tt) <= relTol * top) extra = 1;
  }
  return {
    method,
    params: P,
    zeros: g.zeros + extra,
    zerosCapped: g.zeros === res.values.length,
    mu: g.smallestNonzero,
    lambdaMax: top,
    muResidual: idx < 0 ? null : res.residuals[idx],
    next: nextPair(res.values, res.residuals, idx),
    smallest: Array.from(res.values.slice(0, 12)),
  };
}

function nextPair(
  values: ArrayLike<number>,
  residuals: ArrayLike<number> | null,
  idx: number,
): { value: number; residual: number } | null {
  if (idx < 0 || idx + 1 >= values.length) return null;
  return { value: values[idx + 1], residual: residuals ? residuals[idx + 1] : 0 };
}

/**
 * Zero-eigenvalue count, μ and λ_max of `G = JᵀJ/N` at `blocks` over the prompt set (MATH §7).
 *
 * @example
 * ```ts
 * import { gaussNewtonStats } from "./richness_stats.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const st = gaussNewtonStats(sarsaBlocks(2, 0.2, 0.37), ps, new Rng(1), { method: "dense" });
 * console.log(st.params, st.zeros); // 25 1: only the scaling direction is flat
 * ```
 */
export function gaussNewtonStats(
  b: RestrictedBlocks,
  ps: PromptSet,
  rng: Rng,
  opts: GaussNewtonOptions,
): GaussNewtonStats {
  const relTol = opts.relTol ?? 1e-8;
  const P = restrictedSize(ps.m, ps.p);
  if (opts.method === "dense") {
    const vals = symmetricEigenQL(gaussNewtonDense(b, ps), P, false).values;
    const g = nullityAndGap(vals, relTol);
    return {
      method: "dense",
      params: P,
      zeros: g.zeros,
      zerosCapped: false,
      mu: g.smallestNonzero,
      lambdaMax: g.largest,
      muResidual: g.smallestNonzero === null ? null : 0,
      next: nextPair(vals, null, g.smallestNonzero === null ? -1 : g.zeros),
      smallest: Array.from(vals.slice(0, 12)),
    };
  }
  if (opts.method !== "krylov" && opts.method !== "lobpcg") {
    throw new RangeError(
      `method must be "dense", "krylov" or "lobpcg", got ${JSON.stringify(opts.method)}`,
    );
  }
  const op = gaussNewtonOperator(b, ps);
  if (opts.method === "lobpcg") return lobpcgStats(b, ps, op, rng, opts, relTol, P);
  const res = blockKrylovSmallest(op, rng, {
    ...opts.krylov,
    deflate: opts.scaling ? [opts.scaling] : undefined,
  });
  return iterativeStats("krylov", P, res, res.largest, relTol, op, opts.scaling);
}

/**
 * Bounds on μ from one eigen-solve (MATH §7). Dense: exact. Iterative: the Ritz value `upper` is an
 * upper bound on the smallest eigenvalue of G on t⊥ (Cauchy interlacing); the residual r proves an
 * eigenvalue in [μ − r, μ + r], so `residualLower = μ − r`; `temple` is the Kato–Temple bound
 * μ − r²/(λ_next − r_next − μ) with the next Ritz pair. Both lower bounds hold for the eigenvalue
 * the Ritz pair approximates; that it is the smallest non-zero one is not proven by the solver.
 *
 * @example
 * ```ts
 * import { muBounds } from "./richness_stats.ts";
 * const b = muBounds({ method: "lobpcg", mu: 1e-3, muResidual: 1e-5,
 *   next: { value: 2e-3, residual: 1e-5 } });
 * // b.upper = 1e-3, b.residualLower = 9.9e-4, b.temple ≈ 1e-3 − 1e-10/9.9e-4
 * ```
 */
export function muBounds(
  gn: {
    method: string;
    mu: number | null;
    muResidual: number | null;
    next: { value: number; residual: number } | null;
  },
): { upper: number | null; residualLower: number | null; temple: number | null } {
  if (gn.mu === null || gn.muResidual === null) {
    return { upper: null, residualLower: null, temple: null };
  }
  if (gn.method === "dense") return { upper: gn.mu, residualLower: gn.mu, temple: gn.mu };
  const r = gn.muResidual;
  const beta = gn.next ? gn.next.value - gn.next.residual : NaN;
  return {
    upper: gn.mu,
    residualLower: Math.max(0, gn.mu - r),
    temple: beta > gn.mu + r ? Math.max(0, gn.mu - (r * r) / (beta - gn.mu)) : null,
  };
}
