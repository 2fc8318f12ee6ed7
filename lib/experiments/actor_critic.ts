/**
 * Experiment 4 (MATH §3, §5, §6, §8.4; [LL26] Thm 3.3): the actor–critic block. Settings per scale,
 * the step-size sweep of the AC **teacher** (which α, β to imitate), and the training configs built
 * from the picked step sizes.
 *
 * @module
 */

import type { Row } from "../core/aggregate.ts";
import { type TrainConfig, trainConfig } from "../train/train.ts";
import {
  evaluateTransfer,
  recordGrid,
  summariseTransfer,
  teacherLearner,
  type TrainingStreams,
  transferConfig,
  type TransferResult,
  type TransferRow,
} from "../transfer/mod.ts";
import { DEFAULT_TASK, type TaskSpec } from "../icrl/mod.ts";
import { assertInt, assertKnownKeys, assertNumber } from "../core/validate.ts";

/** Every knob of notebook 04 for one scale (training and evaluation; α, β come from the sweep). */
export interface ActorCriticSettings {
  /** The AC task before the step sizes are picked (MATH §1–§3 defaults, `kind: "ac"`). */
  task: TaskSpec;
  /** Step-size sweep of the AC teacher. */
  sweep: StepSizeSweepConfig;
  /** Construction check: prompt lengths, feature dimensions and instances per point. */
  construction: { ns: number[]; ds: number[]; trials: number };
  /** Training seeds (≥ 10 at paper scale so the transfer has ≥ 10 independently trained blocks). */
  seeds: number[];
  /** Training MDPs per seed. */
  K: number;
  /** Iterations per MDP. */
  T: number;
  /** MDPs advanced side by side per Adam step. */
  batch: number;
  /** Adam learning rate (MATH §6: 1e-3). */
  lr: number;
  /** Optimiser steps between metric rows. */
  logEvery: number;
  /** Closed-loop evaluation: test MDPs, updates, J recorded every `recordEvery` updates, seed. */
  transfer: { numMdps: number; updates: number; recordEvery: number; seed: number };
}

/** One point of the step-size sweep grid. */
export interface StepSizes {
  /** Critic step α. */
  alpha: number;
  /** Actor step β. */
  beta: number;
}

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
 * The settings of notebook 04. `paper`: K = 2 048, T = 500 (≈ 10⁶ prompts per seed — a tenth of
 * SARSA's 10⁷, to fit 10 seeds in the notebook's ~10-minute budget; it already reaches |cos| ≥ 0.999
 * with the construction), B = 64, 10 seeds, 100 test MDPs × 400 updates; the sweep uses 100 other
 * MDPs × 400 updates. `quick`: a smoke test of a few seconds.
 *
 * @example
 * ```ts
 * const s = actorCriticSettings("quick");
 * s.seeds; // [0, 1]
 * ```
 */
export function actorCriticSettings(scale: "quick" | "paper"): ActorCriticSettings {
  if (scale !== "quick" && scale !== "paper") {
    throw new RangeError(`scale must be "quick" or "paper", got ${JSON.stringify(scale)}`);
  }
  const paper = scale === "paper";
  return {
    task: { ...DEFAULT_TASK, kind: "ac" },
    sweep: {
      alphas: [0.2, 0.5],
      betas: paper ? [0.1, 0.2, 0.5, 1, 2, 5] : [0.2, 1],
      numMdps: paper ? 100 : 10,
      updates: paper ? 400 : 60,
      recordEvery: 10,
      seed: 4_004,
      streamLabel: "ac-step-size-sweep",
    },
    construction: { ns: paper ? [1, 20, 200] : [1, 20], ds: [9, 36], trials: paper ? 20 : 2 },
    seeds: paper ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : [0, 1],
    K: paper ? 2_048 : 256,
    T: paper ? 500 : 100,
    batch: 64,
    lr: 1e-3,
    logEvery: paper ? 250 : 10,
    transfer: {
      numMdps: paper ? 100 : 12,
      updates: paper ? 400 : 60,
      recordEvery: 5,
      seed: 31_416,
    },
  };
}

/**
 * One training config per seed for the AC task with the picked step sizes (restricted
 * parameterisation, Adam, batched; MATH §6 defaults otherwise).
 *
 * @example
 * ```ts
 * const cfgs = acTrainConfigs(actorCriticSettings("quick"), { alpha: 0.2, beta: 1 });
 * cfgs[0].task.kind; // "ac"
 * ```
 */
export function acTrainConfigs(s: ActorCriticSettings, steps: StepSizes): TrainConfig[] {
  checkStepSizes(steps);
  return s.seeds.map((seed) =>
    trainConfig({
      task: { ...s.task, kind: "ac", alpha: steps.alpha, beta: steps.beta },
      K: s.K,
      T: s.T,
      batch: s.batch,
      lr: s.lr,
      logEvery: s.logEvery,
      param: "restricted",
      optimizer: "adam",
      seed,
    })
  );
}

function checkStepSizes(steps: StepSizes): void {
  assertNumber("alpha", steps?.alpha, 0);
  assertNumber("beta", steps?.beta, 0);
}

/**
 * The learner name of one sweep setting, e.g. `"α=0.2, β=1"`.
 *
 * @example
 * ```ts
 * sweepName({ alpha: 0.2, beta: 1 }); // "α=0.2, β=1"
 * ```
 */
export function sweepName(steps: StepSizes): string {
  checkStepSizes(steps);
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
 * const sw = await stepSizeSweep({ ...actorCriticSettings("quick").sweep, numMdps: 5 });
 * summariseTransfer(sw.result).filter((r) => r.step === sw.config.updates);
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
 * const both = mergeTransferResults([resA, resB]);
 * pairedDifference(both, "α=0.2, β=1", "α=0.2, β=0.2");
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
 * const rows = sweepRows(sw).filter((r) => r.step === 400);
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
 * const best = bestStepSizes(sw); // { alpha: 0.2, beta: 1, name: "α=0.2, β=1", score: 0.79 }
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
