/**
 * Views of experiment 5 (`settle.ts`): tidy tables, figures and the generated conclusion. Every
 * number in `summary` comes from the result, formatted through `report/format.ts`.
 *
 * @module
 */

import { concatCharts, heatmap, lineChart, matrixRows, scatterChart } from "../report/chart.ts";
import { fmtCI, fmtPct, fmtSig } from "../report/format.ts";
import type { Row } from "../report/table.ts";
import type { RichnessOut } from "../settle/jobs.ts";
import type { Figures, Tables } from "./shape.ts";
import type { BasinRun, SettleResult } from "./settle.ts";

/**
 * |c| predicted by balancedness (SPEC §7): on M⋆, `‖V̄21‖² − ‖P12‖² = α²d/c² − (2d+1)c²`; solving
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

const optSig = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : fmtSig(v);

/** `min … max` of a numeric column ("—" when empty; a single value when they coincide). */
function rng(rows: Row[], k: string): string {
  const vals = rows.map((r) => r[k]).filter((v): v is number =>
    typeof v === "number" && Number.isFinite(v)
  );
  if (!vals.length) return "—";
  const lo = fmtSig(Math.min(...vals)), hi = fmtSig(Math.max(...vals));
  return lo === hi ? lo : `${lo} … ${hi}`;
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

function basinClass(b: BasinRun): string {
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
 * Tidy tables of the result.
 *
 * @example
 * ```ts
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

function exampleFailure(res: SettleResult): BasinRun | null {
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
 * Figures of the result (each has its table in {@linkcode tables}).
 *
 * @example
 * ```ts
 * const f = figures(res); // f.rate, f.scale, f.ablation, f.basin, f.spectrum, f.failure
 * ```
 */
export function figures(res: SettleResult): Figures {
  const t = tables(res);
  const out: Figures = {
    spectrum: lineChart({
      rows: t.spectrum,
      x: "index",
      y: "eigenvalue",
      color: "c",
      logY: true,
      points: true,
      title: `Smallest Gauss–Newton eigenvalues at θ⋆(c), d = ${res.smallTask.d} (exact)`,
      subtitle: "index 0 is the scaling direction (numerically 0; clipped at 1e-20)",
      xTitle: "eigenvalue index (ascending)",
      yTitle: "eigenvalue of JᵀJ/N",
    }),
    rate: concatCharts([
      scatterChart({
        rows: t.rate.map((r) => ({
          ...r,
          predicted: -(r.predictedLossSlope as number),
          measured: -(r.measuredLossSlope as number),
        })),
        x: "predicted",
        y: "measured",
        color: "run",
        diagonal: true,
        logX: true,
        logY: true,
        title: "Loss rate: measured vs predicted −2·log(1 − ημ)",
        xTitle: "predicted decay per step",
        yTitle: "measured decay per step",
        width: 320,
        height: 260,
      }),
      lineChart({
        rows: t.rate_curves,
        x: "step",
        y: "loss",
        color: "run",
        logY: true,
        title: "GD on a fixed prompt set from near θ⋆(c)",
        xTitle: "GD step",
        yTitle: "loss",
        width: 360,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    scale: lineChart({
      rows: t.scale_balance,
      x: "prompts",
      y: "balance",
      color: "run",
      title: "‖V̄21‖² − ‖P12‖² along training (conserved by gradient flow)",
      xTitle: "prompts",
      yTitle: "‖V̄21‖²_F − ‖P12‖²_F",
      width: 520,
      height: 280,
    }),
    ablation: concatCharts([
      scatterChart({
        rows: t.ablation.filter((r) => r.muSmall !== null),
        x: "muSmall",
        y: "dist",
        color: "arm",
        logX: true,
        logY: true,
        title: "Richness (μ, exact at small d) vs distance to M⋆ (d = 36)",
        xTitle: `μ at d = ${res.smallTask.d}, same distribution family`,
        yTitle: "final distance to M⋆",
        width: 300,
        height: 260,
      }),
      scatterChart({
        rows: t.ablation,
        x: "dist",
        y: "score",
        color: "arm",
        logX: true,
        title: "Distance to M⋆ vs transfer score",
        xTitle: "final distance to M⋆",
        yTitle: "normalised score on unseen MDPs",
        width: 300,
        height: 260,
      }),
    ], { direction: "horizontal" }),
    basin: concatCharts([
      lineChart({
        rows: t.basin,
        x: "gain",
        y: "fraction",
        lower: "lo",
        upper: "hi",
        color: "optimizer",
        logX: true,
        points: true,
        title: `Fraction of random inits reaching M⋆ (d = ${res.smallTask.d})`,
        subtitle: `distance < ${fmtSig(res.config.basin.stopDist)} within ${
          fmtSig(res.config.basin.K * res.config.basin.T)
        } prompts; 95 % Wilson intervals`,
        xTitle: "Xavier gain",
        yTitle: "fraction reached",
        width: 360,
        height: 260,
      }),
      lineChart({
        rows: t.basin.filter((r) => r.medianFinalDist !== null),
        x: "gain",
        y: "medianFinalDist",
        color: "optimizer",
        logX: true,
        logY: true,
        points: true,
        rules: [{ value: res.config.basin.stopDist, label: "threshold" }],
        title: "Median final distance to M⋆ (diverged runs: last finite step)",
        xTitle: "Xavier gain",
        yTitle: "distance to M⋆",
        width: 360,
        height: 260,
      }),
    ], { direction: "horizontal" }),
  };
  if (t.basin_failure.length) {
    const f = exampleFailure(res)!;
    out.failure = heatmap({
      rows: t.basin_failure,
      x: "col",
      y: "row",
      value: "value",
      facet: "matrix",
      independent: true,
      title: `A failed init: ${f.optimizer}, gain ${fmtSig(f.gain)}, init ${f.init} (${
        basinClass(f)
      })`,
    });
  }
  return out;
}

/**
 * The generated conclusion (markdown).
 *
 * @example
 * ```ts
 * markdown(summary(res));
 * ```
 */
export function summary(res: SettleResult): string {
  const t = tables(res);
  const cfg = res.config;
  const dS = res.smallTask.d;
  const L: string[] = [];
  const rs = res.richness.small.perC,
    rl = res.richness.large.perC,
    rk = res.richness.smallIterative.perC;
  L.push(`**Measured** (${fmtSig(res.wallTimeSec, 3)} s, ${cfg.workers} workers).`);
  L.push("");
  L.push(
    `**1. Richness.** On ${res.richness.small.prompts} prompts of the paper's distribution at d = ${dS} ` +
      `(${rs[0].gn.params} parameters, exact spectrum): ` +
      rs.map((p) =>
        `c = ${fmtSig(p.c)}: ${p.gn.zeros} zero eigenvalue(s), μ = ${optSig(p.gn.mu)}, ` +
        `λ_max = ${fmtSig(p.gn.lambdaMax)} (κ = ${
          optSig(p.gn.mu ? p.gn.lambdaMax / p.gn.mu : null)
        })`
      ).join("; ") +
      `. The LOBPCG solver used at d = 36 reproduces these μ to a relative ${
        optSig(Math.max(...rk.map((p, i) => Math.abs((p.gn.mu ?? NaN) / (rs[i].gn.mu ?? NaN) - 1))))
      }. Token Gram rank ${res.richness.small.gram.tokens.rank}/${res.richness.small.gram.tokens.size}, ` +
      `w̃ Gram rank ${res.richness.small.gram.wTilde.rank}/${res.richness.small.gram.wTilde.size}. ` +
      `At d = 36 (${
        rl[0].gn.params
      } parameters, ${res.richness.large.prompts} prompts, LOBPCG with a ` +
      `Kronecker preconditioner, ${cfg.richness.maxIter} iterations, the scaling direction t deflated — ` +
      `‖Gt‖/(λ_max‖t‖) ≤ ${fmtSig(Math.max(...rl.map((p) => p.scalingResidual)))}): ` +
      rl.map((p) =>
        `c = ${fmtSig(p.c)}: ${p.gn.zeros} zero eigenvalue(s), μ = ${
          optSig(p.gn.mu)
        } (Ritz value, an upper bound; ` +
        `residual ${optSig(p.gn.muResidual)}${
          p.gn.mu && p.gn.muResidual !== null && p.gn.muResidual < 0.01 * p.gn.mu
            ? ", converged"
            : ", not converged"
        }), λ_max = ${fmtSig(p.gn.lambdaMax)}, κ = ${
          optSig(p.gn.mu ? p.gn.lambdaMax / p.gn.mu : null)
        }`
      ).join("; ") +
      `. Token Gram rank ${res.richness.large.gram.tokens.rank}/${res.richness.large.gram.tokens.size}, ` +
      `w̃ Gram rank ${res.richness.large.gram.wTilde.rank}/${res.richness.large.gram.wTilde.size}.`,
  );
  L.push("");
  const rate = t.rate;
  const ratios = rate.map((r) => r.lossSlopeRatio as number);
  L.push(
    `**4a. Rate.** GD on a fixed set of ${res.richness.small.prompts} prompts (d = ${dS}) from θ⋆(c) + ${
      fmtSig(cfg.rate.eps)
    }-relative noise: measured/predicted loss log-slope ${fmtSig(Math.min(...ratios))} … ${
      fmtSig(Math.max(...ratios))
    } over ${rate.length} runs (` +
      rate.map((r) =>
        `c = ${fmtSig(r.c as number)}, ηλ_max = ${fmtSig(r.etaTimesLambdaMax as number)}: ${
          fmtSig(r.measuredLossSlope as number)
        } vs ${fmtSig(r.predictedLossSlope as number)}`
      ).join("; ") +
      `); distance slope ratio ${
        fmtSig(Math.min(...rate.map((r) => r.distSlopeRatio as number)))
      } … ${fmtSig(Math.max(...rate.map((r) => r.distSlopeRatio as number)))}.`,
  );
  L.push("");
  const sc = t.scale;
  const grp = (opt: string, d: number) => sc.filter((r) => r.optimizer === opt && r.d === d);
  const gdS = grp("gd", dS), adS = grp("adam", dS), gdL = grp("gd", 36);
  L.push(
    `**4b. Scale.** Prediction |c| = (α²d/(2d+1))^¼ = ${
      fmtSig(balancedScale(dS, 0.2, 0), 4)
    } at d = ${dS}, ${fmtSig(balancedScale(36, 0.2, 0), 4)} at d = 36. GD (d = ${dS}, lr ${
      fmtSig(cfg.scale.gdLr)
    }): measured |c| ${rng(gdS, "measuredAbsC")} ` +
      `(prediction from each run's own initial Δ: ${
        rng(gdS, "predictedAbsCDelta")
      }; Δ drifted from ${rng(gdS, "balanceStart")} to ${
        rng(gdS, "balanceEnd")
      } — the O(η²) term of ` +
      `discrete steps — and the same formula evaluated at the final Δ gives ${
        rng(gdS, "predictedAbsCEnd")
      }, i.e. the manifold relation itself holds to ${
        gdS.length
          ? fmtSig(Math.max(...gdS.map((r) =>
            Math.abs((r.measuredAbsC as number) / (r.predictedAbsCEnd as number) - 1)
          )))
          : "—"
      } relative; final distance ${rng(gdS, "dist")}). Adam (d = ${dS}, lr ${
        fmtSig(cfg.scale.adamLr)
      }): |c| ${rng(adS, "measuredAbsC")}, ` +
      `Δ ends at ${rng(adS, "balanceEnd")} — Adam does not conserve Δ.` +
      (gdL.length
        ? ` GD at d = 36 (lr ${fmtSig(cfg.scale.large!.gdLr)}, ${
          fmtSig(gdL[0].prompts as number)
        } prompts): |c| ${rng(gdL, "measuredAbsC")} at distance ${rng(gdL, "dist")}, Δ ${
          rng(gdL, "balanceStart")
        } → ${rng(gdL, "balanceEnd")}.`
        : "") +
      ` Adam at d = 36 (fresh arm below): |c| = ${fmtSig(Math.abs(res.arms[0].final.cP))}, Δ = ${
        fmtSig(res.arms[0].final.balance)
      }.`,
  );
  L.push("");
  const ab = t.ablation;
  L.push(
    `**2. Richness ablation** (d = 36, Adam lr ${fmtSig(cfg.ablation.lr)}, ${
      fmtSig(cfg.ablation.K * cfg.ablation.T)
    } prompts per arm vs the paper's 10⁷; transfer on ${cfg.ablation.transfer.numMdps} unseen paper-distribution MDPs, ${cfg.ablation.transfer.updates} updates; the SARSA teacher scores ${
      fmtSig(ab[0].teacherScore as number)
    } there):`,
  );
  for (const r of ab) {
    L.push(
      `- ${r.arm}: distance ${fmtSig(r.dist as number)}, |cos| P12 ${
        fmtSig(r.absCosP12 as number)
      } / V̄21 ${fmtSig(r.absCosV21 as number)}, score ${
        fmtCI({ mean: r.score as number, lo: r.scoreLo as number, hi: r.scoreHi as number })
      }; ` +
        `exact at d = ${dS}: ${r.zerosSmall} zero eigenvalue(s), μ = ${
          optSig(r.muSmall as number | null)
        }${
          r.muSmall !== null && ab[0].muSmall !== null
            ? ` (${fmtSig((r.muSmall as number) / (ab[0].muSmall as number))}× the paper arm's)`
            : ""
        }, token Gram rank ${r.tokenRankSmall}/${r.tokenSizeSmall}; ` +
        `d = 36: token Gram rank ${r.tokenRank36}/73 (⇒ ≥ ${r.structuralZeros36} zero eigenvalues), LOBPCG zeros ${r.zeros36}${
          r.zeros36Capped ? "+" : ""
        }.`,
    );
  }
  const rich = ab.filter((r) => r.zerosSmall === 1),
    poor = ab.filter((r) => (r.zerosSmall as number) > 1);
  L.push(
    `Arms with exactly one zero eigenvalue at d = ${dS}: ${rich.length} (distance ${
      rng(rich, "dist")
    }, score ${rng(rich, "score")}); ` +
      `arms with more: ${poor.length}${
        poor.length
          ? ` (${poor.map((r) => r.arm).join(", ")}; distance ${rng(poor, "dist")}, score ${
            rng(poor, "score")
          })`
          : ""
      }.`,
  );
  L.push("");
  const bg = t.basin;
  L.push(
    `**3. Basin of attraction** (d = ${dS}, ${cfg.basin.inits} inits per point, budget ${
      fmtSig(cfg.basin.K * cfg.basin.T)
    } prompts, distance < ${fmtSig(cfg.basin.stopDist)}): ` +
      bg.map((r) =>
        `${r.optimizer} gain ${fmtSig(r.gain as number)}: ${fmtPct(r.fraction as number, 0)}` +
        ((r.diverged as number) > 0 ? ` (${r.diverged} diverged)` : "") +
        ((r.stalled as number) > 0 ? ` (${r.stalled} stalled near 0)` : "") +
        ((r.notWithinBudget as number) > 0
          ? ` (${r.notWithinBudget} not within budget: median distance ${
            optSig(r.failMedianDist as number | null)
          }, median |c| ${optSig(r.failMedianAbsC as number | null)})`
          : "")
      ).join("; ") + ".",
  );
  L.push(...verdicts(res, t));
  return L.join("\n");
}

/** A failed arm: final distance above `failFactor` × the paper arm's (and above 1e-2). */
const FAIL_FACTOR = 10;

function verdicts(res: SettleResult, t: Tables): string[] {
  const L: string[] = [];
  const dS = res.smallTask.d;
  const rs = res.richness.small;
  const oneZero = rs.perC.every((p) => p.gn.zeros === 1);
  const fullGram = rs.gram.tokens.rank === rs.gram.tokens.size &&
    rs.gram.wTilde.rank === rs.gram.wTilde.size;
  const kappa = rs.perC.map((p) => p.gn.lambdaMax / (p.gn.mu ?? Infinity));
  L.push("");
  L.push("**Verdicts (generated).**");
  L.push(
    `- *Richness holds for the paper's random MDPs*: ${
      oneZero && fullGram ? "**supported** at" : "**not supported** at"
    } d = ${dS} (exactly one zero eigenvalue at every c tested: ${
      oneZero ? "yes" : "no"
    }; Gram matrices full rank: ${
      fullGram ? "yes" : "no"
    }); at d = 36 only the token and w̃ Gram ranks (${res.richness.large.gram.tokens.rank}/${res.richness.large.gram.tokens.size}, ${res.richness.large.gram.wTilde.rank}/${res.richness.large.gram.wTilde.size}) are exact, the GN zero count there is iterative (LOBPCG on t⊥). **Qualified**: the local PL constant is small — condition number λ_max/μ = ${
      fmtSig(Math.min(...kappa))
    } … ${fmtSig(Math.max(...kappa))} at d = ${dS} on ${rs.prompts} prompts.`,
  );
  const ratios = t.rate.map((r) => r.lossSlopeRatio as number);
  const worst = Math.max(...ratios.map((r) => Math.abs(r - 1)));
  L.push(
    `- *Exponential convergence at rate (1 − ημ)² near M⋆ (Thm 3.2)*: ${
      worst <= 0.1 ? "**supported**" : "**qualified**"
    } — the measured loss log-slope deviates from 2·log(1 − ημ) by at most ${
      fmtPct(worst)
    } over ${ratios.length} (c, η) pairs.`,
  );
  const sc = t.scale.filter((r) => r.optimizer === "gd" && r.d === dS);
  if (sc.length) {
    const dev = Math.max(
      ...sc.map((r) => Math.abs((r.measuredAbsC as number) / (r.predictedAbsCDelta as number) - 1)),
    );
    const maxDist = Math.max(...sc.map((r) => r.dist as number));
    const devEnd = Math.max(
      ...sc.map((r) => Math.abs((r.measuredAbsC as number) / (r.predictedAbsCEnd as number) - 1)),
    );
    L.push(
      `- *Balancedness fixes |c| under GD (|c|⁴ = α²d/(2d+1))*: ${
        dev <= 0.02 && maxDist < 1e-2 ? "**supported**" : "**qualified**"
      } — measured |c| deviates from the prediction of its own initial Δ by at most ${
        fmtPct(dev)
      } (final distance ≤ ${fmtSig(maxDist)}); the residual deviation is the drift of Δ under ` +
        `finite steps (with the final Δ the relation holds to ${
          fmtPct(devEnd, 4)
        }). Under Adam Δ ` +
        `is not conserved and |c| depends on the learning rate and budget (table above), so the ` +
        `balancedness prediction does not apply to the paper's Adam training.`,
    );
  }
  const ab = t.ablation;
  const ref = ab[0].dist as number;
  const failed = ab.filter((r) => (r.dist as number) > Math.max(1e-2, FAIL_FACTOR * ref));
  const predicted = ab.filter((r) => (r.zerosSmall as number) > 1);
  const agree =
    ab.filter((r) =>
      ((r.dist as number) > Math.max(1e-2, FAIL_FACTOR * ref)) === ((r.zerosSmall as number) > 1)
    ).length;
  L.push(
    `- *Where learning the construction fails*: ${failed.length} of ${ab.length} arms end farther than max(0.01, ${FAIL_FACTOR}× the paper arm's ${
      fmtSig(ref)
    }) from M⋆${
      failed.length ? ` (${failed.map((r) => r.arm).join(", ")})` : ""
    }; the exact d = ${dS} zero count flags ${predicted.length}${
      predicted.length ? ` (${predicted.map((r) => r.arm).join(", ")})` : ""
    }; they agree on ${agree} of ${ab.length} arms.`,
  );
  const deficient = ab.filter((r) => (r.structuralZeros36 as number) > 1);
  if (deficient.length) {
    L.push(
      `- *Conditions*: training distributions whose token Gram is rank-deficient at d = 36 (${
        deficient.map((r) =>
          `${r.arm}: rank ${r.tokenRank36}/73 ⇒ ≥ ${r.structuralZeros36} zero eigenvalues`
        )
          .join("; ")
      }) leave M⋆ non-isolated: distance ${rng(deficient, "dist")}, transfer score ${
        rng(deficient, "score")
      } vs ${fmtSig(ab[0].score as number)} for the paper arm.`,
    );
  }
  const slow = ab.filter((r) =>
    (r.structuralZeros36 as number) === 1 && (r.dist as number) > Math.max(1e-2, FAIL_FACTOR * ref)
  );
  if (slow.length) {
    L.push(
      `- Full-rank but slower arms (${slow.map((r) => r.arm).join(", ")}): μ at d = ${dS} is ${
        slow.map((r) => optSig((r.muSmall as number) / (ab[0].muSmall as number))).join(", ")
      }× the paper arm's and λ_max at d = 36 is ${
        slow.map((r) => optSig((r.lambdaMax36 as number) / (ab[0].lambdaMax36 as number))).join(
          ", ",
        )
      }× — not yet at M⋆ within the budget (distance ${rng(slow, "dist")}), transfer score ${
        rng(slow, "score")
      }.`,
    );
  }
  const g01 = t.basin.filter((r) => Math.abs((r.gain as number) - 0.1) < 1e-12);
  if (g01.length) {
    L.push(
      `- *Random inits at the paper's gain 0.1 reach M⋆*: ${
        g01.map((r) => `${r.optimizer} ${fmtPct(r.fraction as number, 0)} of ${r.runs}`).join(", ")
      } within the budget (d = ${dS}).`,
    );
  }
  return L;
}
