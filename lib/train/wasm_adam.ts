/**
 * The restricted block's training step in WebAssembly SIMD (MATH §6), on parameters held in the
 * module's memory:
 * - {@linkcode WasmAdam.prompt}: one prompt's forward and backward (`fused.ts`'s `fusedPrompt`:
 *   `u = P12 θ̃`, `s = Xu`, `z = Σ̂u`, `out = θ + V̄21 z`, `e`, `y = V̄21ᵀe`, `t = Σ̂y`), two rows or
 *   columns per f64x2 — a 2×2 shuffle turns the loads of two matrix rows into per-lane column pairs,
 *   so every sum still runs over its index in the reference's order — leaving the prompt's rank-1
 *   factors in the step's layout;
 * - {@linkcode WasmAdam.step}: the gradient from those factors (the outer products `t θ̃ᵀ` and
 *   `e zᵀ` for one prompt, rank-B products for B), then Adam, two entries at a time.
 *
 * The kernels are `lib/core/wasm/kernels.wat`, assembled by `scripts/build_wasm.ts`. f64x2
 * mul/add/sub/div/sqrt are correctly rounded per lane and no fused multiply–add is used, so every
 * lane does the IEEE operations of the TypeScript reference in the same order (`θ̃₀ = 1` gives
 * `t·1 = t` exactly): prompts and steps are bit-identical to `fusedPrompt` / `fusedStep` (tested in
 * `tests/train/wasm_adam_test.ts`). {@linkcode WasmAdam.params} is a view the trainer uses as its
 * parameter vector.
 *
 * @module
 */

import type { FusedBatch } from "./fused.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { kernelMemory, type Kernels, kernels } from "../core/wasm_kernels.ts";
import { type RestrictedBlocks } from "../icrl/lsa.ts";

/** Byte offsets of the buffers in the module's memory. */
interface Layout {
  w: number;
  m: number;
  v: number;
  g: number;
  t: number;
  th: number;
  e: number;
  z: number;
  bt: number;
  be: number;
  bth: number;
  bz: number;
  x: number;
  tg: number;
  scr: number;
  ex: number;
  end: number;
}

function layout(m: number, p: number, cap: number, n: number, extra: number): Layout {
  const size = m * p + (p - 1) * m, q = p - 1;
  let at = 0;
  const take = (len: number) => {
    const o = at;
    at += len * 8 + ((len * 8) % 16);
    return o;
  };
  return {
    w: take(size),
    m: take(size),
    v: take(size),
    g: take(size),
    t: take(m),
    th: take(p),
    e: take(q),
    z: take(m),
    bt: take(m * cap),
    be: take(q * cap),
    bth: take(p * cap),
    bz: take(m * cap),
    x: take(n * m * cap),
    tg: take(q),
    scr: take(2 + 4 * m + 2 * n + p),
    ex: take(extra),
    end: at,
  };
}

/**
 * Adam state, prompt slots and gradient factors of the WebAssembly training step for blocks of
 * size (m, p), in one shared memory.
 */
export class WasmAdam {
  /** The parameters `[P12 ; V̄21]` (m·p + (p−1)·m), in the module's memory. */
  readonly params: Float64Array;
  /** Views of {@linkcode WasmAdam.params} as restricted blocks. */
  readonly blocks: RestrictedBlocks;
  /** First moments. */
  readonly mom1: Float64Array;
  /** Second moments. */
  readonly mom2: Float64Array;
  /** Steps taken. */
  t = 0;
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly off: Layout;
  private readonly bt: Float64Array;
  private readonly be: Float64Array;
  private readonly bth: Float64Array;
  private readonly bz: Float64Array;
  private readonly th: Float64Array;
  private readonly tv: Float64Array;
  private readonly ev: Float64Array;
  private readonly zv: Float64Array;
  private readonly tg: Float64Array;
  private readonly xs: Float64Array[];

