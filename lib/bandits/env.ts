/**
 * Stochastic bandit environments, batched: E environments side by side in typed arrays (MATH §9).
 *
 * - **Linear bandit**: d = 5, A = 10 arms per environment, arms `~ Unif([−1,1]^d)` fixed per
 *   environment, `w⋆ ~ Unif([0,1]^d)`, reward `⟨a, w⋆⟩ + N(0, σ²)` with σ = 1.5, horizon T = 200.
 * - **Bernoulli bandit**: A = 5 arms, means `~ Unif[0,1]` (Beta(1,1)), reward `Bernoulli(μ_a)`;
 *   the arms are the one-hot vectors of R^A (so d = A and `θ` holds the means).
 *
 * Environment `i` (its global index, so a batch can be any slice of a larger set) is drawn from
 * its own stream `Rng(seed).fork("bandit-env:<family>").fork(i)`: the same environment whatever the batch
 * size or worker. Its reward noise is drawn up front, one value per step — a standard normal
 * `z_t` (linear: `r_t = μ_{a_t} + σ z_t`) or a uniform `u_t` (Bernoulli: `r_t = 1[u_t < μ_{a_t}]`) —
 * so every algorithm run on the environment sees the same noise sequence (common random numbers;
 * each single trajectory has exactly the law of independent reward draws).
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** Stochastic linear bandit family (MATH §9). */
export interface LinearBanditSpec {
  /** Family tag. */
  family: "linear";
  /** Feature dimension d (paper 5). */
  dim: number;
  /** Arms per environment A (paper 10), each `~ Unif([−1,1]^d)`. */
  numArms: number;
  /** Standard deviation σ of the Gaussian reward noise (paper 1.5). */
  noiseStd: number;
  /** Horizon T (paper 200). */
  horizon: number;
}

/** Bernoulli multi-armed bandit family (MATH §9). */
export interface BernoulliBanditSpec {
  /** Family tag. */
  family: "bernoulli";
  /** Arms A (paper 5), means `~ Unif[0,1]`. */
  numArms: number;
  /** Horizon T (paper 200). */
  horizon: number;
}

/** Either bandit family. */
export type BanditSpec = LinearBanditSpec | BernoulliBanditSpec;

/** The paper's linear bandit: d = 5, A = 10, σ = 1.5, T = 200 (MATH §9). */
export const LINEAR_BANDIT: Readonly<LinearBanditSpec> = Object.freeze({
  family: "linear",
  dim: 5,
  numArms: 10,
  noiseStd: 1.5,
  horizon: 200,
});

/** The paper's Bernoulli bandit: A = 5, T = 200 (MATH §9). */
export const BERNOULLI_BANDIT: Readonly<BernoulliBanditSpec> = Object.freeze({
  family: "bernoulli",
  numArms: 5,
  horizon: 200,
});

/**
 * Check a bandit spec: known family, no unknown keys, integer sizes in range, σ > 0. Throws an
 * error naming the bad key or value; returns the spec.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, validateBanditSpec } from "./env.ts";
 * validateBanditSpec({ ...LINEAR_BANDIT, horizon: 50 }); // ok
 * ```
 */
export function validateBanditSpec<S extends BanditSpec>(spec: S): S {
  assertKnownKeys("bandit spec", spec, ["family", "dim", "numArms", "noiseStd", "horizon"]);
  if (spec.family === "linear") {
    assertKnownKeys("linear bandit spec", spec, [
      "family",
      "dim",
      "numArms",
      "noiseStd",
      "horizon",
    ]);
    assertInt("linear bandit dim", spec.dim, 1, 64);
    assertNumber("linear bandit noiseStd", spec.noiseStd, Number.MIN_VALUE, 1e6);
  } else if (spec.family === "bernoulli") {
    assertKnownKeys("Bernoulli bandit spec", spec, ["family", "numArms", "horizon"]);
  } else {
    throw new RangeError(
      `bandit spec family must be "linear" or "bernoulli", got ${
        JSON.stringify((spec as { family: unknown }).family)
      }`,
    );
  }
  assertInt(`${spec.family} bandit numArms`, spec.numArms, 2, 255);
  assertInt(`${spec.family} bandit horizon`, spec.horizon, 1, 1_000_000);
  return spec;
}

/**
 * Feature dimension of a spec's arms (d for linear, A for Bernoulli: one-hot arms).
 *
 * @example
 * ```ts
 * import { armDim, BERNOULLI_BANDIT, LINEAR_BANDIT } from "./env.ts";
 * if (armDim(LINEAR_BANDIT) !== LINEAR_BANDIT.dim) throw new Error("linear: d");
 * if (armDim(BERNOULLI_BANDIT) !== BERNOULLI_BANDIT.numArms) throw new Error("Bernoulli: A");
 * ```
 */
