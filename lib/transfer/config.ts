/**
 * Configuration of a transfer evaluation (MATH §8.3): the test task, MDP count, updates, recorded
 * steps, seed and stream choices, with defaults and validation; and the check that its test
 * streams are disjoint from the training streams (the layout itself is `lib/core/streams.ts`).
 *
 * @module
 */

import { randomMdp } from "../mdp/mdp.ts";
import type { Rng } from "../core/rng.ts";
import {
  rolloutStream,
  type RolloutStreams,
  streamFingerprint,
  testMdpStream,
  trainingMdpStream,
  TRANSFER_STREAM_LABEL,
} from "../core/streams.ts";
import { DEFAULT_TASK, type TaskSpec, validateTask } from "../icrl/tasks.ts";
import { assertInt, assertKnownKeys, assertObject } from "../core/validate.ts";

/** The training run(s) whose MDP streams the test MDPs must avoid (MATH §6: `fork("mdp").fork(k)`). */
export interface TrainingStreams {
  /** Seeds of the training runs (`TrainConfig.seed`). */
  seeds: readonly number[];
  /** Training MDPs per run (`TrainConfig.K`). */
  K: number;
}

/** Everything that defines a transfer evaluation (MATH §8.3). */
export interface TransferConfig {
  /** Task of the test MDPs (kind, |S|, |A|, d, γ, α, β, ε, n). */
  task: TaskSpec;
  /** Number of test MDPs (≥ 100 for the paper's figure). */
  numMdps: number;
  /** Updates U per MDP (400). */
  updates: number;
  /** Update steps at which J is recorded, each in 0 … updates, strictly increasing. */
  recordAt: number[];
  /** Evaluation seed. */
  seed: number;
  /** Label of the test-MDP stream family (default "transfer-test"). */
  streamLabel: string;
  /** "per-learner" (each learner its own rollout stream, by name) or "shared" (common random numbers). */
  rolloutStreams: RolloutStreams;
  /** When given, {@linkcode assertDisjointStreams} is run against these training streams. */
  training?: TrainingStreams;
}

/** The keys a {@linkcode TransferConfig} may carry; {@linkcode transferConfig} rejects others. */
export const TRANSFER_CONFIG_KEYS: readonly string[] = [
  "task",
  "numMdps",
  "updates",
  "recordAt",
  "seed",
  "streamLabel",
  "rolloutStreams",
  "training",
];

/**
 * `[0, every, 2·every, …, updates]` (the last step is always included).
 *
 * @example
 * ```ts
 * import { recordGrid } from "./config.ts";
 * recordGrid(400, 100); // [0, 100, 200, 300, 400]
 * ```
 */
export function recordGrid(updates: number, every = 1): number[] {
  assertInt("updates", updates, 0);
  assertInt("every", every, 1);
  const out: number[] = [];
  for (let u = 0; u <= updates; u += every) out.push(u);
  if (out[out.length - 1] !== updates) out.push(updates);
  return out;
}

/**
 * Fill in defaults (MATH §8.3: 100 MDPs × 400 updates, J at every step) and validate; throws
 * naming the bad field.
 *
 * @example
 * ```ts
 * import { recordGrid, transferConfig } from "./config.ts";
 * const cfg = transferConfig({ numMdps: 100, updates: 400, recordAt: recordGrid(400, 5) });
 * ```
 */
export function transferConfig(
  over: Partial<Omit<TransferConfig, "task">> & { task?: Partial<TaskSpec> } = {},
): TransferConfig {
  assertKnownKeys("transfer config", over, TRANSFER_CONFIG_KEYS);
  if (over.task !== undefined) assertObject("transfer config task", over.task);
  const updates = over.updates ?? 400;
  const cfg: TransferConfig = {
    numMdps: 100,
    seed: 0,
    streamLabel: TRANSFER_STREAM_LABEL,
    rolloutStreams: "per-learner",
    ...over,
    updates,
    recordAt: over.recordAt ??
      (Number.isInteger(updates) && updates >= 0 ? recordGrid(updates) : []),
    task: { ...DEFAULT_TASK, ...(over.task ?? {}) },
  };
  return validateTransferConfig(cfg);
}

/**
 * Validate a full config; throws naming the bad field and value. Returns it.
 *
 * @example
 * ```ts
 * import { transferConfig, validateTransferConfig } from "./config.ts";
 * validateTransferConfig(transferConfig({ numMdps: 10 }));
 * // validateTransferConfig({ ...transferConfig(), recordAt: [0, 401] }) throws: recordAt[1] = 401
 * ```
 */
