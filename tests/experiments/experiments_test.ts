import assert from "node:assert/strict";
import { averageLearners } from "../../lib/experiments/transfer_exp.ts";
import {
  convergenceSettings,
  finalPhaseRate,
  normalisedBlockRows,
} from "../../lib/experiments/convergence.ts";
import {
  constructionCheck,
  DEFAULT_CONSTRUCTION_CHECK,
} from "../../lib/experiments/construction_check.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import type { TransferResult } from "../../lib/transfer/mod.ts";

Deno.test("averageLearners adds the per-(MDP, step) mean of its members", () => {
  const res = {
    learners: ["a", "b", "t"],
    rows: [
      { mdp: 0, learner: "a", step: 0, J: 1, score: 0.1 },
      { mdp: 0, learner: "b", step: 0, J: 3, score: 0.3 },
      { mdp: 1, learner: "a", step: 0, J: -1, score: 0 },
      { mdp: 1, learner: "b", step: 0, J: 0, score: 1 },
      { mdp: 0, learner: "t", step: 0, J: 9, score: 9 },
    ],
  } as unknown as TransferResult;
  const out = averageLearners(res, ["a", "b"], "mean");
  assert.deepEqual(out.learners, ["a", "b", "t", "mean"]);
  const m = out.rows.filter((r) => r.learner === "mean");
  assert.deepEqual(m, [
    { mdp: 0, learner: "mean", step: 0, J: 2, score: 0.2 },
    { mdp: 1, learner: "mean", step: 0, J: -0.5, score: 0.5 },
  ]);
  assert.equal(res.rows.length, 5); // input untouched
  assert.throws(() => averageLearners(res, ["zz"], "m"), /"zz" is not in the result/);
  assert.throws(() => averageLearners(res, ["a"], "t"), /"t" already exists/);
  assert.throws(() => averageLearners(res, [], "m"), /at least one/);
});

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

Deno.test("convergence settings, metric rows, normalised blocks and rate fit are consistent", async () => {
  const s = convergenceSettings("quick");
  assert.ok(s.main.length >= 2 && s.exact.batch === 1 && s.fullTf.engine === "tfjs");
  const paper = convergenceSettings("paper");
  assert.equal(paper.main[0].K * paper.main[0].T, 1e7);
  assert.ok(paper.main.length >= 5);
  const res = await trainTeacherMimic(
    trainConfig({ task: { nS: 3, nA: 2, d: 4 }, K: 4, T: 40, batch: 2, logEvery: 4, seed: 1 }),
  );
  const cells = normalisedBlockRows(res);
  const m = 2 * 4 + 1, p = 5;
  assert.equal(cells.length, 2 * (m * p) + 2 * ((p - 1) * m));
  // the learned P12 cell (0,1) divided by c
  const c = res.metrics.at(-1)!.cP;
  const cell = cells.find((r) => r.matrix === "learned P12 / c" && r.row === 0 && r.col === 1)!;
  assert.ok(Math.abs(Number(cell.value) - res.model.blocks.P12[1] / c) < 1e-15);
  const fit = finalPhaseRate(res, 1);
  assert.ok(Number.isFinite(fit.rate) && fit.r2 >= 0 && fit.r2 <= 1);
});
