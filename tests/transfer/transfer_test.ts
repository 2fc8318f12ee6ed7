import assert from "node:assert/strict";
import {
  assertDisjointStreams,
  batchFromLearner,
  blockLearner,
  constructedLearner,
  evaluateTransfer,
  type Learner,
  pairedDifference,
  recordGrid,
  rolloutStream,
  streamFingerprint,
  summariseTransfer,
  teacherLearner,
  testMdpStream,
  trainingMdpStream,
  transferConfig,
  type TransferResult,
} from "../../lib/transfer/mod.ts";
import { DEFAULT_TASK, taskConstruction, type TaskSpec } from "../../lib/icrl/tasks.ts";
import { sarsaBlocks } from "../../lib/icrl/construction.ts";
import { randomFeatures, randomMdp, randomStateFeatures } from "../../lib/mdp/mdp.ts";
import { epsGreedyPolicy, greedyPolicy, softmaxPolicy } from "../../lib/mdp/policy.ts";
import { policyReturn, uniformReturn, valueIteration } from "../../lib/mdp/evaluate.ts";
import { rollout, sampleInitialState } from "../../lib/mdp/rollout.ts";
import { sarsaUpdate } from "../../lib/icrl/teachers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { blocksToParams } from "../../lib/icrl/lsa.ts";

const AC: TaskSpec = { ...DEFAULT_TASK, kind: "ac" };

/** J trajectory of one learner, MDP-major, as plain numbers. */
function curve(res: TransferResult, learner: string): number[] {
  return res.rows.filter((r) => r.learner === learner).map((r) => r.J);
}

function maxAbsDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

/** Wrap a learner so that every θ it outputs is logged (the Learner interface is open). */
function spy(inner: Learner, log: number[]): Learner {
  return {
    name: inner.name,
    task: inner.task,
    update(X, env, target, out) {
      inner.update(X, env, target, out);
      log.push(...out);
    },
  };
}

Deno.test("SARSA: teacher and constructed block (c = 1 and c = −0.5) give identical θ and J trajectories on shared streams", async () => {
  const cfg = transferConfig({ numMdps: 3, updates: 60, seed: 11, rolloutStreams: "shared" });
  const logs: number[][] = [[], [], []];
  const res = await evaluateTransfer(cfg, [
    spy(teacherLearner(), logs[0]),
    spy(constructedLearner(cfg.task), logs[1]),
    spy(constructedLearner(cfg.task, "constructed-neg", -0.5), logs[2]),
  ]);
  assert.equal(logs[0].length, 3 * 60 * cfg.task.d);
  assert.ok(maxAbsDiff(logs[0], logs[1]) <= 1e-9);
  assert.ok(maxAbsDiff(logs[0], logs[2]) <= 1e-9);
  const teacher = curve(res, "teacher");
  assert.equal(teacher.length, 3 * 61);
  assert.ok(maxAbsDiff(teacher, curve(res, "constructed")) <= 1e-9);
  assert.ok(maxAbsDiff(teacher, curve(res, "constructed-neg")) <= 1e-9);
  // and the loop does something: J changes along the way
  assert.ok(new Set(teacher.map((x) => x.toFixed(12))).size > 3);
});

Deno.test("the full-parameter readout path gives the same trajectory as the restricted one", async () => {
  const task = { ...DEFAULT_TASK, nS: 4, nA: 2, d: 8 };
  const blocks = sarsaBlocks(task.d, task.alpha, 2);
  const full = blocksToParams(blocks);
  const cfg = transferConfig({ task, numMdps: 2, updates: 30, seed: 3, rolloutStreams: "shared" });
  const logs: number[][] = [[], [], []];
  const res = await evaluateTransfer(cfg, [
    spy(teacherLearner(), logs[0]),
    spy(blockLearner("restricted", { task, param: "restricted", blocks }), logs[1]),
    spy(blockLearner("full", { task, param: "full", blocks, full }), logs[2]),
  ]);
  assert.ok(maxAbsDiff(logs[0], logs[1]) <= 1e-9 && maxAbsDiff(logs[0], logs[2]) <= 1e-9);
  assert.ok(maxAbsDiff(curve(res, "teacher"), curve(res, "restricted")) <= 1e-9);
  assert.ok(maxAbsDiff(curve(res, "teacher"), curve(res, "full")) <= 1e-9);
});

