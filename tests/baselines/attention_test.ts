import assert from "node:assert/strict";
import {
  type AttentionConfig,
  attentionDefaults,
  conditionTasks,
  figures,
  learnerSpecs,
  run,
  summary,
  tables,
  TEACHER,
  validateAttentionConfig,
} from "../../lib/experiments/attention.ts";
import { mergedTransfer } from "../../lib/experiments/attention_views.ts";
import { type Job, runJob, runJobs } from "../../lib/baselines/jobs.ts";
import { baselineConfig } from "../../lib/baselines/train.ts";
import { trainConfig } from "../../lib/train/train.ts";
import { recordGrid, transferConfig } from "../../lib/transfer/mod.ts";
import { DEFAULT_TASK } from "../../lib/icrl/mod.ts";

const TINY: AttentionConfig = {
  ...attentionDefaults.quick,
  seeds: [0, 1],
  K: 64,
  T: 2,
  logEvery: 1,
  mlpWidths: [4, 6],
  sweepK: 64,
  gruHidden: 2,
  gruHead: 3,
  gruWEveryStep: false,
  lsaLongK: 128,
  numMdps: 3,
  updates: 2,
  shiftUpdates: 1,
  recordEvery: 1,
  lengths: [5, 20],
  heldoutMdps: 2,
  heldoutPrompts: 1,
};

Deno.test("validateAttentionConfig names unknown keys and out-of-range values", () => {
  validateAttentionConfig({ ...attentionDefaults.paper });
  validateAttentionConfig({ ...attentionDefaults.quick });
  assert.throws(
    () => validateAttentionConfig({ ...TINY, foo: 1 } as unknown as AttentionConfig),
    /unknown config key "foo"/,
  );
  assert.throws(() => validateAttentionConfig({ ...TINY, batch: 32 }), /batch/);
  assert.throws(() => validateAttentionConfig({ ...TINY, lengths: [5, 10] }), /lengths/);
  assert.throws(() => validateAttentionConfig({ ...TINY, sweepSeed: 0 }), /sweepSeed 0/);
  assert.throws(() => validateAttentionConfig({ ...TINY, shiftGamma: 1 }), /shiftGamma/);
  assert.throws(() => validateAttentionConfig({ ...TINY, lsaLongK: 10 }), /lsaLongK/);
});

Deno.test("paper defaults keep ≥ 3 seeds, ≥ 100 test MDPs, B ≥ 64 and the lengths 5 … 80", () => {
  const p = attentionDefaults.paper;
  assert.ok(p.seeds.length >= 3);
  assert.ok(p.numMdps >= 100);
  assert.ok(p.batch >= 64);
  assert.deepEqual(p.lengths, [5, 10, 20, 40, 80]);
  assert.equal(p.shiftNS, 12);
  assert.equal(p.shiftGamma, 0.9);
  const t = conditionTasks(p);
  assert.deepEqual(t.default, { ...DEFAULT_TASK });
  assert.deepEqual(t.nS, { ...DEFAULT_TASK, nS: 12 });
  assert.deepEqual(t.gamma, { ...DEFAULT_TASK, gamma: 0.9 });
});

Deno.test("learnerSpecs: every learner trains on the same K, T, batch and seed", () => {
  const specs = learnerSpecs(TINY, 4, 7);
  for (const s of specs) {
    const c = s.train.config;
    assert.equal(c.seed, 7);
    assert.equal(c.T, TINY.T);
    assert.equal(c.batch, TINY.batch);
    assert.equal(c.K, s.equalWall ? TINY.lsaLongK : TINY.K);
  }
  assert.deepEqual(specs.map((s) => s.family), ["lsa", "lsa", "softmax", "mlp", "gru", "lsa"]);
});

Deno.test("runJobs returns runJob's numbers in input order, whatever the number of workers", async () => {
  const tcfg = transferConfig({ numMdps: 2, updates: 3, recordAt: recordGrid(3), seed: 9 });
  const one = [{
    task: { ...DEFAULT_TASK, n: 10 },
    numMdps: 2,
    promptsPerMdp: 1,
    seed: 9,
    streamLabel: "t",
  }];
  const jobs: Job[] = [
    {
      name: "lsa",
      train: { kind: "lsa", config: trainConfig({ K: 64, T: 2, logEvery: 1 }) },
      transfers: [tcfg],
      oneStep: one,
    },
    {
      name: "softmax",
      train: {
        kind: "baseline",
        config: baselineConfig({ arch: { kind: "softmax" }, K: 64, T: 2, logEvery: 1 }),
      },
      transfers: [tcfg],
      oneStep: one,
    },
  ];
  const strip = (r: Awaited<ReturnType<typeof runJob>>) => ({
    name: r.name,
    loss: r.metrics.map((m) => m.loss),
    paramCount: r.paramCount,
    rows: r.transfers[0].rows,
    oneStep: r.oneStep,
  });
  const local = await Promise.all(jobs.map((j) => runJob(j)));
  const w1 = await runJobs(jobs, 1), w2 = await runJobs(jobs, 2, undefined, (j) => j.name.length);
  assert.deepEqual(w1.map(strip), local.map(strip));
  assert.deepEqual(w2.map(strip), local.map(strip));
  assert.equal(local[0].paramCount, 73 * 37 + 36 * 73);
  assert.equal(local[1].paramCount, 73 * 37 + 36 * 73);
});

Deno.test("run (tiny config): tables without NaN, per-MDP seed averages, summary from the result", async () => {
  const res = await run(TINY);
  assert.ok(TINY.mlpWidths.includes(res.mlpWidth));
  const best = [...res.sweep].sort((a, b) => a.relErr - b.relErr)[0];
  assert.equal(res.mlpWidth, best.width);
  assert.equal(res.runs.length, TINY.seeds.length * res.learners.length);
  const t = tables(res);
  for (const [name, rows] of Object.entries(t)) {
    assert.ok(rows.length > 0, name);
    for (const r of rows) {
      for (const [k, v] of Object.entries(r)) {
        assert.ok(!(typeof v === "number" && !Number.isFinite(v)), `${name}.${k} = ${v}`);
        assert.ok(!(typeof v === "string" && /NaN/.test(v)), `${name}.${k} = ${v}`);
      }
    }
  }
  // The seed average of a learner at (MDP, step) is the mean of its seeds' J.
  const merged = mergedTransfer(res, "default");
  const label = res.learners[3].label;
  const members = res.runs.filter((r) => r.label === label);
  const J = (name: string) =>
    merged.rows.find((r) => r.learner === name && r.mdp === 1 && r.step === 2)!.J;
  const want = members.reduce((s, r) => s + J(r.result.name), 0) / members.length;
  assert.ok(Math.abs(J(label) - want) < 1e-12);
  assert.ok(merged.learners.includes(TEACHER));
  const figs = figures(res);
  assert.deepEqual(Object.keys(figs).sort(), ["length", "loss", "shift", "transfer"]);
  const md = summary(res);
  assert.match(md, new RegExp(`2×${res.mlpWidth}`));
  assert.match(md, /Length generalisation/);
  assert.ok(!/NaN/.test(md), md);
});
