/**
 * Statistics of an experiment 6 result shared by its views (`attention_views.ts`) and its
 * generated conclusion (`attention_summary.ts`): labels, seed-averaged closed loops, one-step
 * errors and the equal-wall-time comparison.
 *
 * @module
 */

import type { Row } from "../report/table.ts";
import { fmtSig } from "../report/format.ts";
import { meanCI } from "../core/stats.ts";
import {
  summariseTransfer,
  type TransferResult,
  type TransferSummaryRow,
} from "../transfer/mod.ts";
import { averageLearners } from "./transfer_exp.ts";
import type { AttentionResult, Condition } from "./attention.ts";
import { TEACHER } from "./attention.ts";

/**
 * Display label of each evaluation condition of a result.
 *
 * @example
 * ```ts
 * import { attentionDefaults, type AttentionResult, conditionTasks } from "./attention.ts";
 * import { conditionLabels } from "./attention_stats.ts";
 * const res = { tasks: conditionTasks(attentionDefaults.quick) } as AttentionResult;
 * conditionLabels(res).nS; // "|S| = 12"
 * ```
 */
export const conditionLabels = (res: AttentionResult): Record<Condition, string> => ({
  default: `|S| = ${res.tasks.default.nS}, γ = ${res.tasks.default.gamma} (training distribution)`,
  nS: `|S| = ${res.tasks.nS.nS}`,
  gamma: `γ = ${res.tasks.gamma.gamma}`,
});

/**
 * Labels of the equal-prompts learners, in display order.
 *
 * @example
 * ```ts
 * import { attentionDefaults, type AttentionResult, learnerSpecs } from "./attention.ts";
 * import { mainLabels } from "./attention_stats.ts";
 * const res = { learners: learnerSpecs(attentionDefaults.quick, 4) } as unknown as AttentionResult;
 * mainLabels(res).length; // 5 (the equal-wall-time LSA run is left out)
 * ```
 */
export function mainLabels(res: AttentionResult): string[] {
  return res.learners.filter((l) => !l.equalWall).map((l) => l.label);
}

/**
 * Labels of every learner (the equal-wall-time LSA run included), in display order.
 *
 * @example
 * ```ts
 * import { attentionDefaults, type AttentionResult, learnerSpecs } from "./attention.ts";
 * import { allLabels } from "./attention_stats.ts";
 * const res = { learners: learnerSpecs(attentionDefaults.quick, 4) } as unknown as AttentionResult;
 * allLabels(res).length; // 6
 * ```
 */
export function allLabels(res: AttentionResult): string[] {
  return res.learners.map((l) => l.label);
}

/**
 * The closed loop of one condition with every learner averaged over its seeds (per test MDP, as
 * notebook 03 averages its trained blocks) next to the teacher.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of training)
 * import { mergedTransfer } from "./attention_stats.ts";
 * const merged = mergedTransfer(res, "default"); // learners: teacher, then one per label
 * ```
 */
export function mergedTransfer(res: AttentionResult, condition: Condition): TransferResult {
  const ci = ["default", "nS", "gamma"].indexOf(condition);
  if (ci < 0) throw new RangeError(`unknown condition ${JSON.stringify(condition)}`);
  const base = res.teacher[condition];
  let out: TransferResult = { ...base, learners: [...base.learners], rows: [...base.rows] };
  for (const r of res.runs) {
    const t = r.result.transfers[ci];
    if (t.mdps.length !== base.mdps.length || t.config.seed !== base.config.seed) {
      throw new RangeError(`run ${r.result.name}: transfer config differs from the teacher's`);
    }
    out.learners.push(...t.learners);
    out.rows.push(...t.rows);
  }
  for (const label of allLabels(res)) {
    const members = res.runs.filter((r) => r.label === label).map((r) => r.result.name);
    out = averageLearners(out, members, label);
  }
  return out;
}

/**
 * The last update step of a condition's closed loop.
 *
 * @example
 * ```ts
 * import type { AttentionResult } from "./attention.ts";
 * import { lastStep } from "./attention_stats.ts";
 * const res = { teacher: { nS: { config: { updates: 30 } } } } as unknown as AttentionResult;
 * lastStep(res, "nS"); // 30
 * ```
 */
export function lastStep(res: AttentionResult, c: Condition): number {
  return res.teacher[c].config.updates;
}

const cache = new WeakMap<AttentionResult, Record<Condition, TransferSummaryRow[]>>();

/**
 * Per-condition transfer summaries (learner averages + teacher), memoised per result object.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of training)
 * import { transferSummaries } from "./attention_stats.ts";
 * transferSummaries(res).default; // one row per learner and the teacher
 * ```
 */
