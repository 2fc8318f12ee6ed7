/**
 * Small statistics used by the notebooks: mean with a 95 % confidence interval (Student t),
 * and a least-squares fit of an exponential rate.
 *
 * @module
 */

import { assertFiniteArray, assertInt } from "./validate.ts";

/** 0.975 quantiles of Student's t for 1…30 degrees of freedom. */
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom (table up to 30, then the
 * Cornish–Fisher expansion around z = 1.95996).
 *
 * @example
 * ```ts
 * tQuantile975(4); // 2.776
 * ```
 */
export function tQuantile975(df: number): number {
  assertInt("df", df, 1);
  if (df <= 30) return T975[Math.floor(df) - 1];
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
