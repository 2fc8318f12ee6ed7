/**
 * Experiment 8's statistics, computed from the run's plain numbers (`pretrain.ts`) with the rules
 * fixed in its config (`pretrain_rules.ts`): the headline comparisons paired per environment
 * (TF − LinUCB, TF − Emp, TF − TS, …; the TF's regret per environment is the mean over its
 * training seeds), CIs over seeds, the reward-replaced control, the regret-vs-compute fit and the
 * compute at which it would reach the paper's TF and LinUCB, and the distribution-mismatch
 * comparisons. Views (tables, figures, the conclusion) read only this.
 *
 * @module
 */

import {
  fitPowerLaw,
  meanCI,
  type PairedDiff,
  pairedDiff,
  type PowerLawFit,
  type SeedCI,
  seedCI,
} from "../core/stats.ts";
import {
  computeToReachInterval,
  goVerdict,
  rewardUseVerdict,
  scalingVerdict,
} from "./pretrain_rules.ts";
import type { Verdict } from "./shape.ts";
import { PAPER_REFERENCE, paperTrainingFlops } from "./pretrain_config.ts";
import type { PretrainExpResult, RunInfo } from "./pretrain.ts";

/**
 * Regret at T per environment of one E × T array.
 *
 * @example
 * ```ts
 * atT(Float64Array.from([1, 2, 3, 4, 5, 6]), 2, 3); // Float64Array [3, 6]
 * ```
 */
export function atT(R: Float64Array, E: number, T: number): Float64Array {
  const out = new Float64Array(E);
  for (let e = 0; e < E; e++) out[e] = R[e * T + T - 1];
  return out;
}

/**
 * Per-environment mean over several E × T arrays (the seeds of one setting).
 *
 * @example
 * ```ts
 * seedMean([Float64Array.from([1, 2]), Float64Array.from([3, 6])]); // Float64Array [2, 4]
 * ```
 */
export function seedMean(Rs: readonly Float64Array[]): Float64Array {
  if (Rs.length === 0) throw new RangeError("seedMean needs at least one array");
  const out = new Float64Array(Rs[0].length);
  for (const R of Rs) {
    if (R.length !== out.length) throw new RangeError("seedMean: arrays differ in length");
    for (let i = 0; i < R.length; i++) out[i] += R[i] / Rs.length;
  }
  return out;
}

/** One headline setting (linear AD, or DPT at α = 0.5). */
export interface Headline {
  family: "linear" | "bernoulli";
  /** Runs (one per seed). */
  runs: RunInfo[];
  /** TF regret at T: mean ± SE over environments of the seed-averaged regret, by mode. */
  tf: Record<"sample" | "greedy", { mean: number; se: number }>;
  /** CI over seeds of each seed's mean regret at T, by mode. */
  seeds: Record<"sample" | "greedy", SeedCI>;
  /** Paired TF (sampled) − baseline at T, by baseline key. */
  paired: Record<string, PairedDiff>;
  /** Paired TF greedy − baseline at T. */
  pairedGreedy: Record<string, PairedDiff>;
  /** Reward-replaced control: regret(rewards from another environment) − regret(own), paired. */
  control: PairedDiff;
  go: Verdict;
  reward: Verdict;
}

/** One point of the scaling study. */
export interface ScalingPoint {
  layers: number;
  trainCount: number;
  seed: number;
  step: number;
  /** Training FLOP so far. */
  flop: number;
  /** Fraction of the paper's training compute. */
  paperFraction: number;
  sample: number;
  greedy: number;
  heldoutLoss: number;
  heldoutAcc: number;
}

/** Fit of regret at T (sampled) against training FLOP for one depth × data size. */
export interface ScalingFit {
  layers: number;
  trainCount: number;
  headline: boolean;
  fit: PowerLawFit;
  /** FLOP to reach the paper's TF and LinUCB regret (point and slope-CI interval; null: never). */
  reachTF: { x: number | null; lo: number | null; hi: number | null };
  reachLinUCB: { x: number | null; lo: number | null; hi: number | null };
  verdict: Verdict;
}

/** One context mixture of the distribution-mismatch study. */
export interface MismatchPoint {
  alpha: number;
  seeds: SeedCI;
  /** Paired TF (seed-averaged) − TS at T. */
  vsTS: PairedDiff;
  /** Seed-averaged regret and its paired difference to TS at every t (mean, 95 % CI). */
  curve: {
    t: number;
    regret: number;
    regretSe: number;
    diff: number;
    diffLo: number;
    diffHi: number;
  }[];
}

/** Everything the views read. */
export interface PretrainAnalysis {
  linear: Headline;
  bernoulli: Headline;
  scaling: ScalingPoint[];
  fits: ScalingFit[];
  mismatch: MismatchPoint[];
  /** Training FLOP of the paper's run (this project's token layout). */
  paperFlops: number;
}

