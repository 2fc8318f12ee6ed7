/**
 * Student's t distribution without tables: its CDF and quantile for any real df > 0, from ln Γ and
 * the regularized incomplete beta function (continued fraction). Used for the exact intervals of
 * `stats.ts` (`seedCI`, `fitPowerLaw`).
 *
 * @module
 */

import { assertPositive, showValue } from "./validate.ts";

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
 * import { studentTCdf } from "./student_t.ts";
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
 * import { studentTQuantile } from "./student_t.ts";
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
