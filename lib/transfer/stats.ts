/**
 * Statistics of a transfer evaluation (MATH §8.3 "mean ± 95 % CI"): per learner and step, the
 * mean return and normalised score over test MDPs with CIs, and paired differences between
 * learners (or against the oracle and random references).
 *
 * @module
 */

import { meanCI } from "../core/stats.ts";
import type { TransferResult } from "./loop.ts";

/** One row of {@linkcode summariseTransfer}: mean J and normalised score of a learner at a step. */
export type TransferSummaryRow = {
  /** Learner name, or "oracle" / "random" for the reference lines. */
  learner: string;
  /** True for the oracle and random reference rows. */
  reference: boolean;
  /** Updates done. */
  step: number;
  /** MDPs averaged. */
  n: number;
  /** Mean J over MDPs, and its 95 % CI. */
  mean: number;
  /** Lower end of the 95 % CI of J. */
  lo: number;
  /** Upper end of the 95 % CI of J. */
  hi: number;
  /** CI half-width of J. */
  halfWidth: number;
  /** Mean normalised score `(J − J_random)/(J_oracle − J_random)` over MDPs. */
  score: number;
  /** Lower end of the 95 % CI of the score. */
  scoreLo: number;
  /** Upper end of the 95 % CI of the score. */
  scoreHi: number;
  /** CI half-width of the score. */
  scoreHalfWidth: number;
};

/** J (and score) of `name` as an MDP-major matrix over the recorded steps. */
function curveMatrix(
  res: TransferResult,
  name: string,
): { J: Float64Array; score: Float64Array } {
  const { numMdps, recordAt } = res.config;
  const S = recordAt.length;
  const J = new Float64Array(numMdps * S), score = new Float64Array(numMdps * S);
  if (name === "oracle" || name === "random") {
    for (const r of res.mdps) {
      const span = r.oracle - r.random;
      const v = name === "oracle" ? r.oracle : r.random;
      J.fill(v, r.mdp * S, (r.mdp + 1) * S);
      score.fill(span > 1e-12 ? (name === "oracle" ? 1 : 0) : NaN, r.mdp * S, (r.mdp + 1) * S);
    }
    return { J, score };
  }
  if (!res.learners.includes(name)) {
    throw new RangeError(
      `unknown learner "${name}"; have ${
        [...res.learners, "oracle", "random"].map((s) => `"${s}"`).join(", ")
      }`,
    );
  }
  const col = new Map(recordAt.map((s, i) => [s, i]));
  J.fill(NaN);
  for (const r of res.rows) {
    if (r.learner !== name) continue;
    const i = r.mdp * S + col.get(r.step)!;
    J[i] = r.J;
    score[i] = r.score;
  }
  return { J, score };
}

function column(mat: Float64Array, S: number, i: number, N: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < N; j++) {
    const v = mat[j * S + i];
    if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

/**
 * Per (learner, step): mean J over test MDPs with a 95 % CI, and the mean normalised score
 * `(J − J_random)/(J_oracle − J_random)` with its CI (MATH §8.3 "mean ± 95 % CI"). With
 * `references` (default), constant "oracle" and "random" rows are added at every step (score 1
 * and 0) — one tidy table for the line chart.
 *
 * @example
 * ```ts
 * import { summariseTransfer } from "./stats.ts";
 * import { evaluateTransfer } from "./loop.ts";
 * import { transferConfig } from "./config.ts";
 * import { constructedLearner, teacherLearner } from "./learners.ts";
 * const cfg = transferConfig({ numMdps: 3, updates: 10 });
 * const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(cfg.task)]);
 * const rows = summariseTransfer(res).filter((r) => r.step === 10);
 * ```
 */
export function summariseTransfer(
  res: TransferResult,
  opts: { references?: boolean } = {},
): TransferSummaryRow[] {
  const { references = true } = opts;
  const { numMdps, recordAt } = res.config;
  const S = recordAt.length;
  const names = references ? [...res.learners, "oracle", "random"] : [...res.learners];
  const out: TransferSummaryRow[] = [];
  for (const name of names) {
    const { J, score } = curveMatrix(res, name);
    for (let i = 0; i < S; i++) {
      const cj = meanCI(column(J, S, i, numMdps));
      const sv = column(score, S, i, numMdps);
      const cs = sv.length ? meanCI(sv) : null;
      out.push({
        learner: name,
        reference: name === "oracle" || name === "random",
        step: recordAt[i],
        n: cj.n,
        mean: cj.mean,
        lo: cj.lo,
        hi: cj.hi,
        halfWidth: (cj.hi - cj.lo) / 2,
        score: cs?.mean ?? NaN,
        scoreLo: cs?.lo ?? NaN,
        scoreHi: cs?.hi ?? NaN,
        scoreHalfWidth: cs ? (cs.hi - cs.lo) / 2 : NaN,
      });
    }
  }
  return out;
}

/** One row of {@linkcode pairedDifference}. */
export type PairedDifferenceRow = {
  /** Updates done. */
  step: number;
  /** Learner a (minuend). */
  a: string;
  /** Learner b (subtrahend). */
  b: string;
  /** MDPs paired. */
  n: number;
  /** Mean of J_a − J_b over MDPs. */
  mean: number;
  /** Lower end of the 95 % CI. */
  lo: number;
  /** Upper end of the 95 % CI. */
  hi: number;
  /** CI half-width. */
  halfWidth: number;
  /** Standard error of the mean difference. */
  se: number;
  /** Fraction of MDPs with J_a > J_b. */
  aWins: number;
};

/**
 * Mean of `J_a − J_b` over test MDPs (paired by MDP) with a 95 % CI, per recorded step (or the
 * `steps` given, each of which must be recorded). "oracle" and "random" may be used as names
 * (e.g. regret = oracle − learner).
 *
 * @example
 * ```ts
 * import { pairedDifference } from "./stats.ts";
 * import { evaluateTransfer } from "./loop.ts";
 * import { transferConfig } from "./config.ts";
 * import { constructedLearner, teacherLearner } from "./learners.ts";
 * const cfg = transferConfig({ numMdps: 3, updates: 10 });
 * const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(cfg.task)]);
 * pairedDifference(res, "constructed", "teacher", [5, 10]); // [{ step: 5, mean: 0, … }, …]
 * ```
 */
export function pairedDifference(
  res: TransferResult,
  a: string,
  b: string,
  steps: readonly number[] = res.config.recordAt,
): PairedDifferenceRow[] {
  const { numMdps, recordAt } = res.config;
  const S = recordAt.length;
  const col = new Map(recordAt.map((s, i) => [s, i]));
  steps.forEach((s, k) => {
    if (!col.has(s)) {
      throw new RangeError(
        `steps[${k}] = ${s} was not recorded (recordAt: ${recordAt.join(", ")})`,
      );
    }
  });
  const A = curveMatrix(res, a).J, B = curveMatrix(res, b).J;
  return steps.map((step) => {
    const i = col.get(step)!;
    const diff: number[] = [];
    let wins = 0;
    for (let j = 0; j < numMdps; j++) {
      const d = A[j * S + i] - B[j * S + i];
      if (Number.isNaN(d)) continue;
      diff.push(d);
      if (d > 0) wins++;
    }
    const ci = meanCI(diff);
    return {
      step,
      a,
      b,
      n: ci.n,
      mean: ci.mean,
      lo: ci.lo,
      hi: ci.hi,
      halfWidth: (ci.hi - ci.lo) / 2,
      se: ci.se,
      aWins: wins / diff.length,
    };
  });
}
