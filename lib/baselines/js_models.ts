/**
 * The learners of the "does attention matter?" comparison (MATH §8.5, last bullet) in **float64**
 * with hand-written gradients, on one flat parameter vector each, so every learner — the LSA block
 * and its alternatives — trains on the same engine, optimiser and precision.
 *
 * - The baselines of `models.ts` (`mlp`, `gru`, `softmax` with 1 or 2 heads): same formulas and the
 *   same parameter layout (the `paramShapes` order, row-major, concatenated), so a flat vector here
 *   and a `ModelParams` there describe the same model; `tests/baselines/js_models_test.ts` checks
 *   the forward pass against the tfjs one and every gradient against finite differences.
 * - The LSA block (`{ kind: "lsa", param }`): restricted (`P12`, `V̄21`) or full (`P`, `V`), by the
 *   hand gradients of `icrl/grad.ts` and the initialisation of `train/params.ts` (MATH §6).
 *
 * A learner maps a prompt (n tokens `x_i ∈ R^m` and the current `w ∈ R^{p−1}`) to the new `w`; the
 * loss of a batch is `mean_b ½‖out_b − target_b‖²`, as in MATH §6.
 *
 * @module
 */

import { type Arch, initModel, type ModelDims, paramCount, validateArch } from "./models.ts";
import { Rng } from "../core/rng.ts";
import { assertInt } from "../core/validate.ts";
import { fullView, restrictedSize, restrictedView } from "../icrl/lsa.ts";
import { lsaReadout } from "../icrl/lsa.ts";
import { buildPrompt } from "../icrl/prompt.ts";
import { restrictedForward, restrictedScratch } from "../icrl/restricted.ts";
import { DEFAULT_TASK, type TaskSpec } from "../icrl/tasks.ts";
import { initParams } from "../train/params.ts";
import { trainingInitStream } from "../core/streams.ts";

/** A learner of the comparison: a baseline architecture or the LSA block. */
export type LearnerArch = Arch | { kind: "lsa"; param: "restricted" | "full" };

/** A learner as a float64 function of a flat parameter vector. */
export interface Engine {
  /** The architecture. */
  arch: LearnerArch;
  /** Prompt dimensions. */
  dims: ModelDims;
  /** Number of parameters (the flat vector's length). */
  size: number;
  /**
   * Loss `mean_b ½‖out_b − target_b‖²` over `B` prompts of `n` tokens; its gradient is written
   * into `grad` (overwritten). `Xs[b]`: n·m tokens, `thetas[b]`: w (p−1), `targets[b]`: p−1.
   */
  lossGrad(
    params: Float64Array,
    Xs: Float64Array[],
    thetas: ArrayLike<number>[],
    targets: ArrayLike<number>[],
    B: number,
    n: number,
    grad: Float64Array,
  ): number;
  /** `out ← ` the new w for one prompt of `n` tokens (any n ≥ 1). */
  predict(
    params: Float64Array,
    X: Float64Array,
    theta: ArrayLike<number>,
    n: number,
    out: Float64Array,
  ): void;
}

/**
 * Validate a learner architecture (baselines via `validateArch`); throws naming the bad field.
 *
 * @example
 * ```ts
 * import { validateLearnerArch } from "./js_models.ts";
 * validateLearnerArch({ kind: "lsa", param: "restricted" });
 * ```
 */
export function validateLearnerArch(arch: LearnerArch): LearnerArch {
  if (arch !== null && typeof arch === "object" && arch.kind === "lsa") {
    for (const k of Object.keys(arch)) {
      if (k !== "kind" && k !== "param") throw new RangeError(`unknown key arch.${k} for "lsa"`);
    }
    if (arch.param !== "restricted" && arch.param !== "full") {
      throw new RangeError(
        `arch.param must be "restricted" or "full", got ${JSON.stringify(arch.param)}`,
      );
    }
    return arch;
  }
  return validateArch(arch as Arch);
}

/**
 * Trainable parameters of a learner.
 *
 * @example
 * ```ts
 * import { learnerParamCount } from "./js_models.ts";
 * const dims = { m: 73, p: 37, nTrain: 20 };
 * learnerParamCount({ kind: "lsa", param: "restricted" }, dims); // 5329
 * learnerParamCount({ kind: "softmax", heads: 2 }, dims); // 10658
 * ```
 */
