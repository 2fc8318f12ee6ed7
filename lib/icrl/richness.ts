/**
 * Richness made checkable (MATH §7): the Gauss–Newton matrix of the restricted loss at a point of
 * the construction's manifold over a fixed set of sampled prompts — as an operator, densely, and
 * its preconditioner. Its spectrum and the Gram matrices of the tokens `x_i` and of `w̃` are
 * summarised in `richness_stats.ts`.
 *
 * The restricted readout is bilinear in `(P12, V̄21)` (MATH §4, Lemma C.1 with `P22 = V̄22 = 0`):
 *
 *     out_k = w_k + V̄21 Σ̂_k P12 w̃_k,      Σ̂_k = (1/n) Σ_i x_i x_iᵀ
 *     J_k (dP, dV) = dV z_k + V̄21 Σ̂_k dP w̃_k,          z_k = Σ̂_k P12 w̃_k
 *     J_kᵀ r = (dP = Σ̂_k V̄21ᵀ r w̃_kᵀ,  dV = r z_kᵀ)
 *
 * so J- and Jᵀ-products cost `O(nm + mp + dm)` per prompt. The loss of a prompt set is
 * `L = (1/N) Σ_k ½‖out_k − target_k‖²` (the trainer's mean per-prompt loss), hence its Gauss–Newton
 * matrix is **`G = JᵀJ / N`** — the Hessian of L at any exact solution. Parameters are ordered as in
 * the trainer's flat vector: `P12` (m×p, row-major), then `V̄21` ((p−1)×m).
 *
 * @module
 */

import { assertFiniteArray, assertInt } from "../core/validate.ts";
import { type RestrictedBlocks, restrictedSize } from "./lsa.ts";
import type { SymmetricOperator } from "../core/krylov.ts";

/** N prompts of one task, stored flat: tokens `X` (N·n·m), parameters θ (N·(p−1)), targets. */
export interface PromptSet {
  /** Token dimension m. */
  m: number;
  /** Parameter-column dimension p (with the leading 1). */
  p: number;
  /** Transitions per prompt. */
  n: number;
  /** Number of prompts. */
  N: number;
  /** Tokens, prompt k at offset `k·n·m`, row-major n×m. */
  X: Float64Array;
  /** θ (= w) of each prompt, prompt k at offset `k·(p−1)`. */
  theta: Float64Array;
  /** Teacher targets, same layout as `theta`. */
  target: Float64Array;
}

/**
 * Check a prompt set's sizes and values; throws naming the bad field. Returns it.
 *
 * @example
 * ```ts
 * import { validatePromptSet } from "./richness.ts";
 * const ps = {
 *   m: 5, p: 3, n: 4, N: 1,
 *   X: new Float64Array(4 * 5), theta: new Float64Array(2), target: new Float64Array(2),
 * };
 * console.log(validatePromptSet(ps) === ps); // true
 * let threw = false;
 * try {
 *   validatePromptSet({ ...ps, n: 5 }); // X is too short for n = 5
 * } catch {
 *   threw = true;
 * }
 * if (!threw) throw new Error("a short X must be rejected");
 * ```
 */
export function validatePromptSet(ps: PromptSet): PromptSet {
  assertInt("promptSet.m", ps.m, 1);
  assertInt("promptSet.p", ps.p, 2);
  assertInt("promptSet.n", ps.n, 1);
  assertInt("promptSet.N", ps.N, 1);
  assertFiniteArray("promptSet.X", ps.X, ps.N * ps.n * ps.m);
  assertFiniteArray("promptSet.theta", ps.theta, ps.N * (ps.p - 1));
  assertFiniteArray("promptSet.target", ps.target, ps.N * (ps.p - 1));
  return ps;
}

/**
 * Throw unless the blocks fit the prompt set (same m, p) and are finite.
 *
 * @example
 * ```ts
 * import { assertBlocksFit } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const ps = { m: 5, p: 3, n: 1, N: 1, X: new Float64Array(5), theta: new Float64Array(2), target: new Float64Array(2) };
 * assertBlocksFit(sarsaBlocks(2, 0.2), ps); // fits: m = 2·2 + 1 = 5, p = 3
 * ```
 */
