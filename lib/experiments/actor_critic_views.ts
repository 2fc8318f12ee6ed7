/**
 * Views of experiment 4's result (`actor_critic.ts`): the tidy tables written to `data/04_*`, the
 * figures, the manifest fields and the generated text (the step-size pick and the conclusion).
 * Pure functions of the result; only the plotted columns go into each chart's data.
 *
 * @module
 */

import { pairedDifference, summariseTransfer } from "../transfer/mod.ts";
import { concatCharts, fmtCI, fmtFixed, groupedBars, lineChart, type Row } from "../report/mod.ts";
import { closedLoopCurve, closedLoopTable, fmtScoreCI, perSeedClosedLoop } from "./closed_loop.ts";
import {
  earlyStep,
  stepSizesLabel,
  sweepDifference,
  sweepName,
  sweepRows,
} from "./actor_critic_sweep.ts";
import { AC_CONSTRUCTED, AC_TEACHER, type ActorCriticResult } from "./actor_critic.ts";
import type { Figures } from "./shape.ts";
import { learnedBlocks, trainingCurves } from "./training_views.ts";

/**
 * The tables of notebook 04, by file name (`data/04_<name>`): the sweep (tidy and formatted), the
 * construction errors, the training metrics and final per-seed metrics, the closed loop's rows,
 * MDPs and summary, the table at `tableSteps`, the paired differences to the teacher and the
 * per-seed spread.
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * import { tables } from "./actor_critic_views.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * tables(res).transfer_table; // [{ step: 0, trained: "… […, …]", … }, …]
 * ```
 */
export function tables(res: ActorCriticResult): Record<string, Row[]> {
  const cfg = res.config;
  const sweepTidy = sweepRows(res.sweep) as Row[];
  const lastSweep = res.sweep.config.updates;
  const mid = earlyStep(res.sweep);
  const def = res.config.specDefault;
  const sweepAt = (name: string, step: number) =>
    sweepTidy.find((r) => r.setting === name && r.step === step)! as unknown as {
      score: number;
      scoreLo: number;
      scoreHi: number;
    };
  const summary = summariseTransfer(res.transfer);
  const names = { trained: res.trainedName, teacher: AC_TEACHER, constructed: AC_CONSTRUCTED };
  return {
    step_size_sweep: sweepTidy,
    step_size_sweep_table: res.sweep.settings.map((s) => {
      const vsDefault = sweepDifference(res.sweep, s.name, sweepName(def));
      return {
        alpha: s.alpha,
        beta: s.beta,
        [`score @${mid}`]: fmtScoreCI(sweepAt(s.name, mid)),
        [`score @${lastSweep}`]: fmtScoreCI(sweepAt(s.name, lastSweep)),
        [`ΔJ vs ${stepSizesLabel(def)} @${lastSweep}`]: vsDefault ? fmtCI(vsDefault) : "—",
        [`ΔJ vs picked @${lastSweep}`]: fmtCI(sweepDifference(res.sweep, s.name, res.picked.name)!),
      };
    }),
    construction_errors: res.construction,
    metrics: res.training.metrics,
    final_per_seed: res.training.perSeed,
    transfer_rows: res.transfer.rows,
    transfer_mdps: res.transfer.mdps,
    transfer_summary: summary,
    transfer_table: closedLoopTable(res.transfer, summary, {
      ...names,
      teacherColumn: AC_TEACHER,
      steps: cfg.tableSteps,
      diffDecimals: 4,
      teacherScore: true,
    }),
    paired_minus_teacher: [
      ...pairedDifference(res.transfer, res.trainedName, AC_TEACHER, cfg.tableSteps),
      ...pairedDifference(res.transfer, AC_CONSTRUCTED, AC_TEACHER, cfg.tableSteps),
    ],
    per_seed_final: perSeedClosedLoop(
      res.transfer,
      summary,
      [...res.trainedNames, AC_TEACHER, AC_CONSTRUCTED],
      cfg.transfer.updates,
      AC_TEACHER,
    ),
  };
}

const VARIANTS = ["θ⋆ (c=1)", "c=3.7", "c=−0.5", "perturbed", "random"];
const PRECISIONS = ["float64", "float32 (tfjs)"];

/**
 * The construction check condensed for display: max relative error per (variant, precision).
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * import { constructionSummary } from "./actor_critic_views.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * constructionSummary(res).length; // 10 (5 variants × 2 precisions)
 * ```
 */
export function constructionSummary(res: ActorCriticResult): Row[] {
  return VARIANTS.flatMap((variant) =>
    PRECISIONS.map((precision) => ({
      variant,
      precision,
      maxRelErr: Math.max(
        ...res.construction.filter((r) => r.variant === variant && r.precision === precision)
          .map((r) => r.relErr),
      ),
    }))
  );
}

