/**
 * Experiment 5 (MATH §7, §8.5): what would settle the referee's questions — richness made
 * checkable, the richness ablation, the basin of attraction, and predicted vs measured rate and
 * scale. Config, defaults and `run`; the views (tables, figures, summary) are in `settle_views.ts`.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/mod.ts";
import { trainConfig } from "../train/train.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { PAPER_DISTRIBUTION, type TrainingDistribution } from "../settle/distribution.ts";
import {
  type ArmOut,
  type Job,
  type PromptSampling,
  type RateOut,
  type RichnessOut,
  runJobs,
  type TrainOut,
} from "../settle/jobs.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

/** Every knob of notebook 05. The paper-size task is MATH §1 (|S| = 9, |A| = 4, d = 36). */
export interface SettleConfig {
  /** Root seed of every stream. */
  seed: number;
  /** Worker threads (cores). */
  workers: number;
  /** The small task where spectra are exact: |S|, |A| (d = |S|·|A|); MATH §1 defaults otherwise. */
  small: { nS: number; nA: number };
  /** Prompts for the richness numbers and the rate at the small d: episodes × iterations `at` of T. */
  samplingSmall: PromptSampling;
  /** Prompts for the richness numbers at d = 36 (N·d should be several times the 5 329 parameters). */
  samplingLarge: PromptSampling;
  /**
   * (1) Richness at θ⋆(c): the scales c; LOBPCG block size, iterations and residual tolerance
   * (relative to λ_max) at d = 36 and for the small-d cross-check against the dense spectrum.
   */
  richness: { cs: number[]; block: number; maxIter: number; tol: number };
  /** (4a) Rate: GD on a fixed prompt set (small task) from θ⋆(c) + eps·noise, steps η = f/λ_max. */
  rate: {
    cs: number[];
    etaTimesLambdaMax: number[];
    eps: number;
    horizon: number;
    maxSteps: number;
    fitFraction: number;
  };
  /** (4b) Scale: streaming training (small task) with GD and Adam from Xavier gains; one d = 36 GD run. */
  scale: {
    gains: number[];
    seeds: number[];
    K: number;
    T: number;
    gdLr: number;
    adamLr: number;
    large: { K: number; T: number; gdLr: number } | null;
  };
  /** (2) Ablation arms at d = 36, restricted, Adam, same budget per arm. */
  ablation: {
    K: number;
    T: number;
    lr: number;
    pools: number[];
    rankFractions: number[];
    concentration: number;
    extraArms: boolean;
    /** LOBPCG iterations per arm at d = 36. */
    maxIter: number;
    c: number;
    transfer: { numMdps: number; updates: number; seed: number };
  };
  /** (3) Basin: fraction reaching dist < stopDist within K·T prompts (small task). */
  basin: {
    gains: number[];
    inits: number;
    K: number;
    T: number;
    adamLr: number;
    gdLr: number;
    stopDist: number;
  };
}

/** Quick (≤ 1 min) and paper (≤ 12 min on 2 cores) settings. The paper's own budget per run is
 * K = 10 000 × T = 1 000 prompts; every training here is a reduced budget (see `summary`). */
