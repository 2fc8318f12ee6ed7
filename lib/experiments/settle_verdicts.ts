/**
 * The pre-registered verdicts of experiment 5 (MATH §7, §8.5): pure functions from measured numbers
 * and thresholds (the `verdicts` block of `SettleConfig`, fixed before the run and shown with the
 * config) to one of three outcomes — **supported**, **qualified** or **not supported** — with the
 * numbers that decided it. Nothing here looks at a result object, so each outcome can be driven by
 * synthetic inputs (`tests/experiments/settle_verdicts_test.ts`).
 *
 * @module
 */

import { assertNumber } from "../core/validate.ts";
import { fitPowerLaw, meanCI, type PowerLawFit } from "../core/stats.ts";
import { fmtPct, fmtSig } from "../report/format.ts";
import type { Verdict } from "./shape.ts";

/** The three outcomes of a verdict. */
/** Thresholds of every verdict, fixed in the config before the run. */
export interface VerdictRules {
  /** Richness: an isolated manifold (one zero eigenvalue) with κ = λ_max/μ above this is "qualified". */
  richness: { kappaMax: number };
  /** Rate: |measured/predicted − 1| of the log-slope, ≤ supportedTol ⇒ supported, ≤ qualifiedTol ⇒ qualified. */
  rate: { supportedTol: number; qualifiedTol: number };
  /** Balancedness under GD: |measured |c| / predicted(Δ₀) − 1| at the smallest η. */
  balance: { supportedTol: number; qualifiedTol: number };
  /**
   * η-scaling of the |c| offset, offset ∝ η^b: the claim is b = `claimed`; |b − claimed| ≤
   * supportedTol ⇒ supported; b ≥ qualifiedMin (the offset still vanishes with η) ⇒ qualified.
   */
  etaExponent: { claimed: number; supportedTol: number; qualifiedMin: number };
  /** Adam: the spread of mean |c| over learning rates that counts as "depends on the learning rate". */
  adamLr: { minSpread: number };
  /**
   * Failure criterion of an ablation arm (geometric-mean final distance to M⋆ over seeds above
   * `failDist`), the secondary richness predictor (μ below `muRatioPoor` × the paper arm's), and the
   * precision / recall the richness flag needs.
   */
  failure: { failDist: number; muRatioPoor: number; minPrecision: number; minRecall: number };
  /** Basin: gains ≤ smallGainMax must reach M⋆ with a Wilson lower bound ≥ minFraction. */
  basin: { smallGainMax: number; minFraction: number };
}

function tol(name: string, v: number): void {
  assertNumber(name, v, 0);
}

/**
 * Validate the thresholds (all finite and ≥ 0, the qualified bands no tighter than the supported
 * ones, fractions in [0, 1]); throws naming the bad one.
 *
 * @example
 * ```ts
 * import { validateVerdictRules } from "./settle_verdicts.ts";
 * validateVerdictRules({
 *   richness: { kappaMax: 100 },
 *   rate: { supportedTol: 0.1, qualifiedTol: 0.3 },
 *   balance: { supportedTol: 0.01, qualifiedTol: 0.05 },
 *   etaExponent: { claimed: 2, supportedTol: 0.4, qualifiedMin: 0.5 },
 *   adamLr: { minSpread: 0.02 },
 *   failure: { failDist: 0.05, muRatioPoor: 0.1, minPrecision: 0.9, minRecall: 0.9 },
 *   basin: { smallGainMax: 0.1, minFraction: 0.8 },
 * });
 * ```
 */
