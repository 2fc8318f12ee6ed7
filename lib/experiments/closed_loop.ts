/**
 * Views shared by the closed-loop experiments (notebooks 03 and 04; MATH §8.3–§8.4): several
 * trained blocks averaged into one learner, the "mean [95 % CI] at selected steps" table with the
 * paired differences to the teacher, the per-seed spread, the J / score curves, and the per-seed
 * summary of a set of training runs. Written once so both notebooks print the same way.
 *
 * @module
 */

import {
  pairedDifference,
  type PairedDifferenceRow,
  type TransferResult,
  type TransferRow,
  type TransferSummaryRow,
} from "../transfer/mod.ts";
import type { TrainResult } from "../train/mod.ts";
import { fmtCI, fmtFixed, lineChart, type Row, type Spec } from "../report/mod.ts";
import { assertInt } from "../core/validate.ts";

/**
 * Add a learner `name` whose J and score at each (MDP, step) are the mean over `members` (one
 * trained block per training seed → one learner whose CI over test MDPs pairs with the teacher's).
 * Returns a new result (the input is not modified).
 *
 * @example
 * ```ts
 * import { averageLearners } from "./closed_loop.ts";
 * import type { TransferResult } from "../transfer/mod.ts";
 * const res = { learners: ["a", "b"], rows: [
 *   { mdp: 0, learner: "a", step: 0, J: 1, score: 0 },
 *   { mdp: 0, learner: "b", step: 0, J: 3, score: 1 },
 * ] } as unknown as TransferResult;
 * const out = averageLearners(res, ["a", "b"], "mean");
 * if (out.rows.at(-1)!.J !== 2) throw new Error("mean of 1 and 3");
 * ```
 */
export function averageLearners(
  result: TransferResult,
  members: readonly string[],
  name: string,
): TransferResult {
  if (members.length === 0) throw new RangeError("members must name at least one learner");
  for (const m of members) {
    if (!result.learners.includes(m)) {
      throw new RangeError(
        `learner ${JSON.stringify(m)} is not in the result (${result.learners.join(", ")})`,
      );
    }
  }
  if (result.learners.includes(name)) {
    throw new RangeError(`learner ${JSON.stringify(name)} already exists`);
  }
  const set = new Set(members);
  const acc = new Map<string, { mdp: number; step: number; J: number; score: number; k: number }>();
  for (const r of result.rows) {
    if (!set.has(r.learner)) continue;
    const key = `${r.mdp}/${r.step}`;
    const a = acc.get(key) ?? { mdp: r.mdp, step: r.step, J: 0, score: 0, k: 0 };
    a.J += r.J;
    a.score += r.score;
    a.k++;
    acc.set(key, a);
  }
  const extra: TransferRow[] = [];
  for (const a of acc.values()) {
    if (a.k !== members.length) {
      throw new RangeError(
        `MDP ${a.mdp}, step ${a.step}: ${a.k} of ${members.length} members recorded`,
      );
    }
    extra.push({ mdp: a.mdp, learner: name, step: a.step, J: a.J / a.k, score: a.score / a.k });
  }
  return { ...result, learners: [...result.learners, name], rows: [...result.rows, ...extra] };
}

/**
 * The summary row of `learner` at `step`; throws naming both if it is missing.
 *
 * @example
 * ```ts
 * import { atStep } from "./closed_loop.ts";
 * const rows = [{ learner: "t", step: 5, mean: 0.3 }] as never;
 * if (atStep(rows, "t", 5).mean !== 0.3) throw new Error();
 * ```
 */
export function atStep(
  summary: readonly TransferSummaryRow[],
  learner: string,
  step: number,
): TransferSummaryRow {
  const r = summary.find((s) => s.learner === learner && s.step === step);
  if (r === undefined) {
    throw new RangeError(`no summary row for learner ${JSON.stringify(learner)} at step ${step}`);
  }
  return r;
}

/** Names of the learners a closed-loop table compares. */
export interface ClosedLoopNames {
  /** The averaged trained blocks. */
  trained: string;
  /** The teacher run on the same loop. */
  teacher: string;
  /** The constructed block θ⋆. */
  constructed: string;
}

/** Options of {@linkcode closedLoopTable}. */
export interface ClosedLoopTableOptions extends ClosedLoopNames {
  /** Header of the teacher's column ("teacher", "AC teacher"). */
  teacherColumn: string;
  /** Steps (rows) of the table; each must be recorded. */
  steps: readonly number[];
  /** Decimals of the paired-difference columns. */
  diffDecimals: number;
  /** Add a "teacher score" column. */
  teacherScore: boolean;
}