export const settleDefaults: ScaleDefaults<SettleConfig> = {
  quick: {
    seed: 5,
    workers: 2,
    small: { nS: 4, nA: 2 },
    samplingSmall: { episodes: 16, at: [0, 10, 40], T: 41 },
    samplingLarge: { episodes: 16, at: [0, 10, 40], T: 41 },
    richness: { cs: [0.375, 1], block: 4, maxIter: 5, tol: 1e-9 },
    rate: {
      cs: [0.375],
      etaTimesLambdaMax: [1.5],
      eps: 1e-2,
      horizon: 6,
      maxSteps: 400,
      fitFraction: 0.5,
    },
    scale: { gains: [0.1], seeds: [0], K: 256, T: 50, gdLr: 8, adamLr: 1e-2, large: null },
    ablation: {
      K: 64,
      T: 20,
      lr: 1e-3,
      pools: [1],
      rankFractions: [],
      concentration: 0.05,
      extraArms: false,
      maxIter: 3,
      c: 0.47,
      transfer: { numMdps: 10, updates: 20, seed: 77 },
    },
    basin: {
      gains: [1e-2, 1],
      inits: 2,
      K: 128,
      T: 50,
      adamLr: 1e-2,
      gdLr: 8,
      stopDist: 1e-3,
    },
  },
  paper: {
    seed: 5,
    workers: 2,
    small: { nS: 4, nA: 2 },
    samplingSmall: { episodes: 64, at: [0, 5, 20, 100], T: 101 },
    samplingLarge: { episodes: 256, at: [0, 5, 20, 100], T: 101 },
    richness: { cs: [0.375, 0.47], block: 8, maxIter: 150, tol: 1e-9 },
    rate: {
      cs: [0.37, 0.45, 1],
      etaTimesLambdaMax: [1, 1.5],
      eps: 1e-2,
      horizon: 16,
      maxSteps: 8_000,
      fitFraction: 0.5,
    },
    scale: {
      gains: [0.1, 0.01],
      seeds: [0, 1, 2],
      K: 4096,
      T: 100,
      gdLr: 8,
      adamLr: 1e-2,
      large: { K: 1024, T: 250, gdLr: 1 },
    },
    ablation: {
      K: 2048,
      T: 250,
      lr: 1e-3,
      pools: [1, 4, 16, 64, 256, 1024],
      rankFractions: [0.25, 0.5],
      concentration: 0.05,
      extraArms: true,
      maxIter: 30,
      c: 0.47,
      transfer: { numMdps: 100, updates: 200, seed: 77 },
    },
    basin: {
      gains: [1e-3, 1e-2, 1e-1, 0.3, 1, 3, 10],
      inits: 20,
      K: 2048,
      T: 100,
      adamLr: 1e-2,
      gdLr: 8,
      stopDist: 1e-3,
    },
  },
};

function checkKeys(path: string, obj: unknown, ref: unknown): void {
  if (ref === null || typeof ref !== "object" || Array.isArray(ref)) return;
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new TypeError(`config.${path} must be an object, got ${JSON.stringify(obj)}`);
  }
  for (const k of Object.keys(obj as object)) {
    if (!(k in (ref as object))) throw new RangeError(`unknown config key "${path}${k}"`);
  }
  for (const k of Object.keys(ref as object)) {
    const r = (ref as Record<string, unknown>)[k], o = (obj as Record<string, unknown>)[k];
    if (o === undefined) throw new RangeError(`config key "${path}${k}" is missing`);
    const nullable = `${path}${k}` === "scale.large" && o === null;
    if (r !== null && typeof r === "object" && !Array.isArray(r) && !nullable) {
      checkKeys(`${path}${k}.`, o, r);
    }
  }
}

function positives(name: string, xs: number[], max = Infinity): void {
  if (!Array.isArray(xs)) throw new TypeError(`${name} must be an array, got ${String(xs)}`);
  xs.forEach((x, i) => assertNumber(`${name}[${i}]`, x, Number.MIN_VALUE, max));
}

/**
 * Validate a config: unknown or missing keys and out-of-range values throw, naming them.
 *
 * @example
 * ```ts
 * validateSettleConfig(settleDefaults.quick);
 * ```
 */
