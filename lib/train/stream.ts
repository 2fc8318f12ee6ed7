/**
 * Algorithm 1's prompts on a second core (MATH §6). The rollouts and teacher targets of
 * teacher-mimicking training never read the transformer's parameters — the teacher advances `w`
 * itself — so a Worker can produce them ahead of the trainer and stream them through a
 * SharedArrayBuffer ring: each slot holds one prompt's tokens `X` (n×m), its query `θ` (p−1) and
 * its teacher target (p−1). The producer is {@linkcode producePrompts} (run by
 * `stream_worker.ts`), the consumer {@linkcode PromptStream}; the trainer uses them with
 * `trainTeacherMimic(cfg, onProgress, "streamed")`.
 *
 * **Same numbers.** The producer walks the MDPs in the trainer's order — group `k0`, iteration
 * `t`, prompt `b` — each MDP on its own stream (`trainingMdpStream(seed, k)`), and advances each
 * MDP right after its prompt, which is all the trainer's order guarantees (an MDP's steps and
 * advances alternate; MDPs never share a stream). Streamed training is bit-identical to the
 * single-thread fused engine (`tests/train/stream_test.ts`).
 *
 * **Protocol.** Two counters in a shared Int32Array: `published` (slots written) and `consumed`
 * (slots the trainer is done with). The producer writes slot `i mod slots` only while
 * `i − consumed < slots`, then stores `published = i + 1`; the consumer reads slot `i` once
 * `published > i`. Either side sleeps with `Atomics.wait` only after announcing it in a word the
 * other side checks before `Atomics.notify`, so neither pays for a wake-up the other does not
 * need; a producer that finds the ring full sleeps until half of it is free. A producer error (say, a non-finite teacher target) is published in band after the last
 * good slot, with its message, and the consumer throws it when it reaches that point.
 *
 * @module
 */

import { assertInt } from "../core/validate.ts";
import { trainingMdpStream } from "../core/streams.ts";
import { newTaskEnv, type TaskEnv, type TaskSpec } from "../icrl/tasks.ts";
import { taskAdvance } from "../icrl/tasks.ts";
import { taskStepFast } from "../icrl/fast_task.ts";

/** Indices into the control array. */
const PUBLISHED = 0, CONSUMED = 1, ERROR = 2, MAIN_WAITING = 3, WAKE_AT = 4, MSG_LEN = 5;
/** 16 control ints, then the error message. */
const CTRL_INTS = 16, MSG_AT = CTRL_INTS * 4, MSG_MAX = 2000;

/** Geometry and shared memory of a prompt ring. */
export interface PromptRing {
  /** Tokens per prompt. */
  n: number;
  /** Token dimension. */
  m: number;
  /** Entries of θ and of the target (p − 1). */
  q: number;
  /** Number of slots. */
  slots: number;
  /** Control words (counters, flags) followed by an error message, UTF-16. */
  ctrl: SharedArrayBuffer;
  /** The memory holding the slots, each `n·m + 2q` float64 values. */
  data: SharedArrayBuffer;
  /** Byte offset of slot 0 in `data`. */
  dataOffset: number;
}

/**
 * Float64 entries a ring of `slots` prompts needs (for a caller-provided region).
 *
 * @example
 * ```ts
 * import { promptRingLength } from "./stream.ts";
 * console.log(promptRingLength(20, 73, 36, 128)); // 196096 = 128 · (20·73 + 2·36)
 * ```
 */
export function promptRingLength(n: number, m: number, q: number, slots: number): number {
  return slots * (n * m + 2 * q);
}

/**
 * A ring of `slots` prompts of `n` tokens of dim `m` with `q` query / target entries, in fresh
 * shared memory or in `region` (a Float64Array over a SharedArrayBuffer of at least
 * {@linkcode promptRingLength} entries — e.g. a `WasmAdam`'s `extraRegion()`, so that the
 * kernels read the tokens where the producer wrote them).
 *
 * @example
 * ```ts
 * import { promptRing } from "./stream.ts";
 * const ring = promptRing(20, 73, 36, 128); // d = 36 SARSA prompts, 128 slots
 * console.log(ring.data.byteLength); // 1568768 = 128 · (20·73 + 2·36) · 8
 * ```
 */
