import assert from "node:assert/strict";
import {
  type BackendName,
  checkWebGpu,
  type GpuLike,
  parseBackend,
  selectBackend,
} from "../../lib/bandits/backend.ts";

const gpuWith = (adapter: Awaited<ReturnType<GpuLike["requestAdapter"]>>): GpuLike => ({
  requestAdapter: () => Promise.resolve(adapter),
});

Deno.test("parseBackend: flag forms, environment fallback, default, bad values", () => {
  assert.equal(parseBackend(["--backend", "webgpu"]), "webgpu");
  assert.equal(parseBackend(["--quick", "--backend=cpu"]), "cpu");
  assert.equal(parseBackend([], "webgpu"), "webgpu");
  assert.equal(parseBackend(["--backend", "wasm"], "webgpu"), "wasm"); // the flag wins
  assert.equal(parseBackend([]), "wasm");
  assert.equal(parseBackend([], ""), "wasm");
  assert.throws(() => parseBackend(["--backend", "cuda"]), /unknown backend "cuda"/);
  assert.throws(() => parseBackend([], "gpu"), /unknown backend "gpu"/);
  assert.throws(() => parseBackend(["--backend"]), /--backend needs a value/);
  assert.throws(() => parseBackend(["--backend", "--quick"]), /--backend needs a value/);
});

Deno.test("checkWebGpu: no WebGPU, no adapter, failing request, fallback adapter, real adapter", async () => {
  await assert.rejects(() => checkWebGpu(undefined), /navigator.gpu is undefined.*--backend wasm/);
  await assert.rejects(() => checkWebGpu(gpuWith(null)), /no WebGPU adapter found/);
  await assert.rejects(
    () => checkWebGpu({ requestAdapter: () => Promise.reject(new Error("driver crashed")) }),
    /requesting a WebGPU adapter failed: driver crashed/,
  );
  const soft = gpuWith({ info: { description: "llvmpipe", isFallbackAdapter: true } });
  await assert.rejects(() => checkWebGpu(soft), /software fallback \(llvmpipe\)/);
  assert.equal(await checkWebGpu(soft, true), "llvmpipe");
  assert.equal(
    await checkWebGpu(gpuWith({ info: { description: "NVIDIA H100", isFallbackAdapter: false } })),
    "NVIDIA H100",
  );
});

Deno.test("selectBackend: webgpu registers only after the adapter check; the result must match", async () => {
  const calls: string[] = [];
  const deps = (gpu: GpuLike | undefined, active?: string) => ({
    gpu,
    registerWebGpu: () => {
      calls.push("register");
      return Promise.resolve();
    },
    setBackend: (name: BackendName) => {
      calls.push(`set ${name}`);
      return Promise.resolve(active ?? name);
    },
  });
  await assert.rejects(
    () => selectBackend("webgpu", deps(undefined)),
    /navigator.gpu is undefined/,
  );
  await assert.rejects(() => selectBackend("webgpu", deps(gpuWith(null))), /no WebGPU adapter/);
  assert.deepEqual(calls, []);
  const hw = gpuWith({ info: { description: "GPU", isFallbackAdapter: false } });
  assert.equal(await selectBackend("webgpu", deps(hw)), "webgpu");
  assert.deepEqual(calls, ["register", "set webgpu"]);
  await assert.rejects(
    () => selectBackend("webgpu", deps(hw, "cpu")),
    /asked for the webgpu backend but tfjs is running cpu/,
  );
  assert.equal(await selectBackend("cpu", deps(undefined)), "cpu"); // no adapter needed
  await assert.rejects(
    () => selectBackend("metal" as BackendName, deps(undefined)),
    /unknown backend "metal"/,
  );
});

Deno.test("selectBackend: the default wasm backend really starts", async () => {
  assert.equal(await selectBackend("wasm"), "wasm");
});