for (const batched of [false, true]) {
  Deno.test(
    `a hand-rolled rollout → sarsaUpdate → greedy-J loop reproduces the evaluator's teacher rows (${
      batched ? "batch learners, MDPs side by side" : "per-prompt learners, one MDP at a time"
    })`,
    async () => {
      const seed = 5, updates = 40;
      const cfg = transferConfig({ numMdps: 2, updates, seed, recordAt: recordGrid(updates, 4) });
      const ls = [constructedLearner(cfg.task), teacherLearner()];
      const res = await evaluateTransfer(cfg, batched ? ls.map(batchFromLearner) : ls);
      handRolledCheck(res, seed, updates);
    },
  );
}

function handRolledCheck(res: TransferResult, seed: number, updates: number): void {
  const t = res.config.task;
  for (let j = 0; j < 2; j++) {
    // Streams spelled out literally, draws in newTaskEnv's documented order.
    const mdpRng = new Rng(seed).fork("transfer-test").fork(j);
    const mdp = randomMdp(mdpRng, { nS: t.nS, nA: t.nA, gamma: t.gamma });
    const feat = randomFeatures(mdpRng, t.nS, t.nA, t.d);
    let w = mdpRng.fillUniform(new Float64Array(t.d), -1, 1);
    let s = sampleInitialState(mdp, mdpRng);
    const roll = new Rng(seed).fork("transfer-test").fork(j).fork("rollout").fork("teacher");
    const expected: number[] = [policyReturn(mdp, greedyPolicy(feat, w))];
    for (let u = 1; u <= updates; u++) {
      const traj = rollout(mdp, epsGreedyPolicy(feat, w, t.eps), s, t.n, roll);
      w = sarsaUpdate(traj, feat, w, t.gamma, t.alpha);
      s = traj.s[t.n];
      if (u % 4 === 0) expected.push(policyReturn(mdp, greedyPolicy(feat, w)));
    }
    const got = res.rows.filter((r) => r.learner === "teacher" && r.mdp === j);
    assert.deepEqual(got.map((r) => r.step), recordGrid(updates, 4));
    assert.ok(maxAbsDiff(got.map((r) => r.J), expected) <= 1e-12);
    // references
    assert.ok(Math.abs(res.mdps[j].oracle - valueIteration(mdp).J) <= 1e-12);
    assert.ok(Math.abs(res.mdps[j].random - uniformReturn(mdp)) <= 1e-12);
    for (const r of got) {
      const want = (r.J - res.mdps[j].random) / (res.mdps[j].oracle - res.mdps[j].random);
      assert.ok(Math.abs(r.score - want) <= 1e-12);
    }
  }
}

Deno.test("batch learners (all MDPs side by side) and per-prompt learners give identical rows, SARSA and AC, mixed lists too", async () => {
  for (const task of [DEFAULT_TASK, AC]) {
    const cfg = transferConfig({ task, numMdps: 3, updates: 9, seed: 4, recordAt: [0, 1, 5, 9] });
    const ls = [teacherLearner("teacher"), constructedLearner(task, "θ⋆", 3.7)];
    const ref = await evaluateTransfer(cfg, ls);
    for (const mixed of [ls.map(batchFromLearner), [batchFromLearner(ls[0]), ls[1]]]) {
      const got = await evaluateTransfer(cfg, mixed);
      assert.deepEqual(got.rows, ref.rows);
      assert.deepEqual(got.mdps, ref.mdps);
      assert.deepEqual(got.learners, ["teacher", "θ⋆"]);
      assert.equal(got.rows.length, 3 * 2 * 4);
    }
  }
  // a batch learner gets one call per update step holding every test MDP's prompt
  const sizes: number[] = [];
  const cfg = transferConfig({ numMdps: 5, updates: 3, seed: 4 });
  await evaluateTransfer(cfg, [{
    name: "spy",
    updateBatch: (_X, envs, targets, outs) => {
      sizes.push(envs.length);
      outs.forEach((o, b) => o.set(targets[b]));
    },
  }]);
  assert.deepEqual(sizes, [5, 5, 5]);
});

