import assert from "node:assert/strict";
import {
  atStep,
  averageLearners,
  closedLoopCurve,
  closedLoopTable,
  fmtScoreCI,
  perSeedClosedLoop,
  trainingPerSeedRows,
} from "../../lib/experiments/closed_loop.ts";
import {
  constructedLearner,
  evaluateTransfer,
  pairedDifference,
  recordGrid,
  summariseTransfer,
  teacherLearner,
  transferConfig,
} from "../../lib/transfer/mod.ts";
import { DEFAULT_TASK } from "../../lib/train/mod.ts";
import { fmtCI, fmtFixed } from "../../lib/report/mod.ts";

async function tinyLoop() {
  const cfg = transferConfig({
    task: DEFAULT_TASK,
    numMdps: 4,
    updates: 6,
    recordAt: recordGrid(6, 3),
    seed: 5,
  });
  const raw = await evaluateTransfer(cfg, [
    teacherLearner("teacher"),
    constructedLearner(DEFAULT_TASK, "θ⋆"),
    teacherLearner("copy 0"),
    teacherLearner("copy 1"),
  ]);
  return averageLearners(raw, ["copy 0", "copy 1"], "mean");
}

Deno.test("closedLoopTable formats the summary's CIs and the paired differences, one row per step", async () => {
  const res = await tinyLoop();
  const summary = summariseTransfer(res);
  const table = closedLoopTable(res, summary, {
    trained: "mean",
    teacher: "teacher",
    constructed: "θ⋆",
    teacherColumn: "T",
    steps: [0, 6],
    diffDecimals: 4,
    teacherScore: true,
  });
  assert.deepEqual(table.map((r) => r.step), [0, 6]);
  assert.deepEqual(Object.keys(table[0]), [
    "step",
    "trained",
    "T",
    "constructed",
    "oracle",
    "random",
    "trained − teacher",
    "constructed − teacher",
    "trained score",
    "teacher score",
  ]);
  const at6 = atStep(summary, "mean", 6);
  assert.equal(table[1].trained, fmtCI(at6));
  assert.equal(table[1].oracle, fmtFixed(atStep(summary, "oracle", 6).mean, 3));
  const d = pairedDifference(res, "mean", "teacher", [6])[0];
  assert.equal(table[1]["trained − teacher"], fmtCI(d, 4));
  // at step 0 every learner starts from the same w: no signed zero in the difference
  assert.equal(table[0]["trained − teacher"], "0.0000 [0.0000, 0.0000]");
  const no = closedLoopTable(res, summary, {
    trained: "mean",
    teacher: "teacher",
    constructed: "θ⋆",
    teacherColumn: "T",
    steps: [3],
    diffDecimals: 3,
    teacherScore: false,
  });
  assert.equal("teacher score" in no[0], false);
  assert.throws(
    () =>
      closedLoopTable(res, summary, {
        trained: "mean",
        teacher: "teacher",
        constructed: "θ⋆",
        teacherColumn: "T",
        steps: [4],
        diffDecimals: 3,
        teacherScore: false,
      }),
    /not recorded/,
  );
});

Deno.test("perSeedClosedLoop: each learner's CI at the step; the teacher's own difference is 0", async () => {
  const res = await tinyLoop();
  const summary = summariseTransfer(res);
  const rows = perSeedClosedLoop(res, summary, ["copy 0", "teacher"], 6, "teacher");
  assert.equal(rows[0].J, atStep(summary, "copy 0", 6).mean);
  assert.equal(rows[0].minusTeacher, pairedDifference(res, "copy 0", "teacher", [6])[0].mean);
  assert.equal(rows[1].minusTeacher, 0);
  const plain = perSeedClosedLoop(res, summary, ["copy 1"], 3);
  assert.deepEqual(Object.keys(plain[0]), ["learner", "J", "lo", "hi", "score"]);
  assert.throws(() => perSeedClosedLoop(res, summary, ["nobody"], 6), /"nobody" at step 6/);
});

Deno.test("closedLoopCurve keeps only the plotted columns of the shown learners", async () => {
  const res = await tinyLoop();
  const summary = summariseTransfer(res);
  const spec = closedLoopCurve(summary, {
    shown: ["mean", "teacher"],
    y: "score",
    title: "t",
    xTitle: "x",
    yTitle: "y",
    width: 100,
    height: 100,
  });
  const values = (spec.data as { values: Record<string, unknown>[] }).values;
  assert.equal(values.length, 2 * recordGrid(6, 3).length);
  for (const v of values) {
    assert.deepEqual(Object.keys(v).sort(), ["learner", "score", "scoreHi", "scoreLo", "step"]);
  }
});

Deno.test("trainingPerSeedRows reads the last metrics row of each run", () => {
  const m = (loss: number) => ({ loss, dist: 0.1, cosP12: 0.9, cosV21: -0.8, cP: -0.5 });
  const rows = trainingPerSeedRows([
    { config: { seed: 4 }, metrics: [m(1), m(0.01)] },
  ] as never);
  assert.deepEqual(rows, [
    { seed: 4, finalLoss: 0.01, dist: 0.1, cosP12: 0.9, cosV21: -0.8, c: -0.5 },
  ]);
  assert.throws(
    () => trainingPerSeedRows([{ config: { seed: 2 }, metrics: [] }] as never),
    /seed 2/,
  );
});

Deno.test("fmtScoreCI writes mean [lo, hi] of the score columns to 3 decimals", () => {
  assert.equal(
    fmtScoreCI({ score: 0.12345, scoreLo: -0.0004, scoreHi: 1 }),
    "0.123 [0.000, 1.000]", /* no "-0.000" */
  );
});
