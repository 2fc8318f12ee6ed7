/**
 * Statistics and pre-registered decision rules of notebook 08 ("a transformer pretrained on bandit
 * trajectories acts in context", [LBM24]). Pure functions on plain numbers: paired differences on
 * shared environments, Student-t intervals over training seeds, a log–log power-law fit of regret
 * against compute (with the compute needed to reach a target), and the three verdicts fixed in the
 * experiment config before the run (go / scaling / reward use).
 *
 * Every verdict is one of `"supported"`, `"not supported"`, `"inconclusive"` with a one-sentence
 * reason carrying the numbers (3 significant digits) that decided it.
 *
 * @module
 */

import {
  assertFiniteArray,
  assertKnownKeys,
  assertNumber,
  assertObject,
  assertPositive,
  showValue,
} from "../core/validate.ts";

// ---------------------------------------------------------------------------------------------
// Student's t distribution (no tables): ln Γ, the regularized incomplete beta, CDF, quantile.

/**
 * ln Γ(x) for x > 0: shift to z ≥ 8 with Γ(x) = Γ(x + m)/(x(x+1)…(x+m−1)), then Stirling's series
 * to the z⁻⁹ term (absolute error below 1e-13).
 */
function lnGamma(x: number): number {
  let z = x, shift = 0;
  while (z < 8) {
    shift += Math.log(z);
    z += 1;
  }
  const z2 = z * z;
  const series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * z2)) / z2) / z2) / z2) /
    z;
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/**
 * Continued fraction of I_x(a, b) (Abramowitz & Stegun 26.5.8):
 * 1/(1 + d₁/(1 + d₂/(1 + …))) with d₂ₘ₊₁ = −(a+m)(a+b+m)x/((a+2m)(a+2m+1)),
 * d₂ₘ = m(b−m)x/((a+2m−1)(a+2m)); evaluated by the modified Lentz method.
 */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300, eps = 1e-16;
  let f = 1, C = 1, D = 0;
  for (let j = 1; j <= 20000; j++) {
    const m = j >> 1;
    const d = j % 2 === 1
      ? -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
      : (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    D = 1 + d * D;
    if (Math.abs(D) < tiny) D = tiny;
    D = 1 / D;
    C = 1 + d / C;
    if (Math.abs(C) < tiny) C = tiny;
    const step = C * D;
    f *= step;
    if (Math.abs(step - 1) < eps) break;
  }
  return 1 / f;
}

/** Regularized incomplete beta I_x(a, b), with `y = 1 − x` passed in to keep precision. */
function incompleteBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const lnFront = a * Math.log(x) + b * Math.log(y) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b));
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, y)) / b;
}

/** Upper tail P(T > t) of Student's t with `df` degrees of freedom, for t ≥ 0. */
function upperTail(t: number, df: number): number {
  const t2 = t * t;
  return 0.5 * incompleteBeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
}

/**
 * CDF of Student's t distribution with `df > 0` degrees of freedom (any real df):
 * P(T ≤ t) = 1 − ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0, and symmetric for t < 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTCdf } from "./pretrain_rules.ts";
 * assert.equal(studentTCdf(0, 3), 0.5);
 * assert.ok(Math.abs(studentTCdf(1, 1) - 0.75) < 1e-12); // Cauchy: ½ + atan(1)/π
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  if (typeof t !== "number" || Number.isNaN(t)) {
    throw new RangeError(`t must be a number, got ${showValue(t)}`);
  }
  assertPositive("df", df);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  return t >= 0 ? 1 - upperTail(t, df) : upperTail(-t, df);
}

/**
 * Quantile of Student's t distribution: the `t` with P(T ≤ t) = `p`, for `p ∈ (0, 1)` and real
 * `df > 0`. Found by bisection on the upper tail (bracket doubled until it holds the root, then
 * halved to relative width 1e-15), so no table is involved.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTQuantile } from "./pretrain_rules.ts";
 * assert.ok(Math.abs(studentTQuantile(0.975, 4) - 2.776) < 1e-3);
 * assert.equal(studentTQuantile(0.5, 7), 0);
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (typeof p !== "number" || !(p > 0 && p < 1)) {
    throw new RangeError(`p must be a probability in (0, 1), got ${showValue(p)}`);
  }
  assertPositive("df", df);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const q = 1 - p; // target upper tail, in (0, ½)
  let lo = 0, hi = 1;
  while (upperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) throw new RangeError(`t quantile overflows for p=${p}, df=${df}`);
  }
  for (let i = 0; i < 300 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (upperTail(mid, df) > q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---------------------------------------------------------------------------------------------
// Paired differences and seed intervals.

/** Paired comparison on the same environments: per-env differences a[e] − b[e]. */
export interface PairedDiff {
  /** Mean of the differences. */
  mean: number;
  /** Standard error: sample std (n − 1 denominator) of the differences / √n. */
  se: number;
  /** mean − z·se. */
  lo: number;
  /** mean + z·se. */
  hi: number;
  /** Number of environments (pairs). */
  n: number;
}

