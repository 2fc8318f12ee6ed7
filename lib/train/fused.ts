/**
 * Fused restricted training step (MATH §6): the gradient of the restricted block is a sum of
 * rank-1 outer products, `∂L/∂V̄21 = Σ_b s·e_b z_bᵀ` and `∂L/∂P12 = Σ_b s·t_b θ̃_bᵀ` (`s` = 1/B, see
 * `grad.ts`), so it is never materialised: each prompt leaves only its factors `(z_b, s·e_b,
 * s·t_b, θ_b)`, and one pass over `(θ, Adam m, Adam v)` forms each gradient entry from them and
 * applies the optimiser on the spot.
 *
 * **Same numbers as the reference.** Every scalar is computed with the same operations in the
 * same order as {@linkcode restrictedLossGrad} followed by `optim.ts`'s Adam (or plain GD): each
 * dot product keeps its left-to-right order, each gradient entry sums its prompts in order
 * `b = 0, 1, …` starting from 0, and the Adam update is the same expression. What changes is only
 * which independent sums run side by side (four rows at a time, for instruction-level
 * parallelism) and that the gradient array is neither zeroed, written nor read back. Training
 * through this path is therefore bit-identical to the reference engine (tested in
 * `tests/train/fused_test.ts`). The forward pass is the fast restricted readout of
 * `icrl/restricted.ts` ({@linkcode fusedReadout} and its row kernels).
 *
 * @module
 */

import type { RestrictedBlocks } from "../icrl/lsa.ts";
import {
  type FastReadoutScratch,
  fusedReadout,
  rowDots,
  weightedRowSum,
} from "../icrl/restricted.ts";
import { assertInt, assertNumber } from "../core/validate.ts";

/**
 * Per-prompt factors of up to `cap` prompts, plus the scratch of one prompt's forward/backward
 * (it is the fast readout's scratch too: `fusedReadout(fb, …)` works on it).
 */
export interface FusedBatch extends FastReadoutScratch {
  /** Most prompts per step. */
  cap: number;
  /** `z_b` (m), stored `Z[r·cap + b]`. */
  Z: Float64Array;
  /** `scale·e_b` (p−1), stored `E[k·cap + b]`. */
  E: Float64Array;
  /** `scale·t_b` (m), stored `Tt[r·cap + b]`. */
  Tt: Float64Array;
  /** `θ_b` (p−1), stored `Th[k·cap + b]`. */
  Th: Float64Array;
  /** Scratch: `e = out − target` (p−1). */
  e: Float64Array;
  /** Scratch: `y = V̄21ᵀe` (m). */
  y: Float64Array;
  /** Scratch: `t = Σ̂y` (m). */
  t: Float64Array;
  /** Scratch: one row of the gradient (max(m, p)). */
  gRow: Float64Array;
}

/**
 * Allocate the factor store for prompts of token dim `m`, parameter dim `p`, `n` tokens, and up to
 * `cap` prompts per step.
 *
 * @example
 * ```ts
 * import { fusedBatch } from "./fused.ts";
 * const fb = fusedBatch(73, 37, 20, 64); // d = 36, n = 20, up to 64 prompts a step
 * console.log(fb.Z.length); // 4672 = m · cap
 * ```
 */
export function fusedBatch(m: number, p: number, n: number, cap: number): FusedBatch {
  assertInt("m", m, 1);
  assertInt("p", p, 2);
  assertInt("n", n, 1);
  assertInt("cap", cap, 1);
  return {
    m,
    p,
    n,
    cap,
    Z: new Float64Array(m * cap),
    E: new Float64Array((p - 1) * cap),
    Tt: new Float64Array(m * cap),
    Th: new Float64Array((p - 1) * cap),
    u: new Float64Array(m),
    s: new Float64Array(n),
    z: new Float64Array(m),
    e: new Float64Array(p - 1),
    y: new Float64Array(m),
    t: new Float64Array(m),
    gRow: new Float64Array(Math.max(m, p)),
  };
}

/**
 * Forward and backward of one prompt (the arithmetic of `restrictedLossGrad`), storing its factors
 * as column `b` of `fb` instead of adding a gradient. Returns the loss `½‖TF − target‖²`.
 *
 * @example
 * ```ts
 * import { fusedBatch, fusedPrompt } from "./fused.ts";
 * import { DEFAULT_TASK, newTaskEnv, sarsaBlocks, taskDims, taskStep } from "../icrl/mod.ts";
 * import { Rng } from "../core/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const env = newTaskEnv(task, new Rng(0)), theta = env.theta;
 * const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
 * taskStep(task, env, X, target); // one SARSA prompt and its teacher target
 * const fb = fusedBatch(m, p, task.n, 1);
 * const loss = fusedPrompt(fb, sarsaBlocks(task.d, task.alpha), X, theta, target, 0, 1);
 * console.log(loss < 1e-20); // true: the construction reproduces the teacher
 * ```
 */
