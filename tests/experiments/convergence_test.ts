import assert from "node:assert/strict";
import {
  type ConvergenceConfig,
  convergenceDefaults,
  convergenceSettings,
  finalPhaseRate,
  normalisedBlockRows,
  run,
  validateConvergenceConfig,
} from "../../lib/experiments/convergence.ts";
import { figures, summary, tables } from "../../lib/experiments/convergence_views.ts";
import { thinCurves } from "../../lib/experiments/training_views.ts";
import { manifest, recheckSaved, saveBlocks } from "../../lib/experiments/convergence_saved.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import { fmtFixed, fmtSig } from "../../lib/report/format.ts";

const task = { nS: 3, nA: 2, d: 4 };
const tinyRun = { task, K: 4, T: 40, batch: 2, logEvery: 4 };
const tiny: ConvergenceConfig = {
  seeds: [3, 4],
  main: tinyRun,
  exact: { ...tinyRun, K: 2, T: 20, batch: 1, logEvery: 10, seed: 0 },
  exactTwin: { ...tinyRun, K: 2, T: 20, seed: 0 },
  full: { ...tinyRun, param: "full", seed: 0 },
  fullTf: { ...tinyRun, K: 2, T: 10, param: "full", engine: "tfjs", seed: 0 },
  rateFraction: 0.5,
  workers: 1,
  curvePoints: 5,
};

