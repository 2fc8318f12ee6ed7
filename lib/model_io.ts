/**
 * Save and load trained blocks (`data/models/…json`) with their training config and a metrics
 * summary, so later notebooks reuse them. Floats are written by `JSON.stringify`, which round-trips
 * float64 exactly.
 *
 * @module
 */

import type { BlockModel, TrainConfig, TrainResult } from "./train.ts";
import { taskDims, validateTask } from "./tasks.ts";
import { assertFiniteArray } from "./validate.ts";

/** The on-disk format tag. */
export const MODEL_FORMAT = "icrl-lsa-block/1";

/** A loaded model file. */
export interface SavedModel {
  /** The block. */
  model: BlockModel;
  /** The training configuration that produced it. */
  config: TrainConfig;
  /** Free-form summary (final metrics, wall time, versions). */
  summary: Record<string, unknown>;
}

/**
 * Write a trained block and its config to `path` (JSON; temp file + rename, so a crash never
 * leaves a half-written file).
 *
 * @example
 * ```ts
 * await saveModel("data/models/sarsa_seed0.json", result);
 * ```
 */
export async function saveModel(
  path: string,
  result: TrainResult,
  summary: Record<string, unknown> = {},
): Promise<void> {
  const { model, config } = result;
  const last = result.metrics.at(-1);
  const body = {
    format: MODEL_FORMAT,
    task: model.task,
    param: model.param,
    m: model.blocks.m,
    p: model.blocks.p,
    P12: Array.from(model.blocks.P12),
    V21bar: Array.from(model.blocks.V21bar),
    ...(model.full
      ? { D: model.full.D, P: Array.from(model.full.P), V: Array.from(model.full.V) }
      : {}),
    config,
    summary: {
      prompts: result.prompts,
      wallTimeSec: result.wallTimeSec,
      finalMetrics: last ?? null,
      deno: Deno.version.deno,
      ...summary,
    },
  };
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(body));
  await Deno.rename(tmp, path);
}

/**
 * Read a block written by {@linkcode saveModel}. Throws an error naming the file and the problem
 * if it is missing, not JSON, of another format, or has wrong shapes / non-finite numbers.
 *
 * @example
 * ```ts
 * const { model } = await loadModel("data/models/sarsa_seed0.json");
 * ```
 */
export async function loadModel(path: string): Promise<SavedModel> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read model file ${path}: ${(e as Error).message}`);
  }
  // deno-lint-ignore no-explicit-any
  let j: any;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`model file ${path} is not valid JSON (corrupt?): ${(e as Error).message}`);
  }
  const where = `model file ${path}`;
  if (j?.format !== MODEL_FORMAT) {
    throw new Error(`${where}: format is ${JSON.stringify(j?.format)}, expected "${MODEL_FORMAT}"`);
  }
  try {
    validateTask(j.task);
    const { m, p } = taskDims(j.task);
    if (j.m !== m || j.p !== p) {
      throw new RangeError(`m=${j.m}, p=${j.p} do not match the task (m=${m}, p=${p})`);
    }
    assertFiniteArray("P12", j.P12, m * p);
    assertFiniteArray("V21bar", j.V21bar, (p - 1) * m);
    if (j.param !== "restricted" && j.param !== "full") {
      throw new RangeError(`param must be "restricted" or "full", got ${JSON.stringify(j.param)}`);
    }
    const model: BlockModel = {
      task: j.task,
      param: j.param,
      blocks: { m, p, P12: Float64Array.from(j.P12), V21bar: Float64Array.from(j.V21bar) },
    };
    if (j.param === "full") {
      const D = m + p;
      if (j.D !== D) throw new RangeError(`D=${j.D} does not match m+p=${D}`);
      assertFiniteArray("P", j.P, D * D);
      assertFiniteArray("V", j.V, D * D);
      model.full = { D, P: Float64Array.from(j.P), V: Float64Array.from(j.V) };
    }
    return { model, config: j.config, summary: j.summary ?? {} };
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}
