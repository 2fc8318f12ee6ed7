/**
 * The step-size sweep of experiment 4 (MATH §3, §8.4): the actor–critic **teacher** in closed loop
 * for every (α, β) of a grid, on the same MDPs with common random numbers, so the block is trained to
 * imitate the best teacher. Also merging transfer results evaluated on the same MDPs.
 *
 * @module
 */

import type { Row } from "../core/aggregate.ts";
import {
  evaluateTransfer,
  pairedDifference,
  type PairedDifferenceRow,
  recordGrid,
  summariseTransfer,
  teacherLearner,
  type TrainingStreams,
  transferConfig,
  type TransferResult,
  type TransferRow,
} from "../transfer/mod.ts";
import type { TaskSpec } from "../train/mod.ts";
import { type StepSizes, validateStepSizes } from "../icrl/mod.ts";

export type { StepSizes } from "../icrl/mod.ts";
import { assertInt, assertKnownKeys, assertNumber } from "../core/validate.ts";

/** The AC teacher's closed-loop sweep over (α, β) (MATH §8.4; evaluated as in §8.3). */
export interface StepSizeSweepConfig {
  /** Critic steps α to try. */
  alphas: number[];
  /** Actor steps β to try. */
  betas: number[];
  /** Test MDPs per setting (the same MDPs for every setting). */
  numMdps: number;
  /** Updates per MDP. */
  updates: number;
  /** J recorded every this many updates (and at `updates`). */
  recordEvery: number;
  /** Evaluation seed. */
  seed: number;
  /** Stream family of the sweep's MDPs — distinct from the final test MDPs' ("transfer-test"). */
  streamLabel: string;
}

/**
 * The learner name of one sweep setting, e.g. `"α=0.2, β=1"`.
 *
 * @example
 * ```ts
 * import { sweepName } from "./actor_critic_sweep.ts";
 * if (sweepName({ alpha: 0.2, beta: 1 }) !== "α=0.2, β=1") throw new Error();
 * ```
 */
export function sweepName(steps: StepSizes): string {
  validateStepSizes(steps);
  return `α=${steps.alpha}, β=${steps.beta}`;
}

/** Result of {@linkcode stepSizeSweep}. */
export interface StepSizeSweep {
  /** The sweep's configuration. */
  config: StepSizeSweepConfig;
  /** The grid, in evaluation order (α-major). */
  settings: (StepSizes & { name: string })[];
  /**
   * All settings in one transfer result: learner `sweepName(α, β)` is the AC teacher with those
   * step sizes, on the same MDPs (so `summariseTransfer` and `pairedDifference` apply directly).
   */
  result: TransferResult;
}

/**
 * Closed-loop score of the AC **teacher** (MATH §3: `θ ← (w_AC, λ_AC)`, softmax behaviour, J of
 * `π_λ`) for every (α, β) of the grid, on the same test MDPs and initial θ, with a shared rollout
 * stream per MDP (common random numbers). With `training`, the sweep's MDP streams are asserted
 * disjoint from the training streams.
 *
 * @example
 * ```ts
 * import { stepSizeSweep } from "./actor_critic_sweep.ts";
 * import { actorCriticTiny } from "./actor_critic.ts";
 * const tiny = { ...actorCriticTiny.sweep, alphas: [0.2] }; // β ∈ {0.2, 1}
 * const sw = await stepSizeSweep(tiny);
 * sw.result.learners; // ["α=0.2, β=0.2", "α=0.2, β=1"]
 * ```
 */
export async function stepSizeSweep(
  config: StepSizeSweepConfig,
  task: Partial<TaskSpec> = {},
  training?: TrainingStreams,
  onProgress?: (done: number, total: number) => void,
): Promise<StepSizeSweep> {
  assertKnownKeys("sweep", config, [
    "alphas",
    "betas",
    "numMdps",
    "updates",
    "recordEvery",
    "seed",
    "streamLabel",
  ]);
  if (!Array.isArray(config.alphas) || config.alphas.length === 0) {
    throw new RangeError("sweep.alphas must be a non-empty array");
  }
  if (!Array.isArray(config.betas) || config.betas.length === 0) {
    throw new RangeError("sweep.betas must be a non-empty array");
  }
  config.alphas.forEach((a, i) => assertNumber(`sweep.alphas[${i}]`, a, 0));
  config.betas.forEach((b, i) => assertNumber(`sweep.betas[${i}]`, b, 0));
  assertInt("sweep.recordEvery", config.recordEvery, 1);
  const settings = config.alphas.flatMap((alpha) =>
    config.betas.map((beta) => ({ alpha, beta, name: sweepName({ alpha, beta }) }))
  );
  const names = new Set(settings.map((s) => s.name));
  if (names.size !== settings.length) throw new RangeError("sweep grid has duplicate settings");
  const parts: TransferResult[] = [];
  const per = config.numMdps * config.updates;
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    const cfg = transferConfig({
      task: { ...task, kind: "ac", alpha: s.alpha, beta: s.beta },
      numMdps: config.numMdps,
      updates: config.updates,
      recordAt: recordGrid(config.updates, config.recordEvery),
      seed: config.seed,
      streamLabel: config.streamLabel,
      rolloutStreams: "shared",
      training: i === 0 ? training : undefined, // same streams for every setting: check once
    });
    parts.push(
      await evaluateTransfer(
        cfg,
        [teacherLearner(s.name)],
        onProgress && ((d) => onProgress(i * per + d, settings.length * per)),
      ),
    );
  }
  return { config, settings, result: mergeTransferResults(parts) };
}

