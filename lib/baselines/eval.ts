/**
 * Evaluation of baseline models on unseen MDPs, **batched across MDPs** (one model call per update
 * step for all test MDPs), so that tfjs models can be evaluated at the scale of MATH §8.3.
 *
 * - {@linkcode modelLearner}, {@linkcode engineLearner}: trained baseline models as batch learners
 *   (`BatchLearner`), evaluated in the closed loop by `transfer/loop.ts`'s `evaluateTransfer`
 *   (MATH §8.3) with all test MDPs advanced side by side.
 * - {@linkcode oneStepErrors}: the teacher-mimicking error on held-out prompts (the teacher advances
 *   `w`, as in training, MATH §6) at any prompt length `n` and task: mean loss `½‖out − target‖²` and
 *   the relative error `Σ‖out − target‖² / Σ‖target − w‖²` (1 = no better than not updating).
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import {
  newTaskEnv,
  taskAdvance,
  taskDims,
  type TaskSpec,
  taskStep,
  validateTask,
} from "../icrl/mod.ts";
import {
  batchFromLearner,
  type BatchLearner,
  isBatchLearner,
  type Learner,
} from "../transfer/mod.ts";
import { type ModelDims, type ModelParams, predictBatch } from "./models.ts";
import { engine, type LearnerArch } from "./js_models.ts";
import { assertInt } from "../core/validate.ts";

/**
 * A trained tfjs baseline model as a batch learner (one float32 forward pass per call).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { modelLearner } from "./eval.ts";
 * import { initModel } from "./models.ts";
 * const params = initModel({ kind: "mlp", hidden: 8 }, { m: 73, p: 37, nTrain: 20 }, new Rng(0));
 * const mlp = modelLearner("MLP seed 0", params);
 * ```
 */
