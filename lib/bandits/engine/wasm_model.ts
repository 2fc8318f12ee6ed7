/**
 * The wasm backend's model: the layout of weights, gradients, batch and scratch in one shared
 * WebAssembly memory, and one trajectory's forward and backward pass on it — the products in the
 * WebAssembly SIMD kernels of `wasm/transformer.wat`, the elementwise steps (LayerNorm, biases,
 * ReLU, softmax) in TypeScript on the same memory. Every buffer is allocated once; a training step
 * allocates nothing. The computation is the one of `reference.ts` (float32 here).
 *
 * @module
 */

import {
  headsOf,
  type TransformerConfig,
  validateTransformerConfig,
  weightShapes,
} from "../model_config.ts";
import { TRANSFORMER_PLAIN_WASM_BASE64, TRANSFORMER_WASM_BASE64 } from "./wasm/transformer_wasm.ts";
import { assertInt } from "../../core/validate.ts";

/**
 * A product kernel of `wasm/transformer.wat`: `gemm_nn` is `C[M×N] (= or +=) A[M×K]·B[K×N]`,
 * `gemm_tn` is `C[K×N] (= or +=) A[M×K]ᵀ·B[M×N]`; `mode` bit 0 accumulates into C, the other bits
 * choose the causal variants documented there.
 */
export type GemmKernel = (
  A: number,
  lda: number,
  B: number,
  ldb: number,
  C: number,
  ldc: number,
  M: number,
  K: number,
  N: number,
  mode: number,
) => void;

/** The exported kernels (byte addresses; leading dimensions in f32 elements). */
export interface TransformerKernels {
  gemm_nn: GemmKernel;
  gemm_tn: GemmKernel;
  transpose(src: number, lds: number, dst: number, ldd: number, rows: number, cols: number): void;
  relu_causal(S: number, ld: number, T: number): void;
  relu_causal_bwd(dS: number, S: number, ld: number, T: number): void;
  peak(x: number, n: number, reps: number): number;
  layernorm(
    u: number,
    xh: number,
    rs: number,
    y: number,
    gain: number,
    bias: number,
    t: number,
    D: number,
  ): void;
  layernorm_bwd(
    dy: number,
    xh: number,
    rs: number,
    gain: number,
    dg: number,
    db: number,
    du: number,
    t: number,
    D: number,
  ): void;
  add_bias(x: number, b: number, p: number, t: number, n: number, relu: number): void;
  col_sum(src: number, t: number, n: number, out: number, mask: number): void;
  add_to(dst: number, src: number, n: number): void;
}

const compiled: Record<string, WebAssembly.Module> = {};

function decode(b64: string): Uint8Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Whether this runtime runs relaxed SIMD (then the kernels use fused multiply–add).
 *
 * @example
 * ```ts
 * typeof hasRelaxedSimd(); // "boolean"
 * ```
 */
export function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(decode(TRANSFORMER_WASM_BASE64) as BufferSource);
}

/**
 * The kernels instantiated on `memory`; `relaxed` chooses the fused multiply–add build (default:
 * when the runtime has relaxed SIMD).
 *
 * @example
 * ```ts
 * const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
 * const k = transformerKernels(mem);
 * const f = new Float32Array(mem.buffer);
 * f.set([1, 2, 3, 4], 0); // A = [[1, 2, 3, 4]] (1 × 4); B = I₄ at float 16
 * for (let i = 0; i < 4; i++) f[16 + 5 * i] = 1;
 * k.gemm_nn(0, 4, 64, 4, 128, 4, 1, 4, 4, 0);
 * Array.from(f.subarray(32, 36)); // [1, 2, 3, 4]
 * ```
 */
export function transformerKernels(
  memory: WebAssembly.Memory,
  relaxed = hasRelaxedSimd(),
): TransformerKernels {
  const key = relaxed ? "relaxed" : "plain";
  compiled[key] ??= new WebAssembly.Module(
    decode(relaxed ? TRANSFORMER_WASM_BASE64 : TRANSFORMER_PLAIN_WASM_BASE64) as BufferSource,
  );
  return new WebAssembly.Instance(compiled[key], { env: { memory } })
    .exports as unknown as TransformerKernels;
}

/** Round up to a multiple of 4. */
const up4 = (n: number) => Math.ceil(n / 4) * 4;