export function validateVerdictRules(r: VerdictRules): VerdictRules {
  tol("verdicts.richness.kappaMax", r.richness.kappaMax);
  tol("verdicts.rate.supportedTol", r.rate.supportedTol);
  assertNumber("verdicts.rate.qualifiedTol", r.rate.qualifiedTol, r.rate.supportedTol);
  tol("verdicts.balance.supportedTol", r.balance.supportedTol);
  assertNumber("verdicts.balance.qualifiedTol", r.balance.qualifiedTol, r.balance.supportedTol);
  assertNumber("verdicts.etaExponent.claimed", r.etaExponent.claimed, 0);
  tol("verdicts.etaExponent.supportedTol", r.etaExponent.supportedTol);
  assertNumber("verdicts.etaExponent.qualifiedMin", r.etaExponent.qualifiedMin, 0);
  tol("verdicts.adamLr.minSpread", r.adamLr.minSpread);
  assertNumber("verdicts.failure.failDist", r.failure.failDist, Number.MIN_VALUE);
  assertNumber("verdicts.failure.muRatioPoor", r.failure.muRatioPoor, 0, 1);
  assertNumber("verdicts.failure.minPrecision", r.failure.minPrecision, 0, 1);
  assertNumber("verdicts.failure.minRecall", r.failure.minRecall, 0, 1);
  assertNumber("verdicts.basin.smallGainMax", r.basin.smallGainMax, Number.MIN_VALUE);
  assertNumber("verdicts.basin.minFraction", r.basin.minFraction, 0, 1);
  return r;
}

/**
 * *Richness holds* (MATH §7): exactly one zero eigenvalue of the Gauss–Newton matrix at every c
 * and full-rank token and w̃ Gram matrices. Not supported if any count differs from 1 or a Gram
 * matrix is rank-deficient; qualified if the condition number exceeds `kappaMax` (μ > 0 but the
 * local PL constant is small), or if the spectrum is iterative (`exact: false`: the zero count
 * comes from the smallest Ritz values, which do not prove that no further zero exists).
 *
 * @example
 * ```ts
 * import { richnessVerdict } from "./settle_verdicts.ts";
 * richnessVerdict({ zeros: [1, 1], gramFull: true, kappa: [50, 60], exact: true },
 *   { kappaMax: 100 }).outcome; // "supported"
 * ```
 */
export function richnessVerdict(
  m: { zeros: number[]; gramFull: boolean; kappa: number[]; exact: boolean },
  rule: VerdictRules["richness"],
): Verdict {
  if (m.zeros.length === 0 || m.zeros.length !== m.kappa.length) {
    throw new RangeError(`richnessVerdict: need one zero count and one κ per c`);
  }
  const counts = `zero eigenvalues per c: ${m.zeros.join(", ")}; Gram matrices ${
    m.gramFull ? "full rank" : "rank-deficient"
  }`;
  if (m.zeros.some((z) => z !== 1) || !m.gramFull) {
    return { outcome: "not supported", reason: counts };
  }
  const kMax = Math.max(...m.kappa);
  if (!m.exact) {
    return {
      outcome: "qualified",
      reason: `${counts} — from an iterative solver (the smallest Ritz values), not a proof that ` +
        `no second zero exists; κ ≤ ${fmtSig(kMax)}`,
    };
  }
  if (kMax > rule.kappaMax) {
    return {
      outcome: "qualified",
      reason: `${counts}, but κ = λ_max/μ up to ${fmtSig(kMax)} > ${
        fmtSig(rule.kappaMax)
      } (a small local PL constant)`,
    };
  }
  return {
    outcome: "supported",
    reason: `${counts}; κ ≤ ${fmtSig(kMax)} ≤ ${fmtSig(rule.kappaMax)}`,
  };
}

/**
 * *The loss decays at the rate (1 − ημ)² near M⋆* (Thm 3.2): the ratios measured/predicted of the
 * loss (or distance) log-slope. Supported if every |ratio − 1| ≤ supportedTol, qualified if every
 * one ≤ qualifiedTol, not supported otherwise.
 *
 * @example
 * ```ts
 * import { rateVerdict } from "./settle_verdicts.ts";
 * rateVerdict([1.02, 0.97], { supportedTol: 0.1, qualifiedTol: 0.3 }).outcome; // "supported"
 * ```
 */