/**
 * Merge transfer results evaluated on the **same** test MDPs (same seed, stream label, number of
 * MDPs, updates and recorded steps; the task's α, β and ε may differ) into one result holding every
 * learner. Throws if the MDPs' reference returns differ or a learner name repeats.
 *
 * @example
 * ```ts
 * import { mergeTransferResults, stepSizeSweep } from "./actor_critic_sweep.ts";
 * import { actorCriticTiny } from "./actor_critic.ts";
 * const tiny = { ...actorCriticTiny.sweep, alphas: [0.2] }; // β ∈ {0.2, 1}
 * const a = await stepSizeSweep({ ...tiny, betas: [0.2] });
 * const b = await stepSizeSweep({ ...tiny, betas: [1] });
 * mergeTransferResults([a.result, b.result]).learners; // ["α=0.2, β=0.2", "α=0.2, β=1"]
 * ```
 */
export function mergeTransferResults(parts: readonly TransferResult[]): TransferResult {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new RangeError("mergeTransferResults needs at least one result");
  }
  const first = parts[0];
  const c0 = first.config;
  const learners: string[] = [];
  const rows: TransferRow[] = [];
  let prompts = 0, wallTimeSec = 0;
  parts.forEach((p, i) => {
    const c = p.config;
    const same = c.seed === c0.seed && c.streamLabel === c0.streamLabel &&
      c.numMdps === c0.numMdps && c.updates === c0.updates &&
      c.recordAt.join(",") === c0.recordAt.join(",") && c.task.kind === c0.task.kind &&
      c.task.nS === c0.task.nS && c.task.nA === c0.task.nA && c.task.d === c0.task.d &&
      c.task.dPsi === c0.task.dPsi && c.task.gamma === c0.task.gamma;
    if (!same) {
      throw new RangeError(
        `result ${i} was not evaluated on the same test MDPs / steps as result 0 ` +
          `(seed, streamLabel, numMdps, updates, recordAt and the MDP settings must match)`,
      );
    }
    for (let j = 0; j < p.mdps.length; j++) {
      const a = p.mdps[j], b = first.mdps[j];
      if (a.mdp !== b.mdp || a.oracle !== b.oracle || a.random !== b.random) {
        throw new RangeError(`result ${i}: test MDP ${a.mdp} differs from result 0's`);
      }
    }
    for (const name of p.learners) {
      if (learners.includes(name)) throw new RangeError(`duplicate learner name "${name}"`);
      learners.push(name);
    }
    rows.push(...p.rows);
    prompts += p.prompts;
    wallTimeSec += p.wallTimeSec;
  });
  return {
    config: c0,
    learners,
    rows,
    mdps: first.mdps,
    prompts,
    wallTimeSec,
    promptsPerSec: prompts / Math.max(wallTimeSec, 1e-9),
  };
}

/**
 * Tidy table of the sweep at every recorded step: `{alpha, beta, setting, step, score, scoreLo,
 * scoreHi, J, lo, hi}` (means and 95 % CIs over the sweep's MDPs).
 *
 * @example
 * ```ts
 * import { stepSizeSweep, sweepRows } from "./actor_critic_sweep.ts";
 * import { actorCriticTiny } from "./actor_critic.ts";
 * const tiny = { ...actorCriticTiny.sweep, alphas: [0.2] }; // β ∈ {0.2, 1}
 * const rows = sweepRows(await stepSizeSweep(tiny)).filter((r) => r.step === 4);
 * ```
 */
