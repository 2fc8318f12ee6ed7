/**
 * Which backend runs the bandit transformer: `wasm` (default: this project's WebAssembly SIMD
 * engine, `engine/`, for training; tfjs-wasm for deployment), `tfjs-wasm` (tfjs's autodiff on its
 * wasm backend, the reference path), `cpu` (tfjs's plain JS kernels) or `webgpu`
 * (`@tensorflow/tfjs-backend-webgpu` on Deno's WebGPU). Paper scale on a GPU is a matter of
 * `--backend webgpu`. Selecting WebGPU
 * checks for an adapter first and fails with a message that says what to do when there is none —
 * or when the only adapter is a software fallback (e.g. llvmpipe), which would be slower than wasm.
 *
 * @module
 */

import { initTf, tf } from "../icrl/tf.ts";

/** The backends the pretraining can run on. */
export type BackendName = "wasm" | "tfjs-wasm" | "cpu" | "webgpu";

const NAMES: BackendName[] = ["wasm", "tfjs-wasm", "cpu", "webgpu"];

/**
 * The tfjs backend each name deploys (and, but for `wasm`, trains) on.
 *
 * @example
 * ```ts
 * tfjsBackendOf("tfjs-wasm"); // "wasm"
 * ```
 */
export function tfjsBackendOf(name: BackendName): "wasm" | "cpu" | "webgpu" {
  return name === "wasm" || name === "tfjs-wasm" ? "wasm" : name;
}

/** The environment variable read when no `--backend` flag is given. */
export const BACKEND_ENV = "ICRL_BACKEND";

/**
 * The backend named by `--backend NAME` / `--backend=NAME` in `args`, else by `env` (the value of
 * `ICRL_BACKEND`), else `fallback` (`"wasm"`, the fastest). An unknown name or a flag without a
 * value throws naming it.
 *
 * @example
 * ```ts
 * parseBackend(["--backend", "webgpu"]); // "webgpu"
 * parseBackend([], undefined); // "wasm"
 * ```
 */
export function parseBackend(
  args: readonly string[],
  env?: string,
  fallback: BackendName = "wasm",
): BackendName {
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--backend") {
      name = args[i + 1];
      if (name === undefined || name.startsWith("--")) {
        throw new RangeError(`--backend needs a value (one of ${NAMES.join(", ")})`);
      }
    } else if (args[i].startsWith("--backend=")) name = args[i].slice("--backend=".length);
  }
  name ??= env === undefined || env === "" ? fallback : env;
  if (!NAMES.includes(name as BackendName)) {
    throw new RangeError(
      `unknown backend ${JSON.stringify(name)} (expected one of ${NAMES.join(", ")})`,
    );
  }
  return name as BackendName;
}

/** The part of `navigator.gpu` the check needs (injectable for tests). */
export interface GpuLike {
  requestAdapter(): Promise<
    { info?: { description?: string; isFallbackAdapter?: boolean } } | null
  >;
}

/**
 * Resolve to the adapter's description if WebGPU can run tfjs here; otherwise throw an error that
 * says why and what to do. A software fallback adapter is refused unless `allowFallback`.
 *
 * @example
 * ```ts
 * import { checkWebGpu } from "./backend.ts";
 * // navigator.gpu here; a stand-in adapter keeps the example independent of the machine
 * const gpu = {
 *   requestAdapter: () => Promise.resolve({ info: { description: "Test GPU", isFallbackAdapter: false } }),
 * };
 * await checkWebGpu(gpu); // "Test GPU"
 * await checkWebGpu(undefined).catch((e) => e.message); // "--backend webgpu: this runtime has no WebGPU …"
 * ```
 */
export async function checkWebGpu(
  gpu: GpuLike | undefined,
  allowFallback = false,
): Promise<string> {
  if (gpu === undefined || gpu === null) {
    throw new Error(
      "--backend webgpu: this runtime has no WebGPU (navigator.gpu is undefined); " +
        "run with --backend wasm (the default), or use a Deno build with WebGPU",
    );
  }
  let adapter;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    throw new Error(
      `--backend webgpu: requesting a WebGPU adapter failed: ${(e as Error).message}`,
    );
  }
  if (!adapter) {
    throw new Error(
      "--backend webgpu: no WebGPU adapter found (no GPU, or no driver visible to Deno); " +
        "run with --backend wasm (the default)",
    );
  }
  const desc = adapter.info?.description || "unnamed adapter";
  if (adapter.info?.isFallbackAdapter && !allowFallback) {
    throw new Error(
      `--backend webgpu: the only WebGPU adapter is a software fallback (${desc}), not a GPU — ` +
        "it would be slower than wasm; run with --backend wasm",
    );
  }
  return desc;
}

/** Injectable pieces of {@linkcode selectBackend} (tests replace them). */
export interface BackendDeps {
  /** `navigator.gpu`. */
  gpu?: GpuLike;
  /** Registers the WebGPU backend with tfjs (imports the package). */
  registerWebGpu: () => Promise<void>;
  /** Sets and readies a tfjs backend by name; resolves to the active backend's name. */
  setBackend: (name: BackendName) => Promise<string>;
  /** Accept a software fallback WebGPU adapter. */
  allowFallback?: boolean;
}

const defaultDeps = (): BackendDeps => ({
  gpu: (navigator as { gpu?: GpuLike }).gpu,
  registerWebGpu: async () => {
    await import("@tensorflow/tfjs-backend-webgpu");
  },
  setBackend: async (name) => {
    if (name === "wasm" || name === "tfjs-wasm") {
      await initTf("wasm");
      if (tf.getBackend() !== "wasm") await tf.setBackend("wasm");
      await tf.ready();
      return tf.getBackend();
    }
    if (name === "cpu") return await initTf("cpu");
    if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start the ${name} backend`);
    await tf.ready();
    return tf.getBackend();
  },
});

/**
 * Activate backend `name` and return tfjs's name for the active backend. `wasm` and `cpu` go
 * through `initTf`; `webgpu` first checks for a (non-fallback) adapter, then registers
 * `@tensorflow/tfjs-backend-webgpu`; any failure throws with the reason. The active backend must
 * be the one asked for (no silent fallback).
 *
 * @example
 * ```ts
 * await selectBackend(parseBackend(Deno.args, Deno.env.get(BACKEND_ENV))); // "wasm"
 * ```
 */
export async function selectBackend(
  name: BackendName,
  deps: Partial<BackendDeps> = {},
): Promise<string> {
  const d = { ...defaultDeps(), ...deps };
  if (!NAMES.includes(name)) throw new RangeError(`unknown backend ${JSON.stringify(name)}`);
  if (name === "webgpu") {
    await checkWebGpu(d.gpu, d.allowFallback ?? false);
    await d.registerWebGpu();
  }
  const active = await d.setBackend(name);
  if (active !== tfjsBackendOf(name)) {
    throw new Error(`asked for the ${name} backend but tfjs is running ${active}`);
  }
  return name;
}
