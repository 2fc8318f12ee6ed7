/**
 * Experiment 8's settings (MATH §9): the config type, the quick / paper defaults side by side, the
 * paper's reference numbers, validation, and the DPT context mixtures. The computation is in
 * `pretrain.ts`, the views in `pretrain_views.ts`.
 *
 * @module
 */

import { assertInt, assertNumber } from "../core/validate.ts";
import type { ScaleDefaults } from "./shape.ts";
import type { BackendName } from "../bandits/backend.ts";
import type { AlgorithmSpec } from "../bandits/algorithms.ts";
import { assertKnownKeys } from "../core/validate.ts";

/** Settings of experiment 8 (every knob). */
export interface PretrainExpConfig {
  /** Horizon T = sequence length, for training and evaluation (paper 200). */
  horizon: number;
  /** Backend: "wasm" (the WebAssembly engine), "tfjs-wasm", "cpu" or "webgpu" (tfjs; needs a
   * GPU adapter). The committed run used "tfjs-wasm". */
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
    backend: "tfjs-wasm",
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
    backend: "tfjs-wasm",
    D: 32,
    layers: 2,
    mlpHidden: 128,
    lr: 1e-3,
    weightDecay: 1e-4,
    batch: 64,
    clipNorm: 1,
    evalEvery: 100,
    ad: { trainCount: 20_000, heldoutCount: 1_000, steps: 1_800, seeds: [0, 1] },
    dpt: {
      trainCount: 20_000,
      heldoutCount: 1_000,
      steps: 600,
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
  if (!["wasm", "tfjs-wasm", "cpu", "webgpu"].includes(cfg.backend)) {
    throw new RangeError(
      `backend must be wasm, tfjs-wasm, cpu or webgpu, got ${JSON.stringify(cfg.backend)}`,
    );
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

/**
 * The DPT context algorithm `α·TS + (1−α)·uniform` (pure components at α ∈ {0, 1}).
 *
 * @example
 * ```ts
 * dptContext(0.5); // { name: "mixture", components: [ts-beta, uniform], weights: [0.5, 0.5] }
 * ```
 */
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