export function assertBlocksFit(b: RestrictedBlocks, ps: PromptSet): void {
  if (b.m !== ps.m || b.p !== ps.p) {
    throw new RangeError(`blocks are m=${b.m}, p=${b.p} but the prompts have m=${ps.m}, p=${ps.p}`);
  }
  assertFiniteArray("blocks.P12", b.P12, b.m * b.p);
  assertFiniteArray("blocks.V21bar", b.V21bar, (b.p - 1) * b.m);
}

/**
 * Per-prompt quantities at fixed blocks: `z_k = Σ̂_k P12 w̃_k` (N × m, row k = z_k).
 *
 * @example
 * ```ts
 * import { promptSetZ } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const ps = { m: 5, p: 3, n: 1, N: 1, X: new Float64Array([1, 0, 0, 0, 0]), theta: new Float64Array(2), target: new Float64Array(2) };
 * promptSetZ(sarsaBlocks(2, 0.2), ps).length; // 5 = N · m
 * ```
 */
export function promptSetZ(b: RestrictedBlocks, ps: PromptSet): Float64Array {
  const { m, p, n, N, X, theta } = ps;
  const Z = new Float64Array(N * m);
  const u = new Float64Array(m);
  for (let k = 0; k < N; k++) {
    wTildeProduct(b.P12, m, p, theta, k * (p - 1), u);
    sigmaHat(X, k * n * m, n, m, u, Z, k * m);
  }
  return Z;
}

/** u = A w̃ for A m×p, w̃ = [1; theta[off…off+p−2]]. */
function wTildeProduct(
  A: ArrayLike<number>,
  m: number,
  p: number,
  theta: Float64Array,
  off: number,
  u: Float64Array,
): void {
  for (let r = 0; r < m; r++) {
    let acc = A[r * p];
    for (let j = 1; j < p; j++) acc += A[r * p + j] * theta[off + j - 1];
    u[r] = acc;
  }
}

/** out[o…o+m) = Σ̂ y = (1/n) Σ_i (x_iᵀ y) x_i for tokens at X[xo…]. */
function sigmaHat(
  X: Float64Array,
  xo: number,
  n: number,
  m: number,
  y: Float64Array,
  out: Float64Array,
  o: number,
): void {
  for (let r = 0; r < m; r++) out[o + r] = 0;
  for (let i = 0; i < n; i++) {
    const base = xo + i * m;
    let s = 0;
    for (let r = 0; r < m; r++) s += X[base + r] * y[r];
    s /= n;
    for (let r = 0; r < m; r++) out[o + r] += s * X[base + r];
  }
}

/**
 * The J-product: `out ← J v` (length N·(p−1)) for a parameter direction `v` (P12 part, then V̄21).
 *
 * @example
 * ```ts
 * import { restrictedJvp } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const blocks = sarsaBlocks(2, 0.2);
 * // The scaling tangent (P12, −V̄21): moving along (cP12, V̄21/c) leaves every readout unchanged.
 * const v = Float64Array.from([...blocks.P12, ...blocks.V21bar.map((x) => -x)]);
 * const out = new Float64Array(N * (p - 1));
 * restrictedJvp(blocks, ps, v, out);
 * console.log(Math.max(...out.map(Math.abs)) < 1e-12); // true: J t = 0
 * ```
 */
export function restrictedJvp(
  b: RestrictedBlocks,
  ps: PromptSet,
  v: Float64Array,
  out: Float64Array,
  Z = promptSetZ(b, ps),
): void {
  const { m, p, n, N, X, theta } = ps;
  const dP = v.subarray(0, m * p), dV = v.subarray(m * p);
  const u = new Float64Array(m), s = new Float64Array(m);
  for (let k = 0; k < N; k++) {
    wTildeProduct(dP, m, p, theta, k * (p - 1), u);
    sigmaHat(X, k * n * m, n, m, u, s, 0);
    for (let i = 0; i < p - 1; i++) {
      let acc = 0;
      for (let r = 0; r < m; r++) acc += dV[i * m + r] * Z[k * m + r] + b.V21bar[i * m + r] * s[r];
      out[k * (p - 1) + i] = acc;
    }
  }
}