export function transferSummaries(res: AttentionResult): Record<Condition, TransferSummaryRow[]> {
  let s = cache.get(res);
  if (!s) {
    s = {} as Record<Condition, TransferSummaryRow[]>;
    for (const c of ["default", "nS", "gamma"] as Condition[]) {
      const keep = new Set([TEACHER, ...allLabels(res)]);
      s[c] = summariseTransfer(mergedTransfer(res, c), { references: false }).filter((r) =>
        keep.has(r.learner)
      );
    }
    cache.set(res, s);
  }
  return s;
}

/**
 * The runs (one per seed) of a learner label.
 *
 * @example
 * ```ts
 * import type { AttentionResult } from "./attention.ts";
 * import { seedsOf } from "./attention_stats.ts";
 * seedsOf({ runs: [] } as unknown as AttentionResult, "MLP").length; // 0
 * ```
 */
export function seedsOf(res: AttentionResult, label: string): AttentionResult["runs"] {
  return res.runs.filter((r) => r.label === label);
}

/**
 * Geometric mean and CI over seeds of a learner's one-step relative error and loss on held-out
 * prompts of length `n` under `condition`.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of training)
 * import { oneStepStat } from "./attention_stats.ts";
 * oneStepStat(res, "MLP", "default", 20).relErr.mean;
 * ```
 */
export function oneStepStat(
  res: AttentionResult,
  label: string,
  condition: Condition,
  n: number,
): {
  relErr: { mean: number; lo: number; hi: number };
  loss: { mean: number; lo: number; hi: number };
} {
  const i = res.oneStepIndex.findIndex((o) => o.condition === condition && o.n === n);
  if (i < 0) throw new RangeError(`no one-step evaluation for ${condition}, n = ${n}`);
  const runs = seedsOf(res, label);
  return {
    relErr: geoCI(runs.map((r) => r.result.oneStep[i].relErr)),
    loss: geoCI(runs.map((r) => r.result.oneStep[i].loss)),
  };
}

/**
 * Geometric mean with the 95 % CI of the mean of the logs, mapped back (all values > 0).
 *
 * @example
 * ```ts
 * import { geoCI } from "./attention_stats.ts";
 * const g = geoCI([1, 100]); // g.mean = 10
 * if (Math.abs(g.mean - 10) > 1e-9 || !(g.lo < 10 && g.hi > 10)) throw new Error("geoCI");
 * ```
 */
export function geoCI(values: number[]): { mean: number; lo: number; hi: number } {
  const ci = meanCI(values.map((v) => Math.log(Math.max(v, 1e-300))));
  return { mean: Math.exp(ci.mean), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi) };
}

/**
 * Loss at wall time `W` of one run: the last logged row at or before W (the first row if none).
 *
 * @example
 * ```ts
 * import { lossAtWall } from "./attention_stats.ts";
 * const rows = [{ wallSec: 1, loss: 3 }, { wallSec: 2, loss: 2 }, { wallSec: 4, loss: 1 }];
 * lossAtWall(rows, 3); // 2
 * ```
 */
export function lossAtWall(rows: { wallSec: number; loss: number }[], W: number): number {
  let v = rows[0].loss;
  for (const r of rows) if (r.wallSec <= W) v = r.loss;
  return v;
}

/**
 * Equal wall time: W = the smallest median training wall time over the learner types, and each
 * learner's loss and prompts seen by then.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of training)
 * import { equalWall } from "./attention_stats.ts";
 * const { W, rows } = equalWall(res);
 * ```
 */
export function equalWall(res: AttentionResult): { W: number; rows: Row[] } {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const walls = allLabels(res).map((l) => med(seedsOf(res, l).map((r) => r.result.trainWallSec)));
  const W = Math.min(...walls);
  const rows = allLabels(res).map((label, i) => {
    const runs = seedsOf(res, label);
    const losses = runs.map((r) => lossAtWall(r.result.metrics, W));
    const prompts = runs.map((r) => {
      let p = r.result.metrics[0].prompts;
      for (const m of r.result.metrics) if (m.wallSec <= W) p = m.prompts;
      return p;
    });
    const geo = Math.exp(losses.reduce((s, v) => s + Math.log(v), 0) / losses.length);
    return {
      learner: label,
      wallSec: fmtSig(W),
      promptsByThen: fmtSig(prompts.reduce((a, b) => a + b, 0) / prompts.length),
      lossAtWall: fmtSig(geo),
      totalWallSec: fmtSig(walls[i]),
    };
  });
  return { W, rows };
}
