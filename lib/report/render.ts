/**
 * Rendering and display: Vega-Lite spec → SVG (headless, `renderer: "none"`, no canvas) → PNG
 * (resvg), atomic figure files, and objects that Deno's Jupyter kernel displays through
 * `[Symbol.for("Jupyter.display")]()`. This module never calls `Deno.jupyter` (it throws outside
 * the kernel): it returns displayable objects and lets the notebook show them.
 *
 * A {@linkcode Figure} displays as `image/svg+xml` (shown by GitHub, VS Code, JupyterLab) plus the
 * Vega-Lite JSON under `application/vnd.vegalite.v5+json` (interactive in JupyterLab / VS Code;
 * Deno's kernel types list v5 as the newest Vega-Lite MIME type and front-ends that know no
 * Vega-Lite renderer fall back to the SVG).
 *
 * @module
 */

import * as vega from "vega";
import { compile } from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import type { ChartRow, Datum, Spec } from "./chart.ts";
import { outDir, writeFileAtomic } from "./env.ts";
import { isAbsolute, relative } from "node:path";

/**
 * `Symbol.for("Jupyter.display")`: the method key Deno's Jupyter kernel calls to get a MIME
 * bundle for a cell's value (same as `Deno.jupyter.$display`).
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A Jupyter MIME bundle: MIME type → data. */
export type MediaBundle = { [mime: string]: string | object };

/** MIME type under which a {@linkcode Figure} puts its Vega-Lite spec. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** `$schema` put on the interactive copy of a spec (see {@linkcode VEGA_LITE_MIME}). */
const VEGA_LITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

// ---------------------------------------------------------------------------------------------
// SVG

function collectingLogger(sink: string[]) {
  let level = 2;
  const push = (kind: string, args: unknown[]) =>
    sink.push(`${kind}: ${args.map(String).join(" ")}`);
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      push("error", args);
      return logger;
    },
    warn(...args: unknown[]) {
      push("warn", args);
      return logger;
    },
    info(..._args: unknown[]) {
      return logger;
    },
    debug(..._args: unknown[]) {
      return logger;
    },
  };
  return logger;
}

/** FNV-1a 32-bit hash as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Make the `id`s inside an SVG deterministic and unique per figure. Vega numbers clip paths and
 * gradients with a process-wide counter, so the same chart would otherwise render differently
 * depending on what was drawn before, and two inline SVGs on one page could clash. Ids become
 * `v<hash>-<k>` with `hash` a content hash.
 *
 * @example
 * ```ts
 * normalizeSvgIds('<svg><clipPath id="clip7"/><g clip-path="url(#clip7)"/></svg>');
 * // '<svg><clipPath id="v1a2b3c4d-0"/><g clip-path="url(#v1a2b3c4d-0)"/></svg>'
 * ```
 */