/** Where everything lives in the engine's memory (offsets in f32 elements). */
export interface MemoryPlan {
  /** The model. */
  cfg: TransformerConfig;
  /** Read-out columns padded to a multiple of 4. */
  Ap: number;
  /** Offset of each weight in a parameter block; `out` is D × Ap, `outBias` Ap. */
  offsets: Record<string, number>;
  /** Floats of one parameter block (weights, a gradient, a moment). */
  P: number;
  /** Parameters, their gradient sum, and AdamW's two moments. */
  params: number;
  grad: number;
  adamM: number;
  adamV: number;
  /** Transposed weights: per layer qkvᵀ (3D × D), w1ᵀ (H × D), w2ᵀ (D × H); then outᵀ (Ap × D). */
  wT: number;
  /** Gradient slots: one parameter block per chunk of `chunk` trajectories. */
  slots: number;
  /** Trajectories per gradient slot. */
  chunk: number;
  /** Largest batch. */
  maxBatch: number;
  /** Tokens of the batch, B × len × F (packed for the current len). */
  tokens: number;
  /** Targets of the batch, B × len (int32). */
  targets: number;
  /** Per-trajectory loss sums (float64, at an 8-byte aligned f32 offset). */
  seqLoss: number;
  /** Logits of the batch, B × len × Ap. */
  logits: number;
  /** Control words (int32): [0] next chunk to take. */
  control: number;
  /** Scratch of worker w starts at `scratch + w·scratchSize`. */
  scratch: number;
  scratchSize: number;
  /** Scratch owners (workers + the main thread). */
  threads: number;
  /** Total floats. */
  total: number;
}

/**
 * Lay out the engine's memory for `cfg`, batches of up to `maxBatch` trajectories, gradient
 * chunks of `chunk` trajectories and `threads` scratch areas. The wasm kernels need the head width
 * D/M and the MLP width to be multiples of 4; anything else throws naming the value.
 *
 * @example
 * ```ts
 * const cfg = { tokenDim: 61, numActions: 10, maxLen: 200, D: 32, layers: 8, mlpHidden: 32, heads: 4 };
 * const plan = memoryPlan(cfg, 128, 4, 3);
 * plan.Ap; // 12
 * ```
 */
export function memoryPlan(
  cfg: TransformerConfig,
  maxBatch: number,
  chunk: number,
  threads: number,
): MemoryPlan {
  validateTransformerConfig(cfg);
  assertInt("maxBatch", maxBatch, 1, 1 << 16);
  assertInt("chunk", chunk, 1, 1 << 16);
  assertInt("threads", threads, 1, 64);
  const { tokenDim: F, numActions: A, maxLen: T, D, layers: L, mlpHidden: H } = cfg;
  const M = headsOf(cfg), dh = D / M;
  if (dh % 4 !== 0) {
    throw new RangeError(
      `the wasm backend needs the head width D/heads to be a multiple of 4, got ${D}/${M} = ${dh}`,
    );
  }
  if (H % 4 !== 0) {
    throw new RangeError(`the wasm backend needs mlpHidden to be a multiple of 4, got ${H}`);
  }
  const Ap = up4(A);
  const offsets: Record<string, number> = {};
  let P = 0;
  for (const [name, shape] of weightShapes(cfg)) {
    offsets[name] = P;
    let size = shape.reduce((a, b) => a * b, 1);
    if (name === "out") size = D * Ap;
    if (name === "outBias") size = Ap;
    P += up4(size);
  }
  const ldS = up4(T);
  const scratchSize = up4(
    (L + 1) * T * D + L * T * 3 * D + L * M * T * ldS + 3 * L * T * D + 2 * L * T + L * T * H +
      6 * T * D + 2 * T * Ap + T * H + T * 3 * D + T * ldS + 2 * dh * ldS + 64,
  );
  let at = 16; // keep address 0 unused
  const take = (n: number) => {
    const o = at;
    at += up4(n);
    return o;
  };
  const chunks = Math.ceil(maxBatch / chunk);
  const plan = {
    cfg,
    Ap,
    offsets,
    P,
    params: take(P),
    grad: take(P),
    adamM: take(P),
    adamV: take(P),
    wT: take(L * (3 * D * D + 2 * H * D) + Ap * D),
    slots: take(chunks * P),
    chunk,
    maxBatch,
    tokens: take(maxBatch * T * F),
    targets: take(maxBatch * T),
    seqLoss: take(2 * maxBatch),
    logits: take(maxBatch * T * Ap),
    control: take(16),
    scratch: 0,
    scratchSize,
    threads,
    total: 0,
  };
  plan.scratch = take(threads * scratchSize);
  plan.total = at;
  return plan;
}

