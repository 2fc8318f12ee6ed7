/**
 * Experiment 3 (MATH §8.3): the frozen blocks trained in notebook 02, deployed as in-context
 * learners on unseen MDPs, against the SARSA teacher on the same loop, the constructed block θ⋆
 * and the oracle / random references; then the same with blocks trained on far smaller budgets.
 *
 * The config (every knob, quick and paper side by side), validation and `run` are here; the views
 * (`tables`, `figures`, `summary`) are in `transfer_exp_views.ts`, re-exported below.
 *
 * @module
 */

import {
  blockLearner,
  constructedLearner,
  evaluateTransfer,
  recordGrid,
  teacherLearner,
  type TransferConfig,
  transferConfig,
  type TransferResult,
} from "../transfer/mod.ts";
import { type TaskSpec, trainConfig, trainMany } from "../train/mod.ts";
import { assertInt, assertKnownKeys, assertOneOf } from "../core/validate.ts";
import { assertIntList, averageLearners } from "./closed_loop.ts";
import { loadTrainedBlocks } from "./trained_blocks.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

export { averageLearners } from "./closed_loop.ts";

/** Every knob of notebook 03. */
export interface TransferExpConfig {
  /**
   * The blocks notebook 02 trained: the scale whose settings they must match (see
   * `loadTrainedBlocks`) and their training seeds (≥ 10 at paper scale).
   */
  blocks: { scale: "quick" | "paper"; seeds: number[] };
  /** Unseen test MDPs (paper ≥ 100). */
  numMdps: number;
  /** In-context updates per test MDP. */
  updates: number;
  /** J recorded every this many updates (and at `updates`). */
  recordEvery: number;
  /** Evaluation seed (test MDPs and rollout streams). */
  evalSeed: number;
  /** Steps (rows) of the closed-loop table. */
  tableSteps: number[];
  /**
   * Sensitivity to the training budget: blocks trained on `sizes` (K MDPs × T iterations, batched,
   * MATH §6 defaults otherwise), one per seed, evaluated on the same test MDPs.
   */
  budget: {
    sizes: { K: number; T: number }[];
    seeds: number[];
    batch: number;
    logEvery: number;
    /** Parallel training Workers (results do not depend on it). */
    workers: number;
  };
}

