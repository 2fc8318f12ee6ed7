/**
 * Tables of experiment 5 (`settle.ts`): tidy rows per view. The closed forms they quote live below:
 * the balanced scale (`icrl/manifold.ts`), bounds on μ (`icrl/richness_stats.ts`), Wilson intervals
 * (`core/stats.ts`). Figures are in `settle_views.ts`.
 *
 * @module
 */

import { fmtSig } from "../report/format.ts";
import { matrixRows } from "../report/chart.ts";
import type { Row } from "../report/table.ts";
import { finiteOrNull } from "../core/row.ts";
import type { RichnessOut } from "../settle/jobs.ts";
import type { Tables } from "./shape.ts";
import type { BasinRun, SettleResult } from "./settle.ts";
import { geoMeanCI, meanCI, upperMedian, wilson } from "../core/stats.ts";
import { balancedScale } from "../icrl/manifold.ts";
import { muBounds } from "../icrl/richness_stats.ts";
import {
  adamLrVerdict,
  balanceVerdict,
  basinVerdict,
  confusionOf,
  etaScalingVerdict,
  failureVerdict,
  rateVerdict,
  richnessVerdict,
} from "./settle_verdicts.ts";
import type { Verdict } from "./shape.ts";

function richnessRows(label: string, d: number, r: RichnessOut): Row[] {
  return r.perC.map((p) => ({
    set: label,
    d,
    method: p.gn.method,
    c: p.c,
    params: p.gn.params,
    prompts: r.prompts,
    zeros: p.gn.zeros,
    mu: finiteOrNull(p.gn.mu),
    muResidual: finiteOrNull(p.gn.muResidual),
    muResidualLower: finiteOrNull(muBounds(p.gn).residualLower),
    muTempleLower: finiteOrNull(muBounds(p.gn).temple),
    lambdaMax: p.gn.lambdaMax,
    condition: p.gn.mu ? p.gn.lambdaMax / p.gn.mu : null,
    scalingResidual: p.scalingResidual,
    structuralZeros: r.structuralZeros,
    tokenRank: r.gram.tokens.rank,
    tokenSize: r.gram.tokens.size,
    tokenMinEig: r.gram.tokens.smallest,
    wTildeRank: r.gram.wTilde.rank,
    wTildeSize: r.gram.wTilde.size,
    wTildeMinEig: r.gram.wTilde.smallest,
  }));
}

/**
 * Outcome class of a basin run: "reached M⋆", "diverged", "stalled near 0" (‖P‖·‖V‖ < 1e-3 at the
 * end of the budget) or "not within budget".
 *
 * @example
 * ```ts
 * import { basinClass } from "./settle_tables.ts";
 * import type { BasinRun } from "./settle.ts";
 * const run = { out: { status: "diverged" } } as BasinRun;
 * if (basinClass(run) !== "diverged") throw new Error("expected diverged");
 * ```
 */
export function basinClass(b: BasinRun): string {
  if (b.out.status === "converged") return "reached M⋆";
  if (b.out.status === "diverged") return "diverged";
  const f = b.out.rows[b.out.rows.length - 1];
  return f.normP * f.normV < 1e-3 ? "stalled near 0" : "not within budget";
}

function basinGroups(res: SettleResult): Row[] {
  const out: Row[] = [];
  const keys = new Map<string, BasinRun>();
  for (const b of res.basin) keys.set(`${b.d}|${b.setting}|${b.gain}`, b);
  for (const first of keys.values()) {
    const runs = res.basin.filter((b) =>
      b.d === first.d && b.setting === first.setting && b.gain === first.gain
    );
    const k = runs.filter((b) => b.out.status === "converged").length;
    const w = wilson(k, runs.length);
    const fails = runs.filter((b) => b.out.status !== "converged");
    const last = (b: BasinRun) => b.out.rows[b.out.rows.length - 1];
    out.push({
      d: first.d,
      setting: first.setting,
      optimizer: first.optimizer,
      lr: first.lr,
      gain: first.gain,
      runs: runs.length,
      reached: k,
      fraction: w.mean,
      lo: w.lo,
      hi: w.hi,
      diverged: runs.filter((b) => b.out.status === "diverged").length,
      stalled: runs.filter((b) => basinClass(b) === "stalled near 0").length,
      notWithinBudget: runs.filter((b) => basinClass(b) === "not within budget").length,
      failMedianLoss: finiteOrNull(upperMedian(fails.map((b) => last(b).loss))),
      failMedianDist: finiteOrNull(upperMedian(fails.map((b) => last(b).dist))),
      failMedianAbsC: finiteOrNull(upperMedian(fails.map((b) => Math.abs(last(b).cP)))),
      medianFinalDist: finiteOrNull(upperMedian(runs.map((b) => last(b).dist))),
      medianPromptsToReach: finiteOrNull(
        upperMedian(runs.filter((b) => b.out.status === "converged").map((b) => last(b).prompts)),
      ),
      reachedMedianAbsC: finiteOrNull(
        upperMedian(
          runs.filter((b) => b.out.status === "converged").map((b) => Math.abs(last(b).cP)),
        ),
      ),
    });
  }
  return out;
}

