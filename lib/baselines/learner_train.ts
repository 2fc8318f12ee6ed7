/**
 * Teacher-mimicking training ([LL26] Algorithm 1, MATH §6) of any learner of `js_models.ts` — the
 * LSA block or an alternative — on **one** engine: float64 hand gradients, the project's float64
 * Adam, the MATH §6 learning-rate schedule, batched mode (B MDPs side by side) and the training
 * prompt stream of `trainTeacherMimic` (MDP k from `new Rng(seed).fork("mdp").fork(k)`, the teacher
 * advances w and the state). Every learner with the same seed, K, T and batch sees exactly the same
 * prompts.
 *
 * Along the way it keeps what notebook 06 needs: the window-mean training loss at log-spaced steps,
 * copies of the parameters at given prompt counts (for held-out errors against log prompts), and a
 * copy at a given **wall time** (for the equal-wall-time comparison). A diverging run (non-finite
 * loss or above `divergeLoss`) stops with status "diverged" instead of throwing, so a learning-rate
 * sweep can include rates that are too large.
 *
 * @module
 */

import { adam } from "../core/optim.ts";
import { Rng } from "../core/rng.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { newTaskEnv, taskAdvance, taskDims, type TaskEnv, taskStep } from "../icrl/mod.ts";
import { DEFAULT_TASK, type TaskSpec, validateTask } from "../icrl/tasks.ts";
import { engine, initLearner, type LearnerArch, validateLearnerArch } from "./js_models.ts";

/** A training run of one learner. */
export interface LearnerTrainConfig {
  /** The learner. */
  arch: LearnerArch;
  /** Task (SARSA; MATH §1 defaults). */
  task: TaskSpec;
  /** Training MDPs (a multiple of `batch` is simplest). */
  K: number;
  /** Iterations per MDP. */
  T: number;
  /** MDPs side by side per Adam step. */
  batch: number;
  /** Adam learning rate at the start. */
  lr: number;
  /** Multiplied into the learning rate every `lrDecayEvery` MDPs (MATH §6: 0.99 every 10). */
  lrDecay: number;
  /** MDPs per decay. */
  lrDecayEvery: number;
  /** Xavier gain of the initialisation (MATH §6: 0.1; the output layer of the baselines). */
  initGain: number;
  /** Seed of the prompt stream and the initialisation. */
  seed: number;
  /** A step loss above this (or non-finite) stops the run with status "diverged". */
  divergeLoss: number;
  /** Loss rows at steps 1, then whenever the step has grown by this factor (and at the end). */
  logGrowth: number;
  /** Prompt counts at which to keep a copy of the parameters (the first step reaching each). */
  checkpoints: number[];
  /** Keep a copy at the first step whose training wall time reaches this (0 = none). */
  wallSnapshotSec: number;
}

/** MATH §6's defaults (Adam 1e-3 ×0.99 every 10 MDPs, Xavier gain 0.1, B = 64). */
const LEARNER_DEFAULTS: Omit<LearnerTrainConfig, "arch"> = {
  task: DEFAULT_TASK,
  K: 10_000,
  T: 100,
  batch: 64,
  lr: 1e-3,
  lrDecay: 0.99,
  lrDecayEvery: 10,
  initGain: 0.1,
  seed: 0,
  divergeLoss: 1e6,
  logGrowth: 1.05,
  checkpoints: [],
  wallSnapshotSec: 0,
};

/**
 * Fill in the MATH §6 defaults and validate; unknown keys throw.
 *
 * @example
 * ```ts
 * import { learnerTrainConfig } from "./learner_train.ts";
 * const cfg = learnerTrainConfig({ arch: { kind: "mlp", hidden: 3 }, K: 64, T: 10 });
 * cfg.lr; // 0.001
 * ```
 */
export function learnerTrainConfig(
  over: Partial<LearnerTrainConfig> & { arch: LearnerArch },
): LearnerTrainConfig {
  const cfg: LearnerTrainConfig = { ...LEARNER_DEFAULTS, task: { ...DEFAULT_TASK }, ...over };
  const known = [...Object.keys(LEARNER_DEFAULTS), "arch"];
  for (const k of Object.keys(over)) {
    if (!known.includes(k) || (over as Record<string, unknown>)[k] === undefined) {
      throw new RangeError(`unknown learner training key "${k}"`);
    }
  }
  validateLearnerArch(cfg.arch);
  validateTask(cfg.task);
  if (cfg.task.kind !== "sarsa") throw new RangeError(`task.kind must be "sarsa"`);
  assertInt("K", cfg.K, 1);
  assertInt("T", cfg.T, 1);
  assertInt("batch", cfg.batch, 1);
  assertNumber("lr", cfg.lr, Number.MIN_VALUE);
  assertNumber("lrDecay", cfg.lrDecay, Number.MIN_VALUE, 1);
  assertInt("lrDecayEvery", cfg.lrDecayEvery, 1);
  assertNumber("initGain", cfg.initGain, Number.MIN_VALUE);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  assertNumber("divergeLoss", cfg.divergeLoss, Number.MIN_VALUE);
  assertNumber("logGrowth", cfg.logGrowth, 1.0001, 100);
  cfg.checkpoints.forEach((c, i) => assertInt(`checkpoints[${i}]`, c, 1));
  assertNumber("wallSnapshotSec", cfg.wallSnapshotSec, 0);
  return cfg;
}

/** One training-loss row. */
export interface LearnerLossRow {
  /** Optimiser steps taken. */
  step: number;
  /** Prompts consumed. */
  prompts: number;
  /** MDPs started. */
  mdps: number;
  /** Learning rate of the last step. */
  lr: number;
  /** Mean per-prompt loss over the steps since the previous row. */
  loss: number;
  /** Seconds since the start of the loop. */
  wallSec: number;
}

