/**
 * The decision transformer of [LBM24] (MATH §9): a causal transformer with **ReLU attention
 * normalised by 1/i**,
 *
 *     h̄_i = h_i + (1/i) Σ_{j≤i} ReLU(⟨Q h_i, K h_j⟩) V h_j,
 *
 * followed by post-LayerNorm, an MLP block (ReLU, residual, post-LayerNorm), learned position
 * embeddings and a linear read-out to one logit per arm. `heads` = M splits the query, key and
 * value columns into M blocks of width D/M, each an attention head of the form above whose output
 * fills its own D/M coordinates (the paper's text: M = 4); `heads: 1` (the default) is one
 * full-width head per layer, as the paper's public code. Token `i` (1-based) carries the action set (flattened; empty for Bernoulli
 * bandits), the previous action `a_{i−1}` one-hot and the previous reward `r_{i−1}` (zeros at
 * `i = 1`); the logits at position `i` choose `a_i`.
 *
 * **tfjs-wasm fast path.** tfjs-wasm multiplies plain 2-D matrices `[M,K]·[K,N]` through XNNPACK and
 * everything else (a transposed operand, a batch dimension) through a generic loop several times
 * slower. Every dense layer here is one 2-D matmul of the flattened `[B·t, ·]` activations; with
 * `matmul: "plain"` (default) its backward pass is written with explicit transposes so that both
 * gradient products are plain 2-D matmuls too (tfjs's own gradient uses transposed products). The
 * two attention products (`QKᵀ`, `S·V`) are per-sequence and necessarily batched. `deno task bench`
 * measures `plain` against `autodiff`.
 *
 * Weights are plain `Float32Array`s (`TransformerWeights`), so they cross Worker boundaries and are
 * written to JSON checkpoints; {@linkcode TransformerModel} holds them as tfjs variables.
 *
 * @module
 */

import { tf } from "../icrl/tf.ts";

/** How dense layers differentiate (see the module doc). */
export type MatmulMode = "plain" | "autodiff";

export {
  headsOf,
  initWeights,
  paramCount,
  trainStepFlops,
  type TransformerConfig,
  type TransformerWeights,
  validateTransformerConfig,
  validateWeights,
  weightShapes,
} from "./model_config.ts";
import {
  headsOf,
  type TransformerConfig,
  type TransformerWeights,
  validateWeights,
} from "./model_config.ts";

/**
 * `x·W` for 2-D `x [M,K]`, `W [K,N]`. In `plain` mode the gradient is `dy·(Wᵀ)` and `(xᵀ)·dy` with
 * the transposes materialised, so all three products are plain 2-D matmuls (tfjs-wasm's fast path).
 *
 * @example
 * ```ts
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { dense2d } from "./transformer.ts";
 * await initTf();
 * const y = dense2d(tf.ones([4, 3]) as tf.Tensor2D, tf.ones([3, 2]) as tf.Tensor2D, "plain");
 * y.shape; // [4, 2], every entry 3
 * ```
 */
export function dense2d(x: tf.Tensor2D, W: tf.Tensor2D, mode: MatmulMode): tf.Tensor2D {
  if (x.shape[1] !== W.shape[0]) {
    throw new RangeError(`dense2d: x is ${x.shape.join("×")}, W is ${W.shape.join("×")}`);
  }
  if (mode === "autodiff") return tf.matMul(x, W);
  return plainDense(x, W) as tf.Tensor2D;
}

const plainDense = tf.customGrad(
  ((x: tf.Tensor, W: tf.Tensor, save: tf.GradSaveFunc) => {
    const xt = x as tf.Tensor2D, Wt = W as tf.Tensor2D;
    save([xt, Wt]);
    return {
      value: tf.matMul(xt, Wt),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, Ws] = saved as tf.Tensor2D[];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, tf.transpose(Ws)), tf.matMul(tf.transpose(xs), g)];
      },
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as (x: tf.Tensor2D, W: tf.Tensor2D) => tf.Tensor2D;

