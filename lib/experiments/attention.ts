/**
 * Experiment 6 (MATH §8.5, last bullet — "does attention matter?"): train non-attention learners
 * (MLP on the flattened prompt, GRU over the tokens) and a softmax-attention layer on exactly the
 * teacher-mimicking objective and prompt stream of the LSA block (MATH §6), at equal prompts seen,
 * and compare loss, transfer in the closed loop of MATH §8.3, length generalisation and
 * distribution shift. Compute lives here; the views (`tables`, `figures`, `summary`) in
 * `attention_views.ts` and are re-exported.
 *
 * Engines: the LSA block (restricted and full) is trained by `trainTeacherMimic` (hand gradients,
 * float64, as notebook 02); the baselines by `trainBaseline` (tfjs autodiff, float32, wasm), with the
 * same float64 Adam, learning-rate schedule, batch and prompt stream.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/mod.ts";
import { trainConfig } from "../train/train.ts";
import {
  assertDisjointStreams,
  recordGrid,
  teacherLearner,
  type TransferConfig,
  transferConfig,
  type TransferResult,
} from "../transfer/mod.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { type Arch, paramCount } from "../baselines/models.ts";
import { baselineConfig } from "../baselines/train.ts";
import {
  batchFromLearner,
  evaluateTransferBatched,
  type OneStepConfig,
} from "../baselines/eval.ts";
import { type Job, type JobResult, runJobs } from "../baselines/jobs.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

export { figures, summary, tables } from "./attention_views.ts";

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

/** One trained learner of one seed with its evaluations. */
export interface SeedRun {
  /** Learner label. */
  label: string;
  /** Training seed. */
  seed: number;
  /** The job's result. */
  result: JobResult;
}

