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
import { WasmAdam, type WasmAdamShare } from "./wasm_adam.ts";

/** Indices into the control array. */
const PUBLISHED = 0, CONSUMED = 1, ERROR = 2, MAIN_WAITING = 3, WAKE_AT = 4, MSG_LEN = 5;
/** Half-step requests (two-thread Adam): request id, its B, its Adam step t, done id, stop, failed. */
const REQ = 6, REQ_B = 7, REQ_T = 8, DONE = 9, STOP = 10, HALF_FAILED = 11;
/** 16 control ints, then the request's learning rate (float64), then the message. */
const CTRL_INTS = 16, LR_AT = CTRL_INTS * 4, MSG_AT = LR_AT + 8, MSG_MAX = 2000;

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
 * The rollout worker of a two-thread step: produce `job`'s prompts into `ring` as room allows,
 * and whenever the trainer requests it, run part 1 (V̄21: its gradient and Adam) of the step on
 * the shared parameters `share` while the trainer runs part 0 — spinning in between, since a
 * request must be answered within microseconds. Prompts are produced right after a half-step
 * (while the trainer works through its prompts) or to refill a ring under half full. Returns when
 * the trainer sets the stop word.
 *
 * @example
 * ```ts ignore
 * // In a Worker (stream_worker.ts): serveWithAdam(job, ring, share) — see startPromptWorker.
 * ```
 */
