/**
 * Small statistics used by the notebooks: mean with a 95 % confidence interval (Student t, from
 * the 3-decimal table), paired differences on shared environments, seed intervals and power-law
 * fits with exact Student-t quantiles (`student_t.ts`), and a least-squares fit of an exponential
 * rate.
 *
 * @module
 */

import { assertFiniteArray, assertInt, assertPositive, showValue } from "./validate.ts";
import { studentTQuantile } from "./student_t.ts";

/** The 3-decimal table of t_{0.975, df}, df = 1…30, filled from the exact quantile on first use. */
const T975: number[] = [];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom as printed tables give it: the
 * exact quantile (`student_t.ts`) rounded to 3 decimals up to df = 30, then the Cornish–Fisher
 * expansion around z = 1.95996 (within 9e-5 of the exact value). {@linkcode meanCI} uses it; the
 * exact quantile at any level is `studentTQuantile`.
 *
 * @example
 * ```ts
 * tQuantile975(4); // 2.776
 * ```
 */
export function tQuantile975(df: number): number {
  assertInt("df", df, 1);
  if (df <= 30) return T975[df] ??= Math.round(studentTQuantile(0.975, df) * 1000) / 1000;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/** Mean with a two-sided 95 % confidence interval. */
export interface MeanCI {
  /** Sample mean. */
  mean: number;
  /** Lower end of the 95 % CI. */
  lo: number;
  /** Upper end of the 95 % CI. */
  hi: number;
  /** Standard error of the mean. */
  se: number;
  /** Number of values. */
  n: number;
}

/**
 * Mean ± t-based 95 % CI (`mean ± t_{0.975,n−1}·s/√n`); with one value the interval is the point.
 *
 * @example
 * ```ts
 * meanCI([1, 2, 3]); // { mean: 2, lo: -0.484…, hi: 4.484…, … }
 * ```
 */
export function meanCI(values: ArrayLike<number>): MeanCI {
  const n = values.length;
  if (n === 0) throw new RangeError("meanCI needs at least one value, got an empty array");
  assertFiniteArray("values", values);
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  if (n === 1) return { mean, lo: mean, hi: mean, se: 0, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  const h = tQuantile975(n - 1) * se;
  return { mean, lo: mean - h, hi: mean + h, se, n };
}

/**
 * Mean and standard error `s/√n` ({@linkcode meanCI}'s), with the error NaN for a single value: no
 * spread to measure (where `meanCI` gives a point interval).
 *
 * @example
 * ```ts
 * import { meanSE } from "./stats.ts";
 * const m = meanSE([1, 2, 3]); // mean 2, se 1/√3
 * if (m.mean !== 2 || Math.abs(m.se - 1 / Math.sqrt(3)) > 1e-15) throw new Error("meanSE");
 * if (!Number.isNaN(meanSE([5]).se)) throw new Error("one value: NaN");
 * ```
 */
export function meanSE(values: ArrayLike<number>): { mean: number; se: number } {
  const c = meanCI(values);
  return { mean: c.mean, se: values.length > 1 ? c.se : NaN };
}

/** Result of {@linkcode fitExponentialRate}. */
export interface RateFit {
  /** Fitted per-unit rate r in `y ≈ A·exp(−r·x)` (positive when y decays). */
  rate: number;
  /** Per-unit contraction factor `exp(−r)`. */
  factor: number;
  /** ln A. */
  logIntercept: number;
  /** Coefficient of determination of the log-linear fit. */
  r2: number;
}

/**
 * Least-squares fit of `ln y = ln A − r x` (all `y > 0`).
 *
 * @example
 * ```ts
 * fitExponentialRate([0, 1, 2], [1, Math.exp(-0.5), Math.exp(-1)]).rate; // 0.5
 * ```
 */
export function fitExponentialRate(x: ArrayLike<number>, y: ArrayLike<number>): RateFit {
  if (x.length !== y.length || x.length < 2) {
    throw new RangeError(`need ≥ 2 paired points, got x: ${x.length}, y: ${y.length}`);
  }
  assertFiniteArray("x", x);
  assertFiniteArray("y", y);
  const n = x.length;
  const ly = Array.from(y, (v, i) => {
    if (!(v > 0)) throw new RangeError(`y[${i}] must be > 0 for a log fit, got ${v}`);
    return Math.log(v);
  });
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += ly[i];
  }
  const mx = sx / n, my = sy / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  if (sxx === 0) throw new RangeError("x values are all equal; cannot fit a rate");
  const slope = sxy / sxx;
  return {
    rate: -slope,
    factor: Math.exp(slope),
    logIntercept: my - slope * mx,
    r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy),
  };
}

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
 * import { pairedDiff } from "./stats.ts";
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
 * import { seedCI } from "./stats.ts";
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

