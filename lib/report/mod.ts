/**
 * Reporting library, in data-flow order: tidy rows (`rows.ts`) → chart specs with one theme
 * (`theme.ts`, `frame.ts`, one module per chart kind: `line.ts`, `scatter.ts`, `bars.ts`,
 * `heatmap.ts` + `heatmap_raster.ts` + `png.ts`, `concat.ts`; gathered in `chart.ts`) → rendering
 * to SVG/PNG (`render.ts`) → figure files and display objects for Deno's Jupyter kernel
 * (`figure.ts`, `display.ts`, with the compact notebook embedding of `compact.ts`); alongside:
 * tidy tables (`table.ts`, polars), run manifests, progress, number formatting, and the run-scale
 * / output-location settings (`env.ts`). Nothing here calls `Deno.jupyter`.
 *
 * @example
 * ```ts
 * import { lineChart, saveFigure, writeTable } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const rows = [{ step: 0, loss: 1 }, { step: 10, loss: 0.25 }];
 * writeTable(rows, `${dir}/02_loss`);
 * await saveFigure(lineChart({ rows, x: "step", y: "loss", logY: true, title: "Loss",
 *   xTitle: "step", yTitle: "loss ½‖·‖²" }), `${dir}/02_loss`);
 * ```
 *
 * @module
 */

export * from "./chart.ts";
export { copyRows, firstSeen } from "./rows.ts";
export {
  normalizeSvgIds,
  type PngOptions,
  renderPng,
  renderSvg,
  renderSvgWithWarnings,
} from "./render.ts";
export { type CompactOptions, compactSpec, roundSig } from "./compact.ts";
export {
  displayTable,
  formatNumber,
  JUPYTER_DISPLAY,
  markdown,
  MarkdownView,
  type MediaBundle,
  type RecordsSource,
  type TableDisplayOptions,
  TableView,
} from "./display.ts";
export { Figure, figure, type FigureOptions, saveFigure, VEGA_LITE_MIME } from "./figure.ts";
export {
  AUTO_PARQUET_ROWS,
  type DataFrame,
  readTable,
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
