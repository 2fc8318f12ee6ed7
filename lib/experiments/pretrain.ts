/**
 * Experiment 8 (MATH §9, [LBM24] §5): a transformer pretrained by supervised learning on offline
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

import { runWorkerJobs } from "../train/parallel.ts";
import { meanCI } from "../core/stats.ts";
import { reportProgress, type RunHooks } from "./shape.ts";
import { checkWebGpu, type GpuLike } from "../bandits/backend.ts";
import { algorithmLabel, type AlgorithmSpec, makePolicy } from "../bandits/algorithms.ts";
import { type BanditSpec, BERNOULLI_BANDIT, LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
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
import {
  dptContext,
  type PretrainExpConfig,
  validatePretrainExpConfig,
} from "./pretrain_config.ts";

export * from "./pretrain_config.ts";

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

function buildJobs(
  cfg: PretrainExpConfig,
): {
  job: PretrainJob;
  meta: Omit<
    RunInfo,
    | "curve"
    | "repeatFloor"
    | "chance"
    | "accByPosition"
    | "steps"
    | "trainSec"
    | "stepsPerSec"
    | "dataSec"
    | "evalSec"
    | "trainFlops"
    | "params"
    | "backend"
    | "model"
    | "weights"
  >;
}[] {
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
      job: {
        name,
        ...common(lin, { name: "linucb" }, cfg.ad, seed),
        train: train(cfg.ad.steps, "logged", seed),
      },
      meta: {
        name,
        family: "linear" as const,
        method: "AD" as const,
        alpha: null,
        seed,
        context: "LinUCB",
      },
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
      job: {
        name,
        ...common(ber, ctx, cfg.dpt, seed),
        train: train(cfg.dpt.steps, "optimal", seed),
      },
      meta: {
        name,
        family: "bernoulli" as const,
        method: "DPT" as const,
        alpha,
        seed,
        context: algorithmLabel(ctx),
      },
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

function curveRows(
  family: "linear" | "bernoulli",
  learner: string,
  R: Float64Array,
  E: number,
  T: number,
): RegretRow[] {
  const col = new Float64Array(E);
  return Array.from({ length: T }, (_, i) => {
    for (let e = 0; e < E; e++) col[e] = R[e * T + i];
    for (let e = 0; e < E; e++) {
      if (!Number.isFinite(col[e])) {
        throw new Error(`${learner}: non-finite regret at t = ${i + 1}`);
      }
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
 * ```ts ignore
 * // ignore: long compute (minutes of transformer pretraining on every core)
 * import { pretrainDefaults, run } from "./pretrain.ts";
 * const res = await run(pretrainDefaults.quick);
 * ```
 */
export async function run(cfg: PretrainExpConfig, hooks?: RunHooks): Promise<PretrainExpResult> {
  validatePretrainExpConfig(cfg);
  // fail before any work when the WebGPU backend cannot run (the workers check again)
  if (cfg.backend === "webgpu") await checkWebGpu((navigator as { gpu?: GpuLike }).gpu);
  const t0 = performance.now();
  const T = cfg.horizon, E = cfg.evalCount;
  const regret: RegretRow[] = [];
  const baseR = new Map<string, Float64Array>();
  const families = [
    {
      family: "linear" as const,
      spec: { ...LINEAR_BANDIT, horizon: T },
      algs: ["linucb", "ts-gaussian", "empirical-mean"],
    },
    {
      family: "bernoulli" as const,
      spec: { ...BERNOULLI_BANDIT, horizon: T },
      algs: ["ts-beta", "ucb-paper", "empirical-mean"],
    },
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
    averageR(
      results.filter((_, i) => filter(runs[i])).map((r) =>
        r.regret.find((x) => x.mode === mode)!.R
      ),
    );
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
      mismatch.push({
        alpha,
        t,
        regret: r.mean,
        regretSe: r.se,
        diff: d.mean,
        diffSe: d.se,
        diffLo: d.lo,
        diffHi: d.hi,
      });
    }
  }
  return {
    config: structuredClone(cfg),
    runs,
    regret,
    mismatch,
    learners,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