export function rateVerdict(ratios: number[], rule: VerdictRules["rate"]): Verdict {
  if (ratios.length === 0) throw new RangeError(`rateVerdict: no measured/predicted ratios`);
  ratios.forEach((r, i) => assertNumber(`ratios[${i}]`, r));
  const worst = Math.max(...ratios.map((r) => Math.abs(r - 1)));
  const span = `measured/predicted ${fmtSig(Math.min(...ratios))} … ${
    fmtSig(Math.max(...ratios))
  } over ${ratios.length} run(s), worst deviation ${fmtPct(worst)}`;
  if (worst <= rule.supportedTol) {
    return { outcome: "supported", reason: `${span} ≤ ${fmtPct(rule.supportedTol)}` };
  }
  if (worst <= rule.qualifiedTol) {
    return {
      outcome: "qualified",
      reason: `${span}: above ${fmtPct(rule.supportedTol)}, within ${fmtPct(rule.qualifiedTol)}`,
    };
  }
  return { outcome: "not supported", reason: `${span} > ${fmtPct(rule.qualifiedTol)}` };
}

/**
 * *Balancedness fixes |c| under GD* (MATH §7): the relative deviations |measured|c|/predicted(Δ₀) − 1|
 * of converged GD runs at the smallest learning rate tried. Supported ≤ supportedTol, qualified ≤
 * qualifiedTol, else not supported.
 *
 * @example
 * ```ts
 * import { balanceVerdict } from "./settle_verdicts.ts";
 * balanceVerdict([0.004, 0.006], { supportedTol: 0.01, qualifiedTol: 0.05 }).outcome; // "supported"
 * ```
 */
export function balanceVerdict(deviations: number[], rule: VerdictRules["balance"]): Verdict {
  if (deviations.length === 0) throw new RangeError(`balanceVerdict: no deviations`);
  deviations.forEach((r, i) => assertNumber(`deviations[${i}]`, r, 0));
  const worst = Math.max(...deviations);
  const s = `largest deviation ${fmtPct(worst, 2)} over ${deviations.length} run(s)`;
  if (worst <= rule.supportedTol) {
    return { outcome: "supported", reason: `${s} ≤ ${fmtPct(rule.supportedTol, 2)}` };
  }
  if (worst <= rule.qualifiedTol) {
    return { outcome: "qualified", reason: `${s} ≤ ${fmtPct(rule.qualifiedTol, 2)}` };
  }
  return { outcome: "not supported", reason: `${s} > ${fmtPct(rule.qualifiedTol, 2)}` };
}

/**
 * *The |c| offset from the balancedness prediction is O(η^claimed)*: fit offset ∝ η^b over every
 * (η, seed) point. Supported if |b − claimed| ≤ supportedTol; qualified if b ≥ qualifiedMin (the
 * offset vanishes as η → 0, but with another power); not supported otherwise (it does not shrink
 * with η, so it is not a discretisation effect).
 *
 * @example
 * ```ts
 * import { etaScalingVerdict } from "./settle_verdicts.ts";
 * const pts = [8, 4, 2].map((eta) => ({ eta, offset: 1e-3 * eta * eta }));
 * etaScalingVerdict(pts, { claimed: 2, supportedTol: 0.4, qualifiedMin: 0.5 }).verdict.outcome;
 * // "supported"
 * ```
 */
