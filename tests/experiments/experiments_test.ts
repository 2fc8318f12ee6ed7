import assert from "node:assert/strict";
import { averageLearners } from "../../lib/experiments/transfer_exp.ts";
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
