/**
 * Experiment 4 (MATH §3, §5, §6, §8.4; [LL26] Thm 3.3): the actor–critic block. A step-size sweep
 * of the AC **teacher** picks (α, β); the construction is checked at the pick; restricted blocks
 * are trained to mimic the teacher, saved, **reloaded from disk**, and deployed frozen in closed loop
 * on unseen MDPs beside the teacher, θ⋆ and the oracle / random references.
 *
 * Config (quick and paper side by side), validation and `run` here; the sweep, the views and the
 * generated text in `actor_critic_{sweep,views,summary}.ts`, re-exported here.
 *
 * @module
 */

import {
  DEFAULT_TASK,
  loadModel,
  saveModel,
  taskConstruction,
  type TaskSpec,
  type TrainConfig,
  trainConfig,
  trainMany,
} from "../train/mod.ts";
import { manifoldStats, validateStepSizes } from "../icrl/mod.ts";
import {
  blockLearner,
  constructedLearner,
  evaluateTransfer,
  recordGrid,
  teacherLearner,
  transferConfig,
  type TransferResult,
} from "../transfer/mod.ts";
import { assertInt, assertKnownKeys, assertNumber } from "../core/validate.ts";
import type { Row } from "../report/mod.ts";
import {
  constructionCheck,
  type ConstructionErrorRow,
  DEFAULT_CONSTRUCTION_CHECK,
} from "./construction_check.ts";
import { metricRows, normalisedBlockRows } from "./convergence.ts";
import { assertIntList, averageLearners, trainingPerSeedRows } from "./closed_loop.ts";
import {
  bestStepSizes,
  type StepSizes,
  type StepSizeSweep,
  stepSizeSweep,
  type StepSizeSweepConfig,
} from "./actor_critic_sweep.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

export * from "./actor_critic_sweep.ts";

/** Every knob of notebook 04 (α, β of the task come from the sweep). */
export interface ActorCriticConfig {
  /** The AC task before the step sizes are picked (MATH §1–§3 defaults, `kind: "ac"`). */
  task: TaskSpec;
  /** The step sizes of MATH §3, the sweep's reference point. */
  specDefault: StepSizes;
  /** Step-size sweep of the AC teacher (its own MDP stream family). */
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
  /** Parallel training Workers (results do not depend on it). */
  workers: number;
  /** Closed-loop evaluation: test MDPs, updates, J recorded every `recordEvery` updates, seed. */
  transfer: { numMdps: number; updates: number; recordEvery: number; seed: number };
  /** Steps (rows) of the closed-loop table. */
  tableSteps: number[];
  /** Done-when bar: |cos| ≥ cosBar for both learned blocks, every seed. */
  cosBar: number;
}

/** The step-size sweep of one scale: its β grid and size; α grid, seed and stream are shared. */
function sweepOf(betas: number[], numMdps: number, updates: number): ActorCriticConfig["sweep"] {
  return {
    alphas: [0.2, 0.5],
    betas,
    numMdps,
    updates,
    recordEvery: 10,
    seed: 4_004,
    streamLabel: "ac-step-size-sweep",
  };
}

/**
 * Quick (smoke test of a few seconds) and paper settings. Paper: K = 2 048, T = 500 (≈ 10⁶ prompts
 * per seed — a tenth of SARSA's 10⁷, to fit 10 seeds in the notebook's ~10-minute budget; it already
 * reaches |cos| ≥ 0.999 with the construction), B = 64, 10 seeds, 100 test MDPs × 400 updates; the
 * sweep uses 100 other MDPs × 400 updates.
 */
