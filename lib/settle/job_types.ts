/**
 * The job vocabulary of notebook 05 (MATH §7, §8.5): plain serialisable descriptions of each unit
 * of work and of its result, so they cross Worker boundaries. The runners are in `jobs.ts`, which
 * re-exports these types.
 *
 * @module
 */

import type { RestrictedBlocks } from "../icrl/lsa.ts";
import type { GaussNewtonStats, GramStats } from "../icrl/richness_stats.ts";
import type { TaskSpec } from "../icrl/tasks.ts";
import { type TrainingDistribution } from "./distribution.ts";
import { type DistTrainConfig, type DistTrainResult } from "./trainer.ts";

/** How prompts are sampled for the richness numbers: episodes × iterations `at` of T. */
export interface PromptSampling {
  /** Episodes (distinct training episodes, indices from 10⁶ on so they are not training ones). */
  episodes: number;
  /** Iterations of each episode whose prompts are kept. */
  at: number[];
  /** Iterations the teacher runs per episode (T of training). */
  T: number;
}

/** Richness numbers at θ⋆(c) for several c on one prompt set. */
export interface RichnessJob {
  kind: "richness";
  /** Task (SARSA). */
  task: TaskSpec;
  /** Distribution the prompts come from. */
  dist: TrainingDistribution;
  /** Seed of the distribution (its pool / fixed features). */
  seed: number;
  /** Prompt sampling. */
  sampling: PromptSampling;
  /** Scales c at which G is evaluated. */
  cs: number[];
  /**
   * "dense" (exact), "krylov" (block Lanczos), "lobpcg" (preconditioned, scaling deflated) or
   * "gram" (the token and w̃ Gram matrices only: `perC` is empty).
   */
  method: "dense" | "krylov" | "lobpcg" | "gram";
  /** Krylov block size and dimension. */
  /** Iterative-solver settings: block size, Krylov dimension, LOBPCG iterations and tolerance. */
  solver: { block: number; dim: number; maxIter: number; tol: number };
}

/** Result of a {@linkcode RichnessJob}. */
export interface RichnessOut {
  /** Per c: the GN numbers and ‖G t‖/(λ_max‖t‖) for the scaling tangent t = (P⋆12, −V̄⋆21/c²). */
  perC: { c: number; gn: GaussNewtonStats; scalingResidual: number }[];
  /**
   * A proven lower bound on the number of zero eigenvalues of G: `1 + (m − rank of the token Gram)·p`
   * (each token null vector a gives the null directions `dP = a bᵀ`, since then `Σ̂ dP w̃ = 0`).
   */
  structuralZeros: number;
  /** Gram matrices of tokens and of w̃. */
  gram: { tokens: GramStats; wTilde: GramStats };
  /** Prompts used. */
  prompts: number;
  /** Seconds. */
  wallTimeSec: number;
}

/** The GD runs of a rate job ({@linkcode RateJob}, {@linkcode FreshRateJob}) from near θ⋆(c). */
export interface RateRuns {
  task: TaskSpec;
  dist: TrainingDistribution;
  seed: number;
  /** Scale c of the starting point. */
  c: number;
  /** Step sizes as multiples of 1/λ_max (each in (0, 2); a fresh job's λ_max is a population estimate). */
  etaTimesLambdaMax: number[];
  /** Relative size of the random initial perturbation. */
  eps: number;
  /** Steps: min(maxSteps, ⌈horizon/(ημ)⌉) (a fresh job rounds them up to whole groups of T). */
  horizon: number;
  /** Cap on GD steps. */
  maxSteps: number;
  /** Fraction of the run (the end) the slopes are fitted on. */
  fitFraction: number;
}

/** GD on a fixed prompt set from near θ⋆(c): measured vs predicted rates. */
export interface RateJob extends RateRuns {
  kind: "rate";
  sampling: PromptSampling;
}

/**
 * GD on **fresh** prompts from near θ⋆(c): every step takes a new batch of the training stream
 * (B MDPs side by side, T iterations each, as in training), so the rate is that of the population
 * loss. μ and λ_max come from a stream-matched prompt set (`episodes` episodes × every iteration
 * 0 … T−1, episode indices from 10⁶ on, disjoint from the training stream's).
 */
export interface FreshRateJob extends RateRuns {
  kind: "freshRate";
  /** Episodes of the stream-matched prompt set. */
  episodes: number;
  /** Iterations per MDP (training stream and prompt set). */
  T: number;
  /** MDPs per GD step. */
  batch: number;
}

/** One GD run of a {@linkcode RateJob} or {@linkcode FreshRateJob}. */
export interface RateOut {
  /** "fixed" (GD on one prompt set) or "fresh" (a new batch of the training stream every step). */
  set: "fixed" | "fresh";
  /** Prompts behind μ and λ_max (and, for "fixed", the prompts trained on). */
  spectrumPrompts: number;
  c: number;
  eta: number;
  etaTimesLambdaMax: number;
  mu: number;
  lambdaMax: number;
  /** Predicted per-step log factor of the distance: log max(|1−ημ|, |1−ηλ_max|). */
  predictedDistSlope: number;
  /** Predicted per-step log factor of the loss (twice the above). */
  predictedLossSlope: number;
  measuredDistSlope: number;
  measuredLossSlope: number;
  steps: number;
  /** Subsampled curve: step, loss, dist. */
  curve: { step: number; loss: number; dist: number }[];
}

/** One richness-ablation arm: train on `dist`, then richness at d (LOBPCG) and d_small (dense), transfer. */
export interface ArmJob {
  kind: "arm";
  /** Arm label. */
  label: string;
  /** Training run. */
  train: DistTrainConfig;
  /** Richness at the training task (LOBPCG, `sampling`) and at the small analog (dense, `samplingSmall`). */
  richness: Omit<RichnessJob, "kind" | "task" | "dist" | "seed" | "method"> & {
    samplingSmall: PromptSampling;
  };
  /** Small task for the exact (dense) analog, same distribution family (rank scaled by d). */
  smallTask: TaskSpec;
  /** Rank of the low-rank features in the small analog. */
  smallRank: number;
  /** Transfer: test MDPs, updates, evaluation seed. */
  transfer: { numMdps: number; updates: number; seed: number };
  /** Run LOBPCG at the training d (else only its token and w̃ Gram matrices: `perC` empty). */
  iterative: boolean;
}

/** Result of an {@linkcode ArmJob}. */
export interface ArmOut {
  label: string;
  final: DistTrainResult["rows"][number];
  status: DistTrainResult["status"];
  trainRows: DistTrainResult["rows"];
  richness: RichnessOut;
  richnessSmall: RichnessOut;
  /** Normalised transfer score at the last update: mean and 95 % CI over test MDPs. */
  score: { mean: number; lo: number; hi: number };
  /** Same for the SARSA teacher on the same loop. */
  teacherScore: { mean: number; lo: number; hi: number };
  wallTimeSec: number;
}

/** A training run (basin, scale). */
export interface TrainJob {
  kind: "train";
  train: DistTrainConfig;
  /** Keep the final blocks in the result (for a heatmap). */
  keepBlocks: boolean;
}

/** Any job. */
export type Job = RichnessJob | RateJob | FreshRateJob | ArmJob | TrainJob;

/** Outputs by job kind. */
export type JobOut = RichnessOut | RateOut[] | ArmOut | TrainOut;

/** Result of a {@linkcode TrainJob}. */
export interface TrainOut {
  status: DistTrainResult["status"];
  rows: DistTrainResult["rows"];
  blocks: RestrictedBlocks | null;
  wallTimeSec: number;
}
