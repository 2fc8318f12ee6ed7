/**
 * Non-attention (and non-linear-attention) learners for the teacher-mimicking objective of MATH §6,
 * as tfjs models (float32), for the "does attention matter?" ablation (MATH §8.5, last bullet).
 *
 * Every model reads the same prompt as the LSA block (MATH §4): the `n` tokens
 * `x_i = [φ_i ; γφ_i⁺ ; r_{i+1}] ∈ R^m` and the parameter column `w̃ = [1 ; w] ∈ R^p`, and outputs
 * the new `w` **residually**: `out = w + f(X, w̃)` (the LSA block's readout is residual too, MATH §4).
 *
 * - `mlp`: `f = W3 relu(W2 relu(W1 [vec(X) ; w̃] + b1) + b2) + b3` on the flattened prompt. Its input
 *   size is fixed by the training length `nTrain`: a prompt with `n < nTrain` tokens is **zero-padded**
 *   (missing tokens at the end are 0), one with `n > nTrain` is **truncated** to its first `nTrain`
 *   tokens ({@linkcode mlpInputTokens}).
 * - `gru`: a GRU (Cho et al. 2014; `h_0 = 0`) over the tokens `x_0 … x_{n−1}`; the final state,
 *   concatenated with `w̃`, goes through a one-hidden-layer ReLU head to `f`. With `wEveryStep` the
 *   GRU reads `[x_i ; w̃]` at every step instead (so it can form `δ_i` token by token).
 * - `softmax`: the restricted LSA block with softmax attention in place of linear attention:
 *   scores `s_i = x_iᵀ A w̃` (query from the `w̃` column, keys from the tokens, `A ∈ R^{m×p}` like
 *   `P12`), `f = V̄ Σ_i softmax(s)_i x_i` (`V̄ ∈ R^{(p−1)×m}` like `V̄21`). Same parameter count as
 *   the restricted LSA block; only the normalisation of the attention weights differs. One head's
 *   weights are positive and sum to 1, so it cannot weight tokens by a signed δ_i; with `heads: 2`
 *   the output is `V̄ Σ a_i x_i + V̄₂ Σ b_i x_i` over two softmax heads, which with `V̄₂ = −V̄` is
 *   `V̄ Σ (a_i − b_i) x_i` — signed token weights (summing to 0) — at twice the parameters.
 *
 * @module
 */

import { tf } from "../icrl/tf.ts";
import type { Rng } from "../core/rng.ts";
import { assertInt, assertNumber } from "../core/validate.ts";

/** Architecture of a baseline learner. */
export type Arch =
  | {
    /** Two-hidden-layer ReLU MLP on the flattened prompt. */
    kind: "mlp";
    /** Width of both hidden layers. */
    hidden: number;
  }
  | {
    /** GRU over the tokens, ReLU head on `[h_n ; w̃]`. */
    kind: "gru";
    /** GRU state size. */
    hidden: number;
    /** Width of the head's hidden layer. */
    head: number;
    /** Feed `w̃` to the GRU at every step too (default false: tokens only). */
    wEveryStep?: boolean;
  }
  | {
    /** Softmax-attention layer (query from `w̃`, keys/values from tokens). */
    kind: "softmax";
    /** Heads whose outputs are summed: 1 (default) or 2 (can express signed token weights). */
    heads?: number;
  };

/** Prompt dimensions a model is built for. */
export interface ModelDims {
  /** Token dimension m (2d+1). */
  m: number;
  /** Parameter-column dimension p (d+1, including the leading 1). */
  p: number;
  /** Training prompt length (fixes the MLP's input size; other models accept any n). */
  nTrain: number;
}

/** A model's parameters as named float32 arrays (row-major), in a fixed order. */
export interface ModelParams {
  /** The architecture. */
  arch: Arch;
  /** Dimensions. */
  dims: ModelDims;
  /** Parameter names, in order. */
  names: string[];
  /** Shapes, in order. */
  shapes: number[][];
  /** Values, in order. */
  values: Float32Array[];
}