export function armDim(spec: BanditSpec): number {
  return spec.family === "linear" ? spec.dim : spec.numArms;
}

/** A batch of E environments of one family, in typed arrays (row-major). */
export interface BanditEnvs {
  /** The family and its settings. */
  readonly spec: BanditSpec;
  /** Root seed the environments were drawn from. */
  readonly seed: number;
  /** Global index of environment 0 of this batch. */
  readonly first: number;
  /** Environments E. */
  readonly numEnvs: number;
  /** Arms A. */
  readonly numArms: number;
  /** Arm dimension d (A for Bernoulli). */
  readonly dim: number;
  /** Horizon T. */
  readonly horizon: number;
  /** Action sets, E × A × d: arm a of environment e is `arms[(e·A + a)·d …]`. */
  readonly arms: Float64Array;
  /** Unknown parameter, E × d: `w⋆` (linear) or the arm means (Bernoulli). */
  readonly theta: Float64Array;
  /** Mean reward of each arm, E × A: `μ_a = ⟨a, θ⟩`. */
  readonly means: Float64Array;
  /** Optimal arm per environment (ties, probability zero here, broken uniformly at random). */
  readonly best: Int32Array;
  /** `max_a μ_a` per environment. */
  readonly bestMean: Float64Array;
  /** Reward noise, E × T: standard normal z (linear) or uniform u (Bernoulli). */
  readonly noise: Float64Array;
}

/**
 * Draw environments `first … first+count−1` of a family from `seed` (see the module doc for the
 * streams; environment i is the same in every batch that contains it).
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
 * const envs = sampleBandits(LINEAR_BANDIT, 7, 500);
 * envs.means.length; // 500 * 10
 * ```
 */
export function sampleBandits(
  spec: BanditSpec,
  seed: number,
  count: number,
  first = 0,
): BanditEnvs {
  validateBanditSpec(spec);
  assertInt("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  assertInt("count", count, 1, 10_000_000);
  assertInt("first", first, 0, Number.MAX_SAFE_INTEGER - count);
  const A = spec.numArms, d = armDim(spec), T = spec.horizon;
  const arms = new Float64Array(count * A * d);
  const theta = new Float64Array(count * d);
  const means = new Float64Array(count * A);
  const best = new Int32Array(count);
  const bestMean = new Float64Array(count);
  const noise = new Float64Array(count * T);
  const root = new Rng(seed).fork(`bandit-env:${spec.family}`);
  for (let e = 0; e < count; e++) {
    const rng = root.fork(first + e);
    if (spec.family === "linear") {
      for (let i = 0; i < A * d; i++) arms[e * A * d + i] = rng.uniformIn(-1, 1);
      for (let j = 0; j < d; j++) theta[e * d + j] = rng.uniform();
      for (let t = 0; t < T; t++) noise[e * T + t] = rng.normal();
    } else {
      for (let a = 0; a < A; a++) {
        arms[(e * A + a) * d + a] = 1;
        theta[e * d + a] = rng.uniform();
      }
      for (let t = 0; t < T; t++) noise[e * T + t] = rng.uniform();
    }
    let top = -Infinity, ties = 0, pick = 0;
    for (let a = 0; a < A; a++) {
      let m = 0;
      for (let j = 0; j < d; j++) m += arms[(e * A + a) * d + j] * theta[e * d + j];
      means[e * A + a] = m;
      if (m > top) {
        top = m;
        ties = 1;
        pick = a;
      } else if (m === top) {
        ties++;
        if (rng.int(ties) === 0) pick = a; // reservoir: uniform over the tied arms
      }
    }
    best[e] = pick;
    bestMean[e] = top;
  }
  return {
    spec: { ...spec },
    seed,
    first,
    numEnvs: count,
    numArms: A,
    dim: d,
    horizon: T,
    arms,
    theta,
    means,
    best,
    bestMean,
    noise,
  };
}

/**
 * The reward of arm `a` in environment `e` at step `t` (0-based): `μ_a + σ z_t` (linear) or
 * `1[u_t < μ_a]` (Bernoulli).
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, banditReward, sampleBandits } from "./env.ts";
 * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 2);
 * banditReward(envs, 0, 0, 3); // 0 or 1
 * ```
 */
export function banditReward(envs: BanditEnvs, e: number, t: number, a: number): number {
  const mu = envs.means[e * envs.numArms + a];
  const x = envs.noise[e * envs.horizon + t];
  if (envs.spec.family === "linear") return mu + envs.spec.noiseStd * x;
  return x < mu ? 1 : 0;
}
