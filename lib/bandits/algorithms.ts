/**
 * Algorithms by name: a serialisable `AlgorithmSpec` (what a config, a manifest or a worker
 * message carries) and `makePolicy`, which builds the batched policy with its per-environment
 * streams `Rng(seed).fork("policy:<key>").fork(global env index)`.
 *
 * @module
 */

import type { BanditEnvs } from "./env.ts";
import { LinUCB, type LinUCBOptions } from "./linucb.ts";
import { MixturePolicy } from "./mixture.ts";
import { type BanditPolicy, policyStreams } from "./policy.ts";
import { BestArm, EmpiricalMean, UniformRandom } from "./simple.ts";
import { BetaTS, type BetaTSOptions, GaussianTS, type GaussianTSOptions } from "./thompson.ts";
import { PaperUCB, UCB1, type UCBOptions } from "./ucb.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** A bandit algorithm and its options, by name. */
export type AlgorithmSpec =
  | ({ name: "linucb" } & LinUCBOptions)
  | ({ name: "ts-gaussian" } & GaussianTSOptions)
  | ({ name: "ts-beta" } & BetaTSOptions)
  | ({ name: "ucb-paper" } & UCBOptions)
  | { name: "ucb1" }
  | { name: "empirical-mean" }
  | { name: "uniform" }
  | { name: "optimal" }
  | { name: "mixture"; components: readonly AlgorithmSpec[]; weights: readonly number[] };

/** Every algorithm name with its display label. */
export const ALGORITHM_LABELS: Readonly<Record<AlgorithmSpec["name"], string>> = Object.freeze({
  "linucb": "LinUCB",
  "ts-gaussian": "TS (Gaussian)",
  "ts-beta": "TS (Beta–Bernoulli)",
  "ucb-paper": "UCB (paper index)",
  "ucb1": "UCB1",
  "empirical-mean": "Emp (empirical mean)",
  "uniform": "Uniform",
  "optimal": "Optimal arm",
  "mixture": "Mixture",
});

/**
 * Display label of an algorithm spec (mixtures list their weighted components).
 *
 * @example
 * ```ts
 * import { algorithmLabel } from "./algorithms.ts";
 * algorithmLabel({ name: "linucb" }); // "LinUCB"
 * algorithmLabel({ name: "mixture", components: [{ name: "ts-beta" }, { name: "uniform" }],
 *   weights: [0.5, 0.5] }); // "0.5·TS (Beta–Bernoulli) + 0.5·Uniform"
 * ```
 */
export function algorithmLabel(spec: AlgorithmSpec): string {
  if (spec?.name === "mixture") {
    return spec.components.map((c, k) => `${spec.weights[k]}·${algorithmLabel(c)}`).join(" + ");
  }
  const label = ALGORITHM_LABELS[spec?.name as AlgorithmSpec["name"]];
  if (label === undefined) {
    throw new RangeError(
      `unknown algorithm ${JSON.stringify(spec?.name)} (known: ${
        Object.keys(ALGORITHM_LABELS).join(", ")
      })`,
    );
  }
  return label;
}

/**
 * Build the batched policy of `spec` on `envs`, its streams derived from `seed` (environment e of
 * the batch uses global index `envs.first + e`, so results do not depend on batching). Unknown
 * names and option keys throw naming them.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * const envs = sampleBandits(LINEAR_BANDIT, 1, 10);
 * const alg = makePolicy({ name: "linucb", alpha: 2 }, envs, 5);
 * alg.name; // "LinUCB"
 * ```
 */
export function makePolicy(
  spec: AlgorithmSpec,
  envs: BanditEnvs,
  seed: number,
  key: string = spec?.name,
): BanditPolicy {
  assertKnownKeys("algorithm spec", spec, [
    "name",
    "lambda",
    "alpha",
    "priorVar",
    "noiseVar",
    "a0",
    "b0",
    "c",
    "components",
    "weights",
  ]);
  const rngs = () => policyStreams(seed, key, envs.numEnvs, envs.first);
  const { name, ...opts } = spec as { name: string } & Record<string, unknown>;
  switch (spec.name) {
    case "linucb":
      return new LinUCB(envs, rngs(), opts as LinUCBOptions);
    case "ts-gaussian":
      return new GaussianTS(envs, rngs(), opts as GaussianTSOptions);
    case "ts-beta":
      return new BetaTS(envs, rngs(), opts as BetaTSOptions);
    case "ucb-paper":
      return new PaperUCB(envs, rngs(), opts as UCBOptions);
    case "ucb1":
      return new UCB1(envs, rngs(), opts as Record<string, never>);
    case "empirical-mean":
      return new EmpiricalMean(envs, rngs(), opts as Record<string, never>);
    case "uniform":
      return new UniformRandom(envs, rngs(), opts as Record<string, never>);
    case "optimal":
      return new BestArm(envs, undefined, opts as Record<string, never>);
    case "mixture": {
      assertKnownKeys("mixture spec", spec, ["name", "components", "weights"]);
      if (!Array.isArray(spec.components) || !Array.isArray(spec.weights)) {
        throw new TypeError("mixture spec needs arrays `components` and `weights`");
      }
      const comps = spec.components.map((c, k) =>
        makePolicy(c, envs, seed, `${key}/${k}:${c?.name}`)
      );
      return new MixturePolicy(comps, spec.weights, rngs());
    }
    default:
      algorithmLabel({ name } as AlgorithmSpec); // throws naming the unknown algorithm
      throw new RangeError(`unknown algorithm ${JSON.stringify(name)}`);
  }
}
