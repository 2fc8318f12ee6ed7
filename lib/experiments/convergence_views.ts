/**
 * Views of notebook 02's result (MATH §6, §7, §8.2): the tidy tables (every logged metric row,
 * full precision), the four figures (only the fields drawn; the per-seed curves of the scale c
 * thinned to `config.curvePoints` points each) and the generated conclusion. Every number comes
 * from the result, formatted through lib/report/format.ts.
 *
 * @module
 */

import type { TrainResult } from "../train/mod.ts";
import { upperMedian } from "../core/stats.ts";
import {
  concatCharts,
  fmtFixed,
  fmtPct,
  fmtSig,
  lineChart,
  type Row as TableRow,
  type Spec,
} from "../report/mod.ts";
import { type ConvergenceResult, metricRows, normalisedBlockRows } from "./convergence.ts";
import type { SavedBlockCheck } from "./convergence_saved.ts";
import { learnedBlocks, pickFields, thinCurves, trainingCurves } from "./training_views.ts";

const fullLabel = (r: TrainResult) =>
  r.config.engine === "js" ? "hand gradient, float64" : "tfjs autodiff, float32";
const fullRun = (r: TrainResult) =>
  r.config.engine === "js" ? "full, hand gradient (float64)" : "full, tfjs autodiff (float32)";
const modeLabel = (r: TrainResult) =>
  r.config.batch === 1 ? "exact (B=1)" : `batched (B=${r.config.batch})`;

/** The tidy rows of every table, by name (shared by `tables` and `summary`). */
function tableRows(res: ConvergenceResult) {
  const final = (r: TrainResult) => r.metrics.at(-1)!;
  return {
    metrics_main: metricRows(res.main, `batched B=${res.main[0].config.batch}`),
    final_per_seed: res.perSeed.map((s) => ({ ...s })),
    metrics_exact_vs_batched: [
      ...metricRows([res.exact], modeLabel(res.exact)),
      ...metricRows([res.exactTwin], modeLabel(res.exactTwin)),
    ],
    exact_vs_batched_final: [res.exact, res.exactTwin].map((r) => ({
      mode: modeLabel(r),
      K: r.config.K,
      T: r.config.T,
      optimiserSteps: final(r).step,
      finalLoss: final(r).loss,
      dist: final(r).dist,
      cosP12: final(r).cosP12,
      cosV21: final(r).cosV21,
      c: final(r).cP,
    })),
    metrics_full: [
      ...metricRows([res.full], fullRun(res.full)),
      ...metricRows([res.fullTf], fullRun(res.fullTf)),
    ],
    full_prop31: [res.full, res.fullTf].map((r) => ({
      engine: fullLabel(r),
      K: r.config.K,
      T: r.config.T,
      batch: r.config.batch,
      maxDrift: Math.max(...r.metrics.map((m) => m.drift)),
      maxZeroBlocks: Math.max(...r.metrics.map((m) => m.zeroBlocks)),
      finalLoss: final(r).loss,
      cosP12: final(r).cosP12,
      cosV21: final(r).cosV21,
    })),
  };
}

/**
 * The tables notebook 02 writes (`data/02_<name>.csv`): every logged metric row of the main, the
 * exact-vs-batched and the full runs, and the final rows / Prop 3.1 maxima, as raw numbers.
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * import { tables } from "./convergence_views.ts";
 * const res = await run(convergenceTiny);
 * tables(res).final_per_seed.length; // 1: one row per seed
 * ```
 */
export function tables(res: ConvergenceResult): Record<string, TableRow[]> {
  return tableRows(res);
}

/**
 * The figures of notebook 02: `convergence_curves` (loss and distance bands over seeds, the scale c
 * per seed), `learned_blocks` (first seed's blocks rescaled by c beside the construction),
 * `exact_vs_batched` and `prop31_drift`. Charts embed only the fields they draw; the per-seed
 * curves of c (smooth) are thinned to at most `config.curvePoints` log-spaced points each (see
 * {@linkcode thinCurves}); the bands and loss curves keep every logged point.
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * import { figures } from "./convergence_views.ts";
 * const res = await run(convergenceTiny);
 * Object.keys(figures(res)); // convergence_curves, learned_blocks, exact_vs_batched, prop31_drift
 * ```
 */