/**
 * The Jᵀ-product: `out ← Jᵀ r` (length m·p + (p−1)·m) for output residuals `r` (N·(p−1)).
 *
 * @example
 * ```ts
 * import { restrictedJvp, restrictedVjp } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { restrictedSize } from "./lsa.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const blocks = sarsaBlocks(2, 0.2);
 * const v = u(restrictedSize(m, p)), r = u(N * (p - 1)); // 25 parameters, 24 residuals
 * const Jv = new Float64Array(r.length), g = new Float64Array(v.length);
 * restrictedJvp(blocks, ps, v, Jv);
 * restrictedVjp(blocks, ps, r, g);
 * const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
 * console.log(Math.abs(dot(Jv, r) - dot(v, g)) < 1e-12); // true: ⟨Jv, r⟩ = ⟨v, Jᵀr⟩
 * ```
 */
export function restrictedVjp(
  b: RestrictedBlocks,
  ps: PromptSet,
  r: Float64Array,
  out: Float64Array,
  Z = promptSetZ(b, ps),
): void {
  const { m, p, n, N, X, theta } = ps;
  out.fill(0);
  const gP = out.subarray(0, m * p), gV = out.subarray(m * p);
  const y = new Float64Array(m), t = new Float64Array(m);
  for (let k = 0; k < N; k++) {
    y.fill(0);
    for (let i = 0; i < p - 1; i++) {
      const ri = r[k * (p - 1) + i];
      if (ri === 0) continue;
      for (let c = 0; c < m; c++) {
        gV[i * m + c] += ri * Z[k * m + c];
        y[c] += b.V21bar[i * m + c] * ri;
      }
    }
    sigmaHat(X, k * n * m, n, m, y, t, 0);
    const to = k * (p - 1);
    for (let c = 0; c < m; c++) {
      const tc = t[c];
      if (tc === 0) continue;
      gP[c * p] += tc;
      for (let j = 1; j < p; j++) gP[c * p + j] += tc * theta[to + j - 1];
    }
  }
}

/**
 * The Gauss–Newton operator `v ↦ JᵀJ v / N` at `blocks` (matrix-free).
 *
 * @example
 * ```ts
 * import { gaussNewtonDense, gaussNewtonOperator } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const op = gaussNewtonOperator(sarsaBlocks(2, 0.2), ps);
 * const e0 = new Float64Array(op.n), col = new Float64Array(op.n); // op.n = 25
 * e0[0] = 1;
 * op.apply(e0, col); // the first column of G
 * const G = gaussNewtonDense(sarsaBlocks(2, 0.2), ps);
 * console.log(col.every((x, i) => Math.abs(x - G[i * op.n]) < 1e-12)); // true
 * ```
 */
export function gaussNewtonOperator(b: RestrictedBlocks, ps: PromptSet): SymmetricOperator {
  validatePromptSet(ps);
  assertBlocksFit(b, ps);
  const Z = promptSetZ(b, ps);
  const r = new Float64Array(ps.N * (ps.p - 1));
  const n = restrictedSize(ps.m, ps.p);
  return {
    n,
    apply(v, out) {
      restrictedJvp(b, ps, v, r, Z);
      restrictedVjp(b, ps, r, out, Z);
      for (let i = 0; i < n; i++) out[i] /= ps.N;
    },
  };
}

/**
 * The Jacobian J of all readouts w.r.t. the restricted parameters, dense and row-major
 * `(N·(p−1)) × (m·p + (p−1)·m)` — built column by column from the closed form (only for small sizes).
 *
 * @example
 * ```ts
 * import { restrictedJacobian } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const J = restrictedJacobian(sarsaBlocks(2, 0.2), ps);
 * console.log(J.length); // 600: 24 readouts (N·(p−1)) × 25 parameters
 * ```
 */
