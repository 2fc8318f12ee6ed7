/**
 * Teacher-mimicking training ([LL26] Algorithm 1, MATH §6) of the baseline learners of
 * `models.ts`, in **batched** mode with the same prompt stream as the LSA trainer: MDP `k` is drawn
 * from `new Rng(seed).fork("mdp").fork(k)`, the teacher advances `w` (`w ← target`, `s_0 ← s_n`),
 * so with the same `seed`, `K`, `T`, `batch` and task every learner sees exactly the prompts that
 * `trainTeacherMimic` feeds the LSA block. One Adam step (the project's float64 Adam, `optim.ts`) per
 * batch of B prompts on the mean loss `½‖f(H) − target‖²`, gradients by tfjs autodiff in **float32**;
 * learning rate `lr · lrDecay^⌊k₀/lrDecayEvery⌋` as in MATH §6.
 *
 * @module
 */

import { adam } from "../core/optim.ts";
import { Rng } from "../core/rng.ts";
import { newTaskEnv, taskAdvance, taskDims, type TaskEnv, taskStep } from "../icrl/mod.ts";
import { type TrainConfig, trainConfig } from "../train/train.ts";
import { initTf, tf } from "../icrl/tf.ts";
import { type Arch, initModel, lossAndGrads, type ModelParams, validateArch } from "./models.ts";
import { assertNumber } from "../core/validate.ts";
import type { LearnerLossRow } from "./learner_train.ts";

/** A baseline training run: the LSA trainer's settings (minus its LSA-only knobs) plus the model. */
export type BaselineTrainConfig = Omit<TrainConfig, "param" | "optimizer" | "engine"> & {
  /** The model. */
  arch: Arch;
  /** Xavier gain of the output layer (`initGain` of MATH §6 is used for it by default). */
  initGain: number;
};

/**
 * Fill in defaults (those of `trainConfig`, MATH §6) and validate; unknown keys throw.
 *
 * @example
 * ```ts
 * const cfg = baselineConfig({ arch: { kind: "softmax" }, K: 64, T: 10 });
 * ```
 */
export function baselineConfig(
  over: Partial<Omit<BaselineTrainConfig, "task">> & {
    arch: Arch;
    task?: Partial<TrainConfig["task"]>;
  },
): BaselineTrainConfig {
  const allowed = new Set([
    "arch",
    "task",
    "K",
    "T",
    "batch",
    "lr",
    "lrDecay",
    "lrDecayEvery",
    "initGain",
    "logEvery",
    "seed",
    "divergeLoss",
  ]);
  for (const k of Object.keys(over)) {
    if (!allowed.has(k)) throw new RangeError(`unknown baseline config key "${k}"`);
  }
  const { arch, ...rest } = over;
  const base = trainConfig(rest);
  const { param: _p, optimizer: _o, engine: _e, ...common } = base;
  validateArch(arch);
  return { ...common, arch };
}

/** One row of the training log (the row of the float64 trainer, `LearnerLossRow`). */
export type BaselineMetrics = LearnerLossRow;

/** Result of {@linkcode trainBaseline}. */
export interface BaselineResult {
  /** The configuration. */
  config: BaselineTrainConfig;
  /** Trained parameters. */
  params: ModelParams;
  /** Metric rows in step order. */
  metrics: BaselineMetrics[];
  /** Wall time of the loop, seconds. */
  wallTimeSec: number;
  /** Prompts consumed. */
  prompts: number;
}

/**
 * Train a baseline learner (deterministic given the seed and the tfjs backend). Yields to the event
 * loop about every 200 ms; `onProgress(done, total, row?)` as in `trainTeacherMimic`.
 *
 * @example
 * ```ts
 * const res = await trainBaseline(baselineConfig({ arch: { kind: "softmax" }, K: 64, T: 20 }));
 * ```
 */
