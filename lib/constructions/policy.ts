/**
 * A constructed bandit transformer run in closed loop as a batched {@linkcode BanditPolicy}
 * (MATH §10.2): one {@linkcode BatchRunner} with a lane per environment. At step t
 * the action-set token `h_{2t−1}` is pushed and the policy is `softmax(part c of h^(L)_{2t−1})`
 * (the paper's extraction map); after the reward the token `h_{2t}` is pushed without output
 * (nobody reads its own output). A closed loop of T steps is one pass over 2T tokens.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import type { BanditEnvs } from "../bandits/env.ts";
import { type BanditPolicy, checkFeedback } from "../bandits/policy.ts";
import { ConstructionParameterError } from "./errors.ts";
import { actionSetToken, type BanditLayout, rewardToken, type Slot } from "./layout.ts";
import { type BanditHistory, sampleIndex, softmax } from "./reference.ts";
import { BatchRunner, type CompiledTransformer, compileTransformer } from "./runner.ts";
import type { ConstructedTransformer } from "./transformer.ts";

/** What the policy needs from a bandit construction. */
export interface BanditTransformer {
  /** The transformer. */
  readonly tf: ConstructedTransformer;
  /** Its token layout. */
  readonly layout: BanditLayout;
}

/** Options of {@linkcode TransformerBanditPolicy}. */
export interface TransformerPolicyOptions {
  /** Display name (default "constructed TF"). */
  name?: string;
  /** Extra input coordinates of the action-set token of environment e at step t (e.g. TS noise). */
  extras?: (e: number, t: number) => readonly [Slot, ArrayLike<number>][];
  /** Called with the logits of environment e at step t (1-based). */
  onLogits?: (e: number, t: number, logits: Float64Array) => void;
  /** A compiled plan to reuse (default: compile `tf`). */
  plan?: CompiledTransformer;
}

/**
 * The constructed transformer as a policy (module doc). Sampling: inverse CDF of the softmax
 * with one uniform per step from the environment's stream.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
 * import { policyStreams } from "../bandits/policy.ts";
 * import { simulate } from "../bandits/simulate.ts";
 * import { buildSoftLinUCB, LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { TransformerBanditPolicy } from "./policy.ts";
 * const con = buildSoftLinUCB({ ...LINUCB_CONSTRUCTION, horizon: 5, ridgeSteps: 30, inverseSteps: 30 });
 * const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 5 }, 1, 2);
 * simulate(envs, new TransformerBanditPolicy(con, envs, policyStreams(1, "tf", 2))).actions.length; // 10
 * ```
 */
export class TransformerBanditPolicy implements BanditPolicy {
  readonly name: string;
  readonly hasProbs = true;
  readonly numEnvs: number;
  readonly numArms: number;
  /** The runner (one lane per environment), e.g. for its cost counters. */
  readonly runner: BatchRunner;
  private steps = 0;
  private readonly tokens: Float64Array;

