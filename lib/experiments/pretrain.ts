/**
 * Experiment 8 (MATH §9, [LBM24] §5): a transformer pretrained by supervised learning on offline
 * bandit trajectories, deployed frozen on new bandits — at the paper's architecture, with a
 * compute-scaling study, controls that isolate in-context learning, paired statistics and decision
 * rules fixed in the config.
 *
 * Runs (each one {@linkcode PretrainJob}: data → pretraining → deployment, on one core):
 * - **scaling**: algorithm distillation of LinUCB on linear bandits for every depth × data size
 *   of `scaling`, deployed (sampled and greedy) at log-spaced checkpoints;
 * - **headline AD**: the configured depth and data size with every seed of `ad.seeds` (seed 0 is
 *   also the scaling run), plus the reward-replaced control;
 * - **DPT**: Bernoulli bandits, context α·TS + (1−α)·uniform, target a⋆, every α × seed; α = 0.5
 *   is the headline DPT run (with its control).
 *
 * The baselines (LinUCB, TS, Emp, UCB, prior-only) play the same evaluation environments with
 * common random numbers, so every TF − baseline comparison is paired per environment. The
 * computation ends in plain numbers (`PretrainExpResult`); statistics and verdicts are in
 * `pretrain_analysis.ts`, the views in `pretrain_views.ts`.
 *
 * @module
 */

