/**
 * Scatter plot, optionally coloured by a category and with the diagonal y = x (predicted vs
 * measured figures).
 *
 * @module
 */

import {
  checkCategoryField,
  checkField,
  checkFrame,
  checkNumericField,
  checkText,
  type FrameOptions,
  frameSize,
  frameSpec,
} from "./frame.ts";
import { copyRows, type Row } from "./rows.ts";
import type { Spec } from "./theme.ts";

/** Options of {@linkcode scatterChart}: the frame plus the encodings. */
export interface ScatterChartOptions extends FrameOptions {
  /** Field on the x axis (numeric). */
  x: string;
  /** Field on the y axis (numeric). */
  y: string;
  /** Field giving the point colour (legend). */
  color?: string;
  /** Legend title for `color`. */
  colorTitle?: string;
  /** Logarithmic x axis. */
  logX?: boolean;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Draw the diagonal y = x (predicted vs measured plots). */
  diagonal?: boolean;
  /** x axis title, with units. */
  xTitle: string;
  /** y axis title, with units. */
  yTitle: string;
}

/** The diagonal y = x over the range of both axes. */
function diagonalLayer(rows: readonly Row[], x: string, y: string, xScale: Spec, yScale: Spec) {
  let lo = Infinity, hi = -Infinity;
  for (const r of rows) {
    for (const v of [r[x] as number, r[y] as number]) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return {
    data: { values: [{ d: lo }, { d: hi }] },
    mark: { type: "line", color: "#777777", strokeDash: [4, 4], strokeWidth: 1 },
    encoding: {
      x: { field: "d", type: "quantitative", scale: xScale },
      y: { field: "d", type: "quantitative", scale: yScale },
    },
  };
}

/**
 * Scatter plot, optionally coloured by a category and with the diagonal y = x.
 *
 * @example
 * ```ts
 * import { scatterChart } from "./scatter.ts";
 * const spec = scatterChart({
 *   rows: [{ predicted: 0.01, measured: 0.012 }], x: "predicted", y: "measured", diagonal: true,
 *   title: "PL rate", xTitle: "predicted rate (1/step)", yTitle: "measured rate (1/step)",
 * });
 * ```
 */
export function scatterChart(opts: ScatterChartOptions): Spec {
  const fn = "scatterChart";
  checkFrame(fn, opts);
  const { rows, x, y, color, logX = false, logY = false } = opts;
  checkField(fn, "x", x);
  checkField(fn, "y", y);
  checkText(fn, "xTitle", opts.xTitle);
  checkText(fn, "yTitle", opts.yTitle);
  checkNumericField(fn, rows, x, logX);
  checkNumericField(fn, rows, y, logY);
  if (color !== undefined) {
    checkField(fn, "color", color);
    checkCategoryField(fn, rows, color);
  }
  const xScale: Spec = logX ? { type: "log" } : { zero: false };
  const yScale: Spec = logY ? { type: "log" } : { zero: false };
  const layers: Spec[] = [{
    mark: { type: "point", filled: true, size: 40, opacity: 0.8 },
    encoding: {
      x: { field: x, type: "quantitative", title: opts.xTitle, scale: xScale },
      y: { field: y, type: "quantitative", title: opts.yTitle, scale: yScale },
      ...(color
        ? { color: { field: color, type: "nominal", title: opts.colorTitle ?? color } }
        : {}),
    },
  }];
  if (opts.diagonal) layers.push(diagonalLayer(rows, x, y, xScale, yScale));
  return {
    ...frameSpec(opts),
    ...frameSize(opts),
    data: { values: copyRows(rows) },
    layer: layers,
  };
}
