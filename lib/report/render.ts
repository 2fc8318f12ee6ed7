/**
 * Rendering: Vega-Lite spec → SVG (headless, `renderer: "none"`, no canvas, deterministic ids) →
 * PNG (resvg). One renderer serves {@linkcode renderSvg} (prints warnings) and
 * {@linkcode renderSvgWithWarnings} (returns them). Files and display objects are in `figure.ts`.
 *
 * @module
 */

import * as vega from "vega";
import { compile } from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import type { Spec } from "./theme.ts";

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
 * import { normalizeSvgIds } from "./render.ts";
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

/**
 * `spec` must be a spec object (not null, not an array).
 *
 * @example
 * ```ts
 * import { assertSpec } from "./render.ts";
 * assertSpec("myFn", { mark: "point" });
 * ```
 */
export function assertSpec(fn: string, spec: unknown): asserts spec is Spec {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(`${fn}: spec must be a Vega-Lite spec object, got ${JSON.stringify(spec)}`);
  }
}

/**
 * Compile and render a spec headless; the one renderer behind {@linkcode renderSvg} and
 * {@linkcode renderSvgWithWarnings}. Compiler and runtime warnings are collected, not printed.
 */
async function render(fn: string, spec: unknown): Promise<{ svg: string; warnings: string[] }> {
  assertSpec(fn, spec);
  const warnings: string[] = [];
  let vgSpec: vega.Spec;
  try {
    vgSpec = compile(spec as unknown as TopLevelSpec, { logger: collectingLogger(warnings) })
      .spec as vega.Spec;
  } catch (e) {
    throw new Error(`${fn}: vega-lite could not compile the spec: ${(e as Error).message}`);
  }
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

/**
 * Render a Vega-Lite spec to an SVG string, headless (`renderer: "none"`). Deterministic: the same
 * spec gives a byte-identical SVG. Compiler warnings are printed with `console.warn`; a spec that
 * does not compile throws an error quoting the compiler.
 *
 * @example
 * ```ts
 * import { renderSvg } from "./render.ts";
 * import { lineChart } from "./line.ts";
 * const svg = await renderSvg(lineChart({ rows: [{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }],
 *   x: "step", y: "loss", title: "Loss", xTitle: "step", yTitle: "loss" }));
 * ```
 */
export async function renderSvg(spec: Spec): Promise<string> {
  const { svg, warnings } = await render("renderSvg", spec);
  for (const w of warnings) console.warn(`renderSvg ${w}`);
  return svg;
}

/**
 * Like {@linkcode renderSvg} but returns the compiler/runtime warnings instead of printing them
 * (used by tests to pin that the chart builders produce clean specs).
 *
 * @example
 * ```ts
 * import { renderSvgWithWarnings } from "./render.ts";
 * const { svg, warnings } = await renderSvgWithWarnings({ mark: "point" });
 * ```
 */
export function renderSvgWithWarnings(spec: Spec): Promise<{ svg: string; warnings: string[] }> {
  return render("renderSvgWithWarnings", spec);
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
 * import { renderPng, renderSvg } from "./render.ts";
 * const png = renderPng(await renderSvg({ mark: "point", data: { values: [{ a: 1 }] } }));
 * png.length > 0; // true
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
