/**
 * One unit of work of the "does attention matter?" experiment: train one learner (the LSA block by
 * `trainTeacherMimic`, or a baseline by `trainBaseline`) on the MATH §6 prompt stream, then evaluate
 * it — closed-loop transfer (MATH §8.3) under one or more test tasks and one-step errors on held-out
 * prompts. {@linkcode runJob} runs it in-process; {@linkcode runJobs} spreads jobs over Workers
 * (`job_worker.ts`); results do not depend on the number of workers.
 *
 * @module
 */

import {
  type BatchLearner,
  blockLearner,
  evaluateTransfer,
  type Learner,
  type TransferConfig,
  type TransferResult,
} from "../transfer/mod.ts";
import { type TrainConfig, type TrainResult, trainTeacherMimic } from "../train/train.ts";
import { type BaselineResult, type BaselineTrainConfig, trainBaseline } from "./train.ts";
import { modelLearner, type OneStepConfig, oneStepErrors, type OneStepRow } from "./eval.ts";
import { assertInt } from "../core/validate.ts";
import {
  type LearnerLossRow,
  type LearnerSnapshot,
  type LearnerTrainConfig,
  trainLearner,
} from "./learner_train.ts";
import { engineLearner } from "./eval.ts";
import { taskDims } from "../icrl/tasks.ts";
import { runWorkerJobs } from "../train/parallel.ts";

/** A job: what to train, under which name, and how to evaluate it. */
export interface Job {
  /** Learner name used in every result (and to label its rollout streams). */
  name: string;
  /**
   * The LSA block (trainTeacherMimic), a tfjs baseline (trainBaseline), or any learner on the
   * float64 engine (trainLearner: snapshots at checkpoints and at a wall time, divergence as a
   * status).
   */
  train:
    | { kind: "lsa"; config: TrainConfig }
    | { kind: "baseline"; config: BaselineTrainConfig }
    | { kind: "learner"; config: LearnerTrainConfig };
  /** Closed-loop evaluations (one result each). */
  transfers: TransferConfig[];
  /** Held-out one-step evaluations (one row each). */
  oneStep: OneStepConfig[];
  /** For "learner": the held-out evaluation of every snapshot (checkpoints and wall time). */
  snapshotEval?: OneStepConfig;
}

/** A snapshot of a "learner" job, evaluated. */
export interface SnapshotEval {
  /** Prompts consumed. */
  prompts: number;
  /** Training wall time (s). */
  wallSec: number;
  /** Window-mean training loss up to it. */
  loss: number;
  /** Held-out one-step error of the snapshot (`snapshotEval`). */
  oneStep: OneStepRow;
}

/** Result of one job. */
export interface JobResult {
  /** The job's name. */
  name: string;
  /** Training metrics, as `{ step, prompts, mdps, lr, loss, wallSec }` rows. */
  metrics: LearnerLossRow[];
  /** Training wall time (s). */
  trainWallSec: number;
  /** Prompts consumed in training. */
  prompts: number;
  /** Trainable parameters. */
  paramCount: number;
  /** One transfer result per `job.transfers` entry. */
  transfers: TransferResult[];
  /** One row per `job.oneStep` entry. */
  oneStep: OneStepRow[];
  /** Evaluation wall time (s). */
  evalWallSec: number;
  /** "done", or "diverged" (a "learner" run stopped early; evaluations then are empty). */
  status: "done" | "diverged";
  /** "learner" jobs: the evaluated checkpoint snapshots (else empty). */
  checkpoints: SnapshotEval[];
  /** "learner" jobs: the evaluated wall-time snapshot (else null). */
  wallPoint: SnapshotEval | null;
}

/** Trainable scalars of an LSA run (restricted: P12, V̄21; full: P, V). */
function lsaParamCount(r: TrainResult): number {
  const b = r.model.blocks;
  return r.model.full ? 2 * r.model.full.D * r.model.full.D : b.m * b.p + (b.p - 1) * b.m;
}

/**
 * Run one job in this thread. `onProgress(done, total)` counts training prompts.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { baselineConfig } from "./train.ts";
 * import { type Job, runJob } from "./jobs.ts";
 * const job = (seed: number): Job => ({
 *   name: `softmax seed ${seed}`,
 *   train: {
 *     kind: "baseline",
 *     config: baselineConfig({ arch: { kind: "softmax" }, task, K: 8, T: 2, batch: 4, seed }),
 *   },
 *   transfers: [],
 *   oneStep: [],
 * });
 * const res = await runJob(job(0));
 * ```
 */
