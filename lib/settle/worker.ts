/**
 * Worker entry for {@linkcode runJobs} (the protocol of `runWorkerJobs`): receives `{ job }`, runs
 * it, posts `{ kind: "done", result }` or `{ kind: "error", message }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { type Job, runJob } from "./jobs.ts";

self.onmessage = async (ev: MessageEvent<{ job: Job }>) => {
  const job = ev.data.job;
  try {
    self.postMessage({ kind: "done", result: await runJob(job) });
  } catch (e) {
    self.postMessage({ kind: "error", message: `(${job.kind}) ${(e as Error).message}` });
  }
};
