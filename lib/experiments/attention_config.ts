/**
 * Experiment 6 configuration: every knob of notebook 06 (`AttentionConfig`) with the quick and
 * paper values side by side (`attentionDefaults`), validation, the three evaluation conditions and
 * the learners compared. `run` is in `attention.ts`, which re-exports all of this.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/tasks.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import {
  forwardMacs,
  type LearnerArch,
  learnerParamCount,
  validateLearnerArch,
} from "../baselines/js_models.ts";
import { type LearnerTrainConfig, learnerTrainConfig } from "../baselines/learner_train.ts";
import { type ScaleDefaults } from "./shape.ts";

/** One learner of the comparison, as configured. */
export interface LearnerEntry {
  /** Label in tables and figures (unique). */
  label: string;
  /** The learner (float64 engine, `baselines/js_models.ts`). */
  arch: LearnerArch;
  /** Why it is in the comparison: "reference", "matched parameters", "matched FLOPs", … */
  role: string;
}

/** Every knob of notebook 06. */
export interface AttentionConfig {
  /** Training seeds: every learner trains once per seed at its chosen learning rate (≥ 5 at paper scale). */
  seeds: number[];
  /** Training MDPs per run (K·T prompts; paper: 10 000 × 1 000). Same for every learner. */
  K: number;
  /** Iterations per MDP. */
  T: number;
  /** MDPs side by side per Adam step (batched mode, ≥ 64). */
  batch: number;
  /** The learners compared (the first is the reference the others are paired against). */
  learners: LearnerEntry[];
  /**
   * Adam learning rates tried for every learner (MATH §6's schedule ×0.99 every 10 MDPs on top);
   * the one with the smallest held-out one-step error (on the sweep's own held-out stream, not the
   * test MDPs) is used for the main runs.
   */
  lrGrid: number[];
  /** Training MDPs of each sweep run (K·T prompts is the sweep budget). */
  sweepK: number;
  /** Seed of the sweep runs (distinct from `seeds`). */
  sweepSeed: number;
  /** Prompt counts at which the held-out error is measured during the main runs (log-spaced). */
  checkpoints: number[];
  /** Training wall time (s) at which every main run is also evaluated (equal wall time). */
  equalWallSec: number;
  /** Closed-loop evaluation: unseen test MDPs (≥ 100 at paper scale). */
  numMdps: number;
  /** Closed-loop updates on the default task (MATH §8.3: 400). */
  updates: number;
  /** Closed-loop updates under distribution shift. */
  shiftUpdates: number;
  /** Record J every this many updates. */
  recordEvery: number;
  /** Evaluation seed (test MDPs and held-out prompts). */
  evalSeed: number;
  /** Prompt lengths of the length-generalisation test (training n = 20). */
  lengths: number[];
  /** Held-out MDPs of the one-step tests. */
  heldoutMdps: number;
  /** Held-out prompts per MDP (the teacher advances w between them). */
  heldoutPrompts: number;
  /** |S| of the first shift (features stay d = 36 random). */
  shiftNS: number;
  /** γ of the second shift. */
  shiftGamma: number;
  /** Parallel Workers. */
  workers: number;
}

const LSA: LearnerArch = { kind: "lsa", param: "restricted" };

/**
 * The paper-scale learners: the LSA block (restricted, full), softmax attention with one head
 * (parameter-matched) and with two heads (signed token weights), and MLP / GRU variants matched to
 * the restricted LSA block in parameters (≈ 5 k) or in forward FLOPs per prompt (≈ 8.2 k
 * multiply–adds).
 */
const PAPER_LEARNERS: LearnerEntry[] = [
  { label: "LSA restricted", arch: LSA, role: "reference" },
  {
    label: "LSA full",
    arch: { kind: "lsa", param: "full" },
    role: "linear attention, all of P, V",
  },
  { label: "softmax attention", arch: { kind: "softmax" }, role: "matched parameters" },
  {
    label: "softmax attention, 2 heads (signed)",
    arch: { kind: "softmax", heads: 2 },
    role: "signed token weights",
  },
  { label: "MLP 2×3", arch: { kind: "mlp", hidden: 3 }, role: "matched parameters" },
  { label: "MLP 2×5", arch: { kind: "mlp", hidden: 5 }, role: "matched FLOPs" },
  {
    label: "GRU 12 (tokens)",
    arch: { kind: "gru", hidden: 12, head: 20 },
    role: "matched parameters",
  },
  {
    label: "GRU 8 (tokens + w̃)",
    arch: { kind: "gru", hidden: 8, head: 20, wEveryStep: true },
    role: "matched parameters",
  },
  { label: "GRU 2 (tokens)", arch: { kind: "gru", hidden: 2, head: 4 }, role: "matched FLOPs" },
];

