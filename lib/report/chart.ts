/**
 * Vega-Lite spec builders with one consistent theme (DESIGN: "tidy table → chart → file + inline
 * display"). Every builder takes plain row arrays (`{field: value}` objects, i.e. a tidy table),
 * validates them, and returns a JSON Vega-Lite spec; {@linkcode renderSvg} in `render.ts` turns a
 * spec into SVG and {@linkcode saveFigure} writes it to disk.
 *
 * Theme: 480 × 300 plots, `tableau10` colours, DejaVu Sans (falls back to the system sans-serif),
 * 11 px labels and 12 px axis titles; heatmaps use the diverging `redblue` scheme (reversed, so
 * positive = red, negative = blue) centred on 0.
 *
 * @module
 */

import * as vega from "vega";
import { deflateSync } from "node:zlib";
import { showValue } from "../core/validate.ts";

/** A JSON Vega-Lite specification. Kept loose on purpose: builders own the structure. */
export type Spec = { [key: string]: unknown };

/** One value of a tidy table cell. */
export type Datum = number | string | boolean | null;

/** One row of a tidy table: field name → value. */
export type ChartRow = { [field: string]: Datum };

/** `$schema` of the Vega-Lite version the charts are compiled with (vega-lite 6). */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Default plot size and font of the theme. */
export const THEME = {
  width: 480,
  height: 300,
  font: "DejaVu Sans, Helvetica, Arial, sans-serif",
  scheme: "tableau10",
  diverging: "redblue",
} as const;

/**
 * The shared Vega-Lite `config` block of the theme (a fresh object on every call).
 *
 * @example
 * ```ts
 * const spec = { ...mySpec, config: themeConfig() };
 * ```
 */
export function themeConfig(): Spec {
  return {
    font: THEME.font,
    background: "white",
    padding: 8,
    view: { stroke: "#cccccc" },
    title: { fontSize: 14, fontWeight: "bold", anchor: "start", offset: 10, subtitleFontSize: 11 },
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      gridColor: "#e6e6e6",
      domainColor: "#888888",
      tickColor: "#888888",
      labelColor: "#333333",
      titleColor: "#222222",
    },
    legend: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      symbolStrokeWidth: 2,
      // vega's default (160 px) cuts descriptive series names to "full, hand gradie…"; headless
      // vega (no canvas) estimates text at ~0.8 em per character, so leave generous room
      labelLimit: 1000,
    },
    header: { labelFontSize: 12, titleFontSize: 12 },
    range: { category: { scheme: THEME.scheme } },
    line: { strokeWidth: 2 },
  };
}

// ---------------------------------------------------------------------------------------------
// validation helpers

function assertRows(fn: string, rows: unknown): asserts rows is readonly ChartRow[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(`${fn}: rows must be an array of objects, got ${typeof rows}`);
  }
  if (rows.length === 0) throw new RangeError(`${fn}: rows is empty`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new TypeError(`${fn}: rows[${i}] must be an object, got ${showValue(r)}`);
    }
  }
}

function assertField(fn: string, role: string, field: unknown): asserts field is string {
  if (typeof field !== "string" || field === "") {
    throw new TypeError(
      `${fn}: ${role} must be a non-empty field name, got ${showValue(field)}`,
    );
  }
}

function assertText(fn: string, role: string, text: unknown): asserts text is string {
  if (typeof text !== "string") {
    throw new TypeError(`${fn}: ${role} must be a string, got ${showValue(text)}`);
  }
}

/** Every row must hold a finite number in `field` (and a positive one when `positive`). */
function assertNumericField(
  fn: string,
  rows: readonly ChartRow[],
  field: string,
  positive: boolean,
): void {
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][field];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `${fn}: rows[${i}].${field} must be a finite number, got ${showValue(v)}` +
          (v === undefined ? ` (field "${field}" missing)` : ""),
      );
    }
    if (positive && v <= 0) {
      throw new RangeError(
        `${fn}: rows[${i}].${field} = ${v} is not positive, but the axis is logarithmic ` +
          `(clip it to a small positive floor or use a linear axis)`,
      );
    }
  }
}

