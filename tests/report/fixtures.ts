// Shared inputs of the lib/report tests: tidy curve rows, a log-scale band chart, one spec per
// chart kind, and small file helpers.
import { concatCharts } from "../../lib/report/concat.ts";
import { groupedBars } from "../../lib/report/bars.ts";
import { heatmap, matrixRows, RASTER_CELLS } from "../../lib/report/heatmap.ts";
import { lineChart } from "../../lib/report/line.ts";
import { scatterChart } from "../../lib/report/scatter.ts";
import type { Spec } from "../../lib/report/theme.ts";

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Two methods' returns over 21 steps with ± 0.05 bands. */
export function curveRows() {
  const rows: { step: number; J: number; lo: number; hi: number; method: string }[] = [];
  for (const method of ["trained", "SARSA"]) {
    for (let step = 0; step <= 20; step++) {
      const J = 0.5 * (1 - Math.exp(-step / (method === "SARSA" ? 5 : 7)));
      rows.push({ step, J, lo: J - 0.05, hi: J + 0.05, method });
    }
  }
  return rows;
}

/** A log-y line chart with bands, colour groups and a labelled rule. */
export function lossChart(): Spec {
  return lineChart({
    rows: curveRows().map((r) => ({ ...r, J: r.J + 0.01, lo: r.J * 0.5 + 0.005, hi: r.J + 0.1 })),
    x: "step",
    y: "J",
    lower: "lo",
    upper: "hi",
    color: "method",
    logY: true,
    rules: [{ value: 0.6, label: "oracle" }],
    title: "Loss",
    xTitle: "step",
    yTitle: "loss",
  });
}

/** A matrix just above the raster threshold, so `heatmap` draws it as an embedded PNG. */
export function rasterHeatmap(): Spec {
  const n = Math.ceil(Math.sqrt(RASTER_CELLS)) + 1;
  const data = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
  return heatmap({
    rows: matrixRows("M", data, n, n),
    x: "col",
    y: "row",
    value: "value",
    title: "big",
  });
}

/** One spec per chart kind (and a wrapped concat of two). */
export function sampleSpecs(): Record<string, Spec> {
  const specs: Record<string, Spec> = {
    line: lossChart(),
    heat: heatmap({
      rows: [...matrixRows("A", [1, -1, 0.5, 0], 2, 2), ...matrixRows("B", [2, 0, 0, 1], 2, 2)],
      x: "col",
      y: "row",
      value: "value",
      facet: "matrix",
      title: "H",
    }),
    raster: rasterHeatmap(),
    bars: groupedBars({
      rows: [{ c: "a", g: "x", v: 1, lo: 0.5, hi: 1.5 }, {
        c: "a",
        g: "y",
        v: 2,
        lo: 1.5,
        hi: 2.5,
      }],
      x: "c",
      y: "v",
      group: "g",
      lower: "lo",
      upper: "hi",
      title: "B",
    }),
    scatter: scatterChart({
      rows: [{ a: 1, b: 1, k: "p" }, { a: 2, b: 3, k: "q" }],
      x: "a",
      y: "b",
      color: "k",
      diagonal: true,
      title: "S",
      xTitle: "a",
      yTitle: "b",
    }),
  };
  specs.concat = concatCharts([specs.line, specs.scatter], { direction: "wrap", columns: 1 });
  return specs;
}

/** Sorted names of the entries of `dir`. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}
