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
 * The kernels are `lib/train/wasm/kernels.wat`, assembled by `scripts/build_wasm.ts`. f64x2
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
import { KERNELS_WASM_BASE64 } from "./wasm/kernels_wasm.ts";
import { type RestrictedBlocks } from "../icrl/lsa.ts";

interface Kernels {
  memory: WebAssembly.Memory;
  outer(dst: number, a: number, aLen: number, b: number, bLen: number): void;
  prompt(
    P: number,
    V: number,
    X: number,
    TH: number,
    TG: number,
    n: number,
    m: number,
    p: number,
    scr: number,
    bt: number,
    be: number,
    stride: number,
    bz: number,
    scale: number,
    invN: number,
  ): number;
  rankB(
    dst: number,
    A: number,
    rows: number,
    CT: number,
    cols: number,
    cap: number,
    B: number,
  ): void;
  adam(
    w: number,
    m: number,
    v: number,
    g: number,
    n: number,
    beta1: number,
    beta2: number,
    a1: number,
    a2: number,
    lr: number,
    c1: number,
    c2: number,
    eps: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;

function kernels(bytesNeeded: number): Kernels {
  if (compiled === null) {
    const bin = atob(KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  const inst = new WebAssembly.Instance(compiled, {});
  const k = inst.exports as unknown as Kernels;
  const pages = Math.ceil(bytesNeeded / 65536);
  const have = k.memory.buffer.byteLength / 65536;
  if (pages > have) k.memory.grow(pages - have);
  return k;
}

/** Adam state and buffers of the WebAssembly exact-mode step for blocks of size (m, p). */
export class WasmAdam {
  /** Token dimension. */
  readonly m: number;
  /** Parameter-column dimension. */
  readonly p: number;
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
  private readonly k: Kernels;
  private readonly off: {
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
  };
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
    m: number,
    p: number,
    init: Float64Array,
    readonly cap = 1,
    readonly n = 0,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    assertInt("m", m, 1);
    assertInt("p", p, 2);
    assertInt("cap", cap, 1);
    assertInt("n", n, 0);
    assertNumber("beta1", beta1, 0, 0.999999);
    assertNumber("beta2", beta2, 0, 0.999999999);
    const size = m * p + (p - 1) * m;
    if (init.length !== size) {
      throw new RangeError(`init has ${init.length} entries, blocks (m=${m}, p=${p}) need ${size}`);
    }
    this.m = m;
    this.p = p;
    const q = p - 1;
    let at = 0;
    const take = (len: number) => {
      const o = at;
      at += len * 8 + ((len * 8) % 16);
      return o;
    };
    const off = {
      w: take(size),
      m: take(size),
      v: take(size),
      g: take(size),
      t: take(m),
      th: take(p),
      e: take(q),
      z: take(m),
      bt: take(m * cap),
      be: take((p - 1) * cap),
      bth: take(p * cap),
      bz: take(m * cap),
      x: take(n * m * cap),
      tg: take(q),
      scr: take(2 + 4 * m + 2 * n + p),
    };
    this.k = kernels(at);
    this.off = off;
    const buf = this.k.memory.buffer;
    this.params = new Float64Array(buf, off.w, size);
    this.params.set(init);
    this.mom1 = new Float64Array(buf, off.m, size);
    this.mom2 = new Float64Array(buf, off.v, size);
    this.tv = new Float64Array(buf, off.t, m);
    this.th = new Float64Array(buf, off.th, p);
    this.ev = new Float64Array(buf, off.e, q);
    this.zv = new Float64Array(buf, off.z, m);
    this.bt = new Float64Array(buf, off.bt, m * cap);
    this.be = new Float64Array(buf, off.be, q * cap);
    this.bth = new Float64Array(buf, off.bth, p * cap);
    this.bz = new Float64Array(buf, off.bz, m * cap);
    this.tg = new Float64Array(buf, off.tg, q);
    this.xs = Array.from(
      { length: n > 0 ? cap : 0 },
      (_, b) => new Float64Array(buf, off.x + b * n * m * 8, n * m),
    );
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
    const o = this.off;
    if (fb !== null && B > 1) this.gradB(fb, B);
    if (B > 1) {
      this.k.rankB(o.g, o.bt, m, o.bth, p, this.cap, B);
      this.k.rankB(o.g + m * p * 8, o.be, p - 1, o.bz, m, this.cap, B);
    } else {
      this.grad1(fb);
    }
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const c1 = 1 / (1 - Math.pow(beta1, this.t)), c2 = 1 / (1 - Math.pow(beta2, this.t));
    this.k.adam(
      o.w,
      o.m,
      o.v,
      o.g,
      this.params.length,
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

  /** Factors of B > 1 prompts from `fb`: A-factors copied as stored, θ̃ and z transposed (b-major). */
  private gradB(fb: FusedBatch, B: number): void {
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
   * Gradient of one prompt, the two outer products, from `fb`'s slot 0 or (null) the factors that
   * {@linkcode WasmAdam.prompt} wrote to slot 0.
   */
  private grad1(fb: FusedBatch | null): void {
    const { m, p } = this;
    const q = p - 1;
    const { tv, th, ev, zv } = this;
    if (fb === null) {
      const { bt, bth, be, bz, cap } = this;
      for (let r = 0; r < m; r++) {
        tv[r] = bt[r * cap];
        zv[r] = bz[r];
      }
      for (let k = 0; k < p; k++) th[k] = bth[k];
      for (let k = 0; k < q; k++) ev[k] = be[k * cap];
    } else {
      const { Tt, Th, E, Z, cap } = fb;
      for (let r = 0; r < m; r++) {
        tv[r] = Tt[r * cap];
        zv[r] = Z[r * cap];
      }
      th[0] = 1;
      for (let k = 0; k < q; k++) {
        th[k + 1] = Th[k * cap];
        ev[k] = E[k * cap];
      }
    }
    const o = this.off, k = this.k;
    k.outer(o.g, o.t, m, o.th, p);
    k.outer(o.g + m * p * 8, o.e, q, o.z, m);
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
   * Forward and backward of the prompt in slot `b` ({@linkcode WasmAdam.tokens}) with query
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
  prompt(b: number, theta: ArrayLike<number>, target: ArrayLike<number>, scale: number): number {
    const X = this.tokens(b);
    const { m, p, n, cap } = this;
    const q = p - 1;
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
      X.byteOffset,
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
