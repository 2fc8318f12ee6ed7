/**
 * Notebook 07 (MATH §9; [LBM24] Fig. 1): the classical bandit algorithms on the paper's linear and
 * Bernoulli bandits — cumulative pseudo-regret vs t, mean ± SE over test environments, compared
 * at T = 200 with the baseline values of the paper's Figure 1 — and the timing of the
 * pretraining data set (≥ 10⁵ LinUCB trajectories on two Workers).
 *
 * @module
 */

import type { AlgorithmSpec } from "../bandits/algorithms.ts";
import { algorithmLabel, makePolicy } from "../bandits/algorithms.ts";
import {
  type BanditSpec,
  BERNOULLI_BANDIT,
  type BernoulliBanditSpec,
  LINEAR_BANDIT,
  type LinearBanditSpec,
  sampleBandits,
  validateBanditSpec,
} from "../bandits/env.ts";
import { generateChunk, generateTrajectories } from "../bandits/generate.ts";
import { trajectoryArrays, type TrajectorySet } from "../bandits/record.ts";
import { cumulativeRegret, regretCurve, type RegretPoint } from "../bandits/regret.ts";
import { simulate } from "../bandits/simulate.ts";
import { assertKnownKeys } from "../core/validate.ts";
import { meanCI } from "../core/stats.ts";
import { assertInt } from "../core/validate.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

/** Every knob of notebook 07. */
export interface BanditBaselinesConfig {
  /** Test environments per family (paper 500). */
  numEnvs: number;
  /** Seed of the test environments (each family its own stream family). */
  envSeed: number;
  /** Seed of the algorithms' random streams. */
  policySeed: number;
  /** The linear family (MATH §9: d = 5, A = 10, σ = 1.5, T = 200). */
  linear: LinearBanditSpec;
  /** The Bernoulli family (MATH §9: A = 5, T = 200). */
  bernoulli: BernoulliBanditSpec;
  /** Algorithms run on the linear family. */
  linearAlgorithms: AlgorithmSpec[];
  /** Algorithms run on the Bernoulli family. */
  bernoulliAlgorithms: AlgorithmSpec[];
  /** Pull counts t of the comparison table. */
  tableSteps: number[];
  /** Pretraining-set generation (timed; not written: see `sampleSize`). */
  generation: {
    /** LinUCB trajectories on the linear family (issue: ≥ 10⁵ in ≤ 2 min on 2 cores). */
    count: number;
    /** Parallel Workers. */
    workers: number;
    /** Environments per Worker job. */
    chunk: number;
    /** Seed of the generated (training) environments — disjoint from the test environments'. */
    envSeed: number;
    /**
     * Trajectories per sample set kept in the result (and written by the notebook): LinUCB on
     * linear bandits with its action distribution (AD), and `(uniform + TS)/2` on Bernoulli (DPT).
     */
    sampleSize: number;
  };
}

const LINEAR_ALGS: AlgorithmSpec[] = [
  { name: "linucb", lambda: 1, alpha: 2 },
  { name: "ts-gaussian", priorVar: 1, noiseVar: 2.25 },
  { name: "empirical-mean" },
  { name: "uniform" },
];
const BERNOULLI_ALGS: AlgorithmSpec[] = [
  { name: "ts-beta", a0: 1, b0: 1 },
  { name: "ucb-paper", c: 1 },
  { name: "ucb1" },
  { name: "empirical-mean" },
  { name: "uniform" },
];

/** A scale: its number of environments and generation run; the rest is the paper's. */
function preset(
  numEnvs: number,
  generation: BanditBaselinesConfig["generation"],
): BanditBaselinesConfig {
  return {
    numEnvs,
    envSeed: 7_007,
    policySeed: 7_008,
    linear: { ...LINEAR_BANDIT },
    bernoulli: { ...BERNOULLI_BANDIT },
    linearAlgorithms: LINEAR_ALGS,
    bernoulliAlgorithms: BERNOULLI_ALGS,
    tableSteps: [50, 100, 200],
    generation,
  };
}

/** Quick (smoke test, seconds) and paper settings, side by side. */
export const banditBaselinesDefaults: ScaleDefaults<BanditBaselinesConfig> = {
  quick: preset(100, { count: 2_000, workers: 2, chunk: 1_000, envSeed: 7_100, sampleSize: 50 }),
  paper: preset(500, {
    count: 100_000,
    workers: 2,
    chunk: 2_500,
    envSeed: 7_100,
    sampleSize: 1_000,
  }),
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.1 s here): for doc examples, tests and a
 * first try; not a result. 8 environments, 30 recorded trajectories.
 */