export function figures(res: ConvergenceResult): Record<string, Spec> {
  const pts = res.config.curvePoints;
  const t = tableRows(res);
  const size = { width: 360, height: 240 };
  const medianRate = upperMedian(res.perSeed.map((s) => s.ratePerMillion))!;
  const curves = trainingCurves({
    metrics: t.metrics_main,
    cRows: thinCurves(
      t.metrics_main.map((r) => ({ ...r, seed: `seed ${r.seed}` })),
      "seed",
      ["prompts", "cP", "seed"],
      pts,
    ),
    loss: {
      title: "Training loss",
      subtitle: `${res.main.length} seeds; ${
        res.config.rateFraction === 0.5
          ? "final-half"
          : `final ${fmtPct(res.config.rateFraction, 0)}`
      } log-linear rate (median) ${fmtFixed(medianRate, 2)} per 10⁶ prompts`,
      yTitle: "loss ½‖TF − SARSA‖² (per prompt)",
    },
    dist: {
      title: "Distance to the construction's manifold M⋆",
      yTitle: "relative distance of V̄21⊗P12",
    },
    ...size,
  });

  const seed0 = res.main[0];
  const blocks = learnedBlocks(
    normalisedBlockRows(seed0),
    `Learned blocks vs construction (seed ${seed0.config.seed}, c = ${
      fmtFixed(seed0.metrics.at(-1)!.cP, 4)
    })`,
    3,
  );

  // Every logged point of the loss curves (they oscillate: see the bands); only the fields drawn.
  const cmp = pickFields(t.metrics_exact_vs_batched, ["run", "prompts", "loss", "dist"]);
  const cmpChart = (y: "loss" | "dist", title: string, yTitle: string) =>
    lineChart({
      rows: cmp,
      x: "prompts",
      y,
      color: "run",
      logY: true,
      title,
      xTitle: "prompts seen",
      yTitle,
      ...size,
    });
  const exactVsBatched = concatCharts([
    cmpChart("loss", "Loss: exact vs batched mode", "loss (per prompt)"),
    cmpChart("dist", "Distance to M⋆: exact vs batched", "relative distance"),
  ], { direction: "horizontal" });

  const driftRows = pickFields(t.metrics_full, ["run", "prompts", "drift", "zeroBlocks"]).flatMap((
    r,
  ) => [
    {
      prompts: r.prompts,
      series: `${r.run}: drift of P11, P21, V11, V12, row 0 of V21, V22`,
      value: Math.max(Number(r.drift), 1e-20),
    },
    {
      prompts: r.prompts,
      series: `${r.run}: max |P22|, |V̄22|`,
      value: Math.max(Number(r.zeroBlocks), 1e-20),
    },
  ]);
  const drift = lineChart({
    rows: driftRows,
    x: "prompts",
    y: "value",
    color: "series",
    logY: true,
    title: "Prop 3.1: blocks that cannot move (exact zeros drawn at 1e-20)",
    xTitle: "prompts seen",
    yTitle: "max |Δ entry| or |entry|",
    rules: [{ value: 1.19e-7, label: "float32 ε" }],
    width: 520,
    height: 260,
  });
  return {
    convergence_curves: curves,
    learned_blocks: blocks,
    exact_vs_batched: exactVsBatched,
    prop31_drift: drift,
  };
}

/**
 * The conclusion of notebook 02 as markdown, quoting only the result's numbers (and, with
 * `saved`, the blocks re-checked from disk by `recheckSaved`).
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * import { recheckSaved, saveBlocks } from "./convergence_saved.ts";
 * import { summary } from "./convergence_views.ts";
 * const res = await run(convergenceTiny);
 * const paths = await saveBlocks(res, Deno.makeTempDirSync());
 * summary(res, await recheckSaved(res, paths));
 * ```
 */
export function summary(res: ConvergenceResult, saved?: readonly SavedBlockCheck[]): string {
  const t = tableRows(res);
  const ps = res.perSeed;
  const range = (xs: number[], f: (x: number) => string) =>
    `${f(Math.min(...xs))} … ${f(Math.max(...xs))}`;
  const sig = (x: number) => fmtSig(x, 3);
  const main = res.main[0].config;
  const minAbsCos = Math.min(...ps.flatMap((s) => [Math.abs(s.cosP12), Math.abs(s.cosV21)]));
  const negC = ps.filter((s) => s.c < 0).length;
  const perWorker = res.main.reduce((s, r) => s + r.prompts / r.wallTimeSec, 0) / res.main.length;
  const [ex, tw] = t.exact_vs_batched_final;
  const [fj, ft] = t.full_prop31;
  const lines = [
    `**Measured** (${res.main.length} seeds × ${fmtSig((main.K * main.T) / 1e6)} M prompts, ` +
    `batched B = ${main.batch}):`,
    `- final loss per prompt: ${range(ps.map((s) => s.finalLoss), sig)}; distance to M⋆: ${
      range(ps.map((s) => s.dist), sig)
    };`,
    `- smallest |cosine| of a learned block with the construction over all seeds: **${
      fmtFixed(minAbsCos, 6)
    }** (bar 0.99); ${negC} of ${ps.length} seeds landed on c < 0; c ranges ${
      range(ps.map((s) => s.c), (x) => fmtFixed(x, 3))
    };`,
    `- log-linear loss rate over the final ${
      fmtPct(res.config.rateFraction, 0)
    } of each run: median ${
      fmtFixed(upperMedian(ps.map((s) => s.ratePerMillion))!, 2)
    } per 10⁶ prompts (per-seed r² ${range(ps.map((s) => s.rateR2), (x) => fmtFixed(x, 2))});`,
    `- wall time: ${fmtFixed(res.seconds.main, 0)} s for all seeds on ${res.workers} workers (${
      fmtFixed(perWorker, 0)
    } prompts/s per worker);`,
    `- exact vs batched (K = ${ex.K}, T = ${ex.T}): distance ${sig(ex.dist)} vs ${
      sig(tw.dist)
    }, |cos P12| ${fmtFixed(Math.abs(ex.cosP12), 5)} vs ${fmtFixed(Math.abs(tw.cosP12), 5)};`,
    `- Prop 3.1: max drift ${sig(fj.maxDrift)} (${fj.engine}), ${
      sig(ft.maxDrift)
    } (${ft.engine}); ` +
    `max |P22|, |V̄22| ${sig(fj.maxZeroBlocks)} and ${sig(ft.maxZeroBlocks)}.`,
  ];
  if (saved !== undefined && saved.length > 0) {
    const all = saved.every((s) => s.identical);
    lines.push(
      `- the ${saved.length} saved blocks, re-loaded from disk: distance to M⋆ ${
        range(saved.map((s) => s.dist), sig)
      }, |cos P12| ≥ ${fmtFixed(Math.min(...saved.map((s) => Math.abs(s.cosP12))), 6)}; ` +
        (all
          ? "bit-identical to the trained blocks."
          : `**${saved.filter((s) => !s.identical).length} differ from the trained blocks**.`),
    );
  }
  return lines.join("\n");
}
