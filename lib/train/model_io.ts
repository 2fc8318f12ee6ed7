/**
 * Save and load trained blocks (`data/models/…json`) with their training config and a metrics
 * summary, so later notebooks reuse them. Floats are written by `JSON.stringify`, which round-trips
 * float64 exactly.
 *
 * @module
 */

import { DEFAULT_TRAIN, type TrainConfig, type TrainResult, validateTrainConfig } from "./train.ts";
import { taskDims, type TaskSpec, validateTask } from "../icrl/tasks.ts";
import { type BlockModel, validateBlocks, validateLsaParams } from "../icrl/lsa.ts";
import {
  assertFiniteArray,
  assertInt,
  assertNumber,
  assertObject,
  assertOneOf,
  showValue,
} from "../core/validate.ts";

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
 * leaves a half-written file). The block, task, config and summary are validated first (the checks
 * {@linkcode loadModel} applies), so no file is written from invalid data.
 *
 * @example
 * ```ts
 * import { loadModel, saveModel } from "./model_io.ts";
 * import { trainConfig, trainTeacherMimic } from "./train.ts";
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const result = await trainTeacherMimic(trainConfig({ task, K: 2, T: 5, batch: 1 }));
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await saveModel(path, result, { note: "example" });
 * const { model, summary } = await loadModel(path);
 * console.log(model.blocks.P12[0] === result.model.blocks.P12[0], summary.note); // true example
 * await Deno.remove(path);
 * ```
 */
export async function saveModel(
  path: string,
  result: TrainResult,
  summary: Record<string, unknown> = {},
): Promise<void> {
  const { model, config } = result;
  // Never write a file from invalid data: the same checks loadModel applies on the way back.
  validateTrainConfig(config);
  validateTask(model.task);
  assertOneOf("model.param", model.param, ["restricted", "full"]);
  validateBlocks(model.blocks);
  if (model.full) validateLsaParams(model.full);
  validateSummary({ ...summary });
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

/** The class to re-throw `e` as (keeps TypeError / RangeError when the message is prefixed). */
function errorClass(e: unknown): ErrorConstructor {
  return e instanceof TypeError ? TypeError : e instanceof RangeError ? RangeError : Error;
}

/** Run `check`, prefixing any error with the field it concerns. */
function field<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new (errorClass(e))(`field ${name}: ${(e as Error).message}`);
  }
}

function sameTask(a: TaskSpec, b: TaskSpec): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (
      (a as unknown as Record<string, unknown>)[k] !== (b as unknown as Record<string, unknown>)[k]
    ) {
      return false;
    }
  }
  return true;
}

/** Check the summary's standard fields (other keys are free-form). */
function validateSummary(s: unknown): Record<string, unknown> {
  assertObject("summary", s);
  if (s.prompts !== undefined) assertInt("summary.prompts", s.prompts as number, 0);
  if (s.wallTimeSec !== undefined) assertNumber("summary.wallTimeSec", s.wallTimeSec as number, 0);
  if (s.deno !== undefined && typeof s.deno !== "string") {
    throw new TypeError(`summary.deno must be a string, got ${showValue(s.deno)}`);
  }
  const fm = s.finalMetrics;
  if (fm !== undefined && fm !== null) {
    assertObject("summary.finalMetrics", fm);
    for (const [k, v] of Object.entries(fm)) {
      // A NaN metric (e.g. drift in restricted mode) is written by JSON as null.
      if (v !== null) assertNumber(`summary.finalMetrics.${k}`, v as number);
    }
  }
  return s;
}

/**
 * Read a block written by {@linkcode saveModel}. Throws an error naming the file and the problem
 * if it is missing, not JSON, of another format, or has wrong shapes / non-finite numbers.
 *
 * @example
 * ```ts
 * import { loadModel } from "./model_io.ts";
 * const url = new URL("../../data/models/sarsa_restricted_seed0.json", import.meta.url);
 * const { model, config } = await loadModel(decodeURIComponent(url.pathname));
 * console.log(model.param, model.blocks.m, model.blocks.p, config.seed); // restricted 73 37 0
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
  if (j === null || typeof j !== "object" || Array.isArray(j)) {
    throw new Error(`${where}: expected a JSON object, got ${showValue(j)}`);
  }
  if (j.format !== MODEL_FORMAT) {
    throw new Error(`${where}: format is ${JSON.stringify(j.format)}, expected "${MODEL_FORMAT}"`);
  }
  try {
    field("task", () => validateTask(j.task));
    const { m, p } = taskDims(j.task);
    if (j.m !== m || j.p !== p) {
      throw new RangeError(`m=${j.m}, p=${j.p} do not match the task (m=${m}, p=${p})`);
    }
    assertFiniteArray("P12", j.P12, m * p);
    assertFiniteArray("V21bar", j.V21bar, (p - 1) * m);
    assertOneOf("param", j.param, ["restricted", "full"]);
    const model: BlockModel = {
      task: j.task,
      param: j.param,
      blocks: validateBlocks({
        m,
        p,
        P12: Float64Array.from(j.P12),
        V21bar: Float64Array.from(j.V21bar),
      }),
    };
    if (j.param === "full") {
      const D = m + p;
      if (j.D !== D) throw new RangeError(`D=${j.D} does not match m+p=${D}`);
      assertFiniteArray("P", j.P, D * D);
      assertFiniteArray("V", j.V, D * D);
      model.full = validateLsaParams({ D, P: Float64Array.from(j.P), V: Float64Array.from(j.V) });
    }
    // The config goes through the trainer's own validator; keys added to TrainConfig after the
    // file was written take their defaults.
    const config = field("config", () => {
      assertObject("config", j.config);
      assertObject("config.task", j.config.task);
      return validateTrainConfig({ ...DEFAULT_TRAIN, ...j.config });
    });
    if (!sameTask(config.task, j.task)) {
      throw new RangeError(
        `field config.task ${showValue(config.task)} differs from the model's task ${
          showValue(j.task)
        }`,
      );
    }
    if (config.param !== j.param) {
      throw new RangeError(
        `field config.param = "${config.param}" differs from param = "${j.param}"`,
      );
    }
    const summary = field("summary", () => validateSummary(j.summary ?? {}));
    return { model, config, summary };
  } catch (e) {
    throw new (errorClass(e))(`${where}: ${(e as Error).message}`);
  }
}