Deno.test("batch learners: duplicate names, a non-finite θ and a learner without update functions are refused by name", async () => {
  const cfg = transferConfig({ numMdps: 2, updates: 2, seed: 5 });
  const t = batchFromLearner(teacherLearner("t"));
  await assert.rejects(
    () => evaluateTransfer(cfg, [t, teacherLearner("t")]),
    /duplicate learner name "t"/,
  );
  const bad = batchFromLearner({ name: "nan", update: (_X, _e, _t, out) => out.fill(NaN) });
  await assert.rejects(
    () => evaluateTransfer(cfg, [bad]),
    /learner "nan" produced θ\[0\] = NaN on test MDP 0 at update 1/,
  );
  await assert.rejects(
    () => evaluateTransfer(cfg, [{ name: "none" } as Learner]),
    /learner "none" has no update \(or updateBatch\) function/,
  );
});

Deno.test("the oracle's J bounds every recorded J from above (SARSA and AC)", async () => {
  for (const task of [DEFAULT_TASK, AC]) {
    const cfg = transferConfig({ task, numMdps: 4, updates: 40, seed: 2 });
    const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(task)]);
    for (const r of res.rows) {
      const { oracle, random } = res.mdps[r.mdp];
      assert.ok(
        r.J <= oracle + 1e-9,
        `${task.kind} MDP ${r.mdp} step ${r.step}: ${r.J} > ${oracle}`,
      );
      assert.ok(oracle > random);
    }
  }
});

Deno.test("same seed ⇒ identical results; adding a learner leaves another's numbers unchanged; another seed differs", async () => {
  const cfg = transferConfig({ numMdps: 3, updates: 25, seed: 9 });
  const a = await evaluateTransfer(cfg, [teacherLearner()]);
  const b = await evaluateTransfer(cfg, [teacherLearner()]);
  assert.deepEqual(a.rows, b.rows);
  assert.deepEqual(a.mdps, b.mdps);
  const c = await evaluateTransfer(cfg, [constructedLearner(cfg.task), teacherLearner()]);
  assert.deepEqual(c.rows.filter((r) => r.learner === "teacher"), a.rows);
  const d = await evaluateTransfer({ ...cfg, seed: 10 }, [teacherLearner()]);
  assert.notDeepEqual(d.mdps, a.mdps);
});

Deno.test("different learners roll out from distinct streams; 'shared' gives them one stream", async () => {
  const mdp0 = testMdpStream(0, 0);
  const t = rolloutStream(mdp0, "teacher"), c = rolloutStream(mdp0, "constructed");
  assert.notDeepEqual(t.key, c.key);
  assert.notEqual(streamFingerprint(t), streamFingerprint(c));
  assert.notEqual(t.nextUint32(), c.nextUint32());
  assert.notEqual(streamFingerprint(t), streamFingerprint(mdp0));
  assert.deepEqual(
    rolloutStream(mdp0, "teacher", "shared").key,
    rolloutStream(mdp0, "constructed", "shared").key,
  );
  // per-learner streams: the exact construction no longer tracks the teacher step for step
  const cfg = transferConfig({ numMdps: 2, updates: 30, seed: 1 });
  const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(cfg.task)]);
  const T = curve(res, "teacher"), C = curve(res, "constructed");
  assert.ok(maxAbsDiff(T, C) > 1e-6);
  // … but they start from the same θ on each MDP (step 0)
  for (const j of [0, 1]) assert.equal(T[j * 31], C[j * 31]);
});

Deno.test("disjointness: passes for the default label, fires on an overlapping stream family", async () => {
  const cfg = transferConfig({ numMdps: 20, seed: 0 });
  assertDisjointStreams({ seeds: [0, 1, 2], K: 500 }, cfg, ["teacher", "constructed"]);
  // Test streams built like the training streams ("mdp" label, a training seed) overlap.
  const bad = { ...cfg, streamLabel: "mdp", seed: 2 };
  assert.throws(
    () => assertDisjointStreams({ seeds: [0, 1, 2], K: 5 }, bad),
    /training seed 2 MDP 0/,
  );
  // … and evaluateTransfer runs the check when told the training streams.
  await assert.rejects(
    evaluateTransfer({ ...bad, updates: 1, recordAt: [0, 1], training: { seeds: [2], K: 5 } }, [
      teacherLearner(),
    ]),
    /overlap/,
  );
  // the sanity check on drawn numbers: the same MDP drawn from both sides would be identical
  assert.deepEqual(
    randomMdp(new Rng(2).fork("mdp").fork(0)).P,
    randomMdp(testMdpStream(2, 0, "mdp")).P,
  );
});