export function validateSettleConfig(cfg: SettleConfig): SettleConfig {
  checkKeys("", cfg, settleDefaults.paper);
  if (cfg.scale.large !== null) {
    assertInt("scale.large.K", cfg.scale.large.K, 1);
    assertInt("scale.large.T", cfg.scale.large.T, 1);
    assertNumber("scale.large.gdLr", cfg.scale.large.gdLr, Number.MIN_VALUE);
  }
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  assertInt("workers", cfg.workers, 1, 64);
  assertInt("small.nS", cfg.small.nS, 1, 50);
  assertInt("small.nA", cfg.small.nA, 1, 50);
  for (const key of ["samplingSmall", "samplingLarge"] as const) {
    const sm = cfg[key];
    assertInt(`${key}.episodes`, sm.episodes, 1);
    assertInt(`${key}.T`, sm.T, 1);
    if (!Array.isArray(sm.at) || sm.at.length === 0) {
      throw new RangeError(`${key}.at must be non-empty`);
    }
    sm.at.forEach((a, i) =>
      assertInt(`${key}.at[${i}]`, a, i === 0 ? 0 : sm.at[i - 1] + 1, sm.T - 1)
    );
  }
  positives("richness.cs", cfg.richness.cs);
  assertInt("richness.block", cfg.richness.block, 1, 64);
  assertInt("richness.maxIter", cfg.richness.maxIter, 1);
  assertNumber("richness.tol", cfg.richness.tol, 0, 1);
  positives("rate.cs", cfg.rate.cs);
  positives("rate.etaTimesLambdaMax", cfg.rate.etaTimesLambdaMax, 1.999);
  assertNumber("rate.eps", cfg.rate.eps, 1e-8, 1);
  assertNumber("rate.horizon", cfg.rate.horizon, 0.1);
  assertInt("rate.maxSteps", cfg.rate.maxSteps, 10);
  assertNumber("rate.fitFraction", cfg.rate.fitFraction, 0.05, 1);
  positives("scale.gains", cfg.scale.gains, 100);
  cfg.scale.seeds.forEach((s, i) => assertInt(`scale.seeds[${i}]`, s, 0));
  assertInt("scale.K", cfg.scale.K, 1);
  assertInt("scale.T", cfg.scale.T, 1);
  assertNumber("scale.gdLr", cfg.scale.gdLr, Number.MIN_VALUE);
  assertNumber("scale.adamLr", cfg.scale.adamLr, Number.MIN_VALUE);
  const a = cfg.ablation;
  assertInt("ablation.K", a.K, 1);
  assertInt("ablation.T", a.T, 1);
  assertNumber("ablation.lr", a.lr, Number.MIN_VALUE);
  a.pools.forEach((m, i) => assertInt(`ablation.pools[${i}]`, m, 1));
  positives("ablation.rankFractions", a.rankFractions, 1);
  assertNumber("ablation.concentration", a.concentration, 1e-3, 1e3);
  if (typeof a.extraArms !== "boolean") throw new TypeError(`ablation.extraArms must be boolean`);
  assertInt("ablation.maxIter", a.maxIter, 1);
  assertNumber("ablation.c", a.c, Number.MIN_VALUE);
  assertInt("ablation.transfer.numMdps", a.transfer.numMdps, 1);
  assertInt("ablation.transfer.updates", a.transfer.updates, 1);
  assertInt("ablation.transfer.seed", a.transfer.seed, 0);
  const b = cfg.basin;
  positives("basin.gains", b.gains, 100);
  assertInt("basin.inits", b.inits, 1);
  assertInt("basin.K", b.K, 1);
  assertInt("basin.T", b.T, 1);
  assertNumber("basin.adamLr", b.adamLr, Number.MIN_VALUE);
  assertNumber("basin.gdLr", b.gdLr, Number.MIN_VALUE);
  assertNumber("basin.stopDist", b.stopDist, Number.MIN_VALUE, 1);
  return cfg;
}

/** A described ablation arm. */
export interface ArmSpec {
  /** Label. */
  label: string;
  /** Distribution at d = 36. */
  dist: TrainingDistribution;
  /** Rank fraction for low-rank arms (the small analog uses round(fraction·d_small)). */
  rankFraction: number | null;
}

/**
 * The ablation arms of a config: fresh MDPs (paper), pools, and (with `extraArms`) a fixed feature
 * map, low-rank features, near-deterministic transitions and one-hot features.
 *
 * @example
 * ```ts
 * ablationArms(settleDefaults.paper).map((a) => a.label);
 * ```
 */
export function ablationArms(cfg: SettleConfig): ArmSpec[] {
  const P = PAPER_DISTRIBUTION, d = DEFAULT_TASK.d;
  const arms: ArmSpec[] = [{ label: "fresh MDPs (paper)", dist: { ...P }, rankFraction: null }];
  for (const M of cfg.ablation.pools) {
    arms.push({ label: `pool M=${M}`, dist: { ...P, pool: M }, rankFraction: null });
  }
  if (cfg.ablation.extraArms) {
    arms.push({
      label: "fixed feature map",
      dist: { ...P, featureMap: "fixed" },
      rankFraction: null,
    });
  }
  for (const f of cfg.ablation.rankFractions) {
    const r = Math.max(1, Math.round(f * d));
    arms.push({
      label: `low-rank r=${r}`,
      dist: { ...P, features: "lowrank", rank: r },
      rankFraction: f,
    });
  }
  if (cfg.ablation.extraArms) {
    arms.push({
      label: `Dirichlet(${cfg.ablation.concentration})`,
      dist: { ...P, concentration: cfg.ablation.concentration },
      rankFraction: null,
    });
  }
  arms.push({ label: "one-hot features", dist: { ...P, features: "onehot" }, rankFraction: null });
  return arms;
}

