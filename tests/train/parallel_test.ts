import assert from "node:assert/strict";
import { trainMany } from "../../lib/train/parallel.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";

Deno.test("trainMany in workers gives exactly the in-process results, in input order", async () => {
  const cfgs = [3, 4, 5].map((seed) =>
    trainConfig({ task: { nS: 3, nA: 2, d: 4 }, K: 4, T: 10, batch: 2, logEvery: 5, seed })
  );
  const rows: number[] = [];
  const par = await trainMany(cfgs, 2, (i) => rows.push(i));
  for (let i = 0; i < 3; i++) {
    const ref = await trainTeacherMimic(cfgs[i]);
    assert.deepEqual(par[i].model, ref.model);
    assert.deepEqual(par[i].metrics, ref.metrics);
  }
  assert.ok(rows.length >= 3);
});

Deno.test("a failing run in a worker rejects with its seed and message", async () => {
  const bad = trainConfig({
    task: { nS: 3, nA: 2, d: 4 },
    K: 2,
    T: 200,
    batch: 2,
    optimizer: "gd",
    lr: 1e4,
    seed: 7,
  });
  await assert.rejects(() => trainMany([bad], 1), /run 0 \(seed 7\) failed: training diverged/);
});