  /**
   * Allocate for blocks of size (m, p), starting from parameters `init` (copied), Adam moments 0.
   *
   * @example
   * ```ts
   * import { WasmAdam } from "./wasm_adam.ts";
   * import { sarsaBlocks } from "../icrl/mod.ts";
   * const star = sarsaBlocks(2, 0.2); // m = 5, p = 3
   * const wa = new WasmAdam(5, 3, Float64Array.from([...star.P12, ...star.V21bar]));
   * console.log(wa.params.length, wa.blocks.P12[0] === star.P12[0]); // 25 true
   * ```
   */
  constructor(
    readonly m: number,
    readonly p: number,
    init: Float64Array,
    readonly cap = 1,
    readonly n = 0,
    readonly extra = 0,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    assertInt("m", m, 1);
    assertInt("p", p, 2);
    assertInt("cap", cap, 1);
    assertInt("n", n, 0);
    assertInt("extra", extra, 0);
    assertNumber("beta1", beta1, 0, 0.999999);
    assertNumber("beta2", beta2, 0, 0.999999999);
    const size = m * p + (p - 1) * m, q = p - 1;
    if (!(init instanceof Float64Array) || init.length !== size) {
      throw new RangeError(
        `init has ${init?.length ?? "no"} entries, blocks (m=${m}, p=${p}) need ${size}`,
      );
    }
    const off = layout(m, p, cap, n, extra);
    this.memory = kernelMemory(off.end);
    this.k = kernels(this.memory);
    this.off = off;
    const buf = this.memory.buffer;
    const view = (at: number, len: number) => new Float64Array(buf, at, len);
    this.params = view(off.w, size);
    this.params.set(init);
    this.mom1 = view(off.m, size);
    this.mom2 = view(off.v, size);
    this.tv = view(off.t, m);
    this.th = view(off.th, p);
    this.ev = view(off.e, q);
    this.zv = view(off.z, m);
    this.bt = view(off.bt, m * cap);
    this.be = view(off.be, q * cap);
    this.bth = view(off.bth, p * cap);
    this.bz = view(off.bz, m * cap);
    this.tg = view(off.tg, q);
    this.xs = Array.from({ length: n > 0 ? cap : 0 }, (_, b) => view(off.x + b * n * m * 8, n * m));
    this.blocks = {
      m,
      p,
      P12: this.params.subarray(0, m * p),
      V21bar: this.params.subarray(m * p),
    };
  }

  /**
   * One Adam step from prompts `0 … B−1` of `fb` (B = 1: exact mode), learning rate `lr`. For
   * B > 1 each gradient entry is `Σ_b` of the prompts' factor products, b in order from 0.
   *
   * @example
   * ```ts
   * import { WasmAdam } from "./wasm_adam.ts";
   * import { fusedBatch, fusedPrompt } from "./fused.ts";
   * import { DEFAULT_TASK, newTaskEnv, sarsaBlocks, taskDims, taskStep } from "../icrl/mod.ts";
   * import { Rng } from "../core/mod.ts";
   * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
   * const { m, p } = taskDims(task); // m = 5, p = 3
   * const env = newTaskEnv(task, new Rng(0)), theta = env.theta;
   * const X = new Float64Array(task.n   * m), target = new Float64Array(p - 1);
   * taskStep(task, env, X, target); // one SARSA prompt and its teacher target
   * const start = sarsaBlocks(task.d, 2 * task.alpha); // not a solution
   * const wa = new WasmAdam(m, p, Float64Array.from([...start.P12, ...start.V21bar]));
   * const fb = fusedBatch(m, p, task.n, 1);
   * const before = fusedPrompt(fb, wa.blocks, X, theta, target, 0, 1);
   * for (let i = 0; i < 20; i++) {
   *   fusedPrompt(fb, wa.blocks, X, theta, target, 0, 1);
   *   wa.step(fb, 1e-2);
   * }
   * console.log(fusedPrompt(fb, wa.blocks, X, theta, target, 0, 1) < before, wa.t); // true 20
   * ```
   */
  step(fb: FusedBatch | null, lr: number, B = 1): void {
    const { m, p } = this;
    if (fb !== null && (fb.m !== m || fb.p !== p)) {
      throw new RangeError(`factors are for (m=${fb.m}, p=${fb.p}), state for (m=${m}, p=${p})`);
    }
    const most = fb === null ? this.cap : Math.min(fb.cap, this.cap);
    if (!Number.isInteger(B) || B < 1 || B > most) {
      throw new RangeError(`B must be in 1…${most}, got ${B}`);
    }
    if (fb === null && this.xs.length === 0) {
      throw new RangeError("step(null, …) needs factors from prompt(): construct with n > 0");
    }
    if (fb !== null) this.copyFactors(fb, B);
    const t = ++this.t;
    this.stepPart(0, lr, B, t);
    this.stepPart(1, lr, B, t);
  }