function headline(
  res: PretrainExpResult,
  family: "linear" | "bernoulli",
  runs: RunInfo[],
): Headline {
  const { evalCount: E, horizon: T } = res.config;
  if (runs.length < 2) {
    throw new RangeError(`${family}: the headline needs ≥ 2 seeds, got ${runs.length}`);
  }
  const byMode = (mode: "sample" | "greedy") =>
    runs.map((r) => r.regret.find((x) => x.mode === mode)!.R);
  const tfAt = {
    sample: atT(seedMean(byMode("sample")), E, T),
    greedy: atT(seedMean(byMode("greedy")), E, T),
  };
  const ci = (x: Float64Array) => {
    const c = meanCI(x);
    return { mean: c.mean, se: c.se };
  };
  const seedMeans = (mode: "sample" | "greedy") =>
    byMode(mode).map((R) => meanCI(atT(R, E, T)).mean);
  const paired: Record<string, PairedDiff> = {}, pairedGreedy: Record<string, PairedDiff> = {};
  for (const b of res.baselines.filter((x) => x.family === family)) {
    paired[b.key] = pairedDiff(tfAt.sample, atT(b.R, E, T));
    pairedGreedy[b.key] = pairedDiff(tfAt.greedy, atT(b.R, E, T));
  }
  const replaced = runs.map((r) => {
    if (r.replaced === null) throw new RangeError(`${r.name}: the control was not run`);
    return r.replaced;
  });
  const control = pairedDiff(atT(seedMean(replaced), E, T), tfAt.sample);
  const tf = { sample: ci(tfAt.sample), greedy: ci(tfAt.greedy) };
  const rule = family === "linear" ? res.config.rules.goLinear : res.config.rules.goBernoulli;
  return {
    family,
    runs,
    tf,
    seeds: { sample: seedCI(seedMeans("sample")), greedy: seedCI(seedMeans("greedy")) },
    paired,
    pairedGreedy,
    control,
    go: goVerdict(rule, tf.sample, paired),
    reward: rewardUseVerdict(control),
  };
}

/**
 * All statistics of a result (see the module doc). Throws if a headline setting has fewer than
 * two seeds or lacks its control.
 *
 * @example
 * ```ts
 * import { pretrainTiny, run } from "./pretrain.ts";
 * const res = await run(pretrainTiny);
 * import { analyse } from "./pretrain_analysis.ts";
 * const a = analyse(res); // a.linear.go.outcome: "supported" | "not supported" | "inconclusive"
 * ```
 */
export function analyse(res: PretrainExpResult): PretrainAnalysis {
  const cfg = res.config, E = cfg.evalCount, T = cfg.horizon;
  const paperFlops = paperTrainingFlops();
  const linear = headline(res, "linear", res.runs.filter((r) => r.method === "AD" && r.headline));
  const bernoulli = headline(
    res,
    "bernoulli",
    res.runs.filter((r) => r.method === "DPT" && r.alpha === 0.5),
  );
  const scaling: ScalingPoint[] = [];
  for (const r of res.runs.filter((x) => x.method === "AD")) {
    for (const c of r.checkpoints) {
      const m = (mode: string) => meanCI(c.RT.find((x) => x.mode === mode)!.R).mean;
      const flop = c.step * r.flopsPerStep;
      scaling.push({
        layers: r.layers,
        trainCount: r.trainCount,
        seed: r.seed,
        step: c.step,
        flop,
        paperFraction: flop / paperFlops,
        sample: m("sample"),
        greedy: m("greedy"),
        heldoutLoss: c.heldoutLoss,
        heldoutAcc: c.heldoutAcc,
      });
    }
  }
  const fits: ScalingFit[] = [];
  for (const layers of cfg.scaling.layers) {
    for (const trainCount of cfg.scaling.trainCounts) {
      const pts = scaling.filter((p) => p.layers === layers && p.trainCount === trainCount);
      const fit = fitPowerLaw(pts.map((p) => p.flop), pts.map((p) => p.sample));
      fits.push({
        layers,
        trainCount,
        headline: layers === cfg.model.layers && trainCount === cfg.ad.trainCount,
        fit,
        reachTF: computeToReachInterval(fit, PAPER_REFERENCE.linear.TF),
        reachLinUCB: computeToReachInterval(fit, PAPER_REFERENCE.linear.LinUCB),
        verdict: scalingVerdict(cfg.rules.scaling, fit),
      });
    }
  }
  const ts = res.baselines.find((b) => b.family === "bernoulli" && b.key === "TS")!.R;
  const mismatch: MismatchPoint[] = [];
  for (const alpha of [...cfg.dpt.alphas].sort((a, b) => a - b)) {
    const runs = res.runs.filter((r) => r.method === "DPT" && r.alpha === alpha);
    const Rs = runs.map((r) => r.regret.find((x) => x.mode === "sample")!.R);
    const R = seedMean(Rs);
    const col = new Float64Array(E), tcol = new Float64Array(E);
    const curve = [];
    for (let t = 1; t <= T; t++) {
      for (let e = 0; e < E; e++) {
        col[e] = R[e * T + t - 1];
        tcol[e] = ts[e * T + t - 1];
      }
      const c = meanCI(col), d = pairedDiff(col, tcol);
      curve.push({ t, regret: c.mean, regretSe: c.se, diff: d.mean, diffLo: d.lo, diffHi: d.hi });
    }
    mismatch.push({
      alpha,
      seeds: seedCI(Rs.map((x) => meanCI(atT(x, E, T)).mean)),
      vsTS: pairedDiff(atT(R, E, T), atT(ts, E, T)),
      curve,
    });
  }
  return { linear, bernoulli, scaling, fits, mismatch, paperFlops };
}
