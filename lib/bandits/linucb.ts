/**
 * LinUCB (MATH §9) batched over environments: ridge estimate `θ̂ = cov⁻¹ Σ r_s a_s` with
 * `cov = λI + Σ a_s a_sᵀ` (λ = 1), index `θ̂ᵀa + α·√(aᵀ cov⁻¹ a)` (α = 2), the first pull uniformly
 * at random (as in the paper's code), ties broken uniformly at random. `cov⁻¹` is kept up to date
 * by Sherman–Morrison rank-1 updates, `cov⁻¹ ← cov⁻¹ − (cov⁻¹a)(cov⁻¹a)ᵀ / (1 + aᵀcov⁻¹a)`, never a
 * solve per step. LinUCB is deterministic given the history, so its action distribution is
 * defined: one-hot on the argmax (uniform over exact ties; uniform at t = 0).
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import type { BanditEnvs } from "./env.ts";
import { argmaxRandomTie, checkFeedback, policyOptions, StreamPolicy } from "./policy.ts";
import { armScores, blockMatVec, diagonalBlocks, quadraticForm, shermanMorrison } from "./ridge.ts";

/** LinUCB settings. */
export interface LinUCBOptions {
  /** Ridge λ: `cov = λI + Σ aaᵀ` (paper 1). */
  lambda?: number;
  /** Bonus coefficient α in `θ̂ᵀa + α√(aᵀcov⁻¹a)` (paper 2). */
  alpha?: number;
}

/** LinUCB on a batch of environments, with read access to its estimates. */
export class LinUCB extends StreamPolicy {
  readonly name = "LinUCB";
  readonly hasProbs = true;
  /** Arm dimension d. */
  readonly dim: number;
  /** λ. */
  readonly lambda: number;
  /** α. */
  readonly alpha: number;
  private readonly arms: Float64Array;
  /** cov⁻¹ per environment, E × d × d. */
  private readonly covInv: Float64Array;
  /** Σ r a per environment, E × d. */
  private readonly b: Float64Array;
  private readonly pulls: Int32Array;
  private readonly scratch: Float64Array;

  /**
   * @param envs the environments (their action sets are read, nothing else)
   * @param rngs one stream per environment (tie-breaking and the random first pull)
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: LinUCBOptions = {}) {
    const { lambda, alpha } = policyOptions("LinUCB", opts, {
      lambda: [1, Number.MIN_VALUE],
      alpha: [2, 0],
    });
    super("LinUCB", envs, rngs);
    this.lambda = lambda;
    this.alpha = alpha;
    this.dim = envs.dim;
    this.arms = envs.arms;
    const d = this.dim;
    this.covInv = diagonalBlocks(this.numEnvs, d, 1 / this.lambda);
    this.b = new Float64Array(this.numEnvs * d);
    this.pulls = new Int32Array(this.numEnvs);
    this.scratch = new Float64Array(Math.max(this.numArms, d) * 2);
  }

  /**
   * The ridge estimate `θ̂ = cov⁻¹ b` of environment e.
   *
   * @example
   * ```ts
   * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { LinUCB } from "./linucb.ts";
   * const envs = sampleBandits(LINEAR_BANDIT, 1, 2);
   * const alg = new LinUCB(envs, policyStreams(1, "LinUCB", 2));
   * alg.estimate(0); // zeros before any data
   * ```
   */
  estimate(e: number): Float64Array {
    const d = this.dim;
    return blockMatVec(this.covInv, e * d * d, d, this.b, e * d, new Float64Array(d));
  }

  /**
   * The exploration bonus `α√(aᵀcov⁻¹a)` of arm `a` in environment e.
   *
   * @example
   * ```ts
   * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { LinUCB } from "./linucb.ts";
   * const envs = sampleBandits(LINEAR_BANDIT, 1, 2);
   * new LinUCB(envs, policyStreams(1, "LinUCB", 2)).bonus(0, 3); // 2‖a‖ before any data
   * ```
   */
  bonus(e: number, a: number): number {
    const d = this.dim;
    const q = quadraticForm(this.covInv, e * d * d, d, this.arms, (e * this.numArms + a) * d);
    return this.alpha * Math.sqrt(Math.max(0, q));
  }

  /** A copy of `cov⁻¹` of environment e (d × d, row-major). */
  covInverse(e: number): Float64Array {
    const d = this.dim;
    return this.covInv.slice(e * d * d, (e + 1) * d * d);
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    const A = this.numArms, d = this.dim;
    const idx = this.scratch;
    for (let e = 0; e < this.numEnvs; e++) {
      if (this.pulls[e] === 0) {
        actions[e] = this.rngs[e].int(A);
        if (probs) probs.fill(1 / A, e * A, (e + 1) * A);
        continue;
      }
      armScores(this.estimate(e), this.arms, e * A * d, A, d, idx);
      for (let a = 0; a < A; a++) idx[a] += this.bonus(e, a);
      actions[e] = argmaxRandomTie(idx, 0, A, this.rngs[e], probs, e * A);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    const A = this.numArms, d = this.dim;
    const v = this.scratch;
    for (let e = 0; e < this.numEnvs; e++) {
      const ao = (e * A + actions[e]) * d;
      shermanMorrison(this.covInv, e * d * d, d, this.arms, ao, 1, v); // cov⁻¹ of cov + a aᵀ
      for (let j = 0; j < d; j++) this.b[e * d + j] += rewards[e] * this.arms[ao + j];
      this.pulls[e]++;
    }
  }
}
