/**
 * One interface, three backends for training and running the bandit transformer (MATH §9):
 *
 * - `tfjs-wasm` — tfjs's autodiff on its wasm backend (the reference path; one thread);
 * - `wasm` — this project's WebAssembly SIMD kernels on a pool of Workers (`wasm_engine.ts`);
 * - `webgpu` — the same tfjs model on `@tensorflow/tfjs-backend-webgpu` through Deno's
 *   `navigator.gpu` (a GPU, or Mesa's lavapipe software adapter where there is none).
 *
 * `auto` picks `wasm`, the fastest measured on a CPU (README Performance). Every backend trains
 * with the same loss (mean cross-entropy over all positions) and the same AdamW. tfjs has one
 * global backend per process, so a `tfjs-wasm` and a `webgpu` engine should not be used at once.
 *
 * @module
 */

import type { TransformerConfig, TransformerWeights } from "../model_config.ts";
import { validateTransformerConfig, validateWeights, weightShapes } from "../model_config.ts";
import { type OptimizerConfig, validateOptimizer, WasmEngine } from "./wasm_engine.ts";
import { checkBatch } from "./reference.ts";
import { assertInt } from "../../core/validate.ts";

/** The engine backends. */
export type EngineBackend = "tfjs-wasm" | "wasm" | "webgpu";

/** Every backend name, in the bench's order. */
export const ENGINE_BACKENDS: readonly EngineBackend[] = ["tfjs-wasm", "wasm", "webgpu"];

/** Options of {@linkcode createEngine}. */
export interface EngineOptions {
  /** Backend, or `auto` (= `wasm`). */
  backend?: EngineBackend | "auto";
  /** Workers of the wasm backend (default: one per core). */
  workers?: number;
  /** Largest batch (trajectories) a call may pass. */
  maxBatch: number;
  /** Accept a software WebGPU adapter (tests on machines without a GPU). */
  allowFallbackGpu?: boolean;
}

/** A trainable bandit transformer on one backend. */
export interface TransformerEngine {
  /** The backend that runs it. */
  readonly backend: EngineBackend;
  /** Threads it computes on (wasm: workers; tfjs: 1). */
  readonly workers: number;
  /** What runs it, in words (adapter name, relaxed SIMD or not). */
  readonly device: string;
  /** Replace the weights and reset the optimiser. */
  setWeights(w: TransformerWeights): void;
  /** A copy of the weights. */
  getWeights(): TransformerWeights;
  /** Mean cross-entropy of a batch and its gradient per weight (float32). */
  lossGrad(
    tokens: Float32Array,
    targets: Int32Array,
    batch: number,
    len: number,
  ): Promise<{ loss: number; grads: TransformerWeights }>;
  /** One AdamW step; returns the batch's loss before it. Divergence throws (step, lr). */
  trainStep(tokens: Float32Array, targets: Int32Array, batch: number, len: number): Promise<number>;
  /** Logits, `batch × len × A`. */
  logits(tokens: Float32Array, batch: number, len: number): Promise<Float32Array>;
  /** Free workers, tensors, GPU buffers. */
  dispose(): void;
  /** AdamW's state for checkpoints (wasm backend; others throw). */
  optimizerState(): { step: number; m: Float32Array; v: Float32Array };
  /** Restore a saved AdamW state (wasm backend; others throw). */
  setOptimizerState(s: { step: number; m: ArrayLike<number>; v: ArrayLike<number> }): void;
}

/**
 * The engine backend named by `--backend NAME` / `--backend=NAME` in `args`, else `env`
 * (`ICRL_ENGINE`), else `auto`. Unknown names throw naming them.
 *
 * @example
 * ```ts
 * parseEngineBackend(["--backend", "webgpu"]); // "webgpu"
 * parseEngineBackend([]); // "auto"
 * ```
 */
export function parseEngineBackend(args: readonly string[], env?: string): EngineBackend | "auto" {
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--backend") name = args[i + 1] ?? "";
    else if (args[i].startsWith("--backend=")) name = args[i].slice("--backend=".length);
  }
  name ??= env === undefined || env === "" ? "auto" : env;
  if (name !== "auto" && !ENGINE_BACKENDS.includes(name as EngineBackend)) {
    throw new RangeError(
      `unknown engine backend ${JSON.stringify(name)} (expected auto, ${
        ENGINE_BACKENDS.join(", ")
      })`,
    );
  }
  return name as EngineBackend | "auto";
}

/**
 * Start an engine for `cfg` with weights `w` and AdamW settings `opt`. A backend that cannot run
 * here (no WebGPU adapter, say) throws with the reason and what to install.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { initWeights } from "../model_config.ts";
 * import { createEngine } from "./engine.ts";
 * const cfg = { tokenDim: 3, numActions: 2, maxLen: 4, D: 8, layers: 1, mlpHidden: 8, heads: 2 };
 * const eng = await createEngine(cfg, initWeights(cfg, new Rng(0)),
 *   { lr: 1e-3, weightDecay: 0, clipNorm: 0 }, { backend: "wasm", workers: 1, maxBatch: 2 });
 * const logits = await eng.logits(new Float32Array(2 * 4 * 3), 2, 4); // 2 · 4 · 2 values
 * eng.dispose();
 * ```
 */
