/**
 * Thompson sampling (MATH §9), batched over environments.
 *
 * - **Gaussian TS for linear bandits**: prior `θ ~ N(0, τ²I)` (τ² = 1), Gaussian noise of
 *   variance σ² = 2.25; the posterior after pulls `a_s` with rewards `r_s` is `N(μ, Σ)` with
 *   `Σ = (I/τ² + Σ a aᵀ/σ²)⁻¹`, `μ = Σ · Σ r a/σ²`. Σ is updated by Sherman–Morrison rank-1 steps
 *   with `a/σ`; each step draws `θ̃ = μ + L z` (L the Cholesky factor of Σ) and plays
 *   `argmax_a θ̃ᵀa`.
 * - **Beta–Bernoulli TS**: prior Beta(1, 1) per arm, posterior `Beta(1 + s_a, 1 + f_a)`
 *   (successes, failures); each step draws one sample per arm and plays the largest.
 *
 * Neither has a closed-form action distribution, so `hasProbs` is false.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import type { BanditEnvs } from "./env.ts";
import { argmaxRandomTie, checkFeedback, policyOptions, StreamPolicy } from "./policy.ts";
import { armScores, blockMatVec, diagonalBlocks, shermanMorrison } from "./ridge.ts";

/** Gaussian Thompson sampling settings. */
export interface GaussianTSOptions {
  /** Prior variance τ² of each coordinate of θ (paper 1). */
  priorVar?: number;
  /** Noise variance σ² assumed by the posterior (paper 1.5² = 2.25). */
  noiseVar?: number;
}

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive definite d × d matrix `S`
 * starting at `S[offset]`, written into `L`. Throws naming the pivot when `S` is not positive
 * definite.
 *
 * @example
 * ```ts
 * import { cholesky } from "./thompson.ts";
 * cholesky(new Float64Array([4, 2, 2, 5]), 0, 2, new Float64Array(4)); // [2, 0, 1, 2]
 * ```
 */
export function cholesky(
  S: Float64Array,
  offset: number,
  d: number,
  L: Float64Array,
): Float64Array {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[offset + i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) {
          throw new RangeError(`cholesky: matrix not positive definite (pivot ${i}: ${s})`);
        }
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
    for (let j = i + 1; j < d; j++) L[i * d + j] = 0;
  }
  return L;
}

/** Gaussian Thompson sampling for linear bandits, with read access to its posterior. */
export class GaussianTS extends StreamPolicy {
  readonly name = "TS (Gaussian)";
  readonly hasProbs = false;
  /** Arm dimension d. */
  readonly dim: number;
  /** τ². */
  readonly priorVar: number;
  /** σ². */
  readonly noiseVar: number;
  private readonly arms: Float64Array;
  private readonly sigma: Float64Array; // posterior covariance Σ, E × d × d
  private readonly b: Float64Array; // Σ r a / σ², E × d
  private readonly L: Float64Array;
  private readonly z: Float64Array;
  private readonly vals: Float64Array;

  /**
   * @param envs the environments (their action sets)
   * @param rngs one stream per environment (posterior draws and tie-breaking)
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: GaussianTSOptions = {}) {
    const { priorVar, noiseVar } = policyOptions("Gaussian TS", opts, {
      priorVar: [1, Number.MIN_VALUE],
      noiseVar: [2.25, Number.MIN_VALUE],
    });
    super("Gaussian TS", envs, rngs);
    this.priorVar = priorVar;
    this.noiseVar = noiseVar;
    this.dim = envs.dim;
    this.arms = envs.arms;
    const d = this.dim;
    this.sigma = diagonalBlocks(this.numEnvs, d, this.priorVar);
    this.b = new Float64Array(this.numEnvs * d);
    this.L = new Float64Array(d * d);
    this.z = new Float64Array(d);
    this.vals = new Float64Array(Math.max(this.numArms, d));
  }

  /**
   * Posterior `N(mean, cov)` of environment e (copies; cov is d × d row-major).
   *
   * @example
   * ```ts
   * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { GaussianTS } from "./thompson.ts";
   * const envs = sampleBandits(LINEAR_BANDIT, 1, 2);
   * new GaussianTS(envs, policyStreams(1, "TS", 2)).posterior(0).cov; // τ²I before any data
   * ```
   */
  posterior(e: number): { mean: Float64Array; cov: Float64Array } {
    const d = this.dim, off = e * d * d;
    const mean = blockMatVec(this.sigma, off, d, this.b, e * d, new Float64Array(d));
    return { mean, cov: this.sigma.slice(off, off + d * d) };
  }

