/**
 * Trajectory generation for pretraining (MATH §9): N environments of a family, each played by an
 * algorithm for T steps, recorded as a `TrajectorySet`. Environments are cut into chunks that run
 * in parallel Workers (`runWorkerJobs` of lib/train/parallel.ts); every environment and algorithm stream
 * is indexed by the environment's global index, so the result is identical for any chunk size and
 * worker count.
 *
 * @module
 */

import { runWorkerJobs } from "../train/parallel.ts";
import { assertInt } from "../core/validate.ts";
import { type AlgorithmSpec, makePolicy } from "./algorithms.ts";
import { type BanditSpec, sampleBandits, validateBanditSpec } from "./env.ts";
import { concatTrajectorySets, type TrajectorySet, trajectorySet } from "./record.ts";
import { simulate } from "./simulate.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** What to generate. */
export interface GenerateConfig {
  /** Bandit family and settings (horizon T included). */
  spec: BanditSpec;
  /** The algorithm that acts (e.g. LinUCB for AD; a TS/uniform mixture for DPT). */
  algorithm: AlgorithmSpec;
  /** Trajectories N (one fresh environment each). */
  count: number;
  /** Global index of the first environment (default 0; use disjoint ranges for train/test). */
  first?: number;
  /** Seed of the environments. */
  envSeed: number;
  /** Seed of the algorithm's streams. */
  policySeed: number;
  /** Record the action distribution where defined (default false: N × T × A doubles). */
  recordProbs?: boolean;
  /** Environments per job (default 2 000). */
  chunk?: number;
  /** Parallel Workers (default: cores; 0 runs in this thread). */
  workers?: number;
}

/** One chunk of a generation (what a Worker receives). */
export interface GenerateJob {
  spec: BanditSpec;
  algorithm: AlgorithmSpec;
  first: number;
  count: number;
  envSeed: number;
  policySeed: number;
  recordProbs: boolean;
}

/**
 * Generate one chunk in this thread.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "./env.ts";
 * import { generateChunk } from "./generate.ts";
 * const set = generateChunk({ spec: LINEAR_BANDIT, algorithm: { name: "linucb" }, first: 0,
 *   count: 10, envSeed: 1, policySeed: 2, recordProbs: false });
 * ```
 */
export function generateChunk(job: GenerateJob): TrajectorySet {
  const envs = sampleBandits(job.spec, job.envSeed, job.count, job.first);
  const policy = makePolicy(job.algorithm, envs, job.policySeed);
  const traj = simulate(envs, policy, { recordProbs: job.recordProbs });
  return trajectorySet(envs, traj, job.algorithm, job.policySeed);
}

/**
 * Generate `count` trajectories in chunks on `workers` Workers; `onProgress(done, total)` counts
 * trajectories.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "./env.ts";
 * import { generateTrajectories } from "./generate.ts";
 * const set = await generateTrajectories({ spec: LINEAR_BANDIT, algorithm: { name: "linucb" },
 *   count: 40, envSeed: 1, policySeed: 2, workers: 2 });
 * ```
 */
export async function generateTrajectories(
  cfg: GenerateConfig,
  onProgress?: (done: number, total: number) => void,
): Promise<TrajectorySet> {
  assertKnownKeys("generate config", cfg, [
    "spec",
    "algorithm",
    "count",
    "first",
    "envSeed",
    "policySeed",
    "recordProbs",
    "chunk",
    "workers",
  ]);
  validateBanditSpec(cfg.spec);
  assertInt("generate count", cfg.count, 1, 100_000_000);
  const first = cfg.first ?? 0, chunk = cfg.chunk ?? 2_000;
  assertInt("generate first", first, 0);
  assertInt("generate chunk", chunk, 1, 10_000_000);
  const workers = cfg.workers ?? (navigator.hardwareConcurrency || 1);
  assertInt("generate workers", workers, 0, 64);
  assertInt("generate envSeed", cfg.envSeed, 0);
  assertInt("generate policySeed", cfg.policySeed, 0);
  const jobs: GenerateJob[] = [];
  for (let s = 0; s < cfg.count; s += chunk) {
    jobs.push({
      spec: cfg.spec,
      algorithm: cfg.algorithm,
      first: first + s,
      count: Math.min(chunk, cfg.count - s),
      envSeed: cfg.envSeed,
      policySeed: cfg.policySeed,
      recordProbs: cfg.recordProbs ?? false,
    });
  }
  let done = 0;
  const tick = (set: TrajectorySet) => {
    done += set.numEnvs;
    onProgress?.(done, cfg.count);
  };
  let sets: TrajectorySet[];
  if (workers === 0) {
    sets = jobs.map((j) => {
      const s = generateChunk(j);
      tick(s);
      return s;
    });
  } else {
    sets = await runWorkerJobs<GenerateJob, TrajectorySet>(
      new URL("./generate_worker.ts", import.meta.url),
      jobs,
      Math.min(workers, jobs.length),
      (_, s) => tick(s),
    );
  }
  return concatTrajectorySets(sets);
}