export const actorCriticDefaults: ScaleDefaults<ActorCriticConfig> = {
  quick: {
    task: { ...DEFAULT_TASK, kind: "ac" },
    specDefault: { alpha: 0.2, beta: 0.2 },
    sweep: sweepOf([0.2, 1], 10, 60),
    construction: { ns: [1, 20], ds: [9, 36], trials: 2 },
    seeds: [0, 1],
    K: 256,
    T: 100,
    batch: 64,
    lr: 1e-3,
    logEvery: 10,
    workers: 2,
    transfer: { numMdps: 12, updates: 60, recordEvery: 5, seed: 31_416 },
    tableSteps: [0, 10, 20, 40, 60],
    cosBar: 0.99,
  },
  paper: {
    task: { ...DEFAULT_TASK, kind: "ac" },
    specDefault: { alpha: 0.2, beta: 0.2 },
    sweep: sweepOf([0.1, 0.2, 0.5, 1, 2, 5], 100, 400),
    construction: { ns: [1, 20, 200], ds: [9, 36], trials: 20 },
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    K: 2_048,
    T: 500,
    batch: 64,
    lr: 1e-3,
    logEvery: 250,
    workers: 2,
    transfer: { numMdps: 100, updates: 400, recordEvery: 5, seed: 31_416 },
    tableSteps: [0, 50, 100, 200, 400],
    cosBar: 0.99,
  },
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.2 s here): for doc examples, tests and a
 * first try; not a result.
 */
export const actorCriticTiny: ActorCriticConfig = {
  ...actorCriticDefaults.quick,
  sweep: { ...actorCriticDefaults.quick.sweep, numMdps: 2, updates: 4, recordEvery: 2 },
  construction: { ns: [1], ds: [9], trials: 1 },
  seeds: [0],
  K: 8,
  T: 2,
  batch: 8,
  workers: 1,
  transfer: { numMdps: 2, updates: 2, recordEvery: 1, seed: 1 },
  tableSteps: [0, 2],
};

/** Learner name of the AC teacher in the closed loop. */
export const AC_TEACHER = "AC teacher";
/** Learner name of the constructed block. */
export const AC_CONSTRUCTED = "constructed θ⋆";

/**
 * Throw a clear error for an unknown key or a bad value anywhere in the config.
 *
 * @example
 * ```ts
 * import { actorCriticDefaults, validateActorCriticConfig } from "./actor_critic.ts";
 * validateActorCriticConfig(actorCriticDefaults.paper);
 * ```
 */
export function validateActorCriticConfig(cfg: ActorCriticConfig): void {
  assertKnownKeys("actor–critic config", cfg, Object.keys(actorCriticDefaults.paper));
  if (cfg.task?.kind !== "ac") {
    throw new RangeError(`task.kind must be "ac", got ${JSON.stringify(cfg.task?.kind)}`);
  }
  assertKnownKeys("specDefault", cfg.specDefault, ["alpha", "beta"]);
  validateStepSizes(cfg.specDefault);
  assertKnownKeys("construction", cfg.construction, ["ns", "ds", "trials"]);
  assertIntList("construction.ns", cfg.construction.ns, 1);
  assertIntList("construction.ds", cfg.construction.ds, 1);
  assertInt("construction.trials", cfg.construction.trials, 1);
  assertIntList("seeds", cfg.seeds, 0);
  assertInt("K", cfg.K, 1);
  assertInt("T", cfg.T, 1);
  assertInt("batch", cfg.batch, 1);
  assertNumber("lr", cfg.lr, Number.MIN_VALUE, 1);
  assertInt("logEvery", cfg.logEvery, 1);
  assertInt("workers", cfg.workers, 1, 64);
  assertKnownKeys("transfer", cfg.transfer, ["numMdps", "updates", "recordEvery", "seed"]);
  assertInt("transfer.numMdps", cfg.transfer.numMdps, 2);
  assertInt("transfer.updates", cfg.transfer.updates, 1);
  assertInt("transfer.recordEvery", cfg.transfer.recordEvery, 1);
  assertInt("transfer.seed", cfg.transfer.seed, 0);
  assertIntList("tableSteps", cfg.tableSteps, 0);
  const grid = recordGrid(cfg.transfer.updates, cfg.transfer.recordEvery);
  for (const s of cfg.tableSteps) {
    if (!grid.includes(s)) throw new RangeError(`tableSteps: step ${s} is not recorded`);
  }
  assertNumber("cosBar", cfg.cosBar, 0, 1);
}

