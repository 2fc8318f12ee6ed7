/**
 * The readout of the restricted block (MATH §4, Lemma C.1 with `P22 = V̄22 = 0`),
 * `TF_θ(H) = θ + V̄21 Σ̂ P12 θ̃` with `Σ̂ = (1/n) Σ_i x_i x_iᵀ`, computed from the tokens `X` (n×m)
 * and θ without forming `H`: the reference {@linkcode restrictedReadout} (checked; its arithmetic
 * is shared with the loss in `grad.ts`) and the fast {@linkcode fusedReadout} (four rows at a time,
 * bit-identical; its kernels are shared with the fused training step in `train/fused.ts`).
 *
 * @module
 */

import { type RestrictedBlocks, validateBlocks } from "./lsa.ts";
import { assertFiniteInputs, assertInt, assertLength } from "../core/validate.ts";

/**
 * Scratch buffers for {@linkcode restrictedLossGrad}, allocated once per size: the readout's
 * ({@linkcode FastReadoutScratch}) and the backward pass's.
 */
export interface RestrictedScratch extends FastReadoutScratch {
  out: Float64Array;
  e: Float64Array;
  y: Float64Array;
  t: Float64Array;
}

/**
 * Allocate scratch buffers for prompts with token dim `m`, parameter dim `p`, `n` tokens.
 *
 * @example
 * ```ts
 * import { restrictedScratch } from "./restricted.ts";
 * const scratch = restrictedScratch(73, 37, 20);
 * ```
 */
export function restrictedScratch(m: number, p: number, n: number): RestrictedScratch {
  return {
    ...fastReadoutScratch(m, p, n),
    out: new Float64Array(p - 1),
    e: new Float64Array(p - 1),
    y: new Float64Array(m),
    t: new Float64Array(m),
  };
}

/**
 * Readout of the restricted block, `θ + V̄21 Σ̂ P12 θ̃`, for tokens `X` (n×m) and parameter
 * vector `theta` (p−1). Writes into `sc.out` and returns it.
 *
 * @example
 * ```ts
 * import { restrictedReadout, restrictedScratch } from "./restricted.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const X = new Float64Array(20 * 73).fill(0.01), w = new Float64Array(36);
 * const out = restrictedReadout(sarsaBlocks(36, 0.2), X, 20, w, restrictedScratch(73, 37, 20));
 * ```
 */
export function restrictedReadout(
  b: RestrictedBlocks,
  X: Float64Array,
  n: number,
  theta: ArrayLike<number>,
  sc: RestrictedScratch,
): Float64Array {
  validateBlocks(b);
  const out = restrictedForward(b, X, n, theta, sc);
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k])) {
      assertFiniteInputs([["X", X, n * b.m], ["theta", theta, b.p - 1]]);
      throw new RangeError(
        `restrictedReadout: output[${k}] = ${
          out[k]
        } from finite inputs (blocks changed after validation?)`,
      );
    }
  }
  return out;
}

/**
 * The readout arithmetic of {@linkcode restrictedReadout} after its O(1) shape checks, without
 * its finiteness check of the result: writes `sc.out` and returns it (the loss in `grad.ts`
 * checks its own result instead).
 *
 * @example
 * ```ts
 * import { restrictedForward, restrictedScratch } from "./restricted.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const X = new Float64Array(2 * 5).fill(0.1);
 * const out = restrictedForward(sarsaBlocks(2, 0.2), X, 2, [1, -1], restrictedScratch(5, 3, 2));
 * ```
 */
