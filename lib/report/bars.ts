/**
 * Grouped bar chart: bars of each group side by side per x category, with optional error bars
 * (final-value comparisons across methods).
 *
 * @module
 */

import {
  checkCategoryField,
  checkField,
  checkFrame,
  checkInterval,
  checkNumericField,
  checkOrder,
  type FrameOptions,
  frameSize,
  frameSpec,
} from "./frame.ts";
import { copyRows, firstSeen } from "./rows.ts";
import type { Spec } from "./theme.ts";

/** Options of {@linkcode groupedBars}: the frame plus the encodings. */
export interface GroupedBarsOptions extends FrameOptions {
  /** Category field on the x axis. */
  x: string;
  /** Numeric field: bar height. */
  y: string;
  /** Field giving the bars side by side within one x category (colour). */
  group: string;
  /** Field with the lower end of an error bar. */
  lower?: string;
  /** Field with the upper end of an error bar. */
  upper?: string;
  /** Order of x categories (default: first seen). */
  xOrder?: readonly (string | number)[];
  /** Order of groups (default: first seen). */
  groupOrder?: readonly (string | number)[];
  /** Logarithmic y axis (all y must be > 0). */
  logY?: boolean;
  /** x axis title. */
  xTitle?: string;
  /** y axis title, with units. */
  yTitle?: string;
  /** Legend title (default: the group field). */
  groupTitle?: string;
}

/**
 * Grouped bar chart (bars of each `group` side by side per `x` category), optional error bars.
 *
 * @example
 * ```ts
 * import { groupedBars } from "./bars.ts";
 * const spec = groupedBars({
 *   rows: [{ env: "linear", algo: "TF", regret: 40 }, { env: "linear", algo: "LinUCB", regret: 33 }],
 *   x: "env", y: "regret", group: "algo", title: "Regret at T = 200", yTitle: "cumulative regret",
 * });
 * ```
 */
export function groupedBars(opts: GroupedBarsOptions): Spec {
  const fn = "groupedBars";
  checkFrame(fn, opts);
  const { rows, x, y, group, lower, upper, logY = false } = opts;
  checkField(fn, "x", x);
  checkField(fn, "y", y);
  checkField(fn, "group", group);
  checkOrder(fn, "xOrder", opts.xOrder);
  checkOrder(fn, "groupOrder", opts.groupOrder);
  checkCategoryField(fn, rows, x);
  checkCategoryField(fn, rows, group);
  checkNumericField(fn, rows, y, logY);
  checkInterval(fn, rows, lower, upper, logY);
  const xOrder = opts.xOrder ? [...opts.xOrder] : firstSeen(rows, x);
  const gOrder = opts.groupOrder ? [...opts.groupOrder] : firstSeen(rows, group);
  const yScale: Spec = logY ? { type: "log" } : {};
  const xEnc = {
    field: x,
    type: "nominal",
    sort: xOrder,
    title: opts.xTitle ?? x,
    axis: { labelAngle: 0 },
  };
  const offset = { field: group, type: "nominal", sort: gOrder, scale: { domain: gOrder } };
  const layers: Spec[] = [{
    mark: { type: "bar" },
    encoding: {
      x: xEnc,
      xOffset: offset,
      y: { field: y, type: "quantitative", title: opts.yTitle ?? y, scale: yScale },
      color: {
        field: group,
        type: "nominal",
        title: opts.groupTitle ?? group,
        scale: { domain: gOrder },
      },
    },
  }];
  if (lower !== undefined && upper !== undefined) {
    layers.push({
      mark: { type: "rule", color: "#222222", strokeWidth: 1.5 },
      encoding: {
        x: xEnc,
        xOffset: offset,
        y: { field: lower, type: "quantitative", scale: yScale, title: opts.yTitle ?? y },
        y2: { field: upper },
      },
    });
  }
  return {
    ...frameSpec(opts),
    ...frameSize(opts),
    data: { values: copyRows(rows) },
    layer: layers,
  };
}
