/**
 * Experiment 1 (MATH §5, §8.1), notebook 01: how exactly do the explicit constructions reproduce
 * their teachers? The config literal, `run` (the grid of `construction_grid.ts`, its maxima and
 * the verdict against MATH §5's bars) and, re-exported, the views `tables`, `figures`, `summary`.
 *
 * @module
 */

import { assertInt } from "../core/mod.ts";
import {
  checkGrid,
  type ConstructionCheckConfig,
  type ConstructionErrorRow,
  DEFAULT_CONSTRUCTION_CHECK,
  validateGrid,
} from "./construction_grid.ts";
import type { RunHooks, ScaleDefaults } from "./shape.ts";

export {
  constructionCheck,
  type ConstructionCheckConfig,
  type ConstructionErrorRow,
  DEFAULT_CONSTRUCTION_CHECK,
} from "./construction_grid.ts";

/** Every knob of notebook 01: the grid, and the d at which θ⋆ is drawn. */
export interface ConstructionConfig extends ConstructionCheckConfig {
  /** d of the SARSA construction drawn as heatmaps (the paper's 36: D = 3d + 2 = 110). */
  heatmapD: number;
}

/**
 * Notebook 01 at quick scale (3 instances per grid point) and paper scale (100): MATH §8.1's grid
 * ({@linkcode DEFAULT_CONSTRUCTION_CHECK}), SARSA drawn at d = 36.
 */
export const constructionDefaults: ScaleDefaults<ConstructionConfig> = {
  quick: { ...DEFAULT_CONSTRUCTION_CHECK, trials: 3, heatmapD: 36 },
  paper: { ...DEFAULT_CONSTRUCTION_CHECK, trials: 100, heatmapD: 36 },
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.1 s here): for doc examples, tests and a
 * first try; not a result. One grid point (n = 5, d = 4), one instance.
 */
export const constructionTiny: ConstructionConfig = {
  ...constructionDefaults.quick,
  ns: [5],
  ds: [4],
  trials: 1,
};

/** MATH §5's bars on the relative error of the exact variants. */
export const CONSTRUCTION_BARS: Readonly<{ float64: number; float32: number }> = Object.freeze({
  float64: 1e-12,
  float32: 1e-5,
});

/**
 * Validate notebook 01's config: unknown keys are refused naming the closest valid one, bad values
 * naming the field. Returns the config unchanged.
 *
 * @example
 * ```ts
 * import { constructionDefaults, validateConstructionConfig } from "./construction_check.ts";
 * validateConstructionConfig(constructionDefaults.quick);
 * ```
 */
export function validateConstructionConfig(cfg: ConstructionConfig): ConstructionConfig {
  validateGrid(cfg, Object.keys(constructionDefaults.quick));
  assertInt("heatmapD", cfg.heatmapD, 1, 1_000);
  return cfg;
}

/** The largest errors of one (algorithm, variant, precision) over the whole grid. */
export type ConstructionMaximaRow = {
  algorithm: string;
  variant: string;
  precision: string;
  maxRelErr: number;
  maxAbsErr: number;
};

/** What notebook 01 measured. */
export interface ConstructionResult {
  /** The validated config. */
  config: ConstructionConfig;
  /** One row per algorithm × variant × precision × grid point. */
  rows: ConstructionErrorRow[];
  /** Maxima over the grid, one row per algorithm × variant × precision (first-seen order). */
  maxima: ConstructionMaximaRow[];
  /** The verdict: worst exact-variant errors against the bars, best perturbed / random errors. */
  verdict: {
    /** Largest relative error of θ⋆ and its rescalings, float64. */
    exact64: number;
    /** Same in float32 (tfjs). */
    exact32: number;
    /** Smallest relative error of the perturbed θ (over algorithms and precisions). */
    perturbed: number;
    /** Smallest relative error of the random θ. */
    random: number;
    /** Both exact maxima are within {@linkcode CONSTRUCTION_BARS}. */
    holds: boolean;
  };
  /** Wall time of the run, seconds (manifest only). */
  wallTimeSec: number;
}

/** Maxima of `rows` per (algorithm, variant, precision), in first-seen order. */
function maximaOf(rows: readonly ConstructionErrorRow[]): ConstructionMaximaRow[] {
  const maxima = new Map<string, ConstructionMaximaRow>();
  for (const r of rows) {
    const key = `${r.algorithm}|${r.variant}|${r.precision}`;
    const m = maxima.get(key) ??
      {
        algorithm: r.algorithm,
        variant: r.variant,
        precision: r.precision,
        maxRelErr: 0,
        maxAbsErr: 0,
      };
    m.maxRelErr = Math.max(m.maxRelErr, r.relErr);
    m.maxAbsErr = Math.max(m.maxAbsErr, r.maxAbsErr);
    maxima.set(key, m);
  }
  return [...maxima.values()];
}

const INEXACT = ["perturbed", "random"];

/**
 * Notebook 01: the construction check over the config's grid, its maxima and the verdict against
 * MATH §5's bars. Progress: phase "construction check", one unit per (algorithm, grid point).
 *
 * @example
 * ```ts
 * import { constructionTiny, run } from "./construction_check.ts";
 * const res = await run(constructionTiny);
 * res.verdict.holds; // true
 * ```
 */
export async function run(cfg: ConstructionConfig, hooks?: RunHooks): Promise<ConstructionResult> {
  validateConstructionConfig(cfg);
  const t0 = performance.now();
  const { heatmapD: _heatmapD, ...grid } = cfg;
  const rows = await checkGrid(grid, hooks);
  const maxima = maximaOf(rows);
  const worst = (pred: (r: ConstructionMaximaRow) => boolean) =>
    Math.max(...maxima.filter(pred).map((r) => r.maxRelErr));
  const best = (variant: string) =>
    Math.min(...maxima.filter((r) => r.variant === variant).map((r) => r.maxRelErr));
  const exact64 = worst((r) => !INEXACT.includes(r.variant) && r.precision === "float64");
  const exact32 = worst((r) => !INEXACT.includes(r.variant) && r.precision !== "float64");
  const verdict = {
    exact64,
    exact32,
    perturbed: best("perturbed"),
    random: best("random"),
    holds: exact64 <= CONSTRUCTION_BARS.float64 && exact32 <= CONSTRUCTION_BARS.float32,
  };
  return { config: cfg, rows, maxima, verdict, wallTimeSec: (performance.now() - t0) / 1000 };
}

/**
 * Throw unless the exact variants met MATH §5's bars (so a failing check fails its notebook).
 *
 * @example
 * ```ts
 * import { assertConstructionHolds, constructionTiny, run } from "./construction_check.ts";
 * assertConstructionHolds(await run(constructionTiny));
 * ```
 */
export function assertConstructionHolds(res: ConstructionResult): void {
  const v = res.verdict;
  if (!v.holds) {
    throw new Error(
      `construction check failed: float64 ${v.exact64} (bar ${CONSTRUCTION_BARS.float64}), ` +
        `float32 ${v.exact32} (bar ${CONSTRUCTION_BARS.float32})`,
    );
  }
}
