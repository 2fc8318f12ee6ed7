import assert from "node:assert/strict";
import {
  run,
  TEACHER,
  transferDefaults,
  type TransferExpConfig,
  validateTransferExpConfig,
} from "../../lib/experiments/transfer_exp.ts";
import { figures, manifest, summary, tables } from "../../lib/experiments/transfer_exp_views.ts";
import { atStep } from "../../lib/experiments/closed_loop.ts";
import { pairedDifference, summariseTransfer } from "../../lib/transfer/mod.ts";
import { fmtCI, fmtFixed } from "../../lib/report/mod.ts";

const tiny: TransferExpConfig = {
  blocks: { scale: "quick", seeds: [0] },
  numMdps: 3,
  updates: 4,
  recordEvery: 2,
  evalSeed: 7,
  tableSteps: [0, 4],
  budget: { sizes: [{ K: 8, T: 2 }], seeds: [100], batch: 4, logEvery: 1, workers: 1 },
};

Deno.test("transfer config: both defaults validate; unknown keys and bad values are named", () => {
  validateTransferExpConfig(transferDefaults.quick);
  validateTransferExpConfig(transferDefaults.paper);
  assert.ok(transferDefaults.paper.blocks.seeds.length >= 10);
  assert.ok(transferDefaults.paper.numMdps >= 100);
  const bad = (patch: Record<string, unknown>) => ({ ...tiny, ...patch }) as TransferExpConfig;
  assert.throws(() => validateTransferExpConfig(bad({ numMDPs: 3 })), /numMDPs/);
  assert.throws(
    () => validateTransferExpConfig(bad({ budget: { ...tiny.budget, worker: 2 } })),
    /worker/,
  );
  assert.throws(
    () => validateTransferExpConfig(bad({ tableSteps: [3] })),
    /step 3 is not recorded/,
  );
  assert.throws(
    () => validateTransferExpConfig(bad({ budget: { ...tiny.budget, seeds: [0] } })),
    /budget.seeds must differ/,
  );
  assert.throws(
    () => validateTransferExpConfig(bad({ blocks: { scale: "huge", seeds: [0] } })),
    /blocks.scale/,
  );
});

Deno.test("transfer run: tables, figures and the summary quote the same numbers", async () => {
  const res = await run(tiny);
  assert.deepEqual(res.blocks.map((b) => b.seed), [0]);
  assert.ok(res.transfer.learners.includes(res.trainedName));
  assert.equal(res.budget.training.length, 1);
  JSON.stringify(res); // plain data
  const t = tables(res);
  assert.deepEqual(Object.keys(t).sort(), [
    "budget_summary",
    "budget_training",
    "paired_trained_minus_teacher",
    "per_seed_final",
    "transfer_mdps",
    "transfer_rows",
    "transfer_summary",
    "transfer_table",
  ]);
  assert.equal(t.transfer_table.length, tiny.tableSteps.length);
  assert.deepEqual(t.per_seed_final.map((r) => r.learner), [...res.trainedNames, TEACHER]);
  assert.deepEqual(Object.keys(figures(res)).sort(), ["budget", "transfer"]);
  const text = summary(res);
  const s = summariseTransfer(res.transfer);
  assert.ok(text.includes(fmtCI(atStep(s, res.trainedName, 4))));
  assert.ok(text.includes(fmtFixed(atStep(s, "oracle", 0).mean, 3)));
  const d = pairedDifference(res.transfer, res.trainedName, TEACHER, [4])[0];
  assert.ok(text.includes(fmtCI(d, 4)));
  assert.ok(text.includes(`${res.config.numMdps} unseen MDPs`));
  const m = manifest(res);
  assert.equal(m.seeds.eval, tiny.evalSeed);
  assert.equal("training" in (m.config.transfer as Record<string, unknown>), false);
});