Deno.test("convergence defaults resolve to the runs notebook 02 has always trained", () => {
  const q = convergenceSettings("quick");
  assert.deepEqual(q.main.map((c) => c.seed), [0, 1]);
  assert.deepEqual([q.main[0].K, q.main[0].T, q.main[0].batch, q.main[0].logEvery], [
    256,
    100,
    64,
    20,
  ]);
  assert.deepEqual(q.exact, trainConfig({ K: 64, T: 50, seed: 0, batch: 1, logEvery: 200 }));
  assert.equal(q.fullTf.engine, "tfjs");
  const p = convergenceSettings("paper");
  assert.equal(p.main[0].K * p.main[0].T, 1e7);
  assert.deepEqual(p.main.map((c) => c.seed), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(
    p.full,
    trainConfig({ K: 2_000, T: 300, batch: 64, param: "full", logEvery: 100, seed: 0 }),
  );
  assert.throws(() => convergenceSettings("big" as "quick"), /scale must be "quick" or "paper"/);
});

Deno.test("convergence config: unknown keys name the closest valid key, at both levels", () => {
  assert.throws(
    () => validateConvergenceConfig({ ...tiny, seed: [0] } as unknown as ConvergenceConfig),
    /unknown key "seed" \(did you mean "seeds"\?\)/,
  );
  assert.throws(
    () => validateConvergenceConfig({ ...tiny, exact: { ...tiny.exact, logEvry: 3 } as never }),
    /exact: .*unknown key "logEvry" \(did you mean "logEvery"\?\)/,
  );
  assert.throws(
    () => validateConvergenceConfig({ ...tiny, main: { ...tinyRun, seed: 1 } }),
    /seeds of the main runs come from `seeds`/,
  );
  assert.throws(() => validateConvergenceConfig({ ...tiny, seeds: [1, 1] }), /distinct/);
  assert.throws(() => validateConvergenceConfig({ ...tiny, curvePoints: 1 }), /curvePoints/);
});

Deno.test("thinCurves keeps each curve's first and last rows, log-spaced, only the picked fields", () => {
  const rows = [
    ...Array.from({ length: 10 }, (_, i) => ({ g: "a", x: i, y: i * i, z: 0 })),
    ...Array.from({ length: 3 }, (_, i) => ({ g: "b", x: i, y: -i, z: 0 })),
  ];
  const out = thinCurves(rows, "g", ["g", "x"], 4);
  assert.deepEqual(out, [
    { g: "a", x: 0 },
    { g: "a", x: 1 },
    { g: "a", x: 4 },
    { g: "a", x: 9 },
    { g: "b", x: 0 },
    { g: "b", x: 1 },
    { g: "b", x: 2 },
  ]);
  assert.equal(thinCurves(rows, undefined, ["x"], 13).length, 13);
  assert.throws(() => thinCurves(rows, "g", ["x"], 1), /maxPoints must be an integer ≥ 2/);
});

Deno.test("convergence run: tables, figures, summary and the saved-block round trip", async () => {
  const seen = new Map<string, string>();
  const res = await run(tiny, { progress: (l, d, t) => void seen.set(l, `${d}/${t}`) });
  assert.deepEqual(Object.fromEntries(seen), {
    "training (all seeds)": "320/320",
    "exact vs batched": "80/80",
    "full parameterisation": "180/180",
  });
  assert.deepEqual(res.main.map((r) => r.config.seed), [3, 4]);
  const t = tables(res);
  assert.deepEqual(Object.keys(t), [
    "metrics_main",
    "final_per_seed",
    "metrics_exact_vs_batched",
    "exact_vs_batched_final",
    "metrics_full",
    "full_prop31",
  ]);
  assert.equal(t.metrics_main.length, res.main[0].metrics.length * 2);
  assert.deepEqual(t.final_per_seed, res.perSeed);
  assert.equal(res.perSeed[1].finalLoss, res.main[1].metrics.at(-1)!.loss);
  assert.equal(res.perSeed[0].ratePerMillion, finalPhaseRate(res.main[0], 0.5).rate);
  assert.deepEqual(t.exact_vs_batched_final.map((r) => r.mode), ["exact (B=1)", "batched (B=2)"]);
  assert.deepEqual(
    [...new Set(t.metrics_full.map((r) => r.run))],
    ["full, hand gradient (float64)", "full, tfjs autodiff (float32)"],
  );
  assert.equal(t.full_prop31[0].maxDrift, Math.max(...res.full.metrics.map((m) => m.drift)));

  const f = figures(res);
  assert.deepEqual(Object.keys(f), [
    "convergence_curves",
    "learned_blocks",
    "exact_vs_batched",
    "prop31_drift",
  ]);
  const cPanel =
    (f.convergence_curves.hconcat as { data: { values: Record<string, unknown>[] } }[])[2];
  const perSeed = cPanel.data.values.filter((r) => r.seed === "seed 3");
  assert.ok(perSeed.length <= tiny.curvePoints && perSeed.length >= 2);
  assert.deepEqual(Object.keys(perSeed[0]).sort(), ["cP", "prompts", "seed"]);

  const dir = Deno.makeTempDirSync();
  const paths = await saveBlocks(res, dir, { scale: "test" });
  assert.deepEqual(paths, [
    `${dir}/sarsa_restricted_seed3.json`,
    `${dir}/sarsa_restricted_seed4.json`,
  ]);
  const checks = await recheckSaved(res, paths);
  assert.ok(checks.every((c) => c.identical));
  const last = res.main[0].metrics.at(-1)!; // the last step is logged: its blocks are the saved ones
  assert.ok(Math.abs(checks[0].dist - last.dist) <= 1e-12 * Math.max(1, last.dist));
  // a file changed on disk is measured as it is, and reported as different
  const body = JSON.parse(Deno.readTextFileSync(paths[1]));
  body.P12[0] += 1;
  Deno.writeTextFileSync(paths[1], JSON.stringify(body));
  const again = await recheckSaved(res, paths);
  assert.deepEqual(again.map((c) => c.identical), [true, false]);
  assert.notEqual(again[1].dist, checks[1].dist);
  await assert.rejects(() => recheckSaved(res, paths.slice(0, 1)), /one path per main run/);

  const md = summary(res, checks);
  const ps = res.perSeed;
  const sig = (x: number) => fmtSig(x, 3);
  const losses = ps.map((s) => s.finalLoss);
  assert.ok(md.includes(`${sig(Math.min(...losses))} … ${sig(Math.max(...losses))}`));
  const minCos = Math.min(...ps.flatMap((s) => [Math.abs(s.cosP12), Math.abs(s.cosV21)]));
  assert.ok(md.includes(`**${fmtFixed(minCos, 6)}**`));
  assert.ok(md.includes("2 saved blocks, re-loaded from disk") && md.includes("bit-identical"));
  assert.match(summary(res, again), /1 differ from the trained blocks/);
  assert.ok(!summary(res).includes("re-loaded"));

  const m = manifest(res, "quick");
  assert.deepEqual(m.seeds, { main: [3, 4], exact: 0 });
  assert.equal((m.config.resolved as { main: { seed: number } }).main.seed, 3);
});

Deno.test("normalised blocks and the final-phase rate fit", async () => {
  const res = await trainTeacherMimic(trainConfig({ ...tinyRun, seed: 1 }));
  const cells = normalisedBlockRows(res);
  const m = 2 * 4 + 1, p = 5;
  assert.equal(cells.length, 2 * (m * p) + 2 * ((p - 1) * m));
  // the learned P12 cell (0,1) divided by c
  const c = res.metrics.at(-1)!.cP;
  const cell = cells.find((r) => r.matrix === "learned P12 / c" && r.row === 0 && r.col === 1)!;
  assert.ok(Math.abs(Number(cell.value) - res.model.blocks.P12[1] / c) < 1e-15);
  const fit = finalPhaseRate(res, 1);
  assert.ok(Number.isFinite(fit.rate) && fit.r2 >= 0 && fit.r2 <= 1);
  // fraction 1: the least-squares line through every logged row (x in 10⁶ prompts): its residuals
  // are orthogonal to 1 and to x, and R² = 1 − Σ residual² / Σ (ln y − mean)²
  const tail = res.metrics.filter((r) => r.loss > 0);
  assert.equal(tail.length, res.metrics.length);
  const half = finalPhaseRate(res, 0.5); // the last half: from row ⌊n/2⌋ on
  assert.equal(half.fromPrompts, tail[Math.floor(tail.length / 2)].prompts);
  assert.equal(fit.fromPrompts, tail[0].prompts);
  const xs = tail.map((r) => r.prompts / 1e6), ly = tail.map((r) => Math.log(r.loss));
  const resid = xs.map((x, i) => ly[i] - (fit.logIntercept - fit.rate * x));
  const scale = Math.max(...ly.map(Math.abs));
  assert.ok(Math.abs(resid.reduce((a, b) => a + b, 0)) < 1e-9 * scale * xs.length);
  const xmax = Math.max(...xs);
  assert.ok(
    Math.abs(resid.reduce((a, r, i) => a + r * xs[i], 0)) < 1e-9 * scale * xmax * xs.length,
  );
  const mean = ly.reduce((a, b) => a + b, 0) / ly.length;
  const r2 = 1 - resid.reduce((a, r) => a + r * r, 0) / ly.reduce((a, v) => a + (v - mean) ** 2, 0);
  assert.ok(Math.abs(fit.r2 - r2) < 1e-9, `${fit.r2} vs ${r2}`);
});

Deno.test("convergence defaults validate at both scales", () => {
  assert.equal(validateConvergenceConfig(convergenceDefaults.quick).main.length, 2);
  assert.equal(validateConvergenceConfig(convergenceDefaults.paper).main.length, 10);
});
