/**
 * Views of experiment 8: tidy tables, vega-lite figures and the generated conclusion, all read
 * from the run's result and its analysis (`pretrain_analysis.ts`). Every number printed comes from
 * them, formatted through lib/report/format.ts.
 *
 * @module
 */

import { concatCharts, lineChart } from "../report/chart.ts";
import { fmtFixed, fmtMeanSE, fmtPct, fmtSig } from "../report/format.ts";
import { meanCI, type PairedDiff } from "../core/stats.ts";
import type { Figures, Tables, Verdict } from "./shape.ts";
import { PAPER_REFERENCE, type PretrainExpResult, type RunInfo } from "./pretrain.ts";
import type { Headline, PretrainAnalysis } from "./pretrain_analysis.ts";
import { seedMean } from "./pretrain_analysis.ts";

const ci = (d: PairedDiff, dec = 2) =>
  `${fmtFixed(d.mean, dec)} [${fmtFixed(d.lo, dec)}, ${fmtFixed(d.hi, dec)}]`;
/** The extrapolated compute, or why there is none (never reached; already below within the run). */
const reach = (x: number | null, paper: number, spent = 0) =>
  x === null
    ? "never (slope ≥ 0)"
    : x <= spent
    ? "already below within the run"
    : `${fmtSig(x, 2)} (${fmtSig(x / paper, 2)}× paper)`;
const finalRow = (r: RunInfo) => r.curve[r.curve.length - 1];
/** The most compute one depth × data setting spent. */
const maxFlop = (a: PretrainAnalysis, f: { layers: number; trainCount: number }) =>
  Math.max(
    ...a.scaling.filter((p) => p.layers === f.layers && p.trainCount === f.trainCount).map((p) =>
      p.flop
    ),
  );

/** Seed-averaged regret curves (mean ± SE over environments) of every learner of a family. */
function regretCurves(res: PretrainExpResult, a: PretrainAnalysis) {
  const { evalCount: E, horizon: T } = res.config;
  const rows: { family: string; learner: string; t: number; mean: number; se: number }[] = [];
  const add = (family: string, learner: string, R: Float64Array) => {
    const col = new Float64Array(E);
    for (let t = 1; t <= T; t++) {
      for (let e = 0; e < E; e++) col[e] = R[e * T + t - 1];
      const c = meanCI(col);
      rows.push({ family, learner, t, mean: c.mean, se: c.se });
    }
  };
  for (const h of [a.linear, a.bernoulli]) {
    const tag = h.family === "linear" ? "AD of LinUCB" : "DPT, α = 0.5";
    for (const mode of ["sample", "greedy"] as const) {
      add(
        h.family,
        `TF ${mode === "sample" ? "sampled" : "greedy"} (${tag})`,
        seedMean(h.runs.map((r) => r.regret.find((x) => x.mode === mode)!.R)),
      );
    }
    add(
      h.family,
      `TF sampled, rewards of another environment`,
      seedMean(h.runs.map((r) => r.replaced!)),
    );
  }
  for (const b of res.baselines) add(b.family, b.name, b.R);
  return rows;
}

/**
 * Tables: training runs, regret at T with the paper's values, paired comparisons, the scaling
 * points and fits, the mismatch study, the verdicts, and the regret curves.
 *
 * @example
 * ```ts
 * import { pretrainTiny, run } from "./pretrain.ts";
 * const res = await run(pretrainTiny);
 * import { analyse } from "./pretrain_analysis.ts";
 * import { tables } from "./pretrain_views.ts";
 * const t = tables(res, analyse(res)); // { training, regret_at_T, paired, scaling, … }
 * ```
 */