/**
 * One training config per seed for the AC task with the picked step sizes (restricted
 * parameterisation, Adam, batched; MATH §6 defaults otherwise).
 *
 * @example
 * ```ts
 * import { actorCriticDefaults, acTrainConfigs } from "./actor_critic.ts";
 * const cfgs = acTrainConfigs(actorCriticDefaults.quick, { alpha: 0.2, beta: 1 });
 * if (cfgs[0].task.kind !== "ac") throw new Error();
 * ```
 */
export function acTrainConfigs(cfg: ActorCriticConfig, steps: StepSizes): TrainConfig[] {
  validateStepSizes(steps);
  return cfg.seeds.map((seed) =>
    trainConfig({
      task: { ...cfg.task, kind: "ac", alpha: steps.alpha, beta: steps.beta },
      K: cfg.K,
      T: cfg.T,
      batch: cfg.batch,
      lr: cfg.lr,
      logEvery: cfg.logEvery,
      param: "restricted",
      optimizer: "adam",
      seed,
    })
  );
}

/** Where {@linkcode run} saves the trained blocks (and reloads them from). */
export interface SaveOptions {
  /** Directory of `ac_restricted_seed{S}.json` (notebooks: `modelsDir()`). */
  modelsDir: string;
  /** Extra fields for each file's summary (e.g. `{ scale }`). */
  summary?: Record<string, unknown>;
}