export function promptRing(
  n: number,
  m: number,
  q: number,
  slots: number,
  region?: Float64Array,
): PromptRing {
  assertInt("n", n, 1);
  assertInt("m", m, 1);
  assertInt("q", q, 1);
  assertInt("slots", slots, 1, 1 << 20);
  const len = promptRingLength(n, m, q, slots);
  if (region !== undefined) {
    if (!(region instanceof Float64Array) || !(region.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError("region must be a Float64Array over a SharedArrayBuffer");
    }
    if (region.length < len) {
      throw new RangeError(`region has ${region.length} entries, the ring needs ${len}`);
    }
  }
  return {
    n,
    m,
    q,
    slots,
    ctrl: new SharedArrayBuffer(MSG_AT + MSG_MAX * 2),
    data: region ? region.buffer as SharedArrayBuffer : new SharedArrayBuffer(len * 8),
    dataOffset: region ? region.byteOffset : 0,
  };
}

/** Views of one slot: tokens, query θ, teacher target. */
export interface PromptSlot {
  /** Tokens (n×m). */
  X: Float64Array;
  /** Query θ (p−1): the MDP's θ when its prompt was drawn. */
  theta: Float64Array;
  /** Teacher target (p−1). */
  target: Float64Array;
}

function slotViews(ring: PromptRing): PromptSlot[] {
  const { n, m, q, slots, data } = ring;
  const len = n * m + 2 * q;
  return Array.from({ length: slots }, (_, i) => {
    const base = ring.dataOffset + i * len * 8;
    return {
      X: new Float64Array(data, base, n * m),
      theta: new Float64Array(data, base + n * m * 8, q),
      target: new Float64Array(data, base + (n * m + q) * 8, q),
    };
  });
}

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
 * The producer's state: walks `job`'s MDPs in the trainer's order (group, iteration, prompt),
 * one prompt per {@linkcode PromptProducer.tryProduce}; an error is published in band and ends
 * the job.
 */
export class PromptProducer {
  private readonly ctrl: Int32Array;
  private readonly views: PromptSlot[];
  private envs: TaskEnv[] = [];
  private k0 = 0;
  private t = 0;
  private b = 0;
  private i = 0;
  /** True once every prompt (or an error) is published. */
  done = false;

  /**
   * Start at the job's first prompt.
   *
   * @example
   * ```ts
   * import { PromptProducer, promptRing } from "./stream.ts";
   * import { DEFAULT_TASK, taskDims } from "../icrl/mod.ts";
   * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 }, { m, p } = taskDims(task);
   * const prod = new PromptProducer({ task, seed: 0, K: 1, T: 3, batch: 1 }, promptRing(6, m, p - 1, 2));
   * console.log(prod.tryProduce(), prod.tryProduce(), prod.tryProduce()); // true true false (full)
   * ```
   */
  constructor(readonly job: PromptJob, readonly ring: PromptRing) {
    this.ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
    this.views = slotViews(ring);
  }

  /** Prompts published so far. */
  get published(): number {
    return this.i;
  }

  /**
   * Produce the next prompt if the ring has a free slot and the job is not done; returns whether
   * it did.
   *
   * @example
   * ```ts
   * import { PromptProducer, promptRing, PromptStream } from "./stream.ts";
   * import { DEFAULT_TASK, taskDims } from "../icrl/mod.ts";
   * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 }, { m, p } = taskDims(task);
   * const ring = promptRing(6, m, p - 1, 1);
   * const prod = new PromptProducer({ task, seed: 0, K: 1, T: 2, batch: 1 }, ring);
   * const stream = new PromptStream(ring);
   * prod.tryProduce();
   * stream.next();
   * stream.release(); // the slot is free again
   * console.log(prod.tryProduce(), prod.done); // true true
   * ```
   */
  tryProduce(): boolean {
    if (this.done) return false;
    const ctrl = this.ctrl, i = this.i;
    if (i - Atomics.load(ctrl, CONSUMED) >= this.ring.slots) return false;
    const { task, seed, K, T, batch } = this.job;
    try {
      if (this.b === 0 && this.t === 0) {
        this.envs = [];
        for (let k = this.k0; k < Math.min(K, this.k0 + batch); k++) {
          this.envs.push(newTaskEnv(task, trainingMdpStream(seed, k)));
        }
      }
      const env = this.envs[this.b];
      const slot = this.views[i % this.ring.slots];
      taskStepFast(task, env, slot.X, slot.target);
      slot.theta.set(env.theta);
      taskAdvance(env, slot.target);
    } catch (e) {
      this.done = true;
      publishError(this.ring, `rollout worker, prompt ${i}: ${(e as Error).message}`);
      return false;
    }
    this.i = i + 1;
    Atomics.store(ctrl, PUBLISHED, i + 1);
    if (Atomics.load(ctrl, MAIN_WAITING) === 1) Atomics.notify(ctrl, PUBLISHED);
    if (++this.b === this.envs.length) {
      this.b = 0;
      if (++this.t === T) {
        this.t = 0;
        this.k0 += batch;
        if (this.k0 >= K) this.done = true;
      }
    }
    return true;
  }
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
  const ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
  const prod = new PromptProducer(job, ring);
  const slots = ring.slots;
  while (!prod.done) {
    if (prod.tryProduce()) continue;
    if (prod.done) break;
    // Ring full: sleep until half of it is free (one wake-up per half ring, not per slot).
    const need = prod.published - (slots >> 1);
    Atomics.store(ctrl, WAKE_AT, need + 1);
    for (
      let seen = Atomics.load(ctrl, CONSUMED);
      seen < need;
      seen = Atomics.load(ctrl, CONSUMED)
    ) {
      Atomics.wait(ctrl, CONSUMED, seen, 1000);
    }
    Atomics.store(ctrl, WAKE_AT, 0);
  }
}

/**
 * Publish an error in band: the consumer throws `message` when it asks for the next slot after
 * the last one published.
 *
 * @example
 * ```ts
 * import { promptRing, PromptStream, publishError } from "./stream.ts";
 * const ring = promptRing(1, 1, 1, 1);
 * publishError(ring, "teacher target is not finite");
 * try { new PromptStream(ring).next(); } catch (e) { console.log((e as Error).message); }
 * // teacher target is not finite
 * ```
 */
export function publishError(ring: PromptRing, message: string): void {
  const ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
  const text = new Uint16Array(ring.ctrl, MSG_AT, MSG_MAX);
  const len = Math.min(message.length, MSG_MAX);
  for (let j = 0; j < len; j++) text[j] = message.charCodeAt(j);
  Atomics.store(ctrl, MSG_LEN, len);
  Atomics.store(ctrl, ERROR, 1);
  Atomics.notify(ctrl, PUBLISHED);
}

/** The trainer's side of a prompt ring. */
export class PromptStream {
  private readonly ctrl: Int32Array;
  private readonly views: PromptSlot[];
  private readonly text: Uint16Array;
  private next_ = 0;
  private released = 0;

  /**
   * Read `ring` from slot 0. `stallMs`: how long to wait for one slot before giving up (a
   * producer that died without publishing an error).
   *
   * @example
   * ```ts
   * import { promptRing, PromptStream } from "./stream.ts";
   * const stream = new PromptStream(promptRing(20, 73, 36, 128));
   * console.log(stream.taken); // 0
   * ```
   */
  constructor(ring: PromptRing, readonly stallMs = 60_000) {
    this.ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
    this.views = slotViews(ring);
    this.text = new Uint16Array(ring.ctrl, MSG_AT, MSG_MAX);
  }

  /** Slots taken so far. */
  get taken(): number {
    return this.next_;
  }

  /**
   * The next prompt, waiting for the producer if needed; throws the producer's error when it
   * published one instead. The slot stays valid until {@linkcode PromptStream.release}.
   *
   * @example
   * ```ts
   * import { producePrompts, promptRing, PromptStream } from "./stream.ts";
   * import { DEFAULT_TASK, taskDims } from "../icrl/mod.ts";
   * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
   * const { m, p } = taskDims(task);
   * const ring = promptRing(task.n, m, p - 1, 4);
   * producePrompts({ task, seed: 0, K: 1, T: 4, batch: 1 }, ring);
   * const stream = new PromptStream(ring);
   * const first = stream.next(); // MDP 0's first prompt: θ is its initial θ
   * console.log(first.theta.length, stream.taken); // 2 1
   * ```
   */
  next(): PromptSlot {
    const ctrl = this.ctrl, i = this.next_;
    if (Atomics.load(ctrl, PUBLISHED) <= i) this.wait(i);
    this.next_ = i + 1;
    return this.views[i % this.views.length];
  }

  private wait(i: number): void {
    const ctrl = this.ctrl;
    const t0 = performance.now();
    for (let spin = 0; spin < 2000; spin++) {
      if (Atomics.load(ctrl, PUBLISHED) > i) return;
    }
    while (Atomics.load(ctrl, PUBLISHED) <= i) {
      if (Atomics.load(ctrl, ERROR) === 1) this.throwError();
      if (performance.now() - t0 > this.stallMs) {
        throw new Error(
          `rollout worker produced no prompt for ${this.stallMs} ms (waiting for prompt ${i})`,
        );
      }
      Atomics.store(ctrl, MAIN_WAITING, 1);
      const seen = Atomics.load(ctrl, PUBLISHED);
      if (seen <= i && Atomics.load(ctrl, ERROR) === 0) Atomics.wait(ctrl, PUBLISHED, seen, 100);
      Atomics.store(ctrl, MAIN_WAITING, 0);
    }
  }

  /** The producer's published error message ("" if none). */
  errorMessage(): string {
    const len = Atomics.load(this.ctrl, MSG_LEN);
    return String.fromCharCode(...this.text.subarray(0, len));
  }

  /** Throw the producer's published error. */
  throwError(): never {
    throw new Error(this.errorMessage());
  }

  /**
   * Hand every slot taken so far back to the producer.
   *
   * @example
   * ```ts
   * import { promptRing, PromptStream } from "./stream.ts";
   * const stream = new PromptStream(promptRing(1, 1, 1, 2));
   * stream.release(); // nothing taken yet: a no-op
   * ```
   */
  release(): void {
    if (this.released === this.next_) return;
    this.released = this.next_;
    Atomics.store(this.ctrl, CONSUMED, this.next_);
    const wakeAt = Atomics.load(this.ctrl, WAKE_AT); // 0: not waiting; else 1 + the count it needs
    if (wakeAt !== 0 && this.next_ >= wakeAt - 1) Atomics.notify(this.ctrl, CONSUMED);
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
 * const wa = new WasmAdam(m, p, init, 1, task.n, 0.9, 0.999, 1e-8, extra);
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
