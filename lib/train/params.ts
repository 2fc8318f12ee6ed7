/**
 * The trainer's parameters (MATH §6): one flat float64 vector with typed views — restricted
 * `[P12 ; V̄21]` or full `[P ; V]` (the layouts of `lsa.ts`'s {@linkcode restrictedView} and
 * {@linkcode fullView}) — their Xavier-normal initialisation, snapshots as a {@linkcode BlockModel},
 * and the Prop 3.1 drift measurement of full parameters.
 *
 * @module
 */

import {
  type BlockModel,
  fullView,
  type LsaParams,
  paramsToBlocks,
  type RestrictedBlocks,
  restrictedSize,
  restrictedView,
} from "../icrl/lsa.ts";
import { taskDims, type TaskSpec } from "../icrl/tasks.ts";
import type { Rng } from "../core/rng.ts";
import { assertOneOf, assertPositive } from "../core/validate.ts";

/** Xavier-normal fill of an a×b matrix view. */
function xavier(rng: Rng, out: Float64Array, rows: number, cols: number, gain: number): void {
  const std = gain * Math.sqrt(2 / (rows + cols));
  for (let i = 0; i < rows * cols; i++) out[i] = std * rng.normal();
}

/** Flat parameter vector and gradient with typed views (restricted or full, the other null). */
export interface ParamState {
  /** The parameters, flat. */
  flat: Float64Array;
  /** The gradient, same layout. */
  grad: Float64Array;
  /** Restricted views of `flat` (restricted mode) — or null. */
  blocks: RestrictedBlocks | null;
  /** Restricted views of `grad` — or null. */
  gBlocks: RestrictedBlocks | null;
  /** Full views of `flat` (full mode) — or null. */
  full: LsaParams | null;
  /** Full views of `grad` — or null. */
  gFull: LsaParams | null;
}

/**
 * Fresh parameters for `task` drawn from `rng` (the run's init stream): Xavier-normal with gain
 * `initGain`, `P12` then `V̄21` (restricted), or `P` then `V` with `P22 = V̄22 = 0` (full).
 *
 * @example
 * ```ts
 * import { initParams } from "./params.ts";
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { trainingInitStream } from "../core/streams.ts";
 * const st = initParams(DEFAULT_TASK, "restricted", 0.1, trainingInitStream(0));
 * st.flat.length; // 5329
 * ```
 */
export function initParams(
  task: TaskSpec,
  param: "restricted" | "full",
  initGain: number,
  rng: Rng,
): ParamState {
  assertOneOf("param", param, ["restricted", "full"]);
  assertPositive("initGain", initGain);
  const { m, p } = taskDims(task);
  const D = m + p;
  if (param === "restricted") {
    const size = restrictedSize(m, p);
    const flat = new Float64Array(size), grad = new Float64Array(size);
    const blocks = restrictedView(flat, m, p);
    xavier(rng, blocks.P12, m, p, initGain);
    xavier(rng, blocks.V21bar, p - 1, m, initGain);
    return { flat, grad, blocks, gBlocks: restrictedView(grad, m, p), full: null, gFull: null };
  }
  const flat = new Float64Array(2 * D * D), grad = new Float64Array(2 * D * D);
  const full = fullView(flat, D);
  xavier(rng, full.P, D, D, initGain);
  xavier(rng, full.V, D, D, initGain);
  for (let r = m; r < D; r++) for (let c = m; c < D; c++) full.P[r * D + c] = 0; // P22 = 0
  for (let r = m + 1; r < D; r++) for (let c = m; c < D; c++) full.V[r * D + c] = 0; // V̄22 = 0
  return { flat, grad, blocks: null, gBlocks: null, full, gFull: fullView(grad, D) };
}

/**
 * A copy of the current parameters as a {@linkcode BlockModel} of `task` (full models carry
 * their `P12`, `V̄21` blocks too).
 *
 * @example
 * ```ts
 * import { initParams, snapshotModel } from "./params.ts";
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { trainingInitStream } from "../core/streams.ts";
 * const model = snapshotModel(DEFAULT_TASK, initParams(DEFAULT_TASK, "full", 0.1, trainingInitStream(0)));
 * ```
 */
export function snapshotModel(task: TaskSpec, st: ParamState): BlockModel {
  const { m } = taskDims(task);
  if (st.full) {
    const full: LsaParams = {
      D: st.full.D,
      P: Float64Array.from(st.full.P),
      V: Float64Array.from(st.full.V),
    };
    return { task, param: "full", blocks: paramsToBlocks(full, m), full };
  }
  const b = st.blocks!;
  return {
    task,
    param: "restricted",
    blocks: { m: b.m, p: b.p, P12: Float64Array.from(b.P12), V21bar: Float64Array.from(b.V21bar) },
  };
}

/**
 * Prop 3.1 measurements for full parameters: the largest change since `init` of the blocks that
 * cannot move, and the largest |entry| of `P22`, `V̄22`.
 *
 * @example
 * ```ts
 * import { prop31Drift } from "./params.ts";
 * import { sarsaConstruction } from "../icrl/construction.ts";
 * const init = sarsaConstruction(2, 0.2); // D = 8, m = 5
 * const { drift, zeroBlocks } = prop31Drift(init, init, 5); // { drift: 0, zeroBlocks: 0 }
 * ```
 */
export function prop31Drift(
  now: LsaParams,
  init: LsaParams,
  m: number,
): { drift: number; zeroBlocks: number } {
  const { D } = now;
  let drift = 0, zeroBlocks = 0;
  for (let r = 0; r < D; r++) {
    for (let c = 0; c < D; c++) {
      const i = r * D + c;
      // P11, P21: columns < m of P. V11, V12: rows < m of V. First rows of V21, V22: row m of V.
      if (c < m) drift = Math.max(drift, Math.abs(now.P[i] - init.P[i]));
      if (r <= m) drift = Math.max(drift, Math.abs(now.V[i] - init.V[i]));
      if (r >= m && c >= m) zeroBlocks = Math.max(zeroBlocks, Math.abs(now.P[i]));
      if (r > m && c >= m) zeroBlocks = Math.max(zeroBlocks, Math.abs(now.V[i]));
    }
  }
  return { drift, zeroBlocks };
}
