/**
 * Loading the WebAssembly SIMD kernels (`lib/core/wasm/kernels.wat`, assembled by
 * `scripts/build_wasm.ts` into `wasm/kernels_wasm.ts`): the module is compiled once per thread and
 * instantiated on a **shared** memory the caller provides, so that another thread can write into it
 * directly (the streamed trainer's rollout worker fills the prompt ring there, `stream.ts`). The
 * kernels take byte addresses into that memory.
 *
 * @module
 */

import { KERNELS_WASM_BASE64 } from "./wasm/kernels_wasm.ts";
import { assertInt } from "./validate.ts";

/** The exported kernels (byte addresses; see the WAT source for each contract). */
export interface Kernels {
  /** `dst[i·bLen + j] = a[i]·b[j]`. */
  outer(dst: number, a: number, aLen: number, b: number, bLen: number): void;
  /** One prompt's forward and backward; returns its loss. */
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
  /** One prompt's forward pass `θ + V̄21 Σ̂ P12 θ̃`, written to `out`. */
  readout(
    P: number,
    V: number,
    X: number,
    TH: number,
    n: number,
    m: number,
    p: number,
    scr: number,
    out: number,
    invN: number,
  ): void;
  /** `dst[i·cols + j] = Σ_{b<B} A[i·cap + b]·CT[b·cols + j]`. */
  rankB(
    dst: number,
    A: number,
    rows: number,
    CT: number,
    cols: number,
    cap: number,
    B: number,
  ): void;
  /** Calibration: f64x2 multiply–add over `n` entries (a multiple of 16), `reps` passes. */
  peak(x: number, n: number, reps: number, a: number): number;
  /** Adam on `n` entries. */
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

/**
 * A shared memory of at least `bytes` bytes (whole 64 KiB pages, fixed size) for the kernels.
 *
 * @example
 * ```ts
 * import { kernelMemory } from "./wasm_kernels.ts";
 * const mem = kernelMemory(100_000);
 * console.log(mem.buffer.byteLength, mem.buffer instanceof SharedArrayBuffer); // 131072 true
 * ```
 */
export function kernelMemory(bytes: number): WebAssembly.Memory {
  assertInt("bytes", bytes, 1);
  const pages = Math.ceil(bytes / 65536);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/**
 * The kernels, instantiated on `memory` (from {@linkcode kernelMemory}).
 *
 * @example
 * ```ts
 * import { kernelMemory, kernels } from "./wasm_kernels.ts";
 * const mem = kernelMemory(64), k = kernels(mem);
 * const f = new Float64Array(mem.buffer, 0, 4);
 * f.set([2, 3]); // a = [2], b = [3]
 * k.outer(16, 0, 1, 8, 1); // f[2] = a[0]·b[0]
 * console.log(f[2]); // 6
 * ```
 */
export function kernels(memory: WebAssembly.Memory): Kernels {
  if (compiled === null) {
    const bin = atob(KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Kernels;
}

/**
 * The machine's f64x2 multiply–add rate in GFLOP/s for the kernels' loop shape (16 independent
 * chains over a 32 KiB array; best of `runs` timings of `reps` passes, after an untimed warm-up
 * run — V8 first runs wasm through its baseline compiler and swaps in optimised code once a
 * function is hot), as `deno task bench` prints it next to the achieved rates.
 *
 * @example
 * ```ts
 * import { simdPeakGflops } from "./wasm_kernels.ts";
 * console.log(simdPeakGflops(50, 2) > 0); // true
 * ```
 */
export function simdPeakGflops(reps = 20000, runs = 5): number {
  assertInt("reps", reps, 1);
  assertInt("runs", runs, 1);
  const n = 4096, mem = kernelMemory(n * 8), k = kernels(mem);
  new Float64Array(mem.buffer, 0, n).fill(1.000001);
  const t0 = performance.now();
  while (performance.now() - t0 < 200) k.peak(0, n, 100, 0.5); // warm-up: tier up to optimised code
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    if (!Number.isFinite(k.peak(0, n, reps, 0.5))) throw new Error("peak kernel overflowed");
    best = Math.min(best, performance.now() - t0);
  }
  return (2 * n * reps) / (best * 1e6);
}