export function learnerParamCount(arch: LearnerArch, dims: ModelDims): number {
  validateLearnerArch(arch);
  if (arch.kind === "lsa") {
    const D = dims.m + dims.p;
    return arch.param === "restricted" ? restrictedSize(dims.m, dims.p) : 2 * D * D;
  }
  return paramCount(arch, dims);
}

/**
 * Multiply–adds of one forward pass on a prompt of `n` tokens (the cost that FLOP matching
 * compares; a training step costs about three times this). Elementwise nonlinearities are not
 * counted.
 *
 * @example
 * ```ts
 * import { forwardMacs } from "./js_models.ts";
 * const dims = { m: 73, p: 37, nTrain: 20 };
 * forwardMacs({ kind: "lsa", param: "restricted" }, dims, 20); // 8249 = m·p + 2·n·m + (p−1)·m
 * ```
 */
export function forwardMacs(arch: LearnerArch, dims: ModelDims, n: number): number {
  validateLearnerArch(arch);
  assertInt("n", n, 1);
  const { m, p, nTrain } = dims, q = p - 1;
  switch (arch.kind) {
    case "lsa": {
      if (arch.param === "restricted") return m * p + 2 * n * m + q * m;
      const D = m + p;
      return D * D + 2 * (n + 1) * D + q * D;
    }
    case "softmax":
      return (arch.heads ?? 1) * (m * p + 2 * n * m + q * m);
    case "mlp": {
      const H = arch.hidden;
      return (nTrain * m + p) * H + H * H + H * q;
    }
    case "gru": {
      const H = arch.hidden, G = arch.head, inp = arch.wEveryStep ? m + p : m;
      return n * (inp * 3 * H + 3 * H * H) + (H + p) * G + G * q;
    }
  }
}

/**
 * Initial flat parameters of a learner for the training run with seed `seed`: the LSA block as in
 * MATH §6 (`initParams` on `trainingInitStream(seed)`, Xavier gain `gain`), a baseline as
 * `initModel(arch, dims, new Rng(seed).fork("init"), gain)` (the tfjs trainer's initialisation,
 * widened to float64).
 *
 * @example
 * ```ts
 * import { initLearner } from "./js_models.ts";
 * const w0 = initLearner({ kind: "mlp", hidden: 3 }, { m: 73, p: 37, nTrain: 20 }, 0, 0.1);
 * w0.length; // 4650
 * ```
 */
export function initLearner(
  arch: LearnerArch,
  dims: ModelDims,
  seed: number,
  gain: number,
): Float64Array {
  validateLearnerArch(arch);
  if (arch.kind === "lsa") {
    const task = lsaTask(dims);
    return Float64Array.from(initParams(task, arch.param, gain, trainingInitStream(seed)).flat);
  }
  const params = initModel(arch, dims, new Rng(seed).fork("init"), gain);
  const flat = new Float64Array(paramCount(arch, dims));
  let o = 0;
  for (const v of params.values) {
    flat.set(v, o);
    o += v.length;
  }
  return flat;
}

function lsaTask(dims: ModelDims): TaskSpec {
  const d = dims.p - 1;
  if (dims.m !== 2 * d + 1) {
    throw new RangeError(`LSA learner needs m = 2(p−1)+1, got m = ${dims.m}, p = ${dims.p}`);
  }
  return { ...DEFAULT_TASK, d, nS: d, nA: 1, n: dims.nTrain };
}

/**
 * The float64 engine of a learner.
 *
 * @example
 * ```ts
 * import { engine, initLearner } from "./js_models.ts";
 * const dims = { m: 5, p: 3, nTrain: 4 };
 * const arch = { kind: "gru" as const, hidden: 3, head: 4 };
 * const e = engine(arch, dims), params = initLearner(arch, dims, 0, 1);
 * const out = new Float64Array(2);
 * e.predict(params, new Float64Array(4 * 5).fill(0.5), [0.1, -0.2], 4, out); // the new w
 * ```
 */
