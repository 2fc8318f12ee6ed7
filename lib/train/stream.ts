/**
 * Algorithm 1's prompts on a second core (MATH §6). The rollouts and teacher targets of
 * teacher-mimicking training never read the transformer's parameters — the teacher advances `w`
 * itself — so a Worker can produce them ahead of the trainer and stream them through a shared
 * ring (`ring.ts`). The producer is {@linkcode producePrompts} (run by `stream_worker.ts`, started
 * by {@linkcode startPromptWorker}); the trainer uses them with
 * `trainTeacherMimic(cfg, onProgress, "streamed")`.
 *
 * **Same numbers.** The producer walks the MDPs in the trainer's order — group `k0`, iteration
 * `t`, prompt `b` — each MDP on its own stream (`trainingMdpStream(seed, k)`), and advances each
 * MDP right after its prompt, which is all the trainer's order guarantees (an MDP's steps and
 * advances alternate; MDPs never share a stream). Streamed training is bit-identical to the
 * single-thread fused engine (`tests/train/stream_test.ts`).
 *
 * @module
 */

import { trainingMdpStream } from "../core/streams.ts";
import { newTaskEnv, type TaskEnv, type TaskSpec } from "../icrl/tasks.ts";
import { taskAdvance } from "../icrl/tasks.ts";
import { taskStepFast } from "../icrl/fast_task.ts";
import { type PromptRing, promptRing, PromptStream, publishError, RingWriter } from "./ring.ts";

export * from "./ring.ts";

/** What the producer needs to walk a training run's MDPs in the trainer's order. */
export interface PromptJob {
  /** The task (validated by the trainer). */
  task: TaskSpec;
  /** The run's seed (`trainingMdpStream(seed, k)`). */
  seed: number;
  /** Number of MDPs. */
  K: number;
  /** Iterations per MDP. */
  T: number;
  /** MDPs side by side. */
  batch: number;
}

/**
 * Produce every prompt of `job` into `ring` in the trainer's order (group, iteration, prompt),
 * waiting while the ring is full; on an error, publish it in band and return. Runs in the rollout
 * worker (`stream_worker.ts`); it blocks, so it must not run on the consumer's thread unless the
 * ring holds the whole job.
 *
 * @example
 * ```ts
 * import { producePrompts, promptRing, PromptStream } from "./stream.ts";
 * import { DEFAULT_TASK, taskDims } from "../icrl/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const { m, p } = taskDims(task);
 * const ring = promptRing(task.n, m, p - 1, 8); // room for all 2 · 4 prompts
 * producePrompts({ task, seed: 0, K: 2, T: 4, batch: 2 }, ring);
 * const stream = new PromptStream(ring);
 * console.log(stream.next().X.length); // 30 = n·m
 * ```
 */
export function producePrompts(job: PromptJob, ring: PromptRing): void {
  const { task, seed, K, T, batch } = job;
  const w = new RingWriter(ring);
  try {
    for (let k0 = 0; k0 < K; k0 += batch) {
      const envs: TaskEnv[] = [];
      for (let k = k0; k < Math.min(K, k0 + batch); k++) {
        envs.push(newTaskEnv(task, trainingMdpStream(seed, k)));
      }
      for (let t = 0; t < T; t++) {
        for (const env of envs) {
          const slot = w.slot();
          taskStepFast(task, env, slot.X, slot.target);
          slot.theta.set(env.theta);
          taskAdvance(env, slot.target);
          w.publish();
        }
      }
    }
  } catch (e) {
    publishError(ring, `rollout worker, prompt ${w.published}: ${(e as Error).message}`);
  }
}

/** A running rollout worker and the trainer's end of its ring. */
export interface PromptWorker {
  /** The consumer. */
  stream: PromptStream;
  /** Stop the worker (idempotent). */
  stop(): void;
}

/**
 * Start a Worker producing `job`'s prompts into a ring of `slots` slots (in `region` when given,
 * see {@linkcode promptRing}); resolves once the worker has received the job (so the trainer may
 * block on the ring from then on).
 *
 * @example
 * ```ts
 * import { promptRingLength, startPromptWorker } from "./stream.ts";
 * import { WasmAdam } from "./wasm_adam.ts";
 * import { DEFAULT_TASK, sarsaBlocks, taskDims } from "../icrl/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 }, { m, p } = taskDims(task);
 * const star = sarsaBlocks(task.d, task.alpha), slots = 64;
 * const extra = promptRingLength(task.n, m, p - 1, slots); // the ring lives in the kernels' memory
 * const init = Float64Array.from([...star.P12, ...star.V21bar]);
 * const wa = new WasmAdam(m, p, init, 1, task.n, extra);
 * const job = { task, seed: 0, K: 1, T: 100, batch: 1 };
 * const w = await startPromptWorker(job, m, p - 1, slots, wa.extraRegion());
 * for (let i = 0; i < 100; i++) {
 *   const slot = w.stream.next(); // produced on the other thread
 *   wa.prompt(0, slot.theta, slot.target, 1, slot.X); // tokens read where they were written
 *   w.stream.release();
 *   wa.step(null, 1e-3);
 * }
 * w.stop();
 * console.log(wa.t); // 100
 * ```
 */
export async function startPromptWorker(
  job: PromptJob,
  m: number,
  q: number,
  slots: number,
  region?: Float64Array,
): Promise<PromptWorker> {
  const ring = promptRing(job.task.n, m, q, slots, region);
  const worker = new Worker(new URL("./stream_worker.ts", import.meta.url), { type: "module" });
  let stopped = false;
  const stop = () => {
    if (!stopped) worker.terminate();
    stopped = true;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (ev) => {
        if (ev.data?.kind === "started") resolve();
      };
      worker.onerror = (e) => {
        e.preventDefault();
        // After start-up an error reaches the trainer through the ring (or its stall timeout).
        publishError(ring, `rollout worker error: ${e.message}`);
        reject(new Error(`rollout worker error: ${e.message}`));
      };
      worker.postMessage({ job, ring });
    });
  } catch (e) {
    stop();
    throw e;
  }
  return { stream: new PromptStream(ring), stop };
}