export function tables(res: PretrainExpResult, a: PretrainAnalysis): Tables {
  const T = res.config.horizon;
  const training = res.runs.map((r) => {
    const f = finalRow(r), seen = r.steps * r.batch, flop = r.steps * r.flopsPerStep;
    return {
      run: r.name,
      layers: r.layers,
      "training trajectories": r.trainCount,
      seed: r.seed,
      steps: r.steps,
      "trajectories seen": seen,
      epochs: fmtFixed(seen / r.trainCount, 2),
      "train FLOP": fmtSig(flop, 3),
      "of the paper's compute": fmtSig(flop / a.paperFlops, 2),
      "held-out loss": fmtFixed(f.heldoutLoss, 3),
      "held-out accuracy": fmtPct(f.heldoutAcc),
      "repeat-previous floor": r.method === "AD" ? fmtPct(r.repeatFloor) : "",
      "train s": fmtFixed(r.trainSec, 0),
      "trajectories/s": fmtFixed(seen / r.trainSec, 1),
      backend: r.backend,
    };
  });
  const paper: Record<string, number> = {
    "linear/LinUCB": PAPER_REFERENCE.linear.LinUCB,
    "linear/TS": PAPER_REFERENCE.linear.TS,
    "linear/Emp": PAPER_REFERENCE.linear.Emp,
    "bernoulli/TS": PAPER_REFERENCE.bernoulli.TS,
    "bernoulli/UCB": PAPER_REFERENCE.bernoulli.UCB,
    "bernoulli/Emp": PAPER_REFERENCE.bernoulli.Emp,
  };
  const E = res.config.evalCount;
  const regretAtT = [];
  for (const h of [a.linear, a.bernoulli]) {
    const ref = h.family === "linear" ? PAPER_REFERENCE.linear.TF : PAPER_REFERENCE.bernoulli.TF;
    for (const mode of ["sample", "greedy"] as const) {
      regretAtT.push({
        family: h.family,
        learner: `TF ${mode === "sample" ? "sampled" : "greedy"}`,
        [`regret at T = ${T} (± SE, ${E} envs)`]: fmtMeanSE(h.tf[mode].mean, h.tf[mode].se),
        "95 % CI over seeds": `[${fmtFixed(h.seeds[mode].lo, 2)}, ${
          fmtFixed(h.seeds[mode].hi, 2)
        }] (${h.seeds[mode].k} seeds)`,
        "paper (T = 200)": mode === "sample" ? fmtFixed(ref, 1) : "",
      });
    }
    for (const b of res.baselines.filter((x) => x.family === h.family)) {
      const c = meanCI(Float64Array.from({ length: E }, (_, e) => b.R[e * T + T - 1]));
      regretAtT.push({
        family: h.family,
        learner: b.name,
        [`regret at T = ${T} (± SE, ${E} envs)`]: fmtMeanSE(c.mean, c.se),
        "95 % CI over seeds": "",
        "paper (T = 200)": paper[`${h.family}/${b.key}`] === undefined
          ? ""
          : fmtFixed(paper[`${h.family}/${b.key}`], 1),
      });
    }
  }
  const paired = [];
  for (const h of [a.linear, a.bernoulli]) {
    for (const [mode, diffs] of [["sampled", h.paired], ["greedy", h.pairedGreedy]] as const) {
      for (const [k, d] of Object.entries(diffs)) {
        paired.push({
          family: h.family,
          comparison: `TF ${mode} − ${k}`,
          "mean [95 % CI]": ci(d),
          n: d.n,
        });
      }
    }
    paired.push({
      family: h.family,
      comparison: "TF sampled: other env's rewards − own rewards",
      "mean [95 % CI]": ci(h.control),
      n: h.control.n,
    });
  }
  const scalingFit = a.fits.map((f) => ({
    layers: f.layers,
    "training trajectories": f.trainCount,
    "slope b of regret ∝ FLOP^b [95 % CI]": `${fmtFixed(f.fit.b, 3)} [${fmtFixed(f.fit.bLo, 3)}, ${
      fmtFixed(f.fit.bHi, 3)
    }]`,
    "R²": fmtFixed(f.fit.r2, 2),
    points: f.fit.n,
    [`FLOP to reach TF ${PAPER_REFERENCE.linear.TF}`]: reach(
      f.reachTF.x,
      a.paperFlops,
      maxFlop(a, f),
    ),
    "… slope-CI range": `${f.reachTF.lo === null ? "—" : fmtSig(f.reachTF.lo, 2)} – ${
      f.reachTF.hi === null ? "never" : fmtSig(f.reachTF.hi, 2)
    }`,
    [`FLOP to reach LinUCB ${PAPER_REFERENCE.linear.LinUCB}`]: reach(
      f.reachLinUCB.x,
      a.paperFlops,
      maxFlop(a, f),
    ),
    "more compute helps": f.verdict.outcome,
  }));
  const mismatch = a.mismatch.map((m) => ({
    alpha: m.alpha,
    [`TF sampled regret at T, 95 % CI over ${m.seeds.k} seeds`]: `${fmtFixed(m.seeds.mean, 2)} [${
      fmtFixed(m.seeds.lo, 2)
    }, ${fmtFixed(m.seeds.hi, 2)}]`,
    "TF − TS at T (paired) [95 % CI]": ci(m.vsTS),
  }));
  const row = (rule: string, v: Verdict) => ({ rule, verdict: v.outcome, reason: v.reason });
  const verdicts = [
    row("go: linear AD", a.linear.go),
    row("go: Bernoulli DPT (α = 0.5)", a.bernoulli.go),
    row("uses rewards: linear AD", a.linear.reward),
    row("uses rewards: Bernoulli DPT", a.bernoulli.reward),
    ...a.fits.filter((f) => f.headline).map((f) => row("more compute helps (headline)", f.verdict)),
  ];
  return {
    training,
    regret_at_T: regretAtT,
    paired,
    scaling: a.scaling.map((p) => ({ ...p })),
    scaling_fit: scalingFit,
    mismatch,
    mismatch_curves: a.mismatch.flatMap((m) => m.curve.map((c) => ({ alpha: m.alpha, ...c }))),
    verdicts,
    regret_curves: regretCurves(res, a),
    learning_curves: res.runs.flatMap((r) => r.curve.map((c) => ({ run: r.name, ...c }))),
  };
}