/**
 * Write named weights (the `weightShapes` layout) into a parameter block at float offset `block`
 * of `f`, in the engine's layout (`plan.offsets`; the read-out padded to `plan.Ap` columns).
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { initWeights } from "../model_config.ts";
 * import { memoryPlan, writeParams } from "./wasm_model.ts";
 * const cfg = { tokenDim: 3, numActions: 2, maxLen: 4, D: 8, layers: 1, mlpHidden: 8 };
 * const plan = memoryPlan(cfg, 1, 1, 1), f = new Float32Array(plan.P);
 * writeParams(f, plan, 0, initWeights(cfg, new Rng(0))); // f[plan.offsets.out …] = W_out, padded
 * ```
 */
export function writeParams(
  f: Float32Array,
  plan: Pick<MemoryPlan, "cfg" | "offsets" | "Ap">,
  block: number,
  w: Record<string, ArrayLike<number>>,
): void {
  const { D, numActions: A } = plan.cfg, Ap = plan.Ap;
  for (const [name, shape] of weightShapes(plan.cfg)) {
    const o = block + plan.offsets[name], src = w[name];
    if (name === "out") {
      for (let r = 0; r < D; r++) {
        for (let c = 0; c < Ap; c++) f[o + r * Ap + c] = c < A ? src[r * A + c] : 0;
      }
    } else if (name === "outBias") {
      for (let c = 0; c < Ap; c++) f[o + c] = c < A ? src[c] : 0;
    } else {
      const size = shape.reduce((a, b) => a * b, 1);
      for (let i = 0; i < size; i++) f[o + i] = src[i];
    }
  }
}

/**
 * One thread's view of the engine memory: forward and backward passes of single trajectories in
 * the thread's scratch area, gradients accumulated into a slot.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { initWeights } from "../model_config.ts";
 * import { memoryPlan, SequencePass, transformerKernels } from "./wasm_model.ts";
 * const cfg = { tokenDim: 3, numActions: 2, maxLen: 4, D: 8, layers: 1, mlpHidden: 8, heads: 2 };
 * const plan = memoryPlan(cfg, 1, 1, 1);
 * const mem = new WebAssembly.Memory({ initial: Math.ceil((plan.total * 4) / 65536), maximum: 1000, shared: true });
 * const pass = new SequencePass(plan, mem, transformerKernels(mem), 0);
 * pass.writeWeights(initWeights(cfg, new Rng(0)));
 * pass.prepareTransposes();
 * const loss = pass.lossGrad(0, 4, 0, 1 / 4); // trajectory 0 of zero tokens, targets 0
 * ```
 */
export class SequencePass {
  readonly f: Float32Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  private readonly s: Record<string, number> = {};
  private readonly ldS: number;

  constructor(
    readonly plan: MemoryPlan,
    readonly memory: WebAssembly.Memory,
    readonly k: TransformerKernels,
    readonly thread: number,
  ) {
    if (memory.buffer.byteLength < plan.total * 4) {
      throw new RangeError(
        `memory has ${memory.buffer.byteLength} bytes, the plan needs ${plan.total * 4}`,
      );
    }
    this.f = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    const { maxLen: T, D, layers: L, mlpHidden: H } = plan.cfg;
    const M = headsOf(plan.cfg), dh = D / M;
    this.ldS = up4(T);
    let at = plan.scratch + thread * plan.scratchSize;
    const take = (name: string, n: number) => {
      this.s[name] = at;
      at += up4(n);
    };
    take("X", (L + 1) * T * D);
    take("QKV", L * T * 3 * D);
    take("S", L * M * T * this.ldS);
    take("XH1", L * T * D);
    take("Y1", L * T * D);
    take("XH2", L * T * D);
    take("RS1", L * T);
    take("RS2", L * T);
    take("HM", L * T * H);
    for (const n of ["U", "Z", "DX", "DZ", "DY1", "DU"]) take(n, T * D);
    take("LOG", T * plan.Ap);
    take("DLOG", T * plan.Ap);
    take("DHM", T * H);
    take("DQKV", T * 3 * D);
    take("DS", T * this.ldS);
    take("KT", dh * this.ldS);
    take("VT", dh * this.ldS);
    if (at > plan.scratch + (thread + 1) * plan.scratchSize) throw new Error("scratch overflow");
  }

  /** Copy named weights (the `weightShapes` layout) into the parameter block. */
  writeWeights(w: Record<string, ArrayLike<number>>, block = this.plan.params): void {
    writeParams(this.f, this.plan, block, w);
  }

