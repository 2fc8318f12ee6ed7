/**
 * The units of work of notebook 05 (MATH §7, §8.5), as plain serialisable job descriptions so they
 * can run in Workers ({@linkcode runJobs}): richness numbers at θ⋆(c), the GD rate on a fixed prompt
 * set, a training run, and one ablation arm (train → richness → transfer).
 *
 * @module
 */

import { type RestrictedBlocks, sarsaBlocks } from "../icrl/mod.ts";
import { nullityAndGap, symmetricEigenQL } from "../core/eigen.ts";
import { manifoldStats } from "../icrl/manifold.ts";
import {
  gaussNewtonDense,
  gaussNewtonOperator,
  gaussNewtonStats,
  gramStats,
  type PromptSet,
  promptSetLoss,
  restrictedSize,
} from "../icrl/mod.ts";
import { Rng } from "../core/rng.ts";
import { fitExponentialRate } from "../core/stats.ts";
import {
  blockLearner,
  evaluateTransfer,
  summariseTransfer,
  teacherLearner,
  transferConfig,
} from "../transfer/mod.ts";
import { samplePromptSet, type TrainingDistribution } from "./distribution.ts";
import { trainOnDistribution } from "./trainer.ts";
import { trainConfig } from "../train/train.ts";
import type { TaskSpec } from "../icrl/tasks.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { runWorkerJobs } from "../train/parallel.ts";
import {
  type ArmJob,
  type ArmOut,
  type FreshRateJob,
  type Job,
  type JobOut,
  type RateJob,
  type RateOut,
  type RateRuns,
  type RichnessJob,
  type RichnessOut,
} from "./job_types.ts";
export type * from "./job_types.ts";

/**
 * The prompt set a job measures on: `episodes` episodes of its task and distribution (episode
 * indices from 10⁶ on, disjoint from the training stream's), prompts at iterations `at` of `T`.
 */
function heldOutPromptSet(
  job: { task: TaskSpec; dist: TrainingDistribution; seed: number },
  episodes: number,
  at: number[],
  T: number,
): PromptSet {
  return samplePromptSet(job.task, job.dist, job.seed, episodes, at, T, 1_000_000);
}

function scalingTangent(d: number, alpha: number, c: number): Float64Array {
  const s = sarsaBlocks(d, alpha, 1);
  const t = new Float64Array(s.P12.length + s.V21bar.length);
  t.set(s.P12, 0);
  for (let i = 0; i < s.V21bar.length; i++) t[s.P12.length + i] = -s.V21bar[i] / (c * c);
  return t;
}

/**
 * Richness numbers (MATH §7) at θ⋆(c) for each c, plus the Gram matrices.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { runRichness } from "./jobs.ts";
 * const out = runRichness({ kind: "richness", task, dist: PAPER_DISTRIBUTION, seed: 0,
 *   sampling: { episodes: 10, at: [0, 2], T: 3 }, cs: [0.5], method: "dense",
 *   solver: { block: 3, dim: 0, maxIter: 50, tol: 1e-10 } });
 * ```
 */
