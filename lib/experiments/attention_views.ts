/**
 * Views of experiment 6 ("does attention matter?", MATH §8.5): tidy tables, figures and the
 * generated conclusion of an {@linkcode AttentionResult}. Every number printed goes through
 * `report/format.ts`.
 *
 * @module
 */

import type { Row } from "../report/table.ts";
import { concatCharts, lineChart } from "../report/chart.ts";
import { fmtCI, fmtFixed, fmtSig } from "../report/format.ts";
import { aggregateBands } from "../core/aggregate.ts";
import { meanCI } from "../core/stats.ts";
import {
  pairedDifference,
  summariseTransfer,
  type TransferResult,
  type TransferSummaryRow,
} from "../transfer/mod.ts";
import { averageLearners } from "./transfer_exp.ts";
import type { Figures, Tables } from "./shape.ts";
import type { AttentionResult, Condition } from "./attention.ts";
import { TEACHER } from "./attention.ts";

const CONDITION_LABEL = (res: AttentionResult): Record<Condition, string> => ({
  default: `|S| = ${res.tasks.default.nS}, γ = ${res.tasks.default.gamma} (training distribution)`,
  nS: `|S| = ${res.tasks.nS.nS}`,
  gamma: `γ = ${res.tasks.gamma.gamma}`,
});

/** Labels of the equal-prompts learners, in display order. */
function mainLabels(res: AttentionResult): string[] {
  return res.learners.filter((l) => !l.equalWall).map((l) => l.label);
}

function allLabels(res: AttentionResult): string[] {
  return res.learners.map((l) => l.label);
}

/**
 * The closed loop of one condition with every learner averaged over its seeds (per test MDP, as
 * notebook 03 averages its trained blocks) next to the teacher.
 *
 * @example
 * ```ts
 * const merged = mergedTransfer(res, "default"); // learners: teacher, then one per label
 * ```
 */
export function mergedTransfer(res: AttentionResult, condition: Condition): TransferResult {
  const ci = ["default", "nS", "gamma"].indexOf(condition);
  if (ci < 0) throw new RangeError(`unknown condition ${JSON.stringify(condition)}`);
  const base = res.teacher[condition];
  let out: TransferResult = { ...base, learners: [...base.learners], rows: [...base.rows] };
  for (const r of res.runs) {
    const t = r.result.transfers[ci];
    if (t.mdps.length !== base.mdps.length || t.config.seed !== base.config.seed) {
      throw new RangeError(`run ${r.result.name}: transfer config differs from the teacher's`);
    }
    out.learners.push(...t.learners);
    out.rows.push(...t.rows);
  }
  for (const label of allLabels(res)) {
    const members = res.runs.filter((r) => r.label === label).map((r) => r.result.name);
    out = averageLearners(out, members, label);
  }
  return out;
}

function lastStep(res: AttentionResult, c: Condition): number {
  return res.teacher[c].config.updates;
}

/** Per-condition summaries (learner averages + teacher), memoised per result object. */
const cache = new WeakMap<AttentionResult, Record<Condition, TransferSummaryRow[]>>();
function transferSummaries(res: AttentionResult): Record<Condition, TransferSummaryRow[]> {
  let s = cache.get(res);
  if (!s) {
    s = {} as Record<Condition, TransferSummaryRow[]>;
    for (const c of ["default", "nS", "gamma"] as Condition[]) {
      const keep = new Set([TEACHER, ...allLabels(res)]);
      s[c] = summariseTransfer(mergedTransfer(res, c), { references: false }).filter((r) =>
        keep.has(r.learner)
      );
    }
    cache.set(res, s);
  }
  return s;
}

function seedsOf(res: AttentionResult, label: string) {
  return res.runs.filter((r) => r.label === label);
}

function oneStepStat(res: AttentionResult, label: string, condition: Condition, n: number) {
  const i = res.oneStepIndex.findIndex((o) => o.condition === condition && o.n === n);
  if (i < 0) throw new RangeError(`no one-step evaluation for ${condition}, n = ${n}`);
  const runs = seedsOf(res, label);
  return {
    relErr: geoCI(runs.map((r) => r.result.oneStep[i].relErr)),
    loss: geoCI(runs.map((r) => r.result.oneStep[i].loss)),
  };
}

/** Geometric mean with the 95 % CI of the mean of the logs, mapped back (all values > 0). */
function geoCI(values: number[]): { mean: number; lo: number; hi: number } {
  const ci = meanCI(values.map((v) => Math.log(Math.max(v, 1e-300))));
  return { mean: Math.exp(ci.mean), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi) };
}

