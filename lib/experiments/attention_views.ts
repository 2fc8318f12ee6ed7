/**
 * Views of experiment 6 ("does attention matter?", MATH §8.5): tidy tables and figures of an
 * {@linkcode AttentionResult}; the generated conclusion `summary` is in `attention_summary.ts` and
 * the shared statistics in `attention_stats.ts` (`mergedTransfer` re-exported here). Every number
 * printed goes through `report/format.ts`.
 *
 * @module
 */

import { concatCharts, lineChart } from "../report/chart.ts";
import { fmtCI, fmtSig } from "../report/format.ts";
import { aggregateBands } from "../core/aggregate.ts";
import { pairedDifference } from "../transfer/mod.ts";
import type { Figures, Tables } from "./shape.ts";
import type { AttentionResult, Condition } from "./attention.ts";
import { TEACHER } from "./attention.ts";
import {
  allLabels,
  conditionLabels,
  equalWall,
  geoCI,
  lastStep,
  mainLabels,
  mergedTransfer,
  oneStepStat,
  seedsOf,
  transferSummaries,
} from "./attention_stats.ts";

/**
 * Tidy tables of notebook 06.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of compute)
 * import { tables } from "./attention_views.ts";
 * const t = tables(res); // { sweep, curves, final, equal_wall, transfer_summary, …, timing }
 * ```
 */
