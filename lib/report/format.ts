/**
 * Number formatting for tables and generated conclusions, in one place: significant digits,
 * signed zero, exponents, confidence intervals, mean ± SE, percentages. Every experiment module's
 * `tables()` and `summary()` formats through these, so all notebooks print numbers the same way.
 *
 * @module
 */

function assertDigits(fn: string, digits: number): void {
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(`${fn}: digits must be an integer in [1, 17], got ${digits}`);
  }
}

function assertNumber(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== "number") {
    throw new TypeError(`${fn}: ${name} must be a number, got ${typeof v} (${String(v)})`);
  }
}

/**
 * `v` to `digits` significant digits: plain notation for 1e-3 ≤ |v| < 1e6, otherwise
 * `1.23e-7`; integers below 1e6 print exactly; −0 (and anything that rounds to 0) prints `0`;
 * NaN and ±Infinity print as `NaN`, `∞`, `−∞` so a table never hides them.
 *
 * @example
 * ```ts
 * import { fmtSig } from "./format.ts";
 * fmtSig(Math.PI); // "3.14"
 * fmtSig(-0); // "0"
 * fmtSig(1.5e-7, 2); // "1.5e-7"
 * ```
 */
export function fmtSig(v: number, digits = 3): string {
  assertDigits("fmtSig", digits);
  assertNumber("fmtSig", "v", v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) {
    const [m, e] = v.toExponential(digits - 1).split("e");
    return `${m}e${e.startsWith("+") ? e.slice(1) : e}`;
  }
  const s = v.toPrecision(digits);
  return Number(s) === 0 ? "0" : s;
}

/**
 * `v` with a fixed number of decimals, and `0.000` instead of `-0.000` for values that round
 * to zero.
 *
 * @example
 * ```ts
 * import { fmtFixed } from "./format.ts";
 * fmtFixed(-0.00004, 3); // "0.000"
 * fmtFixed(0.4567, 2); // "0.46"
 * ```
 */
export function fmtFixed(v: number, decimals = 3): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new RangeError(`fmtFixed: decimals must be an integer in [0, 20], got ${decimals}`);
  }
  assertNumber("fmtFixed", "v", v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A mean with a confidence interval (the shape of `meanCI`'s result). */
export interface Interval {
  /** Point estimate. */
  mean: number;
  /** Lower end. */
  lo: number;
  /** Upper end. */
  hi: number;
}

/**
 * `mean [lo, hi]` with a fixed number of decimals (signed zero removed).
 *
 * @example
 * ```ts
 * import { fmtCI } from "./format.ts";
 * fmtCI({ mean: 0.4481, lo: 0.4232, hi: 0.4726 }); // "0.448 [0.423, 0.473]"
 * ```
 */
export function fmtCI(ci: Interval, decimals = 3): string {
  if (ci === null || typeof ci !== "object") {
    throw new TypeError(`fmtCI: expected {mean, lo, hi}, got ${String(ci)}`);
  }
  if (!(ci.lo <= ci.mean && ci.mean <= ci.hi)) {
    throw new RangeError(
      `fmtCI: need lo ≤ mean ≤ hi, got mean ${ci.mean}, lo ${ci.lo}, hi ${ci.hi}`,
    );
  }
  return `${fmtFixed(ci.mean, decimals)} [${fmtFixed(ci.lo, decimals)}, ${
    fmtFixed(ci.hi, decimals)
  }]`;
}

/**
 * `mean ± se` with a fixed number of decimals.
 *
 * @example
 * ```ts
 * import { fmtMeanSE } from "./format.ts";
 * fmtMeanSE(32.81, 0.64, 1); // "32.8 ± 0.6"
 * ```
 */
export function fmtMeanSE(mean: number, se: number, decimals = 2): string {
  assertNumber("fmtMeanSE", "se", se);
  if (!(se >= 0)) throw new RangeError(`fmtMeanSE: se must be ≥ 0, got ${se}`);
  return `${fmtFixed(mean, decimals)} ± ${fmtFixed(se, decimals)}`;
}

/**
 * A fraction as a percentage: `fmtPct(0.734)` → `"73.4 %"`.
 *
 * @example
 * ```ts
 * import { fmtPct } from "./format.ts";
 * fmtPct(0.734); // "73.4 %"
 * fmtPct(1, 0); // "100 %"
 * ```
 */
export function fmtPct(fraction: number, decimals = 1): string {
  return `${fmtFixed(fraction * 100, decimals)} %`;
}

/**
 * Adapt a callback that reports **running totals** (what library loops report: "done so far")
 * to a progress reporter that wants **increments** (`Progress.tick(n)`). Totals must not decrease.
 *
 * @example
 * ```ts
 * import { totalsToTicks } from "./format.ts";
 * const seen: number[] = [];
 * const onTotal = totalsToTicks((n) => seen.push(n));
 * onTotal(5); onTotal(12); onTotal(12);
 * // seen = [5, 7]
 * ```
 */
export function totalsToTicks<R>(
  tick: (increment: number) => R,
): (total: number) => R | undefined {
  let last = 0;
  return (total: number) => {
    if (!Number.isFinite(total) || total < last) {
      throw new RangeError(
        `totalsToTicks: running total must be finite and non-decreasing, got ${total} after ${last}`,
      );
    }
    const inc = total - last;
    last = total;
    return inc > 0 ? tick(inc) : undefined;
  };
}
