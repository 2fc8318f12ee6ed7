/**
 * The wasm backend: the bandit transformer trained by the WebAssembly SIMD kernels on a pool of
 * Workers sharing one memory (`wasm_model.ts`). A step splits the batch into fixed chunks of
 * `chunk` trajectories; workers take chunks in any order, each chunk's gradient lands in its own
 * slot, and the main thread sums the slots **in chunk order** — so the same batch gives the same
 * bits whatever the timing and the number of workers. Then it clips (optional) and applies AdamW
 * on the same memory.
 *
 * @module
 */

import type { TransformerConfig, TransformerWeights } from "../model_config.ts";
import { validateAdamW, validateWeights } from "../model_config.ts";
import { checkBatch } from "./reference.ts";
import {
  hasRelaxedSimd,
  type MemoryPlan,
  memoryPlan,
  SequencePass,
  transformerKernels,
} from "./wasm_model.ts";
import { assertInt } from "../../core/validate.ts";

/** AdamW settings (the paper: lr 1e-3, weight decay 1e-4; β₁ 0.9, β₂ 0.999, ε 1e-8). */
export interface OptimizerConfig {
  /** Learning rate. */
  lr: number;
  /** Decoupled weight decay. */
  weightDecay: number;
  /** Clip the global gradient norm to this value (0 = no clipping). */
  clipNorm: number;
}

/**
 * Check an optimiser configuration; throws naming the bad value (NaN learning rate included).
 *
 * @example
 * ```ts
 * validateOptimizer({ lr: 1e-3, weightDecay: 1e-4, clipNorm: 0 });
 * ```
 */
export function validateOptimizer(o: OptimizerConfig): void {
  for (const k of Object.keys(o)) {
    if (!["lr", "weightDecay", "clipNorm"].includes(k)) {
      throw new RangeError(`unknown optimizer key "${k}"`);
    }
  }
  validateAdamW(o);
}

/** Messages to a worker. */
type ToWorker =
  | { kind: "init"; plan: MemoryPlan; memory: WebAssembly.Memory; thread: number; relaxed: boolean }
  | { kind: "grad"; batch: number; len: number }
  | { kind: "forward"; batch: number; len: number };

/**
 * The wasm engine. Create with {@linkcode WasmEngine.create}; `dispose()` ends its workers.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { initWeights } from "../model_config.ts";
 * import { WasmEngine } from "./wasm_engine.ts";
 * const cfg = { tokenDim: 3, numActions: 2, maxLen: 4, D: 8, layers: 1, mlpHidden: 8, heads: 2 };
 * const eng = await WasmEngine.create(cfg, initWeights(cfg, new Rng(0)), {
 *   lr: 1e-3, weightDecay: 0, clipNorm: 0 }, { workers: 1, maxBatch: 2 });
 * const loss = await eng.trainStep(new Float32Array(2 * 4 * 3), new Int32Array(8), 2, 4); // ln 2-ish
 * eng.dispose();
 * ```
 */
export class WasmEngine {
  private readonly pass: SequencePass;
  private step = 0;
  private disposed = false;

  private constructor(
    readonly cfg: TransformerConfig,
    readonly plan: MemoryPlan,
    readonly memory: WebAssembly.Memory,
    private readonly pool: Worker[],
    readonly opt: OptimizerConfig,
    readonly relaxed: boolean,
  ) {
    this.pass = new SequencePass(plan, memory, transformerKernels(memory, relaxed), pool.length);
  }

  /**
   * Start an engine for `cfg` with initial weights `w`, `workers` Workers (default: one per
   * core), batches up to `maxBatch` trajectories, gradient chunks of `chunk` (default 4).
   */
  static async create(
    cfg: TransformerConfig,
    w: TransformerWeights,
    opt: OptimizerConfig,
    options: { workers?: number; maxBatch: number; chunk?: number; relaxed?: boolean },
  ): Promise<WasmEngine> {
    validateOptimizer(opt);
    validateWeights(cfg, w);
    const workers = options.workers ?? Math.max(1, navigator.hardwareConcurrency || 1);
    assertInt("workers", workers, 1, 64);
    const relaxed = options.relaxed ?? hasRelaxedSimd();
    const plan = memoryPlan(cfg, options.maxBatch, options.chunk ?? 4, workers + 1);
    const pages = Math.ceil((plan.total * 4) / 65536);
    if (pages > 65536) {
      throw new RangeError(`the model and batch need ${plan.total * 4} bytes, over 4 GiB`);
    }
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const pool: Worker[] = [];
    try {
      for (let i = 0; i < workers; i++) {
        pool.push(new Worker(new URL("./wasm_worker.ts", import.meta.url), { type: "module" }));
      }
      await Promise.all(
        pool.map((wk, thread) => call(wk, { kind: "init", plan, memory, thread, relaxed })),
      );
    } catch (e) {
      for (const wk of pool) wk.terminate();
      throw e;
    }
    const eng = new WasmEngine(cfg, plan, memory, pool, opt, relaxed);
    eng.setWeights(w);
    return eng;
  }

