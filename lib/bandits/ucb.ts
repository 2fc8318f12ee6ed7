/**
 * Upper-confidence-bound algorithms for multi-armed bandits, batched over environments (MATH §9).
 * Two indices, both labelled wherever they appear:
 *
 * - **UCB (paper's code)**: `s/(1+n) + c/√(1+n)` with c = 1 (s = reward sum, n = pulls of the arm).
 *   This is the index behind the UCB curve of [LBM24] Fig. 1. An unpulled arm has index c, below
 *   that of any arm whose first pull paid 1, so it is not "each arm once first".
 * - **UCB1** (Auer et al. 2002): each arm once, then `s/n + √(2 ln t / n)` with t the pulls so far.
 *
 * Both are deterministic given the history: the action distribution is uniform over the exact
 * ties of the index.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import { ArmCounts } from "./counts.ts";
import type { BanditEnvs } from "./env.ts";
import { argmaxRandomTie, policyOptions, StreamPolicy } from "./policy.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** UCB settings. */
export interface UCBOptions {
  /** Bonus coefficient c (paper's code 1 for `s/(1+n) + c/√(1+n)`; UCB1's is fixed at √2). */
  c?: number;
}

/**
 * Base of the index algorithms (UCB, UCB1, empirical mean): per-arm counts, per-environment
 * streams, and `act` = the argmax of `index(e)` with uniform random tie-breaking (and the
 * tie-breaking distribution as the action probabilities).
 */
abstract class IndexPolicy extends StreamPolicy {
  readonly hasProbs = true;
  /** The arm statistics. */
  readonly counts: ArmCounts;
  protected readonly idx: Float64Array;

  constructor(envs: BanditEnvs, rngs: Rng[], label: string) {
    super(label, envs, rngs);
    this.counts = new ArmCounts(envs.numEnvs, envs.numArms);
    this.idx = new Float64Array(envs.numArms);
  }

  /** Write the index of every arm of environment e into `out`. */
  abstract index(e: number, out: Float64Array): Float64Array;

  act(actions: Int32Array, probs?: Float64Array): void {
    const A = this.numArms;
    for (let e = 0; e < this.numEnvs; e++) {
      this.index(e, this.idx);
      actions[e] = argmaxRandomTie(this.idx, 0, A, this.rngs[e], probs, e * A);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    this.counts.record(actions, rewards, this);
  }
}

/** The paper-code UCB index `s/(1+n) + c/√(1+n)`. */
export class PaperUCB extends IndexPolicy {
  readonly name = "UCB (paper index)";
  /** c. */
  readonly c: number;

  /**
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { PaperUCB } from "./ucb.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 4);
   * const ucb = new PaperUCB(envs, policyStreams(1, "UCB", 4));
   * ucb.index(0, new Float64Array(5)); // all 1 before any pull
   * ```
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: UCBOptions = {}) {
    super(envs, rngs, "UCB (paper index)");
    this.c = policyOptions("UCB", opts, { c: [1, 0] }).c;
  }

  index(e: number, out: Float64Array): Float64Array {
    const A = this.numArms, { pulls, sums } = this.counts;
    for (let a = 0; a < A; a++) {
      const n = pulls[e * A + a];
      out[a] = sums[e * A + a] / (1 + n) + this.c / Math.sqrt(1 + n);
    }
    return out;
  }
}

/** Classical UCB1: each arm once, then `s/n + √(2 ln t / n)`. */
export class UCB1 extends IndexPolicy {
  readonly name = "UCB1";

  /**
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { UCB1 } from "./ucb.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 4);
   * const ucb = new UCB1(envs, policyStreams(1, "UCB1", 4));
   * ucb.index(0, new Float64Array(5)); // all +∞ before any pull
   * ```
   */
  constructor(envs: BanditEnvs, rngs: Rng[], opts: Record<string, never> = {}) {
    super(envs, rngs, "UCB1");
    assertKnownKeys("UCB1 options", opts, []);
  }

  index(e: number, out: Float64Array): Float64Array {
    const A = this.numArms, { pulls, sums, total } = this.counts;
    const logT = Math.log(Math.max(1, total[e]));
    for (let a = 0; a < A; a++) {
      const n = pulls[e * A + a];
      out[a] = n === 0 ? Infinity : sums[e * A + a] / n + Math.sqrt((2 * logT) / n);
    }
    return out;
  }
}

export { IndexPolicy };
