/**
 * Worker entry for {@linkcode runJobs}: receives one job, runs it, posts `{ ok, out }` or
 * `{ ok: false, message }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { type Job, runJob } from "./jobs.ts";

self.onmessage = async (ev: MessageEvent<Job>) => {
  try {
    self.postMessage({ ok: true, out: await runJob(ev.data) });
  } catch (e) {
    self.postMessage({ ok: false, message: (e as Error).message });
  }
};
