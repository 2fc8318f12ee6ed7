/**
 * Views of experiment 6 ("does attention matter?", MATH §8.5): tidy tables and figures of an
 * {@linkcode AttentionResult}; the generated conclusion `summary` is in `attention_summary.ts` and
 * the shared statistics in `attention_stats.ts` (`mergedTransfer` re-exported here). Every number
 * printed goes through `report/format.ts`.
 *
 * @module
 */

import {
  type ChartRow,
  concatCharts,
  lineChart,
  type LineChartOptions,
  type Spec,
} from "../report/chart.ts";
import { fmtSig } from "../report/format.ts";
import type { Row } from "../report/table.ts";
import { finiteOrNull } from "../core/row.ts";
import { aggregateBands } from "../core/aggregate.ts";
import { geoMeanCI } from "../core/stats.ts";
import { pairedDifference } from "../transfer/mod.ts";
import type { Figures, Tables } from "./shape.ts";
import type { AttentionResult, Condition } from "./attention.ts";
import { TEACHER } from "./attention.ts";
import {
  allLabels,
  checkpointStats,
  ciRelation,
  conditionLabels,
  equalWall,
  lastStep,
  mergedTransfer,
  oneStepStat,
  seedsOf,
  transferSummaries,
} from "./attention_stats.ts";

/**
 * The reference learner (the first configured): every other learner is paired against it.
 *
 * @example
 * ```ts
 * import { referenceLabel } from "./attention_views.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * if (referenceLabel(await run(attentionTiny)) !== "LSA") throw new Error("first learner");
 * ```
 */
export function referenceLabel(res: AttentionResult): string {
  return res.learners[0].label;
}

/** An interval's three columns `name`, `nameLo`, `nameHi` (nulls for a missing interval). */
function ciCols(name: string, c: { mean: number; lo: number; hi: number } | null) {
  return {
    [name]: c ? c.mean : null,
    [`${name}Lo`]: c ? c.lo : null,
    [`${name}Hi`]: c ? c.hi : null,
  };
}

/** The columns `score`, `scoreLo`, `scoreHi` of a transfer summary row. */
function scoreCols(r: { score: number; scoreLo: number; scoreHi: number }) {
  return { score: r.score, scoreLo: r.scoreLo, scoreHi: r.scoreHi };
}

const ZERO = { mean: 0, lo: 0, hi: 0 };

/**
 * Tidy tables of notebook 06 (numbers, not formatted strings, so every claim can be traced).
 *
 * @example
 * ```ts
 * import { tables } from "./attention_views.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const t = tables(res); // { learners, sweep, final, heldout_curves, equal_wall, … }
 * // restricted LSA: P (2·36+1) × (36+1) and V (36) × (2·36+1) entries
 * t.learners.map((l) => l.params); // [5329, 3110]
 * if (t.learners[0].params !== 73 * 37 + 36 * 73) throw new Error("params");
 * ```
 */