/**
 * Figures: learning curves, regret vs t (both families, with the controls), regret vs training
 * compute (log–log, with the headline fit), and the distribution-mismatch panels.
 *
 * @example
 * ```ts
 * import { pretrainTiny, run } from "./pretrain.ts";
 * const res = await run(pretrainTiny);
 * import { analyse } from "./pretrain_analysis.ts";
 * import { figures } from "./pretrain_views.ts";
 * const f = figures(res, analyse(res)); // { learning, regretLinear, regretBernoulli, scaling, mismatch }
 * ```
 */
export function figures(res: PretrainExpResult, a: PretrainAnalysis): Figures {
  const heads = res.runs.filter((r) => r.headline);
  const learningRows = heads.flatMap((r) => r.curve.map((c) => ({ ...c, run: r.name })));
  const learning = concatCharts([
    lineChart({
      rows: learningRows,
      x: "step",
      y: "heldoutLoss",
      color: "run",
      title: "Held-out cross-entropy (headline runs)",
      xTitle: "optimiser steps",
      yTitle: "loss (nats)",
      width: 360,
      height: 260,
    }),
    lineChart({
      rows: learningRows,
      x: "step",
      y: "heldoutAcc",
      color: "run",
      title: "Held-out action-match accuracy",
      xTitle: "optimiser steps",
      yTitle: "fraction of positions",
      width: 360,
      height: 260,
    }),
  ], { direction: "horizontal" });
  const curves = regretCurves(res, a);
  const E = res.config.evalCount;
  const panel = (family: string, title: string) =>
    lineChart({
      rows: curves.filter((r) => r.family === family).map((r) => ({
        ...r,
        lower: r.mean - r.se,
        upper: r.mean + r.se,
      })),
      x: "t",
      y: "mean",
      lower: "lower",
      upper: "upper",
      color: "learner",
      title,
      subtitle: `mean ± SE over ${E} new environments; TF averaged over its training seeds`,
      xTitle: "t (pulls)",
      yTitle: "cumulative pseudo-regret",
      width: 380,
      height: 280,
    });
  const sc = a.scaling.map((p) => ({
    ...p,
    setting: `L = ${p.layers}, N = ${p.trainCount}, seed ${p.seed}`,
  }));
  const fitRows = a.fits.filter((f) => f.headline).flatMap((f) => {
    const xs = sc.filter((p) => p.layers === f.layers && p.trainCount === f.trainCount).map((p) =>
      p.flop
    );
    const lo = Math.min(...xs), hi = Math.max(...xs) * 4;
    return [lo, Math.sqrt(lo * hi), hi].map((flop) => ({
      flop,
      sample: f.fit.a * Math.pow(flop, f.fit.b),
      setting: `fit (L = ${f.layers}, N = ${f.trainCount}), b = ${fmtFixed(f.fit.b, 3)}`,
    }));
  });
  const scaling = lineChart({
    rows: [...sc.map(({ flop, sample, setting }) => ({ flop, sample, setting })), ...fitRows],
    x: "flop",
    y: "sample",
    color: "setting",
    points: true,
    logX: true,
    logY: true,
    rules: [
      { value: PAPER_REFERENCE.linear.TF, label: "paper TF" },
      { value: PAPER_REFERENCE.linear.LinUCB, label: "paper LinUCB" },
    ],
    title: "Regret at T against training compute (linear AD, TF sampled)",
    subtitle: `paper's run ≈ ${fmtSig(a.paperFlops, 2)} FLOP`,
    xTitle: "training FLOP",
    yTitle: `regret at T = ${res.config.horizon}`,
    width: 480,
    height: 300,
  });
  const mm = a.mismatch.flatMap((m) =>
    m.curve.map((c) => ({
      ...c,
      context: `α = ${m.alpha}`,
      lo: c.regret - c.regretSe,
      hi: c.regret + c.regretSe,
    }))
  );
  const mismatch = concatCharts([
    lineChart({
      rows: mm,
      x: "t",
      y: "regret",
      lower: "lo",
      upper: "hi",
      color: "context",
      title: "DPT regret vs context mixture α·TS + (1−α)·uniform",
      subtitle: "TF sampled, averaged over seeds; mean ± SE",
      xTitle: "t (pulls)",
      yTitle: "cumulative pseudo-regret",
      width: 360,
      height: 260,
    }),
    lineChart({
      rows: mm,
      x: "t",
      y: "diff",
      lower: "diffLo",
      upper: "diffHi",
      color: "context",
      rules: [{ value: 0, label: "TS" }],
      title: "Regret − TS's (paired, same environments)",
      subtitle: "mean, 95 % CI",
      xTitle: "t (pulls)",
      yTitle: "regret difference",
      width: 360,
      height: 260,
    }),
  ], { direction: "horizontal" });
  return {
    learning,
    regretLinear: panel("linear", "Linear bandit: AD of LinUCB"),
    regretBernoulli: panel("bernoulli", "Bernoulli bandit: DPT (context (uniform + TS)/2)"),
    scaling,
    mismatch,
  };
}

