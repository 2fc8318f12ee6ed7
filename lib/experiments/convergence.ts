/**
 * Experiment 2 (MATH §6, §7, §8.2), notebook 02: teacher-mimicking training converges onto the
 * SARSA construction's scaling manifold. The config literal (`convergenceDefaults`), `run`, the
 * saved-block round trip (`saveBlocks`, `recheckSaved`) and, re-exported, the views `tables`,
 * `figures`, `summary`.
 *
 * @module
 */

import {
  assertInt,
  assertKnownKeys,
  assertNumber,
  fitExponentialRate,
  type RateFit,
  type Row,
  showValue,
} from "../core/mod.ts";
import {
  taskConstruction,
  type TaskSpec,
  type TrainConfig,
  trainConfig,
  trainMany,
  type TrainResult,
  trainTeacherMimic,
} from "../train/mod.ts";
import { type TrainingPerSeedRow, trainingPerSeedRows } from "./closed_loop.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

/** Overrides of the trainer's MATH §6 defaults (`DEFAULT_TRAIN`) for one training run. */
export type TrainOverrides = Partial<Omit<TrainConfig, "task">> & { task?: Partial<TaskSpec> };

/** Every knob of notebook 02. Runs are overrides of `DEFAULT_TRAIN` (MATH §6). */
export interface ConvergenceConfig {
  /** Seeds of the main runs (one trained block each; notebook 03 evaluates them). */
  seeds: number[];
  /** Main runs: restricted, Adam, batched — one per seed (its `seed` comes from `seeds`). */
  main: TrainOverrides;
  /** Exact mode (B = 1) on the same MDP sequence as `exactTwin`. */
  exact: TrainOverrides;
  /** The batched twin of `exact`. */
  exactTwin: TrainOverrides;
  /** Full parameterisation, hand gradients (float64): Prop 3.1. */
  full: TrainOverrides;
  /** Full parameterisation, tfjs autodiff gradients (float32): Prop 3.1 through autodiff. */
  fullTf: TrainOverrides;
  /** Final fraction of each main run's logged rows over which the loss rate is fitted. */
  rateFraction: number;
  /** Parallel Workers, at most (capped by the cores; results do not depend on it). */
  workers: number;
  /** Points (log-spaced) drawn per seed in the figure of the scale c; the tables keep every row. */
  curvePoints: number;
}

/**
 * The side runs of one scale, on seed 0's MDP sequence: exact mode (B = 1), its batched twin and the
 * full parameterisation share K and T, so the comparisons are like for like by construction.
 */
function sideRuns(K: number, T: number, logEvery: { exact: number; twin: number; full: number }) {
  return {
    exact: { K, T, batch: 1, logEvery: logEvery.exact, seed: 0 },
    exactTwin: { K, T, batch: 64, logEvery: logEvery.twin, seed: 0 },
    full: { K, T, batch: 64, param: "full" as const, logEvery: logEvery.full, seed: 0 },
  };
}

/**
 * Notebook 02 side by side. `paper`: K = 10 000, T = 1 000 (10⁷ prompts per seed), B = 64, 10
 * seeds (5 required; 10 so notebook 03 has ≥ 10 independently trained blocks). `quick`: a
 * 1-minute smoke test.
 */
export const convergenceDefaults: ScaleDefaults<ConvergenceConfig> = {
  quick: {
    seeds: [0, 1],
    main: { K: 256, T: 100, batch: 64, logEvery: 20 },
    ...sideRuns(64, 50, { exact: 200, twin: 10, full: 10 }),
    fullTf: { K: 16, T: 20, batch: 16, param: "full", engine: "tfjs", logEvery: 5, seed: 0 },
    rateFraction: 0.5,
    workers: 2,
    curvePoints: 100,
  },
  paper: {
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    main: { K: 10_000, T: 1_000, batch: 64, logEvery: 500 },
    ...sideRuns(2_000, 300, { exact: 4_000, twin: 50, full: 100 }),
    fullTf: { K: 128, T: 100, batch: 16, param: "full", engine: "tfjs", logEvery: 20, seed: 0 },
    rateFraction: 0.5,
    workers: 2,
    curvePoints: 100,
  },
};