export function engine(arch: LearnerArch, dims: ModelDims): Engine {
  validateLearnerArch(arch);
  assertInt("dims.m", dims.m, 1);
  assertInt("dims.p", dims.p, 2);
  assertInt("dims.nTrain", dims.nTrain, 1);
  switch (arch.kind) {
    case "lsa":
      return lsaEngine(arch, dims);
    case "mlp":
      return mlpEngine(arch, dims);
    case "gru":
      return gruEngine(arch, dims);
    case "softmax":
      return softmaxEngine(arch, dims);
  }
}

function lsaEngine(arch: { kind: "lsa"; param: "restricted" | "full" }, dims: ModelDims): Engine {
  const { m, p } = dims, q = p - 1, D = m + p;
  const size = learnerParamCount(arch, dims);
  const scratch = new Map<number, ReturnType<typeof restrictedScratch>>();
  const sc = (n: number) => {
    let s = scratch.get(n);
    if (!s) scratch.set(n, s = restrictedScratch(m, p, n));
    return s;
  };
  const th = new Float64Array(p), u = new Float64Array(D), z = new Float64Array(D);
  const y = new Float64Array(D), t = new Float64Array(D);
  let s = new Float64Array(0), inv = 1;
  // Σ̂-type products over the prompt's columns: out = Σ_i c_i (c_iᵀ v) over the n tokens (rows < m)
  // and, for the full block, the parameter column h_n = [0; w̃] (rows m … D−1).
  const gram = (X: Float64Array, n: number, v: Float64Array, out: Float64Array, full: boolean) => {
    if (s.length < n) s = new Float64Array(n);
    out.fill(0);
    for (let i = 0; i < n; i++) {
      let acc = 0;
      const o = i * m;
      for (let r = 0; r < m; r++) acc += X[o + r] * v[r];
      s[i] = acc;
      for (let r = 0; r < m; r++) out[r] += acc * X[o + r];
    }
    if (full) {
      let acc = 0;
      for (let k = 0; k < p; k++) acc += th[k] * v[m + k];
      for (let k = 0; k < p; k++) out[m + k] = acc * th[k];
    }
  };
  const setTheta = (w: ArrayLike<number>) => {
    th[0] = 1;
    for (let k = 0; k < q; k++) th[k + 1] = w[k];
  };
  if (arch.param === "restricted") {
    const oV = m * p;
    const forward: Forward = (P, X, w, n) => {
      inv = 1 / n;
      setTheta(w);
      for (let r = 0; r < m; r++) {
        let acc = 0;
        const row = r * p;
        for (let l = 0; l < p; l++) acc += P[row + l] * th[l];
        u[r] = acc;
      }
      gram(X, n, u, z, false);
      for (let r = 0; r < m; r++) z[r] *= inv;
    };
    const output: Output = (P, w, out) => {
      for (let k = 0; k < q; k++) {
        let acc = w[k];
        const row = oV + k * m;
        for (let r = 0; r < m; r++) acc += P[row + r] * z[r];
        out[k] = acc;
      }
    };
    const backward: Backward = (P, X, n, e, grad) => {
      y.fill(0, 0, m);
      for (let k = 0; k < q; k++) {
        const g = e[k], row = oV + k * m;
        for (let r = 0; r < m; r++) {
          grad[row + r] += g * z[r];
          y[r] += P[row + r] * g;
        }
      }
      gram(X, n, y, t, false);
      for (let r = 0; r < m; r++) {
        const tr = t[r] * inv, row = r * p;
        for (let l = 0; l < p; l++) grad[row + l] += tr * th[l];
      }
    };
    return {
      ...promptEngine(arch, dims, size, forward, output, backward),
      predict(params, X, theta, n, out) {
        out.set(restrictedForward(restrictedView(params, m, p), X, n, theta, sc(n)).subarray(0, q));
      },
    };
  }
  const oV = D * D;
  const forward: Forward = (P, X, w, n) => {
    inv = 1 / n;
    setTheta(w);
    // u = P h_n, h_n = [0; w̃]: only the last p columns of P.
    for (let r = 0; r < D; r++) {
      let acc = 0;
      const row = r * D + m;
      for (let l = 0; l < p; l++) acc += P[row + l] * th[l];
      u[r] = acc;
    }
    gram(X, n, u, z, true); // z = H Hᵀ P h_n
  };
  const output: Output = (P, w, out) => {
    for (let k = 0; k < q; k++) {
      const row = oV + (m + 1 + k) * D;
      let acc = 0;
      for (let r = 0; r < D; r++) acc += P[row + r] * z[r];
      out[k] = w[k] + acc * inv;
    }
  };
  const backward: Backward = (P, X, n, e, grad) => {
    y.fill(0);
    for (let k = 0; k < q; k++) {
      const g = e[k], row = oV + (m + 1 + k) * D;
      for (let r = 0; r < D; r++) {
        grad[row + r] += g * inv * z[r];
        y[r] += P[row + r] * g;
      }
    }
    gram(X, n, y, t, true); // t = H Hᵀ V_rowsᵀ e
    for (let r = 0; r < D; r++) {
      const tr = t[r] * inv, row = r * D + m;
      for (let l = 0; l < p; l++) grad[row + l] += tr * th[l];
    }
  };
  return {
    ...promptEngine(arch, dims, size, forward, output, backward),
    predict(params, X, theta, n, out) {
      out.set(lsaReadout(fullView(params, D), buildPrompt(X, n, m, theta)));
    },
  };
}