  /**
   * One posterior draw `θ̃ = μ + L z` for environment e (uses that environment's stream).
   *
   * @example
   * ```ts
   * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { GaussianTS } from "./thompson.ts";
   * const envs = sampleBandits(LINEAR_BANDIT, 1, 2);
   * new GaussianTS(envs, policyStreams(1, "TS", 2)).sample(1); // a draw from N(0, I)
   * ```
   */
  sample(e: number): Float64Array {
    const d = this.dim;
    const { mean } = this.posterior(e);
    cholesky(this.sigma, e * d * d, d, this.L);
    const rng = this.rngs[e];
    for (let j = 0; j < d; j++) this.z[j] = rng.normal();
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += this.L[i * d + j] * this.z[j];
      mean[i] += s;
    }
    return mean;
  }

  act(actions: Int32Array): void {
    const A = this.numArms, d = this.dim;
    for (let e = 0; e < this.numEnvs; e++) {
      armScores(this.sample(e), this.arms, e * A * d, A, d, this.vals);
      actions[e] = argmaxRandomTie(this.vals, 0, A, this.rngs[e]);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    const A = this.numArms, d = this.dim, s2 = this.noiseVar;
    const v = this.vals;
    for (let e = 0; e < this.numEnvs; e++) {
      const ao = (e * A + actions[e]) * d;
      // Σ ← Σ − Σ a aᵀ Σ / (σ² + aᵀ Σ a)  (Sherman–Morrison with a/σ)
      shermanMorrison(this.sigma, e * d * d, d, this.arms, ao, s2, v);
      for (let j = 0; j < d; j++) this.b[e * d + j] += (rewards[e] * this.arms[ao + j]) / s2;
    }
  }
}

/** Beta–Bernoulli Thompson sampling settings. */
export interface BetaTSOptions {
  /** Prior Beta(a0, b0) per arm (paper: Beta(1, 1)). */
  a0?: number;
  /** Second prior parameter. */
  b0?: number;
}

/**
 * One Beta(a, b) draw as `X/(X+Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { betaSample } from "./thompson.ts";
 * betaSample(new Rng(1), 2, 3); // in (0, 1), mean 2/5
 * ```
 */
export function betaSample(rng: Rng, a: number, b: number): number {
  const x = rng.gamma(a), y = rng.gamma(b);
  return x / (x + y);
}

/** Beta–Bernoulli Thompson sampling for multi-armed Bernoulli bandits. */
export class BetaTS extends StreamPolicy {
  readonly name = "TS (Beta)";
  readonly hasProbs = false;
  /** Prior parameters. */
  readonly a0: number;
  readonly b0: number;
  private readonly successes: Float64Array;
  private readonly failures: Float64Array;
  private readonly vals: Float64Array;

  /**
   * @param envs the environments (only E and A are read; rewards must be 0 or 1)
   * @param rngs one stream per environment
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: BetaTSOptions = {}) {
    const { a0, b0 } = policyOptions("Beta TS", opts, {
      a0: [1, Number.MIN_VALUE],
      b0: [1, Number.MIN_VALUE],
    });
    super("Beta TS", envs, rngs);
    this.a0 = a0;
    this.b0 = b0;
    this.successes = new Float64Array(this.numEnvs * this.numArms);
    this.failures = new Float64Array(this.numEnvs * this.numArms);
    this.vals = new Float64Array(this.numArms);
  }

  /**
   * Posterior Beta parameters of environment e: `alpha[a] = a0 + s_a`, `beta[a] = b0 + f_a`.
   *
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { BetaTS } from "./thompson.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 2);
   * new BetaTS(envs, policyStreams(1, "TS", 2)).posterior(0); // all Beta(1, 1)
   * ```
   */
  posterior(e: number): { alpha: Float64Array; beta: Float64Array } {
    const A = this.numArms;
    const alpha = new Float64Array(A), beta = new Float64Array(A);
    for (let a = 0; a < A; a++) {
      alpha[a] = this.a0 + this.successes[e * A + a];
      beta[a] = this.b0 + this.failures[e * A + a];
    }
    return { alpha, beta };
  }

  act(actions: Int32Array): void {
    const A = this.numArms;
    for (let e = 0; e < this.numEnvs; e++) {
      const rng = this.rngs[e];
      for (let a = 0; a < A; a++) {
        this.vals[a] = betaSample(
          rng,
          this.a0 + this.successes[e * A + a],
          this.b0 + this.failures[e * A + a],
        );
      }
      actions[e] = argmaxRandomTie(this.vals, 0, A, rng);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    const A = this.numArms;
    for (let e = 0; e < this.numEnvs; e++) {
      const r = rewards[e];
      if (r !== 0 && r !== 1) {
        throw new RangeError(`Beta TS: rewards[${e}] must be 0 or 1 (Bernoulli), got ${r}`);
      }
      if (r === 1) this.successes[e * A + actions[e]]++;
      else this.failures[e * A + actions[e]]++;
    }
  }
}
