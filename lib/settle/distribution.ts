/**
 * Training distributions for the richness ablation (MATH §8.5): the paper's (a fresh MDP with fresh
 * Unif(−1,1) features for every training episode) and narrower ones — a pool of M MDPs, one fixed
 * feature map, low-rank or one-hot features, near-deterministic transitions — plus the prompt sets
 * sampled from them for the Gauss–Newton and Gram numbers of `richness.ts`.
 *
 * **Streams.** Episode k of a run with seed s uses `new Rng(s).fork("mdp").fork(k)` for its initial
 * w, `s_0` and rollouts, exactly like the trainer (MATH §6). Where the MDP (transitions, rewards, p0)
 * and its features come from depends on the distribution: the same stream (paper: then the episode
 * is drawn exactly as `newTaskEnv` draws it), `fork("pool").fork(k mod M)` for a pool, and
 * `fork("features")` for a fixed feature map.
 *
 * @module
 */

import {
  type Features,
  lowRankFeatures,
  oneHotFeatures,
  randomFeatures,
  randomMdp,
} from "../mdp/mdp.ts";
import type { PromptSet } from "../icrl/richness.ts";
import { Rng } from "../core/rng.ts";
import { emptyTrajectory, sampleInitialState } from "../mdp/rollout.ts";
import {
  taskAdvance,
  taskDims,
  type TaskEnv,
  type TaskSpec,
  taskStep,
  validateTask,
} from "../icrl/mod.ts";
import { assertInt, assertNumber } from "../core/validate.ts";

/** Which MDPs and features the block is trained on. */
export interface TrainingDistribution {
  /** 0 = a fresh MDP every episode (paper); M ≥ 1 = episode k reuses pool MDP k mod M. */
  pool: number;
  /** "fresh" = features drawn with each MDP (paper); "fixed" = one feature map for every MDP. */
  featureMap: "fresh" | "fixed";
  /** "uniform" = i.i.d. Unif(−1,1) (paper); "lowrank" = rank `rank`; "onehot" = tabular (d = |S||A|). */
  features: "uniform" | "lowrank" | "onehot";
  /** Rank of "lowrank" features, 1 … d (ignored otherwise). */
  rank: number;
  /** Dirichlet concentration of every P(·|s,a): 1 = paper, 0.05 = near-deterministic. */
  concentration: number;
}

/** The paper's distribution (MATH §1, §6). */
export const PAPER_DISTRIBUTION: Readonly<TrainingDistribution> = Object.freeze({
  pool: 0,
  featureMap: "fresh",
  features: "uniform",
  rank: 1,
  concentration: 1,
});

const DIST_KEYS = new Set(Object.keys(PAPER_DISTRIBUTION));

/**
 * Validate a distribution against a task; throws naming the bad key or value. Returns it.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { PAPER_DISTRIBUTION, validateDistribution } from "./distribution.ts";
 * validateDistribution({ ...PAPER_DISTRIBUTION, pool: 16 }, DEFAULT_TASK);
 * ```
 */
export function validateDistribution(
  dist: TrainingDistribution,
  task: TaskSpec,
): TrainingDistribution {
  if (dist === null || typeof dist !== "object") {
    throw new TypeError(`distribution must be an object, got ${String(dist)}`);
  }
  for (const k of Object.keys(dist)) {
    if (!DIST_KEYS.has(k)) throw new RangeError(`unknown distribution key "${k}"`);
  }
  assertInt("dist.pool", dist.pool, 0, 1_000_000);
  if (dist.featureMap !== "fresh" && dist.featureMap !== "fixed") {
    throw new RangeError(
      `dist.featureMap must be "fresh" or "fixed", got ${JSON.stringify(dist.featureMap)}`,
    );
  }
  if (!["uniform", "lowrank", "onehot"].includes(dist.features)) {
    throw new RangeError(
      `dist.features must be "uniform", "lowrank" or "onehot", got ${
        JSON.stringify(dist.features)
      }`,
    );
  }
  assertInt("dist.rank", dist.rank, 1, task.d);
  assertNumber("dist.concentration", dist.concentration, 1e-3, 1e3);
  if (task.kind !== "sarsa") {
    throw new RangeError(`training distributions are for the SARSA task, got kind "${task.kind}"`);
  }
  if (dist.features === "onehot" && task.d !== task.nS * task.nA) {
    throw new RangeError(
      `one-hot features need d = |S|·|A| = ${task.nS * task.nA}, got task.d = ${task.d}`,
    );
  }
  return dist;
}