/** A learner's forward pass on one prompt, into the engine's buffers. */
type Forward = (P: Float64Array, X: Float64Array, theta: ArrayLike<number>, n: number) => void;
/** `out ←` the new w from the buffers of the last forward pass. */
type Output = (P: Float64Array, theta: ArrayLike<number>, out: Float64Array) => void;
/** Add the gradient of one prompt into `grad`, given `e = ∂loss/∂out` (already divided by B). */
type Backward = (
  P: Float64Array,
  X: Float64Array,
  n: number,
  e: Float64Array,
  grad: Float64Array,
) => void;

/**
 * The engine of a learner given by its forward pass, read-out and backward pass: the loss
 * `mean_b ½‖out_b − target_b‖²` and its gradient, one prompt after the other.
 */
function promptEngine(
  arch: LearnerArch,
  dims: ModelDims,
  size: number,
  forward: Forward,
  output: Output,
  backward: Backward,
): Engine {
  const q = dims.p - 1, e = new Float64Array(q);
  return {
    arch,
    dims,
    size,
    lossGrad(P, Xs, thetas, targets, B, n, grad) {
      grad.fill(0);
      let loss = 0;
      for (let b = 0; b < B; b++) {
        const X = Xs[b];
        forward(P, X, thetas[b], n);
        output(P, thetas[b], e);
        for (let k = 0; k < q; k++) {
          const ek = e[k] - targets[b][k];
          loss += 0.5 * ek * ek;
          e[k] = ek / B;
        }
        backward(P, X, n, e, grad);
      }
      return loss / B;
    },
    predict(P, X, theta, n, out) {
      forward(P, X, theta, n);
      output(P, theta, out);
    },
  };
}

/**
 * `out[outOff + j] += Σ_i a[aOff + i] · P[oW + i·nOut + j]` (i < nIn, j < nOut): the rows of the
 * weight matrix at `oW` weighted by the input, a zero input skipped.
 */
function addWeightedRows(
  P: Float64Array,
  oW: number,
  a: ArrayLike<number>,
  aOff: number,
  nIn: number,
  out: Float64Array,
  outOff: number,
  nOut: number,
): void {
  for (let i = 0; i < nIn; i++) {
    const ai = a[aOff + i];
    if (ai === 0) continue;
    const row = oW + i * nOut;
    for (let j = 0; j < nOut; j++) out[outOff + j] += ai * P[row + j];
  }
}

/** `out = ReLU(b + aᵀW)`: the dense layer of W (at `oW`, nIn × nOut) and b (at `ob`). */
function denseRelu(
  P: Float64Array,
  oW: number,
  ob: number,
  a: ArrayLike<number>,
  nIn: number,
  out: Float64Array,
  nOut: number,
): void {
  for (let j = 0; j < nOut; j++) out[j] = P[ob + j];
  addWeightedRows(P, oW, a, 0, nIn, out, 0, nOut);
  for (let j = 0; j < nOut; j++) if (out[j] < 0) out[j] = 0;
}

