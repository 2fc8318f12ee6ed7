/**
 * Line chart with optional confidence bands and labelled reference lines (the curve figures:
 * training loss, returns over update steps, transfer curves).
 *
 * @module
 */

import { showValue } from "../core/validate.ts";
import {
  checkCategoryField,
  checkDomain,
  checkField,
  checkFrame,
  checkInterval,
  checkNumericField,
  checkOrder,
  checkText,
  type FrameOptions,
  frameSize,
  frameSpec,
} from "./frame.ts";
import { copyRows, firstSeen } from "./rows.ts";
import type { Spec } from "./theme.ts";

/** A horizontal reference line (e.g. the oracle's return). */
export interface Rule {
  /** y value of the line. */
  value: number;
  /** Label drawn at the right end of the line. */
  label: string;
}

/** Options of {@linkcode lineChart}: the frame plus the encodings. */
export interface LineChartOptions extends FrameOptions {
  /** Field on the x axis (numeric). */
  x: string;
  /** Field on the y axis (numeric): the mean. */
  y: string;
  /** Field giving one line per value (legend). */
  color?: string;
  /** Legend title for `color` (default: the field name). */
  colorTitle?: string;
  /** Order of the `color` categories in the legend and palette (default: first seen). */
  colorOrder?: readonly (string | number)[];
  /** Field mapped to the dash pattern (e.g. "trained" vs "teacher"). */
  strokeDash?: string;
  /** Field with the lower end of the band (e.g. mean − 95 % CI half-width). */
  lower?: string;
  /** Field with the upper end of the band. */
  upper?: string;
  /** Logarithmic x axis (all x must be > 0). */
  logX?: boolean;
  /** Logarithmic y axis (all y, lower, upper and rules must be > 0). */
  logY?: boolean;
  /** Horizontal reference lines with labels. */
  rules?: readonly Rule[];
  /** Draw a point at each data point. */
  points?: boolean;
  /** Explicit x domain. */
  xDomain?: [number, number];
  /** Explicit y domain. */
  yDomain?: [number, number];
  /** x axis title, with units. */
  xTitle: string;
  /** y axis title, with units. */
  yTitle: string;
}

function checkRules(fn: string, rules: unknown, logY: boolean): asserts rules is readonly Rule[] {
  if (!Array.isArray(rules)) throw new TypeError(`${fn}: rules must be an array`);
  rules.forEach((r, i) => {
    if (
      r === null || typeof r !== "object" || typeof r.value !== "number" || !isFinite(r.value) ||
      typeof r.label !== "string"
    ) {
      throw new RangeError(
        `${fn}: rules[${i}] must be {value: number, label: string}, got ${showValue(r)}`,
      );
    }
    if (logY && r.value <= 0) {
      throw new RangeError(`${fn}: rules[${i}].value = ${r.value} is not positive on a log y axis`);
    }
  });
}

function checkLineOptions(fn: string, opts: LineChartOptions): void {
  checkFrame(fn, opts);
  const { rows, x, y, color, strokeDash, logX = false, logY = false } = opts;
  checkField(fn, "x", x);
  checkField(fn, "y", y);
  checkText(fn, "xTitle", opts.xTitle);
  checkText(fn, "yTitle", opts.yTitle);
  checkDomain(fn, "xDomain", opts.xDomain, logX);
  checkDomain(fn, "yDomain", opts.yDomain, logY);
  checkOrder(fn, "colorOrder", opts.colorOrder);
  checkNumericField(fn, rows, x, logX);
  checkNumericField(fn, rows, y, logY);
  if (color !== undefined) {
    checkField(fn, "color", color);
    checkCategoryField(fn, rows, color);
  }
  if (strokeDash !== undefined) {
    checkField(fn, "strokeDash", strokeDash);
    checkCategoryField(fn, rows, strokeDash);
  }
  checkInterval(fn, rows, opts.lower, opts.upper, logY);
  checkRules(fn, opts.rules ?? [], logY);
}