/** Every row must hold a string or number (a category) in `field`. */
function assertCategoryField(fn: string, rows: readonly ChartRow[], field: string): void {
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][field];
    if (typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) {
      throw new RangeError(
        `${fn}: rows[${i}].${field} must be a string or finite number, got ${showValue(v)}`,
      );
    }
  }
}

function assertSize(fn: string, role: string, v: unknown): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v <= 0)) {
    throw new RangeError(`${fn}: ${role} must be a positive number, got ${showValue(v)}`);
  }
}

function assertDomain(fn: string, role: string, d: unknown, positive: boolean): void {
  if (d === undefined) return;
  if (
    !Array.isArray(d) || d.length !== 2 || !d.every((v) => typeof v === "number" && isFinite(v)) ||
    d[0] >= d[1] || (positive && d[0] <= 0)
  ) {
    throw new RangeError(
      `${fn}: ${role} must be [lo, hi] with lo < hi${positive ? " and lo > 0 (log axis)" : ""}, ` +
        `got ${showValue(d)}`,
    );
  }
}

function assertOrder(fn: string, role: string, order: unknown): void {
  if (order === undefined) return;
  if (
    !Array.isArray(order) || !order.every((v) => typeof v === "string" || typeof v === "number")
  ) {
    throw new TypeError(
      `${fn}: ${role} must be an array of category values, got ${showValue(order)}`,
    );
  }
}

function base(title: string, subtitle: string | undefined): Spec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: subtitle ? { text: title, subtitle } : title,
    config: themeConfig(),
  };
}

function copyRows(rows: readonly ChartRow[]): ChartRow[] {
  return rows.map((r) => ({ ...r }));
}

// ---------------------------------------------------------------------------------------------
// line chart

/** A horizontal reference line (e.g. the oracle's return). */
export interface Rule {
  /** y value of the line. */
  value: number;
  /** Label drawn at the right end of the line. */
  label: string;
}

/** Options of {@linkcode lineChart}. */
export interface LineChartOptions {
  /** Tidy rows, one per (x, group) point. */
  rows: readonly ChartRow[];
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
  /** Chart title. */
  title: string;
  /** Optional subtitle line. */
  subtitle?: string;
  /** x axis title, with units. */
  xTitle: string;
  /** y axis title, with units. */
  yTitle: string;
  /** Plot width in px (default 480). */
  width?: number;
  /** Plot height in px (default 300). */
  height?: number;
}