  /** @param con the construction; @param envs environments; @param rngs one stream each. */
  constructor(
    readonly con: BanditTransformer,
    private readonly envs: BanditEnvs,
    private readonly rngs: Rng[],
    private readonly opts: TransformerPolicyOptions = {},
  ) {
    const L = con.layout;
    if (envs.dim !== L.d || envs.numArms !== L.A) {
      throw new ConstructionParameterError(
        `construction built for d = ${L.d}, A = ${L.A}; environments have d = ${envs.dim}, A = ${envs.numArms}`,
      );
    }
    if (rngs.length !== envs.numEnvs) {
      throw new ConstructionParameterError(`need ${envs.numEnvs} rngs, got ${rngs.length}`);
    }
    this.name = opts.name ?? "constructed TF";
    this.numEnvs = envs.numEnvs;
    this.numArms = envs.numArms;
    const plan = opts.plan ?? compileTransformer(con.tf);
    this.runner = new BatchRunner(plan, envs.numEnvs);
    this.tokens = new Float64Array(envs.numEnvs * con.tf.D);
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    const L = this.con.layout, { dim: d, numArms: A } = this.envs;
    const E = this.numEnvs, D = this.con.tf.D;
    const t = this.steps + 1;
    for (let e = 0; e < E; e++) {
      const arms = this.envs.arms.subarray(e * A * d, (e + 1) * A * d);
      this.tokens.set(actionSetToken(L, arms, t, this.opts.extras?.(e, t)), e * D);
    }
    const h = this.runner.push(this.tokens)!;
    const logits = new Float64Array(A);
    for (let e = 0; e < E; e++) {
      for (let k = 0; k < A; k++) logits[k] = h[(L.logits.offset + k) * E + e];
      this.opts.onLogits?.(e, t, logits);
      const p = softmax(logits);
      actions[e] = sampleIndex(p, this.rngs[e].uniform());
      if (probs) probs.set(p, e * A);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    const L = this.con.layout, { dim: d, numArms: A } = this.envs;
    const D = this.con.tf.D;
    this.steps++;
    for (let e = 0; e < this.numEnvs; e++) {
      const arm = this.envs.arms.subarray((e * A + actions[e]) * d, (e * A + actions[e] + 1) * d);
      this.tokens.set(rewardToken(L, arm, rewards[e], this.steps), e * D);
    }
    this.runner.push(this.tokens, { output: false });
  }
}

/**
 * Base of the exact reference policies the constructions are compared with (soft LinUCB, soft
 * TS): each environment's history is recorded as it is played, and `act` draws every environment's
 * arm from `probs(e)` by the inverse CDF with one uniform of that environment's stream (common
 * random numbers with {@linkcode TransformerBanditPolicy}). `hasProbs`: true.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
 * import { policyStreams } from "../bandits/policy.ts";
 * import { simulate } from "../bandits/simulate.ts";
 * import { HistoryPolicy } from "./policy.ts";
 * class Uniform extends HistoryPolicy {
 *   readonly name = "uniform";
 *   probs() {
 *     return new Float64Array(this.numArms).fill(1 / this.numArms);
 *   }
 * }
 * const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 4 }, 1, 2);
 * simulate(envs, new Uniform(envs, policyStreams(1, "u", 2))).actions.length; // 8
 * ```
 */
export abstract class HistoryPolicy implements BanditPolicy {
  abstract readonly name: string;
  readonly hasProbs = true;
  readonly numEnvs: number;
  readonly numArms: number;
  private readonly hist: { arms: number[]; rewards: number[] }[];

  /** @param envs environments; @param rngs one stream per environment. */
  constructor(protected readonly envs: BanditEnvs, protected readonly rngs: Rng[]) {
    this.numEnvs = envs.numEnvs;
    this.numArms = envs.numArms;
    this.hist = Array.from({ length: envs.numEnvs }, () => ({ arms: [], rewards: [] }));
  }

  /** The exact action distribution of environment e given its history so far. */
  abstract probs(e: number): Float64Array;

  /** Environment e's history so far (copies), its length and its action set (A × d). */
  protected history(e: number): { history: BanditHistory; steps: number; arms: Float64Array } {
    const { dim: d, numArms: A } = this.envs;
    const h = this.hist[e];
    return {
      history: { d, arms: Float64Array.from(h.arms), rewards: Float64Array.from(h.rewards) },
      steps: h.rewards.length,
      arms: this.envs.arms.subarray(e * A * d, (e + 1) * A * d),
    };
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    for (let e = 0; e < this.numEnvs; e++) {
      const p = this.probs(e);
      actions[e] = sampleIndex(p, this.rngs[e].uniform());
      if (probs) probs.set(p, e * this.numArms);
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    checkFeedback(this, actions, rewards);
    const { dim: d, numArms: A } = this.envs;
    for (let e = 0; e < this.numEnvs; e++) {
      const a = actions[e];
      for (let j = 0; j < d; j++) this.hist[e].arms.push(this.envs.arms[(e * A + a) * d + j]);
      this.hist[e].rewards.push(rewards[e]);
    }
  }
}