export async function createEngine(
  cfg: TransformerConfig,
  w: TransformerWeights,
  opt: OptimizerConfig,
  options: EngineOptions,
): Promise<TransformerEngine> {
  validateTransformerConfig(cfg);
  validateWeights(cfg, w);
  validateOptimizer(opt);
  assertInt("maxBatch", options.maxBatch, 1, 1 << 16);
  const backend = options.backend ?? "auto";
  if (backend !== "auto" && !ENGINE_BACKENDS.includes(backend)) {
    throw new RangeError(`unknown engine backend ${JSON.stringify(backend)}`);
  }
  if (backend === "auto" || backend === "wasm") {
    const eng = await WasmEngine.create(cfg, w, opt, {
      workers: options.workers,
      maxBatch: options.maxBatch,
    });
    return new WasmBackend(eng);
  }
  return await TfjsBackend.create(cfg, w, opt, backend, options.allowFallbackGpu ?? false);
}

/** `a + b`, disposing both. */
// deno-lint-ignore no-explicit-any
function addDispose(tf: any, a: any, b: any): any {
  const c = tf.add(a, b);
  a.dispose();
  b.dispose();
  return c;
}

class WasmBackend implements TransformerEngine {
  readonly backend = "wasm" as const;
  constructor(private readonly eng: WasmEngine) {}
  get workers() {
    return this.eng.workers;
  }
  get device() {
    return `WebAssembly SIMD (${
      this.eng.relaxed ? "relaxed-SIMD fused multiply–add" : "multiply, add"
    }), ${this.eng.workers} worker(s)`;
  }
  setWeights(w: TransformerWeights) {
    this.eng.setWeights(w);
  }
  getWeights() {
    return this.eng.getWeights();
  }
  async lossGrad(tokens: Float32Array, targets: Int32Array, batch: number, len: number) {
    const loss = await this.eng.lossGrad(tokens, targets, batch, len);
    return { loss, grads: this.eng.gradients() };
  }
  trainStep(tokens: Float32Array, targets: Int32Array, batch: number, len: number) {
    return this.eng.trainStep(tokens, targets, batch, len);
  }
  logits(tokens: Float32Array, batch: number, len: number) {
    return this.eng.logits(tokens, batch, len);
  }
  dispose() {
    this.eng.dispose();
  }
  optimizerState() {
    return this.eng.optimizerState();
  }
  setOptimizerState(s: { step: number; m: ArrayLike<number>; v: ArrayLike<number> }) {
    this.eng.setOptimizerState(s);
  }
}

class TfjsBackend implements TransformerEngine {
  readonly workers = 1;
  private step = 0;
  private constructor(
    readonly backend: EngineBackend,
    readonly device: string,
    // deno-lint-ignore no-explicit-any
    private readonly tf: any,
    // deno-lint-ignore no-explicit-any
    private readonly model: any,
    // deno-lint-ignore no-explicit-any
    private opt: any,
    private readonly cfg: TransformerConfig,
    private readonly o: OptimizerConfig,
  ) {}

  static async create(
    cfg: TransformerConfig,
    w: TransformerWeights,
    o: OptimizerConfig,
    backend: "tfjs-wasm" | "webgpu",
    allowFallback: boolean,
  ): Promise<TfjsBackend> {
    const { selectBackend, checkWebGpu } = await import("../backend.ts");
    const { tf, initTf } = await import("../../icrl/tf.ts");
    const { TransformerModel } = await import("../transformer.ts");
    const { AdamW } = await import("../adamw_tf.ts");
    let device = "tfjs wasm backend (one thread)";
    if (backend === "webgpu") {
      // deno-lint-ignore no-explicit-any
      const gpu = (navigator as any).gpu;
      device = `tfjs WebGPU: ${await checkWebGpu(gpu, allowFallback)}`;
      await selectBackend("webgpu", { allowFallback });
    } else {
      // tfjs has one global backend: switch back if a WebGPU engine ran before in this process
      await initTf("wasm");
      if (tf.getBackend() !== "wasm") {
        await tf.setBackend("wasm");
        await tf.ready();
      }
      if (tf.getBackend() !== "wasm") {
        throw new Error(
          `tfjs-wasm: tfjs could not start its wasm backend (running ${tf.getBackend()})`,
        );
      }
    }
    const model = new TransformerModel(cfg, w);
    return new TfjsBackend(backend, device, tf, model, new AdamW(o.lr, o.weightDecay), cfg, o);
  }

