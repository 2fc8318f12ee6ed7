/**
 * Evaluation of learners on unseen MDPs, **batched across MDPs** (one model call per update step for
 * all test MDPs), so that tfjs models can be evaluated at the scale of MATH §8.3.
 *
 * - {@linkcode evaluateTransferBatched}: the closed loop of `transfer.ts` (MATH §8.3) with the same
 *   streams and the same result type: test MDP `j` from `testMdpStream(seed, j, label)`, learner
 *   rollouts from `rolloutStream(…, name)`; for learners wrapped with {@linkcode batchFromLearner}
 *   its rows equal `evaluateTransfer`'s exactly.
 * - {@linkcode oneStepErrors}: the teacher-mimicking error on held-out prompts (the teacher advances
 *   `w`, as in training, MATH §6) at any prompt length `n` and task: mean loss `½‖out − target‖²` and
 *   the relative error `Σ‖out − target‖² / Σ‖target − w‖²` (1 = no better than not updating).
 *
 * @module
 */

import { greedyActions } from "../mdp/policy.ts";
import { policyReturn, uniformReturn, valueIteration } from "../mdp/evaluate.ts";
import { emptyTrajectory } from "../mdp/rollout.ts";
import { Rng } from "../core/rng.ts";
import {
  newTaskEnv,
  taskAdvance,
  taskDims,
  type TaskEnv,
  type TaskSpec,
  taskStep,
  validateTask,
} from "../icrl/mod.ts";
import {
  type Learner,
  rolloutStream,
  testMdpStream,
  type TransferConfig,
  type TransferMdpRow,
  type TransferResult,
  type TransferRow,
  validateTransferConfig,
} from "../transfer/mod.ts";
import { type ModelDims, type ModelParams, predictBatch } from "./models.ts";
import { engine, type LearnerArch } from "./js_models.ts";
import { assertInt } from "../core/validate.ts";

/** A learner that updates a batch of prompts at once (one per test MDP). */
export interface BatchLearner {
  /** Unique name (labels its rollout stream). */
  readonly name: string;
  /**
   * Write the next θ of prompt `b` into `outs[b]`, for every b. `Xs[b]` holds its n×m tokens,
   * `envs[b].theta` the current θ, `targets[b]` the teacher's update. Must not modify the inputs.
   */
  updateBatch(
    Xs: Float64Array[],
    envs: TaskEnv[],
    targets: Float64Array[],
    outs: Float64Array[],
  ): void;
}

/**
 * A per-prompt {@linkcode Learner} (teacher, LSA block, …) as a batch learner (a loop).
 *
 * @example
 * ```ts
 * import { teacherLearner } from "../transfer/mod.ts";
 * import { batchFromLearner } from "./eval.ts";
 * const teacher = batchFromLearner(teacherLearner("SARSA teacher"));
 * ```
 */
export function batchFromLearner(l: Learner): BatchLearner {
  return {
    name: l.name,
    updateBatch(Xs, envs, targets, outs) {
      for (let b = 0; b < envs.length; b++) l.update(Xs[b], envs[b], targets[b], outs[b]);
    },
  };
}

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

/** J of the greedy policy of `w` (SARSA), memoised per MDP by the action vector. */
function greedyReturn(env: TaskEnv, pi: Float64Array, memo: Map<string, number>): number {
  const actions = greedyActions(env.feat, env.theta);
  const key = Array.from(actions).join(",");
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const { nS, nA } = env.mdp;
  pi.fill(0);
  for (let s = 0; s < nS; s++) pi[s * nA + actions[s]] = 1;
  const J = policyReturn(env.mdp, pi);
  memo.set(key, J);
  return J;
}

/**
 * The closed loop of MATH §8.3 (SARSA task) with all test MDPs advanced side by side: same
 * streams, rows and statistics as `evaluateTransfer` (whose result type it returns), but one
 * `updateBatch` call per update step and learner. Throws if a learner outputs a non-finite θ.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * const task = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };
 * import { Rng } from "../core/rng.ts";
 * import { initTf } from "../icrl/tf.ts";
 * import { recordGrid, teacherLearner, transferConfig } from "../transfer/mod.ts";
 * import { batchFromLearner, evaluateTransferBatched, modelLearner } from "./eval.ts";
 * import { initModel } from "./models.ts";
 * await initTf();
 * const params = initModel({ kind: "mlp", hidden: 8 }, { m: 9, p: 5, nTrain: 6 }, new Rng(0));
 * const cfg = transferConfig({ task, numMdps: 2, updates: 3, recordAt: recordGrid(3, 1) });
 * const res = await evaluateTransferBatched(cfg, [
 *   batchFromLearner(teacherLearner("SARSA teacher")),
 *   modelLearner("MLP", params),
 * ]);
 * ```
 */