export function modelLearner(name: string, params: ModelParams): BatchLearner {
  if (typeof name !== "string" || name.length === 0) {
    throw new RangeError(`learner name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  const { m, p } = params.dims;
  return {
    name,
    updateBatch(Xs, envs, _targets, outs) {
      const B = envs.length, n = envs[0].traj.n, q = p - 1;
      const X = new Float64Array(B * n * m), th = new Float64Array(B * q);
      for (let b = 0; b < B; b++) {
        if (Xs[b].length !== n * m) {
          throw new RangeError(`prompt ${b} has ${Xs[b].length} token entries, need ${n * m}`);
        }
        X.set(Xs[b], b * n * m);
        th.set(envs[b].theta, b * q);
      }
      const out = predictBatch(params, X, th, B, n);
      for (let b = 0; b < B; b++) outs[b].set(out.subarray(b * q, (b + 1) * q));
    },
  };
}

/**
 * A learner of the float64 engine (`js_models.ts`) with fixed parameters as a batch learner.
 *
 * @example
 * ```ts
 * import { engineLearner } from "./eval.ts";
 * import { initLearner } from "./js_models.ts";
 * const dims = { m: 73, p: 37, nTrain: 20 }, arch = { kind: "softmax" as const, heads: 2 };
 * const l = engineLearner("softmax ×2 seed 0", arch, dims, initLearner(arch, dims, 0, 0.1));
 * ```
 */
export function engineLearner(
  name: string,
  arch: LearnerArch,
  dims: ModelDims,
  params: Float64Array,
): BatchLearner {
  if (typeof name !== "string" || name.length === 0) {
    throw new RangeError(`learner name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  const eng = engine(arch, dims);
  if (params.length !== eng.size) {
    throw new RangeError(
      `params has ${params.length} entries, ${JSON.stringify(arch)} needs ${eng.size}`,
    );
  }
  return {
    name,
    updateBatch(Xs, envs, _targets, outs) {
      for (let b = 0; b < envs.length; b++) {
        eng.predict(params, Xs[b], envs[b].theta, envs[b].traj.n, outs[b]);
      }
    },
  };
}

/** Settings of {@linkcode oneStepErrors}. */
export interface OneStepConfig {
  /** Task of the held-out prompts (its n, |S|, γ, … may differ from training). */
  task: TaskSpec;
  /** Held-out MDPs (advanced side by side). */
  numMdps: number;
  /** Prompts per MDP (the teacher advances w between them). */
  promptsPerMdp: number;
  /** Seed of the held-out stream family. */
  seed: number;
  /** Label of the stream family (keep it distinct from training's "mdp"). */
  streamLabel: string;
}

/** One row of {@linkcode oneStepErrors}. */
export interface OneStepRow {
  /** Learner name. */
  learner: string;
  /** Prompts evaluated. */
  prompts: number;
  /** Mean loss `½‖out − target‖²` per prompt. */
  loss: number;
  /** `Σ‖out − target‖² / Σ‖target − w‖²`. */
  relErr: number;
}

/**
 * Teacher-mimicking error of each learner on held-out prompts: MDP `j` from
 * `new Rng(seed).fork(streamLabel).fork(j)`; every learner sees the **same** prompts (the teacher
 * advances `w` and the state, as in training, MATH §6).
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { Rng } from "../core/rng.ts";
 * import { initTf } from "../icrl/tf.ts";
 * import { modelLearner, oneStepErrors } from "./eval.ts";
 * import { initModel } from "./models.ts";
 * await initTf();
 * const params = initModel({ kind: "gru", hidden: 4, head: 4 }, { m: 9, p: 5, nTrain: 6 }, new Rng(0));
 * const rows = oneStepErrors({ task: { ...task, n: 12 }, numMdps: 2, promptsPerMdp: 2,
 *   seed: 7, streamLabel: "heldout" }, [modelLearner("GRU", params)]);
 * ```
 */
export function oneStepErrors(
  cfg: OneStepConfig,
  learners: readonly (Learner | BatchLearner)[],
): OneStepRow[] {
  validateTask(cfg.task);
  if (cfg.task.kind !== "sarsa") throw new RangeError(`oneStepErrors: SARSA task only`);
  assertInt("numMdps", cfg.numMdps, 1);
  assertInt("promptsPerMdp", cfg.promptsPerMdp, 1);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  if (cfg.streamLabel === "mdp") {
    throw new RangeError(`streamLabel "mdp" is the training stream family; choose another`);
  }
  const { task } = cfg;
  const { m, p } = taskDims(task);
  const root = new Rng(cfg.seed).fork(cfg.streamLabel);
  const envs = Array.from({ length: cfg.numMdps }, (_, j) => newTaskEnv(task, root.fork(j)));
  const B = envs.length, q = p - 1;
  const Xs = envs.map(() => new Float64Array(task.n * m));
  const targets = envs.map(() => new Float64Array(q));
  const outs = envs.map(() => new Float64Array(q));
  const acc = learners.map(() => ({ err: 0, upd: 0 }));
  const batched = learners.map((l) => isBatchLearner(l) ? l : batchFromLearner(l));
  for (let t = 0; t < cfg.promptsPerMdp; t++) {
    for (let b = 0; b < B; b++) taskStep(task, envs[b], Xs[b], targets[b]);
    batched.forEach((l, i) => {
      l.updateBatch(Xs, envs, targets, outs);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < q; k++) {
          const o = outs[b][k];
          if (!Number.isFinite(o)) {
            throw new Error(`learner "${l.name}" produced θ[${k}] = ${o} on held-out prompt ${t}`);
          }
          acc[i].err += (o - targets[b][k]) ** 2;
          acc[i].upd += (targets[b][k] - envs[b].theta[k]) ** 2;
        }
      }
    });
    for (let b = 0; b < B; b++) taskAdvance(envs[b], targets[b]);
  }
  const N = B * cfg.promptsPerMdp;
  return learners.map((l, i) => ({
    learner: l.name,
    prompts: N,
    loss: (0.5 * acc[i].err) / N,
    relErr: acc[i].err / acc[i].upd,
  }));
}