export function restrictedJacobian(b: RestrictedBlocks, ps: PromptSet): Float64Array {
  validatePromptSet(ps);
  assertBlocksFit(b, ps);
  const { m, p, n, N, X, theta } = ps;
  const P = restrictedSize(m, p), R = N * (p - 1);
  const J = new Float64Array(R * P);
  const Z = promptSetZ(b, ps);
  const e = new Float64Array(m), col = new Float64Array(m);
  for (let k = 0; k < N; k++) {
    // ∂out_k/∂P12[c, j] = w̃_j · (V̄21 Σ̂_k)[:, c];  ∂out_k[i]/∂V̄21[i, c] = z_k[c].
    for (let c = 0; c < m; c++) {
      e.fill(0);
      e[c] = 1;
      sigmaHat(X, k * n * m, n, m, e, col, 0);
      for (let i = 0; i < p - 1; i++) {
        let vs = 0;
        for (let q = 0; q < m; q++) vs += b.V21bar[i * m + q] * col[q];
        const row = (k * (p - 1) + i) * P;
        J[row + c * p] = vs;
        for (let j = 1; j < p; j++) J[row + c * p + j] = vs * theta[k * (p - 1) + j - 1];
        J[row + m * p + i * m + c] = Z[k * m + c];
      }
    }
  }
  return J;
}

/**
 * The dense Gauss–Newton matrix `G = JᵀJ / N` (P×P, P = m·p + (p−1)·m).
 *
 * @example
 * ```ts
 * import { gaussNewtonDense } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const G = gaussNewtonDense(sarsaBlocks(2, 0.2), ps); // 25 × 25, symmetric
 * console.log(G.length, G[1] === G[25]); // 625 true
 * ```
 */
export function gaussNewtonDense(b: RestrictedBlocks, ps: PromptSet): Float64Array {
  const J = restrictedJacobian(b, ps);
  const P = restrictedSize(ps.m, ps.p), R = ps.N * (ps.p - 1);
  const G = new Float64Array(P * P);
  for (let r = 0; r < R; r++) {
    const row = r * P;
    for (let i = 0; i < P; i++) {
      const a = J[row + i];
      if (a === 0) continue;
      for (let j = i; j < P; j++) G[i * P + j] += a * J[row + j];
    }
  }
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) {
      G[i * P + j] /= ps.N;
      G[j * P + i] = G[i * P + j];
    }
  }
  return G;
}

/**
 * Mean per-prompt loss `(1/N) Σ ½‖out_k − target_k‖²` of restricted blocks on a prompt set, and,
 * when `grad` is given, its gradient written into it (P12 part, then V̄21).
 *
 * @example
 * ```ts
 * import { promptSetLoss } from "./richness.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { restrictedSize } from "./lsa.ts";
 * import { DEFAULT_TASK, newTaskEnv, taskDims, taskStep } from "./tasks.ts";
 * import { Rng } from "../core/rng.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const env = newTaskEnv(task, new Rng(0));
 * const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
 * taskStep(task, env, X, target); // one SARSA prompt and its teacher target
 * const ps = { m, p, n: task.n, N: 1, X, theta: env.theta, target };
 * const grad = new Float64Array(restrictedSize(m, p));
 * const loss = promptSetLoss(sarsaBlocks(task.d, task.alpha), ps, grad);
 * console.log(loss < 1e-20); // true: the construction reproduces the teacher exactly
 * ```
 */
export function promptSetLoss(b: RestrictedBlocks, ps: PromptSet, grad?: Float64Array): number {
  const { m, p, N, theta, target } = ps;
  const Z = promptSetZ(b, ps);
  const R = N * (p - 1);
  const r = new Float64Array(R);
  let loss = 0;
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < p - 1; i++) {
      let acc = theta[k * (p - 1) + i];
      for (let c = 0; c < m; c++) acc += b.V21bar[i * m + c] * Z[k * m + c];
      const e = acc - target[k * (p - 1) + i];
      r[k * (p - 1) + i] = e / N;
      loss += 0.5 * e * e;
    }
  }
  if (grad) restrictedVjp(b, ps, r, grad, Z);
  return loss / N;
}
