import assert from "node:assert/strict";
import { sarsaBlocks } from "../../lib/icrl/construction.ts";
import { restrictedReadout, restrictedScratch } from "../../lib/icrl/mod.ts";
import {
  gaussNewtonDense,
  gaussNewtonOperator,
  gaussNewtonStats,
  gramStats,
  promptSetLoss,
  restrictedJacobian,
  restrictedSize,
} from "../../lib/icrl/mod.ts";
import { Rng } from "../../lib/core/rng.ts";
import { DEFAULT_TASK, newTaskEnv } from "../../lib/icrl/mod.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import {
  distributionEnv,
  PAPER_DISTRIBUTION,
  samplePromptSet,
  validateDistribution,
} from "../../lib/settle/distribution.ts";
import { trainOnDistribution, validateDistTrain } from "../../lib/settle/trainer.ts";
import {
  type ArmOut,
  runFreshRate,
  runJobs,
  runRate,
  type TrainOut,
} from "../../lib/settle/jobs.ts";
import {
  ablationArms,
  run,
  settleDefaults,
  validateSettleConfig,
} from "../../lib/experiments/settle.ts";
import { summary, tables } from "../../lib/experiments/settle_views.ts";
import { muBounds } from "../../lib/icrl/richness_stats.ts";

const tiny = { ...DEFAULT_TASK, nS: 2, nA: 2, d: 4, n: 6 };

function perturbed(d: number, c: number, seed: number, size = 0.3) {
  const b = sarsaBlocks(d, 0.2, c);
  const rng = new Rng(seed);
  for (let i = 0; i < b.P12.length; i++) b.P12[i] += size * rng.normal();
  for (let i = 0; i < b.V21bar.length; i++) b.V21bar[i] += size * rng.normal();
  return b;
}

Deno.test("restrictedJacobian matches central finite differences of the readout (grad.ts), at and off θ⋆", () => {
  const ps = samplePromptSet(tiny, PAPER_DISTRIBUTION, 1, 3, [0, 2], 3);
  for (const b of [sarsaBlocks(4, 0.2, 0.6), perturbed(4, 0.6, 3)]) {
    const J = restrictedJacobian(b, ps);
    const P = restrictedSize(ps.m, ps.p), q = ps.p - 1;
    const flat = new Float64Array(P);
    flat.set(b.P12);
    flat.set(b.V21bar, b.P12.length);
    const view = (f: Float64Array) => ({
      m: ps.m,
      p: ps.p,
      P12: f.subarray(0, ps.m * ps.p),
      V21bar: f.subarray(ps.m * ps.p),
    });
    const sc = restrictedScratch(ps.m, ps.p, ps.n);
    const readAll = (f: Float64Array) => {
      const out = new Float64Array(ps.N * q);
      for (let k = 0; k < ps.N; k++) {
        const X = ps.X.subarray(k * ps.n * ps.m, (k + 1) * ps.n * ps.m);
        out.set(
          restrictedReadout(view(f), X, ps.n, ps.theta.subarray(k * q, (k + 1) * q), sc),
          k * q,
        );
      }
      return out;
    };
    const h = 1e-6;
    let err = 0;
    for (let j = 0; j < P; j += 7) {
      const fp = Float64Array.from(flat), fm = Float64Array.from(flat);
      fp[j] += h;
      fm[j] -= h;
      const a = readAll(fp), c = readAll(fm);
      for (let r = 0; r < ps.N * q; r++) {
        err = Math.max(err, Math.abs((a[r] - c[r]) / (2 * h) - J[r * P + j]));
      }
    }
    assert.ok(err < 1e-7, `max |FD − J| = ${err}`);
  }
});

