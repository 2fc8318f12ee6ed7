/**
 * Worker entry for pretraining jobs ({@linkcode runPretrainJob}): receives `{ id, job }`, posts
 * throttled `{ id, kind: "progress", phase, done, total }` messages, then `{ id, kind: "done",
 * result }` or `{ id, kind: "error", message }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { type PretrainJob, runPretrainJob } from "./pretrain_job.ts";

self.onmessage = async (ev: MessageEvent<{ id: number; job: PretrainJob }>) => {
  const { id, job } = ev.data;
  let last = 0;
  try {
    const result = await runPretrainJob(job, (phase, done, total) => {
      const now = performance.now();
      if (now - last < 250 && done < total) return;
      last = now;
      self.postMessage({ id, kind: "progress", phase, done, total });
    });
    self.postMessage({ id, kind: "done", result });
  } catch (e) {
    self.postMessage({ id, kind: "error", message: (e as Error).message });
  }
};