/**
 * Line chart, one line per `color` group, with an optional semi-transparent band from `lower` to
 * `upper` (mean ± 95 % CI curves) and optional labelled horizontal reference lines.
 *
 * @example
 * ```ts
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
  const fn = "lineChart";
  if (opts === null || typeof opts !== "object") throw new TypeError(`${fn}: options missing`);
  const { rows, x, y, color, strokeDash, lower, upper, logX = false, logY = false } = opts;
  assertRows(fn, rows);
  assertField(fn, "x", x);
  assertField(fn, "y", y);
  assertText(fn, "title", opts.title);
  assertText(fn, "xTitle", opts.xTitle);
  assertText(fn, "yTitle", opts.yTitle);
  assertSize(fn, "width", opts.width);
  assertSize(fn, "height", opts.height);
  assertDomain(fn, "xDomain", opts.xDomain, logX);
  assertDomain(fn, "yDomain", opts.yDomain, logY);
  assertOrder(fn, "colorOrder", opts.colorOrder);
  assertNumericField(fn, rows, x, logX);
  assertNumericField(fn, rows, y, logY);
  if (color !== undefined) {
    assertField(fn, "color", color);
    assertCategoryField(fn, rows, color);
  }
  if (strokeDash !== undefined) {
    assertField(fn, "strokeDash", strokeDash);
    assertCategoryField(fn, rows, strokeDash);
  }
  if ((lower === undefined) !== (upper === undefined)) {
    throw new TypeError(
      `${fn}: lower and upper go together, got lower=${showValue(lower)}, upper=${
        showValue(upper)
      }`,
    );
  }
  if (lower !== undefined && upper !== undefined) {
    assertField(fn, "lower", lower);
    assertField(fn, "upper", upper);
    assertNumericField(fn, rows, lower, logY);
    assertNumericField(fn, rows, upper, logY);
  }
  const rules = opts.rules ?? [];
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

  const width = opts.width ?? THEME.width;
  const height = opts.height ?? THEME.height;
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
  if (rules.length > 0) {
    const ruleData = { values: rules.map((r) => ({ rule_value: r.value, rule_label: r.label })) };
    layers.push({
      data: ruleData,
      mark: { type: "rule", color: "#555555", strokeDash: [4, 4], strokeWidth: 1.5 },
      encoding: { y: { field: "rule_value", type: "quantitative", scale: yScale } },
    });
    layers.push({
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
    });
  }
  return {
    ...base(opts.title, opts.subtitle),
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

// ---------------------------------------------------------------------------------------------
// scatter chart

/** Options of {@linkcode scatterChart}. */
export interface ScatterChartOptions {
  /** Tidy rows, one per point. */
  rows: readonly ChartRow[];
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
  /** Chart title. */
  title: string;
  /** Optional subtitle line. */
  subtitle?: string;
  /** x axis title, with units. */
  xTitle: string;
  /** y axis title, with units. */
  yTitle: string;
  /** Plot width in px (default 480). */
  width?: number;
  /** Plot height in px (default 300). */
  height?: number;
}

/**
 * Scatter plot, optionally coloured by a category and with the diagonal y = x.
 *
 * @example
 * ```ts
 * const spec = scatterChart({
 *   rows: [{ predicted: 0.01, measured: 0.012 }], x: "predicted", y: "measured", diagonal: true,
 *   title: "PL rate", xTitle: "predicted rate (1/step)", yTitle: "measured rate (1/step)",
 * });
 * ```
 */
export function scatterChart(opts: ScatterChartOptions): Spec {
  const fn = "scatterChart";
  if (opts === null || typeof opts !== "object") throw new TypeError(`${fn}: options missing`);
  const { rows, x, y, color, logX = false, logY = false } = opts;
  assertRows(fn, rows);
  assertField(fn, "x", x);
  assertField(fn, "y", y);
  assertText(fn, "title", opts.title);
  assertText(fn, "xTitle", opts.xTitle);
  assertText(fn, "yTitle", opts.yTitle);
  assertSize(fn, "width", opts.width);
  assertSize(fn, "height", opts.height);
  assertNumericField(fn, rows, x, logX);
  assertNumericField(fn, rows, y, logY);
  if (color !== undefined) {
    assertField(fn, "color", color);
    assertCategoryField(fn, rows, color);
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
  if (opts.diagonal) {
    let lo = Infinity, hi = -Infinity;
    for (const r of rows) {
      for (const v of [r[x] as number, r[y] as number]) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    layers.push({
      data: { values: [{ d: lo }, { d: hi }] },
      mark: { type: "line", color: "#777777", strokeDash: [4, 4], strokeWidth: 1 },
      encoding: {
        x: { field: "d", type: "quantitative", scale: xScale },
        y: { field: "d", type: "quantitative", scale: yScale },
      },
    });
  }
  return {
    ...base(opts.title, opts.subtitle),
    width: opts.width ?? THEME.width,
    height: opts.height ?? THEME.height,
    data: { values: copyRows(rows) },
    layer: layers,
  };
}

// ---------------------------------------------------------------------------------------------
// heatmap

/** One cell of a matrix as a tidy row (see {@linkcode matrixRows}). */
export interface MatrixRow {
  /** Any further field. */
  [field: string]: Datum;
  /** Matrix name (facet key). */
  matrix: string;
  /** Row index, 0-based. */
  row: number;
  /** Column index, 0-based. */
  col: number;
  /** Entry value. */
  value: number;
}

/**
 * Turn a row-major matrix into tidy rows `{matrix, row, col, value}` for {@linkcode heatmap}.
 *
 * @example
 * ```ts
 * const rows = [
 *   ...matrixRows("P12 learned", learned, 73, 37),
 *   ...matrixRows("P12 constructed", exact, 73, 37),
 * ];
 * heatmap({ rows, x: "col", y: "row", value: "value", facet: "matrix", title: "P12" });
 * ```
 */
export function matrixRows(
  name: string,
  data: ArrayLike<number>,
  rows: number,
  cols: number,
): MatrixRow[] {
  const fn = "matrixRows";
  assertText(fn, "name", name);
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(`${fn}: rows must be a positive integer, got ${rows}`);
  }
  if (!Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`${fn}: cols must be a positive integer, got ${cols}`);
  }
  if (data === null || typeof data !== "object" || typeof data.length !== "number") {
    throw new TypeError(`${fn}: data for "${name}" must be an array of numbers`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `${fn}: data for "${name}" has length ${data.length}, expected rows*cols = ${rows}*${cols} = ${
        rows * cols
      }`,
    );
  }
  const out: MatrixRow[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(
          `${fn}: data for "${name}"[${i * cols + j}] (row ${i}, col ${j}) is ${v}`,
        );
      }
      out[i * cols + j] = { matrix: name, row: i, col: j, value: v };
    }
  }
  return out;
}

