/**
 * Worker entry of the constructions' closed loops (`loops.ts`): receives a {@linkcode LoopJob}, posts its
 * {@linkcode LoopResult} back (typed arrays transferred), or the error message.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { type LoopJob, runLoopJob } from "./loops.ts";

self.onmessage = (ev: MessageEvent<{ id: number; job: LoopJob }>) => {
  const { id, job } = ev.data;
  try {
    const r = runLoopJob(job);
    const buffers = [r.regretTF, r.regretAlg, r.tv, r.identical].map((a) =>
      a.buffer as ArrayBuffer
    );
    self.postMessage({ id, kind: "done", result: r }, buffers);
  } catch (e) {
    self.postMessage({ id, kind: "error", message: (e as Error).message });
  }
};
