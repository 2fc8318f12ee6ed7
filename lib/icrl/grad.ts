/**
 * Hand-derived loss and gradient of the teacher-mimicking objective (MATH §6) for one prompt, in
 * float64 typed arrays — the fast path of the trainer. Tested against tfjs autodiff and finite
 * differences (`tests/grad_test.ts`).
 *
 * Restricted form (only `P12`, `V̄21` non-zero; MATH §4 Lemma C.1 with `P22 = V̄22 = 0`):
 *
 *     u = P12 θ̃,  s_i = x_iᵀu,  z = Σ̂u = (1/n) Σ s_i x_i,  out = θ + V̄21 z,  e = out − target
 *     L = ½‖e‖²,  ∂L/∂V̄21 = e zᵀ,  ∂L/∂P12 = (Σ̂ V̄21ᵀ e) θ̃ᵀ
 *
 * Full form (all of `P`, `V`, dense, no block structure assumed): with `h` the last column of H,
 *
 *     q = P h,  b = H (Hᵀ q),  out = θ + (1/n) V_θ b,  ∂L/∂V_θ = (1/n) e bᵀ,
 *     ∂L/∂P = (1/n) H (Hᵀ V_θᵀ e) hᵀ,   ∂L/∂(other rows of V) = 0
 *
 * where `V_θ` are the readout rows `m+1 … D−1` of V.
 *
 * @module
 */

import { type RestrictedBlocks, validateBlocks } from "./construction.ts";
import { type LsaParams, validateLsaParams } from "./lsa.ts";
import { assertFiniteArray, assertInt, assertNumber } from "../core/validate.ts";

/**
 * Thrown by the loss functions when every data input is finite but the loss is not — the
 * parameters overflowed (a diverging optimiser) or were changed to non-finite values after they
 * were validated. The trainer turns it into its "training diverged" message.
 */
export class NonFiniteLossError extends RangeError {
  /** The non-finite loss. */
  readonly loss: number;
  /**
   * @example
   * ```ts
   * import { NonFiniteLossError } from "./grad.ts";
   * const err = new NonFiniteLossError("restrictedLossGrad", Infinity);
   * console.log(err.loss, err instanceof RangeError); // Infinity true
   * ```
   */
  constructor(fn: string, loss: number) {
    super(
      `${fn}: loss = ${loss} from finite inputs (parameters overflowed or changed after validation)`,
    );
    this.name = "NonFiniteLossError";
    this.loss = loss;
  }
}

/** Require a Float64Array (or array-like) of at least `len` entries; O(1). */
function assertLen(name: string, a: ArrayLike<number>, len: number, exact = true): void {
  if (a === null || a === undefined || typeof a.length !== "number") {
    throw new TypeError(`${name} must be an array of numbers, got ${String(a)}`);
  }
  if (exact ? a.length !== len : a.length < len) {
    throw new RangeError(
      `${name} must have length ${exact ? "" : "≥ "}${len}, got length ${a.length}`,
    );
  }
}

/**
 * After a non-finite result: name the first non-finite data input (the slow scans run only on
 * this failure path, so the hot path stays O(1) in checks). Returns if all are finite.
 */
function diagnose(inputs: [string, ArrayLike<number>, number][]): void {
  for (const [name, a, len] of inputs) {
    assertFiniteArray(name, Array.prototype.slice.call(a, 0, len), len);
  }
}

