/**
 * The bandit transformer's forward and backward pass written out loop by loop in float64 (MATH
 * §9): the tested reference every fast backend is checked against, and itself checked against
 * central finite differences. It computes, for each trajectory of a batch,
 *
 *     x_i = tok_i·W_e + b_e + pos_i
 *     per layer:  q, k, v = x·W_qkv (column blocks; head m owns columns m·dh … (m+1)·dh − 1)
 *                 att_i[head m] = (1/i) Σ_{j≤i} ReLU(⟨q_i, k_j⟩) v_j      (1-based i)
 *                 y = LN(x + att; g₁, b₁),   z = LN(y + ReLU(y·W₁ + c₁)·W₂ + c₂; g₂, b₂),   x ← z
 *     logits_i = x_i·W_out + b_out
 *
 * and the mean cross-entropy over all B·t positions, with its gradient for every weight. LayerNorm
 * uses the biased variance and ε = 1e-5, as the tfjs model.
 *
 * @module
 */

import {
  headsOf,
  type TransformerConfig,
  validateTransformerConfig,
  weightShapes,
} from "../model_config.ts";
import { assertInt } from "../../core/validate.ts";

/** Weights by name (the layout of `weightShapes`), any numeric array type. */
export type AnyWeights = Record<string, ArrayLike<number>>;

/** Loss, per-weight gradients and logits of a batch. */
export interface LossGrad {
  /** Mean cross-entropy over the B·t positions. */
  loss: number;
  /** Gradient of `loss` for every weight, float64, by name. */
  grads: Record<string, Float64Array>;
  /** Logits, B × t × A. */
  logits: Float64Array;
}

const LN_EPS = 1e-5;

/**
 * Check a batch's shapes and values against a configuration; returns nothing, throws named.
 *
 * @example
 * ```ts
 * import { checkBatch } from "./reference.ts";
 * const cfg = { tokenDim: 2, numActions: 3, maxLen: 4, D: 8, layers: 1, mlpHidden: 8, heads: 1 };
 * checkBatch(cfg, new Float32Array(1 * 4 * 2), Int32Array.of(0, 1, 2, 0), 1, 4); // fine
 * let refused = false;
 * try {
 *   checkBatch(cfg, new Float32Array(3), null, 1, 4); // 3 token entries, need 1·4·2
 * } catch { refused = true; }
 * if (!refused) throw new Error("a short batch must be refused");
 * ```
 */
export function checkBatch(
  cfg: TransformerConfig,
  tokens: ArrayLike<number>,
  targets: ArrayLike<number> | null,
  batch: number,
  len: number,
): void {
  assertInt("batch", batch, 1);
  assertInt("len", len, 1, cfg.maxLen);
  const need = batch * len * cfg.tokenDim;
  if (tokens.length !== need) {
    throw new RangeError(
      `tokens have ${tokens.length} values, expected batch·len·tokenDim = ${batch}·${len}·${cfg.tokenDim} = ${need}`,
    );
  }
  for (let i = 0; i < tokens.length; i++) {
    if (!Number.isFinite(tokens[i])) throw new RangeError(`tokens[${i}] = ${tokens[i]}`);
  }
  if (targets === null) return;
  if (targets.length !== batch * len) {
    throw new RangeError(`targets have ${targets.length} entries, expected ${batch * len}`);
  }
  for (let i = 0; i < targets.length; i++) {
    const a = targets[i];
    if (!(Number.isInteger(a) && a >= 0 && a < cfg.numActions)) {
      throw new RangeError(`targets[${i}] = ${a} is not an arm in 0..${cfg.numActions - 1}`);
    }
  }
}

/**
 * Loss, gradients and logits of a batch of `batch` trajectories of `len` tokens, in float64.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { initWeights } from "../model_config.ts";
 * import { referenceLossGrad } from "./reference.ts";
 * const cfg = { tokenDim: 3, numActions: 2, maxLen: 4, D: 4, layers: 1, mlpHidden: 4, heads: 2 };
 * const w = initWeights(cfg, new Rng(0));
 * const tokens = new Float64Array(2 * 4 * 3).fill(0.5), targets = new Int32Array(8);
 * const { loss, grads } = referenceLossGrad(cfg, w, tokens, targets, 2, 4);
 * grads["l0.qkv"].length; // 4 · 12
 * ```
 */