  /** Read a parameter block back as named weights (float32 copies). */
  readWeights(block = this.plan.params): Record<string, Float32Array> {
    const { D, numActions: A } = this.plan.cfg, Ap = this.plan.Ap;
    const w: Record<string, Float32Array> = {};
    for (const [name, shape] of weightShapes(this.plan.cfg)) {
      const o = block + this.plan.offsets[name];
      const size = shape.reduce((a, b) => a * b, 1);
      const a = new Float32Array(size);
      if (name === "out") {
        for (let r = 0; r < D; r++) {
          for (let c = 0; c < A; c++) a[r * A + c] = this.f[o + r * Ap + c];
        }
      } else a.set(this.f.subarray(o, o + size));
      w[name] = a;
    }
    return w;
  }

  /** Write the transposed weights the backward pass multiplies by. */
  prepareTransposes(): void {
    const { D, layers: L, mlpHidden: H } = this.plan.cfg, Ap = this.plan.Ap;
    const p = this.plan.params, off = this.plan.offsets;
    let t = this.plan.wT;
    for (let l = 0; l < L; l++) {
      this.k.transpose(4 * (p + off[`l${l}.qkv`]), 3 * D, 4 * t, D, D, 3 * D);
      t += 3 * D * D;
      this.k.transpose(4 * (p + off[`l${l}.w1`]), H, 4 * t, D, D, H);
      t += H * D;
      this.k.transpose(4 * (p + off[`l${l}.w2`]), D, 4 * t, H, H, D);
      t += D * H;
    }
    this.k.transpose(4 * (p + off.out), Ap, 4 * t, D, D, Ap);
  }

  private wT(l: number, which: "qkv" | "w1" | "w2" | "out"): number {
    const { D, layers: L, mlpHidden: H } = this.plan.cfg;
    const per = 3 * D * D + 2 * H * D;
    if (which === "out") return this.plan.wT + L * per;
    const base = this.plan.wT + l * per;
    return which === "qkv" ? base : which === "w1" ? base + 3 * D * D : base + 3 * D * D + H * D;
  }

  /**
   * Forward pass of trajectory `b` of the batch (`len` tokens); logits land in this thread's LOG
   * buffer (len × Ap), and are copied to the batch's logits when `copyOut`.
   */
  forward(b: number, len: number, copyOut = false): void {
    const { tokenDim: F, D, layers: L, mlpHidden: H } = this.plan.cfg;
    const M = headsOf(this.plan.cfg), dh = D / M, T = this.plan.cfg.maxLen, Ap = this.plan.Ap;
    const f = this.f, k = this.k, s = this.s, ldS = this.ldS, t = len;
    const p = this.plan.params, off = this.plan.offsets;
    const tok = this.plan.tokens + b * len * F;
    const X = (l: number) => s.X + l * T * D;
    // embedding
    k.gemm_nn(4 * tok, F, 4 * (p + off.embed), D, 4 * X(0), D, t, F, D, 0);
    k.add_bias(4 * X(0), 4 * (p + off.embedBias), 4 * (p + off.pos), t, D, 0);
    for (let l = 0; l < L; l++) {
      const x = X(l), qkv = s.QKV + l * T * 3 * D, U = s.U;
      k.gemm_nn(4 * x, D, 4 * (p + off[`l${l}.qkv`]), 3 * D, 4 * qkv, 3 * D, t, D, 3 * D, 0);
      f.copyWithin(U, x, x + t * D);
      for (let m = 0; m < M; m++) {
        const S = s.S + (l * M + m) * T * ldS;
        k.transpose(4 * (qkv + D + m * dh), 3 * D, 4 * s.KT, ldS, t, dh);
        k.gemm_nn(4 * (qkv + m * dh), 3 * D, 4 * s.KT, ldS, 4 * S, ldS, t, dh, up4(t), 2);
        k.relu_causal(4 * S, ldS, t);
        k.gemm_nn(
          4 * S,
          ldS,
          4 * (qkv + 2 * D + m * dh),
          3 * D,
          4 * (U + m * dh),
          D,
          t,
          t,
          dh,
          1 | 4,
        );
      }
      const y1 = s.Y1 + l * T * D;
      this.layerNorm(
        U,
        s.XH1 + l * T * D,
        s.RS1 + l * T,
        y1,
        p + off[`l${l}.ln1g`],
        p + off[`l${l}.ln1b`],
        t,
      );
      const hm = s.HM + l * T * H, b1 = p + off[`l${l}.b1`];
      k.gemm_nn(4 * y1, D, 4 * (p + off[`l${l}.w1`]), H, 4 * hm, H, t, D, H, 0);
      k.add_bias(4 * hm, 4 * b1, 0, t, H, 1);
      const Z = s.Z, b2 = p + off[`l${l}.b2`];
      f.copyWithin(Z, y1, y1 + t * D);
      k.add_bias(4 * Z, 4 * b2, 0, t, D, 0);
      k.gemm_nn(4 * hm, H, 4 * (p + off[`l${l}.w2`]), D, 4 * Z, D, t, H, D, 1);
      this.layerNorm(
        Z,
        s.XH2 + l * T * D,
        s.RS2 + l * T,
        X(l + 1),
        p + off[`l${l}.ln2g`],
        p + off[`l${l}.ln2b`],
        t,
      );
    }
    k.gemm_nn(4 * X(L), D, 4 * (p + off.out), Ap, 4 * s.LOG, Ap, t, D, Ap, 0);
    k.add_bias(4 * s.LOG, 4 * (p + off.outBias), 0, t, Ap, 0);
    if (copyOut) {
      const dst = this.plan.logits + b * len * Ap;
      f.copyWithin(dst, s.LOG, s.LOG + t * Ap);
    }
  }

