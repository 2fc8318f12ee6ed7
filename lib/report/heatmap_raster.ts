/**
 * Raster heatmap panels: a large index matrix drawn as one embedded PNG (one pixel per cell,
 * scaled without smoothing) instead of one SVG rect per cell, so figures stay small. An invisible
 * layer carries the colour scale, so the panel keeps its legend.
 *
 * @module
 */

import * as vega from "vega";
import { pngDataUrl } from "./png.ts";
import type { Cell, Row } from "./rows.ts";
import { type Spec, THEME } from "./theme.ts";

/** The fields and titles a heatmap panel draws (a subset of the heatmap options). */
export interface PanelFields {
  /** Field of the column index (x axis). */
  x: string;
  /** Field of the row index (y axis; first row on top). */
  y: string;
  /** Field of the cell value (colour). */
  value: string;
  /** x axis title (default: the field name). */
  xTitle?: string;
  /** y axis title (default: the field name). */
  yTitle?: string;
  /** Colour legend title (default: the field name). */
  valueTitle?: string;
}

/**
 * Colour encoding of a heatmap: reversed `redblue` (positive = red) on the symmetric domain
 * [−m, m], centred on 0.
 *
 * @example
 * ```ts
 * import { colorEncoding } from "./heatmap_raster.ts";
 * colorEncoding({ x: "col", y: "row", value: "value" }, 2).scale; // domain [-2, 2]
 * ```
 */
export function colorEncoding(opts: PanelFields, domainAbs: number): Spec {
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

/**
 * RGB colour of `value` on the symmetric domain [−m, m] as {@linkcode colorEncoding} draws it.
 *
 * @example
 * ```ts
 * import { divergingRgb } from "./heatmap_raster.ts";
 * divergingRgb(1, 1); // the reddest colour of the scheme
 * ```
 */
export function divergingRgb(value: number, m: number): [number, number, number] {
  const interp = vega.scheme(THEME.diverging) as (t: number) => string;
  const t = Math.min(1, Math.max(0, (value + m) / (2 * m)));
  const c = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(interp(1 - t));
  if (!c) {
    throw new Error(`heatmap: unexpected colour ${interp(1 - t)} from scheme ${THEME.diverging}`);
  }
  return [+c[1], +c[2], +c[3]];
}

/**
 * Are the values the consecutive integer indices 0…n−1 (then a panel can be one raster image)?
 *
 * @example
 * ```ts
 * import { isIndexAxis } from "./heatmap_raster.ts";
 * isIndexAxis([0, 1, 2]); // true
 * ```
 */
export function isIndexAxis(values: readonly Cell[]): boolean {
  return values.every((v, i) => v === i);
}

/**
 * RGBA pixels of an `nx` × `ny` index matrix (missing cells stay transparent).
 *
 * @example
 * ```ts
 * import { heatmapPixels } from "./heatmap_raster.ts";
 * const rgba = heatmapPixels([{ col: 0, row: 0, value: 1 }], { x: "col", y: "row", value: "value" },
 *   1, 1, 1);
 * ```
 */
export function heatmapPixels(
  rows: readonly Row[],
  opts: PanelFields,
  domainAbs: number,
  nx: number,
  ny: number,
): Uint8Array {
  const rgba = new Uint8Array(nx * ny * 4);
  for (const r of rows) {
    const j = r[opts.x] as number;
    const i = r[opts.y] as number;
    const [red, green, blue] = divergingRgb(r[opts.value] as number, domainAbs);
    rgba.set([red, green, blue, 255], 4 * (i * nx + j));
  }
  return rgba;
}

function indexAxis(n: number, title: string): Spec {
  const k = Math.max(1, Math.ceil(n / 12));
  const values: number[] = [];
  for (let v = 0; v < n; v += k) values.push(v);
  return { title, values, format: "d", grid: false };
}

/**
 * One heatmap panel drawn as an embedded PNG of `cell` px per matrix entry.
 *
 * @example
 * ```ts
 * import { rasterPanel } from "./heatmap_raster.ts";
 * const panel = rasterPanel([{ col: 0, row: 0, value: 1 }], { x: "col", y: "row", value: "value" },
 *   1, undefined, 1, 1, 10);
 * ```
 */
export function rasterPanel(
  rows: readonly Row[],
  opts: PanelFields,
  domainAbs: number,
  title: string | undefined,
  nx: number,
  ny: number,
  cell: number,
): Spec {
  const url = pngDataUrl(nx, ny, heatmapPixels(rows, opts, domainAbs, nx, ny));
  const xScale = { domain: [-0.5, nx - 0.5], nice: false, zero: false };
  const yScale = { domain: [-0.5, ny - 0.5], nice: false, zero: false, reverse: true };
  // Both layers put their marks on the same index scales, anchored at the first cell's edge.
  const at = (scale: Spec) => ({ datum: -0.5, type: "quantitative", scale });
  return {
    ...(title !== undefined ? { title } : {}),
    width: nx * cell,
    height: ny * cell,
    layer: [
      {
        data: { values: [{ url }] },
        mark: { type: "image", aspect: false, smooth: false, aria: false },
        encoding: {
          x: { ...at(xScale), axis: indexAxis(nx, opts.xTitle ?? opts.x) },
          x2: { datum: nx - 0.5 },
          y: { ...at(yScale), axis: indexAxis(ny, opts.yTitle ?? opts.y) },
          y2: { datum: ny - 0.5 },
          url: { field: "url" },
        },
      },
      {
        // invisible marks carrying the colour scale, so the panel gets its legend
        data: { values: [{ [opts.value]: -domainAbs }, { [opts.value]: domainAbs }] },
        mark: { type: "point", opacity: 0, aria: false },
        encoding: {
          x: at(xScale),
          y: at(yScale),
          color: colorEncoding(opts, domainAbs),
        },
      },
    ],
  };
}
