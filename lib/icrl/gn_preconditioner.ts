/**
 * The preconditioner LOBPCG uses on the Gauss–Newton matrix of the restricted loss (MATH §7):
 * block-diagonal, a Kronecker product per block, built from the prompt set at fixed blocks.
 *
 * @module
 */

import { symmetricEigenQL } from "../core/eigen.ts";
import type { RestrictedBlocks } from "./lsa.ts";
import { assertBlocksFit, type PromptSet, promptSetZ, validatePromptSet } from "./richness.ts";

function pseudoInverse(A: Float64Array, k: number, ridge: number): Float64Array {
  const { values, vectors } = symmetricEigenQL(A, k);
  const top = Math.max(values[k - 1], 0);
  const out = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    const inv = 1 / (Math.max(values[j], 0) + ridge * top || 1);
    for (let r = 0; r < k; r++) {
      const a = vectors[r * k + j] * inv;
      for (let c = 0; c < k; c++) out[r * k + c] += a * vectors[c * k + j];
    }
  }
  return out;
}

/**
 * A block-diagonal Kronecker preconditioner for `G` (for LOBPCG): on the V̄21 block `G` is exactly
 * `dV ↦ dV Z` with `Z = (1/N) Σ z_k z_kᵀ`; on the P12 block it is approximated by
 * `dP ↦ S̄ dP W` with `S̄ = (1/N) Σ Σ̂_k V̄21ᵀV̄21 Σ̂_k`, `W = (1/N) Σ w̃_k w̃_kᵀ`. Returns
 * `r ↦ (S̄⁻¹ r_P W⁻¹, r_V Z⁻¹)` (ridge-regularised inverses).
 *
 * @example
 * ```ts
 * import { gaussNewtonOperator } from "./richness.ts";
 * import { gaussNewtonPreconditioner } from "./gn_preconditioner.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { lobpcgSmallest } from "../core/krylov.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), m = 5, p = 3, n = 4, N = 12; // the sizes of sarsaBlocks(2, ·)
 * const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
 * const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
 * const blocks = sarsaBlocks(2, 0.2);
 * const pre = gaussNewtonPreconditioner(blocks, ps);
 * const op = gaussNewtonOperator(blocks, ps);
 * const { values } = lobpcgSmallest(op, pre, new Rng(1), { block: 2, tol: 1e-10 });
 * console.log(Math.abs(values[0]) < 1e-10); // true: the scaling direction is a null vector of G
 * ```
 */
export function gaussNewtonPreconditioner(
  b: RestrictedBlocks,
  ps: PromptSet,
  ridge = 1e-12,
): (r: Float64Array, out: Float64Array) => void {
  validatePromptSet(ps);
  assertBlocksFit(b, ps);
  const { m, p, n, N, X, theta } = ps;
  const q = p - 1;
  const Zv = promptSetZ(b, ps);
  const Z = new Float64Array(m * m), W = new Float64Array(p * p), S = new Float64Array(m * m);
  const VX = new Float64Array(q * n), M = new Float64Array(q * m), wt = new Float64Array(p);
  for (let k = 0; k < N; k++) {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) Z[r * m + c] += Zv[k * m + r] * Zv[k * m + c];
    }
    wt[0] = 1;
    for (let j = 1; j < p; j++) wt[j] = theta[k * q + j - 1];
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) W[r * p + c] += wt[r] * wt[c];
    // M = V̄21 Σ̂_k = (1/n) (V̄21 X_kᵀ) X_k
    const xo = k * n * m;
    for (let i = 0; i < q; i++) {
      for (let t = 0; t < n; t++) {
        let s = 0;
        for (let c = 0; c < m; c++) s += b.V21bar[i * m + c] * X[xo + t * m + c];
        VX[i * n + t] = s / n;
      }
    }
    M.fill(0);
    for (let i = 0; i < q; i++) {
      for (let t = 0; t < n; t++) {
        const a = VX[i * n + t];
        if (a === 0) continue;
        for (let c = 0; c < m; c++) M[i * m + c] += a * X[xo + t * m + c];
      }
    }
    for (let i = 0; i < q; i++) {
      for (let r = 0; r < m; r++) {
        const a = M[i * m + r];
        if (a === 0) continue;
        for (let c = 0; c < m; c++) S[r * m + c] += a * M[i * m + c];
      }
    }
  }
  for (const A of [Z, W, S]) for (let i = 0; i < A.length; i++) A[i] /= N;
  const Zi = pseudoInverse(Z, m, ridge), Wi = pseudoInverse(W, p, ridge);
  const Si = pseudoInverse(S, m, ridge);
  const tmp = new Float64Array(m * p);
  return (r, out) => {
    // P part: S̄⁻¹ r_P W⁻¹
    tmp.fill(0);
    for (let i = 0; i < m; i++) {
      for (let k2 = 0; k2 < m; k2++) {
        const a = Si[i * m + k2];
        for (let j = 0; j < p; j++) tmp[i * p + j] += a * r[k2 * p + j];
      }
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let k2 = 0; k2 < p; k2++) s += tmp[i * p + k2] * Wi[k2 * p + j];
        out[i * p + j] = s;
      }
    }
    // V part: r_V Z⁻¹
    const o = m * p;
    for (let i = 0; i < q; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k2 = 0; k2 < m; k2++) s += r[o + i * m + k2] * Zi[k2 * m + j];
        out[o + i * m + j] = s;
      }
    }
  };
}