export function normalizeSvgIds(svg: string): string {
  if (typeof svg !== "string") {
    throw new TypeError(`normalizeSvgIds: svg must be a string, got ${typeof svg}`);
  }
  const ids = new Map<string, number>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1])) ids.set(m[1], ids.size);
  }
  if (ids.size === 0) return svg;
  const swap = (s: string, f: (k: number) => string) =>
    s.replace(/(\sid=")([^"]+)(")/g, (all, a, id, b) => ids.has(id) ? a + f(ids.get(id)!) + b : all)
      .replace(/url\(#([^)]+)\)/g, (all, id) => ids.has(id) ? `url(#${f(ids.get(id)!)})` : all)
      .replace(
        /(href=")#([^"]+)(")/g,
        (all, a, id, b) => ids.has(id) ? `${a}#${f(ids.get(id)!)}${b}` : all,
      );
  const canonical = swap(svg, (k) => `__id${k}`);
  const hash = fnv1a(canonical);
  return swap(svg, (k) => `v${hash}-${k}`);
}

/**
 * Final SVG clean-up: deterministic ids, and the `image-rendering` presentation attribute on
 * pixelated images (vega only sets the CSS style, which resvg ignores).
 */
function postprocessSvg(svg: string): string {
  const pixelated = svg.replace(
    /<image ([^>]*?)style="image-rendering: optimizeSpeed; image-rendering: pixelated;"/g,
    '<image $1image-rendering="optimizeSpeed" style="image-rendering: optimizeSpeed; image-rendering: pixelated;"',
  );
  return normalizeSvgIds(pixelated);
}

function assertSpec(fn: string, spec: unknown): asserts spec is Spec {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(`${fn}: spec must be a Vega-Lite spec object, got ${JSON.stringify(spec)}`);
  }
}

/**
 * Render a Vega-Lite spec to an SVG string, headless (`renderer: "none"`). Deterministic: the same
 * spec gives a byte-identical SVG. Compiler warnings are printed with `console.warn`; a spec that
 * does not compile throws an error quoting the compiler.
 *
 * @example
 * ```ts
 * const svg = await renderSvg(lineChart({ rows, x: "step", y: "loss", title: "Loss",
 *   xTitle: "step", yTitle: "loss" }));
 * ```
 */
export async function renderSvg(spec: Spec): Promise<string> {
  assertSpec("renderSvg", spec);
  const warnings: string[] = [];
  let vgSpec: vega.Spec;
  try {
    vgSpec = compile(spec as unknown as TopLevelSpec, { logger: collectingLogger(warnings) })
      .spec as vega.Spec;
  } catch (e) {
    throw new Error(`renderSvg: vega-lite could not compile the spec: ${(e as Error).message}`);
  }
  const view = new vega.View(vega.parse(vgSpec), {
    renderer: "none",
    logger: collectingLogger(warnings),
  });
  try {
    const svg = await view.toSVG();
    for (const w of warnings) console.warn(`renderSvg ${w}`);
    return postprocessSvg(svg);
  } finally {
    view.finalize();
  }
}

/**
 * Like {@linkcode renderSvg} but returns the compiler/runtime warnings instead of printing them
 * (used by tests to pin that the chart builders produce clean specs).
 *
 * @example
 * ```ts
 * const { svg, warnings } = await renderSvgWithWarnings(spec);
 * ```
 */
export async function renderSvgWithWarnings(
  spec: Spec,
): Promise<{ svg: string; warnings: string[] }> {
  assertSpec("renderSvgWithWarnings", spec);
  const warnings: string[] = [];
  const vgSpec = compile(spec as unknown as TopLevelSpec, { logger: collectingLogger(warnings) })
    .spec as vega.Spec;
  const view = new vega.View(vega.parse(vgSpec), {
    renderer: "none",
    logger: collectingLogger(warnings),
  });
  try {
    return { svg: postprocessSvg(await view.toSVG()), warnings };
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------------------------------------
// PNG

const FONT_CANDIDATES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
  "/Library/Fonts/Arial.ttf",
];

let defaultFonts: string[] | undefined;

function findFonts(): string[] {
  if (defaultFonts === undefined) {
    defaultFonts = FONT_CANDIDATES.filter((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
  }
  return defaultFonts;
}

/** Options of {@linkcode renderPng}. */
export interface PngOptions {
  /** Zoom factor (default 2: crisp on high-DPI screens). */
  scale?: number;
  /** Font files to use; default: DejaVu Sans if found, else the system fonts. */
  fontFiles?: string[];
}

/**
 * Rasterise an SVG string to PNG bytes with resvg. Text uses DejaVu Sans when it is installed
 * (`fonts-dejavu-core`), otherwise resvg's system-font lookup.
 *
 * @example
 * ```ts
 * const png = renderPng(await renderSvg(spec));
 * await Deno.writeFile("fig.png", png);
 * ```
 */
export function renderPng(svg: string, opts: PngOptions = {}): Uint8Array {
  if (typeof svg !== "string" || !svg.includes("<svg")) {
    throw new TypeError(
      `renderPng: svg must be an SVG document string, got ${
        JSON.stringify(String(svg).slice(0, 40))
      }`,
    );
  }
  const scale = opts.scale ?? 2;
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0 || scale > 16) {
    throw new RangeError(
      `renderPng: scale must be a number in (0, 16], got ${JSON.stringify(scale)}`,
    );
  }
  // resvg reads CSS `image-rendering: pixelated` as unknown and would smooth raster heatmaps;
  // keep only the `optimizeSpeed` form it understands.
  svg = svg.replaceAll(
    "image-rendering: optimizeSpeed; image-rendering: pixelated;",
    "image-rendering: optimizeSpeed;",
  );
  const fontFiles = opts.fontFiles ?? findFonts();
  const useSystem = fontFiles.length === 0;
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: {
      loadSystemFonts: useSystem,
      fontFiles,
      defaultFontFamily: useSystem ? "" : "DejaVu Sans",
      sansSerifFamily: useSystem ? undefined : "DejaVu Sans",
    },
    logLevel: "off",
  });
  return new Uint8Array(resvg.render().asPng());
}

// ---------------------------------------------------------------------------------------------
// Figure

/** Options of {@linkcode Figure} display and {@linkcode saveFigure}. */
export interface FigureOptions {
  /** Also write a PNG next to the SVG (default false). */
  png?: boolean;
  /** Embed the Vega-Lite JSON in the display bundle (default true; false keeps notebooks small). */
  interactive?: boolean;
}

/**
 * A rendered chart. As the last value of a notebook cell it displays as the SVG (plus the
 * interactive Vega-Lite spec); `svgPath` / `pngPath` say where {@linkcode saveFigure} wrote it.
 *
 * @example
 * ```ts
 * const fig = await figure(spec);
 * fig; // last expression of a cell: shown inline
 * ```
 */
export class Figure {
  /** The Vega-Lite spec. */
  readonly spec: Spec;
  /** The rendered SVG document. */
  readonly svg: string;
  /** Path of the written SVG file, if saved. */
  readonly svgPath?: string;
  /** Path of the written PNG file, if saved with `png: true`. */
  readonly pngPath?: string;
  /** Whether the display bundle carries the Vega-Lite JSON. */
  readonly interactive: boolean;

  /** Wrap a spec and its rendered SVG (see {@linkcode figure} / {@linkcode saveFigure}). */
  constructor(
    spec: Spec,
    svg: string,
    opts: { svgPath?: string; pngPath?: string; interactive?: boolean } = {},
  ) {
    assertSpec("Figure", spec);
    if (typeof svg !== "string" || !svg.includes("<svg")) {
      throw new TypeError("Figure: svg must be an SVG string");
    }
    this.spec = spec;
    this.svg = svg;
    this.svgPath = opts.svgPath;
    this.pngPath = opts.pngPath;
    this.interactive = opts.interactive ?? true;
  }

  /** MIME bundle for Jupyter. */
  [JUPYTER_DISPLAY](): MediaBundle {
    const bundle: MediaBundle = { "image/svg+xml": this.svg, "text/plain": this.toString() };
    if (this.interactive) bundle[VEGA_LITE_MIME] = { ...this.spec, $schema: VEGA_LITE_V5_SCHEMA };
    return bundle;
  }

  /** Short text form: title and file (relative to the output root when inside it). */
  toString(): string {
    const t = this.spec.title;
    const title = typeof t === "string"
      ? t
      : (t && typeof t === "object" && "text" in t)
      ? String(t.text)
      : "chart";
    let where = "";
    if (this.svgPath) {
      let rel = this.svgPath;
      try {
        const r = relative(outDir(), this.svgPath);
        if (!r.startsWith("..") && !isAbsolute(r)) rel = r;
      } catch { /* no output root: keep the path as given */ }
      where = `, ${rel}`;
    }
    return `Figure(${JSON.stringify(title)}${where})`;
  }
}

/**
 * Render a spec into a {@linkcode Figure} without writing files.
 *
 * @example
 * ```ts
 * await figure(heatmap({ rows, x: "col", y: "row", value: "value", title: "P" }));
 * ```
 */
export async function figure(
  spec: Spec,
  opts: Pick<FigureOptions, "interactive"> = {},
): Promise<Figure> {
  return new Figure(spec, await renderSvg(spec), { interactive: opts.interactive });
}

/**
 * Render a spec and write `<pathWithoutExt>.svg` (and `.png` with `png: true`) atomically
 * (temporary file in the same directory, then rename). Returns the displayable {@linkcode Figure}.
 *
 * @example
 * ```ts
 * const fig = await saveFigure(spec, `${figuresDir()}/03_transfer`, { png: true });
 * fig; // display inline
 * ```
 */
export async function saveFigure(
  spec: Spec,
  pathWithoutExt: string,
  opts: FigureOptions = {},
): Promise<Figure> {
  assertSpec("saveFigure", spec);
  if (typeof pathWithoutExt !== "string" || pathWithoutExt === "" || pathWithoutExt.endsWith("/")) {
    throw new TypeError(
      `saveFigure: pathWithoutExt must be a file path, got ${JSON.stringify(pathWithoutExt)}`,
    );
  }
  if (/\.(svg|png)$/i.test(pathWithoutExt)) {
    throw new RangeError(
      `saveFigure: give the path without extension, got ${JSON.stringify(pathWithoutExt)}`,
    );
  }
  const svg = await renderSvg(spec);
  const svgPath = `${pathWithoutExt}.svg`;
  await writeFileAtomic(svgPath, svg);
  let pngPath: string | undefined;
  if (opts.png) {
    pngPath = `${pathWithoutExt}.png`;
    await writeFileAtomic(pngPath, renderPng(svg));
  }
  return new Figure(spec, svg, { svgPath, pngPath, interactive: opts.interactive });
}

// ---------------------------------------------------------------------------------------------
// tables

/** Anything with polars' `DataFrame` row export (kept structural to avoid importing polars). */
export interface RecordsSource {
  /** Number of rows. */
  height: number;
  /** Column names. */
  columns: string[];
  /** The first `n` rows. */
  head(n: number): { toRecords(): Record<string, unknown>[] };
}

function isRecordsSource(x: unknown): x is RecordsSource {
  return x !== null && typeof x === "object" && typeof (x as RecordsSource).head === "function" &&
    typeof (x as RecordsSource).height === "number" && Array.isArray((x as RecordsSource).columns);
}

/**
 * Format a number for display: integers as is, others with `digits` significant digits
 * (exponent form outside [1e-3, 1e6)).
 *
 * @example
 * ```ts
 * formatNumber(Math.PI); // "3.142"
 * formatNumber(1.5e-7);  // "1.500e-7"
 * ```
 */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(`formatNumber: digits must be an integer in [1, 17], got ${digits}`);
  }
  if (typeof v !== "number") {
    throw new TypeError(`formatNumber: expected a number, got ${typeof v}`);
  }
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
  return v.toPrecision(digits);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function cellText(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v, digits);
  if (typeof v === "bigint") return v.toString();
  return String(v);
}