export function serveWithAdam(job: PromptJob, ring: PromptRing, share: WasmAdamShare): void {
  const ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
  const lrv = new Float64Array(ring.ctrl, LR_AT, 1);
  const prod = new PromptProducer(job, ring);
  let wa: WasmAdam;
  try {
    wa = WasmAdam.attach(share);
  } catch (e) {
    publishError(ring, `rollout worker, Adam half-step: ${(e as Error).message}`);
    Atomics.store(ctrl, HALF_FAILED, 1);
    return;
  }
  // Produce freely right after a half-step (the trainer is busy with its prompts then); otherwise
  // only to refill a ring under half full, so that a 3 µs prompt rarely delays a request.
  let served = 0, free = false;
  const half = ring.slots >> 1;
  for (;;) {
    const req = Atomics.load(ctrl, REQ);
    if (req !== served) {
      try {
        wa.stepPart(1, lrv[0], Atomics.load(ctrl, REQ_B), Atomics.load(ctrl, REQ_T));
      } catch (e) {
        publishError(ring, `rollout worker, Adam half-step: ${(e as Error).message}`);
        Atomics.store(ctrl, HALF_FAILED, 1);
      }
      served = req;
      Atomics.store(ctrl, DONE, req);
      free = true;
      continue;
    }
    if (Atomics.load(ctrl, STOP) === 1) return;
    if (free || prod.published - Atomics.load(ctrl, CONSUMED) < half) {
      if (!prod.tryProduce()) free = false;
    }
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
  /**
   * One optimiser step on the shared `WasmAdam` (the worker was started with its `share()`):
   * part 0 here while the worker runs part 1, then wait for it — the same bits as `wa.step(null,
   * lr, B)`. Throws if the worker was started without a share, reported an error, or stalled.
   */
  step(wa: WasmAdam, lr: number, B: number): void;
  /** Steps so far that {@linkcode PromptWorker.step} split across the threads. */
  splitSteps(): number;
  /** Stop the worker (idempotent). */
  stop(): void;
}

/**
 * Decides, by measurement, whether each optimiser step is split across the two threads: splitting
 * halves the Adam time but moves the worker's half of the parameters to the trainer's core every
 * step, which pays only when the two (virtual) cores exchange cache lines cheaply — on the 2-vCPU
 * build machine that changes from run to run. Both choices give the same bits, so the chooser
 * simply alternates `probeSteps` split and `probeSteps` unsplit steps, compares their mean step
 * periods (entry to entry; gaps over 5 ms — yields, GC — are left out), and holds the faster for
 * `holdSteps` steps before probing again.
 */
export class SplitChooser {
  private phase = 0; // 0: probing split, 1: probing unsplit, 2: holding
  private count = 0;
  private readonly sum = [0, 0];
  private readonly num = [0, 0];
  private last = -1;
  private lastSplit = true;
  private hold = true;
  /** Steps that were split. */
  splitSteps = 0;

  /**
   * @example
   * ```ts
   * import { SplitChooser } from "./stream.ts";
   * const c = new SplitChooser(2, 4, 100); // probe 2 steps each way, hold 4, gaps ≤ 100 ms count
   * let now = 0;
   * const seq = Array.from({ length: 8 }, () => {
   *   const split = c.next(now);
   *   now += split ? 30 : 10; // an unsplit step is faster here (ms, for the example)
   *   return split ? "S" : "u";
   * });
   * console.log(seq.join("")); // SSuuuuuu: probe 2 + 2, then hold the faster (unsplit)
   * ```
   */
  constructor(readonly probeSteps = 256, readonly holdSteps = 8192, readonly maxGapMs = 5) {
    assertInt("probeSteps", probeSteps, 1);
    assertInt("holdSteps", holdSteps, 1);
  }

  /**
   * Whether the step starting at time `now` (ms) should be split.
   *
   * @example
   * ```ts
   * import { SplitChooser } from "./stream.ts";
   * console.log(new SplitChooser().next(performance.now())); // true: probing starts split
   * ```
   */
  next(now: number): boolean {
    if (this.last >= 0 && this.phase < 2 && now - this.last <= this.maxGapMs) {
      const a = this.lastSplit ? 0 : 1;
      this.sum[a] += now - this.last;
      this.num[a]++;
    }
    if (this.count === (this.phase < 2 ? this.probeSteps : this.holdSteps)) {
      this.count = 0;
      this.phase = (this.phase + 1) % 3;
      if (this.phase === 2) {
        this.hold =
          this.sum[0] / Math.max(1, this.num[0]) <= this.sum[1] / Math.max(1, this.num[1]);
      } else if (this.phase === 0) {
        this.sum.fill(0);
        this.num.fill(0);
      }
    }
    this.count++;
    const split = this.phase === 0 ? true : this.phase === 1 ? false : this.hold;
    this.last = now;
    this.lastSplit = split;
    if (split) this.splitSteps++;
    return split;
  }
}

/**
 * Start a Worker producing `job`'s prompts into a ring of `slots` slots (in `region` when given,
 * see {@linkcode promptRing}); with `share` (a
 * `WasmAdam`'s `share()`), the worker also runs half of every optimiser step
 * ({@linkcode PromptWorker.step}). Resolves once the worker has received the job (so the trainer
 * may block on the ring from then on).
 *
 * @example
 * ```ts
 * import { startPromptWorker } from "./stream.ts";
 * import { WasmAdam } from "./wasm_adam.ts";
 * import { DEFAULT_TASK, sarsaBlocks, taskDims } from "../icrl/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 }, { m, p } = taskDims(task);
 * const star = sarsaBlocks(task.d, task.alpha);
 * const wa = new WasmAdam(m, p, Float64Array.from([...star.P12, ...star.V21bar]), 1, task.n);
 * const job = { task, seed: 0, K: 1, T: 100, batch: 1 };
 * const w = await startPromptWorker(job, m, p - 1, 64, wa.share());
 * for (let i = 0; i < 100; i++) {
 *   const slot = w.stream.next(); // produced on the other thread
 *   wa.tokens(0).set(slot.X);
 *   wa.prompt(0, slot.theta, slot.target, 1);
 *   w.stream.release();
 *   w.step(wa, 1e-3, 1); // half here, half there
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
  share?: WasmAdamShare,
  region?: Float64Array,
): Promise<PromptWorker> {
  const ring = promptRing(job.task.n, m, q, slots, region);
  const ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
  const lrv = new Float64Array(ring.ctrl, LR_AT, 1);
  const worker = new Worker(new URL("./stream_worker.ts", import.meta.url), { type: "module" });
  let stopped = false, reqs = 0;
  const stop = () => {
    Atomics.store(ctrl, STOP, 1);
    if (!stopped) worker.terminate();
    stopped = true;
  };
  const stream = new PromptStream(ring);
  const chooser = new SplitChooser();
  const step = (wa: WasmAdam, lr: number, B: number) => {
    if (share === undefined || wa.share().memory !== share.memory) {
      throw new RangeError("step needs the WasmAdam whose share() started this worker");
    }
    if (!chooser.next(performance.now())) return wa.step(null, lr, B);
    const t = ++wa.t, id = ++reqs;
    lrv[0] = lr;
    Atomics.store(ctrl, REQ_B, B);
    Atomics.store(ctrl, REQ_T, t);
    Atomics.store(ctrl, REQ, id);
    wa.stepPart(0, lr, B, t);
    const t0 = performance.now();
    // Spin: the worker answers within microseconds (a prompt error waits for its slot instead).
    for (let spin = 1; Atomics.load(ctrl, DONE) !== id; spin++) {
      if ((spin & 0xffff) === 0) {
        if (Atomics.load(ctrl, HALF_FAILED) === 1) stream.throwError();
        if (performance.now() - t0 > stream.stallMs) {
          throw new Error(
            `rollout worker did not finish its half of step ${t} in ${stream.stallMs} ms`,
          );
        }
      }
    }
    if (Atomics.load(ctrl, HALF_FAILED) === 1) stream.throwError();
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
      worker.postMessage({ job, ring, share });
    });
  } catch (e) {
    stop();
    throw e;
  }
  return { stream, step, stop, splitSteps: () => chooser.splitSteps };
}