/** A scale run: optimiser, gain, seed, d and its training rows. */
export interface ScaleRun {
  d: number;
  optimizer: "adam" | "gd";
  gain: number;
  seed: number;
  out: TrainOut;
}

/** A basin run. */
export interface BasinRun {
  optimizer: "adam" | "gd";
  gain: number;
  init: number;
  out: TrainOut;
}

/** Everything `run` measured. */
export interface SettleResult {
  config: SettleConfig;
  smallTask: TaskSpec;
  /** (1) d small dense, d small LOBPCG (cross-check), d = 36 LOBPCG — paper distribution. */
  richness: { small: RichnessOut; smallIterative: RichnessOut; large: RichnessOut };
  rate: RateOut[];
  scale: ScaleRun[];
  arms: (ArmOut & { spec: ArmSpec })[];
  basin: BasinRun[];
  wallTimeSec: number;
}

function mergeRichness(parts: RichnessOut[]): RichnessOut {
  return {
    perC: parts.flatMap((p) => p.perC),
    gram: parts[0].gram,
    structuralZeros: parts[0].structuralZeros,
    prompts: parts[0].prompts,
    wallTimeSec: parts.reduce((s, p) => s + p.wallTimeSec, 0),
  };
}

/**
 * Run every job of notebook 05 over `cfg.workers` Workers. Progress: phase "jobs", one unit per job.
 *
 * @example
 * ```ts
 * const res = await run(settleDefaults.quick);
 * ```
 */