/** Options of {@linkcode heatmap}. */
export interface HeatmapOptions {
  /** Tidy rows, one per cell. */
  rows: readonly ChartRow[];
  /** Field of the column index (x axis, ordinal). */
  x: string;
  /** Field of the row index (y axis, ordinal; first row on top). */
  y: string;
  /** Field of the cell value (numeric; colour). */
  value: string;
  /** Chart title. */
  title: string;
  /** Optional subtitle line. */
  subtitle?: string;
  /** Field splitting the rows into one panel per value (e.g. "matrix"), in first-seen order. */
  facet?: string;
  /** Panels per row when faceting (default: up to 3). */
  columns?: number;
  /** One colour scale per panel, each symmetric about 0 (default false: one shared scale). */
  independent?: boolean;
  /** Side of one cell in px (default: fits the larger dimension into ~300 px, 2–30 px). */
  cellSize?: number;
  /**
   * Draw each panel as one embedded PNG (pixel-exact, small files) instead of one SVG rect per
   * cell. `"auto"` (default): raster when a panel has more than {@linkcode RASTER_CELLS} cells and
   * its axes are the indices 0…n−1. Raster panels carry no per-cell tooltips.
   */
  raster?: boolean | "auto";
  /** x axis title (default: the field name). */
  xTitle?: string;
  /** y axis title (default: the field name). */
  yTitle?: string;
  /** Colour legend title (default: the field name). */
  valueTitle?: string;
}

function maxAbs(rows: readonly ChartRow[], field: string): number {
  let m = 0;
  for (const r of rows) m = Math.max(m, Math.abs(r[field] as number));
  return m > 0 ? m : 1;
}

function ordinalAxis(n: number, title: string, values: Datum[]): Spec {
  // at most ~12 labels per axis, every k-th category
  const k = Math.max(1, Math.ceil(n / 12));
  return {
    title,
    labelAngle: 0,
    ...(k > 1 ? { values: values.filter((_, i) => i % k === 0) } : {}),
  };
}

function sortedDistinct(rows: readonly ChartRow[], field: string): Datum[] {
  const seen = [...new Set(rows.map((r) => r[field]))];
  const allNum = seen.every((v) => typeof v === "number");
  return allNum ? (seen as number[]).sort((a, b) => a - b) : seen;
}

