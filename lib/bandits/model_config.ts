/**
 * The bandit transformer's architecture without any tensor library (MATH §9): the configuration
 * and its validation, the named weights and their shapes, fresh weights, parameter and FLOP
 * counts. Every backend (tfjs, wasm, WebGPU) and the float64 reference read these, and workers
 * import them without loading tfjs.
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import { assertInt, assertNumber } from "../core/validate.ts";

/** Architecture of the model. */
export interface TransformerConfig {
  /** Features per token (`A·d + A + 1` for a linear bandit, `A + 1` for Bernoulli). */
  tokenDim: number;
  /** Number of arms A (the read-out size). */
  numActions: number;
  /** Longest sequence (number of learned position embeddings) = the horizon T. */
  maxLen: number;
  /** Width D of the residual stream (paper: 32). */
  D: number;
  /** Number of blocks (paper: 8). */
  layers: number;
  /** Hidden width of each MLP block (e.g. 4·D). */
  mlpHidden: number;
  /** Attention heads M per layer (D divisible by M); absent means 1. */
  heads?: number;
}

/**
 * Heads of a configuration (`heads`, or 1 when absent).
 *
 * @example
 * ```ts
 * headsOf({ tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 }); // 1
 * ```
 */
export function headsOf(cfg: TransformerConfig): number {
  return cfg.heads ?? 1;
}

/** All weights by name, float32, row-major. */
export type TransformerWeights = Record<string, Float32Array>;

/**
 * The shape of every named weight of a configuration, in a fixed order.
 *
 * @example
 * ```ts
 * weightShapes({ tokenDim: 6, numActions: 5, maxLen: 50, D: 32, layers: 1, mlpHidden: 64 })[0];
 * // ["embed", [6, 32]]
 * ```
 */
export function weightShapes(cfg: TransformerConfig): [string, number[]][] {
  validateTransformerConfig(cfg);
  const { tokenDim: F, numActions: A, maxLen: T, D, layers, mlpHidden: H } = cfg;
  const out: [string, number[]][] = [["embed", [F, D]], ["embedBias", [D]], ["pos", [T, D]]];
  for (let l = 0; l < layers; l++) {
    out.push(
      [`l${l}.qkv`, [D, 3 * D]],
      [`l${l}.ln1g`, [D]],
      [`l${l}.ln1b`, [D]],
      [`l${l}.w1`, [D, H]],
      [`l${l}.b1`, [H]],
      [`l${l}.w2`, [H, D]],
      [`l${l}.b2`, [D]],
      [`l${l}.ln2g`, [D]],
      [`l${l}.ln2b`, [D]],
    );
  }
  out.push(["out", [D, A]], ["outBias", [A]]);
  return out;
}

/**
 * Throw a `RangeError` naming the first bad field of a {@linkcode TransformerConfig} (unknown keys
 * included).
 *
 * @example
 * ```ts
 * validateTransformerConfig({ tokenDim: 6, numActions: 5, maxLen: 50, D: 32, layers: 2, mlpHidden: 128 });
 * ```
 */
export function validateTransformerConfig(cfg: TransformerConfig): void {
  const known = ["tokenDim", "numActions", "maxLen", "D", "layers", "mlpHidden", "heads"];
  for (const k of Object.keys(cfg)) {
    if (!known.includes(k)) throw new RangeError(`unknown transformer config key "${k}"`);
  }
  assertInt("tokenDim", cfg.tokenDim, 1, 100_000);
  assertInt("numActions", cfg.numActions, 2, 10_000);
  assertInt("maxLen", cfg.maxLen, 1, 100_000);
  validateArchitecture(cfg);
}

/**
 * The one statement of the architecture's ranges — width D ∈ [1, 4096], layers ∈ [1, 64], MLP
 * width ∈ [1, 65 536], heads (when given) dividing D — shared by the model, the pretraining and the
 * experiment configs; `prefix` is put before each field name in the error (e.g. `"model."`).
 *
 * @example
 * ```ts
 * import { validateArchitecture } from "./model_config.ts";
 * validateArchitecture({ D: 32, layers: 8, mlpHidden: 32, heads: 4 }); // fine
 * try {
 *   validateArchitecture({ D: 8, layers: 1, mlpHidden: 8, heads: 3 }, "model.");
 * } catch (e) {
 *   (e as Error).message; // "model.D = 8 is not divisible by heads = 3"
 * }
 * ```
 */
export function validateArchitecture(
  a: { D: number; layers: number; mlpHidden: number; heads?: number },
  prefix = "",
): void {
  assertInt(`${prefix}D`, a.D, 1, 4096);
  assertInt(`${prefix}layers`, a.layers, 1, 64);
  assertInt(`${prefix}mlpHidden`, a.mlpHidden, 1, 65_536);
  if (a.heads !== undefined) {
    assertInt(`${prefix}heads`, a.heads, 1, a.D);
    if (a.D % a.heads !== 0) {
      throw new RangeError(`${prefix}D = ${a.D} is not divisible by heads = ${a.heads}`);
    }
  }
}

