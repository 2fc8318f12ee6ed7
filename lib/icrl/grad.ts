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

import {
  lastColumnQuery,
  type LsaParams,
  type RestrictedBlocks,
  validateBlocks,
  validateLsaParams,
} from "./lsa.ts";
import { restrictedForward, type RestrictedScratch } from "./restricted.ts";
import { assertFiniteInputs, assertInt, assertLength, assertNumber } from "../core/validate.ts";
import { gramApply } from "../core/linalg.ts";

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
   * console.log(new NonFiniteLossError("restrictedLossGrad", Infinity).loss); // Infinity
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

/**
 * Loss `½‖TF_θ(H) − target‖²` of the restricted block on one prompt, **adding** `scale ×` its
 * gradient into `gP12` (m×p) and `gV21` ((p−1)×m). Returns the loss.
 *
 * @example
 * ```ts
 * import { restrictedLossGrad } from "./grad.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * import { restrictedScratch } from "./restricted.ts";
 * import { DEFAULT_TASK, newTaskEnv, taskDims, taskStep } from "./tasks.ts";
 * import { Rng } from "../core/rng.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const env = newTaskEnv(task, new Rng(0));
 * const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
 * taskStep(task, env, X, target); // one SARSA prompt and its teacher target
 * const gP12 = new Float64Array(m * p), gV21 = new Float64Array((p - 1) * m);
 * const sc = restrictedScratch(m, p, task.n);
 * const lossAt = (alpha: number) =>
 *   restrictedLossGrad(sarsaBlocks(task.d, alpha), X, task.n, env.theta, target, gP12, gV21, 1, sc);
 * console.log(lossAt(task.alpha) < 1e-20); // true: the construction is exact
 * console.log(lossAt(2 * task.alpha) > 0, gV21.some((g) => g !== 0)); // true true
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
  assertLength("target", target, p - 1);
  assertLength("gP12", gP12, m * p);
  assertLength("gV21", gV21, (p - 1) * m);
  assertNumber("scale", scale);
  const out = restrictedForward(b, X, n, theta, sc);
  const { z, e, y, t } = sc;
  let loss = 0;
  for (let k = 0; k < p - 1; k++) {
    const ek = out[k] - target[k];
    e[k] = ek;
    loss += ek * ek;
  }
  loss *= 0.5;
  if (!Number.isFinite(loss)) {
    assertFiniteInputs([["X", X, n * m], ["theta", theta, p - 1], ["target", target, p - 1]]);
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
 * import { fullLossGrad } from "./grad.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * import { buildPrompt } from "./prompt.ts";
 * import { DEFAULT_TASK, newTaskEnv, taskDims, taskStep } from "./tasks.ts";
 * import { Rng } from "../core/rng.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const env = newTaskEnv(task, new Rng(0));
 * const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
 * taskStep(task, env, X, target); // one SARSA prompt and its teacher target
 * const params = sarsaConstruction(task.d, task.alpha); // D = 3d + 2 = 8
 * const { H } = buildPrompt(X, task.n, m, env.theta);
 * const gP = new Float64Array(8 * 8), gV = new Float64Array(8 * 8);
 * const loss = fullLossGrad(params, H, task.n, m, target, gP, gV, 1);
 * console.log(loss < 1e-20); // true: θ⋆ reproduces the SARSA update
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
  assertLength("H", H, D * (n + 1));
  assertLength("target", target, D - m - 1);
  assertLength("gP", gP, D * D);
  assertLength("gV", gV, D * D);
  assertNumber("scale", scale);
  const c = n + 1, pm1 = D - m - 1;
  const h = new Float64Array(D);
  for (let r = 0; r < D; r++) h[r] = H[r * c + n];
  const q = lastColumnQuery(P, H, D, c);
  const bvec = gramApply(H, q, D, c);
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
    assertFiniteInputs([["H", H, D * c], ["target", target, pm1]]);
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
  const My = gramApply(H, y, D, c);
  for (let i = 0; i < D; i++) {
    const a = (scale * My[i]) / n;
    for (let k = 0; k < D; k++) gP[i * D + k] += a * h[k];
  }
  return loss;
}