export const banditBaselinesTiny: BanditBaselinesConfig = {
  ...banditBaselinesDefaults.quick,
  numEnvs: 8,
  generation: {
    ...banditBaselinesDefaults.quick.generation,
    count: 30,
    chunk: 30,
    workers: 0,
    sampleSize: 4,
  },
};

/** One algorithm on one family. */
export interface AlgorithmRun {
  /** The algorithm. */
  algorithm: AlgorithmSpec;
  /** Display label. */
  label: string;
  /** Cumulative pseudo-regret, E × T. */
  regret: Float64Array;
  /** Mean ± SE / CI at every t = 1…T. */
  curve: RegretPoint[];
  /** Wall time of the simulation, s. */
  seconds: number;
}

/** All algorithms on one family (same environments, same reward noise). */
export interface FamilyRun {
  /** The family. */
  spec: BanditSpec;
  /** Environments. */
  numEnvs: number;
  /** One entry per algorithm, in config order. */
  runs: AlgorithmRun[];
}

/** The result of {@linkcode run}. */
export interface BanditBaselinesResult {
  /** The validated config. */
  config: BanditBaselinesConfig;
  /** Linear, then Bernoulli. */
  families: FamilyRun[];
  /** Environment steps simulated for the baselines, and their wall time. */
  baselines: { envSteps: number; seconds: number };
  /** The timed pretraining-set generation. */
  generation: {
    count: number;
    horizon: number;
    workers: number;
    seconds: number;
    /** Bytes of the set's typed arrays (what a pretraining run would hold in memory). */
    bytes: number;
    /** Mean ± SE of LinUCB's regret at T over the generated environments. */
    regretAtT: { mean: number; se: number; n: number };
  };
  /** Small recorded sets for pretraining (written by the notebook). */
  samples: { name: string; set: TrajectorySet }[];
}

function validate(cfg: BanditBaselinesConfig): void {
  assertKnownKeys("bandit baselines config", cfg, [
    "numEnvs",
    "envSeed",
    "policySeed",
    "linear",
    "bernoulli",
    "linearAlgorithms",
    "bernoulliAlgorithms",
    "tableSteps",
    "generation",
  ]);
  assertInt("numEnvs", cfg.numEnvs, 2, 1_000_000);
  assertInt("envSeed", cfg.envSeed, 0);
  assertInt("policySeed", cfg.policySeed, 0);
  validateBanditSpec(cfg.linear);
  validateBanditSpec(cfg.bernoulli);
  if (cfg.linear.family !== "linear") {
    throw new RangeError(
      `linear.family must be "linear", got ${JSON.stringify(cfg.linear.family)}`,
    );
  }
  if (cfg.bernoulli.family !== "bernoulli") {
    throw new RangeError(
      `bernoulli.family must be "bernoulli", got ${JSON.stringify(cfg.bernoulli.family)}`,
    );
  }
  for (
    const [k, algs] of [["linearAlgorithms", cfg.linearAlgorithms], [
      "bernoulliAlgorithms",
      cfg.bernoulliAlgorithms,
    ]] as const
  ) {
    if (!Array.isArray(algs) || algs.length === 0) {
      throw new RangeError(`${k} must be a non-empty array`);
    }
    algs.forEach((a) => algorithmLabel(a));
  }
  const T = Math.min(cfg.linear.horizon, cfg.bernoulli.horizon);
  if (!Array.isArray(cfg.tableSteps) || cfg.tableSteps.length === 0) {
    throw new RangeError("tableSteps must be a non-empty array");
  }
  cfg.tableSteps.forEach((t, i) => assertInt(`tableSteps[${i}]`, t, 1, T));
  const g = cfg.generation;
  assertKnownKeys("generation", g, ["count", "workers", "chunk", "envSeed", "sampleSize"]);
  assertInt("generation.count", g.count, 1, 10_000_000);
  assertInt("generation.workers", g.workers, 0, 64);
  assertInt("generation.chunk", g.chunk, 1, 1_000_000);
  assertInt("generation.envSeed", g.envSeed, 0);
  if (g.envSeed === cfg.envSeed) {
    throw new RangeError(
      `generation.envSeed must differ from envSeed (test environments), both ${g.envSeed}`,
    );
  }
  assertInt("generation.sampleSize", g.sampleSize, 1, 100_000);
}