/**
 * The one statement of AdamW's ranges — learning rate in (0, 1], weight decay in [0, 1], gradient
 * clipping norm in [0, 10⁹] (0 = none) — shared by the engine, the pretraining and the experiment
 * configs; `prefix` as in {@linkcode validateArchitecture}.
 *
 * @example
 * ```ts
 * import { validateAdamW } from "./model_config.ts";
 * validateAdamW({ lr: 1e-3, weightDecay: 1e-4, clipNorm: 0 }); // fine
 * try {
 *   validateAdamW({ lr: NaN, weightDecay: 0, clipNorm: 0 }, "optim.");
 * } catch (e) {
 *   (e as Error).message; // names optim.lr and NaN
 * }
 * ```
 */
export function validateAdamW(
  o: { lr: number; weightDecay: number; clipNorm: number },
  prefix = "",
): void {
  assertNumber(`${prefix}lr`, o.lr, Number.MIN_VALUE, 1);
  assertNumber(`${prefix}weightDecay`, o.weightDecay, 0, 1);
  assertNumber(`${prefix}clipNorm`, o.clipNorm, 0, 1e9);
}

/**
 * Number of parameters of a configuration.
 *
 * @example
 * ```ts
 * paramCount({ tokenDim: 6, numActions: 5, maxLen: 50, D: 32, layers: 2, mlpHidden: 128 }); // 27 173
 * ```
 */
export function paramCount(cfg: TransformerConfig): number {
  return weightShapes(cfg).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0);
}

/**
 * Matmul FLOPs of one training step (forward + backward ≈ 3× the forward's `2·m·n·k`; the
 * attention counts the full `t × t` products, as computed).
 *
 * @example
 * ```ts
 * trainStepFlops({ tokenDim: 61, numActions: 10, maxLen: 50, D: 32, layers: 2, mlpHidden: 128 }, 64);
 * ```
 */
export function trainStepFlops(m: TransformerConfig, batch: number): number {
  validateTransformerConfig(m);
  assertInt("batch", batch, 1);
  const N = batch * m.maxLen, D = m.D, H = m.mlpHidden;
  const dense = m.tokenDim * D + m.layers * (3 * D * D + 2 * D * H) + D * m.numActions;
  const attn = m.layers * 2 * m.maxLen * D; // QKᵀ and S·V per token
  return 3 * 2 * N * (dense + attn);
}

/**
 * Fresh weights: dense matrices `N(0, 1/fan_in)` (the query/key columns scaled by `D^(−1/4)` so
 * that initial attention scores are O(1)), position embeddings `N(0, 0.1²)`, LayerNorm gains 1,
 * biases 0.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initWeights } from "./model_config.ts";
 * const cfg = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };
 * const w = initWeights(cfg, new Rng(0)); // w.embed: 6 × 8, …
 * ```
 */
export function initWeights(cfg: TransformerConfig, rng: Rng): TransformerWeights {
  const w: TransformerWeights = {};
  const D = cfg.D;
  for (const [name, shape] of weightShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(size);
    const base = name.replace(/^l\d+\./, "");
    if (base === "ln1g" || base === "ln2g") a.fill(1);
    else if (name === "pos") { for (let i = 0; i < size; i++) a[i] = 0.1 * rng.normal(); }
    else if (shape.length === 2) {
      const [fanIn, cols] = shape;
      const s = 1 / Math.sqrt(fanIn);
      for (let r = 0; r < fanIn; r++) {
        for (let c = 0; c < cols; c++) {
          const qk = base === "qkv" && c < 2 * D ? Math.pow(D, -0.25) : 1;
          a[r * cols + c] = s * qk * rng.normal();
        }
      }
    }
    w[name] = a;
  }
  return w;
}

/**
 * Check that `w` holds exactly the weights of `cfg` (validated first) with the right sizes and
 * finite values; returns `weightShapes(cfg)`, so a caller need not validate `cfg` again.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initWeights, validateWeights } from "./model_config.ts";
 * const cfg = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };
 * validateWeights(cfg, initWeights(cfg, new Rng(0)));
 * ```
 */
export function validateWeights(
  cfg: TransformerConfig,
  w: TransformerWeights,
): [string, number[]][] {
  const shapes = weightShapes(cfg);
  const names = new Set(shapes.map(([n]) => n));
  for (const k of Object.keys(w)) {
    if (!names.has(k)) throw new RangeError(`unexpected weight "${k}"`);
  }
  for (const [name, shape] of shapes) {
    const a = w[name];
    const size = shape.reduce((x, y) => x * y, 1);
    if (!(a instanceof Float32Array)) throw new RangeError(`weight "${name}" is missing`);
    if (a.length !== size) {
      throw new RangeError(`weight "${name}" has ${a.length} values, expected ${size}`);
    }
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new RangeError(`weight "${name}"[${i}] = ${a[i]}`);
    }
  }
  return shapes;
}