/** Options of {@linkcode displayTable}. */
export interface TableDisplayOptions {
  /** Rows shown (default 20); the total is reported below. */
  maxRows?: number;
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Caption above the table. */
  caption?: string;
}

/**
 * A table ready for display: `text/html` (a plain HTML table) and `text/plain`.
 *
 * @example
 * ```ts
 * const t = displayTable([{ method: "SARSA", J: 0.41 }]);
 * t; // shown as a table in a notebook
 * ```
 */
export class TableView {
  /** Column names. */
  readonly columns: string[];
  /** Formatted cells of the shown rows. */
  readonly cells: string[][];
  /** Total number of rows in the source. */
  readonly totalRows: number;
  /** Optional caption. */
  readonly caption?: string;

  /** Formatted cells; see {@linkcode displayTable}. */
  constructor(columns: string[], cells: string[][], totalRows: number, caption?: string) {
    this.columns = columns;
    this.cells = cells;
    this.totalRows = totalRows;
    this.caption = caption;
  }

  /** HTML table. */
  toHtml(): string {
    const head = this.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const body = this.cells.map((r) =>
      `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`
    ).join("\n");
    const more = this.totalRows > this.cells.length
      ? `\n<p>… ${this.totalRows - this.cells.length} more rows (${this.totalRows} total)</p>`
      : "";
    const cap = this.caption ? `<caption>${escapeHtml(this.caption)}</caption>` : "";
    return `<table>${cap}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
  }

  /** Fixed-width text table. */
  toString(): string {
    const widths = this.columns.map((c, j) =>
      Math.max(c.length, ...this.cells.map((r) => r[j].length))
    );
    const line = (r: string[]) => r.map((c, j) => c.padStart(widths[j])).join("  ").trimEnd();
    const rows = [line(this.columns), ...this.cells.map(line)];
    if (this.caption) rows.unshift(this.caption);
    if (this.totalRows > this.cells.length) {
      rows.push(`… ${this.totalRows - this.cells.length} more rows (${this.totalRows} total)`);
    }
    return rows.join("\n");
  }

  /** MIME bundle for Jupyter. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/**
 * Build a {@linkcode TableView} from tidy rows or a polars `DataFrame`.
 *
 * @example
 * ```ts
 * displayTable(df, { maxRows: 10, caption: "Final returns" });
 * ```
 */
export function displayTable(
  data: readonly ChartRow[] | readonly Record<string, unknown>[] | RecordsSource,
  opts: TableDisplayOptions = {},
): TableView {
  const maxRows = opts.maxRows ?? 20;
  const digits = opts.digits ?? 4;
  if (!Number.isInteger(maxRows) || maxRows < 0) {
    throw new RangeError(
      `displayTable: maxRows must be a non-negative integer, got ${JSON.stringify(maxRows)}`,
    );
  }
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(
      `displayTable: digits must be an integer in [1, 17], got ${JSON.stringify(digits)}`,
    );
  }
  let columns: string[];
  let shown: Record<string, unknown>[];
  let total: number;
  if (isRecordsSource(data)) {
    columns = [...data.columns];
    shown = data.head(maxRows).toRecords();
    total = data.height;
  } else if (Array.isArray(data)) {
    const cols = new Set<string>();
    data.forEach((r, i) => {
      if (r === null || typeof r !== "object") {
        throw new TypeError(`displayTable: rows[${i}] must be an object, got ${JSON.stringify(r)}`);
      }
      for (const k of Object.keys(r)) cols.add(k);
    });
    columns = [...cols];
    shown = data.slice(0, maxRows) as Record<string, unknown>[];
    total = data.length;
  } else {
    throw new TypeError(
      `displayTable: expected an array of rows or a DataFrame, got ${typeof data}`,
    );
  }
  const cells = shown.map((r) => columns.map((c) => cellText(r[c] as Datum, digits)));
  return new TableView(columns, cells, total, opts.caption);
}

/** A Markdown snippet that a notebook cell displays as rendered `text/markdown`. */
export class MarkdownView {
  /** The Markdown source. */
  readonly text: string;
  /** Wrap `text`. */
  constructor(text: string) {
    this.text = text;
  }
  /** MIME bundle for Deno's Jupyter kernel. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return { "text/markdown": this.text, "text/plain": this.text };
  }
}

/**
 * Markdown for a notebook cell to display (e.g. a conclusion that quotes measured numbers).
 *
 * @example
 * ```ts
 * markdown(`final loss **${loss.toExponential(2)}**`); // last value of a cell → rendered
 * ```
 */
export function markdown(text: string): MarkdownView {
  if (typeof text !== "string") {
    throw new TypeError(`markdown: text must be a string, got ${typeof text}`);
  }
  return new MarkdownView(text);
}