/** `out = θ + b + aᵀW` (W at `oW`, nIn × q; b at `ob`): the read-out as an update of w. */
function residualHead(
  P: Float64Array,
  oW: number,
  ob: number,
  a: ArrayLike<number>,
  nIn: number,
  theta: ArrayLike<number>,
  out: Float64Array,
  q: number,
): void {
  for (let k = 0; k < q; k++) out[k] = theta[k] + P[ob + k];
  addWeightedRows(P, oW, a, 0, nIn, out, 0, q);
}

/** `grad[oW + i·nOut + j] += a[i] · d[j]` (i < nIn, j < nOut), a zero `a[i]` skipped. */
function addOuter(
  grad: Float64Array,
  oW: number,
  a: ArrayLike<number>,
  nIn: number,
  d: ArrayLike<number>,
  nOut: number,
): void {
  for (let i = 0; i < nIn; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    const row = oW + i * nOut;
    for (let j = 0; j < nOut; j++) grad[row + j] += ai * d[j];
  }
}

/**
 * Backward pass of a dense layer `y = b + aᵀW` (W at `oW`, nIn × nOut; b at `ob`) whose input
 * `a ≥ 0` came out of a ReLU: adds `d = ∂/∂y` into the gradients of b and W, and writes
 * `dIn = ∂/∂(the ReLU's input)` (`Wd` where `a > 0`, else 0).
 */
function denseReluBackward(
  P: Float64Array,
  grad: Float64Array,
  oW: number,
  ob: number,
  a: Float64Array,
  nIn: number,
  d: Float64Array,
  nOut: number,
  dIn: Float64Array,
): void {
  for (let j = 0; j < nOut; j++) grad[ob + j] += d[j];
  for (let i = 0; i < nIn; i++) {
    const ai = a[i];
    let s = 0;
    const row = oW + i * nOut;
    for (let j = 0; j < nOut; j++) {
      if (ai !== 0) grad[row + j] += ai * d[j];
      s += P[row + j] * d[j];
    }
    dIn[i] = ai > 0 ? s : 0;
  }
}

function mlpEngine(arch: { kind: "mlp"; hidden: number }, dims: ModelDims): Engine {
  const { m, p, nTrain } = dims, q = p - 1, H = arch.hidden, inp = nTrain * m + p;
  const oW1 = 0, ob1 = inp * H, oW2 = ob1 + H, ob2 = oW2 + H * H, oW3 = ob2 + H, ob3 = oW3 + H * q;
  const size = ob3 + q;
  const x = new Float64Array(inp), h1 = new Float64Array(H), h2 = new Float64Array(H);
  const dh1 = new Float64Array(H), dh2 = new Float64Array(H);
  const forward: Forward = (P, X, theta, n) => {
    const keep = Math.min(n, nTrain) * m;
    for (let i = 0; i < keep; i++) x[i] = X[i];
    x.fill(0, keep, nTrain * m);
    x[nTrain * m] = 1;
    for (let k = 0; k < q; k++) x[nTrain * m + 1 + k] = theta[k];
    denseRelu(P, oW1, ob1, x, inp, h1, H);
    denseRelu(P, oW2, ob2, h1, H, h2, H);
  };
  const output: Output = (P, theta, out) => residualHead(P, oW3, ob3, h2, H, theta, out, q);
  return promptEngine(arch, dims, size, forward, output, (P, _X, _n, e, grad) => {
    denseReluBackward(P, grad, oW3, ob3, h2, H, e, q, dh2);
    denseReluBackward(P, grad, oW2, ob2, h1, H, dh2, H, dh1);
    for (let j = 0; j < H; j++) grad[ob1 + j] += dh1[j];
    addOuter(grad, oW1, x, inp, dh1, H);
  });
}