  /**
   * Forward and backward pass of trajectory `b` (`len` tokens, targets from the batch), adding its
   * gradient of `invN · Σ_i CE_i` into the parameter block at `slot`. Returns `Σ_i CE_i`.
   */
  lossGrad(b: number, len: number, slot: number, invN: number): number {
    this.forward(b, len);
    const { tokenDim: F, numActions: A, D, layers: L, mlpHidden: H } = this.plan.cfg;
    const M = headsOf(this.plan.cfg), dh = D / M, T = this.plan.cfg.maxLen, Ap = this.plan.Ap;
    const f = this.f, k = this.k, s = this.s, ldS = this.ldS, t = len;
    const p = this.plan.params, off = this.plan.offsets, g = (name: string) => slot + off[name];
    const X = (l: number) => s.X + l * T * D;
    // softmax cross-entropy
    let lossSum = 0;
    const tg = this.plan.targets + b * len;
    for (let i = 0; i < t; i++) {
      const r = s.LOG + i * Ap, d = s.DLOG + i * Ap;
      let mx = -Infinity;
      for (let a = 0; a < A; a++) mx = Math.max(mx, f[r + a]);
      let z = 0;
      for (let a = 0; a < A; a++) z += Math.exp(f[r + a] - mx);
      const y = this.i32[tg + i];
      lossSum += Math.log(z) + mx - f[r + y];
      for (let a = 0; a < A; a++) {
        f[d + a] = (Math.exp(f[r + a] - mx) / z - (a === y ? 1 : 0)) * invN;
      }
      for (let a = A; a < Ap; a++) f[d + a] = 0;
    }
    // read-out
    k.gemm_tn(4 * X(L), D, 4 * s.DLOG, Ap, 4 * g("out"), Ap, t, D, Ap, 1);
    k.col_sum(4 * s.DLOG, t, Ap, 4 * g("outBias"), 0);
    k.gemm_nn(4 * s.DLOG, Ap, 4 * this.wT(0, "out"), D, 4 * s.DX, D, t, Ap, D, 0);
    for (let l = L - 1; l >= 0; l--) {
      const hm = s.HM + l * T * H, y1 = s.Y1 + l * T * D, qkv = s.QKV + l * T * 3 * D;
      this.layerNormBack(
        s.DX,
        s.XH2 + l * T * D,
        s.RS2 + l * T,
        p + off[`l${l}.ln2g`],
        g(`l${l}.ln2g`),
        g(`l${l}.ln2b`),
        s.DZ,
        t,
      );
      k.gemm_tn(4 * hm, H, 4 * s.DZ, D, 4 * g(`l${l}.w2`), D, t, H, D, 1);
      k.col_sum(4 * s.DZ, t, D, 4 * g(`l${l}.b2`), 0);
      k.gemm_nn(4 * s.DZ, D, 4 * this.wT(l, "w2"), H, 4 * s.DHM, H, t, D, H, 0);
      k.col_sum(4 * s.DHM, t, H, 4 * g(`l${l}.b1`), 4 * hm); // masks by ReLU' first
      k.gemm_tn(4 * y1, D, 4 * s.DHM, H, 4 * g(`l${l}.w1`), H, t, D, H, 1);
      f.copyWithin(s.DY1, s.DZ, s.DZ + t * D);
      k.gemm_nn(4 * s.DHM, H, 4 * this.wT(l, "w1"), D, 4 * s.DY1, D, t, H, D, 1);
      this.layerNormBack(
        s.DY1,
        s.XH1 + l * T * D,
        s.RS1 + l * T,
        p + off[`l${l}.ln1g`],
        g(`l${l}.ln1g`),
        g(`l${l}.ln1b`),
        s.DU,
        t,
      );
      for (let m = 0; m < M; m++) {
        const S = s.S + (l * M + m) * T * ldS;
        k.transpose(4 * (qkv + 2 * D + m * dh), 3 * D, 4 * s.VT, ldS, t, dh);
        k.gemm_nn(4 * (s.DU + m * dh), D, 4 * s.VT, ldS, 4 * s.DS, ldS, t, dh, up4(t), 2);
        k.gemm_tn(
          4 * S,
          ldS,
          4 * (s.DU + m * dh),
          D,
          4 * (s.DQKV + 2 * D + m * dh),
          3 * D,
          t,
          t,
          dh,
          2,
        );
        k.relu_causal_bwd(4 * s.DS, 4 * S, ldS, t);
        k.gemm_nn(
          4 * s.DS,
          ldS,
          4 * (qkv + D + m * dh),
          3 * D,
          4 * (s.DQKV + m * dh),
          3 * D,
          t,
          t,
          dh,
          4,
        );
        k.gemm_tn(
          4 * s.DS,
          ldS,
          4 * (qkv + m * dh),
          3 * D,
          4 * (s.DQKV + D + m * dh),
          3 * D,
          t,
          t,
          dh,
          2,
        );
      }
      k.gemm_tn(4 * X(l), D, 4 * s.DQKV, 3 * D, 4 * g(`l${l}.qkv`), 3 * D, t, D, 3 * D, 1);
      f.copyWithin(s.DX, s.DU, s.DU + t * D);
      k.gemm_nn(4 * s.DQKV, 3 * D, 4 * this.wT(l, "qkv"), D, 4 * s.DX, D, t, 3 * D, D, 1);
    }
    const tok = this.plan.tokens + b * len * F;
    k.gemm_tn(4 * tok, F, 4 * s.DX, D, 4 * g("embed"), D, t, F, D, 1);
    k.col_sum(4 * s.DX, t, D, 4 * g("embedBias"), 0);
    k.add_to(4 * g("pos"), 4 * s.DX, t * D);
    return lossSum;
  }

