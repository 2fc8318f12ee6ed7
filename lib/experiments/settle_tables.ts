/**
 * Tables of experiment 5 (`settle.ts`): tidy rows per view, plus the two closed forms the views
 * quote (the balanced scale, Wilson intervals). Figures are in `settle_views.ts`.
 *
 * @module
 */

import { fmtSig } from "../report/format.ts";
import { matrixRows } from "../report/chart.ts";
import type { Row } from "../report/table.ts";
import type { RichnessOut } from "../settle/jobs.ts";
import type { Tables } from "./shape.ts";
import type { BasinRun, SettleResult } from "./settle.ts";

/**
 * |c| predicted by balancedness (MATH §7): on M⋆, `‖V̄21‖² − ‖P12‖² = α²d/c² − (2d+1)c²`; solving
 * for the conserved value Δ gives `c² = (−Δ + √(Δ² + 4(2d+1)α²d)) / (2(2d+1))` (Δ = 0: `|c|⁴ = α²d/(2d+1)`).
 *
 * @example
 * ```ts
 * balancedScale(36, 0.2, 0); // ≈ 0.3748
 * ```
 */
export function balancedScale(d: number, alpha: number, delta: number): number {
  if (!(d >= 1) || !(alpha > 0) || !Number.isFinite(delta)) {
    throw new RangeError(
      `balancedScale: need d ≥ 1, α > 0, finite Δ; got ${d}, ${alpha}, ${delta}`,
    );
  }
  const a = 2 * d + 1;
  return Math.sqrt((-delta + Math.sqrt(delta * delta + 4 * a * alpha * alpha * d)) / (2 * a));
}

/**
 * Wilson 95 % interval of a proportion k/n.
 *
 * @example
 * ```ts
 * wilson(10, 20); // { mean: 0.5, lo: 0.299…, hi: 0.700… }
 * ```
 */
