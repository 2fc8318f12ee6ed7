/**
 * Statistics of an experiment 6 result shared by its views (`attention_views.ts`) and its
 * generated conclusion (`attention_summary.ts`): labels, seed-averaged closed loops, one-step
 * errors and the equal-wall-time comparison.
 *
 * @module
 */

import type { Row } from "../report/table.ts";
import { geoMeanCI } from "../core/stats.ts";
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
 * Labels of every learner, in display order.
 *
 * @example
 * ```ts
 * import { attentionDefaults, type AttentionResult, learnerSpecs } from "./attention.ts";
 * import { allLabels } from "./attention_stats.ts";
 * const res = { learners: learnerSpecs(attentionDefaults.quick) } as unknown as AttentionResult;
 * allLabels(res).length; // 5
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
 * ```ts
 * import { mergedTransfer } from "./attention_stats.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const merged = mergedTransfer(res, "default"); // the teacher, every run, then one per label
 * merged.learners.slice(-2); // ["LSA", "MLP"]
 * if (merged.learners.length !== 1 + 4 + 2) throw new Error(merged.learners.join());
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
 * ```ts
 * import { transferSummaries } from "./attention_stats.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const rows = transferSummaries(res).default; // per learner (and the teacher) and step
 * rows.map((r) => `${r.learner}@${r.step}`).join(); // "SARSA teacher@0,SARSA teacher@1,LSA@0,…"
 * if (rows.length !== 3 * 2) throw new Error("rows"); // 3 learners × steps 0, 1
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
 * ```ts
 * import { oneStepStat } from "./attention_stats.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const s = oneStepStat(res, "MLP", "default", 20);
 * // the geometric mean over the two seeds
 * const i = res.oneStepIndex.findIndex((o) => o.condition === "default" && o.n === 20);
 * const e = res.runs.filter((r) => r.label === "MLP").map((r) => r.result.oneStep[i].relErr);
 * Math.abs(s.relErr.mean - Math.sqrt(e[0] * e[1])) < 1e-12; // true
 * if (!(Math.abs(s.relErr.mean / Math.sqrt(e[0] * e[1]) - 1) < 1e-12)) throw new Error("mean");
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
    relErr: geoMeanCI(runs.map((r) => r.result.oneStep[i].relErr)),
    loss: geoMeanCI(runs.map((r) => r.result.oneStep[i].loss)),
  };
}

/**
 * How two intervals compare: "lower" if a lies entirely below b, "higher" if entirely above,
 * "overlapping" otherwise (the data do not separate them).
 *
 * @example
 * ```ts
 * import { ciRelation } from "./attention_stats.ts";
 * ciRelation({ lo: 0.9, hi: 1.1 }, { lo: 1.8, hi: 2.2 }); // "lower"
 * ```
 */
export function ciRelation(
  a: { lo: number; hi: number },
  b: { lo: number; hi: number },
): "lower" | "higher" | "overlapping" {
  if (a.hi < b.lo) return "lower";
  if (a.lo > b.hi) return "higher";
  return "overlapping";
}

/**
 * Held-out one-step error (n = 20) of a learner at every checkpoint of its main runs: prompts,
 * geometric mean and 95 % CI over seeds, training wall time (mean).
 *
 * @example
 * ```ts
 * import { checkpointStats } from "./attention_stats.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const c = checkpointStats(res, "LSA");
 * c.map((p) => p.prompts); // [64]: one checkpoint
 * if (c.length !== 1 || !(c[0].relErr.lo <= c[0].relErr.mean)) throw new Error("checkpoints");
 * ```
 */
export function checkpointStats(
  res: AttentionResult,
  label: string,
): { prompts: number; wallSec: number; relErr: { mean: number; lo: number; hi: number } }[] {
  const runs = seedsOf(res, label);
  const n = Math.min(...runs.map((r) => r.result.checkpoints.length));
  return Array.from({ length: n }, (_, i) => ({
    prompts: runs[0].result.checkpoints[i].prompts,
    wallSec: runs.reduce((s, r) => s + r.result.checkpoints[i].wallSec, 0) / runs.length,
    relErr: geoMeanCI(runs.map((r) => r.result.checkpoints[i].oneStep.relErr)),
  }));
}

/**
 * Equal wall time: every main run was also evaluated at the first step whose training wall time
 * reached W = `config.equalWallSec`; per learner, the seeds that got there (a run that ended
 * before W has no such point), their wall time and prompts at that step, and the held-out error
 * and training loss there.
 *
 * @example
 * ```ts
 * import { equalWall } from "./attention_stats.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const { W, rows } = equalWall(res);
 * W; // 1e-6
 * rows.map((r) => r.seedsReachingW); // [2, 2]: W is tiny, so every run reaches it
 * if (rows.map((r) => r.learner).join() !== "LSA,MLP") throw new Error("rows");
 * ```
 */
export function equalWall(res: AttentionResult): { W: number; rows: Row[] } {
  const W = res.config.equalWallSec;
  const rows = allLabels(res).map((label) => {
    const runs = seedsOf(res, label);
    const at = runs.map((r) => r.result.wallPoint).filter((p) => p !== null);
    const err = at.length ? geoMeanCI(at.map((p) => p!.oneStep.relErr)) : null;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      learner: label,
      W,
      seedsReachingW: at.length,
      wallSecMean: at.length ? mean(at.map((p) => p!.wallSec)) : null,
      wallSecMax: at.length ? Math.max(...at.map((p) => p!.wallSec)) : null,
      promptsByW: at.length ? mean(at.map((p) => p!.prompts)) : null,
      relErrAtW: err ? err.mean : null,
      relErrAtWLo: err ? err.lo : null,
      relErrAtWHi: err ? err.hi : null,
      lossAtW: at.length ? geoMeanCI(at.map((p) => p!.loss)).mean : null,
      wholeRunWallSec: mean(runs.map((r) => r.result.trainWallSec)),
    };
  });
  return { W, rows };
}
