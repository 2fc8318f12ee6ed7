/**
 * Views of experiment 3's result (`transfer_exp.ts`): the tidy tables written to `data/03_*`, the
 * figures, the manifest fields and the generated conclusion. Pure functions of the result.
 *
 * @module
 */

import { pairedDifference, summariseTransfer, type TransferSummaryRow } from "../transfer/mod.ts";
import { concatCharts, fmtCI, fmtFixed, fmtPct, lineChart, type Row } from "../report/mod.ts";
import {
  atStep,
  closedLoopCurve,
  closedLoopTable,
  fmtScoreCI,
  perSeedClosedLoop,
} from "./closed_loop.ts";
import type { Figures } from "./shape.ts";
import { CONSTRUCTED, TEACHER, type TransferExpResult } from "./transfer_exp.ts";

const ORACLE = "oracle";
const RANDOM = "random";

function budgetSummary(res: TransferExpResult, summary: TransferSummaryRow[]) {
  return [
    ...summariseTransfer(res.budget.result, { references: false }).filter((r) =>
      res.budget.names.includes(r.learner)
    ),
    ...summary.filter((r) => r.learner === res.trainedName || r.learner === TEACHER),
  ];
}

/**
 * The tables of notebook 03, by file name (`data/03_<name>`): the closed loop's raw rows, test
 * MDPs and summary, the table at `tableSteps`, the paired difference trained − teacher, the
 * per-seed spread at the last update, and the budget sensitivity (summary and training runs).
 *
 * @example
 * ```ts
 * import { run, transferTiny } from "./transfer_exp.ts";
 * import { tables } from "./transfer_exp_views.ts";
 * const res = await run(transferTiny); // notebook 02's saved blocks (this run's, else committed)
 * tables(res).transfer_table; // [{ step: 0, trained: "… […, …]", … }, …]
 * ```
 */
export function tables(res: TransferExpResult): Record<string, Row[]> {
  const cfg = res.config;
  const summary = summariseTransfer(res.transfer);
  return {
    transfer_rows: res.transfer.rows,
    transfer_mdps: res.transfer.mdps,
    transfer_summary: summary,
    transfer_table: closedLoopTable(res.transfer, summary, {
      trained: res.trainedName,
      teacher: TEACHER,
      constructed: CONSTRUCTED,
      teacherColumn: "teacher",
      steps: cfg.tableSteps,
      diffDecimals: 3,
      teacherScore: false,
    }),
    paired_trained_minus_teacher: pairedDifference(
      res.transfer,
      res.trainedName,
      TEACHER,
      cfg.tableSteps,
    ),
    per_seed_final: perSeedClosedLoop(
      res.transfer,
      summary,
      [...res.trainedNames, TEACHER],
      cfg.updates,
    ),
    budget_summary: budgetSummary(res, summary),
    budget_training: res.budget.training,
  };
}

/**
 * The figures of notebook 03: `transfer` (J and normalised score vs update, mean ± 95 % CI over
 * test MDPs) and `budget` (normalised score of the smaller-budget blocks).
 *
 * @example
 * ```ts
 * import { run, transferTiny } from "./transfer_exp.ts";
 * import { figures } from "./transfer_exp_views.ts";
 * const res = await run(transferTiny); // notebook 02's saved blocks (this run's, else committed)
 * Object.keys(figures(res)); // ["transfer", "budget"]
 * ```
 */
export function figures(res: TransferExpResult): Figures {
  const summary = summariseTransfer(res.transfer);
  const shown = [res.trainedName, TEACHER, CONSTRUCTED, ORACLE, RANDOM];
  const size = { width: 420, height: 280 };
  const budget = budgetSummary(res, summary).map((r) => ({
    learner: r.learner,
    step: r.step,
    score: r.score,
    scoreLo: r.scoreLo,
    scoreHi: r.scoreHi,
  }));
  return {
    transfer: concatCharts([
      closedLoopCurve(summary, {
        shown,
        y: "J",
        title: "Return of the greedy policy of w on unseen MDPs",
        subtitle: `${res.blocks.length} trained blocks × ${res.config.numMdps} test MDPs; ` +
          `mean ± 95 % CI over MDPs`,
        xTitle: "in-context updates (prompts of n = 20 transitions)",
        yTitle: "J = p0ᵀ v_π (exact)",
        ...size,
      }),
      closedLoopCurve(summary, {
        shown,
        y: "score",
        title: "Normalised score (J − J_random)/(J_oracle − J_random)",
        xTitle: "in-context updates",
        yTitle: "normalised score",
        ...size,
      }),
    ], { direction: "horizontal" }),
    budget: lineChart({
      rows: budget,
      x: "step",
      y: "score",
      lower: "scoreLo",
      upper: "scoreHi",
      color: "learner",
      colorOrder: [...res.budget.names, res.trainedName, TEACHER],
      title: "Transfer vs training budget",
      subtitle: `normalised score, mean ± 95 % CI over ${res.config.numMdps} test MDPs`,
      xTitle: "in-context updates",
      yTitle: "normalised score",
      width: 520,
      height: 280,
    }),
  };
}

