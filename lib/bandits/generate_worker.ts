/**
 * Worker entry for {@linkcode generateTrajectories}: receives a `GenerateJob`, posts the chunk's
 * `TrajectorySet` back (its typed arrays transferred, not copied), or the error message.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { generateChunk, type GenerateJob } from "./generate.ts";
import { trajectoryArrays } from "./record.ts";

self.onmessage = (ev: MessageEvent<{ id: number; job: GenerateJob }>) => {
  const { id, job } = ev.data;
  try {
    const set = generateChunk(job);
    const buffers = trajectoryArrays(set).map((a) => a.buffer as ArrayBuffer);
    self.postMessage({ id, kind: "done", result: set }, [...new Set(buffers)]);
  } catch (e) {
    self.postMessage({ id, kind: "error", message: (e as Error).message });
  }
};