export function fusedPrompt(
  fb: FusedBatch,
  blk: RestrictedBlocks,
  X: Float64Array,
  theta: Float64Array,
  target: Float64Array,
  b: number,
  scale: number,
): number {
  const { m, p, n, cap, s, z, e, y, t, Z, E, Tt, Th } = fb;
  const { V21bar } = blk;
  const q = p - 1;
  const invN = 1 / n;
  fusedReadout(fb, blk, X, theta, e);
  let k = 0, r = 0;
  for (k = 0; k < q; k++) e[k] = e[k] - target[k];
  let loss = 0;
  for (k = 0; k < q; k++) loss += e[k] * e[k];
  loss *= 0.5;
  // y = V̄21ᵀ e (each entry from 0, k in order); t = Σ̂ y.
  y.fill(0);
  for (k = 0; k < q; k++) {
    const ek = e[k], base = k * m;
    for (let j = 0; j < m; j++) y[j] += V21bar[base + j] * ek;
  }
  rowDots(X, y, n, m, s);
  weightedRowSum(X, s, invN, n, m, t);
  for (r = 0; r < m; r++) {
    Z[r * cap + b] = z[r];
    Tt[r * cap + b] = t[r] * scale;
  }
  for (k = 0; k < q; k++) {
    E[k * cap + b] = e[k] * scale;
    Th[k * cap + b] = theta[k];
  }
  return loss;
}

/** State of the fused Adam (same update as `optim.ts`'s `adam`). */
export interface FusedAdam {
  /** First moments. */
  m: Float64Array;
  /** Second moments. */
  v: Float64Array;
  /** Steps taken. */
  t: number;
  /** β1 (0.9). */
  beta1: number;
  /** β2 (0.999). */
  beta2: number;
  /** ε (1e-8). */
  epsilon: number;
}

/**
 * Fresh Adam state for `size` parameters (defaults of `optim.ts`'s `adam`).
 *
 * @example
 * ```ts
 * import { fusedAdam } from "./fused.ts";
 * const st = fusedAdam(5329); // the restricted block at d = 36
 * console.log(st.t, st.m.length); // 0 5329
 * ```
 */
export function fusedAdam(size: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): FusedAdam {
  assertInt("size", size, 1);
  assertNumber("beta1", beta1, 0, 0.999999);
  assertNumber("beta2", beta2, 0, 0.999999999);
  return { m: new Float64Array(size), v: new Float64Array(size), t: 0, beta1, beta2, epsilon };
}

/**
 * One optimiser step on the restricted blocks from the factors of prompts `0 … B−1` in `fb`:
 * every gradient entry is formed from the factors (sum over b in order, from 0) and updated at
 * once — Adam when `adamState` is given, plain gradient descent `θ ← θ − lr·g` when it is null.
 * `blk.P12` and `blk.V21bar` must be consecutive in one buffer when Adam is used (`P12` first);
 * the Adam moments are indexed like that buffer.
 *
 * @example
 * ```ts
 * import { fusedAdam, fusedBatch, fusedPrompt, fusedStep } from "./fused.ts";
 * import { DEFAULT_TASK, newTaskEnv, sarsaBlocks, taskDims, taskStep } from "../icrl/mod.ts";
 * import { Rng } from "../core/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const env = newTaskEnv(task, new Rng(0)), theta = env.theta;
 * const X = new Float64Array(task.n * m), target = new Float64Array(p - 1);
 * taskStep(task, env, X, target); // one SARSA prompt and its teacher target
 * const start = sarsaBlocks(task.d, 2 * task.alpha); // not a solution
 * const flat = Float64Array.from([...start.P12, ...start.V21bar]); // P12 first, one buffer
 * const blocks = { m, p, P12: flat.subarray(0, m * p), V21bar: flat.subarray(m * p) };
 * const fb = fusedBatch(m, p, task.n, 1), adam = fusedAdam(flat.length);
 * const before = fusedPrompt(fb, blocks, X, theta, target, 0, 1);
 * for (let i = 0; i < 20; i++) {
 *   fusedPrompt(fb, blocks, X, theta, target, 0, 1);
 *   fusedStep(blocks, fb, 1, adam, 1e-2);
 * }
 * console.log(fusedPrompt(fb, blocks, X, theta, target, 0, 1) < before); // true
 * ```
 */