/** Scratch buffers for {@linkcode restrictedLossGrad}, allocated once per size. */
export interface RestrictedScratch {
  u: Float64Array;
  s: Float64Array;
  z: Float64Array;
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
 * import { restrictedScratch } from "./grad.ts";
 * const scratch = restrictedScratch(5, 3, 4); // m = 5, p = 3, n = 4 (SARSA with d = 2)
 * console.log(scratch.u.length, scratch.out.length); // 5 2
 * ```
 */
export function restrictedScratch(m: number, p: number, n: number): RestrictedScratch {
  assertInt("m", m, 1);
  assertInt("p", p, 2);
  assertInt("n", n, 1);
  return {
    u: new Float64Array(m),
    s: new Float64Array(n),
    z: new Float64Array(m),
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
 * import { Rng } from "../core/rng.ts";
 * import { blocksToParams, sarsaBlocks } from "./construction.ts";
 * const rng = new Rng(0);
 * const d = 2, n = 4, m = 2 * d + 1, p = d + 1; // SARSA sizes: tokens [φ ; γφ⁺ ; r]
 * const blocks = sarsaBlocks(d, 0.2);
 * const X = rng.fillUniform(new Float64Array(n * m), -1, 1); // n tokens, row-major
 * const w = rng.fillUniform(new Float64Array(d), -1, 1);
 * import { restrictedReadout, restrictedScratch } from "./grad.ts";
 * import { buildPrompt, lsaReadout } from "./mod.ts";
 * const out = restrictedReadout(blocks, X, n, w, restrictedScratch(m, p, n));
 * const full = lsaReadout(blocksToParams(blocks), buildPrompt(X, n, m, w)); // the same readout
 * if (out.some((x, k) => Math.abs(x - full[k]) > 1e-12)) throw new Error("restricted ≠ full");
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
  checkRestrictedArgs(b.m, b.p, X, n, theta, sc);
  const out = restrictedKernel(b, X, n, theta, sc);
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k])) {
      diagnose([["X", X, n * b.m], ["theta", theta, b.p - 1]]);
      throw new RangeError(
        `restrictedReadout: output[${k}] = ${
          out[k]
        } from finite inputs (blocks changed after validation?)`,
      );
    }
  }
  return out;
}

/** The readout arithmetic of {@linkcode restrictedReadout}, on arguments already checked. */
function restrictedKernel(
  b: RestrictedBlocks,
  X: Float64Array,
  n: number,
  theta: ArrayLike<number>,
  sc: RestrictedScratch,
): Float64Array {
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
  assertLen("X", X, n * m);
  assertLen("theta", theta, p - 1);
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
 * Loss `½‖TF_θ(H) − target‖²` of the restricted block on one prompt, **adding** `scale ×` its
 * gradient into `gP12` (m×p) and `gV21` ((p−1)×m). Returns the loss.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const rng = new Rng(0);
 * const d = 2, n = 4, m = 2 * d + 1, p = d + 1; // SARSA sizes: tokens [φ ; γφ⁺ ; r]
 * const blocks = sarsaBlocks(d, 0.2);
 * const X = rng.fillUniform(new Float64Array(n * m), -1, 1); // n tokens, row-major
 * const w = rng.fillUniform(new Float64Array(d), -1, 1);
 * import { restrictedLossGrad, restrictedReadout, restrictedScratch } from "./grad.ts";
 * const scratch = restrictedScratch(m, p, n);
 * const target = Float64Array.from(restrictedReadout(blocks, X, n, w, scratch));
 * target[0] += 0.1; // miss the target by 0.1 in one coordinate
 * const gP12 = new Float64Array(m * p), gV21 = new Float64Array((p - 1) * m);
 * const loss = restrictedLossGrad(blocks, X, n, w, target, gP12, gV21, 1, scratch);
 * console.log(loss); // ½·0.1² = 0.005; gP12 and gV21 now hold its gradient
 * ```
 */
export function restrictedLossGrad(
  b: RestrictedBlocks,
  X: Float64Array,
  n: number,
  theta: ArrayLike<number>,
  target: ArrayLike<number>,
  gP12: Float64Array,
  gV21: Float64Array,
  scale: number,
  sc: RestrictedScratch,
): number {
  const { m, p, V21bar } = validateBlocks(b);
  assertLen("target", target, p - 1);
  assertLen("gP12", gP12, m * p);
  assertLen("gV21", gV21, (p - 1) * m);
  assertNumber("scale", scale);
  checkRestrictedArgs(m, p, X, n, theta, sc);
  const out = restrictedKernel(b, X, n, theta, sc);
  const { z, e, y, t } = sc;
  let loss = 0;
  for (let k = 0; k < p - 1; k++) {
    const ek = out[k] - target[k];
    e[k] = ek;
    loss += ek * ek;
  }
  loss *= 0.5;
  if (!Number.isFinite(loss)) {
    diagnose([["X", X, n * m], ["theta", theta, p - 1], ["target", target, p - 1]]);
    throw new NonFiniteLossError("restrictedLossGrad", loss);
  }
  // ∂L/∂V̄21 = e zᵀ ; y = V̄21ᵀ e
  y.fill(0);
  for (let k = 0; k < p - 1; k++) {
    const ek = e[k] * scale, ek1 = e[k];
    const base = k * m;
    for (let r = 0; r < m; r++) {
      gV21[base + r] += ek * z[r];
      y[r] += V21bar[base + r] * ek1;
    }
  }
  // t = Σ̂ y = (1/n) Σ (x_iᵀ y) x_i
  t.fill(0);
  const invN = 1 / n;
  for (let i = 0; i < n; i++) {
    const base = i * m;
    let acc = 0;
    for (let r = 0; r < m; r++) acc += X[base + r] * y[r];
    const c = acc * invN;
    for (let r = 0; r < m; r++) t[r] += c * X[base + r];
  }
  // ∂L/∂P12 = t θ̃ᵀ
  for (let r = 0; r < m; r++) {
    const tr = t[r] * scale;
    if (tr === 0) continue;
    const base = r * p;
    gP12[base] += tr;
    for (let k = 1; k < p; k++) gP12[base + k] += tr * theta[k - 1];
  }
  return loss;
}

/**
 * Loss of the full (dense `P`, `V`) block on one prompt given as `H` (D×(n+1), row-major, token
 * rows `< m`), **adding** `scale ×` its gradient into `gP`, `gV` (D×D). No block structure is
 * assumed — blocks that Prop 3.1 says cannot move receive whatever this dense formula gives.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { blocksToParams, sarsaBlocks } from "./construction.ts";
 * const rng = new Rng(0);
 * const d = 2, n = 4, m = 2 * d + 1, p = d + 1; // SARSA sizes: tokens [φ ; γφ⁺ ; r]
 * const blocks = sarsaBlocks(d, 0.2);
 * const X = rng.fillUniform(new Float64Array(n * m), -1, 1); // n tokens, row-major
 * const w = rng.fillUniform(new Float64Array(d), -1, 1);
 * import { fullLossGrad } from "./grad.ts";
 * import { buildPrompt, lsaReadout } from "./mod.ts";
 * const params = blocksToParams(blocks), D = params.D;
 * const prompt = buildPrompt(X, n, m, w);
 * const target = lsaReadout(params, prompt).map((x) => x + 0.1);
 * const gP = new Float64Array(D * D), gV = new Float64Array(D * D);
 * const loss = fullLossGrad(params, prompt.H, n, m, target, gP, gV, 1);
 * console.log(loss); // ½·(0.1² + 0.1²) = 0.01; gP and gV now hold its gradient
 * ```
 */
export function fullLossGrad(
  params: LsaParams,
  H: Float64Array,
  n: number,
  m: number,
  target: ArrayLike<number>,
  gP: Float64Array,
  gV: Float64Array,
  scale: number,
): number {
  const { D, P, V } = validateLsaParams(params);
  assertInt("n", n, 1);
  assertInt("m", m, 1, D - 2);
  assertLen("H", H, D * (n + 1));
  assertLen("target", target, D - m - 1);
  assertLen("gP", gP, D * D);
  assertLen("gV", gV, D * D);
  assertNumber("scale", scale);
  const c = n + 1, pm1 = D - m - 1;
  const h = new Float64Array(D);
  for (let r = 0; r < D; r++) h[r] = H[r * c + n];
  const q = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let acc = 0;
    for (let k = 0; k < D; k++) acc += P[i * D + k] * h[k];
    q[i] = acc;
  }
  const bvec = hhT(H, q, D, c);
  const e = new Float64Array(pm1);
  let loss = 0;
  for (let k = 0; k < pm1; k++) {
    const row = m + 1 + k;
    let acc = 0;
    for (let r = 0; r < D; r++) acc += V[row * D + r] * bvec[r];
    const ek = h[row] + acc / n - target[k];
    e[k] = ek;
    loss += ek * ek;
  }
  loss *= 0.5;
  if (!Number.isFinite(loss)) {
    diagnose([["H", H, D * c], ["target", target, pm1]]);
    throw new NonFiniteLossError("fullLossGrad", loss);
  }
  const y = new Float64Array(D);
  for (let k = 0; k < pm1; k++) {
    const row = m + 1 + k;
    const ek = e[k];
    for (let r = 0; r < D; r++) {
      gV[row * D + r] += (scale * ek * bvec[r]) / n;
      y[r] += V[row * D + r] * ek;
    }
  }
  const My = hhT(H, y, D, c);
  for (let i = 0; i < D; i++) {
    const a = (scale * My[i]) / n;
    for (let k = 0; k < D; k++) gP[i * D + k] += a * h[k];
  }
  return loss;
}

/** `H (Hᵀ v)` for H of D×c. */
function hhT(H: Float64Array, v: Float64Array, D: number, c: number): Float64Array {
  const a = new Float64Array(c);
  for (let r = 0; r < D; r++) {
    const vr = v[r];
    if (vr === 0) continue;
    for (let j = 0; j < c; j++) a[j] += H[r * c + j] * vr;
  }
  const out = new Float64Array(D);
  for (let r = 0; r < D; r++) {
    let acc = 0;
    for (let j = 0; j < c; j++) acc += H[r * c + j] * a[j];
    out[r] = acc;
  }
  return out;
}
