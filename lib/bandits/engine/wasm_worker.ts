/**
 * Worker entry of the wasm engine (`wasm_engine.ts`): `init` instantiates the kernels on the
 * shared memory; `grad` and `forward` run {@linkcode runWorkerTask}. Every message is answered
 * with `{ ok: true }` or `{ ok: false, message }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { SequencePass, transformerKernels } from "./wasm_model.ts";
import { runWorkerTask } from "./wasm_engine.ts";

let pass: SequencePass | null = null;

self.onmessage = (ev: MessageEvent) => {
  const msg = ev.data;
  try {
    if (msg.kind === "init") {
      pass = new SequencePass(
        msg.plan,
        msg.memory,
        transformerKernels(msg.memory, msg.relaxed),
        msg.thread,
      );
    } else {
      if (pass === null) throw new Error("worker used before init");
      runWorkerTask(pass, msg.kind, msg.batch, msg.len);
    }
    self.postMessage({ ok: true });
  } catch (e) {
    self.postMessage({ ok: false, message: (e as Error).message });
  }
};