Deno.test("summariseTransfer and pairedDifference agree with direct computations on the rows", async () => {
  const cfg = transferConfig({ numMdps: 5, updates: 20, seed: 4, recordAt: [0, 10, 20] });
  const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(cfg.task)]);
  const summary = summariseTransfer(res);
  assert.equal(summary.length, 4 * 3); // two learners + oracle + random, three steps
  const at = (l: string, s: number) => res.rows.filter((r) => r.learner === l && r.step === s);
  /** Literal: mean ± t_{0.975, n−1}·sd/√n with the n−1 sample standard deviation. */
  const literal = (v: number[]) => {
    const mean = v.reduce((x, y) => x + y, 0) / v.length;
    const sd = Math.sqrt(v.reduce((acc, x) => acc + (x - mean) ** 2, 0) / (v.length - 1));
    return { mean, se: sd / Math.sqrt(v.length) };
  };
  const T4 = 2.7764451051977934; // scipy.stats.t.ppf(0.975, 4)
  for (const l of ["teacher", "constructed"]) {
    for (const s of [10, 20]) {
      const row = summary.find((r) => r.learner === l && r.step === s)!;
      const J = literal(at(l, s).map((r) => r.J));
      assert.ok(Math.abs(row.mean - J.mean) < 1e-14);
      assert.ok(Math.abs(row.halfWidth / J.se - T4) < 1e-3, `t factor ${row.halfWidth / J.se}`);
      assert.ok(Math.abs(row.lo - (row.mean - row.halfWidth)) < 1e-14);
      const sc = literal(at(l, s).map((r) => r.score));
      assert.ok(Math.abs(row.score - sc.mean) < 1e-14);
      assert.ok(Math.abs(row.scoreHalfWidth / sc.se - T4) < 1e-3);
      assert.equal(row.n, 5);
    }
  }
  const oracle = summary.find((r) => r.learner === "oracle" && r.step === 20)!;
  assert.ok(oracle.reference && oracle.score === 1);
  assert.ok(Math.abs(oracle.mean - literal(res.mdps.map((m) => m.oracle)).mean) < 1e-14);

  const pd = pairedDifference(res, "teacher", "constructed", [10, 20]);
  assert.deepEqual(pd.map((r) => r.step), [10, 20]);
  const diffs = at("teacher", 20).map((r, j) => r.J - at("constructed", 20)[j].J);
  const dl = literal(diffs);
  assert.ok(Math.abs(pd[1].mean - dl.mean) < 1e-14);
  assert.ok(Math.abs(pd[1].halfWidth / dl.se - T4) < 1e-3 && Math.abs(pd[1].se - dl.se) < 1e-14);
  assert.equal(pd[1].aWins, diffs.filter((d) => d > 0).length / 5);
  const regret = pairedDifference(res, "oracle", "teacher", [20])[0];
  assert.ok(regret.mean >= 0);
  // the oracle's J minus the teacher's, MDP by MDP: every difference is ≥ 0 (the oracle is optimal)
  const gaps = at("teacher", 20).map((r, j) => res.mdps[j].oracle - r.J);
  assert.ok(gaps.every((g) => g >= -1e-12), `${gaps}`);
  assert.ok(Math.abs(regret.mean - literal(gaps).mean) < 1e-14);
  assert.ok(Math.abs(regret.se - literal(gaps).se) < 1e-14);
  assert.equal(regret.aWins, gaps.filter((d) => d > 0).length / 5);
  assert.throws(() => pairedDifference(res, "teacher", "nobody"), /unknown learner "nobody"/);
  assert.throws(() => pairedDifference(res, "teacher", "constructed", [5]), /steps\[0\] = 5/);
});