export function validateTransferConfig(cfg: TransferConfig): TransferConfig {
  assertKnownKeys("transfer config", cfg, TRANSFER_CONFIG_KEYS);
  validateTask(cfg.task);
  assertInt("numMdps", cfg.numMdps, 1);
  assertInt("updates", cfg.updates, 0);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  if (typeof cfg.streamLabel !== "string" || cfg.streamLabel.length === 0) {
    throw new RangeError(
      `streamLabel must be a non-empty string, got ${JSON.stringify(cfg.streamLabel)}`,
    );
  }
  if (cfg.rolloutStreams !== "per-learner" && cfg.rolloutStreams !== "shared") {
    throw new RangeError(
      `rolloutStreams must be "per-learner" or "shared", got ${JSON.stringify(cfg.rolloutStreams)}`,
    );
  }
  if (!Array.isArray(cfg.recordAt) || cfg.recordAt.length === 0) {
    throw new RangeError(`recordAt must be a non-empty array of steps in [0, ${cfg.updates}]`);
  }
  for (let i = 0; i < cfg.recordAt.length; i++) {
    assertInt(`recordAt[${i}]`, cfg.recordAt[i], 0, cfg.updates);
    if (i > 0 && cfg.recordAt[i] <= cfg.recordAt[i - 1]) {
      throw new RangeError(
        `recordAt must be strictly increasing, got recordAt[${i - 1}] = ${cfg.recordAt[i - 1]}, ` +
          `recordAt[${i}] = ${cfg.recordAt[i]}`,
      );
    }
  }
  if (cfg.training) validateTraining(cfg.training);
  return cfg;
}

function validateTraining(t: TrainingStreams): void {
  assertKnownKeys("training", t, ["seeds", "K"]);
  if (!Array.isArray(t.seeds) || t.seeds.length === 0) {
    throw new RangeError(`training.seeds must be a non-empty array of seeds`);
  }
  t.seeds.forEach((s, i) => assertInt(`training.seeds[${i}]`, s, 0, Number.MAX_SAFE_INTEGER));
  assertInt("training.K", t.K, 1);
}

/**
 * Assert that no test-MDP stream (nor any learner's rollout stream, for the names given) equals
 * a training-MDP stream (MATH §8.3 "unseen MDPs", DESIGN "keep evaluation RNG separate from
 * training RNG"): compares the stream fingerprints (full 128-bit generator states) of every
 * `(seed, k)`, `k < K`, against every test stream `j < numMdps`; also checks that the test streams
 * are pairwise distinct and, as a cheap sanity check, that test MDP 0's transition matrix differs
 * from training MDP 0's of every seed. Throws naming the colliding streams.
 *
 * @example
 * ```ts
 * import { assertDisjointStreams, transferConfig } from "./config.ts";
 * assertDisjointStreams({ seeds: [0, 1, 2], K: 1000 }, transferConfig({ seed: 0 }));
 * ```
 */
export function assertDisjointStreams(
  training: TrainingStreams,
  cfg: Pick<TransferConfig, "task" | "seed" | "numMdps" | "streamLabel" | "rolloutStreams">,
  learnerNames: readonly string[] = [],
): void {
  validateTraining(training);
  assertInt("numMdps", cfg.numMdps, 1);
  // Equal keys give equal states, so comparing the 128-bit states (fingerprints) covers both.
  const trainFps = new Map<string, string>();
  for (const seed of training.seeds) {
    for (let k = 0; k < training.K; k++) {
      trainFps.set(streamFingerprint(trainingMdpStream(seed, k)), `training seed ${seed} MDP ${k}`);
    }
  }
  const testFps = new Map<string, string>();
  const check = (r: Rng, what: string) => {
    const fp = streamFingerprint(r);
    const byFp = trainFps.get(fp);
    if (byFp !== undefined) {
      throw new Error(
        `${what} starts the same random stream as ${byFp} (state ${fp}): test and training ` +
          `streams overlap; choose another evaluation seed or stream label`,
      );
    }
    const dup = testFps.get(fp);
    if (dup !== undefined) throw new Error(`${what} starts the same random stream as ${dup}`);
    testFps.set(fp, what);
  };
  const label = cfg.streamLabel ?? TRANSFER_STREAM_LABEL;
  const mode = cfg.rolloutStreams ?? "per-learner";
  for (let j = 0; j < cfg.numMdps; j++) {
    const r = testMdpStream(cfg.seed, j, label);
    check(r, `test MDP ${j} (seed ${cfg.seed}, label "${label}")`);
    const names = mode === "shared" ? (learnerNames.length ? ["(shared)"] : []) : learnerNames;
    for (const name of names) {
      check(rolloutStream(r, name, mode), `rollout stream of "${name}" on test MDP ${j}`);
    }
  }
  // Cheap sanity check on the drawn numbers: test MDP 0 vs training MDP 0 of every seed.
  const opts = { nS: cfg.task.nS, nA: cfg.task.nA, gamma: cfg.task.gamma };
  const P = randomMdp(testMdpStream(cfg.seed, 0, label), opts).P;
  for (const seed of training.seeds) {
    const Q = randomMdp(trainingMdpStream(seed, 0), opts).P;
    let same = true;
    for (let i = 0; i < P.length && same; i++) same = P[i] === Q[i];
    if (same) {
      throw new Error(
        `test MDP 0 (seed ${cfg.seed}) has the same transition matrix as training MDP 0 of seed ${seed}`,
      );
    }
  }
}
