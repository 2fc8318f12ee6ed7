/**
 * Teacher-mimicking training of the **restricted** block (MATH §6a) on a chosen training
 * distribution, logging what MATH §7 asks to see along the way: the distance to `M⋆`, the scale c
 * and the balancedness quantity `‖V̄21‖²_F − ‖P12‖²_F` (conserved by gradient flow). It can stop
 * early once the distance is below `stopDist` (basin of attraction), and can report divergence as a
 * status instead of throwing.
 *
 * On the paper's distribution it is step-for-step the batched/exact trainer of `train.ts` (same
 * streams, same initialisation, same optimiser): `tests/settle_test.ts` checks the final blocks
 * agree exactly.
 *
 * @module
 */

import type { RestrictedBlocks } from "../icrl/mod.ts";
import { restrictedLossGrad, restrictedScratch } from "../icrl/mod.ts";
import { manifoldStats } from "../icrl/manifold.ts";
import { adam, gradientDescent } from "../core/optim.ts";
import { Rng } from "../core/rng.ts";
import { taskAdvance, taskConstruction, taskDims, type TaskEnv, taskStep } from "../icrl/mod.ts";
import { type TrainConfig, trainConfig } from "../train/train.ts";
import { assertFiniteArray, assertNumber } from "../core/validate.ts";
import {
  distributionEnv,
  type TrainingDistribution,
  validateDistribution,
} from "./distribution.ts";

/** A training run: the trainer's config (restricted, js) plus distribution and stopping rule. */
export interface DistTrainConfig {
  /** Everything of MATH §6 (param must be "restricted", engine "js"). */
  train: TrainConfig;
  /** Training distribution. */
  dist: TrainingDistribution;
  /** Stop once the distance to M⋆ at a logged step is below this (0 = never). */
  stopDist: number;
  /** "throw" (default behaviour of the trainer) or "stop" (return with status "diverged"). */
  onDiverge: "throw" | "stop";
  /**
   * Start from these blocks instead of the Xavier initialisation (the init stream is then unused);
   * e.g. θ⋆(c) plus a perturbation for the fresh-prompt rate of MATH §7.
   */
  init?: { P12: Float64Array; V21bar: Float64Array };
}

/** One logged row. */
export interface DistTrainRow {
  /** Optimiser steps. */
  step: number;
  /** Prompts consumed. */
  prompts: number;
  /** Mean per-prompt loss over the steps since the previous row. */
  loss: number;
  /** Distance to M⋆ (scale-free, MATH §7). */
  dist: number;
  /** Cosine of P12 with P⋆12. */
  cosP12: number;
  /** Cosine of V̄21 with V̄⋆21. */
  cosV21: number;
  /** Scale c read off P12. */
  cP: number;
  /** ‖V̄21‖²_F − ‖P12‖²_F. */
  balance: number;
  /** ‖P12‖_F. */
  normP: number;
  /** ‖V̄21‖_F. */
  normV: number;
}

/** Result of {@linkcode trainOnDistribution}. */
export interface DistTrainResult {
  /** The validated config. */
  config: DistTrainConfig;
  /** "converged" (dist < stopDist), "budget" (ran out), "diverged". */
  status: "converged" | "budget" | "diverged";
  /** Final blocks (the last finite ones if diverged). */
  blocks: RestrictedBlocks;
  /** Initial blocks. */
  init: RestrictedBlocks;
  /** Logged rows (row 0 = before the first step). */
  rows: DistTrainRow[];
  /** Wall time, seconds. */
  wallTimeSec: number;
}

/**
 * Validate a {@linkcode DistTrainConfig}; throws naming the bad key or value. Returns it.
 *
 * @example
 * ```ts
 * import { trainConfig } from "../train/train.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * import { validateDistTrain } from "./trainer.ts";
 * validateDistTrain({
 *   train: trainConfig({ K: 64, T: 10 }),
 *   dist: PAPER_DISTRIBUTION,
 *   stopDist: 0,
 *   onDiverge: "throw",
 * });
 * ```
 */
export function validateDistTrain(cfg: DistTrainConfig): DistTrainConfig {
  const train = trainConfig(cfg.train);
  if (train.param !== "restricted") throw new RangeError(`train.param must be "restricted"`);
  if (train.engine !== "js") throw new RangeError(`train.engine must be "js"`);
  validateDistribution(cfg.dist, train.task);
  assertNumber("stopDist", cfg.stopDist, 0, 10);
  if (cfg.init !== undefined) {
    const { m, p } = taskDims(train.task);
    assertFiniteArray("init.P12", cfg.init.P12, m * p);
    assertFiniteArray("init.V21bar", cfg.init.V21bar, (p - 1) * m);
  }
  if (cfg.onDiverge !== "throw" && cfg.onDiverge !== "stop") {
    throw new RangeError(
      `onDiverge must be "throw" or "stop", got ${JSON.stringify(cfg.onDiverge)}`,
    );
  }
  return { ...cfg, train };
}