  /**
   * Half of a step: the gradient of block `part` (0: P12, 1: V̄21) from the factors in slots
   * `0 … B−1`, then Adam on that block's entries as step `t`. Adam is entrywise, so the halves
   * together are exactly one step over all entries.
   */
  private stepPart(part: 0 | 1, lr: number, B: number, t: number): void {
    const { m, p, cap, beta1, beta2, epsilon } = this;
    const q = p - 1, o = this.off, k = this.k, mp8 = m * p * 8;
    if (part === 0) {
      if (B > 1) k.rankB(o.g, o.bt, m, o.bth, p, cap, B);
      else {
        const { tv, th, bt, bth } = this;
        for (let r = 0; r < m; r++) tv[r] = bt[r * cap];
        for (let j = 0; j < p; j++) th[j] = bth[j];
        k.outer(o.g, o.t, m, o.th, p);
      }
    } else {
      if (B > 1) k.rankB(o.g + mp8, o.be, q, o.bz, m, cap, B);
      else {
        const { ev, zv, be, bz } = this;
        for (let j = 0; j < q; j++) ev[j] = be[j * cap];
        for (let r = 0; r < m; r++) zv[r] = bz[r];
        k.outer(o.g + mp8, o.e, q, o.z, m);
      }
    }
    const c1 = 1 / (1 - Math.pow(beta1, t)), c2 = 1 / (1 - Math.pow(beta2, t));
    const at = part === 0 ? 0 : mp8, len = part === 0 ? m * p : q * m;
    k.adam(
      o.w + at,
      o.m + at,
      o.v + at,
      o.g + at,
      len,
      beta1,
      beta2,
      1 - beta1,
      1 - beta2,
      lr,
      c1,
      c2,
      epsilon,
    );
  }

  /** Factors of prompts `0 … B−1` of `fb` into the slots: θ̃ and z b-major, t and e as stored. */
  private copyFactors(fb: FusedBatch, B: number): void {
    const { m, p, cap: wc } = this;
    const q = p - 1, cap = fb.cap;
    const { Tt, Th, E, Z } = fb;
    const { bt, be, bth, bz } = this;
    for (let r = 0; r < m; r++) {
      for (let b = 0; b < B; b++) {
        bt[r * wc + b] = Tt[r * cap + b];
        bz[b * m + r] = Z[r * cap + b];
      }
    }
    for (let b = 0; b < B; b++) bth[b * p] = 1;
    for (let k = 0; k < q; k++) {
      for (let b = 0; b < B; b++) {
        be[k * wc + b] = E[k * cap + b];
        bth[b * p + k + 1] = Th[k * cap + b];
      }
    }
  }

  /**
   * The `extra` float64 entries reserved at construction, in the module's (shared) memory: room
   * for data other threads write and the kernels read in place (the streamed trainer's prompt
   * ring).
   *
   * @example
   * ```ts
   * import { WasmAdam } from "./wasm_adam.ts";
   * const wa = new WasmAdam(5, 3, new Float64Array(25), 1, 4, 100);
   * console.log(wa.extraRegion().length, wa.extraRegion().buffer === wa.params.buffer); // 100 true
   * ```
   */
  extraRegion(): Float64Array {
    return new Float64Array(this.memory.buffer, this.off.ex, this.extra);
  }