/**
 * A normalised score with its 95 % interval, `mean [lo, hi]`, from a row's `score`, `scoreLo`,
 * `scoreHi` (the closed-loop summary's columns).
 *
 * @example
 * ```ts
 * import { fmtScoreCI } from "./closed_loop.ts";
 * const s = fmtScoreCI({ score: 0.5, scoreLo: 0.25, scoreHi: 0.75 });
 * if (s !== "0.500 [0.250, 0.750]") throw new Error(s);
 * ```
 */
export function fmtScoreCI(r: { score: number; scoreLo: number; scoreHi: number }): string {
  return fmtCI({ mean: r.score, lo: r.scoreLo, hi: r.scoreHi });
}

/**
 * The closed-loop table: per step, mean J [95 % CI] of the trained blocks, the teacher and θ⋆, the
 * oracle and random returns, the paired differences trained − teacher and constructed − teacher,
 * and the normalised score(s) [95 % CI].
 *
 * @example
 * ```ts
 * import { closedLoopTable } from "./closed_loop.ts";
 * import {
 *   constructedLearner, evaluateTransfer, summariseTransfer, teacherLearner, transferConfig,
 * } from "../transfer/mod.ts";
 * import { DEFAULT_TASK } from "../train/mod.ts";
 * const cfg = transferConfig({ task: DEFAULT_TASK, numMdps: 2, updates: 2, recordAt: [0, 2], seed: 1 });
 * const res = await evaluateTransfer(cfg, [teacherLearner("teacher"),
 *   constructedLearner(DEFAULT_TASK, "θ⋆")]);
 * const table = closedLoopTable(res, summariseTransfer(res), { trained: "θ⋆", teacher: "teacher",
 *   constructed: "θ⋆", teacherColumn: "teacher", steps: [0, 2], diffDecimals: 3,
 *   teacherScore: false });
 * table[1].trained; // "mean [lo, hi]" of θ⋆ after 2 updates
 * ```
 */
export function closedLoopTable(
  res: TransferResult,
  summary: readonly TransferSummaryRow[],
  opts: ClosedLoopTableOptions,
): Row[] {
  const { trained, teacher, constructed, steps, diffDecimals } = opts;
  const paired = pairedDifference(res, trained, teacher, steps);
  const pairedC = pairedDifference(res, constructed, teacher, steps);
  const score = fmtScoreCI;
  return steps.map((step, i) => {
    const at = (name: string) => atStep(summary, name, step);
    return {
      step,
      trained: fmtCI(at(trained)),
      [opts.teacherColumn]: fmtCI(at(teacher)),
      constructed: fmtCI(at(constructed)),
      oracle: fmtFixed(at("oracle").mean, 3),
      random: fmtFixed(at("random").mean, 3),
      "trained − teacher": fmtCI(paired[i], diffDecimals),
      "constructed − teacher": fmtCI(pairedC[i], diffDecimals),
      "trained score": score(at(trained)),
      ...(opts.teacherScore ? { "teacher score": score(at(teacher)) } : {}),
    };
  });
}

/**
 * Each learner's own mean J [CI] and score at `step`; with `minusTeacher`, also its paired
 * difference to `teacher` (0 for the teacher itself).
 *
 * @example
 * ```ts
 * import { perSeedClosedLoop } from "./closed_loop.ts";
 * import {
 *   constructedLearner, evaluateTransfer, summariseTransfer, teacherLearner, transferConfig,
 * } from "../transfer/mod.ts";
 * import { DEFAULT_TASK } from "../train/mod.ts";
 * const cfg = transferConfig({ task: DEFAULT_TASK, numMdps: 2, updates: 2, recordAt: [0, 2], seed: 1 });
 * const res = await evaluateTransfer(cfg, [teacherLearner("teacher"),
 *   constructedLearner(DEFAULT_TASK, "θ⋆")]);
 * const rows = perSeedClosedLoop(res, summariseTransfer(res), ["θ⋆", "teacher"], 2, "teacher");
 * if (rows[1].minusTeacher !== 0) throw new Error("the teacher's own difference is 0");
 * ```
 */
