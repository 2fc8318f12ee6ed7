/**
 * Reporting library: charts (Vega-Lite specs with one theme), rendering to SVG/PNG, display
 * objects for Deno's Jupyter kernel, tidy tables (polars), run manifests, progress, and the
 * run-scale / output-location settings. Nothing here calls `Deno.jupyter`.
 *
 * @example
 * ```ts
 * import { dataDir, figuresDir, lineChart, saveFigure, writeTable } from "../lib/report/mod.ts";
 * writeTable(rows, `${dataDir()}/02_loss`);
 * await saveFigure(lineChart({ rows, x: "step", y: "loss", logY: true, title: "Loss",
 *   xTitle: "step", yTitle: "loss ½‖·‖²" }), `${figuresDir()}/02_loss`);
 * ```
 *
 * @module
 */

export {
  type ChartRow,
  concatCharts,
  type ConcatOptions,
  type Datum,
  encodePng,
  groupedBars,
  type GroupedBarsOptions,
  heatmap,
  type HeatmapOptions,
  lineChart,
  type LineChartOptions,
  type MatrixRow,
  matrixRows,
  RASTER_CELLS,
  type Rule,
  scatterChart,
  type ScatterChartOptions,
  type Spec,
  THEME,
  themeConfig,
  VEGA_LITE_SCHEMA,
} from "./chart.ts";
export {
  displayTable,
  Figure,
  figure,
  type FigureOptions,
  formatNumber,
  JUPYTER_DISPLAY,
  markdown,
  MarkdownView,
  type MediaBundle,
  normalizeSvgIds,
  type PngOptions,
  type RecordsSource,
  renderPng,
  renderSvg,
  renderSvgWithWarnings,
  saveFigure,
  type TableDisplayOptions,
  TableView,
  VEGA_LITE_MIME,
} from "./render.ts";
export {
  AUTO_PARQUET_ROWS,
  type Cell,
  type DataFrame,
  readTable,
  type Row,
  type TableFormat,
  toDataFrame,
  toRows,
  writeTable,
  type WriteTableOptions,
} from "./table.ts";
export {
  comparableManifest,
  gitInfo,
  libraryVersions,
  machineInfo,
  type Manifest,
  MANIFEST_VERSION,
  type ManifestInput,
  readManifest,
  writeManifest,
} from "./manifest.ts";
export {
  fmtCI,
  fmtFixed,
  fmtMeanSE,
  fmtPct,
  fmtSig,
  type Interval,
  totalsToTicks,
} from "./format.ts";
export {
  type DisplayFunction,
  formatDuration,
  liveSink,
  type Progress,
  progress,
  type ProgressMode,
  type ProgressOptions,
  type Timer,
  timer,
} from "./progress.ts";
export {
  byScale,
  dataDir,
  figuresDir,
  findModelFile,
  type ModelDir,
  modelsDir,
  modelSearchPath,
  outDir,
  repoRoot,
  type RunScale,
  runScale,
  tempSibling,
  writeFileAtomic,
  writeFileAtomicSync,
} from "./env.ts";
