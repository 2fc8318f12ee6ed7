import assert from "node:assert/strict";
import {
  dptContext,
  pretrainDefaults,
  type PretrainExpConfig,
  run,
  validatePretrainExpConfig,
} from "../../lib/experiments/pretrain.ts";
import {
  earlyAccuracyGain,
  figures,
  lateAccuracyGain,
  summary,
  tables,
} from "../../lib/experiments/pretrain_views.ts";

const tiny: PretrainExpConfig = {
  ...pretrainDefaults.quick,
  horizon: 6,
  D: 8,
  mlpHidden: 8,
  batch: 8,
  evalEvery: 2,
  ad: { trainCount: 24, heldoutCount: 8, steps: 4, seeds: [0, 1] },
  dpt: {
    trainCount: 24,
    heldoutCount: 8,
    steps: 4,
    seeds: [0, 1],
    alphas: [0, 0.5, 1],
    alphaSeeds: [3],
  },
  evalCount: 10,
  workers: 0,
};

Deno.test("pretrain experiment: config validation names the bad key or value", () => {
  validatePretrainExpConfig(pretrainDefaults.quick);
  validatePretrainExpConfig(pretrainDefaults.paper);
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, epochs: 1 } as unknown as PretrainExpConfig),
    /unknown key "epochs"/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, ad: { ...tiny.ad, steps: 0 } }),
    /ad.steps/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, dpt: { ...tiny.dpt, alphas: [0, 1] } }),
    /must include 0.5/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, dpt: { ...tiny.dpt, alphas: [0.5, 1.5] } }),
    /dpt.alphas\[1\]/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, dataEnvSeed: tiny.evalEnvSeed }),
    /dataEnvSeed must differ/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, ad: { ...tiny.ad, seeds: [1, 1] } }),
    /ad.seeds repeat/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...tiny, backend: "cuda" as "wasm" }),
    /backend must be/,
  );
});

Deno.test("dptContext: pure components at the ends, a TS/uniform mixture inside", () => {
  assert.deepEqual(dptContext(0), { name: "uniform" });
  assert.deepEqual(dptContext(1), { name: "ts-beta" });
  assert.deepEqual(dptContext(0.1), {
    name: "mixture",
    components: [{ name: "ts-beta" }, { name: "uniform" }],
    weights: [0.1, 0.9],
  });
  assert.throws(() => dptContext(-0.1), /alpha/);
});

Deno.test("pretrain experiment: a tiny run in this thread gives complete, finite views", async () => {
  const seen: string[] = [];
  const res = await run(tiny, {
    progress: (label) => {
      if (!seen.includes(label)) seen.push(label);
    },
  });
  assert.deepEqual(seen, ["baselines", "pretraining"]);
  // 2 AD + 2 DPT(α=0.5) + 2 mismatch (α = 0, 1) runs
  assert.equal(res.runs.length, 6);
  assert.deepEqual(res.runs.map((r) => r.alpha), [null, null, 0.5, 0.5, 0, 1]);
  assert.equal(res.learners.linear.length, 6);
  assert.equal(res.learners.bernoulli.length, 5);
  assert.equal(res.regret.length, (6 + 5) * 6);
  assert.equal(res.mismatch.length, 3 * 6);
  for (const r of res.regret) {
    assert.ok(Number.isFinite(r.mean) && r.lo <= r.mean && r.mean <= r.hi);
  }
  // regret is non-decreasing in t for every learner
  for (const fam of ["linear", "bernoulli"] as const) {
    for (const l of res.learners[fam]) {
      const c = res.regret.filter((r) => r.family === fam && r.learner === l);
      for (let i = 1; i < c.length; i++) assert.ok(c[i].mean >= c[i - 1].mean - 1e-12);
    }
  }
  const tb = tables(res);
  assert.deepEqual(Object.keys(tb).sort(), [
    "learning_curves",
    "mismatch",
    "regret_at_T",
    "regret_curves",
    "training",
  ]);
  assert.equal(tb.training.length, 6);
  assert.deepEqual(Object.keys(figures(res)), [
    "learning",
    "regretLinear",
    "regretBernoulli",
    "mismatch",
  ]);
  const md = summary(res);
  assert.match(md, /go\/no-go: (go|no-go)/);
  assert.ok(!/NaN|undefined/.test(md), md);
  // views are pure: same result ⇒ same text
  assert.equal(summary(res), md);
});

Deno.test("pretrain experiment: two workers give exactly the in-thread numbers", async () => {
  const small = {
    ...tiny,
    dpt: { ...tiny.dpt, alphas: [0.5], seeds: [0] },
    ad: { ...tiny.ad, seeds: [0] },
  };
  const a = await run(small);
  let ticks = 0;
  const b = await run({ ...small, workers: 2 }, {
    progress: (label) => {
      if (label === "pretraining") ticks++;
    },
  });
  assert.ok(ticks > 0, "worker progress messages reach the hook");
  assert.deepEqual(a.regret, b.regret);
  assert.deepEqual(
    a.runs.map((r) => r.curve.map((c) => c.heldoutLoss)),
    b.runs.map((r) => r.curve.map((c) => c.heldoutLoss)),
  );
});

Deno.test("lateAccuracyGain: last accuracy minus the one at half the steps", () => {
  const curve = [10, 20, 30, 40].map((step, i) => ({
    step,
    trainLoss: 1,
    heldoutLoss: 1,
    heldoutAcc: 0.1 * (i + 1),
    seconds: i,
  }));
  // half of 40 is 20 → accuracy 0.2; last 0.4
  const run0 = { curve } as Parameters<typeof lateAccuracyGain>[0];
  assert.ok(Math.abs(lateAccuracyGain(run0) - 0.2) < 1e-12);
  assert.equal(lateAccuracyGain({ curve: curve.slice(0, 1) } as typeof run0), 0);
  // first evaluation 0.1, half-way 0.2
  assert.ok(Math.abs(earlyAccuracyGain(run0) - 0.1) < 1e-12);
  assert.equal(earlyAccuracyGain({ curve: curve.slice(0, 1) } as typeof run0), 0);
});
