/**
 * `deno run -A scripts/pretrain.ts [--quick | --gonogo] [--backend wasm|cpu|webgpu]` — experiment 8
 * (MATH §9) outside Jupyter: prints the conclusion of `run` at the chosen scale (default paper), or,
 * with `--gonogo`, the 5-minute go/no-go of issue 16 (one AD run: T = 50, 2 layers, D = 32,
 * 10 000 LinUCB trajectories, 500 steps of batch 64; held-out accuracy vs the repeat-previous floor,
 * regret vs LinUCB / Emp / the prior-only arm on notebook 07's 500 test environments).
 * `--backend webgpu` needs a WebGPU adapter (a GPU) and stops with a clear message otherwise; the
 * backend can also come from `ICRL_BACKEND`.
 *
 * @module
 */

import { BACKEND_ENV, parseBackend } from "../lib/bandits/backend.ts";
import { runPretrainJob } from "../lib/bandits/pretrain_job.ts";
import { LINEAR_BANDIT, sampleBandits } from "../lib/bandits/env.ts";
import { makePolicy } from "../lib/bandits/algorithms.ts";
import { simulate } from "../lib/bandits/simulate.ts";
import { cumulativeRegret, regretCurve } from "../lib/bandits/regret.ts";
import { PriorArmPolicy } from "../lib/bandits/deploy.ts";
import { pretrainDefaults, run } from "../lib/experiments/pretrain.ts";
import { summary } from "../lib/experiments/pretrain_views.ts";
import { fmtFixed, fmtMeanSE, fmtPct } from "../lib/report/format.ts";

const args = Deno.args;
const backend = parseBackend(args, Deno.env.get(BACKEND_ENV));
const known = ["--quick", "--gonogo", "--backend", backend, `--backend=${backend}`];
for (const a of args) if (!known.includes(a)) throw new RangeError(`unknown argument ${a}`);

if (args.includes("--gonogo")) {
  const T = 50, E = 500;
  const spec = { ...LINEAR_BANDIT, horizon: T };
  const res = await runPretrainJob({
    name: "go/no-go",
    backend,
    spec,
    context: { name: "linucb" },
    trainCount: 10_000,
    heldoutCount: 1_000,
    dataEnvSeed: 8_100,
    dataPolicySeed: 8_101,
    train: {
      D: 32,
      layers: 2,
      mlpHidden: 128,
      steps: 500,
      batch: 64,
      lr: 1e-3,
      weightDecay: 1e-4,
      clipNorm: 1,
      evalEvery: 50,
      target: "logged",
      seed: 0,
      matmul: "plain",
    },
    evalEnvSeed: 7_007,
    evalFirst: 0,
    evalCount: E,
    evalPolicySeed: 8_009,
    modes: ["sample", "greedy"],
  }, (phase, done, total) => {
    if (phase === "train" && done % 100 === 0) console.log(`train ${done}/${total}`);
  });
  const p = res.pretrain, last = p.curve[p.curve.length - 1];
  console.log(
    `backend ${res.backend}; data ${fmtFixed(res.dataSec, 1)} s, training ${
      fmtFixed(p.wallTimeSec, 0)
    } s (${fmtFixed(1000 / p.stepsPerSec, 0)} ms/step), evaluation ${fmtFixed(res.evalSec, 0)} s`,
  );
  console.log(
    `held-out accuracy ${fmtPct(last.heldoutAcc)} (repeat-previous floor ${
      fmtPct(p.repeatFloor)
    }, chance 10.0 %), held-out loss ${fmtFixed(last.heldoutLoss, 3)}`,
  );
  const envs = sampleBandits(spec, 7_007, E);
  const atT = (R: Float64Array) => {
    const c = regretCurve(R, E, T, [T])[0];
    return fmtMeanSE(c.mean, c.se, 2);
  };
  for (const r of res.regret) console.log(`TF ${r.mode}: regret at T = ${T} ${atT(r.R)}`);
  for (const name of ["linucb", "ts-gaussian", "empirical-mean"] as const) {
    const R = cumulativeRegret(envs, simulate(envs, makePolicy({ name }, envs, 8_008)).actions, T);
    console.log(`${name}: ${atT(R)}`);
  }
  const prior = simulate(envs, new PriorArmPolicy(envs)).actions;
  console.log(`prior-only arm: ${atT(cumulativeRegret(envs, prior, T))}`);
} else {
  const cfg = { ...pretrainDefaults[args.includes("--quick") ? "quick" : "paper"], backend };
  const res = await run(cfg, { log: (l) => console.log(l) });
  console.log(summary(res));
}