/**
 * Run every algorithm on `numEnvs` test environments of each family, then time the generation
 * of the pretraining set and record the two sample sets.
 *
 * @example
 * ```ts
 * import { banditBaselinesTiny, run } from "./bandit_baselines.ts";
 * const res = await run(banditBaselinesTiny);
 * res.families[0].runs[0].label; // "LinUCB"
 * ```
 */
export async function run(
  cfg: BanditBaselinesConfig,
  hooks?: RunHooks,
): Promise<BanditBaselinesResult> {
  validate(cfg);
  const families: FamilyRun[] = [];
  const plan = [[cfg.linear, cfg.linearAlgorithms], [
    cfg.bernoulli,
    cfg.bernoulliAlgorithms,
  ]] as const;
  const totalSteps = plan.reduce((n, [s, algs]) => n + s.horizon * algs.length, 0);
  let done = 0, envSteps = 0;
  const t0 = performance.now();
  for (const [spec, algs] of plan) {
    const envs = sampleBandits(spec, cfg.envSeed, cfg.numEnvs);
    const runs: AlgorithmRun[] = [];
    for (const algorithm of algs) {
      const s0 = performance.now();
      const traj = simulate(envs, makePolicy(algorithm, envs, cfg.policySeed));
      const seconds = (performance.now() - s0) / 1000;
      const regret = cumulativeRegret(envs, traj.actions, spec.horizon);
      runs.push({
        algorithm,
        label: algorithmLabel(algorithm),
        regret,
        curve: regretCurve(regret, cfg.numEnvs, spec.horizon),
        seconds,
      });
      envSteps += cfg.numEnvs * spec.horizon;
      done += spec.horizon;
      await reportProgress(hooks, "baselines", done, totalSteps);
    }
    families.push({ spec, numEnvs: cfg.numEnvs, runs });
  }
  const baselines = { envSteps, seconds: (performance.now() - t0) / 1000 };

  const g = cfg.generation;
  hooks?.log?.(`generating ${g.count} LinUCB trajectories on ${g.workers} workers`);
  const g0 = performance.now();
  const big = await generateTrajectories(
    {
      spec: cfg.linear,
      algorithm: cfg.linearAlgorithms.find((a) => a.name === "linucb") ?? { name: "linucb" },
      count: g.count,
      envSeed: g.envSeed,
      policySeed: cfg.policySeed,
      chunk: g.chunk,
      workers: g.workers,
    },
    (n, total) => reportProgress(hooks, "pretraining set", n, total),
  );
  const seconds = (performance.now() - g0) / 1000;
  const finalRegret = new Float64Array(big.numEnvs);
  for (let i = 0; i < big.numEnvs; i++) {
    let acc = 0;
    for (let t = 0; t < big.horizon; t++) {
      acc += big.bestMean[i] - big.means[i * big.numArms + big.actions[i * big.horizon + t]];
    }
    finalRegret[i] = acc;
  }
  const ci = meanCI(finalRegret);
  const bytes = trajectoryArrays(big).reduce((n, a) => n + a.byteLength, 0);
  const generation = {
    count: big.numEnvs,
    horizon: big.horizon,
    workers: g.workers,
    seconds,
    bytes,
    regretAtT: { mean: ci.mean, se: ci.se, n: ci.n },
  };

  // Samples in the format the pretraining notebook reads: AD (LinUCB with its action
  // distribution) and DPT context ((uniform + TS)/2, target = the optimal arm).
  const samples = [
    {
      name: "linucb_linear",
      set: generateChunk({
        spec: cfg.linear,
        algorithm: { name: "linucb", lambda: 1, alpha: 2 },
        first: g.count, // beyond the timed set: fresh training environments
        count: g.sampleSize,
        envSeed: g.envSeed,
        policySeed: cfg.policySeed,
        recordProbs: true,
      }),
    },
    {
      name: "ts_uniform_bernoulli",
      set: generateChunk({
        spec: cfg.bernoulli,
        algorithm: {
          name: "mixture",
          components: [{ name: "ts-beta", a0: 1, b0: 1 }, { name: "uniform" }],
          weights: [0.5, 0.5],
        },
        first: 0,
        count: g.sampleSize,
        envSeed: g.envSeed,
        policySeed: cfg.policySeed,
        recordProbs: false,
      }),
    },
  ];
  return { config: cfg, families, baselines, generation, samples };
}
