/**
 * Per-arm pull counts and reward sums for E environments — the statistics of every
 * multi-armed index algorithm (UCB, UCB1, empirical mean), kept in typed arrays.
 *
 * @module
 */

import { assertInt } from "../core/validate.ts";
import { type BanditPolicy, checkFeedback } from "./policy.ts";

/** Pull counts `n[e,a]`, reward sums `s[e,a]` and total pulls per environment. */
export class ArmCounts {
  /** Environments E. */
  readonly numEnvs: number;
  /** Arms A. */
  readonly numArms: number;
  /** Pulls n, E × A. */
  readonly pulls: Float64Array;
  /** Reward sums s, E × A. */
  readonly sums: Float64Array;
  /** Total pulls per environment. */
  readonly total: Float64Array;

  /**
   * @example
   * ```ts
   * import { ArmCounts } from "./counts.ts";
   * const c = new ArmCounts(2, 3);
   * c.record(new Int32Array([0, 2]), new Float64Array([1, 0.5]));
   * c.mean(0, 0); // 1
   * ```
   */
  constructor(numEnvs: number, numArms: number) {
    assertInt("numEnvs", numEnvs, 1);
    assertInt("numArms", numArms, 1);
    this.numEnvs = numEnvs;
    this.numArms = numArms;
    this.pulls = new Float64Array(numEnvs * numArms);
    this.sums = new Float64Array(numEnvs * numArms);
    this.total = new Float64Array(numEnvs);
  }

  /** Add one observation per environment (validated against E and A). */
  record(actions: Int32Array, rewards: Float64Array, owner?: Pick<BanditPolicy, "name">): void {
    checkFeedback(
      { name: owner?.name ?? "ArmCounts", numEnvs: this.numEnvs, numArms: this.numArms },
      actions,
      rewards,
    );
    for (let e = 0; e < this.numEnvs; e++) {
      const k = e * this.numArms + actions[e];
      this.pulls[k]++;
      this.sums[k] += rewards[e];
      this.total[e]++;
    }
  }

  /** Empirical mean of arm a in environment e (0 when the arm was never pulled). */
  mean(e: number, a: number): number {
    const k = e * this.numArms + a;
    return this.pulls[k] > 0 ? this.sums[k] / this.pulls[k] : 0;
  }
}
