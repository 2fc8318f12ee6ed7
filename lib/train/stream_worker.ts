/**
 * Worker entry for {@linkcode startPromptWorker}: receives `{ job, ring, share? }`, answers
 * `started`, then produces every prompt of the job into the ring — sleeping while it is full
 * (`producePrompts`), or, with a `WasmAdam` share, spinning between prompts to run half of every
 * optimiser step on request (`serveWithAdam`).
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { producePrompts, type PromptJob, type PromptRing, serveWithAdam } from "./stream.ts";
import type { WasmAdamShare } from "./wasm_adam.ts";

self.onmessage = (
  ev: MessageEvent<{ job: PromptJob; ring: PromptRing; share?: WasmAdamShare }>,
) => {
  const { job, ring, share } = ev.data;
  self.postMessage({ kind: "started" });
  if (share) serveWithAdam(job, ring, share);
  else producePrompts(job, ring);
  self.postMessage({ kind: "done" });
};