function scaleRows(res: SettleResult): Row[] {
  const alpha = res.smallTask.alpha;
  return res.scale.map((s) => {
    const f = s.out.rows[s.out.rows.length - 1], d0 = s.out.rows[0].balance;
    const pred = balancedScale(s.d, alpha, d0);
    return {
      d: s.d,
      optimizer: s.optimizer,
      lr: s.lr,
      gain: s.gain,
      seed: s.seed,
      balanceStart: d0,
      balanceEnd: f.balance,
      predictedAbsC0: balancedScale(s.d, alpha, 0),
      predictedAbsCDelta: pred,
      predictedAbsCEnd: balancedScale(s.d, alpha, f.balance),
      measuredAbsC: Math.abs(f.cP),
      offset: Math.abs(Math.abs(f.cP) / pred - 1),
      dist: f.dist,
      loss: f.loss,
      prompts: f.prompts,
      steps: f.step,
    };
  });
}

function ci(xs: number[]): { mean: number; lo: number; hi: number } {
  const c = meanCI(xs);
  return { mean: c.mean, lo: c.lo, hi: c.hi };
}

function scaleGroups(res: SettleResult, optimizer: "gd" | "adam"): Row[] {
  const rows = scaleRows(res).filter((r) => r.optimizer === optimizer && r.d === res.smallTask.d);
  const out: Row[] = [];
  const lrs = [...new Set(rows.map((r) => r.lr as number))];
  for (const lr of lrs) {
    const g = rows.filter((r) => r.lr === lr);
    const c = ci(g.map((r) => r.measuredAbsC as number));
    const off = geoMeanCI(g.map((r) => r.offset as number));
    out.push({
      optimizer,
      lr,
      runs: g.length,
      prompts: g[0].prompts as number,
      etaSteps: optimizer === "gd" ? lr * (g[0].steps as number) : null,
      absC: c.mean,
      absCLo: c.lo,
      absCHi: c.hi,
      offsetGeoMean: off.mean,
      offsetLo: off.lo,
      offsetHi: off.hi,
      balanceEndMean: ci(g.map((r) => r.balanceEnd as number)).mean,
      maxDist: Math.max(...g.map((r) => r.dist as number)),
    });
  }
  return out;
}

function armRunRows(res: SettleResult): Row[] {
  return res.arms.map((a) => {
    const s = a.richnessSmall.perC[0].gn;
    const g = a.richness.perC[0]?.gn;
    return {
      arm: a.label,
      seed: a.seed,
      status: a.status,
      loss: a.final.loss,
      dist: a.final.dist,
      absCosP12: Math.abs(a.final.cosP12),
      absCosV21: Math.abs(a.final.cosV21),
      cP: a.final.cP,
      balance: a.final.balance,
      zerosSmall: s.zeros,
      muSmall: finiteOrNull(s.mu),
      tokenRankSmall: a.richnessSmall.gram.tokens.rank,
      tokenSizeSmall: a.richnessSmall.gram.tokens.size,
      tokenRank36: a.richness.gram.tokens.rank,
      structuralZeros36: a.richness.structuralZeros,
      zeros36: g ? g.zeros : null,
      zeros36Capped: g ? g.zerosCapped : null,
      muUpper36: g ? finiteOrNull(g.mu) : null,
      muResidual36: g ? finiteOrNull(g.muResidual) : null,
      lambdaMax36: g ? g.lambdaMax : null,
      score: a.score.mean,
      teacherScore: a.teacherScore.mean,
      wallTimeSec: a.wallTimeSec,
    };
  });
}

/** Arm labels in run order. */
function armLabels(res: SettleResult): string[] {
  return [...new Set(res.arms.map((a) => a.label))];
}