function sq(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/**
 * Train the restricted block on `dist` (MATH §6 otherwise). Deterministic given the seed.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { trainConfig } from "../train/train.ts";
 * import { PAPER_DISTRIBUTION } from "./distribution.ts";
 * import { trainOnDistribution } from "./trainer.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * const res = await trainOnDistribution({ train: trainConfig({ task, K: 8, T: 5, batch: 4 }),
 *   dist: { ...PAPER_DISTRIBUTION, pool: 4 }, stopDist: 0, onDiverge: "throw" });
 * ```
 */
export async function trainOnDistribution(
  config: DistTrainConfig,
  onProgress?: (done: number, total: number) => void,
): Promise<DistTrainResult> {
  const cfg = validateDistTrain(config);
  const { task, K, T, batch } = cfg.train;
  const { m, p } = taskDims(task);
  const n = task.n;
  const root = new Rng(cfg.train.seed);
  // Initialisation exactly as train.ts: Xavier-normal P12 (m×p), then V̄21 ((p−1)×m).
  const initRng = root.fork("init");
  const flat = new Float64Array(m * p + (p - 1) * m), grad = new Float64Array(flat.length);
  const g = cfg.train.initGain;
  const stdP = g * Math.sqrt(2 / (m + p)), stdV = g * Math.sqrt(2 / (p - 1 + m));
  for (let i = 0; i < m * p; i++) flat[i] = stdP * initRng.normal();
  for (let i = m * p; i < flat.length; i++) flat[i] = stdV * initRng.normal();
  if (cfg.init) {
    flat.set(cfg.init.P12, 0);
    flat.set(cfg.init.V21bar, m * p);
  }
  const view = (f: Float64Array): RestrictedBlocks => ({
    m,
    p,
    P12: f.subarray(0, m * p),
    V21bar: f.subarray(m * p),
  });
  const blocks = view(flat), gb = view(grad);
  const copy = (): RestrictedBlocks => ({
    m,
    p,
    P12: Float64Array.from(blocks.P12),
    V21bar: Float64Array.from(blocks.V21bar),
  });
  const init = copy();
  const star = taskConstruction(task);
  const opt = cfg.train.optimizer === "adam" ? adam(flat.length) : gradientDescent();
  const Xs = Array.from({ length: batch }, () => new Float64Array(n * m));
  const targets = Array.from({ length: batch }, () => new Float64Array(p - 1));
  const scratch = restrictedScratch(m, p, n);
  const rows: DistTrainRow[] = [];
  let step = 0, prompts = 0, winLoss = 0, winCount = 0;
  const record = (lossOverride?: number) => {
    const ms = manifoldStats(blocks, star);
    const pp = sq(blocks.P12), vv = sq(blocks.V21bar);
    rows.push({
      step,
      prompts,
      loss: lossOverride ?? winLoss / winCount,
      dist: ms.dist,
      cosP12: ms.cosP12,
      cosV21: ms.cosV21,
      cP: ms.cP,
      balance: vv - pp,
      normP: Math.sqrt(pp),
      normV: Math.sqrt(vv),
    });
    winLoss = 0;
    winCount = 0;
    return ms.dist;
  };
  const t0 = performance.now();
  let status: DistTrainResult["status"] = "budget";
  let last = Float64Array.from(flat);
  let lastYield = t0;
  outer: for (let k0 = 0; k0 < K; k0 += batch) {
    const envs: TaskEnv[] = [];
    for (let k = k0; k < Math.min(K, k0 + batch); k++) {
      envs.push(distributionEnv(task, cfg.dist, cfg.train.seed, k));
    }
    const B = envs.length;
    const lr = cfg.train.lr * Math.pow(cfg.train.lrDecay, Math.floor(k0 / cfg.train.lrDecayEvery));
    for (let t = 0; t < T; t++) {
      grad.fill(0);
      let loss = 0;
      for (let b = 0; b < B; b++) {
        taskStep(task, envs[b], Xs[b], targets[b]);
        loss += restrictedLossGrad(
          blocks,
          Xs[b],
          n,
          envs[b].theta,
          targets[b],
          gb.P12,
          gb.V21bar,
          1 / B,
          scratch,
        );
      }
      loss /= B;
      if (step === 0) record(loss);
      if (!Number.isFinite(loss) || loss > cfg.train.divergeLoss) {
        if (cfg.onDiverge === "throw") {
          throw new Error(
            `training diverged at step ${
              step + 1
            }: loss = ${loss} (limit ${cfg.train.divergeLoss}); lower lr (now ${lr})`,
          );
        }
        flat.set(last);
        status = "diverged";
        break outer;
      }
      last.set(flat);
      opt.step(flat, grad, lr);
      for (let b = 0; b < B; b++) taskAdvance(envs[b], targets[b]);
      step++;
      prompts += B;
      winLoss += loss;
      winCount++;
      if (step % cfg.train.logEvery === 0) {
        const d = record();
        if (cfg.stopDist > 0 && d < cfg.stopDist) {
          status = "converged";
          break outer;
        }
      }
      if ((step & 63) === 0) {
        onProgress?.(prompts, K * T);
        if (performance.now() - lastYield > 200) {
          await new Promise((r) => setTimeout(r, 0));
          lastYield = performance.now();
        }
      }
    }
  }
  if (winCount > 0) record();
  if (status === "budget" && cfg.stopDist > 0 && rows[rows.length - 1].dist < cfg.stopDist) {
    status = "converged";
  }
  last = new Float64Array(0);
  return {
    config: cfg,
    status,
    blocks: copy(),
    init,
    rows,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