const TINY_RUN: TrainOverrides = {
  task: { nS: 3, nA: 2, d: 4 },
  K: 2,
  T: 10,
  batch: 2,
  logEvery: 5,
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.3 s here): for doc examples, tests and a
 * first try; not a result. One seed; every run K = 2 MDPs × T = 10 on a 3-state, 2-action task.
 */
export const convergenceTiny: ConvergenceConfig = {
  ...convergenceDefaults.quick,
  seeds: [0],
  workers: 1,
  main: TINY_RUN,
  exact: { ...TINY_RUN, batch: 1, seed: 0 },
  exactTwin: { ...TINY_RUN, seed: 0 },
  full: { ...TINY_RUN, param: "full", seed: 0 },
  fullTf: { ...TINY_RUN, param: "full", engine: "tfjs", seed: 0 },
};

/** The resolved training configs of every run of notebook 02. */
export interface ConvergenceSettings {
  /** Main runs: restricted, Adam, batched — one per seed. */
  main: TrainConfig[];
  /** Exact mode (B = 1) vs batched mode on the same MDP sequence (seed 0). */
  exact: TrainConfig;
  /** The batched twin of `exact`. */
  exactTwin: TrainConfig;
  /** Full parameterisation, hand gradients (float64). */
  full: TrainConfig;
  /** Full parameterisation, tfjs autodiff gradients (float32) — Prop 3.1 measured through autodiff. */
  fullTf: TrainConfig;
}

const RUNS = ["main", "exact", "exactTwin", "full", "fullTf"] as const;

/**
 * Validate notebook 02's config: unknown keys (also inside each run) are refused naming the
 * closest valid one; every run must be a valid training config. Returns the resolved runs.
 *
 * @example
 * ```ts
 * import { convergenceDefaults, validateConvergenceConfig } from "./convergence.ts";
 * validateConvergenceConfig(convergenceDefaults.quick).main.length; // 2
 * ```
 */
export function validateConvergenceConfig(cfg: ConvergenceConfig): ConvergenceSettings {
  assertKnownKeys("convergence config", cfg, Object.keys(convergenceDefaults.quick));
  if (!Array.isArray(cfg.seeds) || cfg.seeds.length === 0) {
    throw new RangeError(`seeds must be a non-empty array, got ${showValue(cfg.seeds)}`);
  }
  cfg.seeds.forEach((s, i) => assertInt(`seeds[${i}]`, s, 0, Number.MAX_SAFE_INTEGER));
  if (new Set(cfg.seeds).size !== cfg.seeds.length) {
    throw new RangeError(`seeds must be distinct, got ${showValue(cfg.seeds)}`);
  }
  assertNumber("rateFraction", cfg.rateFraction, 0, 1);
  if (cfg.rateFraction === 0) throw new RangeError("rateFraction must be > 0, got 0");
  assertInt("workers", cfg.workers, 1, 64);
  assertInt("curvePoints", cfg.curvePoints, 2, 100_000);
  const resolve = (name: typeof RUNS[number], over: TrainOverrides) => {
    try {
      return trainConfig(over);
    } catch (e) {
      throw new RangeError(`${name}: ${(e as Error).message}`);
    }
  };
  if ("seed" in (cfg.main ?? {})) {
    throw new RangeError("main: the seeds of the main runs come from `seeds`, not main.seed");
  }
  for (const name of RUNS) resolve(name, cfg[name]);
  return {
    main: cfg.seeds.map((seed) => resolve("main", { ...cfg.main, seed })),
    exact: resolve("exact", cfg.exact),
    exactTwin: resolve("exactTwin", cfg.exactTwin),
    full: resolve("full", cfg.full),
    fullTf: resolve("fullTf", cfg.fullTf),
  };
}

/**
 * The resolved runs of notebook 02 at `scale` (what notebook 03 and `trained_blocks.ts` check
 * saved blocks against).
 *
 * @example
 * ```ts
 * import { convergenceSettings } from "./convergence.ts";
 * convergenceSettings("paper").main[0].K; // 10000
 * ```
 */
