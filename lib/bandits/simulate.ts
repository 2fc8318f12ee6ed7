/**
 * Run a batched policy on a batch of environments for T steps and record what happened: the arm
 * and reward of every (environment, step) and, when asked and defined, the policy's action
 * distribution at every step.
 *
 * @module
 */

import { assertInt } from "../core/validate.ts";
import { type BanditEnvs, banditReward } from "./env.ts";
import type { BanditPolicy } from "./policy.ts";

/** What a run of T steps on E environments produced (row-major, environment-major). */
export interface Trajectories {
  /** Environments E. */
  numEnvs: number;
  /** Steps T. */
  horizon: number;
  /** Arms A. */
  numArms: number;
  /** Arm played, E × T. */
  actions: Int32Array;
  /** Reward observed, E × T. */
  rewards: Float64Array;
  /** `P(a_t = a | history)`, E × T × A, or null when not recorded / not defined. */
  probs: Float64Array | null;
}

/** Options of {@linkcode simulate}. */
export interface SimulateOptions {
  /** Steps to run (default: the environments' horizon). */
  horizon?: number;
  /** Record the action distribution (only if the policy defines it; default false). */
  recordProbs?: boolean;
  /** Called after every step with the number of steps done. */
  onStep?: (done: number, total: number) => void;
}

/**
 * Play `policy` on `envs` for T steps (rewards from {@linkcode banditReward}).
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * const envs = sampleBandits(LINEAR_BANDIT, 1, 100);
 * const traj = simulate(envs, makePolicy({ name: "linucb" }, envs, 1));
 * traj.actions.length; // 100 * 200
 * ```
 */
export function simulate(
  envs: BanditEnvs,
  policy: BanditPolicy,
  opts: SimulateOptions = {},
): Trajectories {
  const T = opts.horizon ?? envs.horizon;
  assertInt("horizon", T, 1, envs.horizon);
  if (policy.numEnvs !== envs.numEnvs || policy.numArms !== envs.numArms) {
    throw new RangeError(
      `simulate: policy ${policy.name} has E=${policy.numEnvs}, A=${policy.numArms}; environments have E=${envs.numEnvs}, A=${envs.numArms}`,
    );
  }
  const E = envs.numEnvs, A = envs.numArms;
  const withProbs = (opts.recordProbs ?? false) && policy.hasProbs;
  const actions = new Int32Array(E * T);
  const rewards = new Float64Array(E * T);
  const probs = withProbs ? new Float64Array(E * T * A) : null;
  const act = new Int32Array(E);
  const rew = new Float64Array(E);
  const p = withProbs ? new Float64Array(E * A) : undefined;
  for (let t = 0; t < T; t++) {
    policy.act(act, p);
    for (let e = 0; e < E; e++) {
      const a = act[e];
      if (!(a >= 0 && a < A)) {
        throw new RangeError(
          `simulate: ${policy.name} chose arm ${a} in environment ${e} at step ${t}`,
        );
      }
      const r = banditReward(envs, e, t, a);
      rew[e] = r;
      actions[e * T + t] = a;
      rewards[e * T + t] = r;
      if (probs) probs.set(p!.subarray(e * A, (e + 1) * A), (e * T + t) * A);
    }
    policy.update(act, rew);
    opts.onStep?.(t + 1, T);
  }
  return { numEnvs: E, horizon: T, numArms: A, actions, rewards, probs };
}