/** Loss at wall time `W` of one run: the last logged row at or before W (the first row if none). */
function lossAtWall(rows: { wallSec: number; loss: number }[], W: number): number {
  let v = rows[0].loss;
  for (const r of rows) if (r.wallSec <= W) v = r.loss;
  return v;
}

/** Equal wall time: W = the smallest median training wall time over the learner types. */
function equalWall(res: AttentionResult): { W: number; rows: Row[] } {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const walls = allLabels(res).map((l) => med(seedsOf(res, l).map((r) => r.result.trainWallSec)));
  const W = Math.min(...walls);
  const rows = allLabels(res).map((label, i) => {
    const runs = seedsOf(res, label);
    const losses = runs.map((r) => lossAtWall(r.result.metrics, W));
    const prompts = runs.map((r) => {
      let p = r.result.metrics[0].prompts;
      for (const m of r.result.metrics) if (m.wallSec <= W) p = m.prompts;
      return p;
    });
    const geo = Math.exp(losses.reduce((s, v) => s + Math.log(v), 0) / losses.length);
    return {
      learner: label,
      wallSec: fmtSig(W),
      promptsByThen: fmtSig(prompts.reduce((a, b) => a + b, 0) / prompts.length),
      lossAtWall: fmtSig(geo),
      totalWallSec: fmtSig(walls[i]),
    };
  });
  return { W, rows };
}

/**
 * Tidy tables of notebook 06.
 *
 * @example
 * ```ts
 * const t = tables(res); // { sweep, curves, final, equal_wall, transfer_summary, transfer_final, length, shift, timing }
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
  const labels = CONDITION_LABEL(res);
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
 * ```ts
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
  const labels = CONDITION_LABEL(res);
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

function scoreAt(res: AttentionResult, c: Condition, label: string) {
  const s = transferSummaries(res)[c].find((x) =>
    x.learner === label && x.step === lastStep(res, c)
  )!;
  return { mean: s.score, lo: s.scoreLo, hi: s.scoreHi };
}

/**
 * The generated conclusion (markdown): budget, sweep, per-learner loss / transfer / length /
 * shift numbers, each learner against the restricted LSA block and the teacher.
 *
 * @example
 * ```ts
 * markdown(summary(res));
 * ```
 */
