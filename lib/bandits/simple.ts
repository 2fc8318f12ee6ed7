/**
 * The simple reference algorithms, batched over environments (MATH §9): the **empirical mean**
 * (each arm once, in uniformly random order, then greedy on the empirical means), **uniform
 * random**, and the **optimal arm** (the oracle that knows the means; zero regret by definition).
 * All three have a closed-form action distribution.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import type { BanditEnvs } from "./env.ts";
import { type BanditPolicy, checkFeedback, StreamPolicy } from "./policy.ts";
import { IndexPolicy } from "./ucb.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** Empirical mean: untried arms first (index +∞), then `argmax s/n`; ties uniformly at random. */
export class EmpiricalMean extends IndexPolicy {
  readonly name = "Empirical mean";

  /**
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { EmpiricalMean } from "./simple.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 4);
   * new EmpiricalMean(envs, policyStreams(1, "Emp", 4)).index(0, new Float64Array(5)); // all +∞
   * ```
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: Record<string, never> = {}) {
    super(envs, rngs, "Empirical mean");
    assertKnownKeys("empirical mean options", opts, []);
  }

  index(e: number, out: Float64Array): Float64Array {
    const A = this.numArms, { pulls, sums } = this.counts;
    for (let a = 0; a < A; a++) {
      const n = pulls[e * A + a];
      out[a] = n === 0 ? Infinity : sums[e * A + a] / n;
    }
    return out;
  }
}

/** Uniformly random arms, ignoring all feedback. */
export class UniformRandom extends StreamPolicy {
  readonly name = "Uniform";
  readonly hasProbs = true;

  /**
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { UniformRandom } from "./simple.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 4);
   * const u = new UniformRandom(envs, policyStreams(1, "Uniform", 4));
   * const a = new Int32Array(4);
   * u.act(a);
   * ```
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: Record<string, never> = {}) {
    assertKnownKeys("uniform options", opts, []);
    super("Uniform", envs, rngs);
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    for (let e = 0; e < this.numEnvs; e++) actions[e] = this.rngs[e].int(this.numArms);
    if (probs) probs.fill(1 / this.numArms, 0, this.numEnvs * this.numArms);
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
  }
}

/** The oracle: always the optimal arm `envs.best[e]`. */
export class BestArm implements BanditPolicy {
  readonly name = "Optimal arm";
  readonly hasProbs = true;
  readonly numEnvs: number;
  readonly numArms: number;
  private readonly best: Int32Array;

  /**
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { BestArm } from "./simple.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 4);
   * const a = new Int32Array(4);
   * new BestArm(envs).act(a); // a equals envs.best
   * ```
   */
  constructor(envs: BanditEnvs, _rngs?: Rng[], opts: Record<string, never> = {}) {
    assertKnownKeys("optimal-arm options", opts, []);
    this.numEnvs = envs.numEnvs;
    this.numArms = envs.numArms;
    this.best = envs.best;
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    actions.set(this.best);
    if (probs) {
      probs.fill(0, 0, this.numEnvs * this.numArms);
      for (let e = 0; e < this.numEnvs; e++) probs[e * this.numArms + this.best[e]] = 1;
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
  }
}