export function convergenceSettings(scale: "quick" | "paper"): ConvergenceSettings {
  if (scale !== "quick" && scale !== "paper") {
    throw new RangeError(`scale must be "quick" or "paper", got ${showValue(scale)}`);
  }
  return validateConvergenceConfig(convergenceDefaults[scale]);
}

/** Final metrics and loss-rate fit of one main run (a row of `final_per_seed`). */
export type PerSeedFinal = TrainingPerSeedRow & {
  /** Log-linear loss rate over the final `rateFraction` of the run, per 10⁶ prompts. */
  ratePerMillion: number;
  rateR2: number;
};

/** What notebook 02 measured. */
export interface ConvergenceResult {
  /** The validated config. */
  config: ConvergenceConfig;
  /** Workers actually used. */
  workers: number;
  /** Main runs, in `seeds` order. */
  main: TrainResult[];
  /** Exact mode (B = 1). */
  exact: TrainResult;
  /** Its batched twin. */
  exactTwin: TrainResult;
  /** Full parameterisation, hand gradient. */
  full: TrainResult;
  /** Full parameterisation, tfjs autodiff. */
  fullTf: TrainResult;
  /** Final metrics and rate fit per main run. */
  perSeed: PerSeedFinal[];
  /** Wall time of each phase and in all, seconds (manifest only). */
  seconds: { main: number; compare: number; full: number; total: number };
}

/**
 * Notebook 02: the main runs (in parallel Workers), exact vs batched mode, and the full
 * parameterisation with both gradient engines. Progress phases: "training (all seeds)",
 * "exact vs batched", "full parameterisation" (running totals of prompts).
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * const res = await run(convergenceTiny);
 * res.perSeed.length; // 1
 * ```
 */
export async function run(cfg: ConvergenceConfig, hooks?: RunHooks): Promise<ConvergenceResult> {
  const runs = validateConvergenceConfig(cfg);
  const workers = Math.min(cfg.workers, navigator.hardwareConcurrency || 1);
  // trainMany reports each run's running total; the phase total is their sum.
  let chain = Promise.resolve();
  const phase = (label: string, configs: TrainConfig[]) => {
    const done = configs.map(() => 0);
    const total = configs.reduce((s, c) => s + c.K * c.T, 0);
    return (i: number, n: number) => {
      done[i] = n;
      const sum = done.reduce((a, b) => a + b, 0);
      chain = chain.then(() => reportProgress(hooks, label, sum, total));
    };
  };
  const t0 = performance.now();
  const mainTick = phase("training (all seeds)", runs.main);
  const main = await trainMany(runs.main, workers, (i, n) => mainTick(i, n));
  await chain;
  const t1 = performance.now();
  const cmpTick = phase("exact vs batched", [runs.exact, runs.exactTwin]);
  const [exact, exactTwin] = await trainMany(
    [runs.exact, runs.exactTwin],
    workers,
    (i, n) => cmpTick(i, n),
  );
  await chain;
  const t2 = performance.now();
  const fullTick = phase("full parameterisation", [runs.full, runs.fullTf]);
  const full = await trainTeacherMimic(runs.full, (n) => fullTick(0, n));
  const fullTf = await trainTeacherMimic(runs.fullTf, (n) => fullTick(1, n));
  await chain;
  const t3 = performance.now();
  const perSeed = main.map((r) => {
    const fit = finalPhaseRate(r, cfg.rateFraction);
    return { ...trainingPerSeedRows([r])[0], ratePerMillion: fit.rate, rateR2: fit.r2 };
  });
  const s = (a: number, b: number) => (b - a) / 1000;
  return {
    config: cfg,
    workers,
    main,
    exact,
    exactTwin,
    full,
    fullTf,
    perSeed,
    seconds: { main: s(t0, t1), compare: s(t1, t2), full: s(t2, t3), total: s(t0, t3) },
  };
}