function headlineText(h: Headline, T: number, paperTF: number, base: string[]): string[] {
  const lines: string[] = [];
  const comp = base.filter((k) => k in h.paired).map((k) => {
    const d = h.paired[k];
    const word = d.hi < 0 ? "below" : d.lo > 0 ? "above" : "not distinguishable from";
    return `${word} ${k} (TF − ${k} = ${ci(d)})`;
  });
  lines.push(
    `- TF sampled: regret at T = ${T} **${fmtMeanSE(h.tf.sample.mean, h.tf.sample.se)}** ` +
      `(seed CI [${fmtFixed(h.seeds.sample.lo, 2)}, ${fmtFixed(h.seeds.sample.hi, 2)}]; paper ${
        fmtFixed(paperTF, 1)
      } at T = 200), ` +
      `greedy ${
        fmtMeanSE(h.tf.greedy.mean, h.tf.greedy.se)
      }; paired on the same environments it is ${comp.join(", ")}.`,
  );
  lines.push(`- **Go rule: ${h.go.outcome}** — ${h.go.reason}`);
  lines.push(
    `- Reward-replaced control (the context shows another environment's rewards for the same arms): ` +
      `regret changes by ${
        ci(h.control)
      } — **uses rewards: ${h.reward.outcome}** (${h.reward.reason})`,
  );
  return lines;
}

/**
 * The generated conclusion (markdown): scale beside the paper's, the headline comparisons and
 * their verdicts, the controls, the compute extrapolation, and the mismatch ordering.
 *
 * @example
 * ```ts
 * import { pretrainTiny, run } from "./pretrain.ts";
 * const res = await run(pretrainTiny);
 * import { analyse } from "./pretrain_analysis.ts";
 * import { summary } from "./pretrain_views.ts";
 * const text = summary(res, analyse(res)); // markdown
 * ```
 */
