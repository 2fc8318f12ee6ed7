/**
 * Experiment 2 (MATH §6, §7, §8.2): teacher-mimicking training converges onto the SARSA
 * construction's scaling manifold. Settings per scale, and tidy tables from training results.
 *
 * @module
 */

import type { Row } from "../core/aggregate.ts";
import type { TrainConfig, TrainResult } from "../train/train.ts";
import { trainConfig } from "../train/train.ts";
import { taskConstruction } from "../icrl/mod.ts";
import { fitExponentialRate, type RateFit } from "../core/stats.ts";

/** All runs of notebook 02 for one scale. */
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

/**
 * The runs of notebook 02. `paper`: K = 10 000, T = 1 000 (10⁷ prompts per seed), B = 64, 10 seeds
 * (5 required; 10 so notebook 03 has ≥ 10 independently trained blocks). `quick`: a 1-minute smoke.
 *
 * @example
 * ```ts
 * const s = convergenceSettings("quick");
 * ```
 */
export function convergenceSettings(scale: "quick" | "paper"): ConvergenceSettings {
  const paper = scale === "paper";
  const seeds = paper ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : [0, 1];
  const main = seeds.map((seed) =>
    trainConfig({
      K: paper ? 10_000 : 256,
      T: paper ? 1_000 : 100,
      batch: 64,
      logEvery: paper ? 500 : 20,
      seed,
    })
  );
  const cmp = { K: paper ? 2_000 : 64, T: paper ? 300 : 50, seed: 0 };
  return {
    main,
    exact: trainConfig({ ...cmp, batch: 1, logEvery: paper ? 4_000 : 200 }),
    exactTwin: trainConfig({ ...cmp, batch: 64, logEvery: paper ? 50 : 10 }),
    full: trainConfig({
      K: paper ? 2_000 : 64,
      T: paper ? 300 : 50,
      batch: 64,
      param: "full",
      logEvery: paper ? 100 : 10,
      seed: 0,
    }),
    fullTf: trainConfig({
      K: paper ? 128 : 16,
      T: paper ? 100 : 20,
      batch: 16,
      param: "full",
      engine: "tfjs",
      logEvery: paper ? 20 : 5,
      seed: 0,
    }),
  };
}

/**
 * Metric rows of several runs as one tidy table, tagged with `run` and `seed`.
 *
 * @example
 * ```ts
 * const rows = metricRows(results, "batched B=64");
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