/**
 * Validate an architecture; throws naming the bad field.
 *
 * @example
 * ```ts
 * validateArch({ kind: "mlp", hidden: 256 });
 * ```
 */
export function validateArch(arch: Arch): Arch {
  if (arch === null || typeof arch !== "object") {
    throw new TypeError(`arch must be an object, got ${String(arch)}`);
  }
  const allowed: Record<string, string[]> = {
    mlp: ["kind", "hidden"],
    gru: ["kind", "hidden", "head", "wEveryStep"],
    softmax: ["kind", "heads"],
  };
  const keys = allowed[arch.kind as string];
  if (!keys) {
    throw new RangeError(
      `arch.kind must be "mlp", "gru" or "softmax", got ${JSON.stringify(arch.kind)}`,
    );
  }
  for (const k of Object.keys(arch)) {
    if (!keys.includes(k)) throw new RangeError(`unknown key arch.${k} for kind "${arch.kind}"`);
  }
  if (arch.kind === "mlp") assertInt("arch.hidden", arch.hidden, 1, 65_536);
  if (arch.kind === "softmax" && arch.heads !== undefined) {
    assertInt("arch.heads", arch.heads, 1, 2);
  }
  if (arch.kind === "gru") {
    assertInt("arch.hidden", arch.hidden, 1, 65_536);
    assertInt("arch.head", arch.head, 1, 65_536);
    if (arch.wEveryStep !== undefined && typeof arch.wEveryStep !== "boolean") {
      throw new TypeError(`arch.wEveryStep must be a boolean, got ${String(arch.wEveryStep)}`);
    }
  }
  return arch;
}

/**
 * The parameter shapes of an architecture, by name, in the model's fixed order.
 *
 * @example
 * ```ts
 * paramShapes({ kind: "softmax" }, { m: 73, p: 37, nTrain: 20 }); // [["A", [73, 37]], ["V", [36, 73]]]
 * ```
 */
export function paramShapes(arch: Arch, dims: ModelDims): [string, number[]][] {
  validateArch(arch);
  const { m, p, nTrain } = validateDims(dims);
  const q = p - 1;
  if (arch.kind === "mlp") {
    const H = arch.hidden, inp = nTrain * m + p;
    return [
      ["W1", [inp, H]],
      ["b1", [H]],
      ["W2", [H, H]],
      ["b2", [H]],
      ["W3", [H, q]],
      ["b3", [q]],
    ];
  }
  if (arch.kind === "gru") {
    const H = arch.hidden, G = arch.head, inp = arch.wEveryStep ? m + p : m;
    return [
      ["Wx", [inp, 3 * H]],
      ["Uzr", [H, 2 * H]],
      ["Uh", [H, H]],
      ["bg", [3 * H]],
      ["Wh1", [H + p, G]],
      ["bh1", [G]],
      ["Wh2", [G, q]],
      ["bh2", [q]],
    ];
  }
  const heads: [string, number[]][] = [["A", [m, p]], ["V", [q, m]]];
  if ((arch.heads ?? 1) === 2) heads.push(["A2", [m, p]], ["V2", [q, m]]);
  return heads;
}

function validateDims(dims: ModelDims): ModelDims {
  assertInt("dims.m", dims.m, 1);
  assertInt("dims.p", dims.p, 2);
  assertInt("dims.nTrain", dims.nTrain, 1);
  return dims;
}

/**
 * Number of trainable scalars of an architecture.
 *
 * @example
 * ```ts
 * paramCount({ kind: "softmax" }, { m: 73, p: 37, nTrain: 20 }); // 5329, as the restricted LSA block
 * ```
 */
export function paramCount(arch: Arch, dims: ModelDims): number {
  return paramShapes(arch, dims).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0);
}

