/**
 * Aggregate tidy rows across seeds: mean ± 95 % CI of a field per (group, x) — the bands of every
 * "≥ 5 seeds with bands" figure. With `log: true` the interval is computed on ln(y) and mapped back
 * (a geometric mean band, right for losses on a log axis).
 *
 * @module
 */

import { meanCI } from "./stats.ts";
import { showValue } from "./validate.ts";
import type { Row } from "./row.ts";

export type { Cell, Row } from "./row.ts";

/** One aggregated point. */
export interface BandRow {
  /** Group label (e.g. the run name). */
  group: string;
  /** x value. */
  x: number;
  /** Mean (geometric with `log`). */
  mean: number;
  /** Lower 95 % CI. */
  lo: number;
  /** Upper 95 % CI. */
  hi: number;
  /** Number of values aggregated. */
  count: number;
}

/**
 * Mean ± 95 % CI of `y` over the rows sharing (`group`, `x`); rows with a non-finite `y` are skipped.
 *
 * @example
 * ```ts
 * import { aggregateBands } from "./aggregate.ts";
 * const rows = [
 *   { run: "lsa", seed: 0, prompts: 100, loss: 0.2 },
 *   { run: "lsa", seed: 1, prompts: 100, loss: 0.4 },
 *   { run: "lsa", seed: 2, prompts: 100, loss: 0.3 },
 * ];
 * const [band] = aggregateBands(rows, { x: "prompts", y: "loss", group: "run", log: true });
 * console.log(band); // { group: "lsa", x: 100, mean: ≈0.288 (geometric), lo, hi, count: 3 }
 * ```
 */
export function aggregateBands(
  rows: readonly Row[],
  opts: { x: string; y: string; group?: string; log?: boolean },
): BandRow[] {
  const buckets = new Map<string, { group: string; x: number; ys: number[] }>();
  for (const r of rows) {
    const x = r[opts.x], y = r[opts.y];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new RangeError(`row field ${opts.x} must be a finite number, got ${showValue(x)}`);
    }
    if (typeof y !== "number" || !Number.isFinite(y) || (opts.log && y <= 0)) continue;
    const group = opts.group ? String(r[opts.group]) : "all";
    const key = `${group}\u0000${x}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, b = { group, x, ys: [] });
    b.ys.push(opts.log ? Math.log(y) : y);
  }
  const out: BandRow[] = [];
  for (const b of buckets.values()) {
    const ci = meanCI(b.ys);
    const f = opts.log ? Math.exp : (v: number) => v;
    out.push({ group: b.group, x: b.x, mean: f(ci.mean), lo: f(ci.lo), hi: f(ci.hi), count: ci.n });
  }
  return out.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.x - b.x));
}