function armRows(res: SettleResult): Row[] {
  const runs = armRunRows(res);
  const rules = res.config.verdicts.failure;
  const paperMu = geoMeanCI(
    runs.filter((r) => r.arm === armLabels(res)[0]).map((r) => (r.muSmall as number) ?? 1e-300),
  ).mean;
  return armLabels(res).map((label) => {
    const g = runs.filter((r) => r.arm === label);
    const first = g[0];
    const dist = geoMeanCI(g.map((r) => r.dist as number));
    const score = ci(g.map((r) => r.score as number));
    const mus = g.map((r) => r.muSmall as number | null);
    const muGeo = mus.every((m) => m !== null) ? geoMeanCI(mus as number[]).mean : null;
    const multiZero = g.filter((r) => (r.zerosSmall as number) > 1).length;
    const flagZeros = multiZero * 2 >= g.length;
    return {
      arm: label,
      seeds: g.length,
      distGeoMean: dist.mean,
      distLo: dist.lo,
      distHi: dist.hi,
      distMax: Math.max(...g.map((r) => r.dist as number)),
      score: score.mean,
      scoreLo: score.lo,
      scoreHi: score.hi,
      teacherScore: ci(g.map((r) => r.teacherScore as number)).mean,
      absCP: ci(g.map((r) => Math.abs(r.cP as number))).mean,
      zerosSmall: g.map((r) => r.zerosSmall).join("/"),
      muSmallGeoMean: muGeo,
      muRatio: muGeo === null ? null : muGeo / paperMu,
      tokenRankSmall: Math.min(...g.map((r) => r.tokenRankSmall as number)),
      tokenSizeSmall: first.tokenSizeSmall,
      tokenRank36: Math.min(...g.map((r) => r.tokenRank36 as number)),
      structuralZeros36: Math.max(...g.map((r) => r.structuralZeros36 as number)),
      zeros36: first.zeros36,
      zeros36Capped: first.zeros36Capped,
      muUpper36: first.muUpper36,
      muResidual36: first.muResidual36,
      lambdaMax36: first.lambdaMax36,
      failed: dist.mean > rules.failDist,
      flagZeros,
      flagZerosOrMu: flagZeros || (muGeo !== null && muGeo < rules.muRatioPoor * paperMu),
    };
  });
}

function confusionRows(res: SettleResult): Row[] {
  const arms = armRows(res);
  const f = res.config.verdicts.failure;
  const preds: [string, string][] = [
    ["flagZeros", `zero count > 1 at d = ${res.smallTask.d} (exact; in ≥ half the seeds)`],
    [
      "flagZerosOrMu",
      `zero count > 1, or μ < ${fmtSig(f.muRatioPoor)}× the paper arm's (d = ${res.smallTask.d})`,
    ],
  ];
  return preds.map(([key, predictor]) => {
    const pairs = arms.map((a) => ({ flagged: a[key] as boolean, failed: a.failed as boolean }));
    const c = confusionOf(pairs);
    const v = failureVerdict(c, f);
    const names = (flag: boolean, failed: boolean) =>
      arms.filter((a) => a[key] === flag && a.failed === failed).map((a) => a.arm).join("; ");
    return {
      predictor,
      failureCriterion: `geometric-mean distance over seeds > ${fmtSig(f.failDist)}`,
      flaggedFailed: c.tp,
      flaggedOk: c.fp,
      unflaggedFailed: c.fn,
      unflaggedOk: c.tn,
      precision: c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null,
      recall: c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : null,
      outcome: v.outcome,
      armsFlaggedFailed: names(true, true),
      armsFlaggedOk: names(true, false),
      armsUnflaggedFailed: names(false, true),
    };
  });
}

/**
 * Every pre-registered verdict of the run (`settle_verdicts.ts`), one row each: the claim, the
 * outcome and the numbers that decided it.
 *
 * @example
 * ```ts
 * import { verdictRows } from "./settle_tables.ts";
 * import { run, settleTiny } from "./settle.ts";
 * const res = await run(settleTiny);
 * const ids = verdictRows(res).map((v) => v.id);
 * // one GD and one Adam rate: no "eta-scaling" or "adam-lr"; no basin gain ≤ 0.1: no "basin-4"
 * ids.slice(0, 4); // ["richness-small", "richness-36", "rate-fixed", "rate-fresh"]
 * ids.slice(4); // ["balance-gd", "failure", "failure-mu"]
 * if (ids.length !== 7 || ids.includes("adam-lr")) throw new Error(ids.join());
 * ```
 */