function gruEngine(
  arch: { kind: "gru"; hidden: number; head: number; wEveryStep?: boolean },
  dims: ModelDims,
): Engine {
  const { m, p } = dims, q = p - 1, H = arch.hidden, G = arch.head;
  const wes = arch.wEveryStep === true, inp = wes ? m + p : m, H3 = 3 * H, H2 = 2 * H;
  const oWx = 0, oUzr = inp * H3, oUh = oUzr + H * H2, obg = oUh + H * H, oWh1 = obg + H3;
  const obh1 = oWh1 + (H + p) * G, oWh2 = obh1 + G, obh2 = oWh2 + G * q;
  const size = obh2 + q;
  let cap = 0;
  let hs = new Float64Array(0), zs = hs, rs = hs, hhs = hs;
  const ensure = (n: number) => {
    if (n <= cap) return;
    cap = n;
    hs = new Float64Array((n + 1) * H);
    zs = new Float64Array(n * H);
    rs = new Float64Array(n * H);
    hhs = new Float64Array(n * H);
  };
  const th = new Float64Array(p), g = new Float64Array(H3), rh = new Float64Array(H);
  const u = new Float64Array(H + p), a1 = new Float64Array(G);
  const da1 = new Float64Array(G), dh = new Float64Array(H), dhp = new Float64Array(H);
  const dg = new Float64Array(H3), drh = new Float64Array(H);
  const xin = new Float64Array(inp);
  const input = (X: Float64Array, i: number): Float64Array => {
    for (let k = 0; k < m; k++) xin[k] = X[i * m + k];
    if (wes) { for (let k = 0; k < p; k++) xin[m + k] = th[k]; }
    return xin;
  };
  const forward: Forward = (P, X, theta, n) => {
    ensure(n);
    th[0] = 1;
    for (let k = 0; k < q; k++) th[k + 1] = theta[k];
    hs.fill(0, 0, H);
    for (let i = 0; i < n; i++) {
      const x = input(X, i);
      for (let j = 0; j < H3; j++) g[j] = P[obg + j];
      for (let r = 0; r < inp; r++) {
        const xr = x[r];
        const row = oWx + r * H3;
        for (let j = 0; j < H3; j++) g[j] += xr * P[row + j];
      }
      const h0 = i * H, h1 = (i + 1) * H;
      addWeightedRows(P, oUzr, hs, h0, H, g, 0, H2);
      for (let j = 0; j < H; j++) {
        const z = 1 / (1 + Math.exp(-g[j])), rr = 1 / (1 + Math.exp(-g[H + j]));
        zs[i * H + j] = z;
        rs[i * H + j] = rr;
        rh[j] = rr * hs[h0 + j];
      }
      addWeightedRows(P, oUh, rh, 0, H, g, H2, H);
      for (let j = 0; j < H; j++) {
        const hh = Math.tanh(g[H2 + j]);
        hhs[i * H + j] = hh;
        const z = zs[i * H + j];
        hs[h1 + j] = hs[h0 + j] + z * (hh - hs[h0 + j]);
      }
    }
    for (let j = 0; j < H; j++) u[j] = hs[n * H + j];
    for (let k = 0; k < p; k++) u[H + k] = th[k];
    denseRelu(P, oWh1, obh1, u, H + p, a1, G);
  };
  const output: Output = (P, theta, out) => residualHead(P, oWh2, obh2, a1, G, theta, out, q);
  return promptEngine(arch, dims, size, forward, output, (P, X, n, e, grad) => {
    // head
    denseReluBackward(P, grad, oWh2, obh2, a1, G, e, q, da1);
    for (let j = 0; j < G; j++) grad[obh1 + j] += da1[j];
    for (let r = 0; r < H + p; r++) {
      const v = u[r];
      let s = 0;
      const row = oWh1 + r * G;
      for (let j = 0; j < G; j++) {
        grad[row + j] += v * da1[j];
        s += P[row + j] * da1[j];
      }
      if (r < H) dh[r] = s;
    }
    // through time
    for (let i = n - 1; i >= 0; i--) {
      const h0 = i * H;
      for (let j = 0; j < H; j++) {
        const z = zs[h0 + j], rr = rs[h0 + j], hh = hhs[h0 + j], hp = hs[h0 + j];
        const d = dh[j];
        const da = d * z * (1 - hh * hh);
        dg[H2 + j] = da;
        dg[j] = d * (hh - hp) * z * (1 - z);
        dhp[j] = d * (1 - z);
        rh[j] = rr * hp;
      }
      for (let r = 0; r < H; r++) {
        let s = 0;
        const row = oUh + r * H, v = rh[r];
        for (let j = 0; j < H; j++) {
          grad[row + j] += v * dg[H2 + j];
          s += P[row + j] * dg[H2 + j];
        }
        drh[r] = s;
      }
      for (let j = 0; j < H; j++) {
        const rr = rs[h0 + j], hp = hs[h0 + j];
        dg[H + j] = drh[j] * hp * rr * (1 - rr);
        dhp[j] += drh[j] * rr;
      }
      for (let r = 0; r < H; r++) {
        const hr = hs[h0 + r];
        let s = 0;
        const row = oUzr + r * H2;
        for (let j = 0; j < H2; j++) {
          grad[row + j] += hr * dg[j];
          s += P[row + j] * dg[j];
        }
        dhp[r] += s;
      }
      for (let j = 0; j < H3; j++) grad[obg + j] += dg[j];
      addOuter(grad, oWx, input(X, i), inp, dg, H3);
      dh.set(dhp);
    }
  });
}

