/**
 * Progress reporting for long runs (DESIGN: "a live-updating line in Jupyter, a bar on a
 * terminal") and a tiny wall-clock timer.
 *
 * Where the output goes (`mode: "auto"`):
 * - an `onUpdate` sink is given → only the sink is called (throttled), nothing is printed. In a
 *   notebook pass {@linkcode liveSink}`(Deno.jupyter.display)`: one output line updated in place.
 * - `CI` is set, or stderr is not a terminal → plain lines on stdout, at most every `every`
 *   (default 10 %) of the total, plus a final line.
 * - stderr is a terminal → a `\r`-redrawn bar on stderr.
 *
 * The library never calls `Deno.jupyter` itself (it throws outside the kernel).
 *
 * @module
 */

/** Output mode of {@linkcode progress}. */
export type ProgressMode = "auto" | "tty" | "plain" | "sink" | "silent";

/** Options of {@linkcode progress}. */
export interface ProgressOptions {
  /** Fraction of the total between plain-mode lines (default 0.1). */
  every?: number;
  /** Receives each (throttled) status line instead of the console — e.g. a Jupyter live display. */
  onUpdate?: (text: string) => void | Promise<void>;
  /** Minimum milliseconds between redraws / sink calls (default 150 on a TTY, 1000 for a sink). */
  minIntervalMs?: number;
  /** Force an output mode (default "auto"). */
  mode?: ProgressMode;
  /** Where tty/plain output is written (default: stderr for the bar, stdout for lines). */
  write?: (text: string) => void;
  /** Clock in milliseconds (default `performance.now`); injectable for tests. */
  now?: () => number;
}

/** A running progress reporter. */
export interface Progress {
  /**
   * Advance by `n` (default 1) units; `info` is shown after the counts (e.g. the current loss).
   * Resolves once a due update has been handed to the sink. In a notebook `await bar.tick()`
   * inside the loop: Deno's kernel sends display updates only when the cell's code yields.
   */
  tick(n?: number, info?: string): Promise<void>;
  /** Finish: print / send the final line. Idempotent. Resolves when the sink has it. */
  done(info?: string): Promise<void>;
  /** Units done so far. */
  readonly count: number;
  /** Total units. */
  readonly total: number;
  /** The current status line. */
  text(info?: string): string;
}

/**
 * Human-readable duration: `"850 ms"`, `"12.3 s"`, `"4 min 05 s"`, `"2 h 03 min"`.
 *
 * @example
 * ```ts
 * formatDuration(245); // "4 min 05 s"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (typeof seconds !== "number" || Number.isNaN(seconds) || seconds < 0) {
    throw new RangeError(`formatDuration: seconds must be a number ≥ 0, got ${seconds}`);
  }
  if (!Number.isFinite(seconds)) return "∞";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    return `${m} min ${String(Math.floor(seconds - 60 * m)).padStart(2, "0")} s`;
  }
  const h = Math.floor(seconds / 3600);
  return `${h} h ${String(Math.floor((seconds - 3600 * h) / 60)).padStart(2, "0")} min`;
}

function stdoutLine(text: string): void {
  console.log(text);
}

const encoder = new TextEncoder();

function stderrRaw(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}

function isTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function inCI(): boolean {
  try {
    const ci = Deno.env.get("CI");
    return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
  } catch {
    return false;
  }
}

/**
 * Start a progress reporter for `total` units of work.
 *
 * @example
 * ```ts
 * import { progress } from "./progress.ts";
 * const K = 5;
 * const bar = progress("training", K, { mode: "silent" }); // default: terminal bar / plain lines
 * // in a notebook: progress("training", K, { onUpdate: liveSink(Deno.jupyter.display) })
 * let loss = 1;
 * for (let k = 0; k < K; k++) {
 *   loss /= 2; // … work …
 *   await bar.tick(1, `loss ${loss.toExponential(2)}`); // await: lets Jupyter show it now
 * }
 * await bar.done();
 * ```
 */
