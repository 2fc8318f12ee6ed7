import assert from "node:assert/strict";
import {
  type AttentionConfig,
  attentionDefaults,
  chooseLr,
  conditionTasks,
  learnerRun,
  learnerSpecs,
  run,
  TEACHER,
  validateAttentionConfig,
} from "../../lib/experiments/attention.ts";
import { figures, tables } from "../../lib/experiments/attention_views.ts";
import { summary } from "../../lib/experiments/attention_summary.ts";
import { ciRelation } from "../../lib/experiments/attention_stats.ts";
import { compareToReference } from "../../lib/experiments/attention_summary.ts";
import { learnerTrainConfig } from "../../lib/baselines/learner_train.ts";
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
  learners: [
    { label: "LSA", arch: { kind: "lsa", param: "restricted" }, role: "reference" },
    { label: "softmax ×2", arch: { kind: "softmax", heads: 2 }, role: "signed" },
    { label: "MLP", arch: { kind: "mlp", hidden: 2 }, role: "small" },
    { label: "GRU", arch: { kind: "gru", hidden: 2, head: 3 }, role: "small" },
  ],
  lrGrid: [1e-3, 1e-2],
  sweepK: 64,
  checkpoints: [64, 128],
  equalWallSec: 1e-6,
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
  assert.throws(() => validateAttentionConfig({ ...TINY, lrGrid: [0] }), /lrGrid\[0\]/);
  assert.throws(
    () => validateAttentionConfig({ ...TINY, learners: [TINY.learners[0], TINY.learners[0]] }),
    /distinct/,
  );
  assert.throws(() => validateAttentionConfig({ ...TINY, checkpoints: [1000] }), /checkpoints/);
});

Deno.test("paper defaults: ≥ 5 seeds, ≥ 10⁶ prompts, ≥ 4 rates over ≥ 2 decades, matched sizes, ≥ 100 test MDPs", () => {
  const p = attentionDefaults.paper;
  assert.ok(p.seeds.length >= 5);
  assert.ok(p.K * p.T >= 1e6);
  assert.ok(p.lrGrid.length >= 4);
  assert.ok(Math.max(...p.lrGrid) / Math.min(...p.lrGrid) >= 100 - 1e-9);
  assert.ok(p.numMdps >= 100);
  assert.ok(p.batch >= 64);
  assert.deepEqual(p.lengths, [5, 10, 20, 40, 80]);
  assert.equal(p.shiftNS, 12);
  assert.equal(p.shiftGamma, 0.9);
  const specs = learnerSpecs(p);
  const ref = specs[0];
  assert.equal(ref.label, "LSA restricted");
  const near = (x: number, y: number) => Math.abs(x / y - 1) <= 0.15;
  for (const fam of ["mlp", "gru"]) {
    assert.ok(
      specs.some((s) =>
        s.family === fam && s.role === "matched parameters" && near(s.paramCount, ref.paramCount)
      ),
      `${fam}: no parameter-matched variant`,
    );
    assert.ok(
      specs.some((s) =>
        s.family === fam && s.role === "matched FLOPs" && near(s.forwardMacs, ref.forwardMacs)
      ),
      `${fam}: no FLOP-matched variant`,
    );
  }
  assert.ok(specs.some((s) => s.arch.kind === "softmax" && s.arch.heads === 2));
  const t = conditionTasks(p);
  assert.deepEqual(t.default, { ...DEFAULT_TASK });
  assert.deepEqual(t.nS, { ...DEFAULT_TASK, nS: 12 });
  assert.deepEqual(t.gamma, { ...DEFAULT_TASK, gamma: 0.9 });
});

Deno.test("learnerRun: every learner trains on the same K, T, batch and seed, at its own rate", () => {
  for (const l of TINY.learners) {
    const c = learnerRun(TINY, l, 3e-3, 7, TINY.K);
    assert.equal(c.seed, 7);
    assert.equal(c.T, TINY.T);
    assert.equal(c.batch, TINY.batch);
    assert.equal(c.K, TINY.K);
    assert.equal(c.lr, 3e-3);
    assert.equal(c.lrDecay, 0.99);
  }
});

Deno.test("chooseLr: smallest held-out error, diverged runs excluded, ties to the smaller rate", () => {
  const r = (lr: number, relErr: number | null) => ({
    label: "x",
    lr,
    status: relErr === null ? "diverged" as const : "done" as const,
    relErr,
    finalLoss: 1,
    prompts: 1,
    wallSec: 1,
  });
  assert.equal(chooseLr([r(1e-3, 0.5), r(1e-2, 0.2), r(1e-1, null)]), 1e-2);
  assert.equal(chooseLr([r(1e-3, 0.2), r(1e-2, 0.2)]), 1e-3);
  assert.equal(chooseLr([r(1e-1, null)]), null);
});

