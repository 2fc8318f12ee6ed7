/**
 * The transformer-engine section of `deno task bench` (also runnable alone:
 * `deno run -A bench/transformer_engine.ts [--quick]`): training throughput of the bandit
 * transformer at the paper's architecture (L = 8, M = 4, D = 32, MLP width 32, T = 200, batch
 * 128 trajectories of a linear bandit with d = 5, A = 10) on every backend, side by side in one
 * process, plus the machine's f32x4 multiply–add peak for the kernels' instruction mix. One line
 * per backend in a fixed, script-readable form:
 *
 *     transformer L=8 T=200 B=128 <backend> <workers>w: <N> traj/s, <G> GFLOP/s
 *
 * GFLOP/s counts 3× the forward FLOPs of `forwardFlops` (dense products and causal attention,
 * MATH §9) for every backend alike.
 *
 * @module
 */

import { Rng } from "../lib/core/rng.ts";
import { initWeights, type TransformerConfig } from "../lib/bandits/model_config.ts";
import { createEngine, type EngineBackend } from "../lib/bandits/engine/engine.ts";
import { forwardFlops } from "../lib/bandits/engine/reference.ts";
import { hasRelaxedSimd, transformerKernels } from "../lib/bandits/engine/wasm_model.ts";

/** The paper's architecture on linear-bandit tokens (d = 5, A = 10: 61 features). */
export const PAPER_TRANSFORMER: TransformerConfig = {
  tokenDim: 61,
  numActions: 10,
  maxLen: 200,
  D: 32,
  layers: 8,
  mlpHidden: 32,
  heads: 4,
};

/** One measured row. */
export interface EngineBenchRow {
  backend: EngineBackend;
  workers: number;
  device: string;
  trajPerSec: number;
  gflops: number;
}

/**
 * The f32x4 multiply–add peak of this machine in GFLOP/s: the `peak` kernel (8 independent
 * accumulator chains, fused multiply–add where relaxed SIMD runs) on an L1-resident array, best of
 * `runs` after a warm-up that lets V8 tier the kernel up.
 */
export function f32x4PeakGflops(relaxed = hasRelaxedSimd(), runs = 5): number {
  const n = 4096;
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  new Float32Array(mem.buffer, 0, n).fill(1.0001);
  const k = transformerKernels(mem, relaxed);
  const t0 = performance.now();
  while (performance.now() - t0 < 200) k.peak(0, n, 100);
  let best = Infinity;
  const reps = 2000;
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    k.peak(0, n, reps);
    best = Math.min(best, (performance.now() - s) / 1000);
  }
  return (reps * n * 16) / best / 1e9; // 16 multiply–adds of 4 lanes per 8 floats = 16 FLOP/float
}

/** Measure every backend (webgpu only when an adapter exists); prints and returns the rows. */
export async function benchTransformerEngine(quick: boolean): Promise<EngineBenchRow[]> {
  const cfg = PAPER_TRANSFORMER, B = 128, T = 200;
  const rng = new Rng(17);
  const w = initWeights(cfg, rng);
  const tokens = new Float32Array(B * T * cfg.tokenDim).map(() => 2 * rng.uniform() - 1);
  const targets = new Int32Array(B * T).map(() => rng.int(cfg.numActions));
  const flops = 3 * forwardFlops(cfg, T);
  const opt = { lr: 1e-3, weightDecay: 1e-4, clipNorm: 0 };
  const relaxed = hasRelaxedSimd();
  console.log(
    `\ntransformer engine at the paper's architecture (L=8, M=4, D=32, MLP 32, T=200, B=128; ` +
      `${(flops / 1e6).toFixed(1)} MFLOP per trajectory per training step)`,
  );
  const peak = f32x4PeakGflops(relaxed);
  console.log(
    `f32x4 multiply–add peak (${relaxed ? "relaxed-SIMD fused" : "multiply + add"}), one core: ${
      peak.toFixed(1)
    } GFLOP/s`,
  );
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const hasGpu = gpu !== undefined && (await gpu.requestAdapter()) !== null;
  const plans: [EngineBackend, number][] = [["tfjs-wasm", 1], ["wasm", 1], ["wasm", 2]];
  if (hasGpu) plans.push(["webgpu", 1]);
  const rows: EngineBenchRow[] = [];
  for (const [backend, workers] of plans) {
    const eng = await createEngine(cfg, w, opt, {
      backend,
      workers,
      maxBatch: B,
      allowFallbackGpu: true,
    });
    try {
      await eng.trainStep(tokens, targets, B, T); // warm-up
      const slow = backend !== "wasm";
      const budget = (quick ? 1 : 4) * (slow ? 2 : 1);
      let steps = 0;
      const t0 = performance.now();
      do {
        await eng.trainStep(tokens, targets, B, T);
        steps++;
      } while ((performance.now() - t0) / 1000 < budget);
      const sec = (performance.now() - t0) / 1000;
      const trajPerSec = (steps * B) / sec;
      const row = {
        backend,
        workers,
        device: eng.device,
        trajPerSec,
        gflops: (trajPerSec * flops) / 1e9,
      };
      rows.push(row);
      console.log(
        `transformer L=8 T=200 B=128 ${backend} ${workers}w: ${trajPerSec.toFixed(1)} traj/s, ` +
          `${row.gflops.toFixed(2)} GFLOP/s   [${eng.device}; ${steps} steps]`,
      );
    } finally {
      eng.dispose();
    }
  }
  if (!hasGpu) {
    console.log("transformer webgpu: no WebGPU adapter (apt-get install -y mesa-vulkan-drivers)");
  }
  const base = rows.find((r) => r.backend === "tfjs-wasm")!;
  for (const r of rows.filter((r) => r.backend !== "tfjs-wasm")) {
    console.log(
      `  ${r.backend} ${r.workers}w / tfjs-wasm: ×${(r.trajPerSec / base.trajPerSec).toFixed(1)}` +
        `, ${(r.gflops / r.workers).toFixed(1)} GFLOP/s per worker (${
          ((100 * r.gflops) / r.workers / peak).toFixed(0)
        } % of the f32x4 peak)`,
    );
  }
  // leave tfjs on its wasm backend for whatever runs next
  const { tf } = await import("../lib/icrl/tf.ts");
  if (tf.getBackend() !== "wasm") {
    await tf.setBackend("wasm");
    await tf.ready();
  }
  return rows;
}

if (import.meta.main) {
  await benchTransformerEngine(Deno.args.includes("--quick"));
}