/**
 * Metric rows of several runs as one tidy table, tagged with `run` and `seed`.
 *
 * @example
 * ```ts
 * import { metricRows } from "./convergence.ts";
 * import { trainConfig, trainTeacherMimic } from "../train/mod.ts";
 * const task = { nS: 3, nA: 2, d: 4 };
 * const result = await trainTeacherMimic(trainConfig({ task, K: 2, T: 10, batch: 2, logEvery: 5 }));
 * const rows = metricRows([result], "batched B=2");
 * ```
 */
export function metricRows(results: TrainResult[], run: string): Row[] {
  return results.flatMap((r) =>
    r.metrics.map((m) => ({
      run,
      seed: r.config.seed,
      mode: r.config.batch === 1 ? "exact" : `batched B=${r.config.batch}`,
      param: r.config.param,
      engine: r.config.engine,
      step: m.step,
      prompts: m.prompts,
      mdps: m.mdps,
      lr: m.lr,
      loss: m.loss,
      dist: m.dist,
      cosP12: m.cosP12,
      cosV21: m.cosV21,
      absCosP12: Math.abs(m.cosP12),
      absCosV21: Math.abs(m.cosV21),
      cP: m.cP,
      cV: m.cV,
      drift: Number.isNaN(m.drift) ? null : m.drift,
      zeroBlocks: Number.isNaN(m.zeroBlocks) ? null : m.zeroBlocks,
    }))
  );
}

/**
 * Learned `P12`, `V̄21` normalised by the fitted scale (`P12/c`, `c·V̄21`, with `c = cP`) next to the
 * construction's, as `{matrix, row, col, value}` rows for heatmaps.
 *
 * @example
 * ```ts
 * import { normalisedBlockRows } from "./convergence.ts";
 * import { trainConfig, trainTeacherMimic } from "../train/mod.ts";
 * const task = { nS: 3, nA: 2, d: 4 };
 * const result = await trainTeacherMimic(trainConfig({ task, K: 2, T: 10, batch: 2, logEvery: 5 }));
 * const cells = normalisedBlockRows(result);
 * ```
 */
export function normalisedBlockRows(result: TrainResult): Row[] {
  const { blocks, task } = result.model;
  const star = taskConstruction(task);
  const c = result.metrics.at(-1)!.cP;
  const out: Row[] = [];
  const push = (matrix: string, data: ArrayLike<number>, rows: number, cols: number, f: number) => {
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < cols; k++) {
        out.push({ matrix, row: r, col: k, value: data[r * cols + k] * f });
      }
    }
  };
  push("learned P12 / c", blocks.P12, blocks.m, blocks.p, 1 / c);
  push("P⋆12", star.P12, star.m, star.p, 1);
  push("learned c·V̄21", blocks.V21bar, blocks.p - 1, blocks.m, c);
  push("V̄⋆21", star.V21bar, star.p - 1, star.m, 1);
  return out;
}

/**
 * Exponential rate of the loss over the final phase of a run: a log-linear fit of loss vs prompts over
 * the last `fraction` of its logged rows (rate reported per 10⁶ prompts).
 *
 * @example
 * ```ts
 * import { finalPhaseRate } from "./convergence.ts";
 * import { trainConfig, trainTeacherMimic } from "../train/mod.ts";
 * const task = { nS: 3, nA: 2, d: 4 };
 * const result = await trainTeacherMimic(trainConfig({ task, K: 2, T: 10, batch: 2, logEvery: 5 }));
 * finalPhaseRate(result, 0.5).rate; // per 10⁶ prompts
 * ```
 */
export function finalPhaseRate(
  result: TrainResult,
  fraction = 0.5,
): RateFit & { fromPrompts: number } {
  const rows = result.metrics.filter((m) => m.loss > 0 && Number.isFinite(m.loss));
  const start = Math.floor(rows.length * (1 - fraction));
  const tail = rows.slice(start);
  return {
    ...fitExponentialRate(tail.map((m) => m.prompts / 1e6), tail.map((m) => m.loss)),
    fromPrompts: tail[0].prompts,
  };
}
