/**
 * The shape every paper result takes (DESIGN "Experiment modules"): a module in
 * `lib/experiments/` exports a `Config` type, its defaults as one literal `{ quick, paper }`,
 * `run(config, hooks)`, and the pure views `tables(result)`, `figures(result)`,
 * `summary(result)`. The notebook is then claim → config → run → tables → figures → summary.
 *
 * This module holds the few types those modules share, so every notebook drives its experiment
 * the same way.
 *
 * @module
 */

import type { Row } from "../report/table.ts";
import type { Spec } from "../report/chart.ts";

/**
 * The outcome of a rule fixed in the config before the run: "qualified" where a rule has a middle
 * ground (supported with a caveat it names), "inconclusive" where the data cannot decide.
 */
export type Outcome = "supported" | "qualified" | "not supported" | "inconclusive";

/** A verdict: its outcome and one sentence with the numbers and thresholds that decided it. */
export interface Verdict {
  /** The outcome. */
  outcome: Outcome;
  /** Why: the deciding numbers and thresholds (a clause of markdown, no final period). */
  reason: string;
}

/** Quick and paper values of a config, side by side in one literal. */
export type ScaleDefaults<C> = { readonly quick: C; readonly paper: C };

/**
 * Callbacks a `run` accepts. `progress(label, done, total)` reports **running totals** of the
 * named phase (a notebook maps it onto a progress bar; see `totalsToTicks`). All optional.
 */
export interface RunHooks {
  /** Running total `done` of `total` units in phase `label`. */
  progress?: (label: string, done: number, total: number) => void | Promise<void>;
  /** A free-form line worth showing (a phase starting, a choice made). */
  log?: (line: string) => void;
}

/** Tidy tables of a result, by name (each becomes `data/<prefix>_<name>.csv`). */
export type Tables = Record<string, Row[]>;

/** Vega-lite specs of a result, by name (each becomes `figures/<prefix>_<name>.svg`). */
export type Figures = Record<string, Spec>;

/**
 * Call `hooks.progress` if present (the one place modules go through, so a missing hook costs
 * nothing and a throwing one is reported with its phase).
 *
 * @example
 * ```ts
 * import { reportProgress } from "./shape.ts";
 * await reportProgress({ progress: (l, d, t) => console.log(l, d, t) }, "train", 3, 10);
 * ```
 */
export async function reportProgress(
  hooks: RunHooks | undefined,
  label: string,
  done: number,
  total: number,
): Promise<void> {
  if (hooks?.progress === undefined) return;
  if (!(Number.isFinite(done) && Number.isFinite(total) && done >= 0 && done <= total)) {
    throw new RangeError(`progress "${label}": need 0 ≤ done ≤ total, got ${done} of ${total}`);
  }
  await hooks.progress(label, done, total);
}