export function fusedStep(
  blk: RestrictedBlocks,
  fb: FusedBatch,
  B: number,
  adamState: FusedAdam | null,
  lr: number,
): void {
  const { m, p, cap, Z, E, Tt, Th } = fb;
  const { P12, V21bar } = blk;
  const q = p - 1, offV = m * p;
  if (B < 1 || B > cap) throw new RangeError(`B must be in 1…${cap}, got ${B}`);
  const gRow = fb.gRow;
  if (adamState === null) {
    for (let r = 0; r < m; r++) {
      const tb = r * cap;
      let g0 = 0;
      for (let b = 0; b < B; b++) g0 += Tt[tb + b];
      gRow[0] = g0;
      rowTimesCols(Tt, tb, Th, cap, B, q, gRow, 1);
      for (let k = 0; k < p; k++) P12[r * p + k] -= lr * gRow[k];
    }
    for (let k = 0; k < q; k++) {
      rowTimesCols(E, k * cap, Z, cap, B, m, gRow, 0);
      for (let r = 0; r < m; r++) V21bar[k * m + r] -= lr * gRow[r];
    }
    return;
  }
  const st = adamState;
  if (st.m.length !== offV + q * m) {
    throw new RangeError(`Adam state has ${st.m.length} entries, blocks need ${offV + q * m}`);
  }
  st.t++;
  const { beta1, beta2, epsilon, m: M, v: Vm } = st;
  const c1 = 1 / (1 - Math.pow(beta1, st.t)), c2 = 1 / (1 - Math.pow(beta2, st.t));
  const a1 = 1 - beta1, a2 = 1 - beta2;
  if (B === 1) {
    // P12[r, 0] gets t_r, P12[r, k] gets t_r θ_{k−1}; V̄21[k, r] gets e_k z_r.
    for (let r = 0; r < m; r++) {
      const tr = Tt[r * cap], base = r * p;
      for (let k = 0; k < p; k++) {
        const i = base + k;
        const g = k === 0 ? tr : tr * Th[(k - 1) * cap];
        const mi = beta1 * M[i] + a1 * g;
        const vi = beta2 * Vm[i] + a2 * g * g;
        M[i] = mi;
        Vm[i] = vi;
        P12[i] -= (lr * mi * c1) / (Math.sqrt(vi * c2) + epsilon);
      }
    }
    for (let k = 0; k < q; k++) {
      const ek = E[k * cap], base = k * m;
      for (let r = 0; r < m; r++) {
        const i = offV + base + r;
        const g = ek * Z[r * cap];
        const mi = beta1 * M[i] + a1 * g;
        const vi = beta2 * Vm[i] + a2 * g * g;
        M[i] = mi;
        Vm[i] = vi;
        V21bar[base + r] -= (lr * mi * c1) / (Math.sqrt(vi * c2) + epsilon);
      }
    }
    return;
  }
  // B > 1: the gradient of one row at a time into `gRow` (eight sums side by side), then Adam.
  for (let r = 0; r < m; r++) {
    const base = r * p, tb = r * cap;
    let g0 = 0;
    for (let b = 0; b < B; b++) g0 += Tt[tb + b];
    gRow[0] = g0;
    rowTimesCols(Tt, tb, Th, cap, B, q, gRow, 1);
    adamRow(P12, base, M, Vm, base, gRow, p, beta1, beta2, a1, a2, lr, c1, c2, epsilon);
  }
  for (let k = 0; k < q; k++) {
    const base = k * m;
    rowTimesCols(E, k * cap, Z, cap, B, m, gRow, 0);
    adamRow(V21bar, base, M, Vm, offV + base, gRow, m, beta1, beta2, a1, a2, lr, c1, c2, epsilon);
  }
}

/**
 * `out[off + j] = Σ_b A[a0 + b]·C[j·cap + b]` for j < cols: each sum from 0 over b in order,
 * eight of them side by side (independent dependency chains).
 */
function rowTimesCols(
  A: Float64Array,
  a0: number,
  C: Float64Array,
  cap: number,
  B: number,
  cols: number,
  out: Float64Array,
  off: number,
): void {
  let j = 0;
  for (; j + 7 < cols; j += 8) {
    const c0 = j * cap;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let b = 0; b < B; b++) {
      const x = A[a0 + b], cb = c0 + b;
      s0 += x * C[cb];
      s1 += x * C[cb + cap];
      s2 += x * C[cb + 2 * cap];
      s3 += x * C[cb + 3 * cap];
      s4 += x * C[cb + 4 * cap];
      s5 += x * C[cb + 5 * cap];
      s6 += x * C[cb + 6 * cap];
      s7 += x * C[cb + 7 * cap];
    }
    out[off + j] = s0;
    out[off + j + 1] = s1;
    out[off + j + 2] = s2;
    out[off + j + 3] = s3;
    out[off + j + 4] = s4;
    out[off + j + 5] = s5;
    out[off + j + 6] = s6;
    out[off + j + 7] = s7;
  }
  for (; j < cols; j++) {
    const c0 = j * cap;
    let s0 = 0;
    for (let b = 0; b < B; b++) s0 += A[a0 + b] * C[c0 + b];
    out[off + j] = s0;
  }
}

/** Adam (the expression of `optim.ts`) on `len` entries from `gRow`. */
function adamRow(
  W: Float64Array,
  w0: number,
  M: Float64Array,
  Vm: Float64Array,
  i0: number,
  gRow: Float64Array,
  len: number,
  beta1: number,
  beta2: number,
  a1: number,
  a2: number,
  lr: number,
  c1: number,
  c2: number,
  epsilon: number,
): void {
  for (let j = 0; j < len; j++) {
    const g = gRow[j], i = i0 + j;
    const mi = beta1 * M[i] + a1 * g;
    const vi = beta2 * Vm[i] + a2 * g * g;
    M[i] = mi;
    Vm[i] = vi;
    W[w0 + j] -= (lr * mi * c1) / (Math.sqrt(vi * c2) + epsilon);
  }
}