// ---------------------------------------------------------------------------------------------
// PNG encoding (for raster heatmaps)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode RGBA pixels (row-major, 4 bytes per pixel) as a PNG file (8-bit RGBA, zlib level 9).
 *
 * @example
 * ```ts
 * const png = encodePng(1, 1, new Uint8Array([255, 0, 0, 255])); // one red pixel
 * ```
 */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(
      `encodePng: width and height must be positive integers, got ${width}×${height}`,
    );
  }
  if (!(rgba instanceof Uint8Array) || rgba.length !== width * height * 4) {
    throw new RangeError(
      `encodePng: rgba must be a Uint8Array of width*height*4 = ${
        width * height * 4
      } bytes, got ${rgba?.length}`,
    );
  }
  const raw = new Uint8Array(height * (1 + 4 * width));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + 4 * width)] = 0; // filter: none
    raw.set(rgba.subarray(y * 4 * width, (y + 1) * 4 * width), y * (1 + 4 * width) + 1);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit, RGBA, deflate, no filter method, no interlace
  const idat = new Uint8Array(deflateSync(raw, { level: 9 }));
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", idat),
    pngChunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Reversed `redblue` colour of `value` on the symmetric domain [−m, m] (positive = red). */
function divergingRgb(
  interp: (t: number) => string,
  value: number,
  m: number,
): [number, number, number] {
  const t = Math.min(1, Math.max(0, (value + m) / (2 * m)));
  const c = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(interp(1 - t));
  if (!c) {
    throw new Error(`heatmap: unexpected colour ${interp(1 - t)} from scheme ${THEME.diverging}`);
  }
  return [+c[1], +c[2], +c[3]];
}

/** Consecutive integer indices 0…n−1? (then a panel can be drawn as one raster image) */
function isIndexAxis(values: Datum[]): boolean {
  return values.every((v, i) => v === i);
}

// ---------------------------------------------------------------------------------------------
// heatmap panels

/** Cells per panel above which `raster: "auto"` draws one embedded PNG instead of SVG rects. */
export const RASTER_CELLS = 1600;

function colorEncoding(opts: HeatmapOptions, domainAbs: number): Spec {
  return {
    field: opts.value,
    type: "quantitative",
    title: opts.valueTitle ?? opts.value,
    scale: {
      scheme: THEME.diverging,
      reverse: true,
      domain: [-domainAbs, domainAbs],
      domainMid: 0,
    },
  };
}

function rasterPanel(
  rows: readonly ChartRow[],
  opts: HeatmapOptions,
  domainAbs: number,
  title: string | undefined,
  nx: number,
  ny: number,
  cell: number,
): Spec {
  const rgba = new Uint8Array(nx * ny * 4); // missing cells stay transparent
  const interp = vega.scheme(THEME.diverging) as (t: number) => string;
  for (const r of rows) {
    const j = r[opts.x] as number;
    const i = r[opts.y] as number;
    const [red, green, blue] = divergingRgb(interp, r[opts.value] as number, domainAbs);
    rgba.set([red, green, blue, 255], 4 * (i * nx + j));
  }
  const url = `data:image/png;base64,${base64(encodePng(nx, ny, rgba))}`;
  const axis = (n: number, t: string) => {
    const k = Math.max(1, Math.ceil(n / 12));
    const values: number[] = [];
    for (let v = 0; v < n; v += k) values.push(v);
    return { title: t, values, format: "d", grid: false };
  };
  const xScale = { domain: [-0.5, nx - 0.5], nice: false, zero: false };
  const yScale = { domain: [-0.5, ny - 0.5], nice: false, zero: false, reverse: true };
  return {
    ...(title !== undefined ? { title } : {}),
    width: nx * cell,
    height: ny * cell,
    layer: [
      {
        data: { values: [{ url }] },
        mark: { type: "image", aspect: false, smooth: false, aria: false },
        encoding: {
          x: {
            datum: -0.5,
            type: "quantitative",
            scale: xScale,
            axis: axis(nx, opts.xTitle ?? opts.x),
          },
          x2: { datum: nx - 0.5 },
          y: {
            datum: -0.5,
            type: "quantitative",
            scale: yScale,
            axis: axis(ny, opts.yTitle ?? opts.y),
          },
          y2: { datum: ny - 0.5 },
          url: { field: "url" },
        },
      },
      {
        // invisible marks carrying the colour scale, so the panel gets its legend
        data: { values: [{ [opts.value]: -domainAbs }, { [opts.value]: domainAbs }] },
        mark: { type: "point", opacity: 0, aria: false },
        encoding: {
          x: { datum: -0.5, type: "quantitative", scale: xScale },
          y: { datum: -0.5, type: "quantitative", scale: yScale },
          color: colorEncoding(opts, domainAbs),
        },
      },
    ],
  };
}