/** Quick and paper settings of notebook 06, side by side. */
export const attentionDefaults: ScaleDefaults<AttentionConfig> = {
  quick: {
    seeds: [0, 1],
    K: 64,
    T: 12,
    batch: 64,
    learners: [
      PAPER_LEARNERS[0],
      PAPER_LEARNERS[2],
      PAPER_LEARNERS[3],
      PAPER_LEARNERS[4],
      { label: "GRU 4 (tokens)", arch: { kind: "gru", hidden: 4, head: 8 }, role: "small" },
    ],
    lrGrid: [1e-3, 1e-2],
    sweepK: 64,
    sweepSeed: 900,
    checkpoints: [128, 384, 768],
    equalWallSec: 0.05,
    numMdps: 8,
    updates: 12,
    shiftUpdates: 6,
    recordEvery: 3,
    evalSeed: 60_606,
    lengths: [5, 10, 20, 40, 80],
    heldoutMdps: 8,
    heldoutPrompts: 2,
    shiftNS: 12,
    shiftGamma: 0.9,
    workers: 2,
  },
  paper: {
    seeds: [0, 1, 2, 3, 4],
    K: 10_240,
    T: 100,
    batch: 64,
    learners: PAPER_LEARNERS,
    lrGrid: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2],
    sweepK: 1280,
    sweepSeed: 900,
    checkpoints: [6400, 12_800, 25_600, 51_200, 102_400, 204_800, 409_600, 819_200, 1_024_000],
    equalWallSec: 10,
    numMdps: 100,
    updates: 400,
    shiftUpdates: 100,
    recordEvery: 5,
    evalSeed: 60_606,
    lengths: [5, 10, 20, 40, 80],
    heldoutMdps: 100,
    heldoutPrompts: 5,
    shiftNS: 12,
    shiftGamma: 0.9,
    workers: 2,
  },
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.5 s here): for doc examples, tests and a
 * first try; not a result. 2 learners (restricted LSA, MLP 2×2) × 2 seeds × 64 prompts, one rate.
 */
export const attentionTiny: AttentionConfig = {
  ...attentionDefaults.quick,
  K: 64,
  T: 1,
  lrGrid: [1e-2],
  checkpoints: [64],
  equalWallSec: 1e-6,
  workers: 1,
  learners: [
    { label: "LSA", arch: { kind: "lsa", param: "restricted" }, role: "reference" },
    { label: "MLP", arch: { kind: "mlp", hidden: 2 }, role: "small" },
  ],
  numMdps: 2,
  updates: 1,
  shiftUpdates: 1,
  recordEvery: 1,
  lengths: [20],
  heldoutMdps: 1,
  heldoutPrompts: 1,
};

const KEYS = Object.keys(attentionDefaults.paper) as (keyof AttentionConfig)[];

/**
 * Validate a config: unknown keys and out-of-range values throw errors naming them.
 *
 * @example
 * ```ts
 * validateAttentionConfig({ ...attentionDefaults.quick, K: 128 });
 * ```
 */