export async function trainBaseline(
  config: BaselineTrainConfig,
  onProgress?: (done: number, total: number, row?: BaselineMetrics) => void,
): Promise<BaselineResult> {
  const cfg = baselineConfig(config);
  await initTf();
  const { task, K, T, batch } = cfg;
  const { m, p } = taskDims(task);
  if (task.kind !== "sarsa") throw new RangeError(`baselines support task.kind "sarsa" only`);
  const n = task.n;
  const root = new Rng(cfg.seed);
  const mdpRoot = root.fork("mdp");
  const params = initModel(cfg.arch, { m, p, nTrain: n }, root.fork("init"), cfg.initGain);
  const sizes = params.values.map((v) => v.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const flat = new Float64Array(total), grad = new Float64Array(total);
  let off = 0;
  for (const v of params.values) {
    flat.set(v, off);
    off += v.length;
  }
  const opt = adam(total);
  const Xs = Array.from({ length: batch }, () => new Float64Array(n * m));
  const targets = Array.from({ length: batch }, () => new Float64Array(p - 1));
  const Xbuf = new Float32Array(batch * n * m), thBuf = new Float32Array(batch * p);
  const tBuf = new Float32Array(batch * (p - 1));
  const metrics: BaselineMetrics[] = [];
  const totalSteps = Math.ceil(K / batch) * T;
  let step = 0, prompts = 0, winLoss = 0, winCount = 0;
  const t0 = performance.now();
  let lastYield = t0;
  const sync = () => {
    let o = 0;
    for (const v of params.values) {
      for (let i = 0; i < v.length; i++) v[i] = flat[o + i];
      o += v.length;
    }
  };
  sync();
  for (let k0 = 0; k0 < K; k0 += batch) {
    const envs: TaskEnv[] = [];
    for (let k = k0; k < Math.min(K, k0 + batch); k++) envs.push(newTaskEnv(task, mdpRoot.fork(k)));
    const B = envs.length;
    const lr = cfg.lr * Math.pow(cfg.lrDecay, Math.floor(k0 / cfg.lrDecayEvery));
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        taskStep(task, envs[b], Xs[b], targets[b]);
        Xbuf.set(Xs[b], b * n * m);
        thBuf[b * p] = 1;
        thBuf.set(envs[b].theta, b * p + 1);
        tBuf.set(targets[b], b * (p - 1));
      }
      const X = tf.tensor3d(Xbuf.subarray(0, B * n * m), [B, n, m]);
      const th = tf.tensor2d(thBuf.subarray(0, B * p), [B, p]);
      const tg = tf.tensor2d(tBuf.subarray(0, B * (p - 1)), [B, p - 1]);
      const { loss, grads } = lossAndGrads(params, X, th, tg);
      tf.dispose([X, th, tg]);
      if (!Number.isFinite(loss) || loss > cfg.divergeLoss) {
        throw new Error(
          `${cfg.arch.kind} training diverged at step ${step + 1} (MDPs ${k0}…${k0 + B - 1}, ` +
            `iteration ${t}): loss = ${loss} (limit ${cfg.divergeLoss}); lower lr (now ${lr})`,
        );
      }
      let o = 0;
      for (const g of grads) {
        grad.set(g, o);
        o += g.length;
      }
      opt.step(flat, grad, lr);
      sync();
      for (let b = 0; b < B; b++) taskAdvance(envs[b], targets[b]);
      step++;
      prompts += B;
      winLoss += loss;
      winCount++;
      if (step === 1 || step % cfg.logEvery === 0 || step === totalSteps) {
        const row: BaselineMetrics = {
          step,
          prompts,
          mdps: k0 + B,
          lr,
          loss: winLoss / winCount,
          wallSec: (performance.now() - t0) / 1000,
        };
        metrics.push(row);
        winLoss = 0;
        winCount = 0;
        onProgress?.(prompts, K * T, row);
      } else if (onProgress && (step & 15) === 0) onProgress(prompts, K * T);
      if (performance.now() - lastYield > 200) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
    }
  }
  for (const v of params.values) {
    for (let i = 0; i < v.length; i++) {
      assertNumber(`trained ${cfg.arch.kind} parameter`, v[i]);
    }
  }
  return { config: cfg, params, metrics, wallTimeSec: (performance.now() - t0) / 1000, prompts };
}