/**
 * Manifest fields of the run (config, seeds, the blocks used, throughput) for `writeManifest`.
 *
 * @example
 * ```ts
 * import { run, transferTiny } from "./transfer_exp.ts";
 * import { manifest } from "./transfer_exp_views.ts";
 * const res = await run(transferTiny); // notebook 02's saved blocks (this run's, else committed)
 * manifest(res).seeds; // { training: [0], eval: 31415, budget: [100] }
 * ```
 */
export function manifest(res: TransferExpResult) {
  const { training: _streams, ...evalConfig } = res.transfer.config;
  return {
    config: { ...res.config, transfer: evalConfig, task: res.task } as Record<string, unknown>,
    seeds: {
      training: res.config.blocks.seeds,
      eval: res.config.evalSeed,
      budget: res.config.budget.seeds,
    },
    extra: {
      source: res.source,
      models: res.blocks.map((b) => ({ seed: b.seed, K: b.K, T: b.T })),
      prompts: res.transfer.prompts,
      promptsPerSec: res.transfer.promptsPerSec,
    },
  };
}

/**
 * The conclusion of notebook 03 as Markdown, quoting only numbers of `res`.
 *
 * @example
 * ```ts
 * import { run, transferTiny } from "./transfer_exp.ts";
 * import { summary } from "./transfer_exp_views.ts";
 * const res = await run(transferTiny); // notebook 02's saved blocks (this run's, else committed)
 * summary(res); // "**Measured** (1 trained blocks × 2 unseen MDPs, 2 updates; …"
 * ```
 */
export function summary(res: TransferExpResult): string {
  const s = summariseTransfer(res.transfer);
  const last = res.config.updates;
  const at = (name: string, step = last) => atStep(s, name, step);
  const f = (x: number) => fmtFixed(x, 3);
  const tr = at(res.trainedName), te = at(TEACHER);
  const d = pairedDifference(res.transfer, res.trainedName, TEACHER, [last])[0];
  const budget = summariseTransfer(res.budget.result, { references: false });
  const budgetText = res.budget.names.map((name, i) => {
    const r = atStep(budget, name, last);
    const { K, T } = res.config.budget.sizes[i];
    return `K=${K}, T=${T}: ${fmtScoreCI(r)}`;
  }).join("; ");
  const better = d.hi < 0
    ? "the trained block is significantly **below** the teacher"
    : d.lo > 0
    ? "the trained block is significantly **above** the teacher"
    : "the CI contains 0: trained block and teacher are **indistinguishable**";
  return `**Measured** (${res.blocks.length} trained blocks × ${res.config.numMdps} unseen MDPs, ${last} updates; ${res.source}):
- at step 0 every learner has J = ${f(at(res.trainedName, 0).mean)} (same initial w); oracle ${
    f(at(ORACLE, 0).mean)
  }, random ${f(at(RANDOM, 0).mean)};
- at step ${last}: trained block J = **${fmtCI(tr)}**, SARSA teacher ${fmtCI(te)}, constructed θ⋆ ${
    fmtCI(at(CONSTRUCTED))
  }; normalised score of the trained block **${f(tr.score)}** (teacher ${f(te.score)});
- paired difference trained − teacher at step ${last}: ${fmtCI(d, 4)} (trained better on ${
    fmtPct(d.aWins, 0)
  } of MDPs) — ${better};
- smaller training budgets, normalised score at step ${last}: ${budgetText};
- evaluation throughput ${fmtFixed(res.transfer.promptsPerSec, 0)} prompts/s; run wall time ${
    fmtFixed(res.wallTimeSec, 0)
  } s.`;
}
