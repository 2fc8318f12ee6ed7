import assert from "node:assert/strict";
import {
  fitExponentialRate,
  geoMeanCI,
  meanCI,
  meanSE,
  tQuantile975,
  wilson,
} from "../../lib/core/stats.ts";
import { studentTQuantile } from "../../lib/core/student_t.ts";
import { Rng } from "../../lib/core/rng.ts";

Deno.test("meanCI equals the literal formula mean ± t·s/√n", () => {
  const v = [1, 4, 2, 8, 5];
  const mean = 4, s = Math.sqrt((9 + 0 + 4 + 16 + 1) / 4), h = 2.776 * s / Math.sqrt(5);
  const ci = meanCI(v);
  assert.ok(Math.abs(ci.mean - mean) < 1e-15);
  assert.ok(Math.abs(ci.hi - (mean + h)) < 1e-12 && Math.abs(ci.lo - (mean - h)) < 1e-12);
  assert.deepEqual(meanCI([3]), { mean: 3, lo: 3, hi: 3, se: 0, n: 1 });
  assert.throws(() => meanCI([]), /empty/);
  assert.throws(() => meanCI([1, NaN]), /values\[1\].*NaN/);
});

Deno.test("95 % CIs cover the true mean about 95 % of the time", () => {
  const rng = new Rng(1);
  let cover = 0;
  for (let rep = 0; rep < 2000; rep++) {
    const ci = meanCI(Array.from({ length: 8 }, () => rng.normal()));
    if (ci.lo <= 0 && 0 <= ci.hi) cover++;
  }
  assert.ok(Math.abs(cover / 2000 - 0.95) < 0.02, `coverage ${cover / 2000}`);
});

Deno.test("t quantiles: the printed 3-decimal table for df ≤ 30, the expansion within 9e-5 of the exact quantile above", () => {
  // t_{0.975, df} as printed in statistics tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2)
  const printed = [
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
  assert.deepEqual(printed.map((_, i) => tQuantile975(i + 1)), printed);
  for (const df of [31, 40, 60, 120, 1000]) {
    const d = Math.abs(tQuantile975(df) - studentTQuantile(0.975, df));
    assert.ok(d < 9e-5, `df ${df}: ${d}`);
  }
  assert.equal(tQuantile975(1), 12.706);
  assert.ok(Math.abs(tQuantile975(60) - 2.0003) < 1e-3);
  assert.ok(Math.abs(tQuantile975(1e6) - 1.96) < 1e-3);
  assert.throws(() => tQuantile975(0), /df.*0/);
});

Deno.test("fitExponentialRate recovers a known rate", () => {
  const x = [0, 10, 20, 30, 40];
  const fit = fitExponentialRate(x, x.map((t) => 3 * Math.exp(-0.05 * t)));
  assert.ok(Math.abs(fit.rate - 0.05) < 1e-12);
  assert.ok(Math.abs(fit.logIntercept - Math.log(3)) < 1e-12);
  assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
  assert.throws(() => fitExponentialRate([0, 1], [1, -1]), /y\[1\] must be > 0/);
  assert.throws(() => fitExponentialRate([1, 1], [1, 2]), /all equal/);
});

Deno.test("aggregateBands: per-(group, x) mean and CI, geometric with log", async () => {
  const { aggregateBands } = await import("../../lib/core/aggregate.ts");
  const rows = [
    { run: "a", x: 1, y: 1 },
    { run: "a", x: 1, y: 3 },
    { run: "a", x: 2, y: 4 },
    { run: "b", x: 1, y: 10 },
    { run: "b", x: 1, y: NaN },
  ];
  const out = aggregateBands(rows, { x: "x", y: "y", group: "run" });
  assert.deepEqual(out.map((r) => [r.group, r.x, r.mean, r.count]), [
    ["a", 1, 2, 2],
    ["a", 2, 4, 1],
    ["b", 1, 10, 1],
  ]);
  const a1 = meanCI([1, 3]);
  assert.equal(out[0].lo, a1.lo);
  const g = aggregateBands([{ x: 0, y: 1 }, { x: 0, y: 100 }], { x: "x", y: "y", log: true });
  assert.ok(Math.abs(g[0].mean - 10) < 1e-12);
  assert.throws(
    () => aggregateBands([{ x: "s", y: 1 }], { x: "x", y: "y" }),
    /field x must be a finite number, got "s"/,
  );
});

Deno.test("wilson: textbook value for 10/20 and the edge cases", () => {
  const w = wilson(10, 20);
  assert.ok(Math.abs(w.lo - 0.2993) < 1e-4 && Math.abs(w.hi - 0.7007) < 1e-4);
  assert.equal(wilson(0, 20).lo, 0);
  assert.equal(wilson(20, 20).hi, 1);
  assert.throws(() => wilson(3, 2), /0 ≤ k ≤ n/);
});

Deno.test("geoMeanCI: exp of the t interval of the mean log; zeros count as 1e-300; NaN refused", () => {
  const xs = [0.5, 2, 8];
  const logs = xs.map(Math.log), m = (logs[0] + logs[1] + logs[2]) / 3;
  const sd = Math.sqrt(logs.reduce((a, v) => a + (v - m) ** 2, 0) / 2);
  const g = geoMeanCI(xs);
  assert.ok(Math.abs(g.mean - 2) < 1e-12); // (0.5·2·8)^(1/3) = 2
  assert.ok(Math.abs(g.hi - Math.exp(m + 4.303 * sd / Math.sqrt(3))) < 1e-12);
  assert.ok(Math.abs(g.lo - Math.exp(m - 4.303 * sd / Math.sqrt(3))) < 1e-12);
  assert.ok(Math.abs(geoMeanCI([0, 1e-300]).mean - 1e-300) < 1e-310);
  assert.throws(() => geoMeanCI([1, NaN]), /values\[1\] must be finite, got NaN/);
});

Deno.test("meanSE: the sample SE s/√n from the literal formula; NaN SE for one value; NaN refused", () => {
  const xs = [2, 4, 9];
  const m = 5, s = Math.sqrt(((2 - m) ** 2 + (4 - m) ** 2 + (9 - m) ** 2) / 2);
  const r = meanSE(xs);
  assert.equal(r.mean, 5);
  assert.ok(Math.abs(r.se - s / Math.sqrt(3)) < 1e-15);
  assert.ok(Number.isNaN(meanSE([3]).se));
  assert.throws(() => meanSE([1, NaN]), /values\[1\] must be finite, got NaN/);
});