/** Sample mean and sample standard deviation (n − 1 denominator); n ≥ 2. */
function meanSd(v: ArrayLike<number>): { mean: number; sd: number } {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * Paired comparison of two metrics measured on the same environments: the per-environment
 * differences d[e] = a[e] − b[e], their mean, standard error `sd(d)/√n` (sample sd, n − 1) and the
 * normal interval `mean ∓ z·se`. Needs n ≥ 2 pairs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedDiff } from "./pretrain_rules.ts";
 * const d = pairedDiff([10, 12, 11], [12, 13, 14]); // differences −2, −1, −3
 * assert.equal(d.mean, -2);
 * assert.ok(Math.abs(d.se - 1 / Math.sqrt(3)) < 1e-12);
 * assert.ok(d.hi < 0);
 * ```
 */
export function pairedDiff(a: ArrayLike<number>, b: ArrayLike<number>, z = 1.96): PairedDiff {
  assertFiniteArray("a", a);
  assertFiniteArray("b", b);
  if (a.length !== b.length) {
    throw new RangeError(
      `a and b must be paired (same length), got a.length=${a.length}, b.length=${b.length}`,
    );
  }
  if (a.length < 2) {
    throw new RangeError(`pairedDiff needs ≥ 2 pairs, got a.length=${a.length}`);
  }
  assertPositive("z", z);
  const n = a.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = a[i] - b[i];
  const { mean, sd } = meanSd(d);
  const se = sd / Math.sqrt(n);
  return { mean, se, lo: mean - z * se, hi: mean + z * se, n };
}

/** Mean over training seeds with a Student-t confidence interval (df = k − 1). */
export interface SeedCI {
  /** Mean over seeds. */
  mean: number;
  /** Standard error: sample std (k − 1 denominator) / √k. */
  se: number;
  /** mean − t·se with t the (1+level)/2 quantile of Student's t, df = k − 1. */
  lo: number;
  /** mean + t·se. */
  hi: number;
  /** Number of seeds. */
  k: number;
}

/**
 * Mean of one number per training seed with a two-sided Student-t interval at `level`:
 * `mean ∓ t_{(1+level)/2, k−1}·s/√k` (s the sample sd). Needs k ≥ 2 seeds (one seed carries no
 * information about seed-to-seed spread).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedCI } from "./pretrain_rules.ts";
 * const c = seedCI([1, 3]); // mean 2, se 1, t_{0.975}(1) = 12.706
 * assert.equal(c.mean, 2);
 * assert.ok(Math.abs(c.hi - (2 + 12.7062)) < 1e-3);
 * ```
 */
export function seedCI(values: ArrayLike<number>, level = 0.95): SeedCI {
  assertFiniteArray("values", values);
  if (values.length < 2) {
    throw new RangeError(`seedCI needs ≥ 2 seeds, got values.length=${values.length}`);
  }
  if (typeof level !== "number" || !(level > 0 && level < 1)) {
    throw new RangeError(`level must be in (0, 1), got ${showValue(level)}`);
  }
  const k = values.length;
  const { mean, sd } = meanSd(values);
  const se = sd / Math.sqrt(k);
  const h = studentTQuantile((1 + level) / 2, k - 1) * se;
  return { mean, se, lo: mean - h, hi: mean + h, k };
}

// ---------------------------------------------------------------------------------------------
// Power law of a metric against compute.

/** Least-squares power law y = a·x^b fitted in log–log, with a CI on the slope b. */
export interface PowerLawFit {
  /** Prefactor: exp(intercept) of the log–log line (the law's value at x = 1). */
  a: number;
  /** Exponent: slope of ln y on ln x. */
  b: number;
  /** Standard error of b: sqrt(s²/Sxx), s² = residual sum of squares/(n − 2). */
  bSe: number;
  /** b − t·bSe, t the (1+level)/2 quantile of Student's t with n − 2 df. */
  bLo: number;
  /** b + t·bSe. */
  bHi: number;
  /** Number of points. */
  n: number;
  /** Coefficient of determination of the log–log fit (1 when all ln y are equal). */
  r2: number;
}

/**
 * Ordinary least squares of ln y on ln x (all x > 0, y > 0): y ≈ a·x^b. The slope's standard
 * error uses the residual variance with n − 2 degrees of freedom, and its interval the Student-t
 * quantile with n − 2 df at `level`. Needs at least 3 distinct x values (repeats allowed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitPowerLaw } from "./pretrain_rules.ts";
 * const f = fitPowerLaw([1, 10, 100], [50, 25, 12.5]); // y = 50·x^(−log10 2)
 * assert.ok(Math.abs(f.b + Math.log10(2)) < 1e-12);
 * assert.ok(Math.abs(f.a - 50) < 1e-9);
 * ```
 */