  /**
   * LayerNorm of t rows in TypeScript (ε = 1e-5, biased variance, as the reference). The `layernorm`
   * kernel computes the same in f32 sums; the decoder uses it, training keeps this version (the
   * committed notebook-08 run was trained with it).
   */
  private layerNorm(
    u: number,
    xh: number,
    rs: number,
    y: number,
    gain: number,
    bias: number,
    t: number,
  ) {
    const f = this.f, D = this.plan.cfg.D;
    for (let i = 0; i < t; i++) {
      const r = u + i * D;
      let mean = 0;
      for (let c = 0; c < D; c++) mean += f[r + c];
      mean /= D;
      let v = 0;
      for (let c = 0; c < D; c++) v += (f[r + c] - mean) * (f[r + c] - mean);
      const rstd = 1 / Math.sqrt(v / D + 1e-5);
      f[rs + i] = rstd;
      for (let c = 0; c < D; c++) {
        const h = (f[r + c] - mean) * rstd;
        f[xh + i * D + c] = h;
        f[y + i * D + c] = h * f[gain + c] + f[bias + c];
      }
    }
  }

  private layerNormBack(
    dy: number,
    xh: number,
    rs: number,
    gain: number,
    dg: number,
    db: number,
    du: number,
    t: number,
  ) {
    const f = this.f, D = this.plan.cfg.D;
    for (let i = 0; i < t; i++) {
      let m1 = 0, m2 = 0;
      const r = i * D;
      for (let c = 0; c < D; c++) {
        const d = f[dy + r + c], h = f[xh + r + c];
        f[dg + c] += d * h;
        f[db + c] += d;
        const dxh = d * f[gain + c];
        m1 += dxh;
        m2 += dxh * h;
      }
      m1 /= D;
      m2 /= D;
      const rstd = f[rs + i];
      for (let c = 0; c < D; c++) {
        f[du + r + c] = rstd * (f[dy + r + c] * f[gain + c] - m1 - f[xh + r + c] * m2);
      }
    }
  }
}