export async function run(cfg: SettleConfig, hooks?: RunHooks): Promise<SettleResult> {
  validateSettleConfig(cfg);
  const t0 = performance.now();
  const big: TaskSpec = { ...DEFAULT_TASK };
  const smallTask: TaskSpec = {
    ...DEFAULT_TASK,
    nS: cfg.small.nS,
    nA: cfg.small.nA,
    d: cfg.small.nS * cfg.small.nA,
  };
  const P = PAPER_DISTRIBUTION, seed = cfg.seed;
  const jobs: Job[] = [];
  const arms = ablationArms(cfg);
  for (const arm of arms) {
    jobs.push({
      kind: "arm",
      label: arm.label,
      train: {
        train: trainConfig({
          K: cfg.ablation.K,
          T: cfg.ablation.T,
          batch: 64,
          lr: cfg.ablation.lr,
          logEvery: Math.max(1, Math.floor((cfg.ablation.K / 64) * cfg.ablation.T / 40)),
          seed,
        }),
        dist: arm.dist,
        stopDist: 0,
        onDiverge: "throw",
      },
      richness: {
        sampling: cfg.samplingLarge,
        samplingSmall: cfg.samplingSmall,
        cs: [cfg.ablation.c],
        solver: {
          block: cfg.richness.block,
          dim: 0,
          maxIter: cfg.ablation.maxIter,
          tol: cfg.richness.tol,
        },
      },
      smallTask,
      smallRank: Math.max(1, Math.round((arm.rankFraction ?? 1) * smallTask.d)),
      transfer: cfg.ablation.transfer,
    });
  }
  const basinIdx = jobs.length;
  const basinMeta: Omit<BasinRun, "out">[] = [];
  for (const optimizer of ["adam", "gd"] as const) {
    for (const gain of cfg.basin.gains) {
      for (let init = 0; init < cfg.basin.inits; init++) {
        basinMeta.push({ optimizer, gain, init });
        jobs.push({
          kind: "train",
          keepBlocks: true,
          train: {
            train: trainConfig({
              task: smallTask,
              K: cfg.basin.K,
              T: cfg.basin.T,
              batch: 64,
              optimizer,
              lr: optimizer === "adam" ? cfg.basin.adamLr : cfg.basin.gdLr,
              lrDecay: 1,
              initGain: gain,
              logEvery: 25,
              seed: seed * 1000 + 100 + init,
              divergeLoss: 1e6,
            }),
            dist: P,
            stopDist: cfg.basin.stopDist,
            onDiverge: "stop",
          },
        });
      }
    }
  }
  const rateIdx = jobs.length;
  for (const c of cfg.rate.cs) {
    const { cs: _cs, ...rate } = cfg.rate;
    jobs.push({
      kind: "rate",
      task: smallTask,
      dist: P,
      seed,
      sampling: cfg.samplingSmall,
      c,
      ...rate,
    });
  }
  const scaleIdx = jobs.length;
  const scaleMeta: Omit<ScaleRun, "out">[] = [];
  const sc = cfg.scale;
  for (const optimizer of ["gd", "adam"] as const) {
    for (const gain of sc.gains) {
      for (const s of sc.seeds) {
        scaleMeta.push({ d: smallTask.d, optimizer, gain, seed: s });
        jobs.push({
          kind: "train",
          keepBlocks: false,
          train: {
            train: trainConfig({
              task: smallTask,
              K: sc.K,
              T: sc.T,
              batch: 64,
              optimizer,
              lr: optimizer === "gd" ? sc.gdLr : sc.adamLr,
              lrDecay: 1,
              initGain: gain,
              logEvery: Math.max(1, Math.floor((sc.K / 64) * sc.T / 60)),
              seed: seed * 1000 + 500 + s,
            }),
            dist: P,
            stopDist: 0,
            onDiverge: "throw",
          },
        });
      }
    }
  }
  if (sc.large) {
    scaleMeta.push({ d: big.d, optimizer: "gd", gain: 0.1, seed: 0 });
    jobs.push({
      kind: "train",
      keepBlocks: false,
      train: {
        train: trainConfig({
          K: sc.large.K,
          T: sc.large.T,
          batch: 64,
          optimizer: "gd",
          lr: sc.large.gdLr,
          lrDecay: 1,
          initGain: 0.1,
          logEvery: Math.max(1, Math.floor((sc.large.K / 64) * sc.large.T / 60)),
          seed: seed * 1000 + 900,
        }),
        dist: P,
        stopDist: 0,
        onDiverge: "throw",
      },
    });
  }
  const richIdx = jobs.length;
  const rc = cfg.richness;
  const rich = (task: TaskSpec, method: "dense" | "lobpcg", c: number[]): Job => ({
    kind: "richness",
    task,
    dist: P,
    seed,
    sampling: task.d === big.d ? cfg.samplingLarge : cfg.samplingSmall,
    cs: c,
    method,
    solver: { block: rc.block, dim: 0, maxIter: rc.maxIter, tol: rc.tol },
  });
  // One job per c at d = 36 (the expensive ones), so both workers share them.
  for (const c of rc.cs) jobs.push(rich(big, "lobpcg", [c]));
  jobs.push(rich(smallTask, "dense", rc.cs));
  jobs.push(rich(smallTask, "lobpcg", rc.cs));
  hooks?.log?.(`${jobs.length} jobs on ${cfg.workers} workers`);
  await reportProgress(hooks, "jobs", 0, jobs.length);
  const outs = await runJobs(
    jobs,
    cfg.workers,
    (done, total) => reportProgress(hooks, "jobs", done, total),
  );
  return {
    config: cfg,
    smallTask,
    richness: {
      large: mergeRichness(outs.slice(richIdx, richIdx + rc.cs.length) as RichnessOut[]),
      small: outs[richIdx + rc.cs.length] as RichnessOut,
      smallIterative: outs[richIdx + rc.cs.length + 1] as RichnessOut,
    },
    rate: outs.slice(rateIdx, scaleIdx).flatMap((o) => o as RateOut[]),
    scale: scaleMeta.map((m, i) => ({ ...m, out: outs[scaleIdx + i] as TrainOut })),
    arms: arms.map((spec, i) => ({ ...(outs[i] as ArmOut), spec })),
    basin: basinMeta.map((m, i) => ({ ...m, out: outs[basinIdx + i] as TrainOut })),
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