/** The two layers drawing the reference lines and their labels. */
function ruleLayers(rules: readonly Rule[], yScale: Spec, width: number): Spec[] {
  const ruleData = { values: rules.map((r) => ({ rule_value: r.value, rule_label: r.label })) };
  return [{
    data: ruleData,
    mark: { type: "rule", color: "#555555", strokeDash: [4, 4], strokeWidth: 1.5 },
    encoding: { y: { field: "rule_value", type: "quantitative", scale: yScale } },
  }, {
    data: ruleData,
    mark: {
      type: "text",
      align: "right",
      baseline: "bottom",
      dx: -4,
      dy: -3,
      fontSize: 10,
      color: "#333333",
    },
    encoding: {
      x: { value: width },
      y: { field: "rule_value", type: "quantitative", scale: yScale },
      text: { field: "rule_label" },
    },
  }];
}

/**
 * Line chart, one line per `color` group, with an optional semi-transparent band from `lower` to
 * `upper` (mean ± 95 % CI curves) and optional labelled horizontal reference lines.
 *
 * @example
 * ```ts
 * import { lineChart } from "./line.ts";
 * const spec = lineChart({
 *   rows: [{ step: 0, J: 0.1, lo: 0.05, hi: 0.15, method: "SARSA" },
 *          { step: 1, J: 0.3, lo: 0.2, hi: 0.4, method: "SARSA" }],
 *   x: "step", y: "J", lower: "lo", upper: "hi", color: "method",
 *   rules: [{ value: 0.5, label: "oracle" }],
 *   title: "Transfer", xTitle: "update step", yTitle: "return J (discounted)",
 * });
 * ```
 */
export function lineChart(opts: LineChartOptions): Spec {
  checkLineOptions("lineChart", opts);
  const { rows, x, y, color, strokeDash, lower, upper, logX = false, logY = false } = opts;
  const rules = opts.rules ?? [];
  const { width, height } = frameSize(opts);
  const xEnc: Spec = {
    field: x,
    type: "quantitative",
    title: opts.xTitle,
    scale: {
      ...(logX ? { type: "log" } : { zero: false }),
      ...(opts.xDomain ? { domain: opts.xDomain } : {}),
    },
  };
  const yScale: Spec = {
    ...(logY ? { type: "log" } : { zero: false }),
    ...(opts.yDomain ? { domain: opts.yDomain } : {}),
  };
  const yEnc: Spec = { field: y, type: "quantitative", title: opts.yTitle, scale: yScale };
  // explicit category order (default: first seen) so the band's `fill` scale and the line's
  // `color` scale assign the same colour to each group
  const colorDomain = color === undefined
    ? []
    : opts.colorOrder
    ? [...opts.colorOrder]
    : firstSeen(rows, color);
  const colorEnc: Spec | undefined = color === undefined ? undefined : {
    field: color,
    type: "nominal",
    title: opts.colorTitle ?? color,
    scale: { domain: colorDomain },
    sort: colorDomain,
  };

  const layers: Spec[] = [];
  if (lower !== undefined && upper !== undefined) {
    layers.push({
      mark: { type: "area", fillOpacity: 0.2, ...(colorEnc ? {} : { fill: "#4c78a8" }) },
      encoding: {
        x: xEnc,
        y: { field: lower, type: "quantitative", scale: yScale, title: opts.yTitle },
        y2: { field: upper },
        // `fill`, not `color`: the band stays out of the legend, which shows the lines only
        ...(colorEnc ? { fill: { ...colorEnc, legend: null } } : {}),
        ...(strokeDash ? { detail: { field: strokeDash, type: "nominal" } } : {}),
      },
    });
  }
  layers.push({
    mark: { type: "line", strokeWidth: 2, ...(opts.points ? { point: true } : {}) },
    encoding: {
      x: xEnc,
      y: yEnc,
      ...(colorEnc ? { color: colorEnc } : {}),
      ...(strokeDash
        ? { strokeDash: { field: strokeDash, type: "nominal", title: strokeDash } }
        : {}),
    },
  });
  if (rules.length > 0) layers.push(...ruleLayers(rules, yScale, width));
  return {
    ...frameSpec(opts),
    width,
    height,
    data: { values: copyRows(rows) },
    layer: layers,
    // without this vega-lite merges the band's hidden `fill` legend into the line legend and
    // drops both
    ...(colorEnc && lower !== undefined
      ? { resolve: { legend: { fill: "independent", color: "independent" } } }
      : {}),
  };
}
