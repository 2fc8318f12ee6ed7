/**
 * The restricted readout `TF(θ) = θ + V̄21 Σ̂ P12 θ̃` (MATH §5) of a frozen block in WebAssembly
 * SIMD, for evaluating trained blocks in closed loop (`transfer/learners.ts`): the blocks are copied
 * into the kernels' memory once; each call copies the prompt's tokens and θ in and the p−1 outputs
 * out. Same operations in the same order as {@linkcode fusedReadout} (`restricted.ts`) — two rows
 * per f64x2, each sum over its index in order — so the same bits (`tests/icrl/wasm_readout_test.ts`).
 *
 * @module
 */

import { assertFiniteArray, assertInt } from "../core/validate.ts";
import { kernelMemory, type Kernels, kernels } from "../core/wasm_kernels.ts";
import type { RestrictedBlocks } from "./lsa.ts";

/** A frozen restricted block and scratch for prompts of `n` tokens, in WebAssembly memory. */
export class WasmReadout {
  /** Token dimension. */
  readonly m: number;
  /** Parameter-column dimension. */
  readonly p: number;
  private readonly k: Kernels;
  private readonly at: { P: number; V: number; X: number; th: number; scr: number; out: number };
  private readonly X: Float64Array;
  private readonly th: Float64Array;
  private readonly outv: Float64Array;

  /**
   * Copy `blocks` (later changes to them are not seen) for prompts of `n` tokens.
   *
   * @example
   * ```ts
   * import { WasmReadout } from "./wasm_readout.ts";
   * import { sarsaBlocks } from "./construction.ts";
   * const rd = new WasmReadout(sarsaBlocks(2, 0.2), 6); // m = 5, p = 3, n = 6
   * console.log(rd.m, rd.p, rd.n); // 5 3 6
   * ```
   */
  constructor(blocks: RestrictedBlocks, readonly n: number) {
    const { m, p } = blocks;
    assertInt("blocks.m", m, 1);
    assertInt("blocks.p", p, 2);
    assertInt("n", n, 1);
    assertFiniteArray("blocks.P12", blocks.P12, m * p);
    assertFiniteArray("blocks.V21bar", blocks.V21bar, (p - 1) * m);
    this.m = m;
    this.p = p;
    let end = 0;
    const take = (len: number) => {
      const o = end;
      end += Math.ceil((len * 8) / 16) * 16;
      return o;
    };
    this.at = {
      P: take(m * p),
      V: take((p - 1) * m),
      X: take(n * m),
      th: take(p),
      scr: take(2 + 3 * m + 2 * n),
      out: take(p - 1),
    };
    const mem = kernelMemory(end);
    this.k = kernels(mem);
    const view = (o: number, len: number) => new Float64Array(mem.buffer, o, len);
    view(this.at.P, m * p).set(blocks.P12);
    view(this.at.V, (p - 1) * m).set(blocks.V21bar);
    this.X = view(this.at.X, n * m);
    this.th = view(this.at.th, p);
    this.th[0] = 1;
    this.outv = view(this.at.out, p - 1);
  }

  /**
   * `out ← θ + V̄21 Σ̂ P12 θ̃` for tokens `X` (n×m) and query `theta` (p−1); returns `out`.
   *
   * @example
   * ```ts
   * import { WasmReadout } from "./wasm_readout.ts";
   * import { sarsaBlocks } from "./construction.ts";
   * const rd = new WasmReadout(sarsaBlocks(2, 0.2), 1); // m = 5, p = 3, one token
   * // token (φ, γφ', r) = ((1, 0), (0, 0), 1): one SARSA step from θ = 0 moves θ by α·r·φ
   * const out = rd.readout(Float64Array.of(1, 0, 0, 0, 1), [0, 0], new Float64Array(2));
   * console.log(out); // Float64Array(2) [ 0.2, 0 ]
   * ```
   */
  readout(X: Float64Array, theta: ArrayLike<number>, out: Float64Array): Float64Array {
    const { m, p, n } = this, q = p - 1;
    if (!(X instanceof Float64Array) || X.length !== n * m) {
      throw new RangeError(`X must be a Float64Array of n·m = ${n * m} tokens, got ${X?.length}`);
    }
    if (theta?.length !== q) throw new RangeError(`theta has ${theta?.length} entries, need ${q}`);
    if (!(out instanceof Float64Array) || out.length < q) {
      throw new RangeError(`out must be a Float64Array of ≥ ${q} entries, got ${out?.length}`);
    }
    this.X.set(X);
    const th = this.th;
    for (let k = 0; k < q; k++) th[k + 1] = theta[k];
    const a = this.at;
    this.k.readout(a.P, a.V, a.X, a.th, n, m, p, a.scr, a.out, 1 / n);
    out.set(this.outv);
    return out;
  }
}
