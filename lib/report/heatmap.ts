/**
 * Heatmaps of one or more matrices (learned vs constructed blocks) on a diverging colour scale
 * symmetric about 0, one panel per facet. Small panels draw one SVG rect per cell (with
 * tooltips); large index matrices draw one embedded PNG (`heatmap_raster.ts`).
 *
 * @module
 */

import { showValue } from "../core/validate.ts";
import {
  checkCategoryField,
  checkField,
  checkFrame,
  checkNumericField,
  checkSize,
  checkText,
  type FrameOptions,
  frameSpec,
} from "./frame.ts";
import { colorEncoding, isIndexAxis, type PanelFields, rasterPanel } from "./heatmap_raster.ts";
import { type Cell, copyRows, type Row } from "./rows.ts";
import type { Spec } from "./theme.ts";

/** One cell of a matrix as a tidy row (see {@linkcode matrixRows}). */
export interface MatrixRow {
  /** Any further field. */
  [field: string]: Cell;
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
 * import { heatmap, matrixRows } from "./heatmap.ts";
 * const learned = [1, 0, 0, 1], exact = [1, 0, 0, 0.9];
 * const rows = [...matrixRows("P learned", learned, 2, 2), ...matrixRows("P exact", exact, 2, 2)];
 * heatmap({ rows, x: "col", y: "row", value: "value", facet: "matrix", title: "P" });
 * ```
 */
export function matrixRows(
  name: string,
  data: ArrayLike<number>,
  rows: number,
  cols: number,
): MatrixRow[] {
  const fn = "matrixRows";
  checkText(fn, "name", name);
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

/** Options of {@linkcode heatmap}: the frame (sized by `cellSize`) plus the encodings. */
export interface HeatmapOptions extends Omit<FrameOptions, "width" | "height">, PanelFields {
  /** Field of the column index (x axis, ordinal). */
  x: string;
  /** Field of the row index (y axis, ordinal; first row on top). */
  y: string;
  /** Field of the cell value (numeric; colour). */
  value: string;
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
}

/** Cells per panel above which `raster: "auto"` draws one embedded PNG instead of SVG rects. */
export const RASTER_CELLS = 1600;

function maxAbs(rows: readonly Row[], field: string): number {
  let m = 0;
  for (const r of rows) m = Math.max(m, Math.abs(r[field] as number));
  return m > 0 ? m : 1;
}

function ordinalAxis(n: number, title: string, values: Cell[]): Spec {
  // at most ~12 labels per axis, every k-th category
  const k = Math.max(1, Math.ceil(n / 12));
  return {
    title,
    labelAngle: 0,
    ...(k > 1 ? { values: values.filter((_, i) => i % k === 0) } : {}),
  };
}

function sortedDistinct(rows: readonly Row[], field: string): Cell[] {
  const seen = [...new Set(rows.map((r) => r[field]))];
  const allNum = seen.every((v) => typeof v === "number");
  return allNum ? (seen as number[]).sort((a, b) => a - b) : seen;
}

function heatPanel(
  rows: readonly Row[],
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

function checkHeatmapOptions(fn: string, opts: HeatmapOptions): void {
  checkFrame(fn, opts);
  const { rows } = opts;
  checkField(fn, "x", opts.x);
  checkField(fn, "y", opts.y);
  checkField(fn, "value", opts.value);
  checkCategoryField(fn, rows, opts.x);
  checkCategoryField(fn, rows, opts.y);
  checkNumericField(fn, rows, opts.value, false);
  checkSize(fn, "cellSize", opts.cellSize);
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
  if (opts.facet !== undefined) {
    checkField(fn, "facet", opts.facet);
    checkCategoryField(fn, rows, opts.facet);
  }
}

/**
 * Heatmap of one or more matrices with a diverging colour scale symmetric about 0 (`redblue`,
 * positive = red). With `facet`, one panel per facet value, sharing one colour scale unless
 * `independent` (then each panel has its own symmetric scale and legend).
 *
 * @example
 * ```ts
 * import { heatmap, matrixRows } from "./heatmap.ts";
 * const rows = [...matrixRows("learned", [1, 2, 3, 4], 2, 2), ...matrixRows("exact", [1, 2, 3, 5], 2, 2)];
 * const spec = heatmap({ rows, x: "col", y: "row", value: "value", facet: "matrix", title: "V21" });
 * ```
 */
export function heatmap(opts: HeatmapOptions): Spec {
  const fn = "heatmap";
  checkHeatmapOptions(fn, opts);
  const { rows } = opts;
  if (opts.facet === undefined) {
    return {
      ...frameSpec(opts),
      ...heatPanel(rows, opts, maxAbs(rows, opts.value), undefined),
    };
  }
  const groups = new Map<Cell, Row[]>();
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
    ...frameSpec(opts),
    columns: opts.columns ?? Math.min(3, panels.length),
    concat: panels,
    resolve: { scale: { color: opts.independent ? "independent" : "shared" } },
  };
}
