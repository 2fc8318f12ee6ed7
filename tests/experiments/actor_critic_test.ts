import assert from "node:assert/strict";
import {
  AC_TEACHER,
  type ActorCriticConfig,
  actorCriticDefaults,
  run,
  validateActorCriticConfig,
} from "../../lib/experiments/actor_critic.ts";
import {
  constructionSummary,
  figures,
  manifest,
  tables,
} from "../../lib/experiments/actor_critic_views.ts";
import { summary, sweepSummary } from "../../lib/experiments/actor_critic_summary.ts";
import { atStep } from "../../lib/experiments/closed_loop.ts";
import { loadModel } from "../../lib/train/mod.ts";
import { pairedDifference, summariseTransfer } from "../../lib/transfer/mod.ts";
import { fmtCI, fmtFixed } from "../../lib/report/mod.ts";

const tiny: ActorCriticConfig = {
  ...actorCriticDefaults.quick,
  sweep: { ...actorCriticDefaults.quick.sweep, numMdps: 3, updates: 8, recordEvery: 4 },
  construction: { ns: [1], ds: [9], trials: 1 },
  seeds: [0],
  K: 16,
  T: 4,
  batch: 8,
  logEvery: 1,
  workers: 1,
  transfer: { numMdps: 3, updates: 4, recordEvery: 2, seed: 11 },
  tableSteps: [0, 4],
};

Deno.test("AC config: both defaults validate; unknown keys and bad values are named", () => {
  validateActorCriticConfig(actorCriticDefaults.quick);
  validateActorCriticConfig(actorCriticDefaults.paper);
  const bad = (patch: Record<string, unknown>) => ({ ...tiny, ...patch }) as ActorCriticConfig;
  assert.throws(() => validateActorCriticConfig(bad({ cosbar: 0.9 })), /cosbar/);
  assert.throws(
    () => validateActorCriticConfig(bad({ transfer: { ...tiny.transfer, mdps: 3 } })),
    /mdps/,
  );
  assert.throws(
    () => validateActorCriticConfig(bad({ task: { ...tiny.task, kind: "sarsa" } })),
    /task.kind must be "ac"/,
  );
  assert.throws(() => validateActorCriticConfig(bad({ tableSteps: [3] })), /step 3/);
  assert.throws(
    () => validateActorCriticConfig(bad({ specDefault: { alpha: -1, beta: 0.2 } })),
    /alpha/,
  );
});

Deno.test("AC run: saves and re-loads the blocks; tables and summaries quote the result's numbers", async () => {
  const dir = await Deno.makeTempDir();
  const res = await run(tiny, {}, { modelsDir: dir, summary: { scale: "test" } });
  // the files on disk are the blocks that were evaluated
  assert.equal(res.saved.length, 1);
  assert.ok(res.saved[0].identical);
  const back = await loadModel(`${dir}/ac_restricted_seed0.json`);
  assert.equal(back.summary.scale, "test");
  assert.equal(back.model.task.alpha, res.picked.alpha);
  assert.equal(back.model.task.beta, res.picked.beta);
  JSON.stringify(res); // plain data
  const t = tables(res);
  assert.deepEqual(Object.keys(t).sort(), [
    "construction_errors",
    "final_per_seed",
    "metrics",
    "paired_minus_teacher",
    "per_seed_final",
    "step_size_sweep",
    "step_size_sweep_table",
    "transfer_mdps",
    "transfer_rows",
    "transfer_summary",
    "transfer_table",
  ]);
  assert.equal(t.step_size_sweep_table.length, 4);
  assert.ok("ΔJ vs α=β=0.2 @8" in t.step_size_sweep_table[0]);
  assert.ok("score @0" in t.step_size_sweep_table[0]); // 0 and 4 tie for 8/4: the earlier
  // ΔJ vs the default at the last sweep step: the mean over the test MDPs of J(setting) − J(default)
  const sweepJ = (name: string) =>
    res.sweep.result.rows.filter((r) => r.learner === name && r.step === 8).map((r) => r.J);
  const jDefault = sweepJ("α=0.2, β=0.2");
  assert.equal(jDefault.length, 3);
  for (const [k, setting] of res.sweep.settings.entries()) {
    const d = sweepJ(setting.name).map((x, j) => x - jDefault[j]);
    const mean = (d[0] + d[1] + d[2]) / 3;
    const cell = String(t.step_size_sweep_table[k]["ΔJ vs α=β=0.2 @8"]);
    assert.ok(cell.startsWith(`${fmtFixed(mean, 3)} [`), `${setting.name}: ${cell} vs ${mean}`);
  }
  assert.equal(t.paired_minus_teacher.length, 2 * tiny.tableSteps.length);
  assert.equal(constructionSummary(res).length, 10);
  assert.deepEqual(Object.keys(figures(res)).sort(), [
    "convergence_curves",
    "learned_blocks",
    "step_size_sweep",
    "transfer_J",
    "transfer_score",
  ]);
  const pick = sweepSummary(res);
  assert.ok(pick.includes(`α = ${res.picked.alpha}, β = ${res.picked.beta}`));
  assert.ok(pick.includes(fmtFixed(res.picked.score, 3)));
  const text = summary(res);
  const s = summariseTransfer(res.transfer);
  assert.ok(text.includes(fmtCI(atStep(s, res.trainedName, 4))));
  assert.ok(
    text.includes(fmtCI(pairedDifference(res.transfer, res.trainedName, AC_TEACHER, [4])[0], 4)),
  );
  assert.ok(text.includes(`bar ${tiny.cosBar}`));
  assert.equal(manifest(res).seeds.sweep, tiny.sweep.seed);
  await assert.rejects(() => run(tiny, {}, { modelsDir: "" }), /modelsDir/);
  await Deno.remove(dir, { recursive: true });
});