export function etaScalingVerdict(
  points: { eta: number; offset: number }[],
  rule: VerdictRules["etaExponent"],
): { fit: PowerLawFit; verdict: Verdict } {
  const fit = fitPowerLaw(points.map((p) => p.eta), points.map((p) => p.offset), 0.95, 2);
  const s = `fitted exponent b = ${fmtSig(fit.b)} (95 % CI ${fmtSig(fit.bLo)} … ${
    fmtSig(fit.bHi)
  }, ${fit.n} runs)`;
  const b = fit.b;
  if (Math.abs(b - rule.claimed) <= rule.supportedTol) {
    return {
      fit,
      verdict: {
        outcome: "supported",
        reason: `${s}, within ${fmtSig(rule.supportedTol)} of ${rule.claimed}`,
      },
    };
  }
  if (b >= rule.qualifiedMin) {
    return {
      fit,
      verdict: {
        outcome: "qualified",
        reason: `${s}: the offset shrinks with η, but not as η^${rule.claimed}`,
      },
    };
  }
  return {
    fit,
    verdict: {
      outcome: "not supported",
      reason: `${s} < ${fmtSig(rule.qualifiedMin)}: the offset does not vanish with η`,
    },
  };
}

/**
 * *Under Adam, |c| depends on the learning rate*: |c| of each run grouped by learning rate. The
 * spread is max − min of the group means; supported if it is ≥ minSpread **and** the 95 % CIs of
 * the two extreme groups are disjoint; not supported if the spread is < minSpread and those CIs
 * overlap; qualified otherwise.
 *
 * @example
 * ```ts
 * import { adamLrVerdict } from "./settle_verdicts.ts";
 * adamLrVerdict([
 *   { lr: 1e-3, absC: [0.50, 0.51, 0.49] },
 *   { lr: 1e-2, absC: [0.60, 0.61, 0.62] },
 * ], { minSpread: 0.02 }).outcome; // "supported"
 * ```
 */
export function adamLrVerdict(
  groups: { lr: number; absC: number[] }[],
  rule: VerdictRules["adamLr"],
): Verdict {
  if (groups.length < 2) throw new RangeError(`adamLrVerdict: need ≥ 2 learning rates`);
  const stats = groups.map((g) => {
    if (g.absC.length === 0) throw new RangeError(`adamLrVerdict: lr ${g.lr} has no runs`);
    const { mean, lo, hi } = meanCI(g.absC);
    return { lr: g.lr, mean, lo, hi };
  });
  const byMean = [...stats].sort((a, b) => a.mean - b.mean);
  const lo = byMean[0], hi = byMean[byMean.length - 1];
  const spread = hi.mean - lo.mean;
  const disjoint = lo.hi < hi.lo;
  const s = `mean |c| ${
    stats.map((g) => `${fmtSig(g.mean)} at lr ${fmtSig(g.lr)}`).join(", ")
  }; spread ${fmtSig(spread)} (threshold ${fmtSig(rule.minSpread)}), extreme CIs ${
    disjoint ? "disjoint" : "overlapping"
  }`;
  if (spread >= rule.minSpread && disjoint) return { outcome: "supported", reason: s };
  if (spread < rule.minSpread && !disjoint) return { outcome: "not supported", reason: s };
  return { outcome: "qualified", reason: s };
}

/** Counts of a confusion table of a richness flag ("poor") against observed failure. */
export interface Confusion {
  /** Flagged poor and failed. */
  tp: number;
  /** Flagged poor, did not fail. */
  fp: number;
  /** Not flagged, failed. */
  fn: number;
  /** Not flagged, did not fail. */
  tn: number;
}

/**
 * Confusion counts of per-arm (flag, failed) pairs.
 *
 * @example
 * ```ts
 * import { confusionOf } from "./settle_verdicts.ts";
 * confusionOf([{ flagged: true, failed: true }, { flagged: false, failed: true }]);
 * // { tp: 1, fp: 0, fn: 1, tn: 0 }
 * ```
 */
export function confusionOf(arms: { flagged: boolean; failed: boolean }[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const a of arms) {
    if (a.flagged && a.failed) c.tp++;
    else if (a.flagged) c.fp++;
    else if (a.failed) c.fn++;
    else c.tn++;
  }
  return c;
}

