/**
 * Pre-registered decision rules of notebook 08 ("a transformer pretrained on bandit trajectories
 * acts in context", [LBM24]). Pure functions on plain numbers: the compute needed to reach a target
 * under a power-law fit of regret against compute, and the three verdicts fixed in the experiment
 * config before the run (go / scaling / reward use). The statistics they read — paired
 * differences, seed intervals, the power-law fit — are `core/stats.ts`'s.
 *
 * Every verdict is one of `"supported"`, `"not supported"`, `"inconclusive"` with a one-sentence
 * reason carrying the numbers (3 significant digits) that decided it.
 *
 * @module
 */

import {
  assertKnownKeys,
  assertNumber,
  assertObject,
  assertPositive,
  showValue,
} from "../core/validate.ts";
import type { PairedDiff, PowerLawFit } from "../core/stats.ts";
import type { Verdict } from "./shape.ts";

// ---------------------------------------------------------------------------------------------
// Compute needed to reach a target under a fitted power law.

/** Check the fields of a {@linkcode PowerLawFit} that the functions below read. */
function assertFit(fit: PowerLawFit): void {
  assertObject("fit", fit);
  assertPositive("fit.a", fit.a);
  assertNumber("fit.b", fit.b);
  assertNumber("fit.bLo", fit.bLo);
  assertNumber("fit.bHi", fit.bHi);
  if (!(fit.bLo <= fit.bHi)) {
    throw new RangeError(`fit.bLo must be ≤ fit.bHi, got bLo=${fit.bLo}, bHi=${fit.bHi}`);
  }
}

/** x with a·x^s = target for slope s < 0, or null (s ≥ 0, or the result is not a finite x > 0). */
function reachAt(a: number, s: number, target: number): number | null {
  if (!(s < 0)) return null;
  const x = Math.exp(Math.log(target / a) / s);
  return Number.isFinite(x) && x > 0 ? x : null;
}

/**
 * Compute x at which the fitted law reaches `target` (a·x^b = target, i.e. x = (target/a)^(1/b)),
 * for a decreasing law only: null when b ≥ 0 (more compute does not bring the metric down) or the
 * result is not a finite positive number (overflow/underflow).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitPowerLaw } from "../core/stats.ts";
 * import { computeToReach } from "./pretrain_rules.ts";
 * const fit = fitPowerLaw([1, 4, 16], [100, 50, 25]); // y = 100·x^(−1/2)
 * assert.ok(Math.abs(computeToReach(fit, 10)! - 100) < 1e-9);
 * ```
 */
export function computeToReach(fit: PowerLawFit, target: number): number | null {
  assertFit(fit);
  assertPositive("target", target);
  return reachAt(fit.a, fit.b, target);
}

/**
 * {@linkcode computeToReach} with an interval from the slope's CI ends (the prefactor `a` held at
 * its fit). For s < 0, x(s) = exp(ln(target/a)/s) is monotone in s, so:
 *
 * - target < a (the usual case: compute must grow to bring the metric down): x increases with s;
 *   `lo = x(bLo)`, `hi = x(bHi)`, and `hi` is null (unbounded above) when bHi ≥ 0.
 * - target > a: x decreases with s; `lo = x(bHi)`, `hi = x(bLo)`, and `lo` is null (unbounded
 *   towards 0) when bHi ≥ 0.
 * - target = a: x = 1 at every slope < 0.
 *
 * Any end whose slope is ≥ 0 (or whose x is not finite) is null; `x` is null when b ≥ 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeToReachInterval } from "./pretrain_rules.ts";
 * const fit = { a: 100, b: -0.5, bSe: 0.2, bLo: -0.9, bHi: 0.1, n: 5, r2: 0.9 };
 * const r = computeToReachInterval(fit, 10); // x = 100, lo = 10^(1/0.9), hi unbounded
 * assert.ok(Math.abs(r.x! - 100) < 1e-9);
 * assert.ok(Math.abs(r.lo! - 10 ** (1 / 0.9)) < 1e-9);
 * assert.equal(r.hi, null);
 * ```
 */
export function computeToReachInterval(
  fit: PowerLawFit,
  target: number,
): { x: number | null; lo: number | null; hi: number | null } {
  assertFit(fit);
  assertPositive("target", target);
  const x = reachAt(fit.a, fit.b, target);
  const atLo = reachAt(fit.a, fit.bLo, target), atHi = reachAt(fit.a, fit.bHi, target);
  return target > fit.a ? { x, lo: atHi, hi: atLo } : { x, lo: atLo, hi: atHi };
}

// ---------------------------------------------------------------------------------------------
// Pre-registered rules and verdicts.

