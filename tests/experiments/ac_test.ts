import assert from "node:assert/strict";
import {
  actorCriticDefaults,
  acTrainConfigs,
  bestStepSizes,
  mergeTransferResults,
  stepSizeSweep,
  type StepSizeSweepConfig,
  sweepName,
  sweepRows,
} from "../../lib/experiments/actor_critic.ts";
import { policyReturn } from "../../lib/mdp/evaluate.ts";
import { randomFeatures, randomMdp, randomStateFeatures } from "../../lib/mdp/mdp.ts";
import { softmaxPolicy } from "../../lib/mdp/policy.ts";
import { Rng } from "../../lib/core/rng.ts";
import { rollout, sampleInitialState } from "../../lib/mdp/rollout.ts";
import { meanCI } from "../../lib/core/stats.ts";
import { DEFAULT_TASK } from "../../lib/icrl/mod.ts";
import { actorCriticUpdate } from "../../lib/icrl/teachers.ts";
import {
  evaluateTransfer,
  pairedDifference,
  recordGrid,
  summariseTransfer,
  teacherLearner,
  transferConfig,
} from "../../lib/transfer/mod.ts";

const tiny: StepSizeSweepConfig = {
  alphas: [0.2, 0.5],
  betas: [0.2, 1],
  numMdps: 3,
  updates: 12,
  recordEvery: 4,
  seed: 9,
  streamLabel: "ac-step-size-sweep",
};

Deno.test("AC settings: paper has ≥ 10 seeds and ≈ 10⁶ prompts per seed; configs carry the picked α, β", () => {
  const paper = actorCriticDefaults.paper;
  assert.ok(paper.seeds.length >= 10);
  assert.equal(paper.K * paper.T, 1_024_000);
  assert.equal(paper.K % paper.batch, 0); // no ragged last group
  assert.ok(paper.transfer.numMdps >= 100 && paper.transfer.updates === 400);
  assert.notEqual(paper.sweep.streamLabel, "transfer-test");
  const quick = actorCriticDefaults.quick;
  const cfgs = acTrainConfigs(quick, { alpha: 0.5, beta: 1 });
  assert.equal(cfgs.length, quick.seeds.length);
  cfgs.forEach((c, i) => {
    assert.equal(c.seed, quick.seeds[i]);
    assert.equal(c.task.kind, "ac");
    assert.equal(c.task.alpha, 0.5);
    assert.equal(c.task.beta, 1);
    assert.equal(c.task.dPsi, DEFAULT_TASK.dPsi);
    assert.equal(c.param, "restricted");
    assert.equal(c.K, quick.K);
    assert.equal(c.batch, quick.batch);
  });
  assert.throws(() => acTrainConfigs(quick, { alpha: -1, beta: 1 }), /alpha/);
  assert.equal(sweepName({ alpha: 0.2, beta: 1 }), "α=0.2, β=1");
});

Deno.test("step-size sweep: each setting's rows equal a hand-rolled AC teacher loop on the shared stream", async () => {
  const sw = await stepSizeSweep(tiny);
  assert.deepEqual(sw.result.learners, [
    "α=0.2, β=0.2",
    "α=0.2, β=1",
    "α=0.5, β=0.2",
    "α=0.5, β=1",
  ]);
  const t = { ...DEFAULT_TASK, kind: "ac" as const };
  for (const s of sw.settings) {
    for (let j = 0; j < tiny.numMdps; j++) {
      // Streams spelled out literally; draws in newTaskEnv's documented order.
      const mdpRng = new Rng(tiny.seed).fork(tiny.streamLabel).fork(j);
      const mdp = randomMdp(mdpRng, { nS: t.nS, nA: t.nA, gamma: t.gamma });
      const feat = randomFeatures(mdpRng, t.nS, t.nA, t.d);
      const sf = randomStateFeatures(mdpRng, t.nS, t.dPsi);
      const theta = mdpRng.fillUniform(new Float64Array(t.dPsi + t.d), -1, 1);
      let w: Float64Array = theta.slice(0, t.dPsi);
      let lambda: Float64Array = theta.slice(t.dPsi);
      let st = sampleInitialState(mdp, mdpRng);
      const roll = new Rng(tiny.seed).fork(tiny.streamLabel).fork(j).fork("rollout-shared");
      const expected = [policyReturn(mdp, softmaxPolicy(feat, lambda))];
      for (let u = 1; u <= tiny.updates; u++) {
        const traj = rollout(mdp, softmaxPolicy(feat, lambda), st, t.n, roll);
        const upd = actorCriticUpdate(traj, feat, sf, w, lambda, t.gamma, s.alpha, s.beta);
        w = upd.w;
        lambda = upd.lambda;
        st = traj.s[t.n];
        if (u % tiny.recordEvery === 0) {
          expected.push(policyReturn(mdp, softmaxPolicy(feat, lambda)));
        }
      }
      const got = sw.result.rows.filter((r) => r.learner === s.name && r.mdp === j);
      assert.deepEqual(got.map((r) => r.step), recordGrid(tiny.updates, tiny.recordEvery));
      got.forEach((r, i) => assert.ok(Math.abs(r.J - expected[i]) <= 1e-12, `${s.name} ${j} ${i}`));
    }
  }
  // Settings differ once the step sizes act.
  const last = (name: string) =>
    sw.result.rows.filter((r) => r.learner === name && r.step === tiny.updates).map((r) => r.J);
  assert.notDeepEqual(last("α=0.2, β=0.2"), last("α=0.2, β=1"));
});