export async function evaluateTransferBatched(
  config: TransferConfig,
  learners: readonly BatchLearner[],
  onProgress?: (done: number, total: number) => void,
): Promise<TransferResult> {
  const cfg = validateTransferConfig({ ...config, recordAt: [...config.recordAt] });
  const { task, numMdps, updates, recordAt } = cfg;
  if (task.kind !== "sarsa") throw new RangeError(`evaluateTransferBatched: SARSA task only`);
  if (learners.length === 0) throw new RangeError("learners must be a non-empty array");
  const names = new Set<string>();
  for (const l of learners) {
    if (names.has(l.name)) throw new RangeError(`duplicate learner name "${l.name}"`);
    if (l.name === "oracle" || l.name === "random") {
      throw new RangeError(`learner name "${l.name}" is reserved for the reference lines`);
    }
    names.add(l.name);
  }
  const { m, p } = taskDims(task);
  const n = task.n;
  const record = new Uint8Array(updates + 1);
  for (const u of recordAt) record[u] = 1;
  const t0 = performance.now();
  const streams = Array.from(
    { length: numMdps },
    (_, j) => testMdpStream(cfg.seed, j, cfg.streamLabel),
  );
  const bases = streams.map((s) => newTaskEnv(task, s));
  const mdps: TransferMdpRow[] = bases.map((b, j) => ({
    mdp: j,
    oracle: valueIteration(b.mdp).J,
    random: uniformReturn(b.mdp),
  }));
  const Xs = bases.map(() => new Float64Array(n * m));
  const targets = bases.map(() => new Float64Array(p - 1));
  const outs = bases.map(() => new Float64Array(p - 1));
  const pi = new Float64Array(task.nS * task.nA);
  const memos = bases.map(() => new Map<string, number>());
  const perLearner: TransferRow[][] = [];
  const total = numMdps * updates * learners.length;
  let done = 0, lastYield = performance.now();
  for (const learner of learners) {
    const rows: TransferRow[] = [];
    const envs: TaskEnv[] = bases.map((b, j) => ({
      ...b,
      theta: Float64Array.from(b.theta),
      traj: emptyTrajectory(n),
      pi: new Float64Array(task.nS * task.nA),
      rng: rolloutStream(streams[j], learner.name, cfg.rolloutStreams),
    }));
    const push = (u: number) => {
      envs.forEach((env, j) => {
        const J = greedyReturn(env, pi, memos[j]);
        const span = mdps[j].oracle - mdps[j].random;
        const score = span > 1e-12 ? (J - mdps[j].random) / span : NaN;
        rows.push({ mdp: j, learner: learner.name, step: u, J, score });
      });
    };
    if (record[0]) push(0);
    for (let u = 1; u <= updates; u++) {
      for (let j = 0; j < numMdps; j++) taskStep(task, envs[j], Xs[j], targets[j]);
      learner.updateBatch(Xs, envs, targets, outs);
      for (let j = 0; j < numMdps; j++) {
        const o = outs[j];
        for (let k = 0; k < o.length; k++) {
          if (!Number.isFinite(o[k])) {
            throw new Error(
              `learner "${learner.name}" produced θ[${k}] = ${
                o[k]
              } on test MDP ${j} at update ${u}`,
            );
          }
        }
        taskAdvance(envs[j], o);
      }
      if (record[u]) push(u);
      done += numMdps;
      onProgress?.(done, total);
      if (performance.now() - lastYield > 200) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
    }
    perLearner.push(rows);
  }
  const S = recordAt.length;
  const wallTimeSec = (performance.now() - t0) / 1000;
  return {
    config: cfg,
    learners: learners.map((l) => l.name),
    rows: reorder(perLearner, numMdps, S), // by MDP, then learner, then step
    mdps,
    prompts: total,
    wallTimeSec,
    promptsPerSec: total / Math.max(wallTimeSec, 1e-9),
  };
}

/** Rows recorded step-major per learner → MDP, learner, step order. */
function reorder(perLearner: TransferRow[][], numMdps: number, S: number): TransferRow[] {
  const out: TransferRow[] = [];
  for (let j = 0; j < numMdps; j++) {
    for (const rows of perLearner) for (let s = 0; s < S; s++) out.push(rows[s * numMdps + j]);
  }
  return out;
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
export function oneStepErrors(cfg: OneStepConfig, learners: readonly BatchLearner[]): OneStepRow[] {
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
  for (let t = 0; t < cfg.promptsPerMdp; t++) {
    for (let b = 0; b < B; b++) taskStep(task, envs[b], Xs[b], targets[b]);
    learners.forEach((l, i) => {
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
