/**
 * The one theme of every chart: plot size, palette, font and the Vega-Lite `config` block.
 *
 * 480 × 300 plots, `tableau10` colours, DejaVu Sans (falls back to the system sans-serif), 11 px
 * labels and 12 px axis titles; heatmaps use the diverging `redblue` scheme (reversed, so
 * positive = red, negative = blue) centred on 0.
 *
 * @module
 */

/** A JSON Vega-Lite specification. Kept loose on purpose: builders own the structure. */
export type Spec = { [key: string]: unknown };

/** `$schema` of the Vega-Lite version the charts are compiled with (vega-lite 6). */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Default plot size, font and colour schemes of the theme. */
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
 * import { themeConfig } from "./theme.ts";
 * const spec = { mark: "point", config: themeConfig() };
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
