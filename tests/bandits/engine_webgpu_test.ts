// The webgpu backend (tfjs-backend-webgpu on Deno's navigator.gpu). On a machine without a GPU the
// adapter is Mesa's lavapipe (Debian: mesa-vulkan-drivers, installed by .ci/run). These tests
// never skip: without any adapter they fail, naming the package.
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { initWeights, weightShapes } from "../../lib/bandits/model_config.ts";
import { createEngine } from "../../lib/bandits/engine/engine.ts";
import { lossCurve, opt, small } from "./engine_helpers.ts";

const cfg = small;

async function requireAdapter(): Promise<void> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    throw new Error(
      "no WebGPU adapter: install a GPU driver, or Mesa's software Vulkan with " +
        "`apt-get install -y mesa-vulkan-drivers` (what .ci/run does)",
    );
  }
}

/**
 * Back to tfjs-wasm, and release the GPU device tfjs-webgpu created: its backend's `dispose()` frees
 * buffers but never the device, and a device still alive at process exit is the suspect of a rare
 * crash in Mesa's lavapipe teardown ("double free or corruption" after every test passed). The
 * backend's factory is registered again, so a later test starts a fresh backend and device.
 */
async function restoreWasm() {
  const { tf } = await import("../../lib/icrl/tf.ts");
  await tf.setBackend("wasm");
  await tf.ready();
  const engine = tf.engine() as unknown as {
    registry: Record<string, { device?: { destroy(): void } }>;
    registryFactory: Record<string, { factory: () => unknown; priority: number }>;
  };
  const live = engine.registry?.["webgpu"], entry = engine.registryFactory?.["webgpu"];
  if (live === undefined || entry === undefined) return;
  tf.removeBackend("webgpu"); // disposes the backend's buffers
  // deno-lint-ignore no-explicit-any
  tf.registerBackend("webgpu", entry.factory as any, entry.priority);
  live.device?.destroy();
}

Deno.test("webgpu gradients equal tfjs-wasm autodiff per tensor within 1e-4, and its logits load the same weights", async () => {
  await requireAdapter();
  const rng = new Rng(4);
  const w = initWeights(cfg, rng);
  for (const k in w) for (let i = 0; i < w[k].length; i++) w[k][i] += 0.05 * rng.normal();
  const B = 3, T = 12;
  const tokens = new Float32Array(B * T * cfg.tokenDim).map(() => rng.normal());
  const targets = new Int32Array(B * T).map(() => rng.int(cfg.numActions));
  const cpu = await createEngine(cfg, w, opt, { backend: "tfjs-wasm", maxBatch: B });
  const ref = await cpu.lossGrad(tokens, targets, B, T);
  const refLogits = await cpu.logits(tokens, B, T);
  cpu.dispose();
  try {
    const gpu = await createEngine(cfg, w, opt, {
      backend: "webgpu",
      maxBatch: B,
      allowFallbackGpu: true,
    });
    const got = await gpu.lossGrad(tokens, targets, B, T);
    const logits = await gpu.logits(tokens, B, T);
    gpu.dispose();
    assert.ok(Math.abs(got.loss - ref.loss) < 1e-5 * ref.loss);
    for (const [n] of weightShapes(cfg)) {
      let d = 0, s = 0;
      for (let i = 0; i < ref.grads[n].length; i++) {
        d = Math.max(d, Math.abs(got.grads[n][i] - ref.grads[n][i]));
        s = Math.max(s, Math.abs(ref.grads[n][i]));
      }
      assert.ok(d / s <= 1e-4, `${n}: relative error ${d / s}`);
    }
    for (let i = 0; i < logits.length; i++) assert.ok(Math.abs(logits[i] - refLogits[i]) < 1e-4);
  } finally {
    await restoreWasm();
  }
});

Deno.test("a 200-step webgpu training run follows tfjs-wasm's loss curve within 1 % at every step", async () => {
  await requireAdapter();
  const ref = await lossCurve("tfjs-wasm");
  try {
    const got = await lossCurve("webgpu");
    for (let s = 0; s < 200; s++) {
      assert.ok(
        Math.abs(got[s] - ref[s]) <= 0.01 * ref[s],
        `step ${s + 1}: webgpu ${got[s]} vs ${ref[s]}`,
      );
    }
  } finally {
    await restoreWasm();
  }
});