/** The result of {@linkcode run} (plain data: JSON-serialisable). */
export interface ActorCriticResult {
  /** The validated config. */
  config: ActorCriticConfig;
  /** The teacher's step-size sweep. */
  sweep: StepSizeSweep;
  /** The picked setting (highest mean score after the last sweep update). */
  picked: StepSizes & { name: string; score: number };
  /** The task with the picked α, β (construction, training target and closed-loop teacher). */
  task: TaskSpec;
  /** Construction-check rows (actor–critic only). */
  construction: ConstructionErrorRow[];
  /** Training: metric rows, final metrics per seed, timings, and seed 0's normalised blocks. */
  training: {
    metrics: Row[];
    perSeed: Row[];
    timing: { seed: number; wallTimeSec: number; promptsPerSec: number }[];
    wallTimeSec: number;
    /** `normalisedBlockRows` of the first seed, and that seed and its scale c. */
    blockRows: Row[];
    blockSeed: number;
    blockC: number;
  };
  /** The saved files, reloaded: path, bitwise equality with the trained block, manifold distance. */
  saved: { seed: number; path: string; identical: boolean; dist: number }[];
  /** Closed loop with the reloaded blocks: teacher, θ⋆, each block, and their mean `trainedName`. */
  transfer: TransferResult;
  /** Learner names of the individual trained blocks. */
  trainedNames: string[];
  /** Learner name of the per-MDP mean over the trained blocks. */
  trainedName: string;
  /** Wall time of `run`, s. */
  wallTimeSec: number;
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Sweep → pick (α, β) → construction check (throws if the MATH §5 bars fail) → train every seed →
 * save and reload each block → closed loop with the reloaded blocks. Progress phases: "AC teacher
 * step-size sweep", "AC training (all seeds)", "closed-loop evaluation".
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * res.saved[0].identical; // true: the evaluated block is the file on disk
 * ```
 */
export async function run(
  config: ActorCriticConfig,
  hooks: RunHooks,
  save: SaveOptions,
): Promise<ActorCriticResult> {
  validateActorCriticConfig(config);
  if (typeof save?.modelsDir !== "string" || save.modelsDir === "") {
    throw new TypeError(`save.modelsDir must be a directory path, got ${save?.modelsDir}`);
  }
  const t0 = performance.now();
  const progress = (label: string) => (done: number, total: number) =>
    void reportProgress(hooks, label, done, total);
  const trainingStreams = { seeds: config.seeds, K: config.K };

  const sweep = await stepSizeSweep(
    config.sweep,
    config.task,
    trainingStreams,
    progress("AC teacher step-size sweep"),
  );
  const picked = bestStepSizes(sweep);
  const task: TaskSpec = { ...config.task, alpha: picked.alpha, beta: picked.beta };
  hooks.log?.(`picked α = ${picked.alpha}, β = ${picked.beta}`);

  const construction = (await constructionCheck({
    ...DEFAULT_CONSTRUCTION_CHECK,
    ...config.construction,
    alpha: task.alpha,
    beta: task.beta,
    gamma: task.gamma,
  })).filter((r) => r.algorithm === "actor–critic");
  const worst = (f32: boolean) =>
    Math.max(
      ...construction.filter((r) =>
        !["perturbed", "random"].includes(r.variant) && (r.precision !== "float64") === f32
      ).map((r) => r.relErr),
    );
  if (!(worst(false) <= 1e-12 && worst(true) <= 1e-5)) {
    throw new Error(
      `AC construction check failed: float64 ${worst(false)}, float32 ${worst(true)}`,
    );
  }

  const trainConfigs = acTrainConfigs(config, picked);
  const trainStart = performance.now();
  const trainTotal = trainConfigs.length * config.K * config.T;
  const doneBySeed = new Map<number, number>();
  const results = await trainMany(trainConfigs, config.workers, (i, done) => {
    doneBySeed.set(i, done);
    let sum = 0;
    for (const d of doneBySeed.values()) sum += d;
    void reportProgress(hooks, "AC training (all seeds)", Math.min(sum, trainTotal), trainTotal);
  });
  const trainWall = (performance.now() - trainStart) / 1000;

  // Save every block, then evaluate what is on disk (the files later notebooks would read).
  const star = taskConstruction(task);
  const saved: ActorCriticResult["saved"] = [];
  const reloaded = [];
  for (const r of results) {
    const path = `${save.modelsDir}/ac_restricted_seed${r.config.seed}.json`;
    await saveModel(path, r, save.summary ?? {});
    const back = await loadModel(path);
    const identical = sameArray(back.model.blocks.P12, r.model.blocks.P12) &&
      sameArray(back.model.blocks.V21bar, r.model.blocks.V21bar);
    if (!identical) throw new Error(`${path}: the reloaded block differs from the trained one`);
    saved.push({
      seed: r.config.seed,
      path,
      identical,
      dist: manifoldStats(back.model.blocks, star).dist,
    });
    reloaded.push(back);
  }

  const trainedNames = results.map((r) => `trained seed ${r.config.seed}`);
  const evalCfg = transferConfig({
    task,
    numMdps: config.transfer.numMdps,
    updates: config.transfer.updates,
    recordAt: recordGrid(config.transfer.updates, config.transfer.recordEvery),
    seed: config.transfer.seed,
    training: trainingStreams,
  });
  const raw = await evaluateTransfer(evalCfg, [
    teacherLearner(AC_TEACHER),
    constructedLearner(task, AC_CONSTRUCTED),
    ...reloaded.map((m, i) => blockLearner(trainedNames[i], m.model)),
  ], progress("closed-loop evaluation"));
  const trainedName = `trained (${results.length} seeds)`;

  return {
    config,
    sweep,
    picked,
    task,
    construction,
    training: {
      metrics: metricRows(results, `AC, batched B=${config.batch}`),
      perSeed: trainingPerSeedRows(results),
      timing: results.map((r) => ({
        seed: r.config.seed,
        wallTimeSec: r.wallTimeSec,
        promptsPerSec: r.prompts / r.wallTimeSec,
      })),
      wallTimeSec: trainWall,
      blockRows: normalisedBlockRows(results[0]),
      blockSeed: results[0].config.seed,
      blockC: results[0].metrics.at(-1)!.cP,
    },
    saved,
    transfer: averageLearners(raw, trainedNames, trainedName),
    trainedNames,
    trainedName,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