/**
 * Initial parameters: weight matrices Xavier-normal (std `gain·√(2/(fan_in+fan_out))`), biases 0.
 * Hidden layers use gain `√2` (ReLU) for the MLP, 1 for the GRU; the **output** layer (and both
 * matrices of the softmax layer, as for the LSA block in MATH §6) uses `outGain` (0.1), so every
 * model starts near `out = w`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initModel } from "./models.ts";
 * const params = initModel({ kind: "mlp", hidden: 64 }, { m: 73, p: 37, nTrain: 20 }, new Rng(0));
 * ```
 */
export function initModel(arch: Arch, dims: ModelDims, rng: Rng, outGain = 0.1): ModelParams {
  assertNumber("outGain", outGain, 0);
  const shapes = paramShapes(arch, dims);
  const outNames = new Set(["W3", "Wh2", "A", "V", "A2", "V2"]);
  const values = shapes.map(([name, sh]) => {
    const size = sh.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    if (sh.length === 2) {
      const gain = outNames.has(name) ? outGain : arch.kind === "mlp" ? Math.SQRT2 : 1;
      let fanIn = sh[0], fanOut = sh[1];
      if (name === "Wx" || name === "Uzr") fanOut = sh[1] / (name === "Wx" ? 3 : 2);
      if (name === "A") [fanIn, fanOut] = [sh[0], sh[1]];
      const std = gain * Math.sqrt(2 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) v[i] = std * rng.normal();
    }
    return v;
  });
  return {
    arch,
    dims,
    names: shapes.map(([n]) => n),
    shapes: shapes.map(([, s]) => s),
    values,
  };
}

/**
 * The token rows the MLP sees for a prompt of `n` tokens: row `i < min(n, nTrain)` is token `i`,
 * rows `n … nTrain−1` are zero (padding) and tokens `nTrain … n−1` are dropped (truncation).
 * Returns the `[B, nTrain·m]` input block.
 *
 * @example
 * ```ts
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { mlpInputTokens } from "./models.ts";
 * await initTf();
 * const X = tf.ones([2, 5, 3]) as tf.Tensor3D; // B = 2 prompts of 5 tokens, m = 3
 * const Xin = mlpInputTokens(X, 5, 20); // [2, 20·3], tokens 5…19 zero
 * tf.dispose([X, Xin]);
 * ```
 */
export function mlpInputTokens(X: tf.Tensor3D, n: number, nTrain: number): tf.Tensor2D {
  const [B, nX, m] = X.shape;
  if (nX !== n) throw new RangeError(`X has ${nX} tokens, n = ${n}`);
  return tf.tidy(() => {
    let T: tf.Tensor3D = X;
    if (n > nTrain) T = tf.slice(X, [0, 0, 0], [B, nTrain, m]);
    else if (n < nTrain) T = tf.pad(X, [[0, 0], [0, nTrain - n], [0, 0]]);
    return tf.reshape(T, [B, nTrain * m]);
  });
}

/**
 * Forward pass: new `w` (`[B, p−1]`) for tokens `X` (`[B, n, m]`) and parameter columns `th`
 * (`[B, p]`, `th[:, 0] = 1`), with the model's parameters given as tensors in
 * {@linkcode paramShapes} order (so `tf.grads` can differentiate through them). Call inside
 * `tf.tidy`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { type Arch, forwardTf, initModel, type ModelDims, paramsToTf } from "./models.ts";
 * await initTf();
 * const arch: Arch = { kind: "softmax" }, dims: ModelDims = { m: 9, p: 5, nTrain: 3 };
 * const params = initModel(arch, dims, new Rng(0));
 * const vars = paramsToTf(params);
 * const X = tf.ones([2, 3, 9]) as tf.Tensor3D, th = tf.ones([2, 5]) as tf.Tensor2D;
 * const out = tf.tidy(() => forwardTf(arch, dims, vars, X, th)); // [2, 4] = [B, p−1]
 * tf.dispose([...vars, X, th, out]);
 * ```
 */
