/**
 * Figures: a rendered chart written to disk ({@linkcode saveFigure}) and displayed inline.
 *
 * A {@linkcode Figure} displays as `image/svg+xml` (shown by GitHub, VS Code, JupyterLab) plus the
 * Vega-Lite JSON under `application/vnd.vegalite.v5+json` (interactive in JupyterLab / VS Code;
 * Deno's kernel types list v5 as the newest Vega-Lite MIME type and front-ends that know no
 * Vega-Lite renderer fall back to the SVG). The embedded Vega-Lite copy is compact
 * (`compact.ts`: inline data rounded to 6 significant digits, stored as CSV) to keep notebooks
 * small; the SVG, shown and written, is rendered from the full-precision spec.
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";
import { type CompactOptions, compactSpec } from "./compact.ts";
import { JUPYTER_DISPLAY, type MediaBundle } from "./display.ts";
import { outDir, writeFileAtomic } from "./env.ts";
import { assertSpec, renderPng, renderSvg } from "./render.ts";
import type { Spec } from "./theme.ts";

/** MIME type under which a {@linkcode Figure} puts its Vega-Lite spec. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** `$schema` put on the interactive copy of a spec (see {@linkcode VEGA_LITE_MIME}). */
const VEGA_LITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Options of {@linkcode Figure} display and {@linkcode saveFigure}. */
export interface FigureOptions {
  /** Also write a PNG next to the SVG (default false). */
  png?: boolean;
  /** Embed the Vega-Lite JSON in the display bundle (default true; false keeps notebooks small). */
  interactive?: boolean;
  /**
   * How the embedded Vega-Lite JSON is compacted (default `{ digits: 6, csv: true }`, see
   * `compact.ts`); `false` embeds the full-precision spec. The SVG never changes.
   */
  compact?: CompactOptions | false;
}

/**
 * A rendered chart. As the last value of a notebook cell it displays as the SVG (plus the
 * interactive Vega-Lite spec); `svgPath` / `pngPath` say where {@linkcode saveFigure} wrote it.
 *
 * @example
 * ```ts
 * import { figure } from "./figure.ts";
 * const fig = await figure({ mark: "point", data: { values: [{ a: 1 }] } });
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
  /** How the embedded Vega-Lite JSON is compacted (`false`: full precision). */
  readonly compact: CompactOptions | false;

  /** Wrap a spec and its rendered SVG (see {@linkcode figure} / {@linkcode saveFigure}). */
  constructor(
    spec: Spec,
    svg: string,
    opts: {
      svgPath?: string;
      pngPath?: string;
      interactive?: boolean;
      compact?: CompactOptions | false;
    } = {},
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
    this.compact = opts.compact ?? {};
  }

  /** The Vega-Lite JSON the display bundle embeds: the compact copy of `spec`, schema v5. */
  displaySpec(): Spec {
    const spec = this.compact === false ? this.spec : compactSpec(this.spec, this.compact);
    return { ...spec, $schema: VEGA_LITE_V5_SCHEMA };
  }

  /** MIME bundle for Jupyter. */
  [JUPYTER_DISPLAY](): MediaBundle {
    const bundle: MediaBundle = { "image/svg+xml": this.svg, "text/plain": this.toString() };
    if (this.interactive) bundle[VEGA_LITE_MIME] = this.displaySpec();
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
 * import { figure } from "./figure.ts";
 * import { heatmap, matrixRows } from "./heatmap.ts";
 * const rows = matrixRows("P", [1, -1, 0.5, 0], 2, 2);
 * await figure(heatmap({ rows, x: "col", y: "row", value: "value", title: "P" }));
 * ```
 */
export async function figure(
  spec: Spec,
  opts: Pick<FigureOptions, "interactive" | "compact"> = {},
): Promise<Figure> {
  return new Figure(spec, await renderSvg(spec), opts);
}

/**
 * Render a spec and write `<pathWithoutExt>.svg` (and `.png` with `png: true`) atomically
 * (temporary file in the same directory, then rename). Returns the displayable {@linkcode Figure}.
 *
 * @example
 * ```ts
 * import { saveFigure } from "./figure.ts";
 * const dir = await Deno.makeTempDir();
 * const spec = { mark: "point", data: { values: [{ a: 1 }] } };
 * const fig = await saveFigure(spec, `${dir}/03_transfer`, { png: true });
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
  return new Figure(spec, svg, {
    svgPath,
    pngPath,
    interactive: opts.interactive,
    compact: opts.compact,
  });
}