function heatPanel(
  rows: readonly ChartRow[],
  opts: HeatmapOptions,
  domainAbs: number,
  title: string | undefined,
): Spec {
  const xs = sortedDistinct(rows, opts.x);
  const ys = sortedDistinct(rows, opts.y);
  const nx = xs.length;
  const ny = ys.length;
  const cell = opts.cellSize ?? Math.max(2, Math.min(30, Math.floor(300 / Math.max(nx, ny))));
  const raster = opts.raster ?? "auto";
  if (raster === true && !(isIndexAxis(xs) && isIndexAxis(ys))) {
    throw new RangeError(
      `heatmap: raster needs ${opts.x} and ${opts.y} to be the integers 0…n−1 (as matrixRows makes)`,
    );
  }
  if (
    raster === true ||
    (raster === "auto" && nx * ny > RASTER_CELLS && isIndexAxis(xs) && isIndexAxis(ys))
  ) {
    return rasterPanel(rows, opts, domainAbs, title, nx, ny, cell);
  }
  return {
    ...(title !== undefined ? { title } : {}),
    width: { step: cell },
    height: { step: cell },
    data: { values: copyRows(rows) },
    mark: { type: "rect", aria: false },
    encoding: {
      x: {
        field: opts.x,
        type: "ordinal",
        sort: xs,
        axis: ordinalAxis(nx, opts.xTitle ?? opts.x, xs),
      },
      y: {
        field: opts.y,
        type: "ordinal",
        sort: ys,
        axis: ordinalAxis(ny, opts.yTitle ?? opts.y, ys),
      },
      color: colorEncoding(opts, domainAbs),
      tooltip: [
        { field: opts.y, type: "ordinal" },
        { field: opts.x, type: "ordinal" },
        { field: opts.value, type: "quantitative", format: ".4g" },
      ],
    },
  };
}

/**
 * Heatmap of one or more matrices with a diverging colour scale symmetric about 0 (`redblue`,
 * positive = red). With `facet`, one panel per facet value, sharing one colour scale unless
 * `independent` (then each panel has its own symmetric scale and legend).
 *
 * @example
 * ```ts
 * const rows = [...matrixRows("learned", learned, 4, 4), ...matrixRows("constructed", exact, 4, 4)];
 * const spec = heatmap({ rows, x: "col", y: "row", value: "value", facet: "matrix", title: "V21" });
 * ```
 */