export function tables(res: AttentionResult): Tables {
  const ref = referenceLabel(res);
  const refSpec = res.learners[0];
  const grid = res.config.lrGrid;
  const learners = res.learners.map((l) => ({
    learner: l.label,
    role: l.role,
    family: l.family,
    params: l.paramCount,
    paramsVsReference: l.paramCount / refSpec.paramCount,
    forwardMacs: l.forwardMacs,
    macsVsReference: l.forwardMacs / refSpec.forwardMacs,
    chosenLr: res.chosenLr[l.label],
    chosenAtGridEdge: res.chosenLr[l.label] === Math.min(...grid) ||
      res.chosenLr[l.label] === Math.max(...grid),
  }));
  const sweep = res.sweep.map((s) => ({
    learner: s.label,
    lr: s.lr,
    status: s.status,
    heldoutRelErr: s.relErr,
    finalTrainLoss: finiteOrNull(s.finalLoss),
    prompts: s.prompts,
    wallSec: s.wallSec,
    chosen: res.chosenLr[s.label] === s.lr,
  }));
  const curves = res.runs.flatMap((r) =>
    r.result.metrics.map((m) => ({
      learner: r.label,
      seed: r.seed,
      step: m.step,
      prompts: m.prompts,
      loss: m.loss,
      wallSec: m.wallSec,
    }))
  );
  const heldoutCurves = allLabels(res).flatMap((label) =>
    checkpointStats(res, label).map((c) => ({
      learner: label,
      prompts: c.prompts,
      wallSec: c.wallSec,
      ...ciCols("relErr", c.relErr),
    }))
  );
  const sums = transferSummaries(res);
  const last = lastStep(res, "default");
  const merged = mergedTransfer(res, "default");
  const refErr = oneStepStat(res, ref, "default", 20).relErr;
  const final: Row[] = allLabels(res).map((label) => {
    const spec = res.learners.find((l) => l.label === label)!;
    const runs = seedsOf(res, label);
    const fl = geoMeanCI(runs.map((r) => r.result.metrics.at(-1)!.loss));
    const os = oneStepStat(res, label, "default", 20);
    const tr = sums.default.find((s) => s.learner === label && s.step === last)!;
    const d = label === ref ? null : pairedDifference(merged, label, ref, [last])[0];
    return {
      learner: label,
      params: spec.paramCount,
      forwardMacs: spec.forwardMacs,
      lr: runs[0].lr,
      lrsUsed: [...new Set(runs.map((r) => r.lr))].join("/"),
      promptsPerSeed: runs[0].result.prompts,
      seeds: runs.length,
      ...ciCols("trainLoss", fl),
      ...ciCols("heldoutRelErr", os.relErr),
      relErrVsReference: label === ref ? "reference" : ciRelation(os.relErr, refErr),
      ...scoreCols(tr),
      ...ciCols("dJvsReference", d),
    };
  });
  const teacherFinal = sums.default.find((s) => s.learner === TEACHER && s.step === last)!;
  final.push({
    learner: TEACHER,
    params: 0,
    forwardMacs: 0,
    lr: null,
    lrsUsed: "",
    promptsPerSeed: 0,
    seeds: 0,
    ...ciCols("trainLoss", ZERO),
    ...ciCols("heldoutRelErr", ZERO),
    relErrVsReference: "",
    ...scoreCols(teacherFinal),
    ...ciCols("dJvsReference", null),
  });
  const labels = conditionLabels(res);
  const transferSummary = CONDS.flatMap((c) =>
    sums[c].map((s) => ({ condition: labels[c], ...s }))
  );
  const transferFinal = CONDS.flatMap((c) => {
    const mc = mergedTransfer(res, c);
    const L = lastStep(res, c);
    return [TEACHER, ...allLabels(res)].map((label) => {
      const s = sums[c].find((x) => x.learner === label && x.step === L)!;
      const d = label === TEACHER ? null : pairedDifference(mc, label, TEACHER, [L])[0];
      return {
        condition: labels[c],
        learner: label,
        step: L,
        ...ciCols("J", s),
        ...scoreCols(s),
        ...ciCols("dJvsTeacher", d),
      };
    });
  });
  const length = allLabels(res).flatMap((label) =>
    res.config.lengths.map((n) => {
      const s = oneStepStat(res, label, "default", n);
      return {
        learner: label,
        n,
        ...ciCols("relErr", s.relErr),
        loss: s.loss.mean,
      };
    })
  );
  const shift = allLabels(res).flatMap((label) =>
    CONDS.map((c) => {
      const s = oneStepStat(res, label, c, 20);
      const r = oneStepStat(res, ref, c, 20);
      const t = sums[c].find((x) => x.learner === label && x.step === lastStep(res, c))!;
      return {
        learner: label,
        condition: labels[c],
        ...ciCols("heldoutRelErr", s.relErr),
        relErrVsReference: label === ref ? "reference" : ciRelation(s.relErr, r.relErr),
        step: lastStep(res, c),
        ...scoreCols(t),
      };
    })
  );
  const timing = res.runs.map((r) => ({
    learner: r.label,
    seed: r.seed,
    lr: r.lr,
    prompts: r.result.prompts,
    trainWallSec: r.result.trainWallSec,
    promptsPerSec: r.result.prompts / r.result.trainWallSec,
    evalWallSec: r.result.evalWallSec,
  }));
  return {
    learners,
    sweep,
    curves,
    heldout_curves: heldoutCurves,
    final,
    equal_wall: equalWall(res).rows,
    transfer_summary: transferSummary,
    transfer_final: transferFinal,
    length,
    shift,
    timing,
  };
}

const CONDS: Condition[] = ["default", "nS", "gamma"];

/** Figures draw held-out errors below this at it (the tables keep the values). */
const ERR_FLOOR = 1e-4;
/** Figures draw training losses below this at it. */
const LOSS_FLOOR = 1e-7;

/** The held-out relative error of every learner vs `x` (log–log, 95 % band, points). */
function errorChart(
  rows: readonly ChartRow[],
  x: string,
  order: string[],
  o: Pick<
    LineChartOptions,
    "rules" | "title" | "subtitle" | "xTitle" | "yTitle" | "width" | "height"
  >,
): Spec {
  return lineChart({
    rows,
    x,
    y: "relErr",
    lower: "relErrLo",
    upper: "relErrHi",
    color: "learner",
    colorOrder: order,
    logX: true,
    logY: true,
    points: true,
    ...o,
  });
}

/**
 * Figures of notebook 06: the learning-rate sweep; training loss and held-out error against log
 * prompts and held-out error against wall time (bands over seeds); transfer score vs update step;
 * one-step error vs prompt length; transfer under shift.
 *
 * @example
 * ```ts
 * import { figures } from "./attention_views.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const f = figures(res);
 * Object.keys(f); // ["sweep", "loss", "transfer", "length", "shift"]
 * if (Object.keys(f).join() !== "sweep,loss,transfer,length,shift") throw new Error("figures");
 * ```
 */