export function summary(res: PretrainExpResult, a: PretrainAnalysis): string {
  const cfg = res.config, T = cfg.horizon;
  const head = a.linear.runs[0];
  const flop = head.steps * head.flopsPerStep;
  const hf = a.fits.find((f) => f.headline)!;
  const out: string[] = [];
  out.push(
    `**Scale.** ${cfg.model.layers} layers, ${cfg.model.heads} heads, D = ${cfg.model.D}, T = ${T}; ` +
      `each headline run: ${head.steps} steps of ${head.batch} trajectories (${
        fmtFixed((head.steps * head.batch) / head.trainCount, 2)
      } epochs of ${head.trainCount}), ` +
      `${fmtSig(flop, 2)} FLOP = ${fmtSig(flop / a.paperFlops, 2)} of the paper's ${
        fmtSig(a.paperFlops, 2)
      } (2 000 epochs; MATH §9). Backend: ${head.backend}. Wall time ${
        fmtFixed(res.wallTimeSec / 60, 1)
      } min.`,
  );
  out.push("", "**Linear bandits, AD of LinUCB.**");
  out.push(
    ...headlineText(a.linear, T, PAPER_REFERENCE.linear.TF, ["LinUCB", "Emp", "TS", "Prior"]),
  );
  out.push("", "**Bernoulli bandits, DPT (α = 0.5).**");
  out.push(...headlineText(a.bernoulli, T, PAPER_REFERENCE.bernoulli.TF, ["TS", "UCB", "Emp"]));
  out.push(
    "",
    `**Compute.** Regret at T of the headline runs falls as FLOP^b with b = ${
      fmtFixed(hf.fit.b, 3)
    } ` +
      `[${fmtFixed(hf.fit.bLo, 3)}, ${fmtFixed(hf.fit.bHi, 3)}] over ${hf.fit.n} checkpoints — ` +
      `**more compute helps: ${hf.verdict.outcome}** (${hf.verdict.reason}). Extrapolated, the paper's TF ` +
      `(${PAPER_REFERENCE.linear.TF}) would be reached at ${
        reach(hf.reachTF.x, a.paperFlops, maxFlop(a, hf))
      } and LinUCB's ` +
      `(${PAPER_REFERENCE.linear.LinUCB}) at ${
        reach(hf.reachLinUCB.x, a.paperFlops, maxFlop(a, hf))
      } — a straight line in log–log ` +
      `fitted over ${
        fmtSig(hf.fit.n, 2)
      } points spanning one to two decades, so a statement about the order of magnitude at most.`,
  );
  const best = [...a.fits].sort((x, y) => {
    const last = (f: typeof x) =>
      Math.min(
        ...a.scaling.filter((p) => p.layers === f.layers && p.trainCount === f.trainCount).map((
          p,
        ) => p.sample),
      );
    return last(x) - last(y);
  })[0];
  out.push(
    `Across depth × data, the lowest regret at the last checkpoint is at L = ${best.layers}, N = ${best.trainCount}; ` +
      `slopes: ${
        a.fits.map((f) => `L = ${f.layers}, N = ${f.trainCount}: ${fmtFixed(f.fit.b, 3)}`).join(
          "; ",
        )
      }.`,
  );
  const mm = a.mismatch;
  const order = [...mm].sort((x, y) => x.seeds.mean - y.seeds.mean).map((m) => `α = ${m.alpha}`);
  out.push(
    "",
    `**Distribution mismatch.** TF sampled regret at T by context mixture (mean over ${
      mm[0].seeds.k
    } seeds, 95 % CI): ` +
      mm.map((m) =>
        `α = ${m.alpha}: ${fmtFixed(m.seeds.mean, 2)} [${fmtFixed(m.seeds.lo, 2)}, ${
          fmtFixed(m.seeds.hi, 2)
        }], TF − TS ${ci(m.vsTS)}`
      ).join("; ") +
      `. From best to worst: ${order.join(" < ")}.`,
  );
  return out.join("\n");
}