export function summary(res: AttentionResult): string {
  const cfg = res.config;
  const ref = "LSA restricted";
  const prompts = cfg.K * cfg.T;
  const L = lastStep(res, "default");
  const merged = mergedTransfer(res, "default");
  const { W, rows: eqRows } = equalWall(res);
  const lines: string[] = [];
  lines.push(
    `**Budget.** Every learner saw the same ${fmtSig(prompts)} prompts per seed ` +
      `(K = ${cfg.K} MDPs × T = ${cfg.T}, batched B = ${cfg.batch}; the paper trains on 10⁷), ` +
      `${cfg.seeds.length} seeds. LSA: float64 hand gradients; baselines: tfjs float32 autodiff. ` +
      `MLP width chosen by held-out error: **2×${res.mlpWidth}** (sweep: ${
        res.sweep.map((s) => `${s.width} → ${fmtSig(s.relErr)}`).join(", ")
      }).`,
  );
  lines.push(
    "",
    "**Each learner at equal prompts** (training loss = geometric mean over seeds; " +
      `held-out error = Σ‖f − w_SARSA‖²/Σ‖w_SARSA − w‖² at n = 20, geometric mean over seeds; transfer score at step ${L}, ` +
      `paired difference of J against ${ref} over ${cfg.numMdps} unseen MDPs):`,
  );
  const teacherScore = scoreAt(res, "default", TEACHER);
  for (const l of res.learners) {
    const runs = seedsOf(res, l.label);
    const geo = Math.exp(
      runs.reduce((s, r) => s + Math.log(r.result.metrics.at(-1)!.loss), 0) / runs.length,
    );
    const os = oneStepStat(res, l.label, "default", 20);
    const sc = scoreAt(res, "default", l.label);
    const pps = runs.reduce((s, r) => s + r.result.prompts / r.result.trainWallSec, 0) /
      runs.length;
    let vs = "";
    if (l.label !== ref) {
      const d = pairedDifference(merged, l.label, ref, [L])[0];
      const sig = d.lo > 0 ? "better than" : d.hi < 0 ? "worse than" : "indistinguishable from";
      vs = `; J − ${ref}: ${fmtCI(d, 4)} (${sig} ${ref})`;
    }
    lines.push(
      `- **${l.label}** (${fmtSig(l.paramCount)} parameters, ${fmtSig(pps)} prompts/s${
        l.equalWall ? `, ${fmtSig(runs[0].result.prompts)} prompts — the ≈ equal-wall-time run` : ""
      }): loss ${fmtSig(geo)}, held-out error ${fmtCI(os.relErr, 4)}, score ${fmtCI(sc)}${vs}.`,
    );
  }
  const dT = pairedDifference(merged, ref, TEACHER, [L])[0];
  lines.push(
    `- **${TEACHER}**: score ${fmtCI(teacherScore)}; ${ref} − teacher in J: ${fmtCI(dT, 4)}.`,
  );
  lines.push(
    "",
    `**Equal wall time.** At W = ${fmtSig(W)} s of training (the fastest learner type's whole ` +
      `budget), loss: ${eqRows.map((r) => `${r.learner} ${r.lossAtWall}`).join("; ")}. ` +
      `Median training wall time of each whole run: ${
        eqRows.map((r) => `${r.learner} ${r.totalWallSec} s`).join("; ")
      } (two runs at a time on 2 shared cores, so wall times are indicative).`,
  );
  const nMin = Math.min(...cfg.lengths), nMax = Math.max(...cfg.lengths);
  lines.push(
    "",
    `**Length generalisation** (held-out error at n = ${nMin} / 20 / ${nMax}; 1 = no better than ` +
      `leaving w unchanged; the MLP zero-pads shorter prompts and keeps the first 20 tokens of ` +
      `longer ones): ${
        res.learners.map((l) =>
          `${l.label} ${
            [nMin, 20, nMax].map((n) => fmtSig(oneStepStat(res, l.label, "default", n).relErr.mean))
              .join(" / ")
          }`
        ).join("; ")
      }.`,
  );
  const labels = CONDITION_LABEL(res);
  for (const c of ["nS", "gamma"] as Condition[]) {
    lines.push(
      "",
      `**Shift ${labels[c]}** (held-out error; transfer score at step ${lastStep(res, c)}, ` +
        `teacher ${fmtCI(scoreAt(res, c, TEACHER))}): ${
          res.learners.map((l) =>
            `${l.label} ${fmtSig(oneStepStat(res, l.label, c, 20).relErr.mean)}, ${
              fmtFixed(scoreAt(res, c, l.label).mean)
            }`
          ).join("; ")
        }.`,
    );
  }
  // Ranking sentence.
  const others = res.learners.filter((l) => l.family !== "lsa");
  const refErr = oneStepStat(res, ref, "default", 20).relErr.mean;
  const best = [...others].sort((a, b) =>
    oneStepStat(res, a.label, "default", 20).relErr.mean -
    oneStepStat(res, b.label, "default", 20).relErr.mean
  )[0];
  const bestErr = oneStepStat(res, best.label, "default", 20).relErr.mean;
  lines.push(
    "",
    `**Finding.** At equal prompts the best non-linear-attention learner is ${best.label} ` +
      `(held-out error ${fmtSig(bestErr)} vs ${fmtSig(refErr)} for ${ref}, ratio ${
        fmtSig(bestErr / refErr)
      }).`,
  );
  const ratio = (label: string, n: number) =>
    oneStepStat(res, label, "default", n).relErr.mean /
    oneStepStat(res, label, "default", 20).relErr.mean;
  const nearOne = res.learners.filter((l) =>
    oneStepStat(res, l.label, "default", 20).relErr.mean >= 0.95
  );
  if (nearOne.length > 0) {
    lines.push(
      `At this budget ${nearOne.map((l) => l.label).join(", ")} explain less than 5 % of the ` +
        `teacher's update (held-out error ≥ 0.95): they learned little beyond an average update ` +
        `(width, state size and the MATH §6 learning-rate schedule as configured; no further tuning).`,
    );
  }
  const span = (label: string) =>
    [nMin, nMax].map((n) => `×${fmtSig(ratio(label, n))}`).join(" / ");
  lines.push(
    `Relative to its own n = 20 error, the held-out error at n = ${nMin} / ${nMax} is ${
      res.learners.map((l) => `${l.label} ${span(l.label)}`).join("; ")
    } (the LSA update is defined for every n; the MLP only sees 20 token slots).`,
  );
  for (const c of ["nS", "gamma"] as Condition[]) {
    const below = res.learners.filter((l) =>
      scoreAt(res, c, l.label).hi < scoreAt(res, c, TEACHER).lo
    );
    lines.push(
      `Under the shift ${labels[c]}, transfer scores significantly below the teacher's (CIs ` +
        `disjoint): ${below.length ? below.map((l) => l.label).join(", ") : "none"}.`,
    );
  }
  return lines.join("\n");
}