export function referenceLossGrad(
  cfg: TransformerConfig,
  w: AnyWeights,
  tokens: ArrayLike<number>,
  targets: ArrayLike<number>,
  batch: number,
  len: number,
): LossGrad {
  validateTransformerConfig(cfg);
  checkBatch(cfg, tokens, targets, batch, len);
  const { tokenDim: F, numActions: A, D, layers: L, mlpHidden: H } = cfg;
  const M = headsOf(cfg), dh = D / M, T = len;
  const grads: Record<string, Float64Array> = {};
  for (const [name, shape] of weightShapes(cfg)) {
    grads[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  }
  const logitsAll = new Float64Array(batch * T * A);
  const invN = 1 / (batch * T);
  let lossSum = 0;
  for (let b = 0; b < batch; b++) {
    const tok = (i: number, f: number) => tokens[(b * T + i) * F + f];
    // ---- forward, keeping what the backward pass reads
    const X: Float64Array[] = [new Float64Array(T * D)];
    for (let i = 0; i < T; i++) {
      for (let c = 0; c < D; c++) {
        let s = w.embedBias[c] + w.pos[i * D + c];
        for (let f = 0; f < F; f++) s += tok(i, f) * w.embed[f * D + c];
        X[0][i * D + c] = s;
      }
    }
    const QKV: Float64Array[] = [], S: Float64Array[] = [], XH1: Float64Array[] = [];
    const RS1: Float64Array[] = [], Y1: Float64Array[] = [], HM: Float64Array[] = [];
    const XH2: Float64Array[] = [], RS2: Float64Array[] = [];
    for (let l = 0; l < L; l++) {
      const x = X[l], Wq = w[`l${l}.qkv`];
      const qkv = matmul(x, Wq, T, D, 3 * D);
      const s = new Float64Array(M * T * T); // s[m][i][j] = ReLU(q·k)/(i+1), j ≤ i
      const u = Float64Array.from(x);
      for (let m = 0; m < M; m++) {
        for (let i = 0; i < T; i++) {
          for (let j = 0; j <= i; j++) {
            let dot = 0;
            for (let c = 0; c < dh; c++) {
              dot += qkv[i * 3 * D + m * dh + c] * qkv[j * 3 * D + D + m * dh + c];
            }
            const a = Math.max(dot, 0) / (i + 1);
            s[(m * T + i) * T + j] = a;
            for (let c = 0; c < dh; c++) {
              u[i * D + m * dh + c] += a * qkv[j * 3 * D + 2 * D + m * dh + c];
            }
          }
        }
      }
      const ln1 = layerNorm(u, w[`l${l}.ln1g`], w[`l${l}.ln1b`], T, D);
      const hp = matmul(ln1.y, w[`l${l}.w1`], T, D, H);
      for (let i = 0; i < T; i++) {
        for (let c = 0; c < H; c++) hp[i * H + c] = Math.max(hp[i * H + c] + w[`l${l}.b1`][c], 0);
      }
      const z = matmul(hp, w[`l${l}.w2`], T, H, D);
      for (let i = 0; i < T; i++) {
        for (let c = 0; c < D; c++) z[i * D + c] += w[`l${l}.b2`][c] + ln1.y[i * D + c];
      }
      const ln2 = layerNorm(z, w[`l${l}.ln2g`], w[`l${l}.ln2b`], T, D);
      QKV.push(qkv);
      S.push(s);
      XH1.push(ln1.xhat);
      RS1.push(ln1.rstd);
      Y1.push(ln1.y);
      HM.push(hp);
      XH2.push(ln2.xhat);
      RS2.push(ln2.rstd);
      X.push(ln2.y);
    }
    const xL = X[L];
    const logits = matmul(xL, w.out, T, D, A);
    // ---- loss and dlogits
    const dlog = new Float64Array(T * A);
    for (let i = 0; i < T; i++) {
      let mx = -Infinity;
      for (let a = 0; a < A; a++) {
        logits[i * A + a] += w.outBias[a];
        mx = Math.max(mx, logits[i * A + a]);
      }
      let z = 0;
      for (let a = 0; a < A; a++) z += Math.exp(logits[i * A + a] - mx);
      const y = targets[b * T + i];
      lossSum += Math.log(z) + mx - logits[i * A + y];
      for (let a = 0; a < A; a++) {
        dlog[i * A + a] = (Math.exp(logits[i * A + a] - mx) / z - (a === y ? 1 : 0)) * invN;
      }
    }
    logitsAll.set(logits, b * T * A);
    // ---- backward
    accumulateTN(grads.out, xL, dlog, T, D, A);
    for (let i = 0; i < T; i++) for (let a = 0; a < A; a++) grads.outBias[a] += dlog[i * A + a];
    let dx = matmulNT(dlog, w.out, T, A, D);
    for (let l = L - 1; l >= 0; l--) {
      // LN2
      const dz = layerNormBack(
        dx,
        XH2[l],
        RS2[l],
        w[`l${l}.ln2g`],
        grads[`l${l}.ln2g`],
        grads[`l${l}.ln2b`],
        T,
        D,
      );
      // MLP: z = y + ReLU(y W1 + c1) W2 + c2
      const hm = HM[l], y1 = Y1[l];
      accumulateTN(grads[`l${l}.w2`], hm, dz, T, H, D);
      for (let i = 0; i < T; i++) for (let c = 0; c < D; c++) grads[`l${l}.b2`][c] += dz[i * D + c];
      const dh1 = matmulNT(dz, w[`l${l}.w2`], T, D, H);
      for (let i = 0; i < T * H; i++) if (!(hm[i] > 0)) dh1[i] = 0;
      accumulateTN(grads[`l${l}.w1`], y1, dh1, T, D, H);
      for (let i = 0; i < T; i++) {
        for (let c = 0; c < H; c++) grads[`l${l}.b1`][c] += dh1[i * H + c];
      }
      const dy1 = matmulNT(dh1, w[`l${l}.w1`], T, H, D);
      for (let i = 0; i < T * D; i++) dy1[i] += dz[i];
      // LN1
      const du = layerNormBack(
        dy1,
        XH1[l],
        RS1[l],
        w[`l${l}.ln1g`],
        grads[`l${l}.ln1g`],
        grads[`l${l}.ln1b`],
        T,
        D,
      );
      // attention: u = x + att
      const qkv = QKV[l], s = S[l];
      const dqkv = new Float64Array(T * 3 * D);
      for (let m = 0; m < M; m++) {
        for (let i = 0; i < T; i++) {
          for (let j = 0; j <= i; j++) {
            const a = s[(m * T + i) * T + j];
            let da = 0;
            for (let c = 0; c < dh; c++) {
              const g = du[i * D + m * dh + c];
              da += g * qkv[j * 3 * D + 2 * D + m * dh + c];
              dqkv[j * 3 * D + 2 * D + m * dh + c] += a * g;
            }
            if (!(a > 0)) continue;
            const dp = da / (i + 1);
            for (let c = 0; c < dh; c++) {
              dqkv[i * 3 * D + m * dh + c] += dp * qkv[j * 3 * D + D + m * dh + c];
              dqkv[j * 3 * D + D + m * dh + c] += dp * qkv[i * 3 * D + m * dh + c];
            }
          }
        }
      }
      accumulateTN(grads[`l${l}.qkv`], X[l], dqkv, T, D, 3 * D);
      dx = matmulNT(dqkv, w[`l${l}.qkv`], T, 3 * D, D);
      for (let i = 0; i < T * D; i++) dx[i] += du[i];
    }
    // embedding
    for (let i = 0; i < T; i++) {
      for (let c = 0; c < D; c++) {
        const g = dx[i * D + c];
        grads.embedBias[c] += g;
        grads.pos[i * D + c] += g;
        for (let f = 0; f < F; f++) grads.embed[f * D + c] += tok(i, f) * g;
      }
    }
  }
  return { loss: lossSum * invN, grads, logits: logitsAll };
}

/** `x [n×k] · W [k×m]` in float64. */
function matmul(x: ArrayLike<number>, W: ArrayLike<number>, n: number, k: number, m: number) {
  const y = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let r = 0; r < k; r++) s += x[i * k + r] * W[r * m + c];
      y[i * m + c] = s;
    }
  }
  return y;
}

