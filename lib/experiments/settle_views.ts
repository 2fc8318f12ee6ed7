/**
 * Views of experiment 5 (`settle.ts`): the figures; the tables are in `settle_tables.ts` and the
 * generated conclusion `summary` in `settle_summary.ts`, both re-exported here.
 *
 * @module
 */

import { concatCharts, heatmap, lineChart, scatterChart } from "../report/chart.ts";
import { fmtSig } from "../report/format.ts";
import type { Figures } from "./shape.ts";
import type { SettleResult } from "./settle.ts";
import { basinClass, exampleFailure, tables } from "./settle_tables.ts";

/**
 * Figures of the result (each has its table in {@linkcode tables}).
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of compute)
 * import { figures } from "./settle_views.ts";
 * const f = figures(res); // f.rate, f.scale, f.ablation, f.basin, f.spectrum, f.failure
 * ```
 */
export function figures(res: SettleResult): Figures {
  const t = tables(res);
  const out: Figures = {
    spectrum: lineChart({
      rows: t.spectrum,
      x: "index",
      y: "eigenvalue",
      color: "c",
      logY: true,
      points: true,
      title: `Smallest Gauss–Newton eigenvalues at θ⋆(c), d = ${res.smallTask.d} (exact)`,
      subtitle: "index 0 is the scaling direction (numerically 0; clipped at 1e-20)",
      xTitle: "eigenvalue index (ascending)",
      yTitle: "eigenvalue of JᵀJ/N",
    }),
    rate: concatCharts([
      scatterChart({
        rows: t.rate.map((r) => ({
          ...r,
          predicted: -(r.predictedLossSlope as number),
          measured: -(r.measuredLossSlope as number),
        })),
        x: "predicted",
        y: "measured",
        color: "run",
        diagonal: true,
        logX: true,
        logY: true,
        title: "Loss rate: measured vs predicted −2·log(1 − ημ)",
        xTitle: "predicted decay per step",
        yTitle: "measured decay per step",
        width: 320,
        height: 260,
      }),
      lineChart({
        rows: t.rate_curves,
        x: "step",
        y: "loss",
        color: "run",
        logY: true,
        title: "GD on a fixed prompt set from near θ⋆(c)",
        xTitle: "GD step",
        yTitle: "loss",
        width: 360,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    scale: lineChart({
      rows: t.scale_balance,
      x: "prompts",
      y: "balance",
      color: "run",
      title: "‖V̄21‖² − ‖P12‖² along training (conserved by gradient flow)",
      xTitle: "prompts",
      yTitle: "‖V̄21‖²_F − ‖P12‖²_F",
      width: 520,
      height: 280,
    }),
    ablation: concatCharts([
      scatterChart({
        rows: t.ablation.filter((r) => r.muSmall !== null),
        x: "muSmall",
        y: "dist",
        color: "arm",
        logX: true,
        logY: true,
        title: "Richness (μ, exact at small d) vs distance to M⋆ (d = 36)",
        xTitle: `μ at d = ${res.smallTask.d}, same distribution family`,
        yTitle: "final distance to M⋆",
        width: 300,
        height: 260,
      }),
      scatterChart({
        rows: t.ablation,
        x: "dist",
        y: "score",
        color: "arm",
        logX: true,
        title: "Distance to M⋆ vs transfer score",
        xTitle: "final distance to M⋆",
        yTitle: "normalised score on unseen MDPs",
        width: 300,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    basin: concatCharts([
      lineChart({
        rows: t.basin,
        x: "gain",
        y: "fraction",
        lower: "lo",
        upper: "hi",
        color: "optimizer",
        logX: true,
        points: true,
        title: `Fraction of random inits reaching M⋆ (d = ${res.smallTask.d})`,
        subtitle: `distance < ${fmtSig(res.config.basin.stopDist)} within ${
          fmtSig(res.config.basin.K * res.config.basin.T)
        } prompts; 95 % Wilson intervals`,
        xTitle: "Xavier gain",
        yTitle: "fraction reached",
        width: 360,
        height: 260,
      }),
      lineChart({
        rows: t.basin.filter((r) => r.medianFinalDist !== null),
        x: "gain",
        y: "medianFinalDist",
        color: "optimizer",
        logX: true,
        logY: true,
        points: true,
        rules: [{ value: res.config.basin.stopDist, label: "threshold" }],
        title: "Median final distance to M⋆ (diverged runs: last finite step)",
        xTitle: "Xavier gain",
        yTitle: "distance to M⋆",
        width: 360,
        height: 260,
      }),
    ], { direction: "horizontal" }),
  };
  if (t.basin_failure.length) {
    const f = exampleFailure(res)!;
    out.failure = heatmap({
      rows: t.basin_failure,
      x: "col",
      y: "row",
      value: "value",
      facet: "matrix",
      independent: true,
      title: `A failed init: ${f.optimizer}, gain ${fmtSig(f.gain)}, init ${f.init} (${
        basinClass(f)
      })`,
    });
  }
  return out;
}

export { balancedScale, basinClass, exampleFailure, tables, wilson } from "./settle_tables.ts";
export { summary } from "./settle_summary.ts";
