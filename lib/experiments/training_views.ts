/**
 * The figure pieces notebooks 02 and 04 share: thinning per-seed curves, keeping only the fields a
 * chart draws, and the three-panel training figure (loss band, distance-to-construction band, the
 * scale c per seed) both notebooks draw for their trained blocks.
 *
 * @module
 */

import { aggregateBands, type Row } from "../core/mod.ts";
import { concatCharts, heatmap, lineChart, type Spec } from "../report/mod.ts";

/**
 * Only the fields `pick` of every row, in that order (a chart embeds every field of its rows).
 *
 * @example
 * ```ts
 * import { pickFields } from "./training_views.ts";
 * pickFields([{ a: 1, b: 2, c: 3 }], ["c", "a"]); // [{ c: 3, a: 1 }]
 * ```
 */
export function pickFields<R extends Record<string, unknown>>(
  rows: readonly R[],
  pick: readonly string[],
): Row[] {
  return rows.map((r) => {
    const out: Row = {};
    for (const f of pick) out[f] = r[f] as Row[string];
    return out;
  });
}

/**
 * Thin every curve of `rows` (the rows sharing `group`, in order) to at most `maxPoints` rows
 * **log-spaced in index** — the rows `round(n^(k/(maxPoints−1))) − 1`, k = 0…maxPoints−1, so the
 * first and last are kept, every early row (where training moves fast) is kept and the late ones
 * (where it has settled) are sparse; `pick` lists the fields kept. Curves with ≤ `maxPoints` rows
 * are kept whole (fields picked).
 *
 * @example
 * ```ts
 * import { thinCurves } from "./training_views.ts";
 * const rows = Array.from({ length: 10 }, (_, i) => ({ g: "a", x: i, y: i * i, z: 0 }));
 * thinCurves(rows, "g", ["x", "y"], 4).map((r) => r.x); // [0, 1, 4, 9]
 * ```
 */
export function thinCurves<R extends Record<string, unknown>>(
  rows: readonly R[],
  group: string | undefined,
  pick: readonly string[],
  maxPoints: number,
): Row[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`thinCurves: maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  }
  const curves = new Map<unknown, R[]>();
  for (const r of rows) {
    const key = group === undefined ? "" : r[group];
    if (!curves.has(key)) curves.set(key, []);
    curves.get(key)!.push(r);
  }
  const keep = new Set<R>();
  for (const curve of curves.values()) {
    const n = curve.length;
    if (n <= maxPoints) curve.forEach((r) => keep.add(r));
    else {
      for (let k = 0; k < maxPoints; k++) {
        keep.add(curve[Math.round(n ** (k / (maxPoints - 1))) - 1]);
      }
    }
  }
  return pickFields(rows.filter((r) => keep.has(r)), pick);
}

/** The titles and data of {@linkcode trainingCurves}. */
export interface TrainingCurvesOptions {
  /** Logged metric rows of every seed: `prompts`, `loss`, `dist` (bands over seeds are drawn). */
  metrics: readonly Row[];
  /** Rows `{ prompts, cP, seed }` of the scale c, one curve per `seed` label. */
  cRows: readonly Row[];
  loss: { title: string; subtitle?: string; yTitle: string };
  dist: { title: string; yTitle: string };
  width: number;
  height: number;
}

/**
 * The three-panel training figure: mean loss and mean distance to the construction's manifold over
 * seeds with their bands (log y; every logged point kept — the loss oscillates between logged
 * points and thinning would alias it), and the scale c per seed with a rule at c = 0.
 *
 * @example
 * ```ts
 * import { trainingCurves } from "./training_views.ts";
 * const metrics = [0, 1].flatMap((seed) =>
 *   [10, 100].map((prompts) => ({ seed, prompts, loss: 1 / prompts, dist: 2 / prompts, cP: 0.5 }))
 * );
 * const spec = trainingCurves({
 *   metrics,
 *   cRows: metrics.map((r) => ({ prompts: r.prompts, cP: r.cP, seed: `seed ${r.seed}` })),
 *   loss: { title: "loss", yTitle: "loss" },
 *   dist: { title: "distance", yTitle: "distance" },
 *   width: 200,
 *   height: 100,
 * });
 * (spec.hconcat as unknown[]).length; // 3
 * ```
 */
export function trainingCurves(o: TrainingCurvesOptions): Spec {
  const band = (y: string) =>
    aggregateBands(o.metrics, { x: "prompts", y, log: true })
      .map((b) => ({ prompts: b.x, mean: b.mean, lo: b.lo, hi: b.hi }));
  const chart = { xTitle: "prompts seen (per seed)", width: o.width, height: o.height };
  const bandChart = (y: string, t: { title: string; subtitle?: string; yTitle: string }) =>
    lineChart({
      rows: band(y),
      x: "prompts",
      y: "mean",
      lower: "lo",
      upper: "hi",
      logY: true,
      ...t,
      ...chart,
    });
  return concatCharts([
    bandChart("loss", o.loss),
    bandChart("dist", o.dist),
    lineChart({
      rows: [...o.cRows],
      x: "prompts",
      y: "cP",
      color: "seed",
      title: "Scale c along training",
      yTitle: "c = ⟨P⋆12, P12⟩ / ‖P⋆12‖²",
      rules: [{ value: 0, label: "c = 0" }],
      ...chart,
    }),
  ], { direction: "horizontal" });
}

/**
 * The learned blocks beside the construction's: one heatmap per matrix (rows `{matrix, row, col,
 * value}`), four per line, each on its own colour scale.
 *
 * @example
 * ```ts
 * import { learnedBlocks } from "./training_views.ts";
 * const rows = ["P12", "P12 (construction)"].flatMap((matrix) =>
 *   [0, 1].flatMap((row) => [0, 1].map((col) => ({ matrix, row, col, value: row - col })))
 * );
 * const spec = learnedBlocks(rows, "blocks", 3);
 * (spec.title as { text: string }).text; // "blocks"
 * ```
 */
export function learnedBlocks(rows: readonly Row[], title: string, cellSize: number): Spec {
  return heatmap({
    rows: [...rows],
    x: "col",
    y: "row",
    value: "value",
    facet: "matrix",
    columns: 4,
    independent: true,
    title,
    xTitle: "column",
    yTitle: "row",
    cellSize,
  });
}
