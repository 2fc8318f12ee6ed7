/**
 * The policy interface every bandit algorithm implements, batched over environments: `act` picks
 * one arm per environment (and, when the algorithm's action distribution is defined in closed
 * form, writes it), `update` feeds back the observed rewards. Plus the two helpers all algorithms
 * share: uniform random tie-breaking and per-environment random streams.
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import { assertInt, assertKnownKeys, assertNumber } from "../core/validate.ts";

/** A stateful bandit algorithm running on E environments side by side. */
export interface BanditPolicy {
  /** Short name (e.g. "LinUCB"). */
  readonly name: string;
  /** Environments E. */
  readonly numEnvs: number;
  /** Arms A. */
  readonly numArms: number;
  /**
   * Whether `act` writes the algorithm's action distribution given the history (false for
   * Thompson sampling, whose distribution has no closed form).
   */
  readonly hasProbs: boolean;
  /**
   * Choose an arm for every environment (`actions[e]`). When `probs` (E × A) is given and
   * `hasProbs` is true, also write `P(a_t = a | history)`.
   */
  act(actions: Int32Array, probs?: Float64Array): void;
  /** Observe `rewards[e]` for the arm `actions[e]` just played in every environment. */
  update(actions: Int32Array, rewards: Float64Array): void;
}

/**
 * Index of the largest of `values[offset … offset+n−1]`, ties (exact equality) broken uniformly
 * at random with `rng` (no draw is consumed when the maximum is unique). When `probs` is given,
 * writes the tie-breaking distribution (1/k on the k tied entries, 0 elsewhere) at
 * `probs[probsOffset …]`.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { argmaxRandomTie } from "./policy.ts";
 * argmaxRandomTie([1, 3, 3, 0], 0, 4, new Rng(1)); // 1 or 2, each with probability 1/2
 * ```
 */
export function argmaxRandomTie(
  values: ArrayLike<number>,
  offset: number,
  n: number,
  rng: Rng,
  probs?: Float64Array,
  probsOffset = 0,
): number {
  let top = -Infinity, ties = 0, pick = -1;
  for (let i = 0; i < n; i++) {
    const v = values[offset + i];
    if (v > top) {
      top = v;
      ties = 1;
      pick = i;
    } else if (v === top) ties++;
  }
  if (pick < 0) {
    throw new RangeError(`argmaxRandomTie: no comparable value among ${n} (NaN or empty input)`);
  }
  if (ties > 1) {
    let k = rng.int(ties);
    for (let i = 0; i < n; i++) {
      if (values[offset + i] === top && k-- === 0) {
        pick = i;
        break;
      }
    }
  }
  if (probs !== undefined) {
    for (let i = 0; i < n; i++) probs[probsOffset + i] = values[offset + i] === top ? 1 / ties : 0;
  }
  return pick;
}

/**
 * One random stream per environment for an algorithm: `Rng(seed).fork(label).fork(first + e)`,
 * so environment e's stream does not depend on how environments are batched.
 *
 * @example
 * ```ts
 * import { policyStreams } from "./policy.ts";
 * const rngs = policyStreams(3, "LinUCB", 100, 0);
 * rngs.length; // 100
 * ```
 */
export function policyStreams(seed: number, label: string, count: number, first = 0): Rng[] {
  assertInt("count", count, 1, 10_000_000);
  assertInt("first", first, 0);
  const root = new Rng(seed).fork(`policy:${label}`);
  return Array.from({ length: count }, (_, e) => root.fork(first + e));
}

/**
 * Check that `actions` / `rewards` match a policy's E and hold valid arms and finite rewards;
 * the error names the policy, the index and the value.
 *
 * @example
 * ```ts
 * import { checkFeedback } from "./policy.ts";
 * const p = { name: "LinUCB", numEnvs: 2, numArms: 10 };
 * checkFeedback(p, new Int32Array([3, 9]), new Float64Array([0.5, -1])); // ok
 * ```
 */
export function checkFeedback(
  policy: { name: string; numEnvs: number; numArms: number },
  actions: Int32Array,
  rewards?: Float64Array,
): void {
  if (!(actions instanceof Int32Array) || actions.length !== policy.numEnvs) {
    throw new RangeError(
      `${policy.name}: actions must be an Int32Array of length ${policy.numEnvs}, got ${actions?.length}`,
    );
  }
  for (let e = 0; e < policy.numEnvs; e++) {
    const a = actions[e];
    if (!(a >= 0 && a < policy.numArms)) {
      throw new RangeError(
        `${policy.name}: actions[${e}] must be an arm in [0, ${policy.numArms}), got ${a}`,
      );
    }
  }
  if (rewards === undefined) return;
  if (!(rewards instanceof Float64Array) || rewards.length !== policy.numEnvs) {
    throw new RangeError(
      `${policy.name}: rewards must be a Float64Array of length ${policy.numEnvs}, got ${rewards?.length}`,
    );
  }
  for (let e = 0; e < policy.numEnvs; e++) {
    if (!Number.isFinite(rewards[e])) {
      throw new RangeError(`${policy.name}: rewards[${e}] must be finite, got ${rewards[e]}`);
    }
  }
}

/**
 * Base of the algorithms that draw from one random stream per environment: checks there is one
 * stream per environment (the error names `label`) and holds E, A and the streams.
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { policyStreams, StreamPolicy } from "./policy.ts";
 * class RandomArm extends StreamPolicy {
 *   readonly name = "Random arm";
 *   readonly hasProbs = false;
 *   act(actions: Int32Array) {
 *     for (let e = 0; e < this.numEnvs; e++) actions[e] = this.rngs[e].int(this.numArms);
 *   }
 *   update() {}
 * }
 * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 3);
 * new RandomArm("random arm", envs, policyStreams(1, "random", 3)).numEnvs; // 3
 * ```
 */
export abstract class StreamPolicy implements BanditPolicy {
  abstract readonly name: string;
  abstract readonly hasProbs: boolean;
  readonly numEnvs: number;
  readonly numArms: number;
  /** One stream per environment. */
  protected readonly rngs: Rng[];

  constructor(
    label: string,
    envs: { readonly numEnvs: number; readonly numArms: number },
    rngs: Rng[],
  ) {
    if (rngs.length !== envs.numEnvs) {
      throw new RangeError(
        `${label}: need ${envs.numEnvs} rngs (one per environment), got ${rngs.length}`,
      );
    }
    this.numEnvs = envs.numEnvs;
    this.numArms = envs.numArms;
    this.rngs = rngs;
  }

  abstract act(actions: Int32Array, probs?: Float64Array): void;
  abstract update(actions: Int32Array, rewards: Float64Array): void;
}

/**
 * An algorithm's numeric options with their defaults filled in: `spec` maps each option to
 * `[default, smallest allowed]` (at most 1e12). Throws naming `label` and the option for an
 * unknown key or a value out of range.
 *
 * @example
 * ```ts
 * import { policyOptions } from "./policy.ts";
 * policyOptions("LinUCB", { alpha: 1 }, { lambda: [1, Number.MIN_VALUE], alpha: [2, 0] });
 * // { lambda: 1, alpha: 1 }
 * ```
 */
export function policyOptions<K extends string>(
  label: string,
  opts: Partial<Record<K, number>>,
  spec: Record<K, readonly [number, number]>,
): Record<K, number> {
  const keys = Object.keys(spec) as K[];
  assertKnownKeys(`${label} options`, opts, keys);
  const out = {} as Record<K, number>;
  for (const k of keys) {
    out[k] = opts[k] ?? spec[k][0];
    assertNumber(`${label} ${k}`, out[k], spec[k][1], 1e12);
  }
  return out;
}