/** A copy of the parameters during training. */
export interface LearnerSnapshot {
  /** Prompts consumed when it was taken. */
  prompts: number;
  /** Training wall time when it was taken (s). */
  wallSec: number;
  /** Window-mean training loss since the previous snapshot of the same kind. */
  loss: number;
  /** The parameters. */
  params: Float64Array;
}

/** Result of {@linkcode trainLearner}. */
export interface LearnerTrainResult {
  /** The validated configuration. */
  config: LearnerTrainConfig;
  /** "done" (whole budget) or "diverged" (stopped; `params` are the last finite ones). */
  status: "done" | "diverged";
  /** Final parameters. */
  params: Float64Array;
  /** Loss rows (log-spaced steps). */
  metrics: LearnerLossRow[];
  /** One per reached checkpoint, in order. */
  snapshots: LearnerSnapshot[];
  /** The copy at `wallSnapshotSec`, or null (none asked, or the run ended first). */
  wallSnapshot: LearnerSnapshot | null;
  /** Prompts consumed. */
  prompts: number;
  /** Wall time of the loop (s). */
  wallTimeSec: number;
}

/**
 * Train one learner (deterministic given the config, wall-time snapshot aside). Yields to the event
 * loop about every 200 ms; `onProgress(done, total)` counts prompts.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { learnerTrainConfig, trainLearner } from "./learner_train.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * const res = await trainLearner(learnerTrainConfig({
 *   arch: { kind: "softmax", heads: 2 }, task, K: 16, T: 5, batch: 8, checkpoints: [40],
 * }));
 * res.snapshots[0].prompts; // 40
 * ```
 */
export async function trainLearner(
  config: LearnerTrainConfig,
  onProgress?: (done: number, total: number) => void,
): Promise<LearnerTrainResult> {
  const cfg = learnerTrainConfig(config);
  const { task, K, T, batch } = cfg;
  const { m, p } = taskDims(task);
  const n = task.n;
  const eng = engine(cfg.arch, { m, p, nTrain: n });
  const params = initLearner(cfg.arch, { m, p, nTrain: n }, cfg.seed, cfg.initGain);
  const grad = new Float64Array(params.length), last = Float64Array.from(params);
  const opt = adam(params.length);
  const mdpRoot = new Rng(cfg.seed).fork("mdp");
  const Xs = Array.from({ length: batch }, () => new Float64Array(n * m));
  const targets = Array.from({ length: batch }, () => new Float64Array(p - 1));
  const checkpoints = [...new Set(cfg.checkpoints)].sort((a, b) => a - b);
  const metrics: LearnerLossRow[] = [];
  const snapshots: LearnerSnapshot[] = [];
  let wallSnapshot: LearnerSnapshot | null = null;
  let step = 0, prompts = 0, winLoss = 0, winCount = 0, snapLoss = 0, snapCount = 0;
  let nextLog = 1, nextCk = 0, status: LearnerTrainResult["status"] = "done";
  const t0 = performance.now();
  let lastYield = t0;
  const total = Math.ceil(K / batch) * batch * T;
  outer: for (let k0 = 0; k0 < K; k0 += batch) {
    const envs: TaskEnv[] = [];
    for (let k = k0; k < Math.min(K, k0 + batch); k++) envs.push(newTaskEnv(task, mdpRoot.fork(k)));
    const B = envs.length;
    const lr = cfg.lr * Math.pow(cfg.lrDecay, Math.floor(k0 / cfg.lrDecayEvery));
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) taskStep(task, envs[b], Xs[b], targets[b]);
      const loss = eng.lossGrad(params, Xs, envs.map((e) => e.theta), targets, B, n, grad);
      if (!Number.isFinite(loss) || loss > cfg.divergeLoss || !grad.every(Number.isFinite)) {
        params.set(last);
        status = "diverged";
        break outer;
      }
      last.set(params);
      opt.step(params, grad, lr);
      for (let b = 0; b < B; b++) taskAdvance(envs[b], targets[b]);
      step++;
      prompts += B;
      winLoss += loss;
      winCount++;
      snapLoss += loss;
      snapCount++;
      const wall = (performance.now() - t0) / 1000;
      const atEnd = k0 + batch >= K && t === T - 1;
      if (step >= nextLog || atEnd) {
        metrics.push({ step, prompts, mdps: k0 + B, lr, loss: winLoss / winCount, wallSec: wall });
        winLoss = 0;
        winCount = 0;
        while (nextLog <= step) nextLog = Math.max(nextLog + 1, Math.ceil(nextLog * cfg.logGrowth));
      }
      while (nextCk < checkpoints.length && prompts >= checkpoints[nextCk]) {
        snapshots.push({
          prompts,
          wallSec: wall,
          loss: snapLoss / snapCount,
          params: Float64Array.from(params),
        });
        snapLoss = 0;
        snapCount = 0;
        nextCk++;
      }
      if (cfg.wallSnapshotSec > 0 && wallSnapshot === null && wall >= cfg.wallSnapshotSec) {
        wallSnapshot = {
          prompts,
          wallSec: wall,
          loss: metrics.at(-1)?.loss ?? loss,
          params: Float64Array.from(params),
        };
      }
      if (performance.now() - lastYield > 200) {
        onProgress?.(prompts, total);
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
    }
  }
  onProgress?.(prompts, total);
  return {
    config: cfg,
    status,
    params,
    metrics,
    snapshots,
    wallSnapshot,
    prompts,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
