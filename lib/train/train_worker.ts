/**
 * Worker entry for {@linkcode trainMany}: receives `{ id, job }` with a TrainConfig (the protocol of
 * `runWorkerJobs`), trains, posts the result (or the error message) back. Progress rows are forwarded as they are logged.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { type TrainConfig, trainTeacherMimic } from "./train.ts";

self.onmessage = async (ev: MessageEvent<{ id: number; job: TrainConfig }>) => {
  const { id, job: config } = ev.data;
  try {
    const res = await trainTeacherMimic(config, (done, total, row) => {
      if (row) self.postMessage({ id, kind: "progress", done, total, row });
    });
    self.postMessage({ id, kind: "done", result: res });
  } catch (e) {
    self.postMessage({ id, kind: "error", message: (e as Error).message });
  }
};
