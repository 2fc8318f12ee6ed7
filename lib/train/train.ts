/**
 * Teacher-mimicking training of the linear self-attention block ([LL26] Algorithm 1, MATH §6).
 *
 * For each training MDP k (fresh MDP, fresh features, θ ~ Unif(−1,1), s_0 ~ p0), T times: roll out
 * n steps of the behaviour policy of θ, compute the teacher's target, take one optimiser step on
 * `½‖TF(H(z,θ)) − target‖²` (θ is data, not a parameter), then `θ ← target` and `s_0 ← s_n`.
 *
 * **Modes.** `batch = 1` is the paper's **exact** protocol (one prompt per optimiser step, MDPs in
 * sequence). `batch = B > 1` is the **batched** mode: MDPs `gB … gB+B−1` are advanced side by side
 * and each optimiser step uses the mean loss of their B prompts; the per-prompt semantics (rollout,
 * target, θ ← target, s_0 ← s_n) are identical. MDP k's data stream is `fork("mdp").fork(k)` of the
 * seed in both modes (`lib/core/streams.ts`), so the two modes see the same MDPs, features and initial θ. The learning rate
 * is `lr · lrDecay^⌊k₀/lrDecayEvery⌋` with k₀ the index of the first MDP of the current group.
 *
 * **Engines.** `"js"`: hand-derived gradients in float64 typed arrays (`grad.ts`) — the fast path.
 * `"tfjs"`: float32 gradients by tfjs autodiff of the same loss (reference; used to measure
 * Prop 3.1 through autodiff). The optimiser runs in float64 in both.
 *
 * @module
 */

import { type BlockModel, paramsToBlocks } from "../icrl/lsa.ts";
import { fullLossGrad, NonFiniteLossError, restrictedLossGrad } from "../icrl/grad.ts";
import { restrictedScratch } from "../icrl/restricted.ts";
import { fusedAdam, fusedBatch, fusedPrompt, fusedStep } from "./fused.ts";
import { taskStepFast } from "../icrl/fast_task.ts";
import { WasmAdam } from "./wasm_adam.ts";
import { promptRingLength, startPromptWorker } from "./stream.ts";
import { initParams, prop31Drift, snapshotModel } from "./params.ts";
import { manifoldStats } from "../icrl/manifold.ts";
import { adam, gradientDescent, type Optimizer } from "../core/optim.ts";
import { buildPrompt } from "../icrl/prompt.ts";
import { trainingInitStream, trainingMdpStream } from "../core/streams.ts";
import {
  DEFAULT_TASK,
  newTaskEnv,
  taskAdvance,
  taskConstruction,
  taskDims,
  type TaskEnv,
  type TaskSpec,
  taskStep,
  validateTask,
} from "../icrl/tasks.ts";
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

/**
 * Run teacher-mimicking training (Algorithm 1). Deterministic given `config.seed`.
 * Yields to the event loop about every 200 ms so progress displays can update.
 *
 * @example
 * ```ts
 * const res = await trainTeacherMimic(trainConfig({ K: 64, T: 100, batch: 64, seed: 1 }));
 * res.metrics.at(-1)!.cosP12; // → ±1 as training converges
 * ```
 */
