/**
 * Experiment 6 (MATH §8.5, last bullet — "does attention matter?"): train non-attention learners
 * (MLP on the flattened prompt, GRU over the tokens) and a softmax-attention layer on exactly the
 * teacher-mimicking objective and prompt stream of the LSA block (MATH §6), at equal prompts seen,
 * and compare loss, transfer in the closed loop of MATH §8.3, length generalisation and
 * distribution shift. `run` and its result live here; the config, defaults and learners in
 * `attention_config.ts`, the views (`tables`, `figures`, `summary`) in `attention_views.ts`; both
 * are re-exported.
 *
 * Engines: the LSA block (restricted and full) is trained by `trainTeacherMimic` (hand gradients,
 * float64, as notebook 02); the baselines by `trainBaseline` (tfjs autodiff, float32, wasm), with the
 * same float64 Adam, learning-rate schedule, batch and prompt stream.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/mod.ts";
import {
  assertDisjointStreams,
  recordGrid,
  teacherLearner,
  type TransferConfig,
  transferConfig,
  type TransferResult,
} from "../transfer/mod.ts";
import { baselineConfig } from "../baselines/train.ts";
import {
  batchFromLearner,
  evaluateTransferBatched,
  type OneStepConfig,
} from "../baselines/eval.ts";
import { type Job, type JobResult, runJobs } from "../baselines/jobs.ts";
import { reportProgress, type RunHooks } from "./shape.ts";
import {
  type AttentionConfig,
  type Condition,
  conditionTasks,
  type LearnerSpec,
  learnerSpecs,
  TEACHER,
  validateAttentionConfig,
} from "./attention_config.ts";

export * from "./attention_config.ts";
export { figures, summary, tables } from "./attention_views.ts";

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
 * ```ts ignore
 * // ignore: long compute (minutes of tfjs training on every core)
 * import { attentionDefaults, run } from "./attention.ts";
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
