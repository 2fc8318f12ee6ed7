/**
 * Recorded bandit trajectories — the offline data of supervised pretraining (MATH §9: algorithm
 * distillation of LinUCB on linear bandits; DPT with context from `(uniform + TS)/2` and target the
 * optimal arm on Bernoulli bandits; `α·TS + (1−α)·uniform` mixtures).
 *
 * A `TrajectorySet` holds, for N trajectories of T steps, everything a pretraining step needs in
 * typed arrays: the action set of each environment (N × A × d), the hidden parameter and arm means
 * (for evaluation), the **optimal arm** (the DPT target), the arms played and rewards observed
 * (N × T; the AD target is the logged action at every position), and the algorithm's action
 * distribution where defined (N × T × A, e.g. LinUCB, uniform; null for TS and mixtures with TS).
 *
 * `trajectoryTables`, `writeTrajectories` and `readTrajectories` (record_table.ts) store a set as
 * two Parquet tables; they load polars, so this module and the bandits barrel leave them out.
 *
 * @module
 */

import type { AlgorithmSpec } from "./algorithms.ts";
import type { BanditEnvs, BanditSpec } from "./env.ts";
import type { Trajectories } from "./simulate.ts";

/** N recorded trajectories of one algorithm on one bandit family. */
export interface TrajectorySet {
  /** Bandit family and settings. */
  spec: BanditSpec;
  /** The algorithm that acted. */
  algorithm: AlgorithmSpec;
  /** Seed of the environments (`sampleBandits`). */
  envSeed: number;
  /** Seed of the algorithm's streams (`makePolicy`). */
  policySeed: number;
  /** Global environment index of each trajectory, N. */
  index: Int32Array;
  /** Trajectories N. */
  numEnvs: number;
  /** Arms A. */
  numArms: number;
  /** Arm dimension d. */
  dim: number;
  /** Steps T. */
  horizon: number;
  /** Action sets, N × A × d. */
  arms: Float64Array;
  /** w⋆ (linear) or arm means (Bernoulli), N × d. */
  theta: Float64Array;
  /** Arm means, N × A. */
  means: Float64Array;
  /** Optimal arm, N. */
  best: Int32Array;
  /** Optimal mean, N. */
  bestMean: Float64Array;
  /** Arms played, N × T. */
  actions: Int32Array;
  /** Rewards observed, N × T. */
  rewards: Float64Array;
  /** Action distributions, N × T × A, or null. */
  probs: Float64Array | null;
}

/**
 * Bundle environments and a simulation of them into a `TrajectorySet`.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * import { trajectorySet } from "./record.ts";
 * const envs = sampleBandits(LINEAR_BANDIT, 1, 10);
 * const alg = { name: "linucb" } as const;
 * const set = trajectorySet(envs, simulate(envs, makePolicy(alg, envs, 2), { recordProbs: true }), alg, 2);
 * ```
 */
export function trajectorySet(
  envs: BanditEnvs,
  traj: Trajectories,
  algorithm: AlgorithmSpec,
  policySeed: number,
): TrajectorySet {
  if (traj.numEnvs !== envs.numEnvs || traj.numArms !== envs.numArms) {
    throw new RangeError(
      `trajectorySet: trajectories have E=${traj.numEnvs}, A=${traj.numArms}; environments E=${envs.numEnvs}, A=${envs.numArms}`,
    );
  }
  const index = new Int32Array(envs.numEnvs);
  for (let e = 0; e < envs.numEnvs; e++) index[e] = envs.first + e;
  return {
    spec: { ...envs.spec, horizon: traj.horizon },
    algorithm,
    envSeed: envs.seed,
    policySeed,
    index,
    numEnvs: envs.numEnvs,
    numArms: envs.numArms,
    dim: envs.dim,
    horizon: traj.horizon,
    arms: envs.arms,
    theta: envs.theta,
    means: envs.means,
    best: envs.best,
    bestMean: envs.bestMean,
    actions: traj.actions,
    rewards: traj.rewards,
    probs: traj.probs,
  };
}

/**
 * Concatenate sets of the same family, algorithm, seeds and shape (e.g. chunks from workers) in
 * the order given.
 *
 * @example
 * ```ts
 * import { concatTrajectorySets } from "./record.ts";
 * // const all = concatTrajectorySets([chunk0, chunk1]);
 * ```
 */
export function concatTrajectorySets(sets: readonly TrajectorySet[]): TrajectorySet {
  if (sets.length === 0) throw new RangeError("concatTrajectorySets: no sets given");
  const s0 = sets[0];
  for (const [k, s] of sets.entries()) {
    const same = JSON.stringify(s.spec) === JSON.stringify(s0.spec) &&
      JSON.stringify(s.algorithm) === JSON.stringify(s0.algorithm) &&
      s.envSeed === s0.envSeed && s.policySeed === s0.policySeed &&
      s.numArms === s0.numArms && s.dim === s0.dim && s.horizon === s0.horizon &&
      (s.probs === null) === (s0.probs === null);
    if (!same) {
      throw new RangeError(
        `concatTrajectorySets: set ${k} differs from set 0 in spec, algorithm, seeds or shape`,
      );
    }
  }
  const cat = <T extends Float64Array | Int32Array>(pick: (s: TrajectorySet) => T): T => {
    const total = sets.reduce((n, s) => n + pick(s).length, 0);
    const out = new (pick(s0).constructor as { new (n: number): T })(total);
    let off = 0;
    for (const s of sets) {
      out.set(pick(s), off);
      off += pick(s).length;
    }
    return out;
  };
  return {
    ...s0,
    index: cat((s) => s.index),
    numEnvs: sets.reduce((n, s) => n + s.numEnvs, 0),
    arms: cat((s) => s.arms),
    theta: cat((s) => s.theta),
    means: cat((s) => s.means),
    best: cat((s) => s.best),
    bestMean: cat((s) => s.bestMean),
    actions: cat((s) => s.actions),
    rewards: cat((s) => s.rewards),
    probs: s0.probs === null ? null : cat((s) => s.probs!),
  };
}

/**
 * The typed arrays of a set, in field order (`index`, `arms`, `theta`, `means`, `best`, `bestMean`,
 * `actions`, `rewards`, then `probs` when recorded): what a Worker transfers and what the set
 * weighs in memory.
 *
 * @example
 * ```ts
 * import { generateChunk } from "./generate.ts";
 * import { trajectoryArrays } from "./record.ts";
 * import { LINEAR_BANDIT } from "./env.ts";
 * const job = { spec: { ...LINEAR_BANDIT, horizon: 5 }, algorithm: { name: "uniform" } as const,
 *   envSeed: 1, policySeed: 2, first: 0, count: 3 };
 * trajectoryArrays(generateChunk({ ...job, recordProbs: false })).length; // 8
 * trajectoryArrays(generateChunk({ ...job, recordProbs: true })).at(-1)!.length; // 3 × 5 × 10 probs
 * ```
 */
export function trajectoryArrays(set: TrajectorySet): (Int32Array | Float64Array)[] {
  const { index, arms, theta, means, best, bestMean, actions, rewards, probs } = set;
  return [index, arms, theta, means, best, bestMean, actions, rewards, ...(probs ? [probs] : [])];
}