  /** Number of workers. */
  get workers(): number {
    return this.pool.length;
  }

  /** Replace the weights (and reset AdamW's moments and step count). */
  setWeights(w: TransformerWeights): void {
    validateWeights(this.cfg, w);
    this.pass.writeWeights(w);
    const { adamM, adamV, P } = this.plan;
    this.pass.f.fill(0, adamM, adamM + P);
    this.pass.f.fill(0, adamV, adamV + P);
    this.step = 0;
  }

  /** A copy of the current weights. */
  getWeights(): TransformerWeights {
    return this.pass.readWeights();
  }

  /** AdamW's state (steps taken and both moments, in the parameter layout) for a checkpoint. */
  optimizerState(): { step: number; m: Float32Array; v: Float32Array } {
    const { adamM, adamV, P } = this.plan, f = this.pass.f;
    return {
      step: this.step,
      m: f.slice(adamM, adamM + P),
      v: f.slice(adamV, adamV + P),
    };
  }

  /** Restore AdamW's state saved by {@linkcode optimizerState} (sizes and values checked). */
  setOptimizerState(s: { step: number; m: ArrayLike<number>; v: ArrayLike<number> }): void {
    const { adamM, adamV, P } = this.plan;
    assertInt("optimizer step", s.step, 0);
    for (const [name, a] of [["m", s.m], ["v", s.v]] as const) {
      if (a.length !== P) {
        throw new RangeError(`optimizer state ${name} has ${a.length} values, expected ${P}`);
      }
      for (let i = 0; i < P; i++) {
        if (!Number.isFinite(a[i]) || (name === "v" && a[i] < 0)) {
          throw new RangeError(`optimizer state ${name}[${i}] = ${a[i]}`);
        }
      }
    }
    this.pass.f.set(s.m, adamM);
    this.pass.f.set(s.v, adamV);
    this.step = s.step;
  }

  private load(
    tokens: ArrayLike<number>,
    targets: ArrayLike<number> | null,
    batch: number,
    len: number,
  ) {
    if (this.disposed) throw new Error("the wasm engine was disposed");
    checkBatch(this.cfg, tokens, targets, batch, len);
    assertInt("batch", batch, 1, this.plan.maxBatch);
    this.pass.f.set(tokens, this.plan.tokens);
    if (targets !== null) this.pass.i32.set(targets, this.plan.targets);
  }

  /**
   * Mean cross-entropy of the batch and its gradient, summed over chunks in order (left in the
   * engine's gradient block). Returns the loss.
   */
  async lossGrad(
    tokens: ArrayLike<number>,
    targets: ArrayLike<number>,
    batch: number,
    len: number,
  ): Promise<number> {
    this.load(tokens, targets, batch, len);
    this.pass.prepareTransposes();
    Atomics.store(this.pass.i32, this.plan.control, 0);
    await Promise.all(this.pool.map((wk) => call(wk, { kind: "grad", batch, len })));
    const { P, grad, slots, seqLoss } = this.plan, f = this.pass.f;
    const chunks = Math.ceil(batch / this.plan.chunk);
    f.set(f.subarray(slots, slots + P), grad);
    for (let c = 1; c < chunks; c++) {
      const o = slots + c * P;
      for (let i = 0; i < P; i++) f[grad + i] += f[o + i];
    }
    let loss = 0;
    for (let b = 0; b < batch; b++) loss += this.pass.f64[seqLoss / 2 + b];
    return loss / (batch * len);
  }

  /** The last `lossGrad`'s gradient as named tensors. */
  gradients(): TransformerWeights {
    return this.pass.readWeights(this.plan.grad);
  }