export function verdictRows(res: SettleResult): Row[] {
  const V = res.config.verdicts;
  const dS = res.smallTask.d;
  const out: Row[] = [];
  const push = (id: string, claim: string, v: Verdict) =>
    out.push({ id, claim, outcome: v.outcome, reason: v.reason });
  const rich = (r: RichnessOut, exact: boolean) => ({
    zeros: r.perC.map((p) => p.gn.zeros),
    gramFull: r.gram.tokens.rank === r.gram.tokens.size &&
      r.gram.wTilde.rank === r.gram.wTilde.size,
    kappa: r.perC.map((p) => p.gn.mu ? p.gn.lambdaMax / p.gn.mu : Infinity),
    exact,
  });
  push(
    "richness-small",
    `Richness (one zero eigenvalue, full-rank Gram matrices) holds on the paper's distribution, d = ${dS} (exact spectrum)`,
    richnessVerdict(rich(res.richness.small, true), V.richness),
  );
  push(
    "richness-36",
    `Richness holds on the paper's distribution, d = 36 (LOBPCG)`,
    richnessVerdict(rich(res.richness.large, false), V.richness),
  );
  const fixed = res.rate.filter((r) => r.set === "fixed");
  const fresh = res.rate.filter((r) => r.set === "fresh");
  if (fixed.length) {
    push(
      "rate-fixed",
      `GD on a fixed prompt set near M⋆: loss log-slope = 2·log(1 − ημ) (d = ${dS})`,
      rateVerdict(fixed.map((r) => r.measuredLossSlope / r.predictedLossSlope), V.rate),
    );
  }
  if (fresh.length) {
    push(
      "rate-fresh",
      `GD on fresh prompts near M⋆: distance log-slope = log(1 − ημ) of the population G (d = ${dS})`,
      rateVerdict(fresh.map((r) => r.measuredDistSlope / r.predictedDistSlope), V.rate),
    );
  }
  const gd = scaleRows(res).filter((r) => r.optimizer === "gd" && r.d === dS);
  if (gd.length) {
    const etaMin = Math.min(...gd.map((r) => r.lr as number));
    push(
      "balance-gd",
      `GD lands at the |c| balancedness predicts from its initial Δ (smallest η = ${
        fmtSig(etaMin)
      }, d = ${dS})`,
      balanceVerdict(gd.filter((r) => r.lr === etaMin).map((r) => r.offset as number), V.balance),
    );
    if (new Set(gd.map((r) => r.lr)).size >= 2 && gd.length >= 3) {
      push(
        "eta-scaling",
        `The |c| offset from that prediction scales as η^${V.etaExponent.claimed} (GD at equal η·steps)`,
        etaScalingVerdict(
          gd.map((r) => ({ eta: r.lr as number, offset: Math.max(r.offset as number, 1e-300) })),
          V.etaExponent,
        ).verdict,
      );
    }
  }
  const adam = scaleRows(res).filter((r) => r.optimizer === "adam" && r.d === dS);
  const adamLrs = [...new Set(adam.map((r) => r.lr as number))];
  if (adamLrs.length >= 2) {
    push(
      "adam-lr",
      `Under Adam, |c| depends on the learning rate (equal budget, d = ${dS})`,
      adamLrVerdict(
        adamLrs.map((lr) => ({
          lr,
          absC: adam.filter((r) => r.lr === lr).map((r) => r.measuredAbsC as number),
        })),
        V.adamLr,
      ),
    );
  }
  if (res.arms.length) {
    for (const [i, row] of confusionRows(res).entries()) {
      const key = i === 0 ? "failure" : "failure-mu";
      const c = {
        tp: row.flaggedFailed as number,
        fp: row.flaggedOk as number,
        fn: row.unflaggedFailed as number,
        tn: row.unflaggedOk as number,
      };
      push(
        key,
        `Richness flag "${row.predictor}" predicts which ablation arms fail (${row.failureCriterion})`,
        failureVerdict(c, V.failure),
      );
    }
  }
  const groups = basinGroups(res);
  for (const d of [...new Set(groups.map((g) => g.d as number))]) {
    const g = groups.filter((r) => r.d === d);
    if (!g.some((r) => (r.gain as number) <= V.basin.smallGainMax)) continue;
    push(
      `basin-${d}`,
      `Random inits at gains ≤ ${
        fmtSig(V.basin.smallGainMax)
      } reach M⋆ for every optimiser setting (d = ${d})`,
      basinVerdict(
        g.map((r) => ({
          setting: r.setting as string,
          gain: r.gain as number,
          reached: r.reached as number,
          runs: r.runs as number,
          lo: r.lo as number,
        })),
        V.basin,
      ),
    );
  }
  return out;
}