export function perSeedClosedLoop(
  res: TransferResult,
  summary: readonly TransferSummaryRow[],
  learners: readonly string[],
  step: number,
  minusTeacher?: string,
): Row[] {
  return learners.map((name) => {
    const r = atStep(summary, name, step);
    const row: Row = { learner: name, J: r.mean, lo: r.lo, hi: r.hi, score: r.score };
    if (minusTeacher === undefined) return row;
    const d: PairedDifferenceRow | null = name === minusTeacher
      ? null
      : pairedDifference(res, name, minusTeacher, [step])[0];
    return {
      ...row,
      minusTeacher: d ? d.mean : 0,
      minusTeacherLo: d ? d.lo : 0,
      minusTeacherHi: d ? d.hi : 0,
    };
  });
}

/** Options of {@linkcode closedLoopCurve}: the learners shown and the chart's labels. */
export interface ClosedLoopCurveOptions {
  /** Learners drawn, in legend order. */
  shown: readonly string[];
  /** "J" (mean J with CI band) or "score" (normalised score with CI band). */
  y: "J" | "score";
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  width: number;
  height: number;
}

/**
 * Line chart of J (or the normalised score) vs update step with 95 % CI bands, one line per shown
 * learner. Only the plotted columns go into the chart's data, so the spec stays small.
 *
 * @example
 * ```ts
 * import { closedLoopCurve } from "./closed_loop.ts";
 * const rows = [0, 1].map((step) => ({ learner: "t", step, mean: step, lo: step - 1, hi: step + 1,
 *   score: step, scoreLo: 0, scoreHi: 2 })) as never;
 * closedLoopCurve(rows, { shown: ["t"], y: "J", title: "J", xTitle: "step", yTitle: "J",
 *   width: 300, height: 200 });
 * ```
 */
export function closedLoopCurve(
  summary: readonly TransferSummaryRow[],
  opts: ClosedLoopCurveOptions,
): Spec {
  const [y, lower, upper] = opts.y === "J"
    ? ["mean", "lo", "hi"] as const
    : ["score", "scoreLo", "scoreHi"] as const;
  const rows = summary.filter((r) => opts.shown.includes(r.learner)).map((r) => ({
    learner: r.learner,
    step: r.step,
    [y]: r[y],
    [lower]: r[lower],
    [upper]: r[upper],
  }));
  return lineChart({
    rows,
    x: "step",
    y,
    lower,
    upper,
    color: "learner",
    colorOrder: opts.shown,
    title: opts.title,
    ...(opts.subtitle !== undefined ? { subtitle: opts.subtitle } : {}),
    xTitle: opts.xTitle,
    yTitle: opts.yTitle,
    width: opts.width,
    height: opts.height,
  });
}

/** Final training metrics of one seed's run (a row of the per-seed tables of 02 and 04). */
export type TrainingPerSeedRow = {
  seed: number;
  finalLoss: number;
  dist: number;
  cosP12: number;
  cosV21: number;
  c: number;
};

/**
 * Final metrics of each training run: `{seed, finalLoss, dist, cosP12, cosV21, c}` (c = cP).
 *
 * @example
 * ```ts
 * import { trainingPerSeedRows } from "./closed_loop.ts";
 * const last = { loss: 1e-6, dist: 0.01, cosP12: 0.999, cosV21: 0.998, cP: 0.8 };
 * const rows = trainingPerSeedRows([{ config: { seed: 3 }, metrics: [last] }] as never);
 * if (rows[0].c !== 0.8) throw new Error();
 * ```
 */
export function trainingPerSeedRows(results: readonly TrainResult[]): TrainingPerSeedRow[] {
  return results.map((r) => {
    const last = r.metrics.at(-1);
    if (last === undefined) throw new RangeError(`run of seed ${r.config.seed} has no metrics`);
    return {
      seed: r.config.seed,
      finalLoss: last.loss,
      dist: last.dist,
      cosP12: last.cosP12,
      cosV21: last.cosV21,
      c: last.cP,
    };
  });
}

/**
 * Require a non-empty array of integers ≥ `min` (seeds, steps, sizes of an experiment config).
 *
 * @example
 * ```ts
 * import { assertIntList } from "./closed_loop.ts";
 * assertIntList("seeds", [0, 1], 0);
 * ```
 */
export function assertIntList(name: string, v: number[], min: number): void {
  if (!Array.isArray(v) || v.length === 0) {
    throw new RangeError(`${name} must be a non-empty array, got ${JSON.stringify(v)}`);
  }
  v.forEach((x, i) => assertInt(`${name}[${i}]`, x, min));
}
