/**
 * Closed-loop deployment of the bandit transformer on the wasm kernels, one token at a time
 * (MATH §9): the model is causal, so the logits at step t need only the new token and every
 * layer's keys and values of the earlier tokens. A {@linkcode WasmDecoder} keeps those in a
 * cache for E environments at once and advances all of them by one token per `step` — the dense
 * products as one E-row matrix product per layer, the attention as one cached row per head — so a
 * whole episode costs about one forward pass per environment instead of T.
 *
 * @module
 */

import { headsOf, type TransformerConfig, type TransformerWeights } from "../model_config.ts";
import { validateWeights } from "../model_config.ts";
import {
  hasRelaxedSimd,
  memoryPlan,
  type TransformerKernels,
  transformerKernels,
  writeParams,
} from "./wasm_model.ts";
import { assertInt } from "../../core/validate.ts";

/** `attn_row` of the kernels (not part of the training interface). */
interface DecodeKernels extends TransformerKernels {
  attn_row(
    q: number,
    K: number,
    V: number,
    ld: number,
    n: number,
    dh: number,
    inv: number,
    out: number,
  ): void;
}

/**
 * Incremental decoder for `numEnvs` environments (float32, one thread).
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { initWeights } from "../model_config.ts";
 * import { WasmDecoder } from "./decode.ts";
 * const cfg = { tokenDim: 3, numActions: 2, maxLen: 4, D: 8, layers: 1, mlpHidden: 8, heads: 2 };
 * const dec = new WasmDecoder(cfg, initWeights(cfg, new Rng(0)), 5);
 * const logits = dec.step(new Float32Array(5 * 3)); // 5 environments × 2 arms, position 0
 * dec.step(new Float32Array(5 * 3)); // position 1
 * dec.reset(); // back to position 0
 * ```
 */
export class WasmDecoder {
  private readonly f: Float32Array;
  private readonly k: DecodeKernels;
  private readonly r: Record<string, number> = {};
  private readonly offsets: Record<string, number>;
  private readonly Ap: number;
  private t = 0;

  constructor(
    readonly cfg: TransformerConfig,
    weights: TransformerWeights,
    readonly numEnvs: number,
    relaxed = hasRelaxedSimd(),
  ) {
    validateWeights(cfg, weights);
    assertInt("numEnvs", numEnvs, 1, 1 << 20);
    const plan = memoryPlan(cfg, 1, 1, 1); // for the parameter layout and its checks
    this.offsets = plan.offsets;
    this.Ap = plan.Ap;
    const { tokenDim: F, maxLen: T, D, layers: L, mlpHidden: H } = cfg, E = numEnvs;
    let at = 16;
    const take = (name: string, n: number) => {
      this.r[name] = at;
      at += Math.ceil(n / 4) * 4;
    };
    take("P", plan.P);
    for (const n of ["x", "u", "y1", "z", "xh"]) take(n, E * D);
    take("rs", E);
    take("qkv", E * 3 * D);
    take("hm", E * H);
    take("tok", E * F);
    take("log", E * this.Ap);
    take("K", L * E * T * D);
    take("V", L * E * T * D);
    const bytes = at * 4;
    if (bytes > 4 * 2 ** 30) {
      throw new RangeError(
        `the key/value cache of ${E} environments needs ${bytes} bytes, over 4 GiB`,
      );
    }
    const pages = Math.ceil(bytes / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.k = transformerKernels(memory, relaxed) as DecodeKernels;
    this.f = new Float32Array(memory.buffer);
    writeParams(this.f, plan, this.r.P, weights); // the trainer's layout
  }

  /** Tokens consumed so far (the position of the next `step`). */
  get position(): number {
    return this.t;
  }

  /** Forget every environment's context. */
  reset(): void {
    this.t = 0;
  }

  /**
   * Append one token per environment (`numEnvs × tokenDim`, row e = environment e) and return
   * the logits at that position, `numEnvs × numActions` (a fresh array).
   */
  step(tokens: ArrayLike<number>): Float32Array {
    const { tokenDim: F, numActions: A, maxLen: T, D, layers: L, mlpHidden: H } = this.cfg;
    const E = this.numEnvs, M = headsOf(this.cfg), dh = D / M, t = this.t, Ap = this.Ap;
    if (t >= T) throw new RangeError(`the model has ${T} positions; step ${t + 1} is beyond them`);
    if (tokens.length !== E * F) {
      throw new RangeError(`tokens have ${tokens.length} values, expected ${E}·${F} = ${E * F}`);
    }
    for (let i = 0; i < tokens.length; i++) {
      if (!Number.isFinite(tokens[i])) throw new RangeError(`tokens[${i}] = ${tokens[i]}`);
    }
    const f = this.f, k = this.k, r = this.r, P = r.P, off = this.offsets;
    const w = (name: string) => 4 * (P + off[name]);
    f.set(tokens, r.tok);
    k.gemm_nn(4 * r.tok, F, w("embed"), D, 4 * r.x, D, E, F, D, 0);
    k.add_bias(4 * r.x, w("embedBias"), 0, E, D, 0);
    k.add_bias(4 * r.x, 4 * (P + off.pos + t * D), 0, E, D, 0);
    const inv = 1 / (t + 1);
    for (let l = 0; l < L; l++) {
      k.gemm_nn(4 * r.x, D, w(`l${l}.qkv`), 3 * D, 4 * r.qkv, 3 * D, E, D, 3 * D, 0);
      f.copyWithin(r.u, r.x, r.x + E * D);
      const K = r.K + l * E * T * D, V = r.V + l * E * T * D;
      for (let e = 0; e < E; e++) {
        const row = r.qkv + e * 3 * D, ke = K + e * T * D, ve = V + e * T * D;
        f.copyWithin(ke + t * D, row + D, row + 2 * D);
        f.copyWithin(ve + t * D, row + 2 * D, row + 3 * D);
        for (let m = 0; m < M; m++) {
          k.attn_row(
            4 * (row + m * dh),
            4 * (ke + m * dh),
            4 * (ve + m * dh),
            D,
            t + 1,
            dh,
            inv,
            4 * (r.u + e * D + m * dh),
          );
        }
      }
      k.layernorm(4 * r.u, 4 * r.xh, 4 * r.rs, 4 * r.y1, w(`l${l}.ln1g`), w(`l${l}.ln1b`), E, D);
      k.gemm_nn(4 * r.y1, D, w(`l${l}.w1`), H, 4 * r.hm, H, E, D, H, 0);
      k.add_bias(4 * r.hm, w(`l${l}.b1`), 0, E, H, 1);
      f.copyWithin(r.z, r.y1, r.y1 + E * D);
      k.add_bias(4 * r.z, w(`l${l}.b2`), 0, E, D, 0);
      k.gemm_nn(4 * r.hm, H, w(`l${l}.w2`), D, 4 * r.z, D, E, H, D, 1);
      k.layernorm(4 * r.z, 4 * r.xh, 4 * r.rs, 4 * r.x, w(`l${l}.ln2g`), w(`l${l}.ln2b`), E, D);
    }
    k.gemm_nn(4 * r.x, D, w("out"), Ap, 4 * r.log, Ap, E, D, Ap, 0);
    k.add_bias(4 * r.log, w("outBias"), 0, E, Ap, 0);
    this.t++;
    const out = new Float32Array(E * A);
    for (let e = 0; e < E; e++) {
      for (let a = 0; a < A; a++) out[e * A + a] = f[r.log + e * Ap + a];
    }
    return out;
  }
}
