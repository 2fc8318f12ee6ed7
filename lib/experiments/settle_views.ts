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
import { balancedScale } from "../icrl/manifold.ts";
import { basinClass, exampleFailure, tables } from "./settle_tables.ts";

/**
 * Figures of the result (each has its table in {@linkcode tables}).
 *
 * @example
 * ```ts
 * import { figures } from "./settle_views.ts";
 * import { run, settleTiny } from "./settle.ts";
 * const res = await run(settleTiny);
 * const f = figures(res);
 * Object.keys(f); // ["spectrum", "rate", "scale", "ablation", "basin", "failure"]
 * if (Object.keys(f).length !== 6) throw new Error(Object.keys(f).join());
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
          predicted: -(r.predictedDistSlope as number),
          measured: -(r.measuredDistSlope as number),
        })),
        x: "predicted",
        y: "measured",
        color: "run",
        diagonal: true,
        logX: true,
        logY: true,
        title: "Distance rate: measured vs predicted −log(1 − ημ)",
        xTitle: "predicted decay per step",
        yTitle: "measured decay per step",
        width: 320,
        height: 260,
      }),
      lineChart({
        rows: t.rate_curves,
        x: "step",
        y: "dist",
        color: "run",
        logY: true,
        title: "GD from near θ⋆(c): fixed prompt set and fresh prompts",
        xTitle: "GD step",
        yTitle: "distance to M⋆",
        width: 360,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    scale: concatCharts([
      lineChart({
        rows: t.scale_balance.filter((r) =>
          String(r.run).endsWith(
            `gain ${fmtSig(res.config.scale.gains[0])}, seed ${res.config.scale.seeds[0]}`,
          )
        ).map((r) => ({ ...r, setting: `${r.optimizer} lr ${fmtSig(r.lr as number)}` })),
        x: "prompts",
        y: "balance",
        color: "setting",
        title: "‖V̄21‖² − ‖P12‖² along training (conserved by gradient flow)",
        subtitle: `d = ${res.smallTask.d}, gain ${fmtSig(res.config.scale.gains[0])}, seed ${
          res.config.scale.seeds[0]
        }`,
        xTitle: "prompts",
        yTitle: "‖V̄21‖²_F − ‖P12‖²_F",
        width: 340,
        height: 260,
      }),
      scatterChart({
        rows: t.scale.filter((r) => r.optimizer === "gd").map((r) => ({
          ...r,
          gainLabel: `gain ${fmtSig(r.gain as number)}`,
          offset: Math.max(r.offset as number, 1e-12),
        })),
        x: "lr",
        y: "offset",
        color: "gainLabel",
        logX: true,
        logY: true,
        title: "GD: |c| offset from the balancedness prediction vs η",
        xTitle: "GD learning rate η (equal η·steps)",
        yTitle: "| |c| / predicted(Δ₀) − 1 |",
        width: 300,
        height: 260,
      }),
      lineChart({
        rows: t.scale_adam,
        x: "lr",
        y: "absC",
        lower: "absCLo",
        upper: "absCHi",
        logX: true,
        points: true,
        rules: [{ value: balancedScale(res.smallTask.d, 0.2, 0), label: "balanced (GD)" }],
        title: "Adam: final |c| vs learning rate (equal budget)",
        xTitle: "Adam learning rate",
        yTitle: "|c| (mean, 95 % CI)",
        width: 300,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    ablation: concatCharts([
      scatterChart({
        rows: t.ablation.filter((r) => r.muSmallGeoMean !== null),
        x: "muSmallGeoMean",
        y: "distGeoMean",
        color: "arm",
        logX: true,
        logY: true,
        title: "Richness (μ, exact at small d) vs distance to M⋆ (d = 36)",
        xTitle: `μ at d = ${res.smallTask.d}, same distribution family`,
        yTitle: "final distance to M⋆ (geometric mean over seeds)",
        width: 300,
        height: 260,
      }),
      scatterChart({
        rows: t.ablation,
        x: "distGeoMean",
        y: "score",
        color: "arm",
        logX: true,
        title: "Distance to M⋆ vs transfer score",
        xTitle: "final distance to M⋆ (geometric mean over seeds)",
        yTitle: "normalised score on unseen MDPs (mean over seeds)",
        width: 300,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    basin: concatCharts(
      [...new Set(t.basin.map((r) => r.d as number))].map((d) => {
        const b = d === res.smallTask.d ? res.config.basin : res.config.basin.large!;
        return lineChart({
          rows: t.basin.filter((r) => r.d === d),
          x: "gain",
          y: "fraction",
          lower: "lo",
          upper: "hi",
          color: "setting",
          logX: true,
          points: true,
          yDomain: [0, 1],
          title: `Fraction of random inits reaching M⋆ (d = ${d})`,
          subtitle: `distance < ${fmtSig(b.stopDist)} within ${
            fmtSig(b.K * b.T)
          } prompts; 95 % Wilson intervals`,
          xTitle: "Xavier gain",
          yTitle: "fraction reached",
          width: 320,
          height: 260,
        });
      }),
      { direction: "horizontal" },
    ),
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
      title: `A failed init (d = ${f.d}): ${f.setting}, gain ${fmtSig(f.gain)}, init ${f.init} (${
        basinClass(f)
      })`,
    });
  }
  return out;
}

export { basinClass, exampleFailure, tables, verdictRows } from "./settle_tables.ts";
export { summary } from "./settle_summary.ts";