export function heatmap(opts: HeatmapOptions): Spec {
  const fn = "heatmap";
  if (opts === null || typeof opts !== "object") throw new TypeError(`${fn}: options missing`);
  const { rows } = opts;
  assertRows(fn, rows);
  assertField(fn, "x", opts.x);
  assertField(fn, "y", opts.y);
  assertField(fn, "value", opts.value);
  assertText(fn, "title", opts.title);
  assertCategoryField(fn, rows, opts.x);
  assertCategoryField(fn, rows, opts.y);
  assertNumericField(fn, rows, opts.value, false);
  assertSize(fn, "cellSize", opts.cellSize);
  if (
    opts.raster !== undefined && opts.raster !== true && opts.raster !== false &&
    opts.raster !== "auto"
  ) {
    throw new RangeError(
      `${fn}: raster must be true, false or "auto", got ${showValue(opts.raster)}`,
    );
  }
  if (opts.columns !== undefined && (!Number.isInteger(opts.columns) || opts.columns < 1)) {
    throw new RangeError(
      `${fn}: columns must be a positive integer, got ${showValue(opts.columns)}`,
    );
  }
  if (opts.facet === undefined) {
    return {
      ...base(opts.title, opts.subtitle),
      ...heatPanel(rows, opts, maxAbs(rows, opts.value), undefined),
    };
  }
  assertField(fn, "facet", opts.facet);
  assertCategoryField(fn, rows, opts.facet);
  const groups = new Map<Datum, ChartRow[]>();
  for (const r of rows) {
    const k = r[opts.facet];
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const shared = maxAbs(rows, opts.value);
  const panels = [...groups.entries()].map(([k, g]) =>
    heatPanel(g, opts, opts.independent ? maxAbs(g, opts.value) : shared, String(k))
  );
  return {
    ...base(opts.title, opts.subtitle),
    columns: opts.columns ?? Math.min(3, panels.length),
    concat: panels,
    resolve: { scale: { color: opts.independent ? "independent" : "shared" } },
  };
}

// ---------------------------------------------------------------------------------------------
// grouped bars

/** Options of {@linkcode groupedBars}. */
export interface GroupedBarsOptions {
  /** Tidy rows, one per (x, group) bar. */
  rows: readonly ChartRow[];
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
  /** Chart title. */
  title: string;
  /** Optional subtitle line. */
  subtitle?: string;
  /** x axis title. */
  xTitle?: string;
  /** y axis title, with units. */
  yTitle?: string;
  /** Legend title (default: the group field). */
  groupTitle?: string;
  /** Plot width in px (default 480). */
  width?: number;
  /** Plot height in px (default 300). */
  height?: number;
}

function firstSeen(rows: readonly ChartRow[], field: string): (string | number)[] {
  return [...new Set(rows.map((r) => r[field] as string | number))];
}

/**
 * Grouped bar chart (bars of each `group` side by side per `x` category), optional error bars.
 *
 * @example
 * ```ts
 * const spec = groupedBars({
 *   rows: [{ env: "linear", algo: "TF", regret: 40 }, { env: "linear", algo: "LinUCB", regret: 33 }],
 *   x: "env", y: "regret", group: "algo", title: "Regret at T = 200", yTitle: "cumulative regret",
 * });
 * ```
 */
export function groupedBars(opts: GroupedBarsOptions): Spec {
  const fn = "groupedBars";
  if (opts === null || typeof opts !== "object") throw new TypeError(`${fn}: options missing`);
  const { rows, x, y, group, lower, upper, logY = false } = opts;
  assertRows(fn, rows);
  assertField(fn, "x", x);
  assertField(fn, "y", y);
  assertField(fn, "group", group);
  assertText(fn, "title", opts.title);
  assertSize(fn, "width", opts.width);
  assertSize(fn, "height", opts.height);
  assertOrder(fn, "xOrder", opts.xOrder);
  assertOrder(fn, "groupOrder", opts.groupOrder);
  assertCategoryField(fn, rows, x);
  assertCategoryField(fn, rows, group);
  assertNumericField(fn, rows, y, logY);
  if ((lower === undefined) !== (upper === undefined)) {
    throw new TypeError(`${fn}: lower and upper go together, got lower=${lower}, upper=${upper}`);
  }
  if (lower !== undefined && upper !== undefined) {
    assertNumericField(fn, rows, lower, logY);
    assertNumericField(fn, rows, upper, logY);
  }
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
    ...base(opts.title, opts.subtitle),
    width: opts.width ?? THEME.width,
    height: opts.height ?? THEME.height,
    data: { values: copyRows(rows) },
    layer: layers,
  };
}

// ---------------------------------------------------------------------------------------------
// composition

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
 * const both = concatCharts([lossChart, distanceChart], { title: "Training" });
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
