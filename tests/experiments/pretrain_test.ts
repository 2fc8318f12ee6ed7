import assert from "node:assert/strict";
import {
  dptContext,
  paperTrainingFlops,
  planRuns,
  pretrainDefaults,
  type PretrainExpConfig,
  type PretrainExpResult,
  run,
  type RunInfo,
  validatePretrainExpConfig,
} from "../../lib/experiments/pretrain.ts";
import { analyse, atT, seedMean } from "../../lib/experiments/pretrain_analysis.ts";
import { figures, summary, tables } from "../../lib/experiments/pretrain_views.ts";
import { forwardFlops } from "../../lib/bandits/engine/reference.ts";
import { Rng } from "../../lib/core/rng.ts";

const tiny: PretrainExpConfig = {
  ...pretrainDefaults.quick,
  horizon: 6,
  model: { D: 8, layers: 2, heads: 2, mlpHidden: 8 },
  optim: { ...pretrainDefaults.quick.optim, batch: 8 },
  heldoutCount: 8,
  evalEvery: 2,
  ad: { trainCount: 24, steps: 4, seeds: [0, 1] },
  scaling: { layers: [1, 2], trainCounts: [12, 24], checkpoints: [1, 2, 4] },
  dpt: { trainCount: 24, steps: 4, seeds: [0, 1], alphas: [0, 0.5] },
  evalCount: 10,
  workers: 0,
};

Deno.test("pretrain experiment: every default validates; bad keys and values are named", () => {
  for (const s of ["quick", "paper", "long"] as const) {
    validatePretrainExpConfig(pretrainDefaults[s]);
  }
  const bad = (patch: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => validatePretrainExpConfig({ ...tiny, ...patch } as PretrainExpConfig), re);
  bad({ epochs: 3 }, /unknown key "epochs"|epochs/);
  bad({ model: { ...tiny.model, heads: 3 } }, /model.D = 8 is not divisible by heads = 3/);
  bad({ optim: { ...tiny.optim, lr: NaN } }, /optim.lr/);
  bad({ ad: { ...tiny.ad, seeds: [0] } }, /ad.seeds must name at least 2 seeds/);
  bad({ scaling: { ...tiny.scaling, checkpoints: [1, 3] } }, /needs ≥ 3 steps/);
  bad(
    { scaling: { ...tiny.scaling, checkpoints: [1, 2, 3] } },
    /last scaling checkpoint must be ad.steps = 4/,
  );
  bad(
    { scaling: { ...tiny.scaling, layers: [1] } },
    /scaling.layers must include model.layers = 2/,
  );
  bad({ dpt: { ...tiny.dpt, alphas: [0, 1] } }, /must include 0.5/);
  bad({ backend: "tpu" }, /backend must be/);
  bad({ rules: { ...tiny.rules, goLinear: { ...tiny.rules.goLinear, paperTF: NaN } } }, /paperTF/);
});

Deno.test("planRuns: the scaling grid, the extra headline seeds and every α × seed, largest first", () => {
  const plan = planRuns(pretrainDefaults.paper);
  assert.equal(plan.length, 6 + 2 + 12);
  const names = plan.map((p) => p.meta.name);
  assert.ok(names.includes("AD · L = 8 · N = 100000 · seed 2"));
  assert.ok(names.includes("DPT · α = 0.1 · seed 1"));
  // exactly: AD at every (L, N) of the scaling grid on seed 0, the headline AD (L = 8, N = 10⁵) on
  // seeds 1 and 2, and DPT at every α × seed
  const want = [
    ...[2, 4, 8].flatMap((L) => [10_000, 100_000].map((N) => `AD · L = ${L} · N = ${N} · seed 0`)),
    ...[1, 2].map((s) => `AD · L = 8 · N = 100000 · seed ${s}`),
    ...[0, 0.1, 0.5, 1].flatMap((a) => [0, 1, 2].map((s) => `DPT · α = ${a} · seed ${s}`)),
  ];
  assert.deepEqual([...names].sort(), want.sort());
  const heads = plan.filter((p) => p.meta.headline);
  assert.equal(heads.length, 3 + 3);
  for (const p of heads) assert.equal(p.job.replacedRewards, true);
  for (const p of plan.filter((p) => p.meta.method === "AD")) {
    assert.deepEqual(p.job.checkpointSteps, [31, 62, 125, 250, 500]);
    assert.equal(p.job.dataCount, 101_000); // every data size shares the held-out set
  }
  const cost = plan.map((p) => p.job.train.layers * p.job.train.steps);
  assert.deepEqual(cost, [...cost].sort((a, b) => b - a));
});