export async function trainTeacherMimic(
  config: TrainConfig,
  onProgress?: TrainProgress,
  kernel: TrainKernel = "fused",
): Promise<TrainResult> {
  const cfg = trainConfig(config);
  const { task, K, T, batch } = cfg;
  const { m, p } = taskDims(task);
  const n = task.n;
  const st = initParams(task, cfg.param, cfg.initGain, trainingInitStream(cfg.seed));
  const init = snapshotModel(task, st);
  const star = taskConstruction(task);
  const opt: Optimizer = cfg.optimizer === "adam" ? adam(st.flat.length) : gradientDescent();
  const tfGrad = cfg.engine === "tfjs" ? await import("./train_tf.ts") : null;
  if (kernel !== "fused" && kernel !== "reference" && kernel !== "streamed") {
    throw new RangeError(
      `kernel must be "fused", "streamed" or "reference", got ${JSON.stringify(kernel)}`,
    );
  }
  const streamed = kernel === "streamed";
  if (streamed && (tfGrad || !st.blocks || cfg.optimizer !== "adam")) {
    throw new RangeError(
      `kernel "streamed" needs param "restricted", engine "js" and optimizer "adam", got ` +
        `${cfg.param}, ${cfg.engine}, ${cfg.optimizer}`,
    );
  }
  const fused = !tfGrad && st.blocks && kernel !== "reference" ? fusedBatch(m, p, n, batch) : null;
  const fAdam = fused && cfg.optimizer === "adam" ? fusedAdam(st.flat.length) : null;
  // With Adam, each prompt's forward/backward and the optimiser pass run in WebAssembly SIMD on
  // parameters held in its memory.
  // Prompts' tokens are written straight into its memory, where their forward and backward run.
  // Streamed: the prompt ring lives in the same shared memory, so tokens are read where written.
  const slots = Math.max(64, 2 * batch);
  const wAdam = fAdam
    ? new WasmAdam(
      m,
      p,
      st.flat,
      batch,
      n,
      fAdam.beta1,
      fAdam.beta2,
      fAdam.epsilon,
      streamed ? promptRingLength(n, m, p - 1, slots) : 0,
    )
    : null;
  if (wAdam) {
    st.flat = wAdam.params;
    st.blocks = wAdam.blocks;
  }

  const Xs: Float64Array[] = Array.from(
    { length: batch },
    (_, b) => wAdam ? wAdam.tokens(b) : new Float64Array(n * m),
  );
  const targets: Float64Array[] = Array.from({ length: batch }, () => new Float64Array(p - 1));
  const scratch = restrictedScratch(m, p, n);
  const metrics: TrainMetrics[] = [];
  const totalSteps = Math.ceil(K / batch) * T;
  const total = K * T;
  let step = 0, prompts = 0, winLoss = 0, winCount = 0;
  let lastYield = performance.now();
  const t0 = performance.now();

  const record = (mdps: number, lr: number) => {
    const blocks = st.blocks ?? paramsToBlocks(st.full!, m);
    const ms = manifoldStats(blocks, star);
    const pd = st.full ? prop31Drift(st.full, init.full!, m) : { drift: NaN, zeroBlocks: NaN };
    const row: TrainMetrics = {
      step,
      prompts,
      mdps,
      lr,
      loss: winLoss / winCount,
      ...ms,
      ...pd,
    };
    metrics.push(row);
    winLoss = 0;
    winCount = 0;
    onProgress?.(prompts, total, row);
  };

  // Streamed: the prompts come from a rollout worker in the order of the loop below.
  const producer = streamed
    ? await startPromptWorker(
      { task, seed: cfg.seed, K, T, batch },
      m,
      p - 1,
      slots,
      wAdam!.extraRegion(),
    )
    : null;
  try {
    for (let k0 = 0; k0 < K; k0 += batch) {
      const envs: TaskEnv[] = [];
      for (let k = k0; !producer && k < Math.min(K, k0 + batch); k++) {
        envs.push(newTaskEnv(task, trainingMdpStream(cfg.seed, k)));
      }
      const B = Math.min(K, k0 + batch) - k0;
      const lr = cfg.lr * Math.pow(cfg.lrDecay, Math.floor(k0 / cfg.lrDecayEvery));
      for (let t = 0; t < T; t++) {
        let stepLoss = 0;
        const stepFn = kernel === "reference" ? taskStep : taskStepFast;
        if (!producer) { for (let b = 0; b < B; b++) stepFn(task, envs[b], Xs[b], targets[b]); }
        if (producer) {
          // Prompt b of this step is the producer's next slot; its loss and factors go to slot b.
          for (let b = 0; b < B; b++) {
            const slot = producer.stream.next();
            stepLoss += wAdam!.prompt(b, slot.theta, slot.target, 1 / B, slot.X);
          }
          producer.stream.release();
          stepLoss /= B;
        } else if (wAdam) {
          for (let b = 0; b < B; b++) stepLoss += wAdam.prompt(b, envs[b].theta, targets[b], 1 / B);
          stepLoss /= B;
        } else if (fused) {
          for (let b = 0; b < B; b++) {
            stepLoss += fusedPrompt(fused, st.blocks!, Xs[b], envs[b].theta, targets[b], b, 1 / B);
          }
          stepLoss /= B;
        } else if (tfGrad) {
          st.grad.fill(0);
          stepLoss = tfGrad.batchLossGrad(cfg, st.flat, st.grad, envs, Xs, targets);
        } else {
          st.grad.fill(0);
          for (let b = 0; b < B; b++) {
            try {
              if (st.blocks) {
                stepLoss += restrictedLossGrad(
                  st.blocks,
                  Xs[b],
                  n,
                  envs[b].theta,
                  targets[b],
                  st.gBlocks!.P12,
                  st.gBlocks!.V21bar,
                  1 / B,
                  scratch,
                );
              } else {
                const H = buildPrompt(Xs[b], n, m, envs[b].theta).H;
                stepLoss += fullLossGrad(
                  st.full!,
                  H,
                  n,
                  m,
                  targets[b],
                  st.gFull!.P,
                  st.gFull!.V,
                  1 / B,
                );
              }
            } catch (e) {
              // Overflowing parameters: report below as divergence, with the step and the lr.
              if (!(e instanceof NonFiniteLossError)) throw e;
              stepLoss += e.loss;
            }
          }
          stepLoss /= B;
        }
        if (!Number.isFinite(stepLoss) || stepLoss > cfg.divergeLoss) {
          throw new Error(
            `training diverged at step ${step + 1} (MDPs ${k0}…${k0 + B - 1}, iteration ${t}): ` +
              `loss = ${stepLoss} (limit ${cfg.divergeLoss}); lower lr (now ${lr})`,
          );
        }
        if (wAdam) wAdam.step(null, lr, B);
        else if (fused) fusedStep(st.blocks!, fused, B, fAdam, lr);
        else opt.step(st.flat, st.grad, lr);
        for (let b = 0; b < envs.length; b++) taskAdvance(envs[b], targets[b]);
        step++;
        prompts += B;
        winLoss += stepLoss;
        winCount++;
        if (step === 1 || step % cfg.logEvery === 0 || step === totalSteps) record(k0 + B, lr);
        else if (onProgress && (step & 63) === 0) onProgress(prompts, total);
        if ((step & 15) === 0 && performance.now() - lastYield > 200) {
          await new Promise((r) => setTimeout(r, 0));
          lastYield = performance.now();
        }
      }
    }
  } finally {
    producer?.stop();
  }
  for (let i = 0; i < st.flat.length; i++) {
    if (!Number.isFinite(st.flat[i])) {
      throw new Error(`training produced a non-finite parameter at index ${i}: ${st.flat[i]}`);
    }
  }
  return {
    config: cfg,
    model: snapshotModel(task, st),
    init,
    metrics,
    wallTimeSec: (performance.now() - t0) / 1000,
    prompts,
  };
}
