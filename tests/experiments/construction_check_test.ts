import assert from "node:assert/strict";
import {
  assertConstructionHolds,
  constructionCheck,
  type ConstructionConfig,
  constructionDefaults,
  type ConstructionResult,
  constructionTiny,
  DEFAULT_CONSTRUCTION_CHECK,
  run,
  validateConstructionConfig,
} from "../../lib/experiments/construction_check.ts";
import { figures, summary, tables } from "../../lib/experiments/construction_check_views.ts";
import { fmtSig } from "../../lib/report/format.ts";

const small: ConstructionConfig = {
  ...constructionDefaults.quick,
  ns: [1, 30],
  ds: [3],
  trials: 2,
};

Deno.test("construction check: exact variants at round-off, perturbed/random far off", async () => {
  const rows = await constructionCheck({
    ...DEFAULT_CONSTRUCTION_CHECK,
    ns: [1, 30],
    ds: [3],
    trials: 2,
  });
  assert.equal(rows.length, 3 * 3 * 5 * 2);
  for (const r of rows) {
    const exact = !["perturbed", "random"].includes(r.variant);
    const bar = r.precision === "float64" ? 1e-12 : 1e-5;
    if (exact) assert.ok(r.relErr <= bar, JSON.stringify(r));
    else assert.ok(r.relErr > 1e-4, JSON.stringify(r));
  }
});

Deno.test("construction defaults: one literal, quick and paper differ only in trials", () => {
  const { trials: q, ...quick } = constructionDefaults.quick;
  const { trials: p, ...paper } = constructionDefaults.paper;
  assert.deepEqual(quick, paper);
  assert.deepEqual([q, p], [3, 100]);
  validateConstructionConfig(constructionDefaults.paper);
});

Deno.test("construction config: unknown keys name the closest valid key, bad values the field", () => {
  assert.throws(
    () => validateConstructionConfig({ ...small, trails: 2 } as unknown as ConstructionConfig),
    /unknown key "trails" \(did you mean "trials"\?\)/,
  );
  assert.throws(
    () => validateConstructionConfig({ ...small, heatmapD: 0 }),
    /heatmapD/,
  );
  assert.throws(() => validateConstructionConfig({ ...small, ns: [] }), /ns must be a non-empty/);
});

Deno.test("construction run: progress, maxima, verdict, tables and summary all from the result", async () => {
  const seen: string[] = [];
  const res = await run(small, { progress: (l, d, t) => void seen.push(`${l} ${d}/${t}`) });
  assert.equal(seen.at(-1), "construction check 9/9"); // 3 algorithms × 3 grid points
  assert.equal(res.rows.length, 90);
  assert.equal(res.maxima.length, 30);
  for (const m of res.maxima) {
    const mine = res.rows.filter((r) =>
      r.algorithm === m.algorithm && r.variant === m.variant && r.precision === m.precision
    );
    assert.equal(m.maxRelErr, Math.max(...mine.map((r) => r.relErr)));
    assert.equal(m.maxAbsErr, Math.max(...mine.map((r) => r.maxAbsErr)));
  }
  assert.ok(res.verdict.holds && res.verdict.exact64 <= 1e-12 && res.verdict.random > 1e-3);
  // the verdict straight from the 90 rows: the worst exact-variant error per precision, and for the
  // perturbed and random variants the smallest per-(algorithm, precision) worst error
  const worstOf = (rs: typeof res.rows) => Math.max(...rs.map((r) => r.relErr));
  const exact = res.rows.filter((r) => r.variant !== "perturbed" && r.variant !== "random");
  assert.equal(res.verdict.exact64, worstOf(exact.filter((r) => r.precision === "float64")));
  assert.equal(res.verdict.exact32, worstOf(exact.filter((r) => r.precision !== "float64")));
  for (const v of ["perturbed", "random"] as const) {
    const rs = res.rows.filter((r) => r.variant === v);
    const keys = [...new Set(rs.map((r) => `${r.algorithm}|${r.precision}`))];
    const per = keys.map((k) => worstOf(rs.filter((r) => `${r.algorithm}|${r.precision}` === k)));
    assert.equal(keys.length, 6); // 3 algorithms × 2 precisions
    assert.equal(res.verdict[v], Math.min(...per));
  }
  assertConstructionHolds(res);
  const t = tables(res);
  assert.deepEqual(t.construction_errors, res.rows);
  assert.deepEqual(Object.keys(t.construction_maxima[0]), [
    "algorithm",
    "variant",
    "precision",
    "maxRelErr",
    "maxAbsErr",
  ]);
  const md = summary(res);
  for (
    const x of [res.verdict.exact64, res.verdict.exact32, res.verdict.perturbed, res.verdict.random]
  ) {
    assert.ok(md.includes(`**${fmtSig(x)}**`), `summary quotes ${fmtSig(x)}`);
  }
  assert.ok(md.includes("n ∈ {1, 30}") && md.includes("2 instances per grid point"));
  const f = figures(res);
  assert.deepEqual(Object.keys(f), ["construction_errors", "construction_heatmaps"]);
  assert.equal((f.construction_errors.vconcat as unknown[]).length, 2);
});

Deno.test("construction verdict: a failing result fails loudly and says so in the summary", async () => {
  const res = await run(constructionTiny);
  const bad: ConstructionResult = {
    ...res,
    verdict: { ...res.verdict, exact64: 1e-9, holds: false },
  };
  assert.throws(() => assertConstructionHolds(bad), /construction check failed: float64 1e-9/);
  assert.match(summary(bad), /FAILS/);
});
