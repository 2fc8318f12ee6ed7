/**
 * Train several configurations (e.g. seeds) at once in Deno Workers, one per core by default.
 * Each run is exactly `trainTeacherMimic(config)` — results do not depend on the worker count.
 * The pool itself is the generic {@linkcode runWorkerJobs} (`lib/core/pool.ts`).
 *
 * @module
 */

import {
  type TrainConfig,
  type TrainMetrics,
  type TrainResult,
  validateTrainConfig,
} from "./train.ts";
import { runWorkerJobs } from "../core/pool.ts";
import { assertInt, showValue } from "../core/validate.ts";

export { runWorkerJobs };

/** Progress of one of the parallel runs. */
export type ManyProgress = (index: number, done: number, total: number, row: TrainMetrics) => void;

/** A progress message of `train_worker.ts`. */
interface TrainProgressMessage {
  done: number;
  total: number;
  row: TrainMetrics;
}

/**
 * Run `configs` through `trainTeacherMimic` in up to `workers` parallel Workers; results come back in
 * input order. A failing run rejects with its index, seed and message.
 *
 * @example
 * ```ts
 * import { trainMany } from "./parallel.ts";
 * import { trainConfig } from "./train.ts";
 * const tiny = { task: { nS: 3, nA: 2, d: 4 }, K: 2, T: 5, batch: 2 };
 * const results = await trainMany([0, 1].map((seed) => trainConfig({ ...tiny, seed })), 1);
 * ```
 */
export function trainMany(
  configs: TrainConfig[],
  workers = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, configs.length)),
  onProgress?: ManyProgress,
): Promise<TrainResult[]> {
  assertInt("workers", workers, 1, 64);
  if (!Array.isArray(configs) || configs.length === 0) {
    throw new RangeError(
      `configs must be a non-empty array of training configs, got ${showValue(configs)}`,
    );
  }
  configs.forEach((c, i) => {
    try {
      validateTrainConfig(c);
    } catch (e) {
      throw new RangeError(`configs[${i}]: ${(e as Error).message}`);
    }
  });
  return runWorkerJobs<TrainConfig, TrainResult>(
    new URL("./train_worker.ts", import.meta.url),
    configs,
    workers,
    undefined,
    onProgress && ((index, msg) => {
      const { done, total, row } = msg as TrainProgressMessage;
      onProgress(index, done, total, row);
    }),
    (index) => `run ${index} (seed ${configs[index].seed})`,
  );
}
