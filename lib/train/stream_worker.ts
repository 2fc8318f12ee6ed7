/**
 * Worker entry for {@linkcode startPromptWorker}: receives `{ job, ring }`, answers `started`,
 * then produces every prompt of the job into the ring (`producePrompts`), sleeping while it is
 * full.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { producePrompts, type PromptJob, type PromptRing } from "./stream.ts";

self.onmessage = (ev: MessageEvent<{ job: PromptJob; ring: PromptRing }>) => {
  const { job, ring } = ev.data;
  self.postMessage({ kind: "started" });
  producePrompts(job, ring);
  self.postMessage({ kind: "done" });
};