/**
 * The figures of notebook 04: `step_size_sweep`, `convergence_curves`, `learned_blocks`,
 * `transfer_J`, `transfer_score`.
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * import { figures } from "./actor_critic_views.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * Object.keys(figures(res)); // ["step_size_sweep", "convergence_curves", …]
 * ```
 */
export function figures(res: ActorCriticResult): Figures {
  const cfg = res.config;
  const sw = res.sweep.config;
  const tidy = sweepRows(res.sweep);
  const task = res.task;
  const seeds = res.trainedNames.length;
  const summary = summariseTransfer(res.transfer);
  const shown = [res.trainedName, AC_TEACHER, AC_CONSTRUCTED, "oracle", "random"];
  return {
    step_size_sweep: concatCharts([
      lineChart({
        rows: tidy.map((r) => ({
          step: r.step,
          score: r.score,
          β: `β = ${r.beta}`,
          α: `α = ${r.alpha}`,
        })),
        x: "step",
        y: "score",
        color: "β",
        colorOrder: sw.betas.map((b) => `β = ${b}`),
        strokeDash: "α",
        title: "AC teacher in closed loop: normalised score vs update",
        subtitle: `${sw.numMdps} sweep MDPs, mean over MDPs (CIs in the bar chart)`,
        xTitle: "in-context updates (prompts of n = 20 transitions)",
        yTitle: "(J − J_random)/(J_oracle − J_random)",
        width: 400,
        height: 260,
      }),
      groupedBars({
        rows: tidy.filter((r) => r.step === sw.updates).map((r) => ({
          α: `α = ${r.alpha}`,
          β: `β = ${r.beta}`,
          score: r.score,
          scoreLo: r.scoreLo,
          scoreHi: r.scoreHi,
        })),
        x: "α",
        y: "score",
        group: "β",
        lower: "scoreLo",
        upper: "scoreHi",
        xOrder: sw.alphas.map((a) => `α = ${a}`),
        groupOrder: sw.betas.map((b) => `β = ${b}`),
        title: `Score after ${sw.updates} updates`,
        subtitle: `mean ± 95 % CI over MDPs; picked: ${res.picked.name}`,
        xTitle: "critic step α",
        yTitle: "normalised score",
        width: 340,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    convergence_curves: trainingCurves({
      metrics: res.training.metrics,
      cRows: res.training.metrics.map((r) => ({
        prompts: r.prompts,
        cP: r.cP,
        seed: `seed ${r.seed}`,
      })),
      loss: {
        title: "Training loss (AC block)",
        subtitle: `${seeds} seeds, α = ${task.alpha}, β = ${task.beta}`,
        yTitle: "loss ½‖TF − AC teacher‖² (per prompt)",
      },
      dist: {
        title: "Distance to the AC construction's manifold",
        yTitle: "relative distance of V̄21⊗P12",
      },
      width: 340,
      height: 240,
    }),
    learned_blocks: learnedBlocks(
      res.training.blockRows,
      `Learned AC blocks vs construction (seed ${res.training.blockSeed}, c = ${
        fmtFixed(res.training.blockC, 4)
      })`,
      4,
    ),
    transfer_J: closedLoopCurve(summary, {
      shown,
      y: "J",
      title: "Return of π_λ on unseen MDPs (actor–critic)",
      subtitle: `${seeds} trained blocks × ${cfg.transfer.numMdps} test MDPs; α = ${task.alpha}, ` +
        `β = ${task.beta}; mean ± 95 % CI over MDPs`,
      xTitle: "in-context updates (prompts of n = 20 transitions)",
      yTitle: "J(π_λ) = p0ᵀ v_π (exact)",
      width: 520,
      height: 300,
    }),
    transfer_score: closedLoopCurve(summary, {
      shown,
      y: "score",
      title: "Normalised score (J − J_random)/(J_oracle − J_random) (actor–critic)",
      subtitle: `${seeds} trained blocks × ${cfg.transfer.numMdps} test MDPs; mean ± 95 % CI`,
      xTitle: "in-context updates",
      yTitle: "normalised score",
      width: 520,
      height: 300,
    }),
  };
}

/**
 * Manifest fields of the run (config, pick, seeds, per-seed metrics and timings).
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * import { manifest } from "./actor_critic_views.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * manifest(res).seeds; // { training: [0], sweep: 4004, eval: 1 }
 * ```
 */
export function manifest(res: ActorCriticResult) {
  const { training: _streams, ...evalConfig } = res.transfer.config;
  return {
    config: { ...res.config, picked: res.picked, task: res.task, transfer: evalConfig } as Record<
      string,
      unknown
    >,
    seeds: {
      training: res.config.seeds,
      sweep: res.config.sweep.seed,
      eval: res.config.transfer.seed,
    },
    extra: {
      sweepWallSec: res.sweep.result.wallTimeSec,
      trainWallSec: res.training.wallTimeSec,
      evalWallSec: res.transfer.wallTimeSec,
      perSeed: res.training.perSeed,
      timing: res.training.timing,
      saved: res.saved,
    },
  };
}
