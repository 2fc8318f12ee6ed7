import assert from "node:assert/strict";
import {
  type BanditBaselinesConfig,
  banditBaselinesTiny,
  run,
} from "../../lib/experiments/bandit_baselines.ts";
import {
  figures,
  PAPER_FIG1_T200,
  summary,
  tables,
} from "../../lib/experiments/bandit_baselines_views.ts";
import { paperComparisons } from "../../lib/experiments/bandit_baselines_views.ts";
import { fmtMeanSE, fmtSig } from "../../lib/report/format.ts";

// The exported tiny config with 12 environments (the counts asserted below use 12).
const tiny: BanditBaselinesConfig = { ...banditBaselinesTiny, numEnvs: 12 };

Deno.test("bandit baselines: tables, comparisons and summary all come from the result", async () => {
  const progress: string[] = [];
  const res = await run(tiny, {
    progress: (label, done, total) => void progress.push(`${label} ${done}/${total}`),
  });
  assert.deepEqual(res.families.map((f) => f.spec.family), ["linear", "bernoulli"]);
  assert.equal(res.families[1].runs.length, tiny.bernoulliAlgorithms.length);
  assert.ok(progress.includes("baselines 1800/1800") && progress.includes("pretraining set 30/30"));
  assert.equal(res.baselines.envSteps, 12 * 200 * 9);
  assert.equal(res.generation.count, 30);
  assert.deepEqual(res.samples.map((s) => [s.name, s.set.numEnvs, s.set.probs === null]), [
    ["linucb_linear", 4, false],
    ["ts_uniform_bernoulli", 4, true],
  ]);
  const t = tables(res);
  assert.equal(t.regret_curves.length, 9 * 200);
  assert.equal(t.final_per_env.length, 9 * 12);
  assert.equal(t.regret_table.length, 9 * 3);
  // Paper values only at t = 200, with Δ = (ours − paper)/SE computed from the curve.
  const lin = res.families[0].runs.find((r) => r.algorithm.name === "linucb")!;
  const p = lin.curve[199];
  const row = t.regret_table.find((r) => r.algorithm === "LinUCB" && r.t === 200)!;
  assert.equal(row["paper Fig. 1"], "32.8");
  assert.equal(row["regret (mean ± SE)"], fmtMeanSE(p.mean, p.se, 2));
  const z = (p.mean - 32.8) / p.se;
  assert.equal(row["(ours − paper)/SE"], `${z > 0 ? "+" : "−"}${Math.abs(z).toFixed(1)}`);
  assert.equal(
    t.regret_table.find((r) => r.algorithm === "LinUCB" && r.t === 50)!["paper Fig. 1"],
    "—",
  );
  const cmp = paperComparisons(res);
  assert.equal(cmp.length, 6);
  for (const c of cmp) {
    assert.equal(c.paper, PAPER_FIG1_T200[c.family as "linear" | "bernoulli"][c.algorithm]);
    assert.ok(Math.abs(c.z - (c.mean - c.paper) / c.se) < 1e-12);
  }
  const text = summary(res);
  assert.ok(text.includes(fmtMeanSE(p.mean, p.se, 2)), text);
  assert.ok(text.includes("UCB1") && text.includes("Verdict"));
  // The verdict counts the comparisons beyond 3 SE; the UCB line quotes UCB1 / paper-index regret.
  const beyond = cmp.filter((c) => Math.abs(c.z) > 3).length;
  assert.ok(
    text.includes(
      beyond === 0
        ? "**Verdict:** all 6 baseline values"
        : `**Verdict:** ${beyond} of 6 values differ by more than 3 SE`,
    ),
    text,
  );
  const bern = res.families[1].runs;
  const ucbAt200 = (name: string) => bern.find((r) => r.algorithm.name === name)!.curve[199];
  const ratio = ucbAt200("ucb1").mean / ucbAt200("ucb-paper").mean;
  assert.ok(text.includes(`${fmtSig(ratio, 2)}× the regret`), text);
  assert.ok(text.includes(fmtMeanSE(ucbAt200("ucb1").mean, ucbAt200("ucb1").se, 2)), text);
  assert.ok(!text.includes("NaN"));
  const perEnv = t.final_per_env.filter((r) => r.algorithm === "LinUCB").map((r) =>
    r.regret as number
  );
  assert.ok(Math.abs(perEnv.reduce((s, x) => s + x, 0) / 12 - p.mean) < 1e-9);
  assert.ok("regret" in figures(res));
  // The figure plots every curve but uniform random's point for point, with ±SE bands.
  const values: Record<string, unknown>[] = [];
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o !== null && typeof o === "object") {
      for (const [k, v] of Object.entries(o)) {
        if (k === "values" && Array.isArray(v)) values.push(...v);
        else walk(v);
      }
    }
  };
  walk(figures(res).regret);
  const shown = res.families.flatMap((f) => f.runs).filter((r) => r.algorithm.name !== "uniform");
  assert.equal(values.length, shown.length * 200);
  const pt = values.find((v) => v.algorithm === lin.label && v.t === 200)!;
  assert.deepEqual([pt.mean, pt.lo, pt.hi], [p.mean, p.mean - p.se, p.mean + p.se]);
});

Deno.test("bandit baselines config: unknown keys and out-of-range values throw naming them", async () => {
  const bad = (patch: Record<string, unknown>) => run({ ...tiny, ...patch } as never);
  await assert.rejects(() => bad({ numEnv: 5 }), /unknown key "numEnv"/);
  await assert.rejects(() => bad({ numEnvs: 1 }), /numEnvs.*1/);
  await assert.rejects(() => bad({ tableSteps: [0] }), /tableSteps\[0\].*0/);
  await assert.rejects(
    () => bad({ linearAlgorithms: [{ name: "exp3" }] }),
    /unknown algorithm "exp3"/,
  );
  await assert.rejects(() => bad({ linear: { ...tiny.linear, noiseStd: 0 } }), /noiseStd.*0/);
  await assert.rejects(() => bad({ linear: tiny.bernoulli }), /linear.family.*"bernoulli"/);
  await assert.rejects(
    () => bad({ generation: { ...tiny.generation, envSeed: tiny.envSeed } }),
    /generation.envSeed must differ/,
  );
  await assert.rejects(
    () => bad({ generation: { ...tiny.generation, count: 0 } }),
    /generation.count.*0/,
  );
});

Deno.test("bandit figure: one panel per family, colours and band fills independent per panel", async () => {
  const res = await run(banditBaselinesTiny);
  const spec = figures(res).regret as { hconcat: unknown[]; resolve: unknown };
  assert.equal(spec.hconcat.length, 2);
  assert.deepEqual(spec.resolve, { scale: { color: "independent", fill: "independent" } });
});
