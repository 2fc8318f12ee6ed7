/**
 * One pretraining run end to end, as a serialisable job (what a Worker receives): generate the
 * offline trajectories of the context algorithm, split off a held-out set, pretrain the
 * transformer, and deploy it on the evaluation environments in each mode, returning the learning
 * curves, the weights and the cumulative regret per environment and step.
 *
 * @module
 */

import { type BackendName, selectBackend } from "./backend.ts";
import type { AlgorithmSpec } from "./algorithms.ts";
import { type BanditSpec, sampleBandits } from "./env.ts";
import { generateTrajectories } from "./generate.ts";
import { policyStreams } from "./policy.ts";
import { cumulativeRegret } from "./regret.ts";
import { simulate } from "./simulate.ts";
import { type PretrainConfig, type PretrainResult, pretrainTransformer } from "./pretrain.ts";
import type { TransformerConfig } from "./model_config.ts";
import type { TrajectorySet } from "./record.ts";

/** The architecture a job trains (as pretrainTransformer derives it). */
function modelOf(job: PretrainJob, set: TrajectorySet): TransformerConfig {
  return {
    tokenDim: tokenDim(set.numArms, armFeatures(set)),
    numActions: set.numArms,
    maxLen: set.horizon,
    D: job.train.D,
    layers: job.train.layers,
    mlpHidden: job.train.mlpHidden,
    ...(job.train.heads !== undefined ? { heads: job.train.heads } : {}),
  };
}
import { type DeployMode, ReplacedRewardPolicy, TransformerPolicy } from "./deploy.ts";
import { armFeatures, tokenDim } from "./tokens.ts";
import { assertInt } from "../core/validate.ts";

/** Everything one run needs. */
export interface PretrainJob {
  /** Display name (e.g. "AD · LinUCB, seed 0"). */
  name: string;
  /** Backend: `wasm` trains on the WebAssembly engine; the others on tfjs (see backend.ts). */
  backend: BackendName;
  /** Workers of the wasm engine (default 1: jobs already run one per core). */
  engineWorkers?: number;
  /** Bandit family of both the offline data and the evaluation (horizon = sequence length). */
  spec: BanditSpec;
  /** Context algorithm of the offline trajectories. */
  context: AlgorithmSpec;
  /** Training trajectories. */
  trainCount: number;
  /** Held-out trajectories (environments after the training ones). */
  heldoutCount: number;
  /** Seed of the offline environments. */
  dataEnvSeed: number;
  /** Seed of the context algorithm's streams. */
  dataPolicySeed: number;
  /** Model and optimiser settings (seed = initialisation and minibatch order). */
  train: PretrainConfig;
  /** Evaluation environments: seed, first global index, count. */
  evalEnvSeed: number;
  evalFirst: number;
  evalCount: number;
  /** Seed of the deployed model's action sampling. */
  evalPolicySeed: number;
  /** Deployment modes to evaluate. */
  modes: DeployMode[];
  /** Steps at which to deploy the current weights (regret at T per environment, each mode). */
  checkpointSteps?: number[];
  /** Also deploy the final model (sampled) with rewards from another environment (control). */
  replacedRewards?: boolean;
  /** Trajectories generated (default trainCount + heldoutCount); held out = the last ones. */
  dataCount?: number;
  /** Training-state file for resuming (wasm backend). */
  stateFile?: string;
}

/** A deployment of the weights at one checkpoint. */
export interface JobCheckpoint {
  step: number;
  heldoutLoss: number;
  heldoutAcc: number;
  /** Regret at T per environment, by mode. */
  RT: { mode: DeployMode; R: number[] }[];
}

/** What a job returns. */
export interface PretrainJobResult {
  name: string;
  /** The pretraining result (weights, curves, floor). */
  pretrain: PretrainResult;
  /** Cumulative regret, evalCount × T, per deployment mode. */
  regret: { mode: DeployMode; R: Float64Array }[];
  /** Deployments at the checkpoint steps (empty without checkpointSteps). */
  checkpoints: JobCheckpoint[];
  /** Final model, sampled, rewards from another environment in its context (E × T); or null. */
  replaced: Float64Array | null;
  /** Wall seconds: data generation, evaluation. */
  dataSec: number;
  evalSec: number;
  /** The backend that ran it. */
  backend: string;
}

/** Progress callback: phase and running totals. */
export type JobProgress = (phase: "data" | "train" | "eval", done: number, total: number) => void;

