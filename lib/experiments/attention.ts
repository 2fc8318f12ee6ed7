/**
 * Experiment 6 (MATH §8.5, last bullet — "does attention matter?"): train non-attention learners
 * (MLP on the flattened prompt, GRU over the tokens) and a softmax-attention layer on exactly the
 * teacher-mimicking objective and prompt stream of the LSA block (MATH §6), at equal prompts seen,
 * and compare loss, transfer in the closed loop of MATH §8.3, length generalisation and
 * distribution shift. `run` and its result live here; the config, defaults and learners in
 * `attention_config.ts`, the views (`tables`, `figures`, `summary`) in `attention_views.ts`; both
 * are re-exported.
 *
 * Engine: every learner — the LSA block (restricted and full) and the alternatives — trains on the
 * float64 engine of `baselines/js_models.ts` (hand gradients, checked against finite differences)
 * by `trainLearner`, with the same float64 Adam, learning-rate schedule, batch and prompt stream;
 * each at the learning rate its own sweep chose on held-out prompts.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/mod.ts";
import {
  assertDisjointStreams,
  evaluateTransfer,
  recordGrid,
  teacherLearner,
  type TransferConfig,
  transferConfig,
  type TransferResult,
} from "../transfer/mod.ts";
import type { OneStepConfig } from "../baselines/eval.ts";
import { type Job, type JobResult, runJobs } from "../baselines/jobs.ts";
import { reportProgress, type RunHooks } from "./shape.ts";
import {
  type AttentionConfig,
  type Condition,
  conditionTasks,
  learnerRun,
  type LearnerSpec,
  learnerSpecs,
  TEACHER,
  validateAttentionConfig,
} from "./attention_config.ts";

export * from "./attention_config.ts";

/** One trained learner of one seed with its evaluations. */
export interface SeedRun {
  /** Learner label. */
  label: string;
  /** Training seed. */
  seed: number;
  /** Learning rate it trained at (the chosen one, or the next lower if that diverged). */
  lr: number;
  /** The job's result. */
  result: JobResult;
}

/** One run of the learning-rate sweep. */
export interface SweepRun {
  /** Learner label. */
  label: string;
  /** Adam learning rate. */
  lr: number;
  /** "done" or "diverged". */
  status: "done" | "diverged";
  /** Held-out one-step error at n = 20 on the sweep's held-out stream (null if diverged). */
  relErr: number | null;
  /** Last window-mean training loss. */
  finalLoss: number;
  /** Prompts trained on. */
  prompts: number;
  /** Training wall time (s). */
  wallSec: number;
}