/** `dy [n×m] · Wᵀ` for `W [k×m]`: `[n×k]`. */
function matmulNT(dy: ArrayLike<number>, W: ArrayLike<number>, n: number, m: number, k: number) {
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      let s = 0;
      for (let c = 0; c < m; c++) s += dy[i * m + c] * W[r * m + c];
      y[i * k + r] = s;
    }
  }
  return y;
}

/** `G [k×m] += xᵀ [k×n] · dy [n×m]`. */
function accumulateTN(
  G: Float64Array,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  n: number,
  k: number,
  m: number,
) {
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      const xv = x[i * k + r];
      for (let c = 0; c < m; c++) G[r * m + c] += xv * dy[i * m + c];
    }
  }
}

function layerNorm(
  u: Float64Array,
  g: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  D: number,
) {
  const xhat = new Float64Array(n * D), y = new Float64Array(n * D), rstd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let c = 0; c < D; c++) mean += u[i * D + c];
    mean /= D;
    let v = 0;
    for (let c = 0; c < D; c++) v += (u[i * D + c] - mean) ** 2;
    v /= D;
    const r = 1 / Math.sqrt(v + LN_EPS);
    rstd[i] = r;
    for (let c = 0; c < D; c++) {
      xhat[i * D + c] = (u[i * D + c] - mean) * r;
      y[i * D + c] = xhat[i * D + c] * g[c] + b[c];
    }
  }
  return { xhat, y, rstd };
}