Deno.test("sweepRows and bestStepSizes agree with direct means over the sweep's rows", async () => {
  const sw = await stepSizeSweep(tiny);
  const rows = sweepRows(sw);
  assert.equal(rows.length, sw.settings.length * recordGrid(tiny.updates, tiny.recordEvery).length);
  let bestName = "", bestScore = -Infinity;
  for (const s of sw.settings) {
    for (const step of [0, tiny.updates]) {
      const scores = sw.result.rows.filter((r) => r.learner === s.name && r.step === step).map((
        r,
      ) => r.score);
      const Js = sw.result.rows.filter((r) => r.learner === s.name && r.step === step).map((r) =>
        r.J
      );
      const row = rows.find((r) => r.setting === s.name && r.step === step)!;
      const ci = meanCI(scores);
      assert.ok(Math.abs((row.score as number) - ci.mean) <= 1e-12);
      assert.ok(Math.abs((row.scoreLo as number) - ci.lo) <= 1e-12);
      assert.ok(Math.abs((row.J as number) - meanCI(Js).mean) <= 1e-12);
      assert.equal(row.alpha, s.alpha);
      assert.equal(row.beta, s.beta);
      if (step === tiny.updates && ci.mean > bestScore) {
        bestScore = ci.mean;
        bestName = s.name;
      }
    }
  }
  const best = bestStepSizes(sw);
  assert.equal(best.name, bestName);
  assert.ok(Math.abs(best.score - bestScore) <= 1e-12);
  assert.equal(sweepName(best), bestName);
  assert.throws(() => bestStepSizes(sw, 5), /not recorded/);
});

Deno.test("mergeTransferResults: same summaries as the parts; paired differences across parts; mismatches throw", async () => {
  const base = {
    numMdps: 4,
    updates: 8,
    recordAt: recordGrid(8, 4),
    seed: 3,
    rolloutStreams: "shared" as const,
  };
  const a = await evaluateTransfer(
    transferConfig({ ...base, task: { kind: "ac", beta: 0.2 } }),
    [teacherLearner("a")],
  );
  const b = await evaluateTransfer(
    transferConfig({ ...base, task: { kind: "ac", beta: 1 } }),
    [teacherLearner("b")],
  );
  const m = mergeTransferResults([a, b]);
  assert.deepEqual(m.learners, ["a", "b"]);
  assert.equal(m.prompts, a.prompts + b.prompts);
  const sa = summariseTransfer(a, { references: false });
  const sb = summariseTransfer(b, { references: false });
  assert.deepEqual(summariseTransfer(m, { references: false }), [...sa, ...sb]);
  const d = pairedDifference(m, "b", "a", [8])[0];
  const diffs = [0, 1, 2, 3].map((j) =>
    b.rows.find((r) => r.mdp === j && r.step === 8)!.J -
    a.rows.find((r) => r.mdp === j && r.step === 8)!.J
  );
  assert.ok(Math.abs(d.mean - meanCI(diffs).mean) <= 1e-12);
  const other = await evaluateTransfer(
    transferConfig({ ...base, seed: 4, task: { kind: "ac" } }),
    [teacherLearner("c")],
  );
  assert.throws(() => mergeTransferResults([a, other]), /same test MDPs/);
  assert.throws(() => mergeTransferResults([a, a]), /duplicate learner name "a"/);
  assert.throws(() => mergeTransferResults([]), /at least one/);
});
