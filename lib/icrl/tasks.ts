/**
 * The teacher-mimicking tasks (MATH §6): one environment per training MDP, holding the current
 * parameter θ (`w` for SARSA, `[w ; λ]` for actor–critic) and the state to continue from.
 * One `taskStep` = behaviour-policy rollout → tokens `X` → teacher target; `taskAdvance` moves θ to
 * the teacher's target and continues from `s_n`.
 *
 * @module
 */

import {
  type Features,
  type Mdp,
  randomFeatures,
  randomMdp,
  randomStateFeatures,
  type StateFeatures,
} from "../mdp/mdp.ts";
import type { Rng } from "../core/rng.ts";
import { emptyTrajectory, rollout, sampleInitialState, type Trajectory } from "../mdp/rollout.ts";
import { epsGreedyPolicy, softmaxPolicy } from "../mdp/policy.ts";
import { actorCriticUpdate, sarsaUpdate } from "./teachers.ts";
import { acTokensInto, sarsaTokensInto } from "./prompt.ts";
import { acBlocks, sarsaBlocks } from "./construction.ts";
import type { RestrictedBlocks } from "./lsa.ts";
import { assertFiniteArray } from "../core/validate.ts";

export { DEFAULT_TASK, taskDims, type TaskSpec, validateTask } from "./task_spec.ts";
import { taskDims, type TaskSpec, validateTask } from "./task_spec.ts";

/**
 * The task's construction θ⋆ as restricted blocks (MATH §5), scale `c`.
 *
 * @example
 * ```ts
 * const star = taskConstruction(DEFAULT_TASK);
 * ```
 */
export function taskConstruction(t: TaskSpec, c = 1): RestrictedBlocks {
  validateTask(t);
  return t.kind === "sarsa"
    ? sarsaBlocks(t.d, t.alpha, c)
    : acBlocks(t.dPsi, t.d, t.alpha, t.beta, c);
}

/** One MDP being trained on or evaluated: its features, current θ and where to continue. */
export interface TaskEnv {
  /** The MDP. */
  mdp: Mdp;
  /** State–action features (fresh per MDP). */
  feat: Features;
  /** State features (actor–critic only). */
  sf: StateFeatures | null;
  /** Current θ: `w` (SARSA) or `[w ; λ]` (AC), length p−1. */
  theta: Float64Array;
  /** State the next rollout starts from. */
  s0: number;
  /** Trajectory buffer (last rollout). */
  traj: Trajectory;
  /** Policy-table buffer. */
  pi: Float64Array;
  /** This MDP's rollout stream. */
  rng: Rng;
}

/**
 * A fresh environment drawn from `rng` in a fixed order: MDP, features (then ψ for AC), initial θ
 * `~ Unif(−1,1)` (w; then λ for AC), `s_0 ~ p0`. Rollouts continue to draw from the same `rng`.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK, newTaskEnv } from "./tasks.ts";
 * import { Rng } from "../core/rng.ts";
 * const env = newTaskEnv(DEFAULT_TASK, new Rng(0).fork("mdp").fork(0)); // training MDP 0 of seed 0
 * ```
 */
export function newTaskEnv(t: TaskSpec, rng: Rng): TaskEnv {
  validateTask(t);
  const mdp = randomMdp(rng, { nS: t.nS, nA: t.nA, gamma: t.gamma });
  const feat = randomFeatures(rng, t.nS, t.nA, t.d);
  const sf = t.kind === "ac" ? randomStateFeatures(rng, t.nS, t.dPsi) : null;
  const { p } = taskDims(t);
  const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
  const s0 = sampleInitialState(mdp, rng);
  return {
    mdp,
    feat,
    sf,
    theta,
    s0,
    traj: emptyTrajectory(t.n),
    pi: new Float64Array(t.nS * t.nA),
    rng,
  };
}