Deno.test("paperTrainingFlops is 3 forward passes × 100 000 trajectories × 2 000 epochs, literally", () => {
  // MATH §9: 2T[FD + L(3D² + 2DH) + DA] + 2LD·T(T+1) with F = 61, A = 10, D = H = 32, L = 8, T = 200
  const fwd = 2 * 200 * (61 * 32 + 8 * (3 * 32 * 32 + 2 * 32 * 32) + 32 * 10) +
    2 * 8 * 32 * 200 * 201;
  assert.equal(paperTrainingFlops(), 3 * fwd * 100_000 * 2_000);
  assert.equal(
    forwardFlops(
      { tokenDim: 61, numActions: 10, maxLen: 200, D: 32, layers: 8, mlpHidden: 32 },
      200,
    ),
    fwd,
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
  assert.throws(() => dptContext(1.5), /alpha/);
});

Deno.test("pretrain experiment: a tiny run in this thread gives complete, finite views; two workers the same numbers", async () => {
  const a = await run(tiny);
  assert.equal(a.runs.length, 4 + 1 + 4);
  const an = analyse(a);
  assert.equal(an.scaling.length, (4 + 1) * 3);
  assert.equal(an.fits.length, 4);
  assert.equal(an.mismatch.length, 2);
  const t = tables(a, an);
  // rows from the config: one training row per run (4 scaling + 1 headline seed + 2 α × 2 seeds),
  // one scaling fit per (layers, count), one mismatch row per α and one curve point per α and t
  assert.equal(t.training.length, 4 + 1 + 2 * 2);
  assert.equal(t.scaling_fit.length, 2 * 2);
  assert.deepEqual(t.mismatch.map((r) => r.alpha), [0, 0.5]);
  assert.deepEqual(
    t.mismatch_curves.map((r) => `${r.alpha}@${r.t}`),
    [0, 0.5].flatMap((al) => [1, 2, 3, 4, 5, 6].map((s) => `${al}@${s}`)),
  );
  assert.equal(t.regret_curves.length % tiny.horizon, 0); // whole curves of T = 6 points
  for (const [name, rows] of Object.entries(t)) {
    assert.ok(rows.length > 0, `table ${name} is empty`);
    for (const row of rows) {
      for (const [k, v] of Object.entries(row)) {
        if (typeof v === "number") assert.ok(Number.isFinite(v), `${name}.${k} = ${v}`);
        if (typeof v === "string") assert.ok(!/NaN/.test(v), `${name}.${k} = ${v}`);
      }
    }
  }
  assert.equal(t.verdicts.length, 5);
  const f = figures(a, an);
  assert.deepEqual(Object.keys(f).sort(), [
    "learning",
    "mismatch",
    "regretBernoulli",
    "regretLinear",
    "scaling",
  ]);
  const text = summary(a, an);
  assert.ok(text.includes(`Go rule: ${an.linear.go.outcome}`));
  assert.ok(text.includes(`uses rewards: ${an.bernoulli.reward.outcome}`));
  const b = await run({ ...tiny, workers: 2 });
  assert.deepEqual(
    b.runs.map((r) => r.regret.map((x) => Array.from(x.R))),
    a.runs.map((r) => r.regret.map((x) => Array.from(x.R))),
  );
  assert.deepEqual(b.runs.map((r) => r.checkpoints), a.runs.map((r) => r.checkpoints));
});

/** A synthetic result whose regret arrays are chosen, to drive the analysis's verdicts. */
function synthetic(
  tfLevel: number,
  replacedShift: number,
  slope: number,
): PretrainExpResult {
  const cfg = { ...tiny, evalCount: 50, horizon: 4 };
  const E = cfg.evalCount, T = cfg.horizon, rng = new Rng(5);
  const curve = (level: number) => {
    const R = new Float64Array(E * T);
    for (let e = 0; e < E; e++) {
      const noise = rng.normal();
      for (let t = 0; t < T; t++) R[e * T + t] = ((t + 1) / T) * (level + noise);
    }
    return R;
  };
  const baselines = [
    ...["LinUCB", "TS", "Emp", "Prior"].map((key, i) => ({
      family: "linear" as const,
      key,
      name: key,
      R: curve(30 + 10 * i),
    })),
    ...["TS", "UCB", "Emp"].map((key, i) => ({
      family: "bernoulli" as const,
      key,
      name: key,
      R: curve(8 + 2 * i),
    })),
  ];
  const runs: RunInfo[] = [];
  const mk = (patch: Partial<RunInfo>, level: number): RunInfo => {
    const R = curve(level);
    return {
      name: "x",
      family: "linear",
      method: "AD",
      alpha: null,
      seed: 0,
      layers: 2,
      trainCount: 24,
      headline: false,
      context: "c",
      curve: [{ step: 4, trainLoss: 1, heldoutLoss: 1, heldoutAcc: 0.5, seconds: 1 }],
      repeatFloor: 0.3,
      chance: 0.1,
      steps: 4,
      batch: 8,
      trainSec: 1,
      stepsPerSec: 4,
      dataSec: 0,
      evalSec: 0,
      flopsPerStep: 1e6,
      params: 10,
      backend: "wasm",
      checkpoints: [1, 2, 4].map((step) => ({
        step,
        heldoutLoss: 1,
        heldoutAcc: 0.5,
        RT: ["sample", "greedy"].map((mode) => ({
          mode: mode as "sample",
          R: Array.from(
            { length: E },
            () => 100 * Math.pow(step * 1e6, slope) * (1 + 0.001 * rng.normal()),
          ),
        })),
      })),
      regret: [{ mode: "sample", R }, { mode: "greedy", R: curve(level) }],
      replaced: Float64Array.from(R, (v, i) => v + (i % T === T - 1 ? replacedShift : 0)),
      model: { tokenDim: 1, numActions: 2, maxLen: T, D: 8, layers: 2, mlpHidden: 8 },
      weights: {},
      ...patch,
    };
  };
  for (const layers of [1, 2]) {
    for (const trainCount of [12, 24]) {
      const head = layers === 2 && trainCount === 24;
      for (const seed of head ? [0, 1] : [0]) {
        runs.push(mk({ layers, trainCount, seed, headline: head }, tfLevel));
      }
    }
  }
  for (const alpha of [0, 0.5]) {
    for (const seed of [0, 1]) {
      runs.push(
        mk({
          family: "bernoulli",
          method: "DPT",
          alpha,
          seed,
          headline: alpha === 0.5,
          checkpoints: [],
        }, 9),
      );
    }
  }
  return { config: cfg, runs, baselines, wallTimeSec: 1 };
}

Deno.test("analyse: verdicts follow the data — go, reward use and scaling each way", () => {
  const good = analyse(synthetic(20, 5, -0.3));
  assert.equal(good.linear.go.outcome, "supported"); // 20 ≪ Emp 50 and ≤ paper 39.6 + 2 SE
  assert.equal(good.linear.reward.outcome, "supported"); // replaced rewards cost +5 at T
  assert.equal(good.fits.find((f) => f.headline)!.verdict.outcome, "supported");
  assert.ok(good.fits.find((f) => f.headline)!.fit.b < -0.29);
  const bad = analyse(synthetic(70, 0, 0.2));
  assert.equal(bad.linear.go.outcome, "not supported"); // 70 > Emp 50
  assert.equal(bad.linear.reward.outcome, "not supported"); // the control changes nothing
  assert.equal(bad.fits.find((f) => f.headline)!.verdict.outcome, "not supported");
  assert.equal(bad.fits.find((f) => f.headline)!.reachTF.x, null);
  const mid = analyse(synthetic(45, 0, -0.3)); // beats Emp (50) but misses the paper's 39.6 + 2 SE
  assert.equal(mid.linear.go.outcome, "inconclusive");
});

Deno.test("atT and seedMean: literal values; mismatched lengths refused", () => {
  const R = Float64Array.from([1, 2, 3, 4, 5, 6]); // E = 2, T = 3
  assert.deepEqual(Array.from(atT(R, 2, 3)), [3, 6]);
  assert.deepEqual(Array.from(seedMean([R, Float64Array.from(R, (v) => v + 2)])), [
    2,
    3,
    4,
    5,
    6,
    7,
  ]);
  assert.throws(() => seedMean([R, new Float64Array(2)]), /differ in length/);
  assert.throws(() => seedMean([]), /at least one/);
});