Deno.test("Gauss–Newton: dense G equals the literal JᵀJ/N, the matrix-free operator equals G·v, and the scaling tangent is null at θ⋆", () => {
  const ps = samplePromptSet(tiny, PAPER_DISTRIBUTION, 2, 20, [0, 3], 4);
  const c = 0.7, b = sarsaBlocks(4, 0.2, c);
  const J = restrictedJacobian(b, ps), G = gaussNewtonDense(b, ps);
  const P = restrictedSize(ps.m, ps.p), R = ps.N * (ps.p - 1);
  let e1 = 0;
  for (let i = 0; i < P; i += 3) {
    for (let j = 0; j < P; j += 5) {
      let s = 0;
      for (let r = 0; r < R; r++) s += J[r * P + i] * J[r * P + j];
      e1 = Math.max(e1, Math.abs(s / ps.N - G[i * P + j]));
    }
  }
  assert.ok(e1 < 1e-12, `${e1}`);
  const v = new Rng(5).fillUniform(new Float64Array(P), -1, 1), out = new Float64Array(P);
  gaussNewtonOperator(b, ps).apply(v, out);
  let e2 = 0;
  for (let i = 0; i < P; i++) {
    let s = 0;
    for (let j = 0; j < P; j++) s += G[i * P + j] * v[j];
    e2 = Math.max(e2, Math.abs(s - out[i]));
  }
  assert.ok(e2 < 1e-12, `${e2}`);
  // t = d/dc (cP⋆, V⋆/c) = (P⋆, −V⋆/c²)
  const u = sarsaBlocks(4, 0.2, 1), t = new Float64Array(P);
  t.set(u.P12);
  u.V21bar.forEach((x, i) => (t[u.P12.length + i] = -x / (c * c)));
  gaussNewtonOperator(b, ps).apply(t, out);
  assert.ok(Math.max(...out.map(Math.abs)) < 1e-14);
  const dense = gaussNewtonStats(b, ps, new Rng(0), { method: "dense" });
  assert.equal(dense.zeros, 1);
  const kry = gaussNewtonStats(b, ps, new Rng(0), {
    method: "krylov",
    krylov: { block: 4, dim: P - (P % 4) },
    scaling: t,
  });
  assert.equal(kry.zeros, 1);
  assert.ok(Math.abs(kry.mu! / dense.mu! - 1) < 1e-6, `${kry.mu} vs ${dense.mu}`);
  const lob = gaussNewtonStats(b, ps, new Rng(0), {
    method: "lobpcg",
    lobpcg: { block: 3, maxIter: 300, tol: 1e-12 },
    scaling: t,
  });
  assert.equal(lob.zeros, 1);
  assert.ok(Math.abs(lob.mu! / dense.mu! - 1) < 1e-6, `${lob.mu} vs ${dense.mu}`);
  assert.deepEqual(
    lob.smallest.slice(0, 3).map((v) => +v.toPrecision(6)),
    dense.smallest.slice(1, 4).map((v) => +v.toPrecision(6)),
  );
  assert.throws(() => gaussNewtonStats(b, ps, new Rng(0), { method: "lobpcg" }), /scaling tangent/);
});

Deno.test("promptSetLoss: zero at θ⋆, gradient matches finite differences off θ⋆", () => {
  const ps = samplePromptSet(tiny, PAPER_DISTRIBUTION, 3, 3, [0, 1], 2);
  assert.ok(promptSetLoss(sarsaBlocks(4, 0.2, -1.3), ps) < 1e-28);
  const b = perturbed(4, 1, 9, 0.1);
  const P = restrictedSize(ps.m, ps.p), g = new Float64Array(P);
  promptSetLoss(b, ps, g);
  const h = 1e-6;
  for (const j of [0, 5, 20, P - 1]) {
    const arr = j < b.P12.length ? b.P12 : b.V21bar, i = j < b.P12.length ? j : j - b.P12.length;
    const x = arr[i];
    arr[i] = x + h;
    const lp = promptSetLoss(b, ps);
    arr[i] = x - h;
    const lm = promptSetLoss(b, ps);
    arr[i] = x;
    assert.ok(Math.abs((lp - lm) / (2 * h) - g[j]) < 1e-8);
  }
});

Deno.test("gramStats: literal Gram sums; one-hot tokens lose exactly one rank (Σφ = Σφ⁺/γ = 1)", () => {
  const ps = samplePromptSet(tiny, PAPER_DISTRIBUTION, 4, 8, [0, 2], 3);
  const gs = gramStats(ps);
  assert.equal(gs.tokens.rank, ps.m);
  let tr = 0;
  for (let i = 0; i < ps.X.length; i++) tr += ps.X[i] * ps.X[i];
  // trace of the token Gram = mean ‖x‖² ≥ m·λ_min
  assert.ok(gs.tokens.smallest * ps.m <= tr / (ps.N * ps.n) + 1e-12);
  const oh = samplePromptSet(tiny, { ...PAPER_DISTRIBUTION, features: "onehot" }, 4, 8, [0, 2], 3);
  assert.equal(gramStats(oh).tokens.rank, oh.m - 1);
  assert.equal(gs.wTilde.rank, ps.p);
});