function layerNormBack(
  dy: Float64Array,
  xhat: Float64Array,
  rstd: Float64Array,
  g: ArrayLike<number>,
  dg: Float64Array,
  db: Float64Array,
  n: number,
  D: number,
) {
  const du = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    let m1 = 0, m2 = 0;
    for (let c = 0; c < D; c++) {
      const d = dy[i * D + c], xh = xhat[i * D + c];
      dg[c] += d * xh;
      db[c] += d;
      const dxh = d * g[c];
      m1 += dxh;
      m2 += dxh * xh;
    }
    m1 /= D;
    m2 /= D;
    for (let c = 0; c < D; c++) {
      du[i * D + c] = rstd[i] * (dy[i * D + c] * g[c] - m1 - xhat[i * D + c] * m2);
    }
  }
  return du;
}

/**
 * Floating-point operations of one forward pass over one trajectory of `len` tokens, counting
 * only what the model needs (MATH §9): every dense product `2·k·m` per token, and causal
 * attention `2·dh` per head for each of the `i` scores and each of the `i` value rows at token
 * `i` (so `2·D·Σ_i i` per product). Elementwise work (LayerNorm, ReLU, softmax) is not counted.
 * Training costs 3× this (forward, and a backward of two products per forward product).
 *
 * @example
 * ```ts
 * const cfg = { tokenDim: 61, numActions: 10, maxLen: 200, D: 32, layers: 8, mlpHidden: 32, heads: 4 };
 * forwardFlops(cfg, 200); // ≈ 3.79e7
 * ```
 */
export function forwardFlops(cfg: TransformerConfig, len: number): number {
  validateTransformerConfig(cfg);
  assertInt("len", len, 1, cfg.maxLen);
  const { tokenDim: F, numActions: A, D, layers: L, mlpHidden: H } = cfg;
  const dense = F * D + L * (3 * D * D + 2 * D * H) + D * A;
  const causalPairs = (len * (len + 1)) / 2;
  return 2 * len * dense + L * 2 * (2 * D * causalPairs);
}