export function forwardTf(
  arch: Arch,
  dims: ModelDims,
  vars: tf.Tensor[],
  X: tf.Tensor3D,
  th: tf.Tensor2D,
): tf.Tensor2D {
  const shapes = paramShapes(arch, dims);
  if (vars.length !== shapes.length) {
    throw new RangeError(`expected ${shapes.length} parameter tensors, got ${vars.length}`);
  }
  shapes.forEach(([name, sh], i) => {
    if (vars[i].shape.join("×") !== sh.join("×")) {
      throw new RangeError(
        `parameter ${name} must be ${sh.join("×")}, got ${vars[i].shape.join("×")}`,
      );
    }
  });
  const [B, n, m] = X.shape;
  const { p } = dims;
  if (m !== dims.m) throw new RangeError(`tokens have m = ${m}, model needs ${dims.m}`);
  if (th.shape[0] !== B || th.shape[1] !== p) {
    throw new RangeError(`th must be ${B}×${p}, got ${th.shape.join("×")}`);
  }
  const q = p - 1;
  const w = tf.slice(th, [0, 1], [B, q]);
  if (arch.kind === "mlp") {
    const [W1, b1, W2, b2, W3, b3] = vars as tf.Tensor2D[];
    const inp = tf.concat([mlpInputTokens(X, n, dims.nTrain), th], 1);
    const h1 = tf.relu(tf.add(tf.matMul(inp, W1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1 as tf.Tensor2D, W2), b2));
    return tf.add(w, tf.add(tf.matMul(h2 as tf.Tensor2D, W3), b3)) as tf.Tensor2D;
  }
  if (arch.kind === "gru") {
    const [Wx, Uzr, Uh, bg, Wh1, bh1, Wh2, bh2] = vars as tf.Tensor2D[];
    const H = arch.hidden;
    let xin: tf.Tensor2D = tf.reshape(X, [B * n, m]);
    if (arch.wEveryStep) {
      const thRep = tf.reshape(tf.tile(tf.expandDims(th, 1), [1, n, 1]), [B * n, p]);
      xin = tf.concat([xin, thRep], 1) as tf.Tensor2D;
    }
    const gx = tf.reshape(tf.add(tf.matMul(xin, Wx), bg), [B, n, 3 * H]);
    let h: tf.Tensor2D = tf.zeros([B, H]);
    for (let i = 0; i < n; i++) {
      const g = tf.reshape(tf.slice(gx, [0, i, 0], [B, 1, 3 * H]), [B, 3 * H]);
      const zr = tf.sigmoid(tf.add(tf.slice(g, [0, 0], [B, 2 * H]), tf.matMul(h, Uzr)));
      const z = tf.slice(zr, [0, 0], [B, H]);
      const r = tf.slice(zr, [0, H], [B, H]);
      const hh = tf.tanh(tf.add(tf.slice(g, [0, 2 * H], [B, H]), tf.matMul(tf.mul(r, h), Uh)));
      h = tf.add(h, tf.mul(z, tf.sub(hh, h))) as tf.Tensor2D; // (1 − z)⊙h + z⊙ĥ
    }
    const a = tf.relu(tf.add(tf.matMul(tf.concat([h, th], 1), Wh1), bh1)) as tf.Tensor2D;
    return tf.add(w, tf.add(tf.matMul(a, Wh2), bh2)) as tf.Tensor2D;
  }
  let out: tf.Tensor2D = w;
  for (let h = 0; h < vars.length; h += 2) {
    const [A, V] = [vars[h], vars[h + 1]] as tf.Tensor2D[];
    const key = tf.matMul(th, A, false, true); // [B, m] = (A w̃)ᵀ
    const s = tf.reshape(tf.matMul(X, tf.reshape(key, [B, m, 1])), [B, n]); // s_i = x_iᵀ A w̃
    const att = tf.softmax(s); // over i
    const z = tf.reshape(tf.matMul(tf.reshape(att, [B, 1, n]), X), [B, m]); // Σ_i a_i x_i
    out = tf.add(out, tf.matMul(z, V, false, true)) as tf.Tensor2D;
  }
  return out;
}