export function validateAttentionConfig(cfg: AttentionConfig): AttentionConfig {
  for (const k of Object.keys(cfg)) {
    if (!KEYS.includes(k as keyof AttentionConfig)) {
      throw new RangeError(`unknown config key "${k}"`);
    }
  }
  for (const k of KEYS) if (cfg[k] === undefined) throw new RangeError(`config.${k} is missing`);
  if (!Array.isArray(cfg.seeds) || cfg.seeds.length === 0) {
    throw new RangeError(`seeds must be a non-empty array, got ${JSON.stringify(cfg.seeds)}`);
  }
  cfg.seeds.forEach((s, i) => assertInt(`seeds[${i}]`, s, 0, Number.MAX_SAFE_INTEGER));
  if (new Set(cfg.seeds).size !== cfg.seeds.length) throw new RangeError(`seeds must be distinct`);
  assertInt("sweepSeed", cfg.sweepSeed, 0, Number.MAX_SAFE_INTEGER);
  if (cfg.seeds.includes(cfg.sweepSeed)) {
    throw new RangeError(`sweepSeed ${cfg.sweepSeed} must differ from the training seeds`);
  }
  assertInt("batch", cfg.batch, 64);
  assertInt("K", cfg.K, cfg.batch);
  assertInt("T", cfg.T, 1);
  if (!Array.isArray(cfg.learners) || cfg.learners.length < 2) {
    throw new RangeError(`learners must list at least two learners`);
  }
  cfg.learners.forEach((l, i) => {
    if (typeof l.label !== "string" || l.label.length === 0) {
      throw new RangeError(`learners[${i}].label must be a non-empty string`);
    }
    validateLearnerArch(l.arch);
  });
  if (new Set(cfg.learners.map((l) => l.label)).size !== cfg.learners.length) {
    throw new RangeError(`learner labels must be distinct`);
  }
  if (!Array.isArray(cfg.lrGrid) || cfg.lrGrid.length === 0) {
    throw new RangeError(`lrGrid must be a non-empty array`);
  }
  cfg.lrGrid.forEach((v, i) => assertNumber(`lrGrid[${i}]`, v, Number.MIN_VALUE, 1));
  assertInt("sweepK", cfg.sweepK, cfg.batch);
  cfg.checkpoints.forEach((c, i) => assertInt(`checkpoints[${i}]`, c, 1, cfg.K * cfg.T));
  assertNumber("equalWallSec", cfg.equalWallSec, 0);
  assertInt("numMdps", cfg.numMdps, 2);
  assertInt("updates", cfg.updates, 1);
  assertInt("shiftUpdates", cfg.shiftUpdates, 1);
  assertInt("recordEvery", cfg.recordEvery, 1);
  assertInt("evalSeed", cfg.evalSeed, 0, Number.MAX_SAFE_INTEGER);
  if (!Array.isArray(cfg.lengths) || !cfg.lengths.includes(20)) {
    throw new RangeError(`lengths must be an array that includes the training length 20`);
  }
  cfg.lengths.forEach((n, i) => assertInt(`lengths[${i}]`, n, 1, 10_000));
  assertInt("heldoutMdps", cfg.heldoutMdps, 1);
  assertInt("heldoutPrompts", cfg.heldoutPrompts, 1);
  assertInt("shiftNS", cfg.shiftNS, 1, 64);
  assertNumber("shiftGamma", cfg.shiftGamma, 0, 0.999);
  assertInt("workers", cfg.workers, 1, 64);
  return cfg;
}

/** The three closed-loop / held-out conditions. */
export type Condition = "default" | "nS" | "gamma";

/** One learner of the comparison with its sizes. */
export interface LearnerSpec extends LearnerEntry {
  /** Family: "lsa" (linear attention), "softmax", "mlp", "gru". */
  family: "lsa" | "softmax" | "mlp" | "gru";
  /** Trainable scalars. */
  paramCount: number;
  /** Forward multiply–adds per prompt at n = 20. */
  forwardMacs: number;
}

/** The teacher's name in every closed loop. */
export const TEACHER = "SARSA teacher";

/**
 * Tasks of the three conditions: the training distribution (MATH §1 defaults), `|S| = shiftNS`
 * (d stays 36, random features) and `γ = shiftGamma`.
 *
 * @example
 * ```ts
 * conditionTasks(attentionDefaults.paper).nS.nS; // 12
 * ```
 */
export function conditionTasks(cfg: AttentionConfig): Record<Condition, TaskSpec> {
  return {
    default: { ...DEFAULT_TASK },
    nS: { ...DEFAULT_TASK, nS: cfg.shiftNS },
    gamma: { ...DEFAULT_TASK, gamma: cfg.shiftGamma },
  };
}

/**
 * The learners of a config with their parameter and forward-FLOP counts, in display order.
 *
 * @example
 * ```ts
 * learnerSpecs(attentionDefaults.paper).map((l) => `${l.label}: ${l.paramCount}`);
 * ```
 */
export function learnerSpecs(cfg: AttentionConfig): LearnerSpec[] {
  const task = DEFAULT_TASK;
  const dims = { m: 2 * task.d + 1, p: task.d + 1, nTrain: task.n };
  return cfg.learners.map((l) => ({
    ...l,
    family: l.arch.kind,
    paramCount: learnerParamCount(l.arch, dims),
    forwardMacs: forwardMacs(l.arch, dims, task.n),
  }));
}

/**
 * The training run of one learner at learning rate `lr` (MATH §6 otherwise: schedule ×0.99 every
 * 10 MDPs, Xavier gain 0.1), on `K` MDPs of the stream of `seed`.
 *
 * @example
 * ```ts
 * const c = learnerRun(attentionDefaults.quick, attentionDefaults.quick.learners[0], 1e-2, 0, 64);
 * c.lr; // 0.01
 * ```
 */
export function learnerRun(
  cfg: AttentionConfig,
  l: LearnerEntry,
  lr: number,
  seed: number,
  K: number,
  extra: Partial<LearnerTrainConfig> = {},
): LearnerTrainConfig {
  return learnerTrainConfig({ arch: l.arch, K, T: cfg.T, batch: cfg.batch, lr, seed, ...extra });
}