export function fitPowerLaw(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  level = 0.95,
): PowerLawFit {
  assertFiniteArray("x", x);
  assertFiniteArray("y", y);
  if (x.length !== y.length) {
    throw new RangeError(
      `x and y must have the same length, got x.length=${x.length}, y.length=${y.length}`,
    );
  }
  if (typeof level !== "number" || !(level > 0 && level < 1)) {
    throw new RangeError(`level must be in (0, 1), got ${showValue(level)}`);
  }
  const n = x.length;
  for (let i = 0; i < n; i++) {
    if (!(x[i] > 0)) throw new RangeError(`x[${i}] must be > 0 for a log fit, got ${x[i]}`);
    if (!(y[i] > 0)) throw new RangeError(`y[${i}] must be > 0 for a log fit, got ${y[i]}`);
  }
  const distinct = new Set(Array.from(x)).size;
  if (distinct < 3) {
    throw new RangeError(`fitPowerLaw needs ≥ 3 distinct x values, got ${distinct} (n=${n})`);
  }
  const lx = Array.from(x, Math.log), ly = Array.from(y, Math.log);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += lx[i];
    my += ly[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  const b = sxy / sxx;
  const intercept = my - b * mx;
  let ssr = 0;
  for (let i = 0; i < n; i++) ssr += (ly[i] - intercept - b * lx[i]) ** 2;
  const bSe = Math.sqrt(ssr / (n - 2) / sxx);
  const h = studentTQuantile((1 + level) / 2, n - 2) * bSe;
  return {
    a: Math.exp(intercept),
    b,
    bSe,
    bLo: b - h,
    bHi: b + h,
    n,
    r2: syy === 0 ? 1 : Math.max(0, 1 - ssr / syy),
  };
}

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
 * import { computeToReach, fitPowerLaw } from "./pretrain_rules.ts";
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

/** Outcome class of a pre-registered rule. */
export type Verdict = "supported" | "not supported" | "inconclusive";

/** A verdict with the one sentence (numbers included) that decided it. */
export interface RuleOutcome {
  /** The verdict. */
  verdict: Verdict;
  /** One sentence naming the deciding condition and its numbers (3 significant digits). */
  reason: string;
}

/** A number to 3 significant digits for a reason string. */
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
 * assert.equal(goVerdict(rule, { mean: 40, se: 1 }, { Emp: emp }).verdict, "supported");
 * ```
 */
export function goVerdict(
  rule: GoRule,
  tf: { mean: number; se: number },
  paired: Record<string, PairedDiff>,
): RuleOutcome {
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
      verdict: "supported",
      reason: `TF beats ${key} (${diffText}, entirely < 0) and its regret ${
        sig(tf.mean)
      } is ≤ ${barText}.`,
    };
  }
  if (d.lo >= 0) {
    return {
      verdict: "not supported",
      reason: `TF is not better than ${key}: ${diffText}, entirely ≥ 0.`,
    };
  }
  if (d.hi < 0) {
    return {
      verdict: "inconclusive",
      reason: `TF beats ${key} (${diffText}, entirely < 0) but its regret ${
        sig(tf.mean)
      } exceeds ${barText}.`,
    };
  }
  return {
    verdict: "inconclusive",
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
 * assert.equal(scalingVerdict({ slopeBelow: 0 }, fit).verdict, "supported");
 * ```
 */
export function scalingVerdict(rule: ScalingRule, fit: PowerLawFit): RuleOutcome {
  validateScalingRule(rule);
  assertFit(fit);
  const s = rule.slopeBelow;
  const slopeText = `the slope b = ${sig(fit.b)} has CI ${ci(fit.bLo, fit.bHi)}`;
  if (fit.bHi < s) {
    return {
      verdict: "supported",
      reason: `More compute helps: ${slopeText}, entirely below ${sig(s)}.`,
    };
  }
  if (fit.bLo >= s) {
    return {
      verdict: "not supported",
      reason: `More compute does not help: ${slopeText}, entirely at or above ${sig(s)}.`,
    };
  }
  return {
    verdict: "inconclusive",
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
 * assert.equal(rewardUseVerdict(diff).verdict, "supported");
 * ```
 */
export function rewardUseVerdict(diff: PairedDiff): RuleOutcome {
  assertPaired("diff", diff);
  const diffText = `the paired CI of regret(replaced) − regret(real) is ${ci(diff.lo, diff.hi)}`;
  if (diff.lo > 0) {
    return {
      verdict: "supported",
      reason: `The model uses the rewards: ${diffText}, entirely > 0.`,
    };
  }
  if (diff.hi < 0) {
    return {
      verdict: "not supported",
      reason: `Replaced rewards lower the regret: ${diffText}, entirely < 0.`,
    };
  }
  return {
    verdict: "not supported",
    reason: `No detectable use of the rewards: ${diffText}, which contains 0.`,
  };
}