function softmaxEngine(arch: { kind: "softmax"; heads?: number }, dims: ModelDims): Engine {
  const { m, p } = dims, q = p - 1, heads = arch.heads ?? 1;
  const headSize = m * p + q * m, size = heads * headSize;
  const th = new Float64Array(p), key = new Float64Array(m);
  let cap = 0;
  let da = new Float64Array(0);
  const zs = Array.from({ length: heads }, () => new Float64Array(m));
  const atts: Float64Array[] = [];
  const dz = new Float64Array(m), dkey = new Float64Array(m);
  const ensure = (n: number) => {
    if (n <= cap) return;
    cap = n;
    da = new Float64Array(n);
    atts.length = 0;
    for (let h = 0; h < heads; h++) atts.push(new Float64Array(n));
  };
  const forward: Forward = (P, X, theta, n) => {
    ensure(n);
    th[0] = 1;
    for (let k = 0; k < q; k++) th[k + 1] = theta[k];
    for (let h = 0; h < heads; h++) {
      const oA = h * headSize;
      for (let r = 0; r < m; r++) {
        let s = 0;
        const row = oA + r * p;
        for (let l = 0; l < p; l++) s += P[row + l] * th[l];
        key[r] = s;
      }
      const a = atts[h];
      let mx = -Infinity;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += X[i * m + r] * key[r];
        a[i] = s;
        if (s > mx) mx = s;
      }
      let Z = 0;
      for (let i = 0; i < n; i++) Z += a[i] = Math.exp(a[i] - mx);
      const z = zs[h];
      z.fill(0);
      for (let i = 0; i < n; i++) {
        const w = (a[i] /= Z);
        for (let r = 0; r < m; r++) z[r] += w * X[i * m + r];
      }
    }
  };
  const output: Output = (P, theta, out) => {
    for (let k = 0; k < q; k++) out[k] = theta[k];
    for (let h = 0; h < heads; h++) {
      const oV = h * headSize + m * p, z = zs[h];
      for (let k = 0; k < q; k++) {
        let s = 0;
        const row = oV + k * m;
        for (let r = 0; r < m; r++) s += P[row + r] * z[r];
        out[k] += s;
      }
    }
  };
  return promptEngine(arch, dims, size, forward, output, (P, X, n, e, grad) => {
    for (let h = 0; h < heads; h++) {
      const oA = h * headSize, oV = oA + m * p, z = zs[h], a = atts[h];
      dz.fill(0);
      for (let k = 0; k < q; k++) {
        const ek = e[k], row = oV + k * m;
        for (let r = 0; r < m; r++) {
          grad[row + r] += ek * z[r];
          dz[r] += P[row + r] * ek;
        }
      }
      let sum = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += X[i * m + r] * dz[r];
        da[i] = s;
        sum += a[i] * s;
      }
      dkey.fill(0);
      for (let i = 0; i < n; i++) {
        const ds = a[i] * (da[i] - sum);
        if (ds === 0) continue;
        for (let r = 0; r < m; r++) dkey[r] += ds * X[i * m + r];
      }
      for (let r = 0; r < m; r++) {
        const dk = dkey[r], row = oA + r * p;
        for (let l = 0; l < p; l++) grad[row + l] += dk * th[l];
      }
    }
  });
}