/**
 * Upload parameters as float32 tensors (in {@linkcode paramShapes} order).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { type Arch, initModel, type ModelDims, paramsToTf } from "./models.ts";
 * await initTf();
 * const arch: Arch = { kind: "softmax" }, dims: ModelDims = { m: 9, p: 5, nTrain: 3 };
 * const params = initModel(arch, dims, new Rng(0));
 * const vars = paramsToTf(params); // one tensor per entry of paramShapes(arch, dims)
 * tf.dispose(vars);
 * ```
 */
export function paramsToTf(params: ModelParams): tf.Tensor[] {
  return params.values.map((v, i) => tf.tensor(v, params.shapes[i]));
}

/**
 * Teacher-mimicking loss `½ · mean_b ‖out_b − target_b‖²` (MATH §6, mean over the batch) and its
 * gradient with respect to every parameter, by tfjs autodiff (float32).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { type Arch, initModel, lossAndGrads, type ModelDims } from "./models.ts";
 * await initTf();
 * const arch: Arch = { kind: "softmax" }, dims: ModelDims = { m: 9, p: 5, nTrain: 3 };
 * const params = initModel(arch, dims, new Rng(0));
 * const X = tf.ones([2, 3, 9]) as tf.Tensor3D, th = tf.ones([2, 5]) as tf.Tensor2D;
 * const target = tf.zeros([2, 4]) as tf.Tensor2D;
 * const { loss, grads } = lossAndGrads(params, X, th, target); // grads[i] like params.values[i]
 * tf.dispose([X, th, target]);
 * ```
 */
export function lossAndGrads(
  params: ModelParams,
  X: tf.Tensor3D,
  th: tf.Tensor2D,
  target: tf.Tensor2D,
): { loss: number; grads: Float32Array[] } {
  let res: { loss: number; grads: Float32Array[] } | null = null;
  tf.tidy(() => {
    const vars = paramsToTf(params);
    const B = X.shape[0];
    const f = (...v: tf.Tensor[]) => {
      const out = forwardTf(params.arch, params.dims, v, X, th);
      return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(out, target)))), B) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(vars);
    res = { loss: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
  return res!;
}

/**
 * Batched prediction in float32 from float64 host buffers: tokens `X` (`B·n·m`, row-major) and
 * parameter vectors `theta` (`B·(p−1)`, the current `w`s) → new `w`s (`B·(p−1)`, float64).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { type Arch, initModel, type ModelDims, predictBatch } from "./models.ts";
 * await initTf();
 * const arch: Arch = { kind: "softmax" }, dims: ModelDims = { m: 9, p: 5, nTrain: 3 };
 * const params = initModel(arch, dims, new Rng(0));
 * const B = 2, n = 3;
 * const outs = predictBatch(params, new Float64Array(B * n * 9), new Float64Array(B * 4), B, n);
 * outs.length; // B·(p−1) = 8
 * ```
 */
export function predictBatch(
  params: ModelParams,
  X: Float64Array,
  theta: Float64Array,
  B: number,
  n: number,
): Float64Array {
  const { m, p } = params.dims;
  if (X.length !== B * n * m) throw new RangeError(`X has ${X.length} entries, need ${B * n * m}`);
  if (theta.length !== B * (p - 1)) {
    throw new RangeError(`theta has ${theta.length} entries, need ${B * (p - 1)}`);
  }
  const thBuf = new Float32Array(B * p);
  for (let b = 0; b < B; b++) {
    thBuf[b * p] = 1;
    for (let k = 0; k < p - 1; k++) thBuf[b * p + 1 + k] = theta[b * (p - 1) + k];
  }
  let out: Float64Array | null = null;
  tf.tidy(() => {
    const vars = paramsToTf(params);
    const Xt = tf.tensor3d(Float32Array.from(X), [B, n, m]);
    const th = tf.tensor2d(thBuf, [B, p]);
    out = Float64Array.from(forwardTf(params.arch, params.dims, vars, Xt, th).dataSync());
  });
  return out!;
}