/**
 * Run a job in this thread (see the module doc).
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT } from "./env.ts";
 * import { runPretrainJob } from "./pretrain_job.ts";
 * const res = await runPretrainJob({
 *   name: "tiny DPT",
 *   backend: "wasm",
 *   spec: { ...BERNOULLI_BANDIT, horizon: 5 },
 *   context: { name: "uniform" },
 *   trainCount: 20,
 *   heldoutCount: 5,
 *   dataEnvSeed: 1,
 *   dataPolicySeed: 2,
 *   train: { D: 8, layers: 1, mlpHidden: 8, steps: 3, batch: 4, lr: 1e-3, weightDecay: 0,
 *     clipNorm: 1, evalEvery: 3, target: "optimal", seed: 0, matmul: "plain" },
 *   evalEnvSeed: 3,
 *   evalFirst: 0,
 *   evalCount: 7,
 *   evalPolicySeed: 4,
 *   modes: ["greedy"],
 * });
 * res.pretrain.curve.at(-1)!.heldoutAcc;
 * ```
 */
export async function runPretrainJob(
  job: PretrainJob,
  onProgress?: JobProgress,
): Promise<PretrainJobResult> {
  assertInt("trainCount", job.trainCount, 1, 10_000_000);
  assertInt("heldoutCount", job.heldoutCount, 1, 10_000_000);
  assertInt("evalCount", job.evalCount, 1, 1_000_000);
  if (job.modes.length === 0) throw new RangeError("modes must name at least one deployment mode");
  const backend = await selectBackend(job.backend);
  let t0 = performance.now();
  const N = job.dataCount ?? job.trainCount + job.heldoutCount;
  if (N < job.trainCount + job.heldoutCount) {
    throw new RangeError(`dataCount ${N} is below trainCount + heldoutCount`);
  }
  const set = await generateTrajectories({
    spec: job.spec,
    algorithm: job.context,
    count: N,
    envSeed: job.dataEnvSeed,
    policySeed: job.dataPolicySeed,
    workers: 0,
  }, (d, t) => onProgress?.("data", d, t));
  const dataSec = (performance.now() - t0) / 1000;
  const train = Int32Array.from({ length: job.trainCount }, (_, i) => i);
  const held = Int32Array.from({ length: job.heldoutCount }, (_, i) => N - job.heldoutCount + i);
  const envs = sampleBandits(job.spec, job.evalEnvSeed, job.evalCount, job.evalFirst);
  const T = job.spec.horizon;
  const engine = job.backend === "wasm" ? "wasm" as const : "tfjs" as const;
  const deploy = (
    model: PretrainResult["model"],
    weights: PretrainResult["weights"],
    mode: DeployMode,
    tag: string,
    replaced = false,
  ) => {
    const pol = new TransformerPolicy(
      model,
      weights,
      envs,
      mode,
      policyStreams(job.evalPolicySeed, `tf-${mode}${tag}`, job.evalCount, job.evalFirst),
      undefined,
      engine,
    );
    try {
      const p = replaced ? new ReplacedRewardPolicy(pol, envs) : pol;
      return cumulativeRegret(envs, simulate(envs, p).actions, T);
    } finally {
      pol.dispose();
    }
  };
  const pretrain = await pretrainTransformer(
    job.train,
    set,
    train,
    held,
    (s, tot) => onProgress?.("train", s, tot),
    job.backend === "wasm"
      ? {
        backend: "wasm",
        workers: job.engineWorkers ?? 1,
        checkpointSteps: job.checkpointSteps,
        stateFile: job.stateFile,
        onCheckpoint: (step, weights, row): JobCheckpoint => ({
          step,
          heldoutLoss: row.heldoutLoss,
          heldoutAcc: row.heldoutAcc,
          RT: job.modes.map((mode) => {
            const R = deploy(modelOf(job, set), weights, mode, `-ckpt${step}`);
            return { mode, R: Array.from({ length: job.evalCount }, (_, e) => R[e * T + T - 1]) };
          }),
        }),
      }
      : undefined,
  );
  t0 = performance.now();
  const regret = [];
  for (const [k, mode] of job.modes.entries()) {
    regret.push({ mode, R: deploy(pretrain.model, pretrain.weights, mode, "") });
    onProgress?.("eval", k + 1, job.modes.length);
  }
  const replaced = job.replacedRewards
    ? deploy(pretrain.model, pretrain.weights, "sample", "", true)
    : null;
  return {
    name: job.name,
    pretrain,
    regret,
    checkpoints: (pretrain.checkpointData ?? []) as JobCheckpoint[],
    replaced,
    dataSec,
    evalSec: (performance.now() - t0) / 1000,
    backend,
  };
}
