// Tests of lib/report/format.ts and lib/experiments/shape.ts: one formatting for every notebook.
import assert from "node:assert/strict";
import {
  fmtCI,
  fmtFixed,
  fmtMeanSE,
  fmtPct,
  fmtSig,
  totalsToTicks,
} from "../../lib/report/format.ts";
import { reportProgress } from "../../lib/experiments/shape.ts";

Deno.test("fmtSig: significant digits, exponents without '+', exact integers, no signed zero", () => {
  assert.equal(fmtSig(Math.PI), "3.14");
  assert.equal(fmtSig(Math.PI, 5), "3.1416");
  assert.equal(fmtSig(-0), "0");
  assert.equal(fmtSig(0), "0");
  assert.equal(fmtSig(1.5e-7, 2), "1.5e-7");
  assert.equal(fmtSig(2.5e8, 2), "2.5e8");
  assert.equal(fmtSig(123456), "123456");
  assert.equal(fmtSig(0.0123456), "0.0123");
  assert.equal(fmtSig(NaN), "NaN");
  assert.equal(fmtSig(-Infinity), "−∞");
  assert.throws(() => fmtSig(1, 0), /digits must be an integer in \[1, 17\], got 0/);
  assert.throws(() => fmtSig("3" as unknown as number), /v must be a number, got string/);
});

Deno.test("fmtFixed removes the sign of values that round to zero", () => {
  assert.equal(fmtFixed(-0.00004, 3), "0.000");
  assert.equal(fmtFixed(-0.0004, 3), "0.000");
  assert.equal(fmtFixed(-0.0006, 3), "-0.001");
  assert.equal(fmtFixed(0.4567, 2), "0.46");
  assert.equal(fmtFixed(-1, 0), "-1");
  assert.throws(() => fmtFixed(1, -1), /decimals must be an integer in \[0, 20\], got -1/);
});

Deno.test("fmtCI, fmtMeanSE, fmtPct: the literal strings", () => {
  assert.equal(fmtCI({ mean: 0.4481, lo: 0.4232, hi: 0.4726 }), "0.448 [0.423, 0.473]");
  assert.equal(fmtCI({ mean: -0.00001, lo: -0.00002, hi: 0.00001 }), "0.000 [0.000, 0.000]");
  assert.throws(() => fmtCI({ mean: 1, lo: 2, hi: 3 }), /lo ≤ mean ≤ hi, got mean 1, lo 2, hi 3/);
  assert.throws(() => fmtCI({ mean: NaN, lo: 0, hi: 1 }), /mean NaN/);
  assert.equal(fmtMeanSE(32.81, 0.64, 1), "32.8 ± 0.6");
  assert.throws(() => fmtMeanSE(1, -0.1), /se must be ≥ 0, got -0.1/);
  assert.equal(fmtPct(0.734), "73.4 %");
  assert.equal(fmtPct(1, 0), "100 %");
});

Deno.test("totalsToTicks turns running totals into increments and rejects a decrease", () => {
  const seen: number[] = [];
  const onTotal = totalsToTicks((n) => seen.push(n));
  onTotal(5);
  onTotal(12);
  onTotal(12);
  onTotal(20);
  assert.deepEqual(seen, [5, 7, 8]);
  assert.throws(() => onTotal(3), /non-decreasing, got 3 after 20/);
  assert.throws(() => totalsToTicks(() => 0)(NaN), /got NaN/);
});

Deno.test("reportProgress calls the hook, skips a missing one, rejects done > total", async () => {
  const calls: string[] = [];
  await reportProgress({ progress: (l, d, t) => void calls.push(`${l}:${d}/${t}`) }, "a", 2, 4);
  await reportProgress(undefined, "b", 1, 1);
  await reportProgress({}, "c", 1, 1);
  assert.deepEqual(calls, ["a:2/4"]);
  await assert.rejects(() => reportProgress({ progress: () => {} }, "x", 5, 4), /"x".*5 of 4/);
});