import { runWorkerJobs } from "../train/parallel.ts";
import { reportProgress, type RunHooks } from "./shape.ts";
import { checkWebGpu, type GpuLike } from "../bandits/backend.ts";
import { algorithmLabel, type AlgorithmSpec, makePolicy } from "../bandits/algorithms.ts";
import { type BanditSpec, BERNOULLI_BANDIT, LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
import { simulate } from "../bandits/simulate.ts";
import { cumulativeRegret } from "../bandits/regret.ts";
import { PriorArmPolicy } from "../bandits/deploy.ts";
import type { PretrainCurveRow } from "../bandits/pretrain.ts";
import {
  type JobCheckpoint,
  type PretrainJob,
  type PretrainJobResult,
  runPretrainJob,
} from "../bandits/pretrain_job.ts";
import {
  paramCount,
  type TransformerConfig,
  type TransformerWeights,
} from "../bandits/model_config.ts";
import { forwardFlops } from "../bandits/engine/reference.ts";
import {
  dptContext,
  type PretrainExpConfig,
  validatePretrainExpConfig,
} from "./pretrain_config.ts";

export * from "./pretrain_config.ts";

/** What a run is for. */
export type RunRole = "scaling" | "AD" | "DPT";

/** One pretraining run and its deployments. */
export interface RunInfo {
  name: string;
  family: "linear" | "bernoulli";
  method: "AD" | "DPT";
  /** Context mixture weight of TS (DPT runs; null for AD). */
  alpha: number | null;
  seed: number;
  layers: number;
  trainCount: number;
  /** A headline run (configured depth and data size; DPT at α = 0.5). */
  headline: boolean;
  context: string;
  curve: PretrainCurveRow[];
  repeatFloor: number;
  chance: number;
  steps: number;
  batch: number;
  trainSec: number;
  stepsPerSec: number;
  dataSec: number;
  evalSec: number;
  /** Training FLOP per step (3 forward passes of the batch, MATH §9). */
  flopsPerStep: number;
  params: number;
  backend: string;
  /** Deployments at the checkpoint steps (AD runs). */
  checkpoints: JobCheckpoint[];
  /** Final regret, E × T, by mode. */
  regret: { mode: "sample" | "greedy"; R: Float64Array }[];
  /** Final model sampled with another environment's rewards in its context (E × T), or null. */
  replaced: Float64Array | null;
  model: TransformerConfig;
  weights: TransformerWeights;
}

/** Everything experiment 8 produces (plain numbers; analysis in pretrain_analysis.ts). */
export interface PretrainExpResult {
  config: PretrainExpConfig;
  runs: RunInfo[];
  /** Baseline regret, E × T, by family and learner key (LinUCB, TS, Emp, UCB, Prior). */
  baselines: { family: "linear" | "bernoulli"; key: string; name: string; R: Float64Array }[];
  wallTimeSec: number;
}

interface PlannedRun {
  job: PretrainJob;
  meta: Pick<
    RunInfo,
    | "name"
    | "family"
    | "method"
    | "alpha"
    | "seed"
    | "layers"
    | "trainCount"
    | "headline"
    | "context"
  >;
}

/**
 * The runs of a configuration, largest first (so the worker pool finishes together).
 *
 * @example
 * ```ts
 * import { planRuns, pretrainDefaults } from "./pretrain.ts";
 * planRuns(pretrainDefaults.paper).length; // 6 scaling + 2 more AD seeds + 12 DPT = 20
 * ```
 */
export function planRuns(cfg: PretrainExpConfig): PlannedRun[] {
  validatePretrainExpConfig(cfg);
  const T = cfg.horizon;
  const lin: BanditSpec = { ...LINEAR_BANDIT, horizon: T };
  const ber: BanditSpec = { ...BERNOULLI_BANDIT, horizon: T };
  const maxLinear = Math.max(...cfg.scaling.trainCounts);
  const job = (
    name: string,
    spec: BanditSpec,
    context: AlgorithmSpec,
    trainCount: number,
    dataCount: number,
    steps: number,
    target: "logged" | "optimal",
    seed: number,
    layers: number,
    extra: Partial<PretrainJob>,
  ): PretrainJob => ({
    name,
    backend: cfg.backend,
    spec,
    context,
    trainCount,
    heldoutCount: cfg.heldoutCount,
    dataCount,
    dataEnvSeed: cfg.dataEnvSeed,
    dataPolicySeed: cfg.dataPolicySeed,
    train: {
      D: cfg.model.D,
      layers,
      heads: cfg.model.heads,
      mlpHidden: cfg.model.mlpHidden,
      steps,
      batch: cfg.optim.batch,
      lr: cfg.optim.lr,
      weightDecay: cfg.optim.weightDecay,
      clipNorm: cfg.optim.clipNorm,
      evalEvery: cfg.evalEvery,
      target,
      seed,
      matmul: "plain",
    },
    evalEnvSeed: cfg.evalEnvSeed,
    evalFirst: cfg.evalFirst,
    evalCount: cfg.evalCount,
    evalPolicySeed: cfg.evalPolicySeed + 1 + seed,
    modes: ["sample", "greedy"],
    engineWorkers: 1,
    ...(cfg.stateDir !== null
      ? { stateFile: `${cfg.stateDir}/${name.replace(/[^A-Za-z0-9.=-]+/g, "_")}.json` }
      : {}),
    ...extra,
  });
  const out: PlannedRun[] = [];
  const L0 = cfg.model.layers, N0 = cfg.ad.trainCount;
  for (const layers of cfg.scaling.layers) {
    for (const trainCount of cfg.scaling.trainCounts) {
      const headline = layers === L0 && trainCount === N0;
      for (const seed of headline ? cfg.ad.seeds : [cfg.ad.seeds[0]]) {
        const name = `AD · L = ${layers} · N = ${trainCount} · seed ${seed}`;
        out.push({
          job: job(
            name,
            lin,
            { name: "linucb" },
            trainCount,
            maxLinear + cfg.heldoutCount,
            cfg.ad.steps,
            "logged",
            seed,
            layers,
            {
              checkpointSteps: cfg.scaling.checkpoints,
              replacedRewards: headline,
            },
          ),
          meta: {
            name,
            family: "linear",
            method: "AD",
            alpha: null,
            seed,
            layers,
            trainCount,
            headline,
            context: "LinUCB",
          },
        });
      }
    }
  }
  for (const alpha of cfg.dpt.alphas) {
    for (const seed of cfg.dpt.seeds) {
      const ctx = dptContext(alpha), name = `DPT · α = ${alpha} · seed ${seed}`;
      out.push({
        job: job(
          name,
          ber,
          ctx,
          cfg.dpt.trainCount,
          cfg.dpt.trainCount + cfg.heldoutCount,
          cfg.dpt.steps,
          "optimal",
          seed,
          L0,
          {
            replacedRewards: alpha === 0.5,
          },
        ),
        meta: {
          name,
          family: "bernoulli",
          method: "DPT",
          alpha,
          seed,
          layers: L0,
          trainCount: cfg.dpt.trainCount,
          headline: alpha === 0.5,
          context: algorithmLabel(ctx),
        },
      });
    }
  }
  const cost = (p: PlannedRun) => p.job.train.layers * p.job.train.steps;
  return out.sort((a, b) => cost(b) - cost(a));
}

/**
 * Training FLOP per optimiser step of a run (three forward passes of the batch, MATH §9).
 *
 * @example
 * ```ts
 * const m = { tokenDim: 61, numActions: 10, maxLen: 200, D: 32, layers: 8, mlpHidden: 32, heads: 4 };
 * flopsPerStep(m, 128); // ≈ 1.45e10
 * ```
 */
export function flopsPerStep(model: TransformerConfig, batch: number): number {
  return 3 * forwardFlops(model, model.maxLen) * batch;
}

/**
 * Run experiment 8: baselines on the evaluation environments, then every pretraining job in the
 * worker pool; `hooks.progress` reports "baselines" and "pretraining" (job-steps).
 *
 * @example
 * ```ts
 * import { pretrainTiny, run } from "./pretrain.ts";
 * const res = await run(pretrainTiny);
 * res.runs.length; // 2 AD + 2 DPT
 * ```
 */
export async function run(cfg: PretrainExpConfig, hooks?: RunHooks): Promise<PretrainExpResult> {
  validatePretrainExpConfig(cfg);
  // fail before any work when the WebGPU backend cannot run (the workers check again)
  if (cfg.backend === "webgpu") await checkWebGpu((navigator as { gpu?: GpuLike }).gpu);
  const t0 = performance.now();
  const T = cfg.horizon, E = cfg.evalCount;
  const baselines: PretrainExpResult["baselines"] = [];
  const families = [
    {
      family: "linear" as const,
      spec: { ...LINEAR_BANDIT, horizon: T },
      algs: [["LinUCB", "linucb"], ["TS", "ts-gaussian"], ["Emp", "empirical-mean"]],
    },
    {
      family: "bernoulli" as const,
      spec: { ...BERNOULLI_BANDIT, horizon: T },
      algs: [["TS", "ts-beta"], ["UCB", "ucb-paper"], ["Emp", "empirical-mean"]],
    },
  ];
  let done = 0;
  for (const f of families) {
    const envs = sampleBandits(f.spec, cfg.evalEnvSeed, E, cfg.evalFirst);
    const policies = f.algs.map(([key, name]) => ({
      key,
      pol: makePolicy({ name } as AlgorithmSpec, envs, cfg.evalPolicySeed),
    }));
    if (f.family === "linear") policies.push({ key: "Prior", pol: new PriorArmPolicy(envs) });
    for (const { key, pol } of policies) {
      const R = cumulativeRegret(envs, simulate(envs, pol).actions, T);
      baselines.push({ family: f.family, key, name: pol.name, R });
      await reportProgress(hooks, "baselines", ++done, 7);
    }
  }
  const plan = planRuns(cfg);
  const totals = plan.map((p) => p.job.train.steps * p.job.train.layers);
  const progress = plan.map(() => 0);
  const total = totals.reduce((a, b) => a + b, 0);
  const onJob = async (i: number, phase: string, d: number) => {
    if (phase === "train") progress[i] = d * plan[i].job.train.layers;
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
      (i) => plan[i].job.name,
    );
  }
  const runs: RunInfo[] = results.map((r, i) => {
    const p = r.pretrain;
    for (const { mode, R } of r.regret) {
      for (let k = 0; k < R.length; k++) {
        if (!Number.isFinite(R[k])) {
          throw new Error(`${plan[i].meta.name} (${mode}): non-finite regret`);
        }
      }
    }
    return {
      ...plan[i].meta,
      curve: p.curve,
      repeatFloor: p.repeatFloor,
      chance: 1 / p.model.numActions,
      steps: p.config.steps,
      batch: p.config.batch,
      trainSec: p.wallTimeSec,
      stepsPerSec: p.stepsPerSec,
      dataSec: r.dataSec,
      evalSec: r.evalSec,
      flopsPerStep: flopsPerStep(p.model, p.config.batch),
      params: paramCount(p.model),
      backend: r.backend,
      checkpoints: r.checkpoints,
      regret: r.regret as RunInfo["regret"],
      replaced: r.replaced,
      model: p.model,
      weights: p.weights,
    };
  });
  return {
    config: structuredClone(cfg),
    runs,
    baselines,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