/** `mask[i, j] = 1/(i+1)` for `j ≤ i` (0-based), else 0: causality and the 1/i normalisation. */
function causalMask(t: number): tf.Tensor2D {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = 0; j <= i; j++) m[i * t + j] = 1 / (i + 1);
  return tf.tensor2d(m, [t, t]);
}

/**
 * Causal ReLU attention of `q, k, v [B, t, D]` with `M` heads of width D/M, as `[B·t, D]`.
 * One head keeps the original single-head graph (so earlier checkpoints' numbers are unchanged).
 */
function attention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor2D,
  M: number,
): tf.Tensor2D {
  const [B, t, D] = q.shape;
  if (M === 1) {
    const s = tf.mul(tf.relu(tf.matMul(q, k, false, true)), mask); // [B, t, t]
    return tf.reshape(tf.matMul(s, v), [B * t, D]);
  }
  const dh = D / M;
  const split = (x: tf.Tensor3D) =>
    tf.reshape(tf.transpose(tf.reshape(x, [B, t, M, dh]), [0, 2, 1, 3]), [B * M, t, dh]);
  const qh = split(q), kh = split(k), vh = split(v);
  const s = tf.mul(tf.relu(tf.matMul(qh, kh, false, true)), mask); // [B·M, t, t]
  const o = tf.reshape(tf.matMul(s, vh), [B, M, t, dh]);
  return tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * t, D]);
}

/** LayerNorm over the last axis of `[N, D]`, eps 1e-5. */
function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/**
 * Logits `[B, t, A]` for tokens `[B, t, F]` (`t ≤ maxLen`), given the weights as tensors by name.
 * Pure tfjs: differentiable with respect to every weight tensor. Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { initWeights, type TransformerConfig } from "./transformer.ts";
 * await initTf();
 * const cfg: TransformerConfig = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };
 * import { forwardLogits, weightShapes } from "./transformer.ts";
 * const w = initWeights(cfg, new Rng(0));
 * const p = Object.fromEntries(weightShapes(cfg).map(([n, s]) => [n, tf.tensor(w[n], s)]));
 * const tokens = tf.zeros([2, 4, 6]) as tf.Tensor3D;
 * const logits = tf.tidy(() => forwardLogits(cfg, p, tokens, "plain")); // [2, 4, 5]
 * tf.dispose([...Object.values(p), tokens, logits]);
 * ```
 */
export function forwardLogits(
  cfg: TransformerConfig,
  p: Record<string, tf.Tensor>,
  tokens: tf.Tensor3D,
  mode: MatmulMode = "plain",
): tf.Tensor3D {
  const [B, t, F] = tokens.shape;
  if (F !== cfg.tokenDim) {
    throw new RangeError(`tokens have ${F} features, expected ${cfg.tokenDim}`);
  }
  if (t < 1 || t > cfg.maxLen) throw new RangeError(`sequence length ${t} not in 1..${cfg.maxLen}`);
  if (B < 1) throw new RangeError(`batch size ${B} must be ≥ 1`);
  const D = cfg.D, N = B * t;
  const mask = causalMask(t);
  const pos = tf.slice(p.pos, [0, 0], [t, D]);
  let h = dense2d(tf.reshape(tokens, [N, F]), p.embed as tf.Tensor2D, mode);
  h = tf.reshape(tf.add(tf.reshape(tf.add(h, p.embedBias), [B, t, D]), pos), [N, D]);
  for (let l = 0; l < cfg.layers; l++) {
    // three 2-D products with column blocks of the [D, 3D] weight: splitting a [N, 3D] activation
    // instead is a strided copy that tfjs-wasm does slowly
    const [q, k, v] = [0, 1, 2].map((c) => {
      const Wc = tf.slice(p[`l${l}.qkv`], [0, c * D], [D, D]) as tf.Tensor2D;
      return tf.reshape(dense2d(h, Wc, mode), [B, t, D]) as tf.Tensor3D;
    });
    const att = attention(q, k, v, mask, headsOf(cfg));
    h = layerNorm(tf.add(h, att), p[`l${l}.ln1g`], p[`l${l}.ln1b`]);
    const m = tf.relu(tf.add(dense2d(h, p[`l${l}.w1`] as tf.Tensor2D, mode), p[`l${l}.b1`]));
    const mo = tf.add(dense2d(m as tf.Tensor2D, p[`l${l}.w2`] as tf.Tensor2D, mode), p[`l${l}.b2`]);
    h = layerNorm(tf.add(h, mo), p[`l${l}.ln2g`], p[`l${l}.ln2b`]);
  }
  const logits = tf.add(dense2d(h, p.out as tf.Tensor2D, mode), p.outBias);
  return tf.reshape(logits, [B, t, cfg.numActions]);
}

