/**
 * Composition: several charts side by side, stacked, or wrapped in a grid, under one theme.
 *
 * @module
 */

import { showValue } from "../core/validate.ts";
import { type Spec, themeConfig, VEGA_LITE_SCHEMA } from "./theme.ts";

/** Options of {@linkcode concatCharts}. */
export interface ConcatOptions {
  /** "horizontal" (default), "vertical", or "wrap" (with `columns`). */
  direction?: "horizontal" | "vertical" | "wrap";
  /** Charts per row for "wrap" (default 2). */
  columns?: number;
  /** Overall title. */
  title?: string;
  /** Share the colour scale (and legend) across charts (default true). */
  sharedColor?: boolean;
}

/**
 * Put several charts side by side (`hconcat`), stacked (`vconcat`) or wrapped in a grid.
 *
 * @example
 * ```ts
 * import { concatCharts } from "./concat.ts";
 * import { lineChart } from "./line.ts";
 * const chart = (y: string) =>
 *   lineChart({ rows: [{ step: 0, loss: 1, dist: 2 }], x: "step", y, title: y, xTitle: "step",
 *     yTitle: y });
 * const both = concatCharts([chart("loss"), chart("dist")], { title: "Training" });
 * ```
 */
export function concatCharts(charts: readonly Spec[], opts: ConcatOptions = {}): Spec {
  const fn = "concatCharts";
  if (!Array.isArray(charts) || charts.length === 0) {
    throw new RangeError(
      `${fn}: charts must be a non-empty array of specs, got ${showValue(charts)}`,
    );
  }
  charts.forEach((c, i) => {
    if (c === null || typeof c !== "object" || Array.isArray(c)) {
      throw new TypeError(`${fn}: charts[${i}] is not a spec object`);
    }
  });
  const direction = opts.direction ?? "horizontal";
  if (!["horizontal", "vertical", "wrap"].includes(direction)) {
    throw new RangeError(
      `${fn}: direction must be horizontal, vertical or wrap, got ${showValue(direction)}`,
    );
  }
  const columns = opts.columns ?? 2;
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(
      `${fn}: columns must be a positive integer, got ${showValue(columns)}`,
    );
  }
  const children = charts.map((c) => {
    const { $schema: _s, config: _c, ...rest } = c;
    return rest;
  });
  const key = direction === "horizontal"
    ? "hconcat"
    : direction === "vertical"
    ? "vconcat"
    : "concat";
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(direction === "wrap" ? { columns } : {}),
    [key]: children,
    resolve: { scale: { color: opts.sharedColor === false ? "independent" : "shared" } },
    config: themeConfig(),
  };
}
