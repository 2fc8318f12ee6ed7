/**
 * Worker entry for {@linkcode runJobs}: receives a job, runs it, posts the result (or the error
 * message) back, forwarding training progress.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { type Job, runJob } from "./jobs.ts";

self.onmessage = async (ev: MessageEvent<{ job: Job }>) => {
  try {
    let last = 0;
    const res = await runJob(ev.data.job, (done, total) => {
      const now = performance.now();
      if (now - last > 250 || done === total) {
        last = now;
        self.postMessage({ kind: "progress", done, total });
      }
    });
    self.postMessage({ kind: "done", result: res });
  } catch (e) {
    self.postMessage({ kind: "error", message: `"${ev.data.job.name}": ${(e as Error).message}` });
  }
};