/**
 * Mean cross-entropy of `logits [B, t, A]` against integer `targets` (length B·t, row-major),
 * as a scalar tensor. Call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { crossEntropy } from "./transformer.ts";
 * await initTf();
 * const logits = tf.zeros([1, 2, 3]) as tf.Tensor3D; // B = 1, t = 2, A = 3
 * const loss = tf.tidy(() => crossEntropy(logits, new Int32Array([0, 1])));
 * loss.dataSync()[0]; // ln 3
 * tf.dispose([logits, loss]);
 * ```
 */
export function crossEntropy(logits: tf.Tensor3D, targets: Int32Array): tf.Scalar {
  const [B, t, A] = logits.shape;
  if (targets.length !== B * t) {
    throw new RangeError(`targets has ${targets.length} entries, expected B·t = ${B * t}`);
  }
  for (let i = 0; i < targets.length; i++) {
    if (!(targets[i] >= 0 && targets[i] < A)) {
      throw new RangeError(`targets[${i}] = ${targets[i]} is not an arm in 0..${A - 1}`);
    }
  }
  const flat = tf.reshape(logits, [B * t, A]);
  const logp = tf.logSoftmax(flat);
  const onehot = tf.oneHot(tf.tensor1d(targets, "int32"), A);
  return tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), B * t) as tf.Scalar;
}

/**
 * The model as tfjs variables (trainable), with a forward pass and conversion back to plain weights.
 * Dispose it when done.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { initWeights, type TransformerConfig } from "./transformer.ts";
 * await initTf();
 * const cfg: TransformerConfig = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };
 * import { TransformerModel } from "./transformer.ts";
 * const model = new TransformerModel(cfg, initWeights(cfg, new Rng(0)));
 * const tokens = tf.zeros([2, 4, 6]) as tf.Tensor3D;
 * const logits = tf.tidy(() => model.logits(tokens)); // [2, 4, 5]
 * tf.dispose([tokens, logits]);
 * model.dispose();
 * ```
 */
export class TransformerModel {
  /** Variables by weight name. */
  readonly vars: Record<string, tf.Variable>;
  /** Names in {@linkcode weightShapes} order. */
  readonly names: string[];

  constructor(
    readonly cfg: TransformerConfig,
    weights: TransformerWeights,
    readonly mode: MatmulMode = "plain",
  ) {
    this.vars = {};
    this.names = [];
    for (const [name, shape] of validateWeights(cfg, weights)) {
      this.vars[name] = tf.variable(tf.tensor(weights[name], shape), true, undefined);
      this.names.push(name);
    }
  }

  /** Logits `[B, t, A]` (call inside `tf.tidy`). */
  logits(tokens: tf.Tensor3D): tf.Tensor3D {
    return forwardLogits(this.cfg, this.vars, tokens, this.mode);
  }

  /** Copy the current weights to the host. */
  weights(): TransformerWeights {
    const w: TransformerWeights = {};
    for (const n of this.names) w[n] = this.vars[n].dataSync() as Float32Array;
    for (const n of this.names) w[n] = Float32Array.from(w[n]);
    return w;
  }

  /** Free the variables. */
  dispose(): void {
    for (const n of this.names) this.vars[n].dispose();
  }
}