export function sweepRows(sweep: StepSizeSweep): Row[] {
  const summary = summariseTransfer(sweep.result, { references: false });
  return sweep.settings.flatMap((s) =>
    summary.filter((r) => r.learner === s.name).map((r) => ({
      alpha: s.alpha,
      beta: s.beta,
      setting: s.name,
      step: r.step,
      score: r.score,
      scoreLo: r.scoreLo,
      scoreHi: r.scoreHi,
      J: r.mean,
      lo: r.lo,
      hi: r.hi,
    }))
  );
}

/**
 * The setting with the highest mean normalised score at `step` (default: the last update); ties go
 * to the earlier setting of the grid.
 *
 * @example
 * ```ts
 * import { bestStepSizes, stepSizeSweep } from "./actor_critic_sweep.ts";
 * import { actorCriticTiny } from "./actor_critic.ts";
 * const tiny = { ...actorCriticTiny.sweep, alphas: [0.2] }; // β ∈ {0.2, 1}
 * const best = bestStepSizes(await stepSizeSweep(tiny)); // { alpha, beta, name, score }
 * ```
 */
export function bestStepSizes(
  sweep: StepSizeSweep,
  step = sweep.config.updates,
): StepSizes & { name: string; score: number } {
  const rows = sweepRows(sweep).filter((r) => r.step === step);
  if (rows.length === 0) {
    throw new RangeError(`step ${step} was not recorded in the sweep`);
  }
  let best = rows[0];
  for (const r of rows) if ((r.score as number) > (best.score as number)) best = r;
  return {
    alpha: best.alpha as number,
    beta: best.beta as number,
    name: best.setting as string,
    score: best.score as number,
  };
}

/**
 * Paired ΔJ (setting `name` − reference `ref`) over the sweep's MDPs at `step` (default: the last
 * update), or `null` if `ref` is not in the grid.
 *
 * @example
 * ```ts
 * import { stepSizeSweep, sweepDifference } from "./actor_critic_sweep.ts";
 * import { actorCriticTiny } from "./actor_critic.ts";
 * const tiny = { ...actorCriticTiny.sweep, alphas: [0.2] }; // β ∈ {0.2, 1}
 * const sw = await stepSizeSweep(tiny);
 * sweepDifference(sw, "α=0.2, β=1", "α=0.2, β=0.2")!.mean; // J(β = 1) − J(β = 0.2)
 * if (sweepDifference(sw, "α=0.2, β=1", "α=9, β=9") !== null) throw new Error();
 * ```
 */
export function sweepDifference(
  sweep: StepSizeSweep,
  name: string,
  ref: string,
  step = sweep.config.updates,
): PairedDifferenceRow | null {
  if (!sweep.settings.some((s) => s.name === ref)) return null;
  return pairedDifference(sweep.result, name, ref, [step])[0];
}

/**
 * The recorded sweep step closest to a quarter of the updates (the sweep table's early column;
 * ties go to the earlier step).
 *
 * @example
 * ```ts
 * import { earlyStep } from "./actor_critic_sweep.ts";
 * const sw = { config: { updates: 400, recordEvery: 10 } } as never;
 * if (earlyStep(sw) !== 100) throw new Error();
 * ```
 */
export function earlyStep(sweep: StepSizeSweep): number {
  const last = sweep.config.updates;
  return recordGrid(last, sweep.config.recordEvery).reduce((a, b) =>
    Math.abs(b - last / 4) < Math.abs(a - last / 4) ? b : a
  );
}

/**
 * Settings statistically tied with `best`: their paired ΔJ to it at the last update is not
 * significantly negative (upper CI end ≥ 0). `best` itself is always included.
 *
 * @example
 * ```ts
 * import { bestStepSizes, stepSizeSweep, tiedWith } from "./actor_critic_sweep.ts";
 * import { actorCriticTiny } from "./actor_critic.ts";
 * const tiny = { ...actorCriticTiny.sweep, alphas: [0.2] }; // β ∈ {0.2, 1}
 * const sw = await stepSizeSweep(tiny);
 * tiedWith(sw, bestStepSizes(sw).name); // includes the best setting's name
 * ```
 */
export function tiedWith(sweep: StepSizeSweep, best: string): string[] {
  return sweep.settings.filter((s) => sweepDifference(sweep, s.name, best)!.hi >= 0)
    .map((s) => s.name);
}

/**
 * A short label for a step-size pair: `"α=β=0.2"` when equal, else {@linkcode sweepName}.
 *
 * @example
 * ```ts
 * import { stepSizesLabel } from "./actor_critic_sweep.ts";
 * if (stepSizesLabel({ alpha: 0.2, beta: 0.2 }) !== "α=β=0.2") throw new Error();
 * ```
 */
export function stepSizesLabel(steps: StepSizes): string {
  return steps.alpha === steps.beta ? `α=β=${steps.alpha}` : sweepName(steps);
}