/** Result of {@linkcode run}. */
export interface AttentionResult {
  /** The configuration. */
  config: AttentionConfig;
  /** The MLP width sweep: held-out relative error at n = 20 per width. */
  sweep: {
    width: number;
    paramCount: number;
    finalLoss: number;
    relErr: number;
    wallSec: number;
  }[];
  /** Width chosen (smallest held-out relative error). */
  mlpWidth: number;
  /** Learner types, in display order. */
  learners: Omit<LearnerSpec, "train">[];
  /** Every (learner, seed) run. */
  runs: SeedRun[];
  /** The SARSA teacher in each condition's closed loop. */
  teacher: Record<Condition, TransferResult>;
  /** The tasks of the conditions. */
  tasks: Record<Condition, TaskSpec>;
  /** Order of the one-step evaluations of every job: condition and n. */
  oneStepIndex: { condition: Condition; n: number }[];
  /** Wall time of `run` (s). */
  wallTimeSec: number;
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

function transferConfigs(cfg: AttentionConfig): Record<Condition, TransferConfig> {
  const tasks = conditionTasks(cfg);
  const mk = (task: TaskSpec, updates: number) =>
    transferConfig({
      task,
      numMdps: cfg.numMdps,
      updates,
      recordAt: recordGrid(updates, cfg.recordEvery),
      seed: cfg.evalSeed,
    });
  return {
    default: mk(tasks.default, cfg.updates),
    nS: mk(tasks.nS, cfg.shiftUpdates),
    gamma: mk(tasks.gamma, cfg.shiftUpdates),
  };
}

const CONDITIONS: Condition[] = ["default", "nS", "gamma"];
const HELDOUT_LABEL = "attention-heldout";
const SWEEP_LABEL = "attention-sweep";

/**
 * Run notebook 06: the MLP width sweep, then every learner × seed (train, closed-loop transfer in
 * three conditions, one-step errors at every length and under both shifts) in Workers, and the
 * teacher's closed loops. Deterministic given the config (wall times aside).
 *
 * @example
 * ```ts
 * const res = await run(attentionDefaults.quick);
 * ```
 */
export async function run(config: AttentionConfig, hooks?: RunHooks): Promise<AttentionResult> {
  const cfg = validateAttentionConfig({ ...config });
  const t0 = performance.now();
  const tasks = conditionTasks(cfg);
  const tcfgs = transferConfigs(cfg);

  // 1. MLP width sweep: one run per width, selection by held-out error (its own stream).
  const sweepJobs: Job[] = cfg.mlpWidths.map((w) => ({
    name: `MLP 2×${w} (sweep)`,
    train: {
      kind: "baseline",
      config: baselineConfig({
        K: cfg.sweepK,
        T: cfg.T,
        batch: cfg.batch,
        lr: cfg.lr,
        logEvery: cfg.logEvery,
        seed: cfg.sweepSeed,
        arch: { kind: "mlp", hidden: w },
      }),
    },
    transfers: [],
    oneStep: [{
      task: tasks.default,
      numMdps: cfg.heldoutMdps,
      promptsPerMdp: cfg.heldoutPrompts,
      seed: cfg.evalSeed,
      streamLabel: SWEEP_LABEL,
    }],
  }));
  hooks?.log?.(`MLP width sweep: ${cfg.mlpWidths.join(", ")}`);
  const sweepTotal = sweepJobs.length * cfg.sweepK * cfg.T;
  const sweepDone = new Map<number, number>();
  const sweepRes = await runJobs(sweepJobs, cfg.workers, async (i, d) => {
    sweepDone.set(i, d);
    await reportProgress(hooks, "sweep", sum(sweepDone), sweepTotal);
  }, (j) => (j.train.config as { arch: { hidden: number } }).arch.hidden);
  const sweep = sweepRes.map((r, i) => ({
    width: cfg.mlpWidths[i],
    paramCount: r.paramCount,
    finalLoss: r.metrics.at(-1)!.loss,
    relErr: r.oneStep[0].relErr,
    wallSec: r.trainWallSec,
  }));
  const mlpWidth = [...sweep].sort((a, b) => a.relErr - b.relErr || a.width - b.width)[0].width;

  // 2. Every learner × seed.
  const oneStepIndex: { condition: Condition; n: number }[] = [
    ...cfg.lengths.map((n) => ({ condition: "default" as Condition, n })),
    { condition: "nS", n: DEFAULT_TASK.n },
    { condition: "gamma", n: DEFAULT_TASK.n },
  ];
  const oneStep: OneStepConfig[] = oneStepIndex.map(({ condition, n }) => ({
    task: { ...tasks[condition], n },
    numMdps: cfg.heldoutMdps,
    promptsPerMdp: cfg.heldoutPrompts,
    seed: cfg.evalSeed,
    streamLabel: HELDOUT_LABEL,
  }));
  const specs0 = learnerSpecs(cfg, mlpWidth);
  const jobs: Job[] = [];
  const meta: { label: string; seed: number; cost: number }[] = [];
  for (const seed of cfg.seeds) {
    for (const spec of learnerSpecs(cfg, mlpWidth, seed)) {
      jobs.push({
        name: `${spec.label} · seed ${seed}`,
        train: spec.train,
        transfers: CONDITIONS.map((c) => tcfgs[c]),
        oneStep,
      });
      const K = spec.train.config.K;
      const perPrompt = spec.family === "lsa" ? 1 : spec.family === "softmax" ? 5 : 40;
      meta.push({ label: spec.label, seed, cost: K * cfg.T * perPrompt });
    }
  }
  const maxK = Math.max(cfg.K, cfg.lsaLongK);
  for (const c of CONDITIONS) {
    assertDisjointStreams({ seeds: cfg.seeds, K: maxK }, tcfgs[c], [
      TEACHER,
      ...jobs.map((j) => j.name),
    ]);
  }
  const total = jobs.reduce((s, j) => s + j.train.config.K * j.train.config.T, 0);
  const done = new Map<number, number>();
  const costOf = new Map(jobs.map((j, i) => [j, meta[i].cost]));
  const results = await runJobs(jobs, cfg.workers, async (i, d) => {
    done.set(i, d);
    await reportProgress(hooks, "train + evaluate", sum(done), total);
  }, (j) => costOf.get(j)!);
  const runs: SeedRun[] = results.map((r, i) => ({
    label: meta[i].label,
    seed: meta[i].seed,
    result: r,
  }));

  // 3. The teacher in each closed loop.
  const teacher = {} as Record<Condition, TransferResult>;
  for (const c of CONDITIONS) {
    teacher[c] = await evaluateTransferBatched(tcfgs[c], [
      batchFromLearner(teacherLearner(TEACHER)),
    ]);
  }
  return {
    config: cfg,
    sweep,
    mlpWidth,
    learners: specs0.map(({ train: _t, ...rest }) => rest),
    runs,
    teacher,
    tasks,
    oneStepIndex,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}

function sum(m: Map<number, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