Deno.test("distributions: the paper's equals newTaskEnv; a pool repeats MDPs, a fixed map repeats features", () => {
  const a = distributionEnv(DEFAULT_TASK, PAPER_DISTRIBUTION, 7, 3);
  const b = newTaskEnv(DEFAULT_TASK, new Rng(7).fork("mdp").fork(3));
  assert.deepEqual(a.mdp.P, b.mdp.P);
  assert.deepEqual(a.feat.phi, b.feat.phi);
  assert.deepEqual(a.theta, b.theta);
  assert.equal(a.s0, b.s0);
  const pool = { ...PAPER_DISTRIBUTION, pool: 4 };
  const e1 = distributionEnv(DEFAULT_TASK, pool, 7, 1),
    e5 = distributionEnv(DEFAULT_TASK, pool, 7, 5);
  assert.deepEqual(e1.mdp.R, e5.mdp.R);
  assert.notDeepEqual(e1.theta, e5.theta);
  const fixed = { ...PAPER_DISTRIBUTION, featureMap: "fixed" as const };
  const f1 = distributionEnv(DEFAULT_TASK, fixed, 7, 1),
    f2 = distributionEnv(DEFAULT_TASK, fixed, 7, 2);
  assert.deepEqual(f1.feat.phi, f2.feat.phi);
  assert.notDeepEqual(f1.mdp.P, f2.mdp.P);
  assert.throws(
    () => validateDistribution({ ...PAPER_DISTRIBUTION, size: 3 } as never, DEFAULT_TASK),
    /unknown distribution key "size"/,
  );
  assert.throws(
    () => validateDistribution({ ...PAPER_DISTRIBUTION, rank: 40 }, DEFAULT_TASK),
    /dist.rank/,
  );
  assert.throws(
    () =>
      validateDistribution({ ...PAPER_DISTRIBUTION, features: "onehot" }, {
        ...DEFAULT_TASK,
        d: 8,
      }),
    /one-hot/,
  );
});

Deno.test("trainOnDistribution: on the paper's distribution it reproduces trainTeacherMimic exactly; GD keeps ‖V̄21‖²−‖P12‖² to O(η²); divergence is a status", async () => {
  const tc = trainConfig({ task: tiny, K: 16, T: 10, batch: 8, logEvery: 5, seed: 4 });
  const ref = await trainTeacherMimic(tc);
  const mine = await trainOnDistribution({
    train: tc,
    dist: PAPER_DISTRIBUTION,
    stopDist: 0,
    onDiverge: "throw",
  });
  assert.deepEqual(mine.blocks.P12, ref.model.blocks.P12);
  assert.deepEqual(mine.blocks.V21bar, ref.model.blocks.V21bar);
  const gd = await trainOnDistribution({
    train: trainConfig({
      task: tiny,
      K: 16,
      T: 20,
      batch: 8,
      optimizer: "gd",
      lr: 0.05,
      logEvery: 5,
      seed: 4,
    }),
    dist: PAPER_DISTRIBUTION,
    stopDist: 0,
    onDiverge: "throw",
  });
  const drift = Math.abs(gd.rows.at(-1)!.balance - gd.rows[0].balance);
  assert.ok(drift < 1e-3, `balance drift ${drift}`);
  const div = await trainOnDistribution({
    train: trainConfig({
      task: tiny,
      K: 16,
      T: 50,
      batch: 8,
      optimizer: "gd",
      lr: 50,
      initGain: 10,
      logEvery: 5,
      seed: 4,
    }),
    dist: PAPER_DISTRIBUTION,
    stopDist: 0,
    onDiverge: "stop",
  });
  assert.equal(div.status, "diverged");
  assert.ok(div.blocks.P12.every(Number.isFinite));
});

Deno.test("runRate: measured GD loss slope on a fixed prompt set is within 15 % of 2·log(1 − ημ)", () => {
  const [r] = runRate({
    kind: "rate",
    task: tiny,
    dist: PAPER_DISTRIBUTION,
    seed: 1,
    sampling: { episodes: 40, at: [0, 3], T: 4 },
    c: 0.5,
    etaTimesLambdaMax: [1.5],
    eps: 1e-2,
    horizon: 16,
    maxSteps: 20_000,
    fitFraction: 0.5,
  });
  const ratio = r.measuredLossSlope / r.predictedLossSlope;
  assert.ok(ratio > 0.85 && ratio < 1.15, `ratio ${ratio}`);
  assert.ok(Math.abs(r.predictedLossSlope - 2 * Math.log(1 - r.eta * r.mu)) < 1e-15);
});