export function figures(res: AttentionResult): Figures {
  const t = tables(res);
  const order = allLabels(res);
  const bands = aggregateBands(
    t.curves.map((r) => ({
      learner: r.learner as string,
      prompts: r.prompts as number,
      loss: r.loss as number,
    })),
    { x: "prompts", y: "loss", group: "learner", log: true },
  ).map((b) => ({
    learner: b.group,
    prompts: b.x,
    loss: Math.max(b.mean, LOSS_FLOOR),
    lo: Math.max(b.lo, LOSS_FLOOR),
    hi: Math.max(b.hi, LOSS_FLOOR),
  }));
  const floored = t.heldout_curves.map((r) => ({
    ...r,
    relErr: Math.max(r.relErr as number, ERR_FLOOR),
    relErrLo: Math.max(r.relErrLo as number, ERR_FLOOR),
    relErrHi: Math.max(r.relErrHi as number, ERR_FLOOR),
    wallSec: Math.max(r.wallSec as number, 1e-3),
  }));
  const W = res.config.equalWallSec;
  const loss = concatCharts([
    lineChart({
      rows: bands,
      x: "prompts",
      y: "loss",
      lower: "lo",
      upper: "hi",
      color: "learner",
      colorOrder: order,
      logX: true,
      logY: true,
      title: "Training loss vs prompts",
      subtitle: `window mean, geometric mean ± 95 % CI over ${res.config.seeds.length} seeds; ` +
        `values below ${fmtSig(LOSS_FLOOR)} drawn at it`,
      xTitle: "prompts seen (per seed, log)",
      yTitle: "loss ½‖f(H) − w_SARSA‖²",
      width: 330,
      height: 260,
    }),
    errorChart(floored, "prompts", order, {
      rules: [{ value: 1, label: "no update" }],
      title: "Held-out one-step error vs prompts",
      subtitle: `n = 20, geometric mean ± 95 % CI over seeds; values below ${
        fmtSig(ERR_FLOOR)
      } drawn at it`,
      xTitle: "prompts seen (per seed, log)",
      yTitle: "Σ‖f − w_SARSA‖² / Σ‖w_SARSA − w‖²",
      width: 330,
      height: 260,
    }),
    lineChart({
      rows: floored,
      x: "wallSec",
      y: "relErr",
      color: "learner",
      colorOrder: order,
      logX: true,
      logY: true,
      points: true,
      title: "Held-out error vs training wall time",
      subtitle: `checkpoints, mean wall time over seeds; equal-wall table at ${fmtSig(W)} s`,
      xTitle: "training wall time (s, log; one core per run)",
      yTitle: "held-out error (geometric mean)",
      width: 330,
      height: 260,
    }),
  ], { direction: "horizontal" });
  const sweep = lineChart({
    rows: t.sweep.filter((r) => r.heldoutRelErr !== null).map((r) => ({
      ...r,
      heldoutRelErr: Math.max(r.heldoutRelErr as number, ERR_FLOOR),
    })),
    x: "lr",
    y: "heldoutRelErr",
    color: "learner",
    colorOrder: order,
    logX: true,
    logY: true,
    points: true,
    title: "Learning-rate sweep (held-out prompts of the sweep's own stream)",
    subtitle: `${
      fmtSig(res.config.sweepK * res.config.T)
    } prompts per run, seed ${res.config.sweepSeed}; diverged rates omitted; values below ${
      fmtSig(ERR_FLOOR)
    } drawn at it`,
    xTitle: "Adam learning rate (log)",
    yTitle: "held-out one-step error",
    width: 520,
    height: 280,
  });
  const sums = transferSummaries(res);
  const transferChart = (c: Condition, title: string, width = 520) =>
    lineChart({
      rows: sums[c],
      x: "step",
      y: "score",
      lower: "scoreLo",
      upper: "scoreHi",
      color: "learner",
      colorOrder: [TEACHER, ...order],
      rules: [{ value: 1, label: "oracle" }, { value: 0, label: "uniform random" }],
      title,
      subtitle: `normalised score, mean ± 95 % CI over ${res.config.numMdps} unseen MDPs`,
      xTitle: "in-context update step",
      yTitle: "(J − J_random)/(J_oracle − J_random)",
      width,
      height: 280,
    });
  const labels = conditionLabels(res);
  return {
    sweep,
    loss,
    transfer: transferChart("default", `Closed-loop transfer, ${labels.default}`),
    length: errorChart(t.length, "n", order, {
      rules: [{ value: 1, label: "no update (w unchanged)" }],
      title: "Length generalisation (trained at n = 20)",
      subtitle: "one-step error on held-out prompts; MLP: zero-pad / keep the first 20 tokens",
      xTitle: "prompt length n (log)",
      yTitle: "Σ‖f(H) − w_SARSA‖² / Σ‖w_SARSA − w‖²",
      width: 520,
      height: 300,
    }),
    shift: concatCharts([
      transferChart("nS", `Transfer under shift: ${labels.nS}`, 380),
      transferChart("gamma", `Transfer under shift: ${labels.gamma}`, 380),
    ], { direction: "horizontal" }),
  };
}

export { mergedTransfer } from "./attention_stats.ts";
