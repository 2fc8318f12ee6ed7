/**
 * The shared-memory ring that carries Algorithm 1's prompts from a rollout thread to the trainer
 * (`stream.ts`): each slot holds one prompt's tokens `X` (n×m), its query `θ` (p−1) and its teacher
 * target (p−1). One writer ({@linkcode RingWriter}), one reader ({@linkcode PromptStream}).
 *
 * **Protocol.** Two counters in a shared Int32Array: `published` (slots written) and `consumed`
 * (slots the reader is done with). The writer fills slot `i mod slots` only while
 * `i − consumed < slots`, then stores `published = i + 1`; the reader takes slot `i` once
 * `published > i`. Either side sleeps with `Atomics.wait` only after announcing it in a word the
 * other side checks before `Atomics.notify`, so neither pays for a wake-up the other does not
 * need; a writer that finds the ring full sleeps until half of it is free. An error (say, a
 * non-finite teacher target) is published in band after the last good slot, with its message, and
 * the reader throws it when it reaches that point.
 *
 * @module
 */

import { assertInt } from "../core/validate.ts";

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
 * import { promptRingLength } from "./ring.ts";
 * console.log(promptRingLength(20, 73, 36, 128)); // 196096 = 128 · (20·73 + 2·36)
 * ```
 */
export function promptRingLength(n: number, m: number, q: number, slots: number): number {
  assertInt("n", n, 1);
  assertInt("m", m, 1);
  assertInt("q", q, 1);
  assertInt("slots", slots, 1, 1 << 20);
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
 * import { promptRing } from "./ring.ts";
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
  const len = promptRingLength(n, m, q, slots); // checks the sizes
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

/**
 * Views of every slot of `ring` (slot `i` at `ring.dataOffset + i·(n·m + 2q)·8` bytes).
 *
 * @example
 * ```ts
 * import { promptRing, slotViews } from "./ring.ts";
 * const views = slotViews(promptRing(2, 3, 1, 4)); // 4 slots of 2 tokens of dim 3
 * console.log(views.length, views[1].X.length, views[1].theta.length); // 4 6 1
 * ```
 */
export function slotViews(ring: PromptRing): PromptSlot[] {
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

/** The writer's side of a prompt ring. */
export class RingWriter {
  private readonly ctrl: Int32Array;
  private readonly views: PromptSlot[];
  private i = 0;

  /**
   * Write `ring` from slot 0.
   *
   * @example
   * ```ts
   * import { promptRing, RingWriter } from "./ring.ts";
   * const w = new RingWriter(promptRing(1, 2, 1, 4));
   * console.log(w.published); // 0
   * ```
   */
  constructor(readonly ring: PromptRing) {
    this.ctrl = new Int32Array(ring.ctrl, 0, CTRL_INTS);
    this.views = slotViews(ring);
  }

  /** Slots published so far. */
  get published(): number {
    return this.i;
  }

  /**
   * The next slot to fill; if the ring is full, sleeps until half of it is free (so it blocks:
   * call it on the writer's own thread, or only while the ring has room).
   *
   * @example
   * ```ts
   * import { promptRing, PromptStream, RingWriter } from "./ring.ts";
   * const ring = promptRing(1, 2, 1, 4), w = new RingWriter(ring);
   * w.slot().X.set([3, 4]);
   * w.publish();
   * console.log(new PromptStream(ring).next().X); // Float64Array(2) [ 3, 4 ]
   * ```
   */
  slot(): PromptSlot {
    const ctrl = this.ctrl, slots = this.ring.slots;
    if (this.i - Atomics.load(ctrl, CONSUMED) >= slots) {
      // One wake-up per half ring, not per slot.
      const need = this.i - (slots >> 1);
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
    return this.views[this.i % slots];
  }

  /**
   * Publish the slot last returned by {@linkcode RingWriter.slot}.
   *
   * @example
   * ```ts
   * import { promptRing, RingWriter } from "./ring.ts";
   * const w = new RingWriter(promptRing(1, 1, 1, 2));
   * w.slot();
   * w.publish();
   * console.log(w.published); // 1
   * ```
   */
  publish(): void {
    const ctrl = this.ctrl;
    this.i++;
    Atomics.store(ctrl, PUBLISHED, this.i);
    if (Atomics.load(ctrl, MAIN_WAITING) === 1) Atomics.notify(ctrl, PUBLISHED);
  }
}

/**
 * Publish an error in band: the consumer throws `message` when it asks for the next slot after
 * the last one published.
 *
 * @example
 * ```ts
 * import { promptRing, PromptStream, publishError } from "./ring.ts";
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
   * import { promptRing, PromptStream } from "./ring.ts";
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
      if (Atomics.load(ctrl, ERROR) === 1) this.fail();
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

  /** Throw the producer's published error. */
  private fail(): never {
    const len = Atomics.load(this.ctrl, MSG_LEN);
    throw new Error(String.fromCharCode(...this.text.subarray(0, len)));
  }

  /**
   * Hand every slot taken so far back to the producer.
   *
   * @example
   * ```ts
   * import { promptRing, PromptStream } from "./ring.ts";
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
