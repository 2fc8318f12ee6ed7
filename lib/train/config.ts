/**
 * The training run's configuration and result types (MATH §6): {@linkcode TrainConfig} with its
 * defaults, parser and validator, the metric rows, the result, and the engine choice. The loop is
 * `train.ts` (which re-exports all of this).
 *
 * @module
 */

import { type BlockModel } from "../icrl/lsa.ts";
import { DEFAULT_TASK, type TaskSpec, validateTask } from "../icrl/tasks.ts";
import {
  assertInt,
  assertKnownKeys,
  assertNumber,
  assertObject,
  assertOneOf,
  assertPositive,
} from "../core/validate.ts";

/** Everything that defines a training run (MATH §6 defaults in {@linkcode DEFAULT_TRAIN}). */
export interface TrainConfig {
  /** Teacher and environment settings. */
  task: TaskSpec;
  /** Number of training MDPs K (paper: 10 000). */
  K: number;
  /** Iterations per MDP T (paper: 1 000). */
  T: number;
  /** MDPs advanced side by side per optimiser step (1 = exact mode). */
  batch: number;
  /** "restricted" (train P12, V̄21 only) or "full" (all of P, V; P22 = V̄22 = 0 at init). */
  param: "restricted" | "full";
  /** "adam" or "gd" (plain gradient descent). */
  optimizer: "adam" | "gd";
  /** Learning rate (1e-3). */
  lr: number;
  /** Multiplicative decay (0.99) … */
  lrDecay: number;
  /** … applied every this many MDPs (10). */
  lrDecayEvery: number;
  /** Gain of the Xavier-normal initialisation (0.1). */
  initGain: number;
  /** Optimiser steps between metric rows. */
  logEvery: number;
  /** Seed of every stream of the run. */
  seed: number;
  /** Gradient engine: "js" (hand-derived, float64) or "tfjs" (autodiff, float32). */
  engine: "js" | "tfjs";
  /** A step whose mean loss exceeds this (or is not finite) stops training with an error. */
  divergeLoss: number;
}

/** MATH §6 defaults at paper scale in batched mode (B = 64). */
export const DEFAULT_TRAIN: Readonly<TrainConfig> = Object.freeze({
  task: DEFAULT_TASK,
  K: 10_000,
  T: 1_000,
  batch: 64,
  param: "restricted",
  optimizer: "adam",
  lr: 1e-3,
  lrDecay: 0.99,
  lrDecayEvery: 10,
  initGain: 0.1,
  logEvery: 500,
  seed: 0,
  engine: "js",
  divergeLoss: 1e6,
});

/**
 * Fill in defaults and validate; throws naming the bad field. Unknown keys (also inside `task`)
 * are refused with the closest valid key; values that make training meaningless are refused too
 * (`initGain`, `lrDecay` and `divergeLoss` must be > 0; `lr = 0` stays allowed: it evaluates
 * frozen parameters).
 *
 * @example
 * ```ts
 * const cfg = trainConfig({ K: 100, T: 50, batch: 1 });
 * ```
 */
export function trainConfig(
  over: Partial<Omit<TrainConfig, "task">> & { task?: Partial<TaskSpec> } = {},
): TrainConfig {
  assertObject("train config", over);
  assertKnownKeys("train config", over, Object.keys(DEFAULT_TRAIN));
  if (over.task !== undefined) assertObject("train config task", over.task);
  const cfg: TrainConfig = {
    ...DEFAULT_TRAIN,
    ...over,
    task: { ...DEFAULT_TRAIN.task, ...(over.task ?? {}) },
  };
  validateTrainConfig(cfg);
  return cfg;
}

/**
 * Validate a complete training config (the checks of {@linkcode trainConfig} without filling
 * defaults); also used by `loadModel`. Throws naming the bad field and value; returns it.
 *
 * @example
 * ```ts
 * validateTrainConfig({ ...DEFAULT_TRAIN, K: 64 });
 * ```
 */
export function validateTrainConfig(cfg: TrainConfig): TrainConfig {
  assertKnownKeys("train config", cfg, Object.keys(DEFAULT_TRAIN));
  validateTask(cfg.task);
  assertInt("K", cfg.K, 1);
  assertInt("T", cfg.T, 1);
  assertInt("batch", cfg.batch, 1, cfg.K);
  assertOneOf("param", cfg.param, ["restricted", "full"]);
  assertOneOf("optimizer", cfg.optimizer, ["adam", "gd"]);
  assertOneOf("engine", cfg.engine, ["js", "tfjs"]);
  assertNumber("lr", cfg.lr, 0); // lr = 0 is a frozen-parameter evaluation (used by tests)
  assertPositive("lrDecay", cfg.lrDecay, 1);
  assertInt("lrDecayEvery", cfg.lrDecayEvery, 1);
  assertPositive("initGain", cfg.initGain);
  assertInt("logEvery", cfg.logEvery, 1);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  assertPositive("divergeLoss", cfg.divergeLoss);
  return cfg;
}

/** One row of the training log. */
export interface TrainMetrics {
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
  /** Scale-free distance of `V̄21⊗P12` to the construction's (MATH §7). */
  dist: number;
  /** Cosine of P12 with P⋆12. */
  cosP12: number;
  /** Cosine of V̄21 with V̄⋆21. */
  cosV21: number;
  /** Scale c read off P12. */
  cP: number;
  /** Scale c read off V̄21. */
  cV: number;
  /** Full mode: largest change since init of the blocks Prop 3.1 says never move (P11, P21, V11, V12, first rows of V21, V22). */
  drift: number;
  /** Full mode: largest |entry| of P22 and V̄22 (Prop 3.1: stay 0). */
  zeroBlocks: number;
}

/** Result of {@linkcode trainTeacherMimic}. */
export interface TrainResult {
  /** The configuration (with defaults filled). */
  config: TrainConfig;
  /** The trained block. */
  model: BlockModel;
  /** The block at initialisation. */
  init: BlockModel;
  /** Metric rows, in step order. */
  metrics: TrainMetrics[];
  /** Wall time of the loop, seconds. */
  wallTimeSec: number;
  /** Prompts consumed (K·T). */
  prompts: number;
}

/**
 * Inner loop: `"fused"` (default; prompts by `fast_task.ts`, and for the restricted `"js"` engine
 * rank-1 factors + one optimiser pass, `fused.ts`; with Adam that pass runs in WebAssembly
 * SIMD, `wasm_adam.ts`), `"streamed"` (the fused engine, with the rollouts and teacher targets
 * produced on a second core by a Worker into a ring in the kernels' memory, `stream.ts`;
 * restricted blocks with Adam only — for one run on an otherwise idle machine, not inside
 * `trainMany`'s one-run-per-core pool) or
 * `"reference"` (`tasks.ts`'s `taskStep`, materialised gradient by `grad.ts`, `optim.ts`). All give
 * bit-identical results; the reference is kept for tests and benchmarks.
 */
export type TrainKernel = "fused" | "reference" | "streamed";

/** Progress callback: prompts done, total, and the latest metric row (when one was just logged). */
export type TrainProgress = (done: number, total: number, row?: TrainMetrics) => void;