/** Result of {@linkcode run}. */
export interface AttentionResult {
  /** The configuration. */
  config: AttentionConfig;
  /** Every (learner, learning rate) sweep run. */
  sweep: SweepRun[];
  /** The learning rate chosen for each learner (smallest held-out error of the sweep). */
  chosenLr: Record<string, number>;
  /** Learners, in display order, with their sizes. */
  learners: LearnerSpec[];
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
 * The learning rate a sweep chooses for one learner: the smallest held-out error among the runs
 * that did not diverge (ties: the smaller rate); null if every rate diverged.
 *
 * @example
 * ```ts
 * import { chooseLr } from "./attention.ts";
 * chooseLr([
 *   { label: "a", lr: 1e-3, status: "done", relErr: 0.5, finalLoss: 1, prompts: 1, wallSec: 1 },
 *   { label: "a", lr: 1e-2, status: "done", relErr: 0.2, finalLoss: 1, prompts: 1, wallSec: 1 },
 *   { label: "a", lr: 1e-1, status: "diverged", relErr: null, finalLoss: 1, prompts: 1, wallSec: 1 },
 * ]); // 0.01
 * ```
 */
export function chooseLr(runs: SweepRun[]): number | null {
  const ok = runs.filter((r) => r.status === "done" && r.relErr !== null);
  if (!ok.length) return null;
  return [...ok].sort((a, b) => a.relErr! - b.relErr! || a.lr - b.lr)[0].lr;
}

/**
 * Run notebook 06: the learning-rate sweep of every learner (its own held-out stream), then every
 * learner × seed at its chosen rate (train with held-out checkpoints and an equal-wall-time
 * snapshot; closed-loop transfer in three conditions; one-step errors at every length and under
 * both shifts) in Workers, and the teacher's closed loops. Deterministic given the config (wall
 * times and the wall-time snapshot aside).
 *
 * @example
 * ```ts
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * res.runs.length; // 4: every learner × seed at its chosen rate
 * res.chosenLr; // { LSA: 0.01, MLP: 0.01 }: the only rate of the grid
 * if (res.runs.length !== 4 || res.chosenLr.MLP !== 0.01) throw new Error("runs");
 * ```
 */
export async function run(config: AttentionConfig, hooks?: RunHooks): Promise<AttentionResult> {
  const cfg = validateAttentionConfig({ ...config });
  const t0 = performance.now();
  const tasks = conditionTasks(cfg);
  const tcfgs = transferConfigs(cfg);
  const specs = learnerSpecs(cfg);
  const cost = (l: LearnerSpec, K: number) => l.forwardMacs * K * cfg.T;
  const heldout = (task: TaskSpec, label: string): OneStepConfig => ({
    task,
    numMdps: cfg.heldoutMdps,
    promptsPerMdp: cfg.heldoutPrompts,
    seed: cfg.evalSeed,
    streamLabel: label,
  });

  // 1. Learning-rate sweep: every learner × rate on the sweep seed, chosen by held-out error.
  const sweepJobs: Job[] = [], sweepMeta: { l: LearnerSpec; lr: number }[] = [];
  for (const l of specs) {
    for (const lr of cfg.lrGrid) {
      sweepMeta.push({ l, lr });
      sweepJobs.push({
        name: `${l.label} · lr ${lr} (sweep)`,
        train: { kind: "learner", config: learnerRun(cfg, l, lr, cfg.sweepSeed, cfg.sweepK) },
        transfers: [],
        oneStep: [heldout(tasks.default, SWEEP_LABEL)],
      });
    }
  }
  hooks?.log?.(`learning-rate sweep: ${specs.length} learners × ${cfg.lrGrid.length} rates`);
  const sweepRes = await runPhase(
    hooks,
    "sweep",
    cfg.workers,
    sweepJobs,
    (i) => cost(sweepMeta[i].l, cfg.sweepK),
  );
  const sweep: SweepRun[] = sweepRes.map((r, i) => ({
    label: sweepMeta[i].l.label,
    lr: sweepMeta[i].lr,
    status: r.status,
    relErr: r.status === "done" ? r.oneStep[0].relErr : null,
    finalLoss: r.metrics.at(-1)?.loss ?? NaN,
    prompts: r.prompts,
    wallSec: r.trainWallSec,
  }));
  const chosenLr: Record<string, number> = {};
  for (const l of specs) {
    const lr = chooseLr(sweep.filter((s) => s.label === l.label));
    if (lr === null) throw new Error(`every learning rate of the sweep diverged for "${l.label}"`);
    chosenLr[l.label] = lr;
  }

  // 2. Every learner × seed at its chosen rate (a diverged run retries at the next lower rate).
  const oneStepIndex: { condition: Condition; n: number }[] = [
    ...cfg.lengths.map((n) => ({ condition: "default" as Condition, n })),
    { condition: "nS", n: DEFAULT_TASK.n },
    { condition: "gamma", n: DEFAULT_TASK.n },
  ];
  const oneStep = oneStepIndex.map(({ condition, n }) =>
    heldout({ ...tasks[condition], n }, HELDOUT_LABEL)
  );
  const mainJob = (l: LearnerSpec, seed: number, lr: number): Job => ({
    name: `${l.label} · seed ${seed}`,
    train: {
      kind: "learner",
      config: learnerRun(cfg, l, lr, seed, cfg.K, {
        checkpoints: cfg.checkpoints,
        wallSnapshotSec: cfg.equalWallSec,
      }),
    },
    transfers: CONDITIONS.map((c) => tcfgs[c]),
    oneStep,
    snapshotEval: heldout(tasks.default, HELDOUT_LABEL),
  });
  const meta: { l: LearnerSpec; seed: number; lr: number }[] = [];
  for (const seed of cfg.seeds) {
    for (const l of specs) meta.push({ l, seed, lr: chosenLr[l.label] });
  }
  for (const c of CONDITIONS) {
    assertDisjointStreams({ seeds: [...cfg.seeds, cfg.sweepSeed], K: cfg.K }, tcfgs[c], [
      TEACHER,
      ...meta.map((m) => `${m.l.label} · seed ${m.seed}`),
    ]);
  }
  let results = await runPhase(
    hooks,
    "train + evaluate",
    cfg.workers,
    meta.map((m) => mainJob(m.l, m.seed, m.lr)),
    (i) => cost(meta[i].l, cfg.K),
  );
  for (;;) {
    const bad = results.map((r, i) => (r.status === "diverged" ? i : -1)).filter((i) => i >= 0);
    if (!bad.length) break;
    const retry = bad.map((i) => {
      const lower = cfg.lrGrid.filter((x) => x < meta[i].lr).sort((a, b) => b - a)[0];
      if (lower === undefined) {
        throw new Error(`"${meta[i].l.label}" seed ${meta[i].seed} diverged at every rate tried`);
      }
      meta[i].lr = lower;
      return mainJob(meta[i].l, meta[i].seed, lower);
    });
    hooks?.log?.(`${retry.length} diverged run(s): retrying at the next lower learning rate`);
    const again = await runJobs(retry, cfg.workers);
    bad.forEach((i, k) => (results[i] = again[k]));
    results = [...results];
  }
  const runs: SeedRun[] = results.map((r, i) => ({
    label: meta[i].l.label,
    seed: meta[i].seed,
    lr: meta[i].lr,
    result: r,
  }));

  // 3. The teacher in each closed loop.
  const teacher = {} as Record<Condition, TransferResult>;
  for (const c of CONDITIONS) {
    teacher[c] = await evaluateTransfer(tcfgs[c], [teacherLearner(TEACHER)]);
  }
  return {
    config: cfg,
    sweep,
    chosenLr,
    learners: specs,
    runs,
    teacher,
    tasks,
    oneStepIndex,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}

/** Run one phase's jobs in Workers, most expensive first, with a progress bar in prompts. */
async function runPhase(
  hooks: RunHooks | undefined,
  label: string,
  workers: number,
  jobs: Job[],
  cost: (i: number) => number,
): Promise<JobResult[]> {
  const total = jobs.reduce((s, j) => s + j.train.config.K * j.train.config.T, 0);
  const done = new Map<number, number>();
  const costOf = new Map(jobs.map((j, i) => [j, cost(i)]));
  await reportProgress(hooks, label, 0, total);
  return await runJobs(jobs, workers, async (i, d) => {
    done.set(i, d);
    let s = 0;
    for (const v of done.values()) s += v;
    await reportProgress(hooks, label, Math.min(s, total), total);
  }, (j) => costOf.get(j)!);
}
