/**
 * tfjs set-up (float32) and the batched fast readout of the LSA block (MATH §4) as tensors.
 *
 * The **wasm** backend is used (about 2× tfjs's cpu backend here); its `.wasm` binaries are loaded
 * from the package's `dist/` folder on disk (`node_modules` is created by `"nodeModulesDir": "auto"`).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { type LsaParams, validateLsaParams } from "./lsa.ts";
import { type Prompt, validatePrompt } from "./prompt.ts";
import { assertInt } from "../core/validate.ts";

export { tf };

let ready: Promise<string> | null = null;

/** Find the folder holding tfjs-backend-wasm's `.wasm` files. */
function wasmDir(): string {
  const root = new URL("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url);
  return root.pathname;
}

/**
 * Initialise tfjs once, preferring the wasm backend (falls back to "cpu" if wasm cannot start),
 * and return the backend's name.
 *
 * @example
 * ```ts
 * import { initTf } from "./tf.ts";
 * const backend = await initTf();
 * console.log(backend); // "wasm" (or "cpu" where the wasm backend cannot start)
 * ```
 */
export function initTf(backend: "wasm" | "cpu" = "wasm"): Promise<string> {
  if (!ready) {
    ready = (async () => {
      if (backend === "wasm") {
        try {
          setWasmPaths(wasmDir());
          if (await tf.setBackend("wasm")) {
            await tf.ready();
            return tf.getBackend();
          }
        } catch (_e) {
          // fall through to the cpu backend
        }
      }
      await tf.setBackend("cpu");
      await tf.ready();
      return tf.getBackend();
    })();
  }
  return ready;
}

/**
 * Batched fast readout in float32: for `H` of shape `[B, D, n+1]`, returns `[B, D−m−1]`
 * `= θ + (1/n)·V_θ H (Hᵀ (P h_n))` — the same computation as `lsaReadout`, one tfjs graph for B
 * prompts. Call inside `tf.tidy` (or dispose the result).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * import { buildPrompt, lsaReadout } from "./mod.ts";
 * import { initTf, lsaReadoutTf, paramsToTensors, promptsToTensor, tf } from "./tf.ts";
 * await initTf();
 * const rng = new Rng(0);
 * const d = 2, n = 4, m = 2 * d + 1; // SARSA sizes, D = 3d + 2 = 8
 * const params = sarsaConstruction(d, 0.2);
 * const prompts = [0, 1].map(() =>
 *   buildPrompt(rng.fillUniform(new Float64Array(n * m), -1, 1), n, m, [0.5, -0.5])
 * );
 * const { P, V } = paramsToTensors(params);
 * const Hbatch = promptsToTensor(prompts);
 * const out = lsaReadoutTf(P, V, Hbatch, n, m); // [2, d]
 * const got = out.arraySync();
 * tf.dispose([P, V, Hbatch, out]);
 * prompts.forEach((pr, b) => {
 *   const want = lsaReadout(params, pr); // the float64 readout
 *   if (want.some((x, k) => Math.abs(x - got[b][k]) > 1e-5)) throw new Error(`prompt ${b}`);
 * });
 * ```
 */
export function lsaReadoutTf(
  P: tf.Tensor2D,
  V: tf.Tensor2D,
  H: tf.Tensor3D,
  n: number,
  m: number,
): tf.Tensor2D {
  const [B, D, c] = H.shape;
  assertInt("n", n, 1);
  if (c !== n + 1) throw new RangeError(`H has ${c} columns, expected n+1 = ${n + 1}`);
  if (P.shape[0] !== D || P.shape[1] !== D) {
    throw new RangeError(`P must be ${D}×${D}, got ${P.shape.join("×")}`);
  }
  if (V.shape[0] !== D || V.shape[1] !== D) {
    throw new RangeError(`V must be ${D}×${D}, got ${V.shape.join("×")}`);
  }
  assertInt("m", m, 1, D - 2);
  return tf.tidy(() => {
    const h = tf.slice(H, [0, 0, n], [B, D, 1]); // [B, D, 1]
    const q = tf.matMul(tf.reshape(h, [B, D]), P, false, true); // [B, D] = (P h_b)ᵀ
    const a = tf.matMul(H, tf.reshape(q, [B, D, 1]), true, false); // [B, n+1, 1]
    const b = tf.reshape(tf.matMul(H, a), [B, D]); // [B, D]
    const Vw = tf.slice(V, [m + 1, 0], [D - m - 1, D]); // [p−1, D]
    const upd = tf.matMul(b, Vw, false, true); // [B, p−1]
    const theta = tf.reshape(tf.slice(h, [0, m + 1, 0], [B, D - m - 1, 1]), [B, D - m - 1]);
    return tf.add(theta, tf.div(upd, n)) as tf.Tensor2D;
  });
}

/**
 * Stack prompts (all with the same D and n) into a float32 tensor `[B, D, n+1]`.
 *
 * @example
 * ```ts
 * import { buildPrompt } from "./mod.ts";
 * import { initTf, promptsToTensor } from "./tf.ts";
 * await initTf(); // tensors need a started backend
 * const p1 = buildPrompt(new Float64Array([1, 2, 3, 4]), 2, 2, [0.5]); // n = 2, m = 2, D = 4
 * const p2 = buildPrompt(new Float64Array([5, 6, 7, 8]), 2, 2, [-0.5]);
 * const H = promptsToTensor([p1, p2]);
 * console.log(H.shape); // [2, 4, 3]
 * H.dispose();
 * ```
 */
export function promptsToTensor(prompts: Prompt[]): tf.Tensor3D {
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw new RangeError(`prompts must be a non-empty array, got length ${prompts?.length}`);
  }
  prompts.forEach((pr) => validatePrompt(pr));
  const { D, n } = prompts[0];
  const c = n + 1;
  const buf = new Float32Array(prompts.length * D * c);
  prompts.forEach((pr, b) => {
    if (pr.D !== D || pr.n !== n) {
      throw new RangeError(`prompt ${b} is ${pr.D}×${pr.n + 1}, expected ${D}×${c}`);
    }
    buf.set(pr.H, b * D * c);
  });
  return tf.tensor3d(buf, [prompts.length, D, c]);
}

/**
 * Upload `θ = (P, V)` as float32 tensors `[D, D]`.
 *
 * @example
 * ```ts
 * import { sarsaConstruction } from "./construction.ts";
 * import { initTf, paramsToTensors } from "./tf.ts";
 * await initTf();
 * const { P, V } = paramsToTensors(sarsaConstruction(2, 0.2));
 * console.log(P.shape, V.dtype); // [8, 8] "float32"
 * P.dispose();
 * V.dispose();
 * ```
 */
export function paramsToTensors(params: LsaParams): { P: tf.Tensor2D; V: tf.Tensor2D } {
  const { D } = validateLsaParams(params);
  return {
    P: tf.tensor2d(Float32Array.from(params.P), [D, D]),
    V: tf.tensor2d(Float32Array.from(params.V), [D, D]),
  };
}