/** Quick (smoke test) and paper settings, side by side. */
export const transferDefaults: ScaleDefaults<TransferExpConfig> = {
  quick: {
    blocks: { scale: "quick", seeds: [0, 1] },
    numMdps: 12,
    updates: 60,
    recordEvery: 5,
    evalSeed: 31_415,
    tableSteps: [0, 10, 20, 40, 60],
    budget: { sizes: [{ K: 64, T: 10 }], seeds: [100, 101], batch: 64, logEvery: 50, workers: 2 },
  },
  paper: {
    blocks: { scale: "paper", seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
    numMdps: 100,
    updates: 400,
    recordEvery: 5,
    evalSeed: 31_415,
    tableSteps: [0, 50, 100, 200, 400],
    budget: {
      sizes: [{ K: 300, T: 30 }, { K: 1_000, T: 100 }],
      seeds: [100, 101, 102, 103, 104],
      batch: 64,
      logEvery: 50,
      workers: 2,
    },
  },
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.3 s here): for doc examples, tests and a
 * first try; not a result.
 */
export const transferTiny: TransferExpConfig = {
  ...transferDefaults.quick,
  blocks: { scale: "quick", seeds: [0] },
  numMdps: 2,
  updates: 2,
  recordEvery: 1,
  tableSteps: [0, 2],
  budget: { sizes: [{ K: 4, T: 2 }], seeds: [100], batch: 4, logEvery: 1, workers: 1 },
};

/** Learner names of the closed-loop comparison. */
export const TEACHER = "SARSA teacher";
/** The constructed block's learner name. */
export const CONSTRUCTED = "constructed θ⋆";

/**
 * Throw a clear error for an unknown key or a bad value anywhere in the config.
 *
 * @example
 * ```ts
 * import { transferDefaults, validateTransferExpConfig } from "./transfer_exp.ts";
 * validateTransferExpConfig(transferDefaults.quick);
 * ```
 */
export function validateTransferExpConfig(cfg: TransferExpConfig): void {
  assertKnownKeys("transfer config", cfg, Object.keys(transferDefaults.paper));
  assertKnownKeys("blocks", cfg.blocks, ["scale", "seeds"]);
  assertOneOf("blocks.scale", cfg.blocks.scale, ["quick", "paper"]);
  assertIntList("blocks.seeds", cfg.blocks.seeds, 0);
  assertInt("numMdps", cfg.numMdps, 2);
  assertInt("updates", cfg.updates, 1);
  assertInt("recordEvery", cfg.recordEvery, 1);
  assertInt("evalSeed", cfg.evalSeed, 0);
  assertIntList("tableSteps", cfg.tableSteps, 0);
  const grid = recordGrid(cfg.updates, cfg.recordEvery);
  for (const s of cfg.tableSteps) {
    if (!grid.includes(s)) {
      throw new RangeError(`tableSteps: step ${s} is not recorded (every ${cfg.recordEvery})`);
    }
  }
  const b = cfg.budget;
  assertKnownKeys("budget", b, ["sizes", "seeds", "batch", "logEvery", "workers"]);
  if (!Array.isArray(b.sizes) || b.sizes.length === 0) {
    throw new RangeError(`budget.sizes must be a non-empty array, got ${JSON.stringify(b.sizes)}`);
  }
  b.sizes.forEach((s, i) => {
    assertKnownKeys(`budget.sizes[${i}]`, s, ["K", "T"]);
    assertInt(`budget.sizes[${i}].K`, s.K, 1);
    assertInt(`budget.sizes[${i}].T`, s.T, 1);
  });
  assertIntList("budget.seeds", b.seeds, 0);
  const clash = b.seeds.filter((s) => cfg.blocks.seeds.includes(s));
  if (clash.length > 0) {
    throw new RangeError(`budget.seeds must differ from blocks.seeds, both have ${clash}`);
  }
  assertInt("budget.batch", b.batch, 1);
  assertInt("budget.logEvery", b.logEvery, 1);
  assertInt("budget.workers", b.workers, 1, 64);
}

/** One loaded block of notebook 02. */
export type LoadedBlockInfo = {
  seed: number;
  K: number;
  T: number;
  batch: number;
  /** Final training loss and scale c, from the model file. */
  finalLoss: number;
  cP: number;
};

/** The result of {@linkcode run} (plain data: JSON-serialisable). */
export interface TransferExpResult {
  /** The validated config. */
  config: TransferExpConfig;
  /** Where the blocks came from (see `loadTrainedBlocks`). */
  source: string;
  /** The loaded blocks. */
  blocks: LoadedBlockInfo[];
  /** Their task (MATH §1–§3 settings of notebook 02). */
  task: TaskSpec;
  /** Closed loop: teacher, θ⋆, every trained block, and their per-MDP mean `trainedName`. */
  transfer: TransferResult;
  /** Learner names of the individual trained blocks. */
  trainedNames: string[];
  /** Learner name of the per-MDP mean over the trained blocks. */
  trainedName: string;
  /** The smaller-budget blocks on the same MDPs (averaged per budget into `names`). */
  budget: {
    result: TransferResult;
    names: string[];
    /** Final metrics of each budget run: `{K, T, seed, finalLoss, dist, cosP12}`. */
    training: {
      K: number;
      T: number;
      seed: number;
      finalLoss: number;
      dist: number;
      cosP12: number;
    }[];
  };
  /** Wall time of `run`, s. */
  wallTimeSec: number;
}

/**
 * Load notebook 02's blocks, run the closed loop on unseen MDPs (every learner from the same `w`
 * and state per MDP, its own rollout stream), then train and evaluate the smaller budgets.
 * Progress phases: "closed-loop evaluation", "budget training", "budget evaluation".
 *
 * @example
 * ```ts
 * import { run, transferTiny } from "./transfer_exp.ts";
 * const res = await run(transferTiny); // notebook 02's saved blocks (this run's, else committed)
 * res.trainedName; // "trained block (mean of 1 seeds)"
 * ```
 */
export async function run(
  config: TransferExpConfig,
  hooks: RunHooks = {},
): Promise<TransferExpResult> {
  validateTransferExpConfig(config);
  const t0 = performance.now();
  const progress = (label: string) => (done: number, total: number) =>
    void reportProgress(hooks, label, done, total);
  const trained = await loadTrainedBlocks(config.blocks.seeds, config.blocks.scale);
  hooks.log?.(trained.source);
  const models = trained.blocks;
  const task = models[0].model.task;
  const K = models[0].config.K;
  const trainedNames = models.map((m) => `trained seed ${m.seed}`);
  const evalConfig: TransferConfig = transferConfig({
    task,
    numMdps: config.numMdps,
    updates: config.updates,
    recordAt: recordGrid(config.updates, config.recordEvery),
    seed: config.evalSeed,
    training: { seeds: config.blocks.seeds, K },
  });
  const raw = await evaluateTransfer(evalConfig, [
    teacherLearner(TEACHER),
    constructedLearner(task, CONSTRUCTED),
    ...models.map((m, i) => blockLearner(trainedNames[i], m.model)),
  ], progress("closed-loop evaluation"));
  const trainedName = `trained block (mean of ${models.length} seeds)`;
  const transfer = averageLearners(raw, trainedNames, trainedName);

  const b = config.budget;
  const budgetConfigs = b.sizes.flatMap((s) =>
    b.seeds.map((seed) =>
      trainConfig({ K: s.K, T: s.T, batch: b.batch, seed, logEvery: b.logEvery })
    )
  );
  const budgetTotal = budgetConfigs.reduce((n, c) => n + c.K * c.T, 0);
  const budgetDone = new Map<number, number>();
  const budgetResults = await trainMany(budgetConfigs, b.workers, (i, done) => {
    budgetDone.set(i, done);
    let sum = 0;
    for (const d of budgetDone.values()) sum += d;
    void reportProgress(hooks, "budget training", Math.min(sum, budgetTotal), budgetTotal);
  });
  const budgetLearners = budgetResults.map((r) =>
    blockLearner(`K=${r.config.K}, T=${r.config.T}, seed ${r.config.seed}`, r.model)
  );
  let budgetRes = await evaluateTransfer(
    { ...evalConfig, training: { seeds: [...config.blocks.seeds, ...b.seeds], K } },
    budgetLearners,
    progress("budget evaluation"),
  );
  const names: string[] = [];
  for (const s of b.sizes) {
    const name = `trained on K=${s.K}, T=${s.T} (${(s.K * s.T).toLocaleString("en-US")} prompts)`;
    names.push(name);
    budgetRes = averageLearners(
      budgetRes,
      budgetLearners.map((l) => l.name).filter((n) => n.startsWith(`K=${s.K}, T=${s.T},`)),
      name,
    );
  }
  return {
    config,
    source: trained.source,
    blocks: models.map((m) => ({
      seed: m.seed,
      K: m.config.K,
      T: m.config.T,
      batch: m.config.batch,
      finalLoss: (m.summary.finalMetrics as { loss: number }).loss,
      cP: (m.summary.finalMetrics as { cP: number }).cP,
    })),
    task,
    transfer,
    trainedNames,
    trainedName,
    budget: {
      result: budgetRes,
      names,
      training: budgetResults.map((r) => ({
        K: r.config.K,
        T: r.config.T,
        seed: r.config.seed,
        finalLoss: r.metrics.at(-1)!.loss,
        dist: r.metrics.at(-1)!.dist,
        cosP12: r.metrics.at(-1)!.cosP12,
      })),
    },
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