  setWeights(w: TransformerWeights) {
    validateWeights(this.cfg, w);
    for (const [n, shape] of weightShapes(this.cfg)) {
      this.model.vars[n].assign(this.tf.tensor(w[n], shape));
    }
    this.opt.dispose();
    this.opt = new (this.opt.constructor)(this.o.lr, this.o.weightDecay);
    this.step = 0;
  }

  getWeights() {
    return this.model.weights();
  }

  /**
   * Loss and gradients, summed over micro-batches of at most `MICRO` trajectories (tfjs keeps
   * every attention matrix of a batch alive for the backward pass: 128 trajectories of T = 200
   * with 4 heads and 8 layers would need over 600 MB in tfjs-wasm's heap).
   */
  private grads(tokens: Float32Array, targets: Int32Array, batch: number, len: number) {
    checkBatch(this.cfg, tokens, targets, batch, len);
    const tf = this.tf, F = this.cfg.tokenDim, MICRO = 16;
    // deno-lint-ignore no-explicit-any
    let value: any = null;
    // deno-lint-ignore no-explicit-any
    const sums: Record<string, any> = {};
    for (let b0 = 0; b0 < batch; b0 += MICRO) {
      const nb = Math.min(MICRO, batch - b0);
      const part = tf.tidy(() => {
        const x = tf.tensor3d(tokens.subarray(b0 * len * F, (b0 + nb) * len * F), [nb, len, F]);
        const y = targets.subarray(b0 * len, (b0 + nb) * len);
        return tf.variableGrads(
          () => this.lossOf(this.model.logits(x), y, batch * len),
          this.model.names.map((n: string) => this.model.vars[n]),
        );
      });
      value = value === null ? part.value : addDispose(tf, value, part.value);
      for (const n of this.model.names) {
        const g = part.grads[this.model.vars[n].name];
        sums[n] = sums[n] === undefined ? g : addDispose(tf, sums[n], g);
      }
    }
    return { value, grads: sums };
  }

  // deno-lint-ignore no-explicit-any
  private lossOf(logits: any, targets: Int32Array, divisor: number) {
    const tf = this.tf;
    const [B, t, A] = logits.shape;
    const logp = tf.logSoftmax(tf.reshape(logits, [B * t, A]));
    const onehot = tf.oneHot(tf.tensor1d(targets, "int32"), A);
    return tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), divisor);
  }

  async lossGrad(tokens: Float32Array, targets: Int32Array, batch: number, len: number) {
    const { value, grads } = this.grads(tokens, targets, batch, len);
    const loss = (await value.data())[0];
    const out: TransformerWeights = {};
    for (const n of this.model.names) {
      out[n] = Float32Array.from(await grads[n].data());
      grads[n].dispose();
    }
    value.dispose();
    return { loss, grads: out };
  }

  async trainStep(tokens: Float32Array, targets: Int32Array, batch: number, len: number) {
    const tf = this.tf;
    const { value, grads } = this.grads(tokens, targets, batch, len);
    try {
      const loss = (await value.data())[0];
      let gs = grads;
      const sq = (await tf.tidy(() =>
        tf.addN(Object.values(gs).map((g) => tf.sum(tf.square(g))))
      ).data())[0];
      if (!Number.isFinite(loss) || !Number.isFinite(sq)) {
        throw new Error(
          `training diverged at step ${
            this.step + 1
          } (lr ${this.o.lr}): loss ${loss}, gradient norm² ${sq}`,
        );
      }
      if (this.o.clipNorm > 0 && Math.sqrt(sq) > this.o.clipNorm) {
        const s = this.o.clipNorm / Math.sqrt(sq);
        gs = Object.fromEntries(Object.entries(gs).map(([k, g]) => [k, tf.mul(g, s)]));
        for (const g of Object.values(grads)) {
          (g as { dispose(): void }).dispose();
        }
      }
      tf.tidy(() =>
        this.opt.step(this.model.vars, gs)
      );
      for (const g of Object.values(gs)) (g as { dispose(): void }).dispose();
      this.step++;
      return loss;
    } finally {
      value.dispose();
    }
  }

  async logits(tokens: Float32Array, batch: number, len: number) {
    checkBatch(this.cfg, tokens, null, batch, len);
    const tf = this.tf;
    const y = tf.tidy(() =>
      this.model.logits(tf.tensor3d(tokens, [batch, len, this.cfg.tokenDim]))
    );
    const out = Float32Array.from(await y.data());
    y.dispose();
    return out;
  }

  dispose() {
    this.model.dispose();
    this.opt.dispose();
  }
  optimizerState(): { step: number; m: Float32Array; v: Float32Array } {
    throw new Error(`${this.backend}: checkpoints with optimiser state need the wasm backend`);
  }
  setOptimizerState(_s: unknown): void {
    throw new Error(`${this.backend}: checkpoints with optimiser state need the wasm backend`);
  }
}
