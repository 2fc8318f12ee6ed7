/**
 * Train several configurations (e.g. seeds) at once in Deno Workers, one per core by default.
 * Each run is exactly `trainTeacherMimic(config)` — results do not depend on the worker count.
 *
 * @module
 */

import {
  type TrainConfig,
  type TrainMetrics,
  type TrainResult,
  validateTrainConfig,
} from "./train.ts";
import { assertInt, showValue } from "../core/validate.ts";

/** Progress of one of the parallel runs. */
export type ManyProgress = (index: number, done: number, total: number, row: TrainMetrics) => void;

/**
 * Run `configs` through `trainTeacherMimic` in up to `workers` parallel Workers; results come back in
 * input order. A failing run rejects with its index and message.
 *
 * @example
 * ```ts
 * const results = await trainMany([0, 1, 2].map((seed) => trainConfig({ seed, K: 64, T: 100 })));
 * ```
 */
export async function trainMany(
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
  const results: TrainResult[] = new Array(configs.length);
  let next = 0;
  const url = new URL("./train_worker.ts", import.meta.url).href;
  const runOne = (w: Worker, index: number) =>
    new Promise<void>((resolve, reject) => {
      w.onmessage = (ev) => {
        const msg = ev.data;
        if (msg.kind === "progress") onProgress?.(index, msg.done, msg.total, msg.row);
        else if (msg.kind === "done") {
          results[index] = msg.result;
          resolve();
        } else {reject(
            new Error(`run ${index} (seed ${configs[index].seed}) failed: ${msg.message}`),
          );}
      };
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`run ${index} (seed ${configs[index].seed}) worker error: ${e.message}`));
      };
      w.postMessage({ id: index, config: configs[index] });
    });
  const pool = Array.from(
    { length: Math.min(workers, configs.length) },
    () => new Worker(url, { type: "module" }),
  );
  try {
    await Promise.all(pool.map(async (w) => {
      while (next < configs.length) {
        const i = next++;
        await runOne(w, i);
      }
    }));
  } finally {
    pool.forEach((w) => w.terminate());
  }
  return results;
}

/**
 * A generic worker pool: send each of `jobs` to a Worker running the module at `workerUrl`, up to
 * `workers` at once, and collect the results in input order. The worker module answers a message
 * `{ id, job }` with `{ id, kind: "done", result }` or `{ id, kind: "error", message }` (see
 * `lib/bandits/generate_worker.ts`), optionally preceded by `{ id, kind: "progress", … }` messages
 * passed to `onProgress`. A failing job rejects naming its index.
 *
 * @example
 * ```ts
 * const url = new URL("../bandits/generate_worker.ts", import.meta.url);
 * const chunks = await runWorkerJobs(url, jobs, 2);
 * ```
 */
export async function runWorkerJobs<J, R>(
  workerUrl: string | URL,
  jobs: readonly J[],
  workers = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, jobs.length)),
  onDone?: (index: number, result: R) => void,
  onProgress?: (index: number, message: unknown) => void,
): Promise<R[]> {
  assertInt("workers", workers, 1, 64);
  const results: R[] = new Array(jobs.length);
  if (jobs.length === 0) return results;
  let next = 0;
  const url = typeof workerUrl === "string" ? workerUrl : workerUrl.href;
  const runOne = (w: Worker, index: number) =>
    new Promise<void>((resolve, reject) => {
      w.onmessage = (ev) => {
        const msg = ev.data;
        if (msg?.kind === "done") {
          results[index] = msg.result as R;
          onDone?.(index, msg.result as R);
          resolve();
        } else if (msg?.kind === "progress") onProgress?.(index, msg);
        else reject(new Error(`job ${index} failed: ${msg?.message ?? JSON.stringify(msg)}`));
      };
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`job ${index} worker error: ${e.message}`));
      };
      w.postMessage({ id: index, job: jobs[index] });
    });
  const pool = Array.from(
    { length: Math.min(workers, jobs.length) },
    () => new Worker(url, { type: "module" }),
  );
  try {
    await Promise.all(pool.map(async (w) => {
      while (next < jobs.length) {
        const i = next++;
        await runOne(w, i);
      }
    }));
  } finally {
    pool.forEach((w) => w.terminate());
  }
  return results;
}
