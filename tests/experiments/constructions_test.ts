// Notebook 09's experiment module: verdicts on synthetic inputs (every branch), a tiny run end to end.
import assert from "node:assert/strict";
import { constructionsTiny, run } from "../../lib/experiments/constructions.ts";
import {
  figures,
  neededSlope,
  summary,
  tables,
  verdictExact,
  verdictRegret,
  verdictScaling,
} from "../../lib/experiments/constructions_views.ts";
import type { NeededRow } from "../../lib/constructions/measure.ts";
import { type Row, toDataFrame } from "../../lib/report/table.ts";

Deno.test("verdictExact: supported at round-off, not supported above the bar or on NaN", () => {
  assert.equal(verdictExact(0).outcome, "supported");
  assert.equal(verdictExact(1e-10).outcome, "supported");
  assert.equal(verdictExact(2e-10).outcome, "not supported");
  assert.equal(verdictExact(NaN).outcome, "not supported");
});

Deno.test("verdictScaling: √T vs T supported, wrong slopes not supported, missing inconclusive", () => {
  assert.equal(verdictScaling(1, 0.5).outcome, "supported");
  assert.equal(verdictScaling(0.9, 0.6).outcome, "supported");
  assert.equal(verdictScaling(1, 1).outcome, "not supported"); // AGD no better than GD
  assert.equal(verdictScaling(0.5, 0.5).outcome, "not supported");
  assert.equal(verdictScaling(null, 0.5).outcome, "inconclusive");
  assert.equal(verdictScaling(1, null).outcome, "inconclusive");
});

Deno.test("neededSlope recovers the exponent; a target not reached gives null", () => {
  const rows = (m: "GD" | "AGD", p: number, miss = false): NeededRow[] =>
    [25, 50, 100, 200].map((T) => ({
      method: m,
      T,
      target: 1e-4,
      layers: miss && T === 200 ? null : Math.round(40 * T ** p),
      bound: 1,
    }));
  const gd = neededSlope(rows("GD", 1), "GD", 1e-4)!,
    agd = neededSlope(rows("AGD", 0.5), "AGD", 1e-4)!;
  assert.ok(Math.abs(gd - 1) < 0.01 && Math.abs(agd - 0.5) < 0.01);
  assert.equal(neededSlope(rows("GD", 1, true), "GD", 1e-4), null);
});

Deno.test("verdictRegret: identical runs, within 2 SE, beyond 2 SE, NaN", () => {
  assert.equal(verdictRegret(0, 0, 10).outcome, "supported");
  assert.equal(verdictRegret(0.3, 0.2, 10).outcome, "supported");
  assert.equal(verdictRegret(-0.5, 0.2, 10).outcome, "not supported");
  assert.equal(verdictRegret(NaN, 1, 10).outcome, "not supported");
});

Deno.test("a tiny notebook-09 run: exact parts hold, loops identical, tables and figures build", async () => {
  const cfg = constructionsTiny;
  const res = await run(cfg);
  const t = tables(res);
  const exact = Math.max(...t.per_layer_maxima.map((r) => r.maxErrExact as number));
  assert.ok(exact <= 1e-10, `exact parts: ${exact}`);
  for (const l of res.loops) assert.ok(Number.isFinite(l.maxError));
  const ucb = res.loops.filter((l) => l.name.includes("UCB-VI"));
  for (const l of ucb) assert.equal(l.identical, l.n);
  assert.equal(res.asWritten.length, 4);
  assert.ok(res.asWritten.every((r) => r.errorAsWritten > r.errorFixed));
  assert.deepEqual(Object.keys(figures(res)), ["per_layer", "gd_vs_agd", "tv", "regret"]);
  for (const rows of Object.values(t)) toDataFrame(rows as Row[]); // every table is writable
  assert.ok(summary(res).includes("Exact parts"));
  // exact ≤ 1e-10 (checked above) is within the bar: the verdict is "supported", over every step
  const md = summary(res);
  assert.ok(md.startsWith("**Exact parts** (supported): "), md.slice(0, 80));
  assert.ok(md.includes(` over ${t.per_layer_maxima.length} steps of the three constructions`));
});
