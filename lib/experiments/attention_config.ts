/**
 * Experiment 6 configuration: every knob of notebook 06 (`AttentionConfig`) with the quick and
 * paper values side by side (`attentionDefaults`), validation, the three evaluation conditions and
 * the learners compared. `run` is in `attention.ts`, which re-exports all of this.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/tasks.ts";
import { trainConfig } from "../train/train.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { type Arch, paramCount } from "../baselines/models.ts";
import { baselineConfig } from "../baselines/train.ts";
import { type Job } from "../baselines/jobs.ts";
import { type ScaleDefaults } from "./shape.ts";

/** Every knob of notebook 06. */
export interface AttentionConfig {
  /** Training seeds (one run of every learner per seed; ≥ 3 at paper scale). */
  seeds: number[];
  /** Training MDPs per run (paper: 10 000). Same for every learner ⇒ equal prompts seen. */
  K: number;
  /** Iterations per MDP (paper: 1 000). */
  T: number;
  /** MDPs side by side per Adam step (batched mode, ≥ 64). */
  batch: number;
  /** Adam learning rate (MATH §6: 1e-3, ×0.99 every 10 MDPs). */
  lr: number;
  /** Optimiser steps between logged loss rows. */
  logEvery: number;
  /** MLP widths tried (both hidden layers), one run each on `sweepSeed` with `sweepK × T` prompts. */
  mlpWidths: number[];
  /** Training MDPs of each sweep run. */
  sweepK: number;
  /** Seed of the sweep runs (distinct from `seeds`). */
  sweepSeed: number;
  /** GRU state size. */
  gruHidden: number;
  /** Width of the GRU's ReLU head. */
  gruHead: number;
  /** Also train the GRU variant that reads `w̃` at every step. */
  gruWEveryStep: boolean;
  /** Training MDPs of the extra LSA-restricted run of ≈ the baselines' wall time (0 = none). */
  lsaLongK: number;
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

/** Quick and paper settings of notebook 06, side by side. */
export const attentionDefaults: ScaleDefaults<AttentionConfig> = {
  quick: {
    seeds: [0, 1],
    K: 64,
    T: 12,
    batch: 64,
    lr: 1e-3,
    logEvery: 3,
    mlpWidths: [16, 32],
    sweepK: 64,
    sweepSeed: 900,
    gruHidden: 8,
    gruHead: 16,
    gruWEveryStep: true,
    lsaLongK: 128,
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
    seeds: [0, 1, 2],
    K: 512,
    T: 100,
    batch: 64,
    lr: 1e-3,
    logEvery: 20,
    mlpWidths: [64, 128, 256],
    sweepK: 128,
    sweepSeed: 900,
    gruHidden: 32,
    gruHead: 64,
    gruWEveryStep: true,
    lsaLongK: 10_240,
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
  assertNumber("lr", cfg.lr, 0);
  if (!(cfg.lr > 0)) throw new RangeError(`lr must be > 0, got ${cfg.lr}`);
  assertInt("logEvery", cfg.logEvery, 1);
  if (!Array.isArray(cfg.mlpWidths) || cfg.mlpWidths.length === 0) {
    throw new RangeError(`mlpWidths must be a non-empty array`);
  }
  cfg.mlpWidths.forEach((w, i) => assertInt(`mlpWidths[${i}]`, w, 1, 4096));
  assertInt("sweepK", cfg.sweepK, cfg.batch);
  assertInt("gruHidden", cfg.gruHidden, 1, 1024);
  assertInt("gruHead", cfg.gruHead, 1, 4096);
  if (typeof cfg.gruWEveryStep !== "boolean") {
    throw new TypeError(`gruWEveryStep must be a boolean, got ${String(cfg.gruWEveryStep)}`);
  }
  assertInt("lsaLongK", cfg.lsaLongK, 0);
  if (cfg.lsaLongK !== 0 && cfg.lsaLongK < cfg.batch) {
    throw new RangeError(`lsaLongK must be 0 or ≥ batch (${cfg.batch}), got ${cfg.lsaLongK}`);
  }
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

/** One learner type of the comparison. */
export interface LearnerSpec {
  /** Label in tables and figures. */
  label: string;
  /** Family: "lsa" (linear attention), "softmax", "mlp", "gru". */
  family: "lsa" | "softmax" | "mlp" | "gru";
  /** What is trained. */
  train: Job["train"];
  /** Trainable scalars. */
  paramCount: number;
  /** True for the extra LSA run of ≈ equal wall time (not part of the equal-prompts comparison). */
  equalWall: boolean;
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
 * The learner types at this config (MLP at width `mlpWidth`), in display order.
 *
 * @example
 * ```ts
 * learnerSpecs(attentionDefaults.quick, 32).map((l) => l.label);
 * ```
 */
export function learnerSpecs(cfg: AttentionConfig, mlpWidth: number, seed = 0): LearnerSpec[] {
  const task = DEFAULT_TASK;
  const dims = { m: 2 * task.d + 1, p: task.d + 1, nTrain: task.n };
  const common = { K: cfg.K, T: cfg.T, batch: cfg.batch, lr: cfg.lr, logEvery: cfg.logEvery, seed };
  const lsa = (param: "restricted" | "full", K = cfg.K): Job["train"] => ({
    kind: "lsa",
    config: trainConfig({ ...common, K, param }),
  });
  const base = (arch: Arch): Job["train"] => ({
    kind: "baseline",
    config: baselineConfig({ ...common, arch }),
  });
  const { m, p } = dims;
  const specs: LearnerSpec[] = [
    {
      label: "LSA restricted",
      family: "lsa",
      train: lsa("restricted"),
      paramCount: 2 * m * p - m,
      equalWall: false,
    },
    {
      label: "LSA full",
      family: "lsa",
      train: lsa("full"),
      paramCount: 2 * (m + p) ** 2,
      equalWall: false,
    },
  ];
  const arches: [string, LearnerSpec["family"], Arch][] = [
    ["softmax attention", "softmax", { kind: "softmax" }],
    [`MLP 2×${mlpWidth}`, "mlp", { kind: "mlp", hidden: mlpWidth }],
    [`GRU ${cfg.gruHidden} (tokens)`, "gru", {
      kind: "gru",
      hidden: cfg.gruHidden,
      head: cfg.gruHead,
    }],
  ];
  if (cfg.gruWEveryStep) {
    arches.push([`GRU ${cfg.gruHidden} (tokens + w̃)`, "gru", {
      kind: "gru",
      hidden: cfg.gruHidden,
      head: cfg.gruHead,
      wEveryStep: true,
    }]);
  }
  for (const [label, family, arch] of arches) {
    specs.push({
      label,
      family,
      train: base(arch),
      paramCount: paramCount(arch, dims),
      equalWall: false,
    });
  }
  if (cfg.lsaLongK > 0) {
    specs.push({
      label: `LSA restricted, ${cfg.lsaLongK * cfg.T} prompts`,
      family: "lsa",
      train: lsa("restricted", cfg.lsaLongK),
      paramCount: 2 * m * p - m,
      equalWall: true,
    });
  }
  return specs;
}