  /**
   * The token buffer of prompt slot `b` (n×m, in the module's memory): write prompt `b`'s tokens
   * here, then call {@linkcode WasmAdam.prompt}. Needs `n > 0` at construction.
   *
   * @example
   * ```ts
   * import { WasmAdam } from "./wasm_adam.ts";
   * const wa = new WasmAdam(5, 3, new Float64Array(25), 2, 6); // m = 5, p = 3, 2 slots, n = 6
   * console.log(wa.tokens(1).length); // 30 = n·m
   * ```
   */
  tokens(b: number): Float64Array {
    if (this.xs.length === 0) {
      throw new RangeError("no token buffers: construct WasmAdam with n > 0");
    }
    if (!Number.isInteger(b) || b < 0 || b >= this.cap) {
      throw new RangeError(`slot b must be an integer in 0…${this.cap - 1}, got ${b}`);
    }
    return this.xs[b];
  }

  /**
   * Forward and backward of the prompt in slot `b` — its tokens are `X` when given (read in place
   * when `X` lies in this module's memory, e.g. in {@linkcode WasmAdam.extraRegion}; copied into
   * the slot otherwise), else {@linkcode WasmAdam.tokens}`(b)` — with query
   * parameters `theta` (p−1) and teacher target `target` (p−1), in WebAssembly SIMD: the same
   * operations in the same order as `fused.ts`'s `fusedPrompt` (so the same bits), leaving the
   * prompt's gradient factors (scaled by `scale`) in slot `b` for `step(null, lr, B)`. Returns the
   * loss `½‖TF − target‖²`.
   *
   * @example
   * ```ts
   * import { WasmAdam } from "./wasm_adam.ts";
   * import { DEFAULT_TASK, newTaskEnv, sarsaBlocks, taskDims, taskStep } from "../icrl/mod.ts";
   * import { Rng } from "../core/mod.ts";
   * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
   * const { m, p } = taskDims(task); // m = 5, p = 3
   * const env = newTaskEnv(task, new Rng(0)), target = new Float64Array(p - 1);
   * const star = sarsaBlocks(task.d, task.alpha); // the construction
   * const wa = new WasmAdam(m, p, Float64Array.from([...star.P12, ...star.V21bar]), 1, task.n);
   * taskStep(task, env, wa.tokens(0), target); // one SARSA prompt, written into slot 0
   * console.log(wa.prompt(0, env.theta, target, 1) < 1e-20); // true: it reproduces the teacher
   * ```
   */
  prompt(
    b: number,
    theta: ArrayLike<number>,
    target: ArrayLike<number>,
    scale: number,
    X?: Float64Array,
  ): number {
    const slotX = this.tokens(b);
    const { m, p, n, cap } = this;
    const q = p - 1;
    let at = slotX.byteOffset;
    if (X !== undefined) {
      if (!(X instanceof Float64Array) || X.length !== n * m) {
        throw new RangeError(`X must be a Float64Array of n·m = ${n * m} tokens, got ${X?.length}`);
      }
      if (X.buffer === this.memory.buffer) at = X.byteOffset; // already in the module's memory
      else slotX.set(X);
    }
    if (theta.length !== q) throw new RangeError(`theta has ${theta.length} entries, need ${q}`);
    if (target.length !== q) throw new RangeError(`target has ${target.length} entries, need ${q}`);
    const { bth, tg } = this;
    const row = b * p;
    bth[row] = 1;
    for (let k = 0; k < q; k++) {
      bth[row + 1 + k] = theta[k];
      tg[k] = target[k];
    }
    const o = this.off;
    return this.k.prompt(
      o.w,
      o.w + m * p * 8,
      at,
      o.bth + row * 8,
      o.tg,
      n,
      m,
      p,
      o.scr,
      o.bt + b * 8,
      o.be + b * 8,
      cap * 8,
      o.bz + b * m * 8,
      scale,
      1 / n,
    );
  }
}
