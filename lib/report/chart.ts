/**
 * Vega-Lite chart builders with one theme (DESIGN: "tidy table → chart → file + inline display"):
 * one module per chart kind over the shared frame options of `frame.ts`. Every builder takes tidy
 * rows (`rows.ts`), validates them, and returns a JSON Vega-Lite spec; `render.ts` turns a spec
 * into SVG and `figure.ts` writes and displays it. This module gathers them under one import.
 *
 * @example
 * ```ts
 * import { lineChart } from "./chart.ts";
 * const spec = lineChart({ rows: [{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }], x: "step",
 *   y: "loss", title: "Loss", xTitle: "step", yTitle: "loss" });
 * ```
 *
 * @module
 */

export { type Spec, THEME, themeConfig, VEGA_LITE_SCHEMA } from "./theme.ts";
export { type Cell, type ChartRow, type Datum, type Row } from "./rows.ts";
export { type FrameOptions } from "./frame.ts";
export { lineChart, type LineChartOptions, type Rule } from "./line.ts";
export { scatterChart, type ScatterChartOptions } from "./scatter.ts";
export { groupedBars, type GroupedBarsOptions } from "./bars.ts";
export {
  heatmap,
  type HeatmapOptions,
  type MatrixRow,
  matrixRows,
  RASTER_CELLS,
} from "./heatmap.ts";
export { encodePng, pngDataUrl } from "./png.ts";
export { concatCharts, type ConcatOptions } from "./concat.ts";