export function restrictedForward(
  b: RestrictedBlocks,
  X: Float64Array,
  n: number,
  theta: ArrayLike<number>,
  sc: RestrictedScratch,
): Float64Array {
  checkRestrictedArgs(b.m, b.p, X, n, theta, sc);
  const { m, p, P12, V21bar } = b;
  const { u, s, z, out } = sc;
  // u = P12 θ̃ (θ̃ = [1; θ])
  for (let r = 0; r < m; r++) {
    const base = r * p;
    let acc = P12[base];
    for (let k = 1; k < p; k++) acc += P12[base + k] * theta[k - 1];
    u[r] = acc;
  }
  // s_i = x_iᵀ u, z = (1/n) Σ s_i x_i
  z.fill(0);
  const invN = 1 / n;
  for (let i = 0; i < n; i++) {
    const base = i * m;
    let acc = 0;
    for (let r = 0; r < m; r++) acc += X[base + r] * u[r];
    s[i] = acc;
    const c = acc * invN;
    for (let r = 0; r < m; r++) z[r] += c * X[base + r];
  }
  // out = θ + V̄21 z
  for (let k = 0; k < p - 1; k++) {
    const base = k * m;
    let acc = theta[k];
    for (let r = 0; r < m; r++) acc += V21bar[base + r] * z[r];
    out[k] = acc;
  }
  return out;
}

/** O(1) shape checks shared by the restricted readout and loss. */
function checkRestrictedArgs(
  m: number,
  p: number,
  X: Float64Array,
  n: number,
  theta: ArrayLike<number>,
  sc: RestrictedScratch,
): void {
  assertInt("n", n, 1);
  assertLength("X", X, n * m);
  assertLength("theta", theta, p - 1);
  if (
    sc === null || typeof sc !== "object" || sc.u?.length !== m || !(sc.s?.length >= n) ||
    sc.z?.length !== m || sc.out?.length !== p - 1 || sc.e?.length !== p - 1 ||
    sc.y?.length !== m || sc.t?.length !== m
  ) {
    throw new RangeError(
      `scratch does not fit m=${m}, p=${p}, n=${n}: allocate it with restrictedScratch(${m}, ${p}, ${n})`,
    );
  }
}

/**
 * `out[i] = Σ_j X[i·m + j]·v[j]` for i < n (the token dot products `x_iᵀv`), each sum from 0 in j
 * order, four rows at a time. No checks (a kernel for the fast readout and the fused step).
 *
 * @example
 * ```ts
 * import { rowDots } from "./restricted.ts";
 * const out = new Float64Array(2);
 * rowDots(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), 2, 2, out); // out = [3, 7]
 * ```
 */
export function rowDots(
  X: Float64Array,
  v: Float64Array,
  n: number,
  m: number,
  out: Float64Array,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const b0 = i * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let j = 0; j < m; j++) {
      const vj = v[j];
      a0 += X[b0 + j] * vj;
      a1 += X[b1 + j] * vj;
      a2 += X[b2 + j] * vj;
      a3 += X[b3 + j] * vj;
    }
    out[i] = a0;
    out[i + 1] = a1;
    out[i + 2] = a2;
    out[i + 3] = a3;
  }
  for (; i < n; i++) {
    const b0 = i * m;
    let a0 = 0;
    for (let j = 0; j < m; j++) a0 += X[b0 + j] * v[j];
    out[i] = a0;
  }
}

/**
 * `acc = 0; for i: acc[r] += (s_i·invN)·X[i·m + r]` — the Σ̂-type product `(1/n) Σ_i s_i x_i`, i in
 * order. No checks (a kernel for the fast readout and the fused step).
 *
 * @example
 * ```ts
 * import { weightedRowSum } from "./restricted.ts";
 * const acc = new Float64Array(2);
 * weightedRowSum(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), 0.5, 2, 2, acc); // [2, 3]
 * ```
 */
export function weightedRowSum(
  X: Float64Array,
  s: Float64Array,
  invN: number,
  n: number,
  m: number,
  acc: Float64Array,
): void {
  acc.fill(0);
  for (let i = 0; i < n; i++) {
    const c = s[i] * invN, base = i * m;
    for (let r = 0; r < m; r++) acc[r] += c * X[base + r];
  }
}

