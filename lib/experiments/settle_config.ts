/**
 * Experiment 5 configuration: every knob of notebook 05 (`SettleConfig`), the quick and paper
 * values side by side (`settleDefaults`), validation and the ablation arms. `run` is in
 * `settle.ts`, the views in `settle_views.ts`.
 *
 * @module
 */

import { DEFAULT_TASK } from "../icrl/tasks.ts";
import { assertInt, assertNumber } from "../core/validate.ts";
import { PAPER_DISTRIBUTION, type TrainingDistribution } from "../settle/distribution.ts";
import { type PromptSampling } from "../settle/jobs.ts";
import { type ScaleDefaults } from "./shape.ts";
import { validateVerdictRules, type VerdictRules } from "./settle_verdicts.ts";

/** One basin grid: `inits` random inits per (optimiser setting, gain), each up to K·T prompts. */
export interface BasinGrid {
  gains: number[];
  inits: number;
  K: number;
  T: number;
  adamLr: number;
  gdLrs: number[];
  stopDist: number;
}

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
  /**
   * (4a) Rate, small task, from θ⋆(c) + eps·noise, steps η = f/λ_max: GD on a fixed prompt set
   * (`samplingSmall`), and (`fresh`) GD on a fresh batch of the training stream every step, with μ
   * and λ_max from a stream-matched prompt set (`fresh.episodes` × every iteration of `fresh.T`).
   */
  rate: {
    cs: number[];
    etaTimesLambdaMax: number[];
    eps: number;
    horizon: number;
    maxSteps: number;
    fitFraction: number;
    fresh: { episodes: number; T: number; batch: number; etaTimesLambdaMax: number[] };
  };
  /**
   * (4b) Scale: streaming training (small task) from Xavier gains. GD at every learning rate of
   * `gdLrs` (η, η/2, η/4) for **equal η·steps**: `K·T·(max gdLrs / η)` prompts; Adam at every rate
   * of `adamLrs` for the same `K·T` prompts. `large`: one GD run at d = 36 (or null).
   */
  scale: {
    gains: number[];
    seeds: number[];
    K: number;
    T: number;
    gdLrs: number[];
    adamLrs: number[];
    large: { K: number; T: number; gdLr: number } | null;
  };
  /**
   * (2) Ablation arms at d = 36, restricted, Adam, same budget per arm, one run per training seed
   * of `seeds` (each a full replicate: its own pool, fixed map, …). LOBPCG at d = 36 runs for the
   * first seed only; the exact small-d richness and the d = 36 Gram ranks for every seed.
   */
  ablation: {
    K: number;
    T: number;
    lr: number;
    seeds: number[];
    pools: number[];
    rankFractions: number[];
    concentration: number;
    extraArms: boolean;
    /** LOBPCG iterations per arm at d = 36. */
    maxIter: number;
    c: number;
    transfer: { numMdps: number; updates: number; seed: number };
  };
  /**
   * (3) Basin: fraction of `inits` random inits per (optimiser setting, gain) reaching dist <
   * stopDist within K·T prompts — small task (Adam at `adamLr`, GD at every rate of `gdLrs`) and,
   * with `large`, the same at d = 36.
   */
  basin: BasinGrid & { large: BasinGrid | null };
  /** The thresholds of every verdict, fixed here before the run (`settle_verdicts.ts`). */
  verdicts: VerdictRules;
}

/**
 * The verdict thresholds of both scales (MATH §8.5), fixed before the run. The failure distance
 * 0.05 sits in the gap between the arms that reached M⋆ (≤ 0.011) and those that did not (≥ 0.16)
 * in the previous single-seed run; κ ≤ 100 is "well conditioned"; the claimed η exponent is the
 * one the previous summary asserted (O(η²)).
 */
const VERDICTS: VerdictRules = {
  richness: { kappaMax: 100 },
  rate: { supportedTol: 0.1, qualifiedTol: 0.3 },
  balance: { supportedTol: 0.01, qualifiedTol: 0.05 },
  etaExponent: { claimed: 2, supportedTol: 0.4, qualifiedMin: 0.5 },
  adamLr: { minSpread: 0.02 },
  failure: { failDist: 0.05, muRatioPoor: 0.1, minPrecision: 0.9, minRecall: 0.9 },
  basin: { smallGainMax: 0.1, minFraction: 0.8 },
};

/** The step sizes of the scale runs, the same at both scales (only the budget differs). */
const SCALE_LRS = { gdLrs: [8, 4, 2], adamLrs: [3e-3, 1e-2, 3e-2], large: null };

/** Quick (≤ 1 min) and paper (≤ 30 min on 2 cores) settings. The paper's own budget per run is
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
      fresh: { episodes: 4, T: 20, batch: 16, etaTimesLambdaMax: [1] },
    },
    scale: {
      gains: [0.1],
      seeds: [0, 1],
      K: 128,
      T: 50,
      ...SCALE_LRS,
    },
    ablation: {
      K: 64,
      T: 20,
      lr: 1e-3,
      seeds: [5, 6],
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
      gdLrs: [8, 4],
      stopDist: 1e-2,
      large: {
        gains: [0.1],
        inits: 2,
        K: 64,
        T: 20,
        adamLr: 1e-2,
        gdLrs: [4, 2],
        stopDist: 1e-2,
      },
    },
    verdicts: VERDICTS,
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
      fresh: { episodes: 32, T: 100, batch: 64, etaTimesLambdaMax: [0.5, 1] },
    },
    scale: {
      gains: [0.1, 0.01],
      seeds: [0, 1, 2],
      K: 4096,
      T: 100,
      ...SCALE_LRS,
    },
    ablation: {
      K: 2048,
      T: 250,
      lr: 1e-3,
      seeds: [5, 6, 7],
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
      K: 4096,
      T: 100,
      adamLr: 1e-2,
      gdLrs: [8, 4],
      stopDist: 1e-2,
      large: {
        gains: [0.1, 1],
        inits: 20,
        K: 4096,
        T: 100,
        adamLr: 1e-2,
        gdLrs: [4, 2],
        stopDist: 1e-2,
      },
    },
    verdicts: VERDICTS,
  },
};

const q = settleDefaults.quick;

/**
 * The smallest config that runs every phase of `run` (≈ 0.5 s here): for doc examples, tests and a
 * first try; not a result. 2 ablation arms (fresh MDPs, one-hot) × 1 seed; 2 basin settings
 * (Adam, GD η 8) × 1 init.
 */