Deno.test("settle config: defaults validate; unknown, missing and out-of-range keys throw naming them", () => {
  validateSettleConfig(settleDefaults.quick);
  validateSettleConfig(settleDefaults.paper);
  const q = structuredClone(settleDefaults.quick);
  assert.throws(
    () => validateSettleConfig({ ...q, extra: 1 } as never),
    /unknown config key "extra"/,
  );
  assert.throws(
    () => validateSettleConfig({ ...q, basin: { ...q.basin, inits: 0 } }),
    /basin.inits/,
  );
  const { rate: _r, ...noRate } = q;
  assert.throws(() => validateSettleConfig(noRate as never), /"rate" is missing/);
  assert.throws(
    () => validateSettleConfig({ ...q, ablation: { ...q.ablation, foo: 2 } } as never),
    /ablation.foo/,
  );
});

Deno.test("runJobs: an ablation arm and a training job run in Workers and come back in order, finite", async () => {
  const train = trainConfig({ task: tiny, K: 8, T: 5, batch: 4, logEvery: 2, seed: 1 });
  const outs = await runJobs([
    {
      kind: "arm",
      label: "tiny one-hot",
      train: {
        train,
        dist: { ...PAPER_DISTRIBUTION, features: "onehot" },
        stopDist: 0,
        onDiverge: "throw",
      },
      richness: {
        sampling: { episodes: 20, at: [0, 2], T: 3 },
        samplingSmall: { episodes: 20, at: [0, 2], T: 3 },
        cs: [0.5],
        solver: { block: 3, dim: 0, maxIter: 50, tol: 1e-10 },
      },
      smallTask: tiny,
      smallRank: 2,
      transfer: { numMdps: 3, updates: 4, seed: 9 },
      iterative: true,
    },
    {
      kind: "train",
      train: { train, dist: PAPER_DISTRIBUTION, stopDist: 0, onDiverge: "throw" },
      keepBlocks: false,
    },
  ], 2);
  const arm = outs[0] as ArmOut, tr = outs[1] as TrainOut;
  assert.equal(arm.label, "tiny one-hot");
  // one-hot tokens lose a rank (Σφ − Σφ⁺/γ = 0), so the GN matrix has more than the scaling zero
  assert.equal(arm.richnessSmall.gram.tokens.rank, arm.richnessSmall.gram.tokens.size - 1);
  assert.ok(arm.richnessSmall.perC[0].gn.zeros > 1);
  assert.ok(Number.isFinite(arm.score.mean) && Number.isFinite(arm.teacherScore.mean));
  assert.equal(tr.blocks, null);
  assert.equal(tr.rows.at(-1)!.prompts, 40);
  assert.equal(restrictedSize(73, 37), 5329);
});

Deno.test("ablationArms: paper arm first, then pools, fixed map, low-rank, Dirichlet, one-hot", () => {
  const labels = ablationArms(settleDefaults.paper).map((a) => a.label);
  assert.deepEqual(labels, [
    "fresh MDPs (paper)",
    "pool M=1",
    "pool M=4",
    "pool M=16",
    "pool M=64",
    "pool M=256",
    "pool M=1024",
    "fixed feature map",
    "low-rank r=9",
    "low-rank r=18",
    "Dirichlet(0.05)",
    "one-hot features",
  ]);
});

Deno.test("trainOnDistribution starts from given blocks: at θ⋆(c) the first loss and distance are ~0", async () => {
  const star = sarsaBlocks(4, 0.2, 0.6);
  const res = await trainOnDistribution({
    train: trainConfig({ task: tiny, K: 8, T: 5, batch: 4, optimizer: "gd", lr: 0.1, seed: 2 }),
    dist: PAPER_DISTRIBUTION,
    stopDist: 0,
    onDiverge: "throw",
    init: { P12: Float64Array.from(star.P12), V21bar: Float64Array.from(star.V21bar) },
  });
  assert.ok(res.rows[0].loss < 1e-20 && res.rows[0].dist < 1e-12, JSON.stringify(res.rows[0]));
  assert.deepEqual(res.init.P12, star.P12);
  assert.throws(
    () =>
      validateDistTrain({
        train: trainConfig({ task: tiny, K: 8, T: 5, batch: 4 }),
        dist: PAPER_DISTRIBUTION,
        stopDist: 0,
        onDiverge: "throw",
        init: { P12: new Float64Array(3), V21bar: star.V21bar },
      }),
    /init.P12/,
  );
});