export function wilson(k: number, n: number): { mean: number; lo: number; hi: number } {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 1 || k < 0 || k > n) {
    throw new RangeError(`wilson: need integers 0 ≤ k ≤ n, n ≥ 1; got k=${k}, n=${n}`);
  }
  const z = 1.959963984540054, p = k / n, z2 = z * z;
  const den = 1 + z2 / n, centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return { mean: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

const nz = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

function richnessRows(label: string, d: number, r: RichnessOut): Row[] {
  return r.perC.map((p) => ({
    set: label,
    d,
    method: p.gn.method,
    c: p.c,
    params: p.gn.params,
    prompts: r.prompts,
    zeros: p.gn.zeros,
    mu: nz(p.gn.mu),
    muResidual: nz(p.gn.muResidual),
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
  for (const optimizer of ["adam", "gd"] as const) {
    for (const gain of res.config.basin.gains) {
      const runs = res.basin.filter((b) => b.optimizer === optimizer && b.gain === gain);
      const k = runs.filter((b) => b.out.status === "converged").length;
      const w = wilson(k, runs.length);
      const fails = runs.filter((b) => b.out.status !== "converged");
      const med = (xs: number[]) => xs.length ? xs.sort((a, b) => a - b)[xs.length >> 1] : null;
      out.push({
        optimizer,
        gain,
        runs: runs.length,
        reached: k,
        fraction: w.mean,
        lo: w.lo,
        hi: w.hi,
        diverged: runs.filter((b) => b.out.status === "diverged").length,
        stalled: runs.filter((b) => basinClass(b) === "stalled near 0").length,
        notWithinBudget: runs.filter((b) => basinClass(b) === "not within budget").length,
        failMedianLoss: nz(med(fails.map((b) => b.out.rows[b.out.rows.length - 1].loss))),
        failMedianDist: nz(med(fails.map((b) => b.out.rows[b.out.rows.length - 1].dist))),
        failMedianAbsC: nz(med(fails.map((b) => Math.abs(b.out.rows[b.out.rows.length - 1].cP)))),
        medianFinalDist: nz(med(runs.map((b) => b.out.rows[b.out.rows.length - 1].dist))),
        medianPromptsToReach: nz(
          med(
            runs.filter((b) => b.out.status === "converged").map((b) => b.out.rows.at(-1)!.prompts),
          ),
        ),
      });
    }
  }
  return out;
}

function scaleRows(res: SettleResult): Row[] {
  const alpha = res.smallTask.alpha;
  return res.scale.map((s) => {
    const f = s.out.rows[s.out.rows.length - 1], d0 = s.out.rows[0].balance;
    return {
      d: s.d,
      optimizer: s.optimizer,
      gain: s.gain,
      seed: s.seed,
      balanceStart: d0,
      balanceEnd: f.balance,
      predictedAbsC0: balancedScale(s.d, alpha, 0),
      predictedAbsCDelta: balancedScale(s.d, alpha, d0),
      predictedAbsCEnd: balancedScale(s.d, alpha, f.balance),
      measuredAbsC: Math.abs(f.cP),
      dist: f.dist,
      loss: f.loss,
      prompts: f.prompts,
    };
  });
}

function armRows(res: SettleResult): Row[] {
  return res.arms.map((a) => {
    const g = a.richness.perC[0].gn, s = a.richnessSmall.perC[0].gn;
    return {
      arm: a.label,
      status: a.status,
      loss: a.final.loss,
      dist: a.final.dist,
      absCosP12: Math.abs(a.final.cosP12),
      absCosV21: Math.abs(a.final.cosV21),
      cP: a.final.cP,
      zeros36: g.zeros,
      zeros36Capped: g.zerosCapped,
      structuralZeros36: a.richness.structuralZeros,
      muUpper36: nz(g.mu),
      muResidual36: nz(g.muResidual),
      lambdaMax36: g.lambdaMax,
      tokenRank36: a.richness.gram.tokens.rank,
      wTildeRank36: a.richness.gram.wTilde.rank,
      zerosSmall: s.zeros,
      structuralZerosSmall: a.richnessSmall.structuralZeros,
      muSmall: nz(s.mu),
      lambdaMaxSmall: s.lambdaMax,
      tokenRankSmall: a.richnessSmall.gram.tokens.rank,
      tokenSizeSmall: a.richnessSmall.gram.tokens.size,
      score: a.score.mean,
      scoreLo: a.score.lo,
      scoreHi: a.score.hi,
      teacherScore: a.teacherScore.mean,
      wallTimeSec: a.wallTimeSec,
    };
  });
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
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of compute)
 * import { tables } from "./settle_tables.ts";
 * const t = tables(res); // t.richness, t.rate, t.scale, t.ablation, t.basin, …
 * ```
 */
export function tables(res: SettleResult): Tables {
  const dS = res.smallTask.d;
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
      run: `c=${fmtSig(r.c)}, ηλmax=${fmtSig(r.etaTimesLambdaMax)}`,
      ...r,
      lossSlopeRatio: r.measuredLossSlope / r.predictedLossSlope,
      distSlopeRatio: r.measuredDistSlope / r.predictedDistSlope,
    })),
    rate_curves: res.rate.flatMap((r) =>
      r.curve.map((p) => ({
        run: `c=${fmtSig(r.c)}, ηλmax=${fmtSig(r.etaTimesLambdaMax)}`,
        ...p,
        loss: Math.max(p.loss, 1e-300),
        dist: Math.max(p.dist, 1e-300),
      }))
    ),
    scale: scaleRows(res),
    scale_balance: [
      ...res.scale.flatMap((s) =>
        s.out.rows.map((r) => ({
          run: `${s.optimizer}, d=${s.d}, gain ${fmtSig(s.gain)}, seed ${s.seed}`,
          optimizer: s.optimizer,
          d: s.d,
          prompts: r.prompts,
          balance: r.balance,
          absC: Math.abs(r.cP),
          dist: r.dist,
        }))
      ),
      ...res.arms.filter((a) => a.spec.label === res.arms[0].spec.label).flatMap((a) =>
        a.trainRows.map((r) => ({
          run: `adam, d=36 (ablation arm "${a.label}")`,
          optimizer: "adam",
          d: 36,
          prompts: r.prompts,
          balance: r.balance,
          absC: Math.abs(r.cP),
          dist: r.dist,
        }))
      ),
    ],
    ablation: armRows(res),
    basin: basinGroups(res),
    basin_runs: res.basin.map((b) => {
      const f = b.out.rows[b.out.rows.length - 1];
      return {
        optimizer: b.optimizer,
        gain: b.gain,
        init: b.init,
        outcome: basinClass(b),
        loss: nz(f.loss),
        dist: nz(f.dist),
        cP: nz(f.cP),
        prompts: f.prompts,
      };
    }),
    basin_failure: failureCells(res),
  };
}
