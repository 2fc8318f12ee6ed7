/**
 * The layout of the random streams of a run (MATH §6, §8.3), in one place for training and
 * evaluation. Every stream is a {@linkcode Rng.fork} path from the run's seed; forking consumes
 * nothing, so a stream never depends on what was drawn before.
 *
 *     training run, seed s:   init  new Rng(s).fork("init")          (the block's initialisation)
 *                             MDP k new Rng(s).fork("mdp").fork(k)   (MDP, features, θ₀, s₀, rollouts)
 *     evaluation, seed e:     test MDP j   new Rng(e).fork(label).fork(j)   (label "transfer-test")
 *                             rollouts     testMdp.fork("rollout").fork(learner name)
 *                                          or testMdp.fork("rollout-shared") (common random numbers)
 *
 * @module
 */

import { Rng } from "./rng.ts";
import { assertInt } from "./validate.ts";

/** Default label of the test-MDP stream family. */
export const TRANSFER_STREAM_LABEL = "transfer-test";

/** Rollout streams of an evaluation: one per learner (by name), or one shared by all learners. */
export type RolloutStreams = "per-learner" | "shared";

/**
 * The stream of the block's initialisation in the training run with seed `seed`:
 * `new Rng(seed).fork("init")`.
 *
 * @example
 * ```ts
 * import { trainingInitStream } from "./streams.ts";
 * const first = trainingInitStream(0).normal(); // the first draw of run 0's initialisation
 * ```
 */
export function trainingInitStream(seed: number): Rng {
  return new Rng(seed).fork("init");
}

/**
 * The stream of training MDP `k` of the run with seed `seed` (MATH §6):
 * `new Rng(seed).fork("mdp").fork(k)`. The MDP, its features, the initial θ, `s_0` and every
 * rollout on it are drawn from it.
 *
 * @example
 * ```ts
 * import { trainingMdpStream } from "./streams.ts";
 * const r = trainingMdpStream(0, 3); // training MDP 3 of seed 0
 * ```
 */
export function trainingMdpStream(seed: number, k: number): Rng {
  assertInt("k", k, 0);
  return new Rng(seed).fork("mdp").fork(k);
}

/**
 * The stream of test MDP `j` (MATH §8.3): `new Rng(seed).fork(label).fork(j)`. The MDP, its
 * features, the initial θ and `s_0` are drawn from it.
 *
 * @example
 * ```ts
 * import { testMdpStream } from "./streams.ts";
 * const r = testMdpStream(0, 3);
 * ```
 */
export function testMdpStream(seed: number, j: number, label = TRANSFER_STREAM_LABEL): Rng {
  assertInt("j", j, 0);
  return new Rng(seed).fork(label).fork(j);
}

/**
 * The rollout stream of one learner on one test MDP: `mdpStream.fork("rollout").fork(name)`
 * ("per-learner"), or `mdpStream.fork("rollout-shared")` for every learner ("shared", common
 * random numbers). Forking consumes nothing, so this does not depend on what was drawn before.
 *
 * @example
 * ```ts
 * import { rolloutStream, testMdpStream } from "./streams.ts";
 * const r = rolloutStream(testMdpStream(0, 0), "teacher");
 * ```
 */
export function rolloutStream(
  mdpStream: Rng,
  learnerName: string,
  mode: RolloutStreams = "per-learner",
): Rng {
  return mode === "shared"
    ? mdpStream.fork("rollout-shared")
    : mdpStream.fork("rollout").fork(learnerName);
}

/**
 * Identity of the stream a generator starts: the 128-bit xoshiro128** state of a fresh generator
 * with the same key, as text. The state fixes every draw, so equal fingerprints ⇔ equal streams
 * (a 32-bit first output would not do: among 10⁵ training streams and 10³ test streams, equal
 * first outputs of different streams turn up by chance).
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * import { streamFingerprint } from "./streams.ts";
 * streamFingerprint(new Rng(1).fork("a")) === streamFingerprint(new Rng(1).fork("a")); // true
 * ```
 */
export function streamFingerprint(rng: Rng): string {
  return new Rng(rng.key).stateWords().map((w) => w.toString(16).padStart(8, "0")).join("");
}
