/**
 * A per-step mixture of algorithms, `Σ_k w_k · Alg_k`: at every step each environment draws which
 * component acts (probability w_k), and every component observes every outcome, so each keeps
 * learning from the shared history. This is the offline "context" algorithm of the pretraining
 * issue (MATH §9: `Alg_0 = (uniform + TS)/2`, and `α·TS + (1−α)·uniform` for the
 * distribution-ratio experiment). The action distribution is defined when every component's is
 * (then it is the weighted mixture of theirs).
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import { assertProbVector } from "../core/validate.ts";
import { type BanditPolicy, checkFeedback } from "./policy.ts";

/** The per-step mixture policy. */
export class MixturePolicy implements BanditPolicy {
  readonly name: string;
  readonly hasProbs: boolean;
  readonly numEnvs: number;
  readonly numArms: number;
  /** The components and their weights. */
  readonly components: readonly BanditPolicy[];
  readonly weights: readonly number[];
  private readonly rngs: Rng[];
  private readonly acts: Int32Array[];
  private readonly probsBuf: Float64Array[];

  /**
   * @param rngs one stream per environment (the component choice only)
   *
   * @example
   * ```ts
   * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
   * import { policyStreams } from "./policy.ts";
   * import { UniformRandom } from "./simple.ts";
   * import { BetaTS } from "./thompson.ts";
   * import { MixturePolicy } from "./mixture.ts";
   * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 4);
   * const mix = new MixturePolicy(
   *   [new BetaTS(envs, policyStreams(1, "TS", 4)), new UniformRandom(envs, policyStreams(1, "U", 4))],
   *   [0.5, 0.5],
   *   policyStreams(1, "mix", 4),
   * );
   * ```
   */
  constructor(components: readonly BanditPolicy[], weights: readonly number[], rngs: Rng[]) {
    if (!Array.isArray(components) || components.length === 0) {
      throw new RangeError("MixturePolicy: components must be a non-empty array");
    }
    if (weights.length !== components.length) {
      throw new RangeError(
        `MixturePolicy: ${components.length} components but ${weights.length} weights`,
      );
    }
    assertProbVector("mixture weights", weights);
    const E = components[0].numEnvs, A = components[0].numArms;
    for (const c of components) {
      if (c.numEnvs !== E || c.numArms !== A) {
        throw new RangeError(
          `MixturePolicy: component ${c.name} has E=${c.numEnvs}, A=${c.numArms}; expected E=${E}, A=${A}`,
        );
      }
    }
    if (rngs.length !== E) {
      throw new RangeError(`MixturePolicy: need ${E} rngs, got ${rngs.length}`);
    }
    this.components = components;
    this.weights = [...weights];
    this.numEnvs = E;
    this.numArms = A;
    this.rngs = rngs;
    this.hasProbs = components.every((c) => c.hasProbs);
    this.name = components.map((c, k) => `${weights[k]}·${c.name}`).join(" + ");
    this.acts = components.map(() => new Int32Array(E));
    this.probsBuf = components.map(() => new Float64Array(E * A));
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    const want = probs !== undefined && this.hasProbs;
    // Components with zero weight never act, so they are not asked (their draws are not consumed).
    this.components.forEach((c, k) => {
      if (this.weights[k] > 0) c.act(this.acts[k], want ? this.probsBuf[k] : undefined);
    });
    const A = this.numArms;
    for (let e = 0; e < this.numEnvs; e++) {
      const k = this.rngs[e].categorical(this.weights, 0, this.weights.length, true);
      actions[e] = this.acts[k][e];
      if (want) {
        for (let a = 0; a < A; a++) {
          let p = 0;
          for (let j = 0; j < this.components.length; j++) {
            if (this.weights[j] > 0) p += this.weights[j] * this.probsBuf[j][e * A + a];
          }
          probs![e * A + a] = p;
        }
      }
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    for (const c of this.components) c.update(actions, rewards);
  }
}
