/**
 * A generic pool of Deno Workers: jobs go out one at a time to each worker, results come back in
 * input order. Used by the trainer's `trainMany` and by every parallel job runner.
 *
 * @module
 */

import { assertInt } from "./validate.ts";

/**
 * Send each of `jobs` to a Worker running the module at `workerUrl`, up to `workers` at once, and
 * collect the results in input order. The worker module answers a message `{ id, job }` with
 * `{ id, kind: "done", result }` or `{ id, kind: "error", message }` (see
 * `lib/bandits/generate_worker.ts`), optionally preceded by `{ id, kind: "progress", … }` messages
 * passed to `onProgress`. A failing job rejects naming it by `label(index)` (default `"job i"`).
 *
 * @example
 * ```ts
 * import { runWorkerJobs } from "./pool.ts";
 * const url = new URL("../bandits/generate_worker.ts", import.meta.url);
 * const none = await runWorkerJobs(url, [], 1); // []
 * ```
 */
export async function runWorkerJobs<J, R>(
  workerUrl: string | URL,
  jobs: readonly J[],
  workers = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, jobs.length)),
  onDone?: (index: number, result: R) => void,
  onProgress?: (index: number, message: unknown) => void,
  label: (index: number) => string = (index) => `job ${index}`,
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
        else reject(new Error(`${label(index)} failed: ${msg?.message ?? JSON.stringify(msg)}`));
      };
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`${label(index)} worker error: ${e.message}`));
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