/**
 * One prompt: roll out `n` steps of the behaviour policy of `env.theta` from `env.s0`, write the
 * tokens into `X` (n×m) and the teacher's update into `target` (p−1). Does not change `env.theta`.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK, newTaskEnv, taskDims, taskStep } from "./tasks.ts";
 * import { trainingMdpStream } from "../core/streams.ts";
 * const env = newTaskEnv(DEFAULT_TASK, trainingMdpStream(0, 0));
 * const { m, p } = taskDims(DEFAULT_TASK);
 * const X = new Float64Array(DEFAULT_TASK.n * m), target = new Float64Array(p - 1);
 * taskStep(DEFAULT_TASK, env, X, target);
 * ```
 */
export function taskStep(t: TaskSpec, env: TaskEnv, X: Float64Array, target: Float64Array): void {
  const { feat, mdp, traj, theta } = env;
  const n = t.n;
  // O(1) consistency checks; the env's parts are validated where they are used (O(1) when branded).
  if (t.kind !== "sarsa" && t.kind !== "ac") validateTask(t);
  const mExp = t.kind === "sarsa" ? 2 * t.d + 1 : 2 * t.dPsi + 1 + t.d;
  const pExp = t.kind === "sarsa" ? t.d + 1 : 1 + t.dPsi + t.d;
  if (
    feat?.nS !== t.nS || feat.nA !== t.nA || feat.d !== t.d || mdp?.nS !== t.nS || traj?.n !== n
  ) {
    throw new RangeError(
      `env does not match the task: task |S|=${t.nS}, |A|=${t.nA}, d=${t.d}, n=${n}; env has ` +
        `features ${feat?.nS}×${feat?.nA}×${feat?.d}, MDP |S|=${mdp?.nS}, trajectory n=${traj?.n}`,
    );
  }
  if (theta?.length !== pExp - 1) {
    throw new RangeError(
      `env.theta must have length p−1 = ${pExp - 1}, got length ${theta?.length}`,
    );
  }
  if (!(X instanceof Float64Array) || X.length !== n * mExp) {
    throw new RangeError(
      `X must be a Float64Array of length n·m = ${n * mExp}, got length ${X?.length}`,
    );
  }
  if (!(target instanceof Float64Array) || target.length !== pExp - 1) {
    throw new RangeError(
      `target must be a Float64Array of length p−1 = ${pExp - 1}, got length ${target?.length}`,
    );
  }
  if (t.kind === "sarsa") {
    epsGreedyPolicy(feat, theta, t.eps, env.pi);
    rollout(mdp, env.pi, env.s0, n, env.rng, traj);
    sarsaTokensInto(traj, feat, t.gamma, X);
    sarsaUpdate(traj, feat, theta, t.gamma, t.alpha, target);
    return;
  }
  const sf = env.sf!;
  const dq = t.dPsi;
  const w = theta.subarray(0, dq), lambda = theta.subarray(dq);
  softmaxPolicy(feat, lambda, env.pi);
  rollout(mdp, env.pi, env.s0, n, env.rng, traj);
  acTokensInto(traj, feat, sf, env.pi, t.gamma, X);
  const upd = actorCriticUpdate(traj, feat, sf, w, lambda, t.gamma, t.alpha, t.beta);
  target.set(upd.w, 0);
  target.set(upd.lambda, dq);
}

/**
 * Move to the next prompt: `θ ← next` (the teacher's target during training, the learner's output
 * during evaluation) and `s_0 ← s_n` (MATH §2, §6).
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK, newTaskEnv, taskDims, taskAdvance, taskStep } from "./tasks.ts";
 * import { trainingMdpStream } from "../core/streams.ts";
 * const env = newTaskEnv(DEFAULT_TASK, trainingMdpStream(0, 0));
 * const { m, p } = taskDims(DEFAULT_TASK);
 * const X = new Float64Array(DEFAULT_TASK.n * m), target = new Float64Array(p - 1);
 * taskStep(DEFAULT_TASK, env, X, target);
 * taskAdvance(env, target); // θ ← target, s_0 ← s_n
 * ```
 */
export function taskAdvance(env: TaskEnv, next: ArrayLike<number>): void {
  assertFiniteArray("next", next, env.theta.length);
  env.theta.set(next as ArrayLike<number>);
  env.s0 = env.traj.s[env.traj.n];
}