export function progress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  if (typeof label !== "string") {
    throw new TypeError(`progress: label must be a string, got ${typeof label}`);
  }
  if (!Number.isInteger(total) || total < 0) {
    throw new RangeError(`progress: total must be an integer ≥ 0, got ${total}`);
  }
  const every = opts.every ?? 0.1;
  if (typeof every !== "number" || !(every > 0 && every <= 1)) {
    throw new RangeError(`progress: every must be a fraction in (0, 1], got ${every}`);
  }
  if (opts.onUpdate !== undefined && typeof opts.onUpdate !== "function") {
    throw new TypeError(`progress: onUpdate must be a function, got ${typeof opts.onUpdate}`);
  }
  const requested = opts.mode ?? "auto";
  if (!["auto", "tty", "plain", "sink", "silent"].includes(requested)) {
    throw new RangeError(
      `progress: mode must be auto, tty, plain, sink or silent, got ${JSON.stringify(requested)}`,
    );
  }
  const mode: Exclude<ProgressMode, "auto"> = requested === "auto"
    ? (opts.onUpdate ? "sink" : inCI() || !isTerminal() ? "plain" : "tty")
    : requested;
  if (mode === "sink" && !opts.onUpdate) {
    throw new TypeError(`progress: mode "sink" needs an onUpdate callback`);
  }
  const minInterval = opts.minIntervalMs ?? (mode === "sink" ? 1000 : 150);
  if (typeof minInterval !== "number" || !(minInterval >= 0)) {
    throw new RangeError(`progress: minIntervalMs must be a number ≥ 0, got ${minInterval}`);
  }
  const now = opts.now ?? (() => performance.now());
  const start = now();
  let count = 0;
  let finished = false;
  let lastEmit = -Infinity;
  let nextPlain = every * total;
  let sinkFailed = false;
  const writeTty = opts.write ?? stderrRaw;
  const writeLine = opts.write ?? stdoutLine;

  const text = (info?: string): string => {
    const elapsed = (now() - start) / 1000;
    const frac = total > 0 ? Math.min(1, count / total) : 1;
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    const counts = `${count}/${total}`;
    let time = formatDuration(elapsed);
    if (!finished && count > 0 && count < total) {
      time += `, eta ${formatDuration((elapsed * (total - count)) / count)}`;
    }
    const tail = info ? `  ${info}` : "";
    if (mode === "tty") {
      const width = 24;
      const filled = Math.round(frac * width);
      return `${label} [${"#".repeat(filled)}${
        "-".repeat(width - filled)
      }] ${pct}% ${counts} (${time})${tail}`;
    }
    return `${label}: ${pct}% ${counts} (${time})${tail}`;
  };

  const resolved = Promise.resolve();
  const sinkError = (e: unknown) => {
    if (sinkFailed) return; // report once
    sinkFailed = true;
    console.error(`progress: onUpdate failed, live updates stopped: ${(e as Error)?.message ?? e}`);
  };
  const emit = (info: string | undefined, final: boolean): Promise<void> => {
    const line = text(info);
    if (mode === "silent") return resolved;
    if (mode === "sink") {
      if (sinkFailed) return resolved;
      try {
        return Promise.resolve(opts.onUpdate!(line)).catch(sinkError);
      } catch (e) {
        sinkError(e);
        return resolved;
      }
    }
    if (mode === "tty") writeTty(`\r${line}\x1b[K${final ? "\n" : ""}`);
    else writeLine(line);
    return resolved;
  };

  const reporter: Progress = {
    get count() {
      return count;
    },
    get total() {
      return total;
    },
    text,
    tick(n = 1, info?: string): Promise<void> {
      if (!Number.isInteger(n) || n < 0) {
        throw new RangeError(`progress(${label}).tick: n must be an integer ≥ 0, got ${n}`);
      }
      if (finished) return resolved;
      count += n;
      if (mode === "plain") {
        if (count >= nextPlain && count < total) {
          while (nextPlain <= count) nextPlain += every * total;
          return emit(info, false);
        }
        return resolved;
      }
      const t = now();
      if (t - lastEmit >= minInterval) {
        lastEmit = t;
        return emit(info, false);
      }
      return resolved;
    },
    done(info?: string): Promise<void> {
      if (finished) return resolved;
      finished = true;
      return emit(info, true);
    },
  };
  if (mode === "sink" || mode === "tty") {
    lastEmit = now();
    void emit(undefined, false);
  }
  return reporter;
}

/** The shape of `Deno.jupyter.display` (so this module needs no Jupyter types). */
export type DisplayFunction = (
  obj: unknown,
  options?: { raw?: boolean; update?: boolean; display_id?: string },
) => Promise<void>;

let liveCounter = 0;

/**
 * A progress sink that shows one output line in a notebook and updates it in place: the first
 * call creates a display with a `display_id`, later calls send `update: true` for that id. Pass
 * the kernel's display function — the library itself never touches `Deno.jupyter`.
 *
 * @example
 * ```ts
 * import { liveSink, progress } from "./progress.ts";
 * // in a notebook cell pass Deno.jupyter.display; here a stand-in that records the updates
 * const shown: unknown[] = [];
 * const display = (data: unknown) => {
 *   shown.push(data);
 *   return Promise.resolve();
 * };
 * const bar = progress("training", 3, { onUpdate: liveSink(display) });
 * await bar.tick(3);
 * await bar.done();
 * ```
 */
export function liveSink(display: DisplayFunction, id?: string): (text: string) => Promise<void> {
  if (typeof display !== "function") {
    throw new TypeError(
      `liveSink: display must be a function (Deno.jupyter.display), got ${typeof display}`,
    );
  }
  liveCounter += 1;
  const displayId = id ?? `icrl-progress-${liveCounter}`;
  let first = true;
  return (text: string) => {
    const update = !first;
    first = false;
    return display({ "text/plain": text }, { raw: true, display_id: displayId, update });
  };
}

/** A started stopwatch. */
export interface Timer {
  /** Seconds since start. */
  seconds(): number;
  /** Seconds since the previous `lap()` (or start), and restart the lap. */
  lap(): number;
  /** Elapsed time, formatted (see {@linkcode formatDuration}). */
  toString(): string;
}

/**
 * Start a stopwatch.
 *
 * @example
 * ```ts
 * const t = timer();
 * // … work …
 * console.log(`took ${t}`); // "took 12.3 s"
 * ```
 */
export function timer(now: () => number = () => performance.now()): Timer {
  if (typeof now !== "function") {
    throw new TypeError(`timer: now must be a function, got ${typeof now}`);
  }
  const start = now();
  let lapStart = start;
  return {
    seconds: () => (now() - start) / 1000,
    lap() {
      const t = now();
      const s = (t - lapStart) / 1000;
      lapStart = t;
      return s;
    },
    toString() {
      return formatDuration((now() - start) / 1000);
    },
  };
}