Deno.test("actor–critic: teacher and constructed block agree on shared streams; J is of π_λ", async () => {
  const cfg = transferConfig({
    task: AC,
    numMdps: 3,
    updates: 50,
    seed: 7,
    rolloutStreams: "shared",
  });
  const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(AC)]);
  const T = curve(res, "teacher");
  assert.ok(maxAbsDiff(T, curve(res, "constructed")) <= 1e-9);
  assert.notEqual(T[0], T[50]);
  // step 0 is J of the softmax policy of the initial λ, drawn as newTaskEnv draws it
  const rng = new Rng(7).fork("transfer-test").fork(0);
  const mdp = randomMdp(rng, { nS: AC.nS, nA: AC.nA, gamma: AC.gamma });
  const feat = randomFeatures(rng, AC.nS, AC.nA, AC.d);
  randomStateFeatures(rng, AC.nS, AC.dPsi);
  const theta = rng.fillUniform(new Float64Array(AC.dPsi + AC.d), -1, 1);
  const J0 = policyReturn(mdp, softmaxPolicy(feat, theta.subarray(AC.dPsi)));
  assert.ok(Math.abs(T[0] - J0) <= 1e-12);
});

Deno.test("validation errors name the bad value", async () => {
  assert.throws(() => transferConfig({ numMdps: 0 }), /numMdps.*got 0/);
  assert.throws(() => transferConfig({ updates: 10, recordAt: [0, 11] }), /recordAt\[1\].*got 11/);
  assert.throws(() => transferConfig({ updates: 10, recordAt: [5, 5] }), /strictly increasing/);
  assert.throws(() => transferConfig({ updates: 10, recordAt: [] }), /non-empty/);
  assert.throws(() => transferConfig({ rolloutStreams: "x" as "shared" }), /rolloutStreams/);
  assert.throws(() => transferConfig({ task: { n: 0 } }), /task\.n/);
  const cfg = transferConfig({ numMdps: 1, updates: 2 });
  const small = { ...DEFAULT_TASK, d: 8 };
  const wrong = blockLearner("small", {
    task: small,
    param: "restricted",
    blocks: taskConstruction(small),
  });
  await assert.rejects(evaluateTransfer(cfg, [wrong]), /"small".*d=8 vs 36/);
  await assert.rejects(evaluateTransfer(cfg, [constructedLearner(AC)]), /kind "ac"/);
  await assert.rejects(
    evaluateTransfer(cfg, [teacherLearner(), teacherLearner()]),
    /duplicate.*"teacher"/,
  );
  await assert.rejects(evaluateTransfer(cfg, []), /non-empty/);
  assert.throws(() => teacherLearner("oracle"), /reserved/);
  assert.throws(
    () =>
      blockLearner("bad", { task: DEFAULT_TASK, param: "restricted", blocks: sarsaBlocks(8, 0.2) }),
    /blocks are m=17, p=9/,
  );
  const exploding: Learner = {
    name: "exploding",
    update(_X, env, _t, out) {
      out.set(env.theta);
      out[3] = Infinity;
    },
  };
  await assert.rejects(
    evaluateTransfer(cfg, [exploding]),
    /"exploding" produced θ\[3\] = Infinity on test MDP 0 at update 1/,
  );
  assert.throws(
    () => assertDisjointStreams({ seeds: [-1], K: 5 }, cfg),
    /training\.seeds\[0\].*got -1/,
  );
});

Deno.test("streamFingerprint: equal exactly when the streams are equal, even when first outputs agree", () => {
  // Training seed 0 MDP 4476 and test MDP 17's teacher rollout stream (evaluation seed 31415, as
  // in notebook 03) draw
  // the same first 32-bit word by chance — a 32-bit fingerprint called them one stream.
  const train = trainingMdpStream(0, 4476);
  const roll = rolloutStream(testMdpStream(31_415, 17), "SARSA teacher");
  assert.notDeepEqual(train.key, roll.key);
  const a = new Rng(train.key), b = new Rng(roll.key);
  const firstA = a.nextUint32(), firstB = b.nextUint32();
  assert.equal(firstA, firstB, "the chance coincidence this test documents");
  assert.notEqual(a.nextUint32(), b.nextUint32());
  assert.notEqual(streamFingerprint(train), streamFingerprint(roll));
  // equal keys ⇒ equal fingerprints; fingerprint = the fresh state words in hex
  assert.equal(streamFingerprint(train), streamFingerprint(trainingMdpStream(0, 4476)));
  assert.equal(
    streamFingerprint(train),
    new Rng(train.key).stateWords().map((w) => w.toString(16).padStart(8, "0")).join(""),
  );
});