Deno.test("runFreshRate: GD on fresh stream prompts from near θ⋆ contracts; spectrum from a stream-matched set", async () => {
  const out = await runFreshRate({
    kind: "freshRate",
    task: tiny,
    dist: PAPER_DISTRIBUTION,
    seed: 3,
    episodes: 8,
    T: 10,
    batch: 8,
    c: 0.5,
    etaTimesLambdaMax: [1],
    eps: 1e-2,
    horizon: 6,
    maxSteps: 3000,
    fitFraction: 0.5,
  });
  assert.equal(out.length, 1);
  const r = out[0];
  assert.equal(r.set, "fresh");
  assert.equal(r.spectrumPrompts, 80);
  assert.equal(r.steps % 10, 0);
  assert.ok(r.measuredDistSlope < 0 && r.predictedDistSlope < 0, JSON.stringify(r));
  assert.ok(r.curve.at(-1)!.dist < r.curve[0].dist);
});

Deno.test("muBounds: exact for dense; LOBPCG's Ritz value is ≥ the exact μ and its residual bound ≤ it", () => {
  const ps = samplePromptSet(tiny, PAPER_DISTRIBUTION, 4, 12, [0, 3, 8], 9);
  const b = sarsaBlocks(4, 0.2, 0.5);
  const t = Float64Array.from([...b.P12, ...b.V21bar.map((x) => -x / 0.25)]);
  const dense = gaussNewtonStats(b, ps, new Rng(1), { method: "dense" });
  assert.deepEqual(muBounds(dense), { upper: dense.mu, residualLower: dense.mu, temple: dense.mu });
  for (const maxIter of [3, 40]) {
    const it = gaussNewtonStats(b, ps, new Rng(1), {
      method: "lobpcg",
      lobpcg: { block: 4, maxIter, tol: 1e-12 },
      scaling: t,
    });
    const mb = muBounds(it);
    assert.ok(mb.upper! >= dense.mu! * (1 - 1e-9), `upper ${mb.upper} vs ${dense.mu}`);
    assert.ok(
      mb.residualLower! <= dense.mu! * (1 + 1e-9),
      `lower ${mb.residualLower} vs ${dense.mu}`,
    );
    if (mb.temple !== null) assert.ok(mb.temple <= dense.mu! * (1 + 1e-6));
  }
  assert.deepEqual(muBounds({ method: "lobpcg", mu: null, muResidual: null, next: null }), {
    upper: null,
    residualLower: null,
    temple: null,
  });
});

Deno.test("run (quick config): every table finite where required, one verdict per claim, each a known outcome", async () => {
  const res = await run(settleDefaults.quick);
  const t = tables(res);
  assert.equal(res.arms.length, ablationArms(settleDefaults.quick).length * 2);
  assert.deepEqual(
    [...new Set(res.arms.map((a) => a.seed))],
    settleDefaults.quick.ablation.seeds,
  );
  assert.equal(t.ablation.length, ablationArms(settleDefaults.quick).length);
  assert.equal(t.confusion.length, 2);
  assert.deepEqual(t.scale_gd.map((r) => r.lr), [8, 4, 2]);
  assert.deepEqual(t.scale_gd.map((r) => r.etaSteps), [800, 800, 800]); // equal η·steps
  assert.equal(t.scale_adam.length, 3);
  assert.deepEqual([...new Set(t.basin.map((r) => r.d))], [8, 36]);
  assert.deepEqual([...new Set(t.rate.map((r) => r.set))], ["fixed", "fresh"]);
  const ids = t.verdicts.map((v) => v.id);
  for (
    const id of [
      "richness-small",
      "richness-36",
      "rate-fixed",
      "rate-fresh",
      "balance-gd",
      "eta-scaling",
      "adam-lr",
      "failure",
      "failure-mu",
      "basin-8",
      "basin-36",
    ]
  ) assert.ok(ids.includes(id), `missing verdict ${id}`);
  for (const v of t.verdicts) {
    assert.ok(["supported", "qualified", "not supported"].includes(v.outcome as string));
  }
  const text = summary(res);
  for (const v of t.verdicts) assert.ok(text.includes(`**${v.outcome}**`));
});