/**
 * *The richness flag predicts which training distributions fail* (failure criterion fixed in the
 * config): precision = tp/(tp+fp), recall = tp/(tp+fn). Supported if both reach their thresholds;
 * qualified if exactly one does (e.g. every flagged arm fails, but some failures are not flagged);
 * not supported if neither. If no arm failed and none was flagged, the test is vacuous: qualified.
 *
 * @example
 * ```ts
 * import { failureVerdict } from "./settle_verdicts.ts";
 * failureVerdict({ tp: 3, fp: 0, fn: 2, tn: 7 },
 *   { failDist: 0.05, muRatioPoor: 0.1, minPrecision: 0.9, minRecall: 0.9 }).outcome;
 * // "qualified": precision 1, recall 0.6
 * ```
 */
export function failureVerdict(c: Confusion, rule: VerdictRules["failure"]): Verdict {
  const total = c.tp + c.fp + c.fn + c.tn;
  if (total === 0) throw new RangeError(`failureVerdict: empty confusion table`);
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : NaN;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : NaN;
  const s =
    `${c.tp} flagged and failed, ${c.fp} flagged but fine, ${c.fn} failed unflagged, ${c.tn} ` +
    `neither (agreement ${c.tp + c.tn}/${total}; precision ${
      Number.isNaN(precision) ? "—" : fmtSig(precision)
    }, recall ${Number.isNaN(recall) ? "—" : fmtSig(recall)}; thresholds ${
      fmtSig(rule.minPrecision)
    } / ${fmtSig(rule.minRecall)})`;
  if (c.tp + c.fp + c.fn === 0) {
    return { outcome: "qualified", reason: `${s}: no arm failed and none was flagged (vacuous)` };
  }
  const pOk = precision >= rule.minPrecision, rOk = recall >= rule.minRecall;
  if (pOk && rOk) return { outcome: "supported", reason: s };
  if (pOk || rOk) return { outcome: "qualified", reason: s };
  return { outcome: "not supported", reason: s };
}

/**
 * *Random inits at small gains reach M⋆* (basin of attraction): per optimiser setting, every gain ≤
 * smallGainMax must reach M⋆ with a Wilson 95 % lower bound ≥ minFraction. Supported if every
 * setting passes, qualified if at least one does, not supported if none.
 *
 * @example
 * ```ts
 * import { basinVerdict } from "./settle_verdicts.ts";
 * basinVerdict([
 *   { setting: "adam", gain: 0.1, reached: 20, runs: 20, lo: 0.84 },
 *   { setting: "gd η=8", gain: 0.1, reached: 0, runs: 20, lo: 0 },
 * ], { smallGainMax: 0.1, minFraction: 0.8 }).outcome; // "qualified"
 * ```
 */
export function basinVerdict(
  groups: { setting: string; gain: number; reached: number; runs: number; lo: number }[],
  rule: VerdictRules["basin"],
): Verdict {
  const small = groups.filter((g) => g.gain <= rule.smallGainMax);
  if (small.length === 0) throw new RangeError(`basinVerdict: no gain ≤ ${rule.smallGainMax}`);
  const settings = [...new Set(small.map((g) => g.setting))];
  const pass = settings.filter((s) =>
    small.filter((g) => g.setting === s).every((g) => g.lo >= rule.minFraction)
  );
  const s =
    settings.map((st) =>
      `${st}: ${
        small.filter((g) => g.setting === st).map((g) => `${g.reached}/${g.runs}`).join(", ")
      }`
    ).join("; ") +
    ` at gains ≤ ${fmtSig(rule.smallGainMax)} (Wilson lower bound ≥ ${
      fmtSig(rule.minFraction)
    } needed; passing: ${pass.length ? pass.join(", ") : "none"})`;
  if (pass.length === settings.length) return { outcome: "supported", reason: s };
  if (pass.length > 0) return { outcome: "qualified", reason: s };
  return { outcome: "not supported", reason: s };
}