/**
 * The basin run whose final blocks the failure heatmap shows: the first run that used its budget
 * without converging, else the first non-converged run with blocks, else null.
 *
 * @example
 * ```ts
 * import { exampleFailure } from "./settle_tables.ts";
 * import type { SettleResult } from "./settle.ts";
 * if (exampleFailure({ basin: [] } as unknown as SettleResult) !== null) throw new Error("none");
 * ```
 */
export function exampleFailure(res: SettleResult): BasinRun | null {
  const fails = res.basin.filter((b) => b.out.status !== "converged" && b.out.blocks);
  return fails.find((b) => b.out.status === "budget") ?? fails[0] ?? null;
}

function failureCells(res: SettleResult): Row[] {
  const f = exampleFailure(res);
  if (!f || !f.out.blocks) return [];
  const b = f.out.blocks;
  return [
    ...matrixRows("P12", b.P12, b.m, b.p),
    ...matrixRows("V̄21", b.V21bar, b.p - 1, b.m),
  ].map((r) => ({ ...r }));
}

/**
 * Tidy tables of the result.
 *
 * @example
 * ```ts
 * import { tables } from "./settle_tables.ts";
 * import { run, settleTiny } from "./settle.ts";
 * const res = await run(settleTiny);
 * const t = tables(res); // t.richness, t.rate, t.scale, t.ablation, t.confusion, t.verdicts, …
 * // richness: dense, LOBPCG cross-check and d = 36, one c each; one row per ablation arm
 * [t.richness.length, t.ablation.length, t.basin_runs.length]; // [3, 2, 2]
 * if (t.richness.length !== 3 || t.ablation.length !== 2) throw new Error("rows");
 * ```
 */
export function tables(res: SettleResult): Tables {
  const dS = res.smallTask.d;
  const runLabel = (r: { set: string; c: number; etaTimesLambdaMax: number }) =>
    `${r.set}, c=${fmtSig(r.c)}, ηλmax=${fmtSig(r.etaTimesLambdaMax)}`;
  return {
    richness: [
      ...richnessRows("paper distribution", dS, res.richness.small),
      ...richnessRows("paper distribution (LOBPCG cross-check)", dS, res.richness.smallIterative),
      ...richnessRows("paper distribution", 36, res.richness.large),
    ],
    spectrum: res.richness.small.perC.flatMap((p) =>
      p.gn.smallest.map((v, i) => ({ c: p.c, index: i, eigenvalue: Math.max(v, 1e-20) }))
    ),
    rate: res.rate.map(({ curve: _c, ...r }) => ({
      run: runLabel(r),
      ...r,
      lossSlopeRatio: r.measuredLossSlope / r.predictedLossSlope,
      distSlopeRatio: r.measuredDistSlope / r.predictedDistSlope,
    })),
    rate_curves: res.rate.flatMap((r) =>
      r.curve.map((p) => ({
        run: runLabel(r),
        set: r.set,
        ...p,
        loss: Math.max(p.loss, 1e-300),
        dist: Math.max(p.dist, 1e-300),
      }))
    ),
    scale: scaleRows(res),
    scale_gd: scaleGroups(res, "gd"),
    scale_adam: scaleGroups(res, "adam"),
    scale_balance: res.scale.flatMap((s) =>
      s.out.rows.map((r) => ({
        run: `${s.optimizer} lr ${fmtSig(s.lr)}, d=${s.d}, gain ${fmtSig(s.gain)}, seed ${s.seed}`,
        optimizer: s.optimizer,
        lr: s.lr,
        d: s.d,
        prompts: r.prompts,
        etaSteps: s.optimizer === "gd" ? s.lr * r.step : null,
        balance: r.balance,
        absC: Math.abs(r.cP),
        dist: r.dist,
      }))
    ),
    ablation: armRows(res),
    ablation_runs: armRunRows(res),
    confusion: res.arms.length ? confusionRows(res) : [],
    basin: basinGroups(res),
    basin_runs: res.basin.map((b) => {
      const f = b.out.rows[b.out.rows.length - 1];
      return {
        d: b.d,
        setting: b.setting,
        gain: b.gain,
        init: b.init,
        outcome: basinClass(b),
        loss: finiteOrNull(f.loss),
        dist: finiteOrNull(f.dist),
        cP: finiteOrNull(f.cP),
        prompts: f.prompts,
      };
    }),
    basin_failure: failureCells(res),
    verdicts: verdictRows(res),
  };
}