function drawFeatures(t: TaskSpec, dist: TrainingDistribution, rng: Rng): Features {
  if (dist.features === "onehot") return oneHotFeatures(t.nS, t.nA);
  if (dist.features === "lowrank") return lowRankFeatures(rng, t.nS, t.nA, t.d, dist.rank);
  return randomFeatures(rng, t.nS, t.nA, t.d);
}

/**
 * Training episode `k` of the run with seed `seed` under `dist` (see the module doc for streams).
 * With {@linkcode PAPER_DISTRIBUTION} this equals `newTaskEnv(task, new Rng(seed).fork("mdp").fork(k))`.
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { distributionEnv, PAPER_DISTRIBUTION } from "./distribution.ts";
 * const env = distributionEnv(DEFAULT_TASK, { ...PAPER_DISTRIBUTION, pool: 4 }, 0, 7);
 * ```
 */
export function distributionEnv(
  t: TaskSpec,
  dist: TrainingDistribution,
  seed: number,
  k: number,
): TaskEnv {
  assertInt("k", k, 0);
  const root = new Rng(seed);
  const ep = root.fork("mdp").fork(k);
  const src = dist.pool > 0 ? root.fork("pool").fork(k % dist.pool) : ep;
  const mdp = randomMdp(src, {
    nS: t.nS,
    nA: t.nA,
    gamma: t.gamma,
    concentration: dist.concentration,
  });
  const feat = drawFeatures(t, dist, dist.featureMap === "fixed" ? root.fork("features") : src);
  const { p } = taskDims(t);
  const theta = ep.fillUniform(new Float64Array(p - 1), -1, 1);
  const s0 = sampleInitialState(mdp, ep);
  return {
    mdp,
    feat,
    sf: null,
    theta,
    s0,
    traj: emptyTrajectory(t.n),
    pi: new Float64Array(t.nS * t.nA),
    rng: ep,
  };
}

/**
 * A prompt set from the training distribution: `episodes` episodes (indices `first …`), each run
 * by the teacher for `T` iterations (`w ←` target, as in training), keeping the prompts at the
 * iterations in `at` (each in 0 … T−1).
 *
 * @example
 * ```ts
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * import { PAPER_DISTRIBUTION, samplePromptSet } from "./distribution.ts";
 * const ps = samplePromptSet(DEFAULT_TASK, PAPER_DISTRIBUTION, 9, 8, [0, 10], 11);
 * ```
 */
export function samplePromptSet(
  t: TaskSpec,
  dist: TrainingDistribution,
  seed: number,
  episodes: number,
  at: number[],
  T: number,
  first = 0,
): PromptSet {
  validateTask(t);
  validateDistribution(dist, t);
  assertInt("episodes", episodes, 1);
  assertInt("T", T, 1);
  if (at.length === 0) throw new RangeError("at must list at least one iteration");
  at.forEach((a, i) => assertInt(`at[${i}]`, a, i === 0 ? 0 : at[i - 1] + 1, T - 1));
  const { m, p } = taskDims(t);
  const n = t.n, N = episodes * at.length;
  const X = new Float64Array(N * n * m), theta = new Float64Array(N * (p - 1));
  const target = new Float64Array(N * (p - 1));
  const x = new Float64Array(n * m), tg = new Float64Array(p - 1);
  let k = 0;
  for (let e = 0; e < episodes; e++) {
    const env = distributionEnv(t, dist, seed, first + e);
    let next = 0;
    for (let it = 0; it <= at[at.length - 1]; it++) {
      const th = Float64Array.from(env.theta);
      taskStep(t, env, x, tg);
      if (it === at[next]) {
        X.set(x, k * n * m);
        theta.set(th, k * (p - 1));
        target.set(tg, k * (p - 1));
        k++;
        next++;
      }
      taskAdvance(env, tg);
    }
  }
  return { m, p, n, N, X, theta, target };
}