/** Scratch of {@linkcode fusedReadout} for prompts of token dim `m`, parameter dim `p`, `n` tokens. */
export interface FastReadoutScratch {
  /** Token dimension. */
  m: number;
  /** Parameter-column dimension (θ has p−1 entries). */
  p: number;
  /** Tokens per prompt. */
  n: number;
  /** Scratch: `u = P12 θ̃` (m). */
  u: Float64Array;
  /** Scratch: `s_i = x_iᵀu` (n). */
  s: Float64Array;
  /** Scratch: `z = Σ̂u` (m). */
  z: Float64Array;
}

/**
 * Allocate the scratch of {@linkcode fusedReadout} (a `FusedBatch` of `train/fused.ts` is one too).
 *
 * @example
 * ```ts
 * import { fastReadoutScratch } from "./restricted.ts";
 * const sc = fastReadoutScratch(73, 37, 20);
 * ```
 */
export function fastReadoutScratch(m: number, p: number, n: number): FastReadoutScratch {
  assertInt("m", m, 1);
  assertInt("p", p, 2);
  assertInt("n", n, 1);
  return { m, p, n, u: new Float64Array(m), s: new Float64Array(n), z: new Float64Array(m) };
}

/**
 * Fast readout of the restricted block, `θ + V̄21 Σ̂ P12 θ̃` (MATH §4), with the arithmetic of
 * {@linkcode restrictedReadout} (bit-identical), four independent rows at a time. Writes `out`
 * (p−1) and returns it; uses `fb`'s scratch. No checks: the caller sizes `fb`, `X`, `theta`, `out`.
 *
 * @example
 * ```ts
 * import { fastReadoutScratch, fusedReadout } from "./restricted.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const X = new Float64Array(20 * 73).fill(0.01), w = new Float64Array(36);
 * const out = fusedReadout(fastReadoutScratch(73, 37, 20), sarsaBlocks(36, 0.2), X, w, new Float64Array(36));
 * ```
 */
export function fusedReadout(
  fb: FastReadoutScratch,
  blk: RestrictedBlocks,
  X: Float64Array,
  theta: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const { m, p, n, u, s, z } = fb;
  const { P12, V21bar } = blk;
  const q = p - 1;
  // u = P12 θ̃, each row from P12[r,0] then k = 1 … p−1 in order.
  let r = 0;
  for (; r + 3 < m; r += 4) {
    const b0 = r * p, b1 = b0 + p, b2 = b1 + p, b3 = b2 + p;
    let a0 = P12[b0], a1 = P12[b1], a2 = P12[b2], a3 = P12[b3];
    for (let k = 1; k < p; k++) {
      const th = theta[k - 1];
      a0 += P12[b0 + k] * th;
      a1 += P12[b1 + k] * th;
      a2 += P12[b2 + k] * th;
      a3 += P12[b3 + k] * th;
    }
    u[r] = a0;
    u[r + 1] = a1;
    u[r + 2] = a2;
    u[r + 3] = a3;
  }
  for (; r < m; r++) {
    const b0 = r * p;
    let a0 = P12[b0];
    for (let k = 1; k < p; k++) a0 += P12[b0 + k] * theta[k - 1];
    u[r] = a0;
  }
  const invN = 1 / n;
  rowDots(X, u, n, m, s);
  weightedRowSum(X, s, invN, n, m, z);
  // out = θ + V̄21 z (each row from θ[k]).
  let k = 0;
  for (; k + 3 < q; k += 4) {
    const b0 = k * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
    let a0 = theta[k], a1 = theta[k + 1], a2 = theta[k + 2], a3 = theta[k + 3];
    for (let j = 0; j < m; j++) {
      const zj = z[j];
      a0 += V21bar[b0 + j] * zj;
      a1 += V21bar[b1 + j] * zj;
      a2 += V21bar[b2 + j] * zj;
      a3 += V21bar[b3 + j] * zj;
    }
    out[k] = a0;
    out[k + 1] = a1;
    out[k + 2] = a2;
    out[k + 3] = a3;
  }
  for (; k < q; k++) {
    const b0 = k * m;
    let a0 = theta[k];
    for (let j = 0; j < m; j++) a0 += V21bar[b0 + j] * z[j];
    out[k] = a0;
  }
  return out;
}