export async function runJob(
  job: Job,
  onProgress?: (done: number, total: number) => void,
): Promise<JobResult> {
  if (typeof job.name !== "string" || job.name.length === 0) {
    throw new RangeError(`job name must be a non-empty string, got ${JSON.stringify(job.name)}`);
  }
  let learner: Learner | BatchLearner;
  let metrics: JobResult["metrics"], trainWallSec: number, prompts: number, count: number;
  let status: JobResult["status"] = "done";
  let checkpoints: SnapshotEval[] = [], wallPoint: SnapshotEval | null = null;
  if (job.train.kind === "learner") {
    const r = await trainLearner(job.train.config, onProgress);
    const { arch, task } = r.config;
    const { m, p } = taskDims(task);
    const dims = { m, p, nTrain: task.n };
    metrics = r.metrics;
    trainWallSec = r.wallTimeSec;
    prompts = r.prompts;
    count = r.params.length;
    status = r.status;
    learner = engineLearner(job.name, arch, dims, r.params);
    const evalSnap = (s: LearnerSnapshot): SnapshotEval => ({
      prompts: s.prompts,
      wallSec: s.wallSec,
      loss: s.loss,
      oneStep: oneStepErrors(job.snapshotEval!, [engineLearner(job.name, arch, dims, s.params)])[0],
    });
    if (job.snapshotEval && status === "done") {
      checkpoints = r.snapshots.map(evalSnap);
      wallPoint = r.wallSnapshot ? evalSnap(r.wallSnapshot) : null;
    }
  } else if (job.train.kind === "lsa") {
    const t0 = performance.now();
    const rowTimes: number[] = [];
    const r = await trainTeacherMimic(job.train.config, (d, t, row) => {
      onProgress?.(d, t);
      if (row) rowTimes.push((performance.now() - t0) / 1000);
    });
    metrics = r.metrics.map((m, i) => ({
      step: m.step,
      prompts: m.prompts,
      mdps: m.mdps,
      lr: m.lr,
      loss: m.loss,
      wallSec: rowTimes[i] ?? NaN,
    }));
    trainWallSec = r.wallTimeSec;
    prompts = r.prompts;
    count = lsaParamCount(r);
    learner = blockLearner(job.name, r.model);
  } else if (job.train.kind === "baseline") {
    const r: BaselineResult = await trainBaseline(job.train.config, onProgress);
    metrics = r.metrics;
    trainWallSec = r.wallTimeSec;
    prompts = r.prompts;
    count = r.params.values.reduce((s, v) => s + v.length, 0);
    learner = modelLearner(job.name, r.params);
  } else {
    throw new RangeError(
      `unknown job kind ${JSON.stringify((job.train as { kind: unknown }).kind)}`,
    );
  }
  // a diverged run is not evaluated
  const evaluate = status === "done";
  const t1 = performance.now();
  const transfers: TransferResult[] = [];
  for (const cfg of evaluate ? job.transfers : []) {
    transfers.push(await evaluateTransfer(cfg, [learner]));
  }
  const oneStep = evaluate ? job.oneStep.map((cfg) => oneStepErrors(cfg, [learner])[0]) : [];
  return {
    name: job.name,
    metrics,
    trainWallSec,
    prompts,
    paramCount: count,
    transfers,
    oneStep,
    evalWallSec: evaluate ? (performance.now() - t1) / 1000 : 0,
    status,
    checkpoints,
    wallPoint,
  };
}

/**
 * Run jobs in up to `workers` Deno Workers (largest `cost` first); results come back in input
 * order. `onProgress(index, done, total)` reports each job's training prompts. A failing job rejects
 * with its name and message.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { baselineConfig } from "./train.ts";
 * import { type Job, runJobs } from "./jobs.ts";
 * const job = (seed: number): Job => ({
 *   name: `softmax seed ${seed}`,
 *   train: {
 *     kind: "baseline",
 *     config: baselineConfig({ arch: { kind: "softmax" }, task, K: 8, T: 2, batch: 4, seed }),
 *   },
 *   transfers: [],
 *   oneStep: [],
 * });
 * const results = await runJobs([job(0), job(1)], 2); // in input order
 * ```
 */
export async function runJobs(
  jobs: Job[],
  workers = 2,
  onProgress?: (index: number, done: number, total: number) => void,
  cost: (job: Job) => number = () => 1,
): Promise<JobResult[]> {
  assertInt("workers", workers, 1, 64);
  // Largest cost first (the pool takes jobs in order), results mapped back to input order.
  const order = jobs.map((_, i) => i).sort((a, b) => cost(jobs[b]) - cost(jobs[a]) || a - b);
  const url = new URL("./job_worker.ts", import.meta.url);
  const sorted = await runWorkerJobs<Job, JobResult>(
    url,
    order.map((i) => jobs[i]),
    workers,
    undefined,
    (k, msg) => {
      const m = msg as { done: number; total: number };
      onProgress?.(order[k], m.done, m.total);
    },
  );
  const results: JobResult[] = new Array(jobs.length);
  order.forEach((i, k) => results[i] = sorted[k]);
  return results;
}