/** ln x, ln y, their means and centred sums of squares and products (the log–log moments). */
function logMoments(x: ArrayLike<number>, y: ArrayLike<number>) {
  const n = x.length;
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
  return { lx, ly, mx, my, sxx, sxy, syy };
}

/**
 * Least-squares slope of ln y on ln x — the exponent b of y ≈ a·x^b — without an interval, so two
 * points suffice. Null when there are fewer than 2 points, the lengths differ, a value is not
 * finite and > 0, or all x are equal. {@linkcode fitPowerLaw} gives the same slope with its
 * interval (from 3 points).
 *
 * @example
 * ```ts
 * import { logLogSlope } from "./stats.ts";
 * if (Math.abs(logLogSlope([4, 16], [2, 4])! - 0.5) > 1e-15) throw new Error("√x has slope ½");
 * if (logLogSlope([4], [2]) !== null) throw new Error("one point: null");
 * if (logLogSlope([4, 16], [0, 4]) !== null) throw new Error("y ≤ 0: null");
 * ```
 */
export function logLogSlope(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length < 2 || x.length !== y.length) return null;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] > 0 && x[i] < Infinity && y[i] > 0 && y[i] < Infinity)) return null;
  }
  const { sxx, sxy } = logMoments(x, y);
  return sxx > 0 ? sxy / sxx : null;
}

/**
 * Upper median: the middle value of the sorted values, the upper of the two middle ones when
 * their number is even (a value that occurs, never an average); null when there are none. NaN
 * values (e.g. the loss of a run that blew up) sort above +∞, so the result does not depend on
 * the input order.
 *
 * @example
 * ```ts
 * import { upperMedian } from "./stats.ts";
 * if (upperMedian([3, 1, 2]) !== 2) throw new Error("odd count: the middle");
 * if (upperMedian([4, 1, 3, 2]) !== 3) throw new Error("even count: the upper middle");
 * if (upperMedian([]) !== null) throw new Error("none: null");
 * if (upperMedian([NaN, 5, 1]) !== 5) throw new Error("NaN sorts last");
 * ```
 */
export function upperMedian(xs: ArrayLike<number>): number | null {
  const nanLast = (a: number, b: number) => Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return xs.length ? Array.from(xs).sort((a, b) => nanLast(a, b) || a - b)[xs.length >> 1] : null;
}

/**
 * Ordinary least squares of ln y on ln x (all x > 0, y > 0): y ≈ a·x^b. The slope's standard
 * error uses the residual variance with n − 2 degrees of freedom, and its interval the Student-t
 * quantile with n − 2 df at `level`. Needs at least 3 points and `minDistinct` distinct x values
 * (default 3, so that the log–log line is tested, not just drawn through two levels; 2 is the
 * least a slope needs, e.g. for repeated runs at two step sizes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitPowerLaw } from "./stats.ts";
 * const f = fitPowerLaw([1, 10, 100], [50, 25, 12.5]); // y = 50·x^(−log10 2)
 * assert.ok(Math.abs(f.b + Math.log10(2)) < 1e-12);
 * assert.ok(Math.abs(f.a - 50) < 1e-9);
 * ```
 */
export function fitPowerLaw(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  level = 0.95,
  minDistinct = 3,
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
  assertInt("minDistinct", minDistinct, 2);
  const distinct = new Set(Array.from(x)).size;
  if (distinct < minDistinct || n < 3) {
    throw new RangeError(
      `fitPowerLaw needs ≥ 3 points and ≥ ${minDistinct} distinct x values, got ${distinct} distinct (n=${n})`,
    );
  }
  const { lx, ly, mx, my, sxx, sxy, syy } = logMoments(x, y);
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

/**
 * Geometric mean with the 95 % CI of the mean of the logs ({@linkcode meanCI}), mapped back by
 * exp: right for positive quantities compared by ratio (errors, losses, distances). Values below
 * 1e-300 (an exact 0 included) count as 1e-300, so the log stays finite; NaN is refused.
 *
 * @example
 * ```ts
 * import { geoMeanCI } from "./stats.ts";
 * const g = geoMeanCI([1, 100]); // g.mean = 10
 * if (Math.abs(g.mean - 10) > 1e-9 || !(g.lo < 10 && g.hi > 10)) throw new Error("geoMeanCI");
 * ```
 */
export function geoMeanCI(values: readonly number[]): { mean: number; lo: number; hi: number } {
  const ci = meanCI(values.map((v) => Math.log(Math.max(v, 1e-300))));
  return { mean: Math.exp(ci.mean), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi) };
}