export const settleTiny: SettleConfig = {
  ...q,
  workers: 1,
  small: { nS: 2, nA: 2 },
  samplingSmall: { episodes: 2, at: [0, 3], T: 4 },
  samplingLarge: { episodes: 1, at: [0], T: 2 },
  richness: { ...q.richness, cs: [1], block: 2, maxIter: 1 },
  rate: { ...q.rate, fresh: { ...q.rate.fresh, episodes: 2, T: 4 } },
  scale: { ...q.scale, seeds: [0], K: 64, T: 2, gdLrs: [8], adamLrs: [1e-2] },
  ablation: {
    ...q.ablation,
    K: 64,
    T: 2,
    seeds: [5],
    pools: [],
    maxIter: 1,
    transfer: { numMdps: 1, updates: 1, seed: 7 },
  },
  basin: { ...q.basin, gains: [1], inits: 1, K: 64, T: 2, gdLrs: [8], large: null },
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
    const nullable = (`${path}${k}` === "scale.large" || `${path}${k}` === "basin.large") &&
      o === null;
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
  assertInt("rate.fresh.episodes", cfg.rate.fresh.episodes, 1);
  assertInt("rate.fresh.T", cfg.rate.fresh.T, 1);
  assertInt("rate.fresh.batch", cfg.rate.fresh.batch, 1);
  positives("rate.fresh.etaTimesLambdaMax", cfg.rate.fresh.etaTimesLambdaMax, 1.999);
  positives("scale.gains", cfg.scale.gains, 100);
  cfg.scale.seeds.forEach((s, i) => assertInt(`scale.seeds[${i}]`, s, 0));
  assertInt("scale.K", cfg.scale.K, 1);
  assertInt("scale.T", cfg.scale.T, 1);
  positives("scale.gdLrs", cfg.scale.gdLrs);
  if (cfg.scale.gdLrs.length === 0) throw new RangeError(`scale.gdLrs must be non-empty`);
  const etaMax = Math.max(...cfg.scale.gdLrs);
  cfg.scale.gdLrs.forEach((eta, i) => {
    if (!Number.isInteger(etaMax / eta)) {
      throw new RangeError(`scale.gdLrs[${i}] = ${eta} must divide the largest rate ${etaMax}`);
    }
  });
  positives("scale.adamLrs", cfg.scale.adamLrs);
  if (cfg.scale.adamLrs.length === 0) throw new RangeError(`scale.adamLrs must be non-empty`);
  const a = cfg.ablation;
  assertInt("ablation.K", a.K, 1);
  assertInt("ablation.T", a.T, 1);
  assertNumber("ablation.lr", a.lr, Number.MIN_VALUE);
  if (!Array.isArray(a.seeds) || a.seeds.length === 0) {
    throw new RangeError(`ablation.seeds must be a non-empty array`);
  }
  a.seeds.forEach((s, i) => assertInt(`ablation.seeds[${i}]`, s, 0, Number.MAX_SAFE_INTEGER));
  if (new Set(a.seeds).size !== a.seeds.length) {
    throw new RangeError(`ablation.seeds must be distinct`);
  }
  a.pools.forEach((m, i) => assertInt(`ablation.pools[${i}]`, m, 1));
  positives("ablation.rankFractions", a.rankFractions, 1);
  assertNumber("ablation.concentration", a.concentration, 1e-3, 1e3);
  if (typeof a.extraArms !== "boolean") throw new TypeError(`ablation.extraArms must be boolean`);
  assertInt("ablation.maxIter", a.maxIter, 1);
  assertNumber("ablation.c", a.c, Number.MIN_VALUE);
  assertInt("ablation.transfer.numMdps", a.transfer.numMdps, 1);
  assertInt("ablation.transfer.updates", a.transfer.updates, 1);
  assertInt("ablation.transfer.seed", a.transfer.seed, 0);
  const basins = cfg.basin.large === null
    ? [["basin", cfg.basin] as const]
    : [["basin", cfg.basin] as const, ["basin.large", cfg.basin.large] as const];
  for (const [name, b] of basins) {
    positives(`${name}.gains`, b.gains, 100);
    assertInt(`${name}.inits`, b.inits, 1);
    assertInt(`${name}.K`, b.K, 1);
    assertInt(`${name}.T`, b.T, 1);
    assertNumber(`${name}.adamLr`, b.adamLr, Number.MIN_VALUE);
    positives(`${name}.gdLrs`, b.gdLrs);
    assertNumber(`${name}.stopDist`, b.stopDist, Number.MIN_VALUE, 1);
  }
  validateVerdictRules(cfg.verdicts);
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
