/**
 * Experiment 8 (SPEC §9, [LBM24] §5): a transformer pretrained by supervised learning on offline
 * bandit trajectories, deployed on new bandits.
 *
 * - **Algorithm distillation** on linear bandits: context = expert = LinUCB, cross-entropy to its
 *   logged action at every position.
 * - **DPT** on Bernoulli bandits: context `(uniform + TS)/2`, target the optimal arm.
 * - **Distribution mismatch**: DPT with context `α·TS + (1−α)·uniform`, α ∈ {0, 0.1, 0.5, 1}.
 *
 * Every run is one {@linkcode PretrainJob} (data → pretraining → deployment, sampled and greedy),
 * run in the worker pool (one core each). The baselines (LinUCB, TS, UCB, Emp, the prior-only arm)
 * play the same evaluation environments as notebook 07 (its test seed; with common random numbers,
 * the first T steps of its environments). Views: `pretrain_views.ts`.
 *
 * @module
 */

import { runWorkerJobs } from "../parallel.ts";
import { assertInt, assertNumber } from "../validate.ts";
import { meanCI } from "../stats.ts";
import { type RunHooks, reportProgress, type ScaleDefaults } from "./shape.ts";
import type { BackendName } from "../bandits/backend.ts";
import { type AlgorithmSpec, algorithmLabel, makePolicy } from "../bandits/algorithms.ts";
import { BERNOULLI_BANDIT, type BanditSpec, LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
import { simulate } from "../bandits/simulate.ts";
import { cumulativeRegret } from "../bandits/regret.ts";
import { PriorArmPolicy } from "../bandits/deploy.ts";
import type { PretrainCurveRow } from "../bandits/pretrain.ts";
import {
  type PretrainJob,
  type PretrainJobResult,
  runPretrainJob,
} from "../bandits/pretrain_job.ts";
import {
  paramCount,
  trainStepFlops,
  type TransformerConfig,
  type TransformerWeights,
} from "../bandits/transformer.ts";
import { assertKnownKeys } from "../bandits/validate.ts";

/** Settings of experiment 8 (every knob). */
export interface PretrainExpConfig {
  /** Horizon T = sequence length, for training and evaluation (paper 200). */
  horizon: number;
  /** tfjs backend ("wasm" on CPU; "webgpu" needs a GPU adapter). */
  backend: BackendName;
  /** Residual width D (paper 32). */
  D: number;
  /** Transformer blocks (paper 8). */
  layers: number;
  /** MLP hidden width. */
  mlpHidden: number;
  /** AdamW learning rate (paper 1e-3). */
  lr: number;
  /** AdamW weight decay (paper 1e-4). */
  weightDecay: number;
  /** Minibatch size in trajectories (paper 128). */
  batch: number;
  /** Global gradient-norm clip (0 = none). */
  clipNorm: number;
  /** Held-out evaluation every this many steps. */
  evalEvery: number;
  /** Algorithm distillation (linear bandits, LinUCB): trajectories, steps, seeds. */
  ad: { trainCount: number; heldoutCount: number; steps: number; seeds: number[] };
  /** DPT on Bernoulli bandits: trajectories, steps, and the seeds of each context mixture α. */
  dpt: {
    trainCount: number;
    heldoutCount: number;
    steps: number;
    /** Seeds of the main DPT run (α = 0.5, i.e. (uniform + TS)/2). */
    seeds: number[];
    /** Mixture weights α of the distribution-mismatch runs (0.5 reuses the main run). */
    alphas: number[];
    /** Seeds of each mismatch run with α ≠ 0.5. */
    alphaSeeds: number[];
  };
  /** Evaluation environments (paper 500) and their seed / first index (notebook 07's). */
  evalCount: number;
  evalEnvSeed: number;
  evalFirst: number;
  /** Seed of the evaluated policies' streams (baselines and sampling). */
  evalPolicySeed: number;
  /** Seeds of the offline data (environments, context algorithm). */
  dataEnvSeed: number;
  dataPolicySeed: number;
  /** Parallel Workers (0 = run in this thread). */
  workers: number;
}

/** Quick (≤ 1 min) and paper-notebook (≤ 15 min on 2 cores) settings. */
export const pretrainDefaults: ScaleDefaults<PretrainExpConfig> = {
  quick: {
    horizon: 20,
    backend: "wasm",
    D: 16,
    layers: 1,
    mlpHidden: 32,
    lr: 1e-3,
    weightDecay: 1e-4,
    batch: 32,
    clipNorm: 1,
    evalEvery: 20,
    ad: { trainCount: 400, heldoutCount: 100, steps: 40, seeds: [0, 1] },
    dpt: {
      trainCount: 400,
      heldoutCount: 100,
      steps: 40,
      seeds: [0, 1],
      alphas: [0, 0.5, 1],
      alphaSeeds: [0],
    },
    evalCount: 100,
    evalEnvSeed: 7_007,
    evalFirst: 0,
    evalPolicySeed: 8_008,
    dataEnvSeed: 8_100,
    dataPolicySeed: 8_101,
    workers: 2,
  },
  paper: {
    horizon: 50,
    backend: "wasm",
    D: 32,
    layers: 2,
    mlpHidden: 128,
    lr: 1e-3,
    weightDecay: 1e-4,
    batch: 64,
    clipNorm: 1,
    evalEvery: 50,
    ad: { trainCount: 20_000, heldoutCount: 1_000, steps: 1_000, seeds: [0, 1] },
    dpt: {
      trainCount: 20_000,
      heldoutCount: 1_000,
      steps: 500,
      seeds: [0, 1],
      alphas: [0, 0.1, 0.5, 1],
      alphaSeeds: [0],
    },
    evalCount: 500,
    evalEnvSeed: 7_007,
    evalFirst: 0,
    evalPolicySeed: 8_008,
    dataEnvSeed: 8_100,
    dataPolicySeed: 8_101,
    workers: 2,
  },
};

/** Reference constants: [LBM24] Fig. 1 at T = 200 (8 layers, 2 000 epochs of 100 k trajectories). */
export const PAPER_REFERENCE = {
  horizon: 200,
  linear: { TF: 39.6, LinUCB: 32.8, TS: 51.6, Emp: 56.9 },
  bernoulli: { TF: 11.1, TS: 10.7, UCB: 6.5, Emp: 11.6 },
  /** Approximate training compute of the paper's runs (issue 16). */
  trainingFlops: 95e15,
} as const;

/** One pretraining run. */
export interface RunInfo {
  name: string;
  family: "linear" | "bernoulli";
  /** "AD" or "DPT". */
  method: "AD" | "DPT";
  /** Context mixture weight of TS (DPT runs; null for AD). */
  alpha: number | null;
  seed: number;
  context: string;
  curve: PretrainCurveRow[];
  repeatFloor: number;
  chance: number;
  accByPosition: number[];
  steps: number;
  trainSec: number;
  stepsPerSec: number;
  dataSec: number;
  evalSec: number;
  /** Training FLOPs (forward + backward ≈ 3× forward matmul FLOPs). */
  trainFlops: number;
  params: number;
  backend: string;
  model: TransformerConfig;
  weights: TransformerWeights;
}

/** A point of a regret curve. */
export interface RegretRow {
  family: "linear" | "bernoulli";
  learner: string;
  t: number;
  mean: number;
  se: number;
  lo: number;
  hi: number;
}

/** Distribution mismatch: regret of the sampled TF and its paired difference to TS. */
export interface MismatchRow {
  alpha: number;
  t: number;
  regret: number;
  regretSe: number;
  diff: number;
  diffSe: number;
  diffLo: number;
  diffHi: number;
}

/** Everything experiment 8 produces. */
export interface PretrainExpResult {
  config: PretrainExpConfig;
  runs: RunInfo[];
  regret: RegretRow[];
  mismatch: MismatchRow[];
  /** Learner names by family, in display order. */
  learners: { linear: string[]; bernoulli: string[] };
  wallTimeSec: number;
}

/**
 * Throw an error naming the first unknown key or out-of-range value.
 *
 * @example
 * ```ts
 * validatePretrainExpConfig(pretrainDefaults.quick);
 * ```
 */
export function validatePretrainExpConfig(cfg: PretrainExpConfig): void {
  assertKnownKeys("pretrain experiment config", cfg, Object.keys(pretrainDefaults.paper));
  assertKnownKeys("ad", cfg.ad, ["trainCount", "heldoutCount", "steps", "seeds"]);
  assertKnownKeys("dpt", cfg.dpt, [
    "trainCount",
    "heldoutCount",
    "steps",
    "seeds",
    "alphas",
    "alphaSeeds",
  ]);
  assertInt("horizon", cfg.horizon, 2, 1000);
  if (!["wasm", "cpu", "webgpu"].includes(cfg.backend)) {
    throw new RangeError(`backend must be wasm, cpu or webgpu, got ${JSON.stringify(cfg.backend)}`);
  }
  assertInt("D", cfg.D, 1, 4096);
  assertInt("layers", cfg.layers, 1, 64);
  assertInt("mlpHidden", cfg.mlpHidden, 1, 65_536);
  assertNumber("lr", cfg.lr, Number.MIN_VALUE, 1);
  assertNumber("weightDecay", cfg.weightDecay, 0, 1);
  assertInt("batch", cfg.batch, 1, 1e6);
  assertNumber("clipNorm", cfg.clipNorm, 0, 1e9);
  assertInt("evalEvery", cfg.evalEvery, 1, 1e9);
  for (const [k, g] of [["ad", cfg.ad], ["dpt", cfg.dpt]] as const) {
    assertInt(`${k}.trainCount`, g.trainCount, 1, 1e7);
    assertInt(`${k}.heldoutCount`, g.heldoutCount, 1, 1e7);
    assertInt(`${k}.steps`, g.steps, 1, 1e9);
    if (g.seeds.length === 0) throw new RangeError(`${k}.seeds must name at least one seed`);
    g.seeds.forEach((s, i) => assertInt(`${k}.seeds[${i}]`, s, 0));
    if (new Set(g.seeds).size !== g.seeds.length) throw new RangeError(`${k}.seeds repeat a seed`);
  }
  cfg.dpt.alphas.forEach((a, i) => assertNumber(`dpt.alphas[${i}]`, a, 0, 1));
  if (new Set(cfg.dpt.alphas).size !== cfg.dpt.alphas.length) {
    throw new RangeError(`dpt.alphas repeat a value: ${cfg.dpt.alphas.join(", ")}`);
  }
  if (!cfg.dpt.alphas.includes(0.5)) {
    throw new RangeError(`dpt.alphas must include 0.5 (the main DPT run), got ${cfg.dpt.alphas}`);
  }
  if (cfg.dpt.alphaSeeds.length === 0) throw new RangeError("dpt.alphaSeeds must name a seed");
  cfg.dpt.alphaSeeds.forEach((s, i) => assertInt(`dpt.alphaSeeds[${i}]`, s, 0));
  assertInt("evalCount", cfg.evalCount, 2, 1e6);
  for (const k of ["evalEnvSeed", "evalFirst", "evalPolicySeed", "dataEnvSeed", "dataPolicySeed"]) {
    assertInt(k, cfg[k as keyof PretrainExpConfig] as number, 0);
  }
  if (cfg.dataEnvSeed === cfg.evalEnvSeed) {
    throw new RangeError(`dataEnvSeed must differ from evalEnvSeed (both ${cfg.dataEnvSeed})`);
  }
  assertInt("workers", cfg.workers, 0, 64);
}

/** The DPT context algorithm `α·TS + (1−α)·uniform` (pure components at α ∈ {0, 1}). */
export function dptContext(alpha: number): AlgorithmSpec {
  assertNumber("alpha", alpha, 0, 1);
  if (alpha === 0) return { name: "uniform" };
  if (alpha === 1) return { name: "ts-beta" };
  return {
    name: "mixture",
    components: [{ name: "ts-beta" }, { name: "uniform" }],
    weights: [alpha, 1 - alpha],
  };
}

function buildJobs(cfg: PretrainExpConfig): { job: PretrainJob; meta: Omit<RunInfo, "curve" | "repeatFloor" | "chance" | "accByPosition" | "steps" | "trainSec" | "stepsPerSec" | "dataSec" | "evalSec" | "trainFlops" | "params" | "backend" | "model" | "weights"> }[] {
  const T = cfg.horizon;
  const common = (spec: BanditSpec, context: AlgorithmSpec, g: typeof cfg.ad, seed: number) => ({
    backend: cfg.backend,
    spec,
    context,
    trainCount: g.trainCount,
    heldoutCount: g.heldoutCount,
    dataEnvSeed: cfg.dataEnvSeed,
    dataPolicySeed: cfg.dataPolicySeed,
    evalEnvSeed: cfg.evalEnvSeed,
    evalFirst: cfg.evalFirst,
    evalCount: cfg.evalCount,
    evalPolicySeed: cfg.evalPolicySeed + 1 + seed,
    modes: ["sample", "greedy"] as ("sample" | "greedy")[],
  });
  const train = (steps: number, target: "logged" | "optimal", seed: number) => ({
    D: cfg.D,
    layers: cfg.layers,
    mlpHidden: cfg.mlpHidden,
    steps,
    batch: cfg.batch,
    lr: cfg.lr,
    weightDecay: cfg.weightDecay,
    clipNorm: cfg.clipNorm,
    evalEvery: cfg.evalEvery,
    target,
    seed,
    matmul: "plain" as const,
  });
  const lin: BanditSpec = { ...LINEAR_BANDIT, horizon: T };
  const ber: BanditSpec = { ...BERNOULLI_BANDIT, horizon: T };
  const out = [];
  for (const seed of cfg.ad.seeds) {
    const name = `AD · LinUCB · seed ${seed}`;
    out.push({
      job: { name, ...common(lin, { name: "linucb" }, cfg.ad, seed), train: train(cfg.ad.steps, "logged", seed) },
      meta: { name, family: "linear" as const, method: "AD" as const, alpha: null, seed, context: "LinUCB" },
    });
  }
  const dptRuns = [
    ...cfg.dpt.seeds.map((seed) => ({ alpha: 0.5, seed })),
    ...cfg.dpt.alphas.filter((a) => a !== 0.5).flatMap((alpha) =>
      cfg.dpt.alphaSeeds.map((seed) => ({ alpha, seed }))
    ),
  ];
  for (const { alpha, seed } of dptRuns) {
    const ctx = dptContext(alpha);
    const name = `DPT · α = ${alpha} · seed ${seed}`;
    out.push({
      job: { name, ...common(ber, ctx, cfg.dpt, seed), train: train(cfg.dpt.steps, "optimal", seed) },
      meta: { name, family: "bernoulli" as const, method: "DPT" as const, alpha, seed, context: algorithmLabel(ctx) },
    });
  }
  return out;
}

/** Per-environment mean of several E × T regret arrays. */
function averageR(Rs: Float64Array[]): Float64Array {
  const out = new Float64Array(Rs[0].length);
  for (const R of Rs) for (let i = 0; i < R.length; i++) out[i] += R[i] / Rs.length;
  return out;
}

function curveRows(family: "linear" | "bernoulli", learner: string, R: Float64Array, E: number, T: number): RegretRow[] {
  const col = new Float64Array(E);
  return Array.from({ length: T }, (_, i) => {
    for (let e = 0; e < E; e++) col[e] = R[e * T + i];
    for (let e = 0; e < E; e++) {
      if (!Number.isFinite(col[e])) throw new Error(`${learner}: non-finite regret at t = ${i + 1}`);
    }
    const ci = meanCI(col);
    return { family, learner, t: i + 1, mean: ci.mean, se: ci.se, lo: ci.lo, hi: ci.hi };
  });
}

/**
 * Run experiment 8: baselines on the evaluation environments, then every pretraining job in the
 * worker pool; `hooks.progress` reports "baselines" and "pretraining" (job-steps).
 *
 * @example
 * ```ts
 * const res = await run(pretrainDefaults.quick);
 * ```
 */
export async function run(cfg: PretrainExpConfig, hooks?: RunHooks): Promise<PretrainExpResult> {
  validatePretrainExpConfig(cfg);
  const t0 = performance.now();
  const T = cfg.horizon, E = cfg.evalCount;
  const regret: RegretRow[] = [];
  const baseR = new Map<string, Float64Array>();
  const families = [
    { family: "linear" as const, spec: { ...LINEAR_BANDIT, horizon: T }, algs: ["linucb", "ts-gaussian", "empirical-mean"] },
    { family: "bernoulli" as const, spec: { ...BERNOULLI_BANDIT, horizon: T }, algs: ["ts-beta", "ucb-paper", "empirical-mean"] },
  ];
  const learners = { linear: [] as string[], bernoulli: [] as string[] };
  let done = 0;
  for (const f of families) {
    const envs = sampleBandits(f.spec, cfg.evalEnvSeed, E, cfg.evalFirst);
    const policies = f.algs.map((name) => ({
      key: name,
      pol: makePolicy({ name } as AlgorithmSpec, envs, cfg.evalPolicySeed),
    }));
    if (f.family === "linear") policies.push({ key: "prior", pol: new PriorArmPolicy(envs) });
    for (const { key, pol } of policies) {
      const R = cumulativeRegret(envs, simulate(envs, pol).actions, T);
      baseR.set(`${f.family}/${key}`, R);
      regret.push(...curveRows(f.family, pol.name, R, E, T));
      learners[f.family].push(pol.name);
      await reportProgress(hooks, "baselines", ++done, 7);
    }
  }
  const plan = buildJobs(cfg);
  const totals = plan.map((p) => p.job.train.steps);
  const progress = plan.map(() => 0);
  const total = totals.reduce((a, b) => a + b, 0);
  const onJob = async (i: number, phase: string, d: number) => {
    if (phase === "train") progress[i] = d;
    await reportProgress(hooks, "pretraining", progress.reduce((a, b) => a + b, 0), total);
  };
  let results: PretrainJobResult[];
  if (cfg.workers === 0) {
    results = [];
    for (const [i, p] of plan.entries()) {
      results.push(await runPretrainJob(p.job, (ph, d) => void onJob(i, ph, d)));
    }
  } else {
    results = await runWorkerJobs<PretrainJob, PretrainJobResult>(
      new URL("../bandits/pretrain_worker.ts", import.meta.url),
      plan.map((p) => p.job),
      Math.min(cfg.workers, plan.length),
      (i) => {
        progress[i] = totals[i];
        hooks?.log?.(`finished ${plan[i].job.name}`);
      },
      (i, msg) => void onJob(i, (msg as { phase: string }).phase, (msg as { done: number }).done),
    );
  }
  const runs: RunInfo[] = results.map((r, i) => {
    const p = r.pretrain;
    return {
      ...plan[i].meta,
      curve: p.curve,
      repeatFloor: p.repeatFloor,
      chance: 1 / p.model.numActions,
      accByPosition: p.accByPosition,
      steps: p.config.steps,
      trainSec: p.wallTimeSec,
      stepsPerSec: p.stepsPerSec,
      dataSec: r.dataSec,
      evalSec: r.evalSec,
      trainFlops: trainStepFlops(p.model, p.config.batch) * p.config.steps,
      params: paramCount(p.model),
      backend: r.backend,
      model: p.model,
      weights: p.weights,
    };
  });
  // TF curves: seed-averaged per environment, then mean ± SE over environments
  const modeName = { sample: "sampled", greedy: "greedy" } as const;
  const tfR = (filter: (m: RunInfo) => boolean, mode: "sample" | "greedy") =>
    averageR(results.filter((_, i) => filter(runs[i])).map((r) => r.regret.find((x) => x.mode === mode)!.R));
  for (const mode of ["sample", "greedy"] as const) {
    const lin = `TF ${modeName[mode]} (AD of LinUCB)`;
    regret.push(...curveRows("linear", lin, tfR((m) => m.method === "AD", mode), E, T));
    learners.linear.unshift(lin);
    const ber = `TF ${modeName[mode]} (DPT, α = 0.5)`;
    regret.push(...curveRows("bernoulli", ber, tfR((m) => m.alpha === 0.5, mode), E, T));
    learners.bernoulli.unshift(ber);
  }
  learners.linear.splice(0, 2, ...learners.linear.slice(0, 2).reverse());
  learners.bernoulli.splice(0, 2, ...learners.bernoulli.slice(0, 2).reverse());
  const ts = baseR.get("bernoulli/ts-beta")!;
  const mismatch: MismatchRow[] = [];
  const diff = new Float64Array(E), col = new Float64Array(E);
  for (const alpha of [...cfg.dpt.alphas].sort((a, b) => a - b)) {
    const R = tfR((m) => m.alpha === alpha, "sample");
    for (let t = 1; t <= T; t++) {
      for (let e = 0; e < E; e++) {
        col[e] = R[e * T + t - 1];
        diff[e] = col[e] - ts[e * T + t - 1];
      }
      const r = meanCI(col), d = meanCI(diff);
      mismatch.push({ alpha, t, regret: r.mean, regretSe: r.se, diff: d.mean, diffSe: d.se, diffLo: d.lo, diffHi: d.hi });
    }
  }
  return { config: structuredClone(cfg), runs, regret, mismatch, learners, wallTimeSec: (performance.now() - t0) / 1000 };
}
