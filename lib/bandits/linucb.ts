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
import { assertNumber } from "../core/validate.ts";
import type { BanditEnvs } from "./env.ts";
import { argmaxRandomTie, type BanditPolicy, checkFeedback } from "./policy.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** LinUCB settings. */
export interface LinUCBOptions {
  /** Ridge λ: `cov = λI + Σ aaᵀ` (paper 1). */
  lambda?: number;
  /** Bonus coefficient α in `θ̂ᵀa + α√(aᵀcov⁻¹a)` (paper 2). */
  alpha?: number;
}

/** LinUCB on a batch of environments, with read access to its estimates. */
export class LinUCB implements BanditPolicy {
  readonly name = "LinUCB";
  readonly hasProbs = true;
  readonly numEnvs: number;
  readonly numArms: number;
  /** Arm dimension d. */
  readonly dim: number;
  /** λ. */
  readonly lambda: number;
  /** α. */
  readonly alpha: number;
  private readonly arms: Float64Array;
  private readonly rngs: Rng[];
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
    assertKnownKeys("LinUCB options", opts, ["lambda", "alpha"]);
    this.lambda = opts.lambda ?? 1;
    this.alpha = opts.alpha ?? 2;
    assertNumber("LinUCB lambda", this.lambda, Number.MIN_VALUE, 1e12);
    assertNumber("LinUCB alpha", this.alpha, 0, 1e12);
    if (rngs.length !== envs.numEnvs) {
      throw new RangeError(
        `LinUCB: need ${envs.numEnvs} rngs (one per environment), got ${rngs.length}`,
      );
    }
    this.numEnvs = envs.numEnvs;
    this.numArms = envs.numArms;
    this.dim = envs.dim;
    this.arms = envs.arms;
    this.rngs = rngs;
    const d = this.dim;
    this.covInv = new Float64Array(this.numEnvs * d * d);
    for (let e = 0; e < this.numEnvs; e++) {
      for (let j = 0; j < d; j++) this.covInv[e * d * d + j * d + j] = 1 / this.lambda;
    }
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
    const d = this.dim, off = e * d * d;
    const th = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.covInv[off + i * d + j] * this.b[e * d + j];
      th[i] = s;
    }
    return th;
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
    const d = this.dim, off = e * d * d, ao = (e * this.numArms + a) * d;
    let q = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.covInv[off + i * d + j] * this.arms[ao + j];
      q += this.arms[ao + i] * s;
    }
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
      const th = this.estimate(e);
      for (let a = 0; a < A; a++) {
        const ao = (e * A + a) * d;
        let m = 0;
        for (let j = 0; j < d; j++) m += th[j] * this.arms[ao + j];
        idx[a] = m + this.bonus(e, a);
      }
      actions[e] = argmaxRandomTie(idx, 0, A, this.rngs[e], probs, e * A);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    const A = this.numArms, d = this.dim;
    const v = this.scratch;
    for (let e = 0; e < this.numEnvs; e++) {
      const ao = (e * A + actions[e]) * d, off = e * d * d;
      // v = cov⁻¹ a; q = aᵀ cov⁻¹ a
      let q = 0;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += this.covInv[off + i * d + j] * this.arms[ao + j];
        v[i] = s;
        q += this.arms[ao + i] * s;
      }
      const c = 1 / (1 + q);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) this.covInv[off + i * d + j] -= c * v[i] * v[j];
      }
      for (let j = 0; j < d; j++) this.b[e * d + j] += rewards[e] * this.arms[ao + j];
      this.pulls[e]++;
    }
  }
}