Deno.test("ciRelation and compareToReference: every branch of the generated comparison", () => {
  assert.equal(ciRelation({ lo: 0, hi: 1 }, { lo: 2, hi: 3 }), "lower");
  assert.equal(ciRelation({ lo: 4, hi: 5 }, { lo: 2, hi: 3 }), "higher");
  assert.equal(ciRelation({ lo: 0, hi: 2.5 }, { lo: 2, hi: 3 }), "overlapping");
  const items = [
    { label: "A", relation: "lower" as const },
    { label: "B", relation: "higher" as const },
    { label: "C", relation: "overlapping" as const },
  ];
  assert.equal(
    compareToReference("R", "error", items, true),
    "on error, better than R: A; worse: B; indistinguishable: C",
  );
  assert.equal(
    compareToReference("R", "J", items, false),
    "on J, better than R: B; worse: A; indistinguishable: C",
  );
  assert.equal(
    compareToReference("R", "error", [items[1]], true),
    "on error, none is better than R; worse: B",
  );
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
    {
      name: "gru (float64 engine)",
      train: {
        kind: "learner",
        config: learnerTrainConfig({
          arch: { kind: "gru", hidden: 2, head: 3 },
          K: 64,
          T: 2,
          checkpoints: [64],
        }),
      },
      transfers: [tcfg],
      oneStep: one,
      snapshotEval: one[0],
    },
  ];
  const strip = (r: Awaited<ReturnType<typeof runJob>>) => ({
    name: r.name,
    loss: r.metrics.map((m) => m.loss),
    paramCount: r.paramCount,
    rows: r.transfers[0].rows,
    oneStep: r.oneStep,
    checkpoints: r.checkpoints.map((c) => ({ prompts: c.prompts, oneStep: c.oneStep })),
  });
  const local = await Promise.all(jobs.map((j) => runJob(j)));
  const w1 = await runJobs(jobs, 1), w2 = await runJobs(jobs, 2, undefined, (j) => j.name.length);
  assert.deepEqual(w1.map(strip), local.map(strip));
  assert.deepEqual(w2.map(strip), local.map(strip));
  assert.equal(local[0].paramCount, 73 * 37 + 36 * 73);
  assert.equal(local[1].paramCount, 73 * 37 + 36 * 73);
});

Deno.test("run (tiny config): sweep, chosen rates, tables without NaN, per-MDP seed averages, summary", async () => {
  const res = await run(TINY);
  assert.equal(res.sweep.length, TINY.learners.length * TINY.lrGrid.length);
  for (const l of TINY.learners) {
    assert.equal(res.chosenLr[l.label], chooseLr(res.sweep.filter((s) => s.label === l.label)));
  }
  assert.equal(res.runs.length, TINY.seeds.length * res.learners.length);
  for (const r of res.runs) {
    assert.deepEqual(r.result.checkpoints.map((c) => c.prompts), [64, 128]);
    assert.ok(r.result.wallPoint !== null); // W is tiny, so every run reaches it
  }
  const t = tables(res);
  // Rows per table from the config: L learners, S seeds, K·T/batch Adam steps per run; the closed
  // loops record steps 0 … updates (default) and 0 … shiftUpdates (two shifts), each for the L
  // learners and the teacher; three conditions.
  const L = TINY.learners.length, S = TINY.seeds.length, steps = (TINY.K * TINY.T) / TINY.batch;
  const recorded = TINY.updates + 1 + 2 * (TINY.shiftUpdates + 1);
  assert.deepEqual(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.length])), {
    learners: L,
    sweep: L * TINY.lrGrid.length,
    curves: L * S * steps,
    heldout_curves: L * TINY.checkpoints.length,
    final: L + 1,
    equal_wall: L,
    transfer_summary: (L + 1) * recorded,
    transfer_final: (L + 1) * 3,
    length: L * TINY.lengths.length,
    shift: L * 3,
    timing: L * S,
  });
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
  const label = res.learners[2].label;
  const members = res.runs.filter((r) => r.label === label);
  const J = (name: string) =>
    merged.rows.find((r) => r.learner === name && r.mdp === 1 && r.step === 2)!.J;
  const want = members.reduce((s, r) => s + J(r.result.name), 0) / members.length;
  assert.ok(Math.abs(J(label) - want) < 1e-12);
  assert.ok(merged.learners.includes(TEACHER));
  // the teacher, every run by name, then one seed average per label
  assert.deepEqual(merged.learners, [
    TEACHER,
    ...res.runs.map((r) => r.result.name),
    ...TINY.learners.map((l) => l.label),
  ]);
  const figs = figures(res);
  assert.deepEqual(Object.keys(figs).sort(), ["length", "loss", "shift", "sweep", "transfer"]);
  const md = summary(res);
  assert.match(md, /Length generalisation/);
  assert.match(md, /What this run shows/);
  assert.ok(!/NaN/.test(md), md);
});