export function tables(res: AttentionResult): Tables {
  const sweep = res.sweep.map((s) => ({
    width: s.width,
    params: s.paramCount,
    finalTrainLoss: fmtSig(s.finalLoss),
    heldoutRelErr: fmtSig(s.relErr),
    chosen: s.width === res.mlpWidth,
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
  const sums = transferSummaries(res);
  const last = lastStep(res, "default");
  const final = allLabels(res).map((label) => {
    const spec = res.learners.find((l) => l.label === label)!;
    const runs = seedsOf(res, label);
    const fl = geoCI(runs.map((r) => r.result.metrics.at(-1)!.loss));
    const os = oneStepStat(res, label, "default", 20);
    const tr = sums.default.find((s) => s.learner === label && s.step === last)!;
    return {
      learner: label,
      params: spec.paramCount,
      promptsPerSeed: runs[0].result.prompts,
      seeds: runs.length,
      finalTrainLoss: fmtCI(fl, 6),
      heldoutRelErr: fmtCI(os.relErr, 4),
      [`score@${last}`]: fmtCI({ mean: tr.score, lo: tr.scoreLo, hi: tr.scoreHi }),
    };
  });
  const teacherFinal = sums.default.find((s) => s.learner === TEACHER && s.step === last)!;
  final.push({
    learner: TEACHER,
    params: 0,
    promptsPerSeed: 0,
    seeds: 0,
    finalTrainLoss: "0",
    heldoutRelErr: "0",
    [`score@${last}`]: fmtCI({
      mean: teacherFinal.score,
      lo: teacherFinal.scoreLo,
      hi: teacherFinal.scoreHi,
    }),
  });
  const labels = conditionLabels(res);
  const transferSummary = (["default", "nS", "gamma"] as Condition[]).flatMap((c) =>
    sums[c].map((s) => ({ condition: labels[c], ...s }))
  );
  const transferFinal = (["default", "nS", "gamma"] as Condition[]).flatMap((c) => {
    const merged = mergedTransfer(res, c);
    const L = lastStep(res, c);
    return [TEACHER, ...allLabels(res)].map((label) => {
      const s = sums[c].find((x) => x.learner === label && x.step === L)!;
      const d = label === TEACHER ? null : pairedDifference(merged, label, TEACHER, [L])[0];
      return {
        condition: labels[c],
        learner: label,
        step: L,
        J: fmtCI(s),
        score: fmtCI({ mean: s.score, lo: s.scoreLo, hi: s.scoreHi }),
        "J − teacher": d ? fmtCI(d, 4) : "",
      };
    });
  });
  const length = allLabels(res).flatMap((label) =>
    res.config.lengths.map((n) => {
      const s = oneStepStat(res, label, "default", n);
      return {
        learner: label,
        n,
        relErr: s.relErr.mean,
        relErrLo: s.relErr.lo,
        relErrHi: s.relErr.hi,
        loss: s.loss.mean,
      };
    })
  );
  const shift = allLabels(res).flatMap((label) =>
    (["default", "nS", "gamma"] as Condition[]).map((c) => {
      const s = oneStepStat(res, label, c, 20);
      const t = sums[c].find((x) => x.learner === label && x.step === lastStep(res, c))!;
      return {
        learner: label,
        condition: labels[c],
        heldoutRelErr: fmtCI(s.relErr, 4),
        [`score (step ${lastStep(res, c)})`]: fmtCI({
          mean: t.score,
          lo: t.scoreLo,
          hi: t.scoreHi,
        }),
      };
    })
  );
  const timing = res.runs.map((r) => ({
    learner: r.label,
    seed: r.seed,
    prompts: r.result.prompts,
    trainWallSec: r.result.trainWallSec,
    promptsPerSec: r.result.prompts / r.result.trainWallSec,
    evalWallSec: r.result.evalWallSec,
  }));
  return {
    sweep,
    curves,
    final,
    equal_wall: equalWall(res).rows,
    transfer_summary: transferSummary,
    transfer_final: transferFinal,
    length,
    shift,
    timing,
  };
}

/**
 * Figures of notebook 06: loss vs prompts (bands over seeds), loss vs wall time, transfer score vs
 * update step (training distribution), one-step error vs prompt length, transfer under shift.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of compute)
 * import { figures } from "./attention_views.ts";
 * const f = figures(res); // { loss, transfer, length, shift }
 * ```
 */
export function figures(res: AttentionResult): Figures {
  const main = new Set(mainLabels(res));
  const curveRows = res.runs.flatMap((r) =>
    r.result.metrics.map((m) => ({
      learner: r.label,
      step: m.step,
      prompts: m.prompts,
      loss: m.loss,
      wallSec: m.wallSec,
    }))
  );
  const bands = aggregateBands(curveRows.filter((r) => main.has(r.learner)), {
    x: "prompts",
    y: "loss",
    group: "learner",
    log: true,
  }).map((b) => ({ learner: b.group, prompts: b.x, loss: b.mean, lo: b.lo, hi: b.hi }));
  const wallBands = aggregateBands(curveRows, {
    x: "step",
    y: "loss",
    group: "learner",
    log: true,
  });
  const wallAt = aggregateBands(curveRows, { x: "step", y: "wallSec", group: "learner" });
  const wallRows = wallBands.map((b, i) => ({
    learner: b.group,
    wallSec: Math.max(wallAt[i].mean, 1e-3),
    loss: b.mean,
  }));
  const order = allLabels(res);
  const { W } = equalWall(res);
  const loss = concatCharts([
    lineChart({
      rows: bands,
      x: "prompts",
      y: "loss",
      lower: "lo",
      upper: "hi",
      color: "learner",
      colorOrder: mainLabels(res),
      logY: true,
      title: "Equal prompts: training loss",
      subtitle: `geometric mean ± 95 % CI over ${res.config.seeds.length} seeds`,
      xTitle: "prompts seen (per seed)",
      yTitle: "loss ½‖f(H) − w_SARSA‖²",
      width: 380,
      height: 260,
    }),
    lineChart({
      rows: wallRows,
      x: "wallSec",
      y: "loss",
      color: "learner",
      colorOrder: order,
      logX: true,
      logY: true,
      title: "Equal wall time: training loss",
      subtitle: `mean over seeds; 1 core per run; equal-wall comparison at ${fmtSig(W)} s`,
      xTitle: "training wall time (s, log)",
      yTitle: "loss (geometric mean over seeds)",
      width: 380,
      height: 260,
    }),
  ], { direction: "horizontal" });
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
  const lengthRows = tables(res).length.map((r) => ({ ...r }));
  return {
    loss,
    transfer: transferChart("default", `Closed-loop transfer, ${labels.default}`),
    length: lineChart({
      rows: lengthRows,
      x: "n",
      y: "relErr",
      lower: "relErrLo",
      upper: "relErrHi",
      color: "learner",
      colorOrder: order,
      logX: true,
      logY: true,
      points: true,
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
export { summary } from "./attention_summary.ts";