export function runRichness(job: RichnessJob): RichnessOut {
  const t0 = performance.now();
  const { task, sampling } = job;
  const ps = heldOutPromptSet(job, sampling.episodes, sampling.at, sampling.T);
  const perC = job.method === "gram" ? [] : job.cs.map((c, i) => {
    assertNumber(`cs[${i}]`, c);
    const b = sarsaBlocks(task.d, task.alpha, c);
    const t = scalingTangent(task.d, task.alpha, c);
    const sv = job.solver;
    const gn = gaussNewtonStats(b, ps, new Rng(job.seed).fork("gn-solver").fork(i), {
      method: job.method as "dense" | "krylov" | "lobpcg",
      krylov: { block: sv.block, dim: sv.dim },
      lobpcg: { block: sv.block, maxIter: sv.maxIter, tol: sv.tol },
      scaling: t,
    });
    const Gt = new Float64Array(t.length);
    gaussNewtonOperator(b, ps).apply(t, Gt);
    return { c, gn, scalingResidual: Math.sqrt(dot(Gt, Gt) / dot(t, t)) / gn.lambdaMax };
  });
  const gram = gramStats(ps);
  return {
    perC,
    gram,
    structuralZeros: 1 + (gram.tokens.size - gram.tokens.rank) * ps.p,
    prompts: ps.N,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Plain GD on a fixed prompt set from θ⋆(c) + a random perturbation: measured log-slopes of the loss
 * and of the distance to M⋆ over the final part of the run, next to MATH §7's predictions.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { runRate } from "./jobs.ts";
 * const rows = runRate({ kind: "rate", task, dist: PAPER_DISTRIBUTION, seed: 0,
 *   sampling: { episodes: 20, at: [0, 3], T: 4 }, c: 0.5, etaTimesLambdaMax: [1],
 *   eps: 1e-2, horizon: 8, maxSteps: 2000, fitFraction: 0.5 });
 * ```
 */
export function runRate(job: RateJob): RateOut[] {
  const { task, sampling } = job;
  checkRateRuns(job);
  const ps = heldOutPromptSet(job, sampling.episodes, sampling.at, sampling.T);
  const { mu, lmax } = gaussNewtonRange(task, job.c, ps);
  const unit = sarsaBlocks(task.d, task.alpha, 1);
  const start = perturbedStar(task, job.c, job.eps, new Rng(job.seed).fork("rate-init"));
  const P = start.length;
  return job.etaTimesLambdaMax.map((f, i) => {
    assertNumber(`etaTimesLambdaMax[${i}]`, f, 1e-6, 1.999);
    const eta = f / lmax;
    const steps = Math.min(job.maxSteps, Math.ceil(job.horizon / (eta * mu)));
    const flat = start.slice();
    const b: RestrictedBlocks = {
      m: ps.m,
      p: ps.p,
      P12: flat.subarray(0, ps.m * ps.p),
      V21bar: flat.subarray(ps.m * ps.p),
    };
    const grad = new Float64Array(P);
    const every = Math.max(1, Math.floor(steps / 200));
    const curve: RateOut["curve"] = [];
    for (let s = 0; s <= steps; s++) {
      const loss = promptSetLoss(b, ps, grad);
      if (!Number.isFinite(loss)) throw new Error(`GD diverged at step ${s} (η = ${eta})`);
      if (s % every === 0 || s === steps) {
        curve.push({ step: s, loss, dist: manifoldStats(b, unit).dist });
      }
      if (s < steps) { for (let k = 0; k < P; k++) flat[k] -= eta * grad[k]; }
    }
    return rateOut("fixed", ps.N, job, f, eta, { mu, lmax }, steps, curve);
  });
}

/** The checks of {@linkcode RateRuns} shared by both rate jobs (the step sizes are checked per run). */
function checkRateRuns(job: RateRuns): void {
  assertNumber("eps", job.eps, 1e-8, 1);
  assertInt("maxSteps", job.maxSteps, 10);
  assertNumber("fitFraction", job.fitFraction, 0.05, 1);
}

/** μ and λ_max of the Gauss–Newton matrix at θ⋆(c) over the prompt set (dense eigenvalues). */
function gaussNewtonRange(task: TaskSpec, c: number, ps: PromptSet): { mu: number; lmax: number } {
  const star = sarsaBlocks(task.d, task.alpha, c);
  const P = restrictedSize(ps.m, ps.p);
  const vals = symmetricEigenQL(gaussNewtonDense(star, ps), P, false).values;
  const g = nullityAndGap(vals, 1e-8);
  if (g.smallestNonzero === null) throw new Error("Gauss–Newton matrix has no non-zero eigenvalue");
  return { mu: g.smallestNonzero, lmax: g.largest };
}

/**
 * One GD run's result: the log-slopes of loss and distance fitted over the last `fitFraction` of
 * `curve`, beside the predicted `log max(|1 − ημ|, |1 − ηλ_max|)` (and twice it).
 */
function rateOut(
  set: RateOut["set"],
  spectrumPrompts: number,
  job: RateRuns,
  f: number,
  eta: number,
  { mu, lmax }: { mu: number; lmax: number },
  steps: number,
  curve: RateOut["curve"],
): RateOut {
  const rho = Math.max(Math.abs(1 - eta * mu), Math.abs(1 - eta * lmax));
  const from = steps * (1 - job.fitFraction);
  const tail = curve.filter((r) => r.step >= from && r.loss > 0 && r.dist > 0);
  const lossFit = fitExponentialRate(tail.map((r) => r.step), tail.map((r) => r.loss));
  const distFit = fitExponentialRate(tail.map((r) => r.step), tail.map((r) => r.dist));
  return {
    set,
    spectrumPrompts,
    c: job.c,
    eta,
    etaTimesLambdaMax: f,
    mu,
    lambdaMax: lmax,
    predictedDistSlope: Math.log(rho),
    predictedLossSlope: 2 * Math.log(rho),
    measuredDistSlope: -distFit.rate,
    measuredLossSlope: -lossFit.rate,
    steps,
    curve,
  };
}

/** θ⋆(c) + a random perturbation of relative size eps (P12 part, then V̄21), and the spectrum. */
function perturbedStar(task: TaskSpec, c: number, eps: number, rng: Rng): Float64Array {
  const star = sarsaBlocks(task.d, task.alpha, c);
  const P = star.P12.length + star.V21bar.length;
  const base = new Float64Array(P);
  base.set(star.P12, 0);
  base.set(star.V21bar, star.P12.length);
  const dir = new Float64Array(P);
  for (let i = 0; i < P; i++) dir[i] = rng.normal();
  const scale = (eps * Math.sqrt(dot(base, base))) / Math.sqrt(dot(dir, dir));
  for (let k = 0; k < P; k++) base[k] += scale * dir[k];
  return base;
}

/**
 * GD on fresh prompts from θ⋆(c) + a random perturbation (MATH §7): each step is one plain GD
 * step on a new batch of the training stream (`trainOnDistribution` with the start blocks given),
 * and the measured log-slopes of the distance to M⋆ and of the window-mean loss over the end of
 * the run are set beside `log max(|1 − ημ|, |1 − ηλ_max|)` (and twice it) of the population
 * Gauss–Newton matrix, estimated on a stream-matched prompt set.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * import { runFreshRate } from "./jobs.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * const [r] = await runFreshRate({ kind: "freshRate", task, dist: PAPER_DISTRIBUTION, seed: 0,
 *   episodes: 8, T: 10, batch: 8, c: 0.5, etaTimesLambdaMax: [1], eps: 1e-2, horizon: 4,
 *   maxSteps: 400, fitFraction: 0.5 });
 * r.set; // "fresh"
 * ```
 */
export async function runFreshRate(job: FreshRateJob): Promise<RateOut[]> {
  const { task } = job;
  assertInt("episodes", job.episodes, 1);
  assertInt("T", job.T, 1);
  assertInt("batch", job.batch, 1);
  checkRateRuns(job);
  const at = Array.from({ length: job.T }, (_, i) => i);
  const ps = heldOutPromptSet(job, job.episodes, at, job.T);
  const { mu, lmax } = gaussNewtonRange(task, job.c, ps);
  const start = perturbedStar(task, job.c, job.eps, new Rng(job.seed).fork("fresh-rate-init"));
  const mp = ps.m * ps.p;
  const out: RateOut[] = [];
  for (const [i, f] of job.etaTimesLambdaMax.entries()) {
    assertNumber(`etaTimesLambdaMax[${i}]`, f, 1e-6, 1.999);
    const eta = f / lmax;
    const want = Math.min(job.maxSteps, Math.ceil(job.horizon / (eta * mu)));
    const groups = Math.max(1, Math.ceil(want / job.T));
    const steps = groups * job.T;
    const res = await trainOnDistribution({
      train: trainConfig({
        task,
        K: groups * job.batch,
        T: job.T,
        batch: job.batch,
        optimizer: "gd",
        lr: eta,
        lrDecay: 1,
        logEvery: Math.max(1, Math.floor(steps / 200)),
        seed: job.seed,
      }),
      dist: job.dist,
      stopDist: 0,
      onDiverge: "throw",
      init: { P12: start.slice(0, mp), V21bar: start.slice(mp) },
    });
    const curve = res.rows.map((r) => ({ step: r.step, loss: r.loss, dist: r.dist }));
    out.push(rateOut("fresh", ps.N, job, f, eta, { mu, lmax }, steps, curve));
  }
  return out;
}

/**
 * One ablation arm: train, then richness at the trained task (LOBPCG) and at the small analog
 * (dense), then the closed-loop transfer score on unseen paper-distribution MDPs (MATH §8.3).
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { trainConfig } from "../train/train.ts";
 * import { runArm } from "./jobs.ts";
 * const train = trainConfig({ task, K: 8, T: 5, batch: 4, logEvery: 2, seed: 1 });
 * const out = await runArm({
 *   kind: "arm",
 *   label: "pool M=4",
 *   train: { train, dist: { ...PAPER_DISTRIBUTION, pool: 4 }, stopDist: 0, onDiverge: "throw" },
 *   richness: {
 *     sampling: { episodes: 10, at: [0, 2], T: 3 },
 *     samplingSmall: { episodes: 10, at: [0, 2], T: 3 },
 *     cs: [0.5],
 *     solver: { block: 3, dim: 0, maxIter: 50, tol: 1e-10 },
 *   },
 *   smallTask: task,
 *   smallRank: 2,
 *   transfer: { numMdps: 2, updates: 3, seed: 9 },
 *   iterative: true,
 * });
 * out.score.mean; // mean closed-loop score on 2 unseen MDPs
 * ```
 */
export async function runArm(job: ArmJob): Promise<ArmOut> {
  const t0 = performance.now();
  const res = await trainOnDistribution(job.train);
  const task = res.config.train.task, dist = job.train.dist;
  const seed = job.train.train.seed;
  const { samplingSmall, ...rich } = job.richness;
  const richness = runRichness({
    kind: "richness",
    task,
    dist,
    seed,
    method: job.iterative ? "lobpcg" : "gram",
    ...rich,
  });
  const smallDist = { ...dist, rank: Math.min(job.smallRank, job.smallTask.d) };
  const richnessSmall = runRichness({
    kind: "richness",
    task: job.smallTask,
    dist: smallDist,
    seed,
    method: "dense",
    ...rich,
    sampling: samplingSmall,
  });
  const tr = job.transfer;
  const cfg = transferConfig({
    task,
    numMdps: tr.numMdps,
    updates: tr.updates,
    recordAt: [0, tr.updates],
    seed: tr.seed,
    training: { seeds: [seed], K: job.train.train.K },
  });
  const ev = await evaluateTransfer(cfg, [
    blockLearner("trained", { task, param: "restricted", blocks: res.blocks }),
    teacherLearner("teacher"),
  ]);
  const sum = summariseTransfer(ev, { references: false });
  const at = (name: string) => {
    const r = sum.find((s) => s.learner === name && s.step === tr.updates)!;
    return { mean: r.score, lo: r.scoreLo, hi: r.scoreHi };
  };
  return {
    label: job.label,
    final: res.rows[res.rows.length - 1],
    status: res.status,
    trainRows: res.rows,
    richness,
    richnessSmall,
    score: at("trained"),
    teacherScore: at("teacher"),
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}

/**
 * Run any job.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { trainConfig } from "../train/train.ts";
 * import { runJob } from "./jobs.ts";
 * const train = trainConfig({ task, K: 8, T: 5, batch: 4, logEvery: 2, seed: 1 });
 * const out = await runJob({
 *   kind: "train",
 *   train: { train, dist: PAPER_DISTRIBUTION, stopDist: 0, onDiverge: "throw" },
 *   keepBlocks: false,
 * });
 * ```
 */
export async function runJob(job: Job): Promise<JobOut> {
  switch (job.kind) {
    case "richness":
      return runRichness(job);
    case "rate":
      return runRate(job);
    case "freshRate":
      return await runFreshRate(job);
    case "arm":
      return await runArm(job);
    case "train": {
      const r = await trainOnDistribution(job.train);
      return {
        status: r.status,
        rows: r.rows,
        blocks: job.keepBlocks ? r.blocks : null,
        wallTimeSec: r.wallTimeSec,
      };
    }
    default:
      throw new RangeError(`unknown job kind ${JSON.stringify((job as { kind: unknown }).kind)}`);
  }
}

/**
 * Run jobs in up to `workers` Deno Workers (one per core by default); results in input order. A
 * failing job rejects with its index and message. `onDone(doneCount)` after each job.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/mod.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { trainConfig } from "../train/train.ts";
 * import { type Job, runJobs } from "./jobs.ts";
 * const job = (seed: number): Job => ({
 *   kind: "train",
 *   train: {
 *     train: trainConfig({ task, K: 8, T: 5, batch: 4, logEvery: 2, seed }),
 *     dist: PAPER_DISTRIBUTION,
 *     stopDist: 0,
 *     onDiverge: "throw",
 *   },
 *   keepBlocks: false,
 * });
 * const outs = await runJobs([job(1), job(2)], 2); // in input order
 * ```
 */
export async function runJobs(
  jobs: Job[],
  workers = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, jobs.length)),
  onDone?: (done: number, total: number) => void | Promise<void>,
): Promise<JobOut[]> {
  assertInt("workers", workers, 1, 64);
  let done = 0;
  return await runWorkerJobs<Job, JobOut>(
    new URL("./worker.ts", import.meta.url),
    jobs,
    workers,
    () => void onDone?.(++done, jobs.length),
  );
}