/** Pre-registered "go" rule (fixed in the experiment config before the run). */
export interface GoRule {
  /** "go" needs the paired CI of (TF − baseline) to lie entirely below 0 for this baseline key. */
  mustBeatBaseline: string;
  /** …and TF regret at T within `withinSe` standard errors of the paper's TF value, or better. */
  paperTF: number;
  /** How many TF standard errors above `paperTF` still count as matching the paper. */
  withinSe: number;
}

/** Pre-registered scaling rule. */
export interface ScalingRule {
  /** "more compute helps" when the slope CI upper end lies below this (e.g. 0). */
  slopeBelow: number;
}

/** `v` to 3 significant digits. */
function sig(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** `[lo, hi]` to 3 significant digits. */
function ci(lo: number, hi: number): string {
  return `[${sig(lo)}, ${sig(hi)}]`;
}

const goRuleKeys = ["mustBeatBaseline", "paperTF", "withinSe"] as const;
const scalingRuleKeys = ["slopeBelow"] as const;

/**
 * Validate a {@linkcode GoRule}: only the keys `mustBeatBaseline` (non-empty string), `paperTF`
 * (finite ≥ 0) and `withinSe` (finite ≥ 0); an unknown key, a missing key or NaN throws a
 * `RangeError` naming it.
 *
 * @example
 * ```ts
 * import { validateGoRule } from "./pretrain_rules.ts";
 * validateGoRule({ mustBeatBaseline: "Emp", paperTF: 39.6, withinSe: 2 }); // ok
 * ```
 */
export function validateGoRule(r: unknown): asserts r is GoRule {
  assertKnownKeys("goRule", r, goRuleKeys);
  const o = r as Record<string, unknown>;
  if (typeof o.mustBeatBaseline !== "string" || o.mustBeatBaseline === "") {
    throw new RangeError(
      `goRule.mustBeatBaseline must be a non-empty string, got ${showValue(o.mustBeatBaseline)}`,
    );
  }
  assertNumber("goRule.paperTF", o.paperTF as number, 0);
  assertNumber("goRule.withinSe", o.withinSe as number, 0);
}

/**
 * Validate a {@linkcode ScalingRule}: only the key `slopeBelow` (finite); an unknown key, a
 * missing key or NaN throws a `RangeError` naming it.
 *
 * @example
 * ```ts
 * import { validateScalingRule } from "./pretrain_rules.ts";
 * validateScalingRule({ slopeBelow: 0 }); // ok
 * ```
 */
export function validateScalingRule(r: unknown): asserts r is ScalingRule {
  assertKnownKeys("scalingRule", r, scalingRuleKeys);
  assertNumber("scalingRule.slopeBelow", (r as Record<string, unknown>).slopeBelow as number);
}

/** Check a {@linkcode PairedDiff}'s interval fields (finite, lo ≤ hi). */
function assertPaired(name: string, d: PairedDiff): void {
  assertObject(name, d);
  assertNumber(`${name}.mean`, d.mean);
  assertNumber(`${name}.lo`, d.lo);
  assertNumber(`${name}.hi`, d.hi);
  if (!(d.lo <= d.hi)) {
    throw new RangeError(`${name}.lo must be ≤ ${name}.hi, got lo=${d.lo}, hi=${d.hi}`);
  }
}

/**
 * The pre-registered "go" verdict: does the pretrained transformer (TF) act in context well enough?
 * With d = `paired[rule.mustBeatBaseline]` (the paired CI of regret(TF) − regret(baseline)) and the
 * bar `paperTF + withinSe·tf.se`:
 *
 * - **supported** when `d.hi < 0` (TF significantly beats the baseline) AND `tf.mean ≤ bar`
 *   (TF's regret within `withinSe` standard errors of the paper's value, or better);
 * - **not supported** when `d.lo ≥ 0` (the paired CI lies entirely at or above 0: TF not better
 *   than the baseline);
 * - **inconclusive** otherwise: either the CI straddles 0 (`d.lo < 0 ≤ d.hi`), or TF beats the
 *   baseline but `tf.mean > bar` (it falls short of the paper's value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goVerdict } from "./pretrain_rules.ts";
 * const rule = { mustBeatBaseline: "Emp", paperTF: 39.6, withinSe: 2 };
 * const emp = { mean: -5, se: 1, lo: -7, hi: -3, n: 100 };
 * assert.equal(goVerdict(rule, { mean: 40, se: 1 }, { Emp: emp }).outcome, "supported");
 * ```
 */
export function goVerdict(
  rule: GoRule,
  tf: { mean: number; se: number },
  paired: Record<string, PairedDiff>,
): Verdict {
  validateGoRule(rule);
  assertObject("tf", tf);
  assertNumber("tf.mean", tf.mean);
  assertNumber("tf.se", tf.se, 0);
  assertObject("paired", paired);
  const key = rule.mustBeatBaseline;
  if (!Object.hasOwn(paired, key)) {
    throw new RangeError(
      `paired has no entry for goRule.mustBeatBaseline=${JSON.stringify(key)}; keys: ${
        Object.keys(paired).join(", ") || "(none)"
      }`,
    );
  }
  const d = paired[key];
  assertPaired(`paired.${key}`, d);
  const bar = rule.paperTF + rule.withinSe * tf.se;
  const diffText = `the paired CI of TF − ${key} regret is ${ci(d.lo, d.hi)}`;
  const barText = `the paper's ${sig(rule.paperTF)} + ${sig(rule.withinSe)}·${sig(tf.se)} = ${
    sig(bar)
  }`;
  if (d.hi < 0 && tf.mean <= bar) {
    return {
      outcome: "supported",
      reason: `TF beats ${key} (${diffText}, entirely < 0) and its regret ${
        sig(tf.mean)
      } is ≤ ${barText}.`,
    };
  }
  if (d.lo >= 0) {
    return {
      outcome: "not supported",
      reason: `TF is not better than ${key}: ${diffText}, entirely ≥ 0.`,
    };
  }
  if (d.hi < 0) {
    return {
      outcome: "inconclusive",
      reason: `TF beats ${key} (${diffText}, entirely < 0) but its regret ${
        sig(tf.mean)
      } exceeds ${barText}.`,
    };
  }
  return {
    outcome: "inconclusive",
    reason: `TF vs ${key} is undecided: ${diffText}, which contains 0.`,
  };
}

/**
 * The pre-registered scaling verdict ("more compute helps") from the slope CI [bLo, bHi] of the
 * power-law fit of regret against compute, with `s = rule.slopeBelow`:
 *
 * - **supported** when `fit.bHi < s` (the whole slope CI lies below s);
 * - **not supported** when `fit.bLo ≥ s` (the whole CI at or above s: no improvement);
 * - **inconclusive** otherwise (`bLo < s ≤ bHi`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scalingVerdict } from "./pretrain_rules.ts";
 * const fit = { a: 100, b: -0.3, bSe: 0.05, bLo: -0.4, bHi: -0.2, n: 5, r2: 0.95 };
 * assert.equal(scalingVerdict({ slopeBelow: 0 }, fit).outcome, "supported");
 * ```
 */
export function scalingVerdict(rule: ScalingRule, fit: PowerLawFit): Verdict {
  validateScalingRule(rule);
  assertFit(fit);
  const s = rule.slopeBelow;
  const slopeText = `the slope b = ${sig(fit.b)} has CI ${ci(fit.bLo, fit.bHi)}`;
  if (fit.bHi < s) {
    return {
      outcome: "supported",
      reason: `More compute helps: ${slopeText}, entirely below ${sig(s)}.`,
    };
  }
  if (fit.bLo >= s) {
    return {
      outcome: "not supported",
      reason: `More compute does not help: ${slopeText}, entirely at or above ${sig(s)}.`,
    };
  }
  return {
    outcome: "inconclusive",
    reason: `Undecided: ${slopeText}, which contains ${sig(s)}.`,
  };
}

/**
 * The reward-replaced control: `diff` is the paired difference regret(rewards of another
 * environment in the context) − regret(real rewards). Two outcomes (absence of a detected effect
 * counts against the claim, as pre-registered):
 *
 * - **supported** ("the model uses the rewards") when `diff.lo > 0`: replacing the rewards
 *   significantly raises regret;
 * - **not supported** otherwise, with the reason saying whether the CI contains 0
 *   (`lo ≤ 0 ≤ hi`: no detectable effect) or lies entirely below 0 (`hi < 0`: replaced rewards
 *   lower the regret).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rewardUseVerdict } from "./pretrain_rules.ts";
 * const diff = { mean: 20, se: 2, lo: 16, hi: 24, n: 100 };
 * assert.equal(rewardUseVerdict(diff).outcome, "supported");
 * ```
 */
export function rewardUseVerdict(diff: PairedDiff): Verdict {
  assertPaired("diff", diff);
  const diffText = `the paired CI of regret(replaced) − regret(real) is ${ci(diff.lo, diff.hi)}`;
  if (diff.lo > 0) {
    return {
      outcome: "supported",
      reason: `The model uses the rewards: ${diffText}, entirely > 0.`,
    };
  }
  if (diff.hi < 0) {
    return {
      outcome: "not supported",
      reason: `Replaced rewards lower the regret: ${diffText}, entirely < 0.`,
    };
  }
  return {
    outcome: "not supported",
    reason: `No detectable use of the rewards: ${diffText}, which contains 0.`,
  };
}
