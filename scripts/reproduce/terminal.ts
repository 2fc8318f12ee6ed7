/**
 * What `deno task reproduce` prints while it runs: durations and a status line redrawn in place.
 *
 * @module
 */

/**
 * A duration for people: `12.3 s`, `4 min 05 s`, `2 h 03 min`.
 *
 * @example
 * ```ts
 * import { fmtSeconds } from "./terminal.ts";
 * fmtSeconds(245); // "4 min 05 s"
 * ```
 */
export function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * Terminal status line: redrawn in place on a TTY (at most every 100 ms unless forced), an
 * occasional plain line (every 15 s) otherwise.
 *
 * @example
 * ```ts
 * import { StatusLine } from "./terminal.ts";
 * const status = new StatusLine();
 * status.show("[1/4] 01_construction · cell 3 (2/9)", true);
 * status.clear();
 * ```
 */
export class StatusLine {
  #tty = Deno.stderr.isTerminal();
  #last = 0;
  #shown = false;
  #enc = new TextEncoder();

  /** Show `text` (cut to the terminal width), unless the last line is too recent. */
  show(text: string, force = false): void {
    const now = performance.now();
    if (!(force && this.#tty) && now - this.#last < (this.#tty ? 100 : 15_000)) return;
    this.#last = now;
    if (this.#tty) {
      let cols = 0;
      try {
        cols = Deno.consoleSize().columns;
      } catch { /* not a console */ }
      const width = cols >= 40 ? cols - 1 : 119; // a pseudo-terminal may report 0 columns
      const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      Deno.stderr.writeSync(this.#enc.encode(`\r${line}\x1b[K`));
      this.#shown = true;
    } else console.log(text);
  }

  /** Erase the status line (on a TTY), so that ordinary output follows. */
  clear(): void {
    if (this.#tty && this.#shown) Deno.stderr.writeSync(this.#enc.encode(`\r\x1b[K`));
    this.#shown = false;
  }
}