  /**
   * One AdamW step on a batch; returns its loss (before the step). A non-finite loss or gradient
   * throws naming the step and the learning rate, leaving the weights as they were.
   */
  async trainStep(
    tokens: ArrayLike<number>,
    targets: ArrayLike<number>,
    batch: number,
    len: number,
  ): Promise<number> {
    const loss = await this.lossGrad(tokens, targets, batch, len);
    const { P, grad, params, adamM, adamV } = this.plan, f = this.pass.f;
    let sq = 0;
    for (let i = 0; i < P; i++) sq += f[grad + i] * f[grad + i];
    if (!Number.isFinite(loss) || !Number.isFinite(sq)) {
      throw new Error(
        `training diverged at step ${
          this.step + 1
        } (lr ${this.opt.lr}): loss ${loss}, gradient norm² ${sq}`,
      );
    }
    const scale = this.opt.clipNorm > 0 && Math.sqrt(sq) > this.opt.clipNorm
      ? this.opt.clipNorm / Math.sqrt(sq)
      : 1;
    this.step++;
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, { lr, weightDecay: wd } = this.opt;
    const c1 = 1 - Math.pow(b1, this.step), c2 = 1 - Math.pow(b2, this.step);
    for (let i = 0; i < P; i++) {
      const g = f[grad + i] * scale;
      const m = b1 * f[adamM + i] + (1 - b1) * g;
      const v = b2 * f[adamV + i] + (1 - b2) * g * g;
      f[adamM + i] = m;
      f[adamV + i] = v;
      const p = f[params + i];
      f[params + i] = p - lr * ((m / c1) / (Math.sqrt(v / c2) + eps) + wd * p);
    }
    return loss;
  }

  /** Logits of a batch, `batch × len × A` (float32). */
  async logits(tokens: ArrayLike<number>, batch: number, len: number): Promise<Float32Array> {
    this.load(tokens, null, batch, len);
    Atomics.store(this.pass.i32, this.plan.control, 0);
    await Promise.all(this.pool.map((wk) => call(wk, { kind: "forward", batch, len })));
    const A = this.cfg.numActions, Ap = this.plan.Ap, f = this.pass.f;
    const out = new Float32Array(batch * len * A);
    for (let r = 0; r < batch * len; r++) {
      for (let a = 0; a < A; a++) out[r * A + a] = f[this.plan.logits + r * Ap + a];
    }
    return out;
  }

  /** End the workers. */
  dispose(): void {
    this.disposed = true;
    for (const wk of this.pool) wk.terminate();
  }
}

/** Send one message and wait for its answer (`{ok: true}` or `{ok: false, message}`). */
function call(wk: Worker, msg: ToWorker): Promise<void> {
  return new Promise((resolve, reject) => {
    wk.onmessage = (ev) => {
      if (ev.data?.ok) resolve();
      else reject(new Error(`wasm engine worker: ${ev.data?.message ?? "unknown failure"}`));
    };
    wk.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`wasm engine worker: ${e.message}`));
    };
    wk.postMessage(msg);
  });
}

/**
 * Worker side: take chunks (grad) or trajectories (forward) from the shared counter until none
 * is left. Exported for the worker module and for single-thread tests.
 *
 * @example
 * ```ts
 * // see wasm_worker.ts; the engine calls it through its Workers
 * typeof runWorkerTask; // "function"
 * ```
 */
export function runWorkerTask(
  pass: SequencePass,
  kind: "grad" | "forward",
  batch: number,
  len: number,
): void {
  const plan = pass.plan, i32 = pass.i32;
  if (kind === "forward") {
    for (;;) {
      const b = Atomics.add(i32, plan.control, 1);
      if (b >= batch) return;
      pass.forward(b, len, true);
    }
  }
  const chunks = Math.ceil(batch / plan.chunk), invN = 1 / (batch * len);
  for (;;) {
    const c = Atomics.add(i32, plan.control, 1);
    if (c >= chunks) return;
    const slot = plan.slots + c * plan.P;
    pass.f.fill(0, slot, slot + plan.P);
    const end = Math.min(batch, (c + 1) * plan.chunk);
    for (let b = c * plan.chunk; b < end; b++) {
      pass.f64[plan.seqLoss / 2 + b] = pass.lossGrad(b, len, slot, invN);
    }
  }
}
