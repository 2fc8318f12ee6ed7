import assert from "node:assert/strict";
import { learnerTrainConfig, trainLearner } from "../../lib/baselines/learner_train.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import { DEFAULT_TASK } from "../../lib/icrl/tasks.ts";

const tiny = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };

Deno.test("trainLearner on the restricted LSA block follows trainTeacherMimic's reference step for step", async () => {
  const common = { task: tiny, K: 16, T: 5, batch: 8, lr: 1e-2, seed: 3 };
  const ref = await trainTeacherMimic(
    trainConfig({ ...common, logEvery: 1 }),
    undefined,
    "reference",
  );
  const mine = await trainLearner(
    learnerTrainConfig({ arch: { kind: "lsa", param: "restricted" }, ...common }),
  );
  const want = [...ref.model.blocks.P12, ...ref.model.blocks.V21bar];
  const worst = Math.max(...want.map((v, i) => Math.abs(v - mine.params[i])));
  assert.ok(worst < 1e-12, `largest difference ${worst}`);
  assert.equal(mine.prompts, 80);
  assert.equal(mine.status, "done");
});

Deno.test("trainLearner: log-spaced loss rows, snapshots at checkpoints and at a wall time, deterministic", async () => {
  const cfg = learnerTrainConfig({
    arch: { kind: "mlp", hidden: 3 },
    task: tiny,
    K: 16,
    T: 20,
    batch: 8,
    checkpoints: [8, 100, 320],
    wallSnapshotSec: 1e-9,
    logGrowth: 1.5,
  });
  const a = await trainLearner(cfg), b = await trainLearner(cfg);
  assert.deepEqual(a.params, b.params);
  assert.deepEqual(a.snapshots.map((s) => s.prompts), [8, 104, 320]);
  assert.deepEqual(a.snapshots.at(-1)!.params, a.params);
  assert.equal(a.wallSnapshot!.prompts, 8);
  const steps = a.metrics.map((m) => m.step);
  assert.equal(steps[0], 1);
  assert.equal(steps.at(-1), 40);
  assert.ok(steps.length < 15, `${steps.length} rows for 40 steps`);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1]);
});

Deno.test("trainLearner: a rate that blows up stops with status diverged and finite parameters", async () => {
  const res = await trainLearner(learnerTrainConfig({
    arch: { kind: "softmax" },
    task: tiny,
    K: 16,
    T: 50,
    batch: 8,
    lr: 50,
    divergeLoss: 10,
  }));
  assert.equal(res.status, "diverged");
  assert.ok(res.params.every(Number.isFinite));
  assert.throws(
    () => learnerTrainConfig({ arch: { kind: "mlp", hidden: 2 }, foo: 1 } as never),
    /unknown learner training key "foo"/,
  );
  assert.throws(() => learnerTrainConfig({ arch: { kind: "mlp", hidden: 2 }, lr: -1 }), /lr/);
});
