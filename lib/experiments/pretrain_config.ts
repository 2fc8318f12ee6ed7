/**
 * Experiment 8's settings (MATH §9): the config type, the quick / paper / long defaults side by
 * side, the paper's reference numbers and compute, the decision rules fixed before the run,
 * validation, and the DPT context mixtures. The computation is in `pretrain.ts`, the views in
 * `pretrain_views.ts`, the statistics and verdicts in `pretrain_rules.ts`.
 *
 * @module
 */

import { assertInt, assertKnownKeys, assertNumber } from "../core/validate.ts";
import type { BackendName } from "../bandits/backend.ts";
import type { AlgorithmSpec } from "../bandits/algorithms.ts";
import {
  type TransformerConfig,
  validateAdamW,
  validateArchitecture,
} from "../bandits/model_config.ts";
import { forwardFlops } from "../bandits/engine/reference.ts";
import {
  type GoRule,
  type ScalingRule,
  validateGoRule,
  validateScalingRule,
} from "./pretrain_rules.ts";

/** Settings of experiment 8 (every knob). */
export interface PretrainExpConfig {
  /** Horizon T = sequence length, for training and evaluation (paper 200). */
  horizon: number;
  /** Backend: "wasm" (the WebAssembly engine), "tfjs-wasm", "cpu" or "webgpu" (tfjs). */
  backend: BackendName;
  /** The architecture (paper: D = 32, 8 layers, 4 heads; the public code's MLP width D). */
  model: { D: number; layers: number; heads: number; mlpHidden: number };
  /** AdamW (paper: lr 1e-3, weight decay 1e-4, batch 128 trajectories, no clipping). */
  optim: { lr: number; weightDecay: number; clipNorm: number; batch: number };
  /** Held-out trajectories of every run (the last ones of its data set). */
  heldoutCount: number;
  /** Held-out loss / accuracy every this many steps (and at every checkpoint). */
  evalEvery: number;
  /** Algorithm distillation of LinUCB on linear bandits at the configured depth: the headline. */
  ad: { trainCount: number; steps: number; seeds: number[] };
  /**
   * Scaling study (linear AD, the first AD seed): every depth × data size, deployed at the
   * checkpoint steps (log-spaced; the last = `ad.steps`). The headline depth and data size are
   * the headline runs (all seeds carry the checkpoints).
   */
  scaling: { layers: number[]; trainCounts: number[]; checkpoints: number[] };
  /** DPT on Bernoulli bandits, context α·TS + (1−α)·uniform: every α with every seed. */
  dpt: { trainCount: number; steps: number; seeds: number[]; alphas: number[] };
  /** Evaluation environments (the paper's script: 200) and their seed / first index (07's). */
  evalCount: number;
  evalEnvSeed: number;
  evalFirst: number;
  /** Seed of the evaluated policies' streams (baselines and sampling). */
  evalPolicySeed: number;
  /** Seeds of the offline data (environments, context algorithm). */
  dataEnvSeed: number;
  dataPolicySeed: number;
  /** Parallel Workers, one run each (0 = run in this thread). */
  workers: number;
  /** Folder of resumable training states (the long scale), or null. */
  stateDir: string | null;
  /** Decision rules, fixed before the run (pretrain_rules.ts). */
  rules: {
    /** Linear AD: TF must beat this baseline (paired CI below 0) and be near the paper's TF. */
    goLinear: GoRule;
    /** Bernoulli DPT (α = 0.5). */
    goBernoulli: GoRule;
    /** "More compute helps": the regret-vs-FLOP slope of the headline runs. */
    scaling: ScalingRule;
  };
}

/** The three scales of experiment 8. */
export type PretrainScale = "quick" | "paper" | "long";

const rules = {
  goLinear: { mustBeatBaseline: "Emp", paperTF: 39.6, withinSe: 2 },
  goBernoulli: { mustBeatBaseline: "Emp", paperTF: 11.1, withinSe: 2 },
  scaling: { slopeBelow: 0 },
};

/** The paper's architecture (8 layers, 4 heads of width 8, D = 32, MLP 32). */
const PAPER_ARCH = { D: 32, layers: 8, heads: 4, mlpHidden: 32 };

/** What differs between the scales; the seeds, optimiser, backend and rules are shared. */
type ScaleParts =
  & Pick<
    PretrainExpConfig,
    "horizon" | "heldoutCount" | "evalEvery" | "ad" | "scaling" | "dpt" | "evalCount" | "stateDir"
  >
  & { model: PretrainExpConfig["model"]; batch: number };

/** One scale's config, its keys in the order every manifest records them. */
function preset(p: ScaleParts): PretrainExpConfig {
  return {
    horizon: p.horizon,
    backend: "wasm",
    model: { ...p.model },
    optim: { lr: 1e-3, weightDecay: 1e-4, clipNorm: 0, batch: p.batch },
    heldoutCount: p.heldoutCount,
    evalEvery: p.evalEvery,
    ad: p.ad,
    scaling: p.scaling,
    dpt: p.dpt,
    evalCount: p.evalCount,
    evalEnvSeed: 7_007,
    evalFirst: 0,
    evalPolicySeed: 8_008,
    dataEnvSeed: 8_100,
    dataPolicySeed: 8_101,
    workers: 2,
    stateDir: p.stateDir,
    rules,
  };
}

/** The paper scale: its architecture and data sizes, a reduced number of steps. */
const PAPER_PARTS: ScaleParts = {
  horizon: 200,
  model: PAPER_ARCH,
  batch: 128,
  heldoutCount: 1_000,
  evalEvery: 125,
  ad: { trainCount: 100_000, steps: 500, seeds: [0, 1, 2] },
  scaling: {
    layers: [2, 4, 8],
    trainCounts: [10_000, 100_000],
    checkpoints: [31, 62, 125, 250, 500],
  },
  dpt: { trainCount: 100_000, steps: 250, seeds: [0, 1, 2], alphas: [0, 0.1, 0.5, 1] },
  evalCount: 200,
  stateDir: null,
};

/**
 * Quick (CI, ≤ 1 min), paper (the paper's architecture, ≤ 60 min on 2 cores; reduced number of
 * steps) and long (hours; resumes from `stateDir`) settings.
 */
export const pretrainDefaults: Readonly<Record<PretrainScale, PretrainExpConfig>> = {
  quick: preset({
    horizon: 20,
    model: { D: 16, layers: 2, heads: 2, mlpHidden: 16 },
    batch: 16,
    heldoutCount: 50,
    evalEvery: 20,
    ad: { trainCount: 400, steps: 40, seeds: [0, 1, 2] },
    scaling: { layers: [1, 2], trainCounts: [100, 400], checkpoints: [5, 10, 20, 40] },
    dpt: { trainCount: 400, steps: 30, seeds: [0, 1], alphas: [0, 0.5, 1] },
    evalCount: 60,
    stateDir: null,
  }),
  paper: preset(PAPER_PARTS),
  long: preset({
    ...PAPER_PARTS,
    evalEvery: 1_000,
    ad: { ...PAPER_PARTS.ad, steps: 64_000 },
    scaling: { ...PAPER_PARTS.scaling, checkpoints: [125, 500, 2_000, 8_000, 32_000, 64_000] },
    dpt: { ...PAPER_PARTS.dpt, steps: 16_000 },
    stateDir: "data/models/08_state",
  }),
};

/**
 * The smallest config that runs every phase of `run` (≈ 0.2 s here): for doc examples, tests and a
 * first try; not a result. AD and DPT on 8 trajectories each, horizon 6, in this thread.
 */
export const pretrainTiny: PretrainExpConfig = {
  ...pretrainDefaults.quick,
  workers: 0,
  horizon: 6,
  evalCount: 4,
  heldoutCount: 4,
  ad: { trainCount: 8, steps: 3, seeds: [0, 1] },
  evalEvery: 3,
  scaling: { layers: [2], trainCounts: [8], checkpoints: [1, 2, 3] },
  dpt: { trainCount: 8, steps: 2, seeds: [0, 1], alphas: [0.5] },
};

/** The paper's architecture on linear-bandit tokens (d = 5, A = 10). */
export const PAPER_MODEL: TransformerConfig = {
  tokenDim: 61,
  numActions: 10,
  maxLen: 200,
  D: 32,
  layers: 8,
  mlpHidden: 32,
  heads: 4,
};

/**
 * Training FLOP of the paper's linear-bandit run in this project's token layout (MATH §9): three
 * forward passes' worth per trajectory, for 2 000 epochs of 100 000 trajectories.
 *
 * @example
 * ```ts
 * paperTrainingFlops(); // ≈ 2.27e16
 * ```
 */
export function paperTrainingFlops(): number {
  return 3 * forwardFlops(PAPER_MODEL, 200) * 100_000 * 2_000;
}

/** Reference constants: [LBM24] Fig. 1 at T = 200 (8 layers, 2 000 epochs of 100 k trajectories). */
export const PAPER_REFERENCE = {
  horizon: 200,
  linear: { TF: 39.6, LinUCB: 32.8, TS: 51.6, Emp: 56.9 },
  bernoulli: { TF: 11.1, TS: 10.7, UCB: 6.5, Emp: 11.6 },
} as const;

const KEYS = Object.keys(pretrainDefaults.paper);

/**
 * Throw an error naming the first unknown key or out-of-range value.
 *
 * @example
 * ```ts
 * validatePretrainExpConfig(pretrainDefaults.quick);
 * ```
 */
export function validatePretrainExpConfig(cfg: PretrainExpConfig): void {
  assertKnownKeys("pretrain experiment config", cfg, KEYS);
  assertKnownKeys("model", cfg.model, ["D", "layers", "heads", "mlpHidden"]);
  assertKnownKeys("optim", cfg.optim, ["lr", "weightDecay", "clipNorm", "batch"]);
  assertKnownKeys("ad", cfg.ad, ["trainCount", "steps", "seeds"]);
  assertKnownKeys("scaling", cfg.scaling, ["layers", "trainCounts", "checkpoints"]);
  assertKnownKeys("dpt", cfg.dpt, ["trainCount", "steps", "seeds", "alphas"]);
  assertKnownKeys("rules", cfg.rules, ["goLinear", "goBernoulli", "scaling"]);
  assertInt("horizon", cfg.horizon, 2, 1000);
  if (!["wasm", "tfjs-wasm", "cpu", "webgpu"].includes(cfg.backend)) {
    throw new RangeError(
      `backend must be wasm, tfjs-wasm, cpu or webgpu, got ${JSON.stringify(cfg.backend)}`,
    );
  }
  assertInt("model.heads", cfg.model.heads, 1); // required here (the model config defaults it to 1)
  validateArchitecture(cfg.model, "model.");
  validateAdamW(cfg.optim, "optim.");
  assertInt("optim.batch", cfg.optim.batch, 1, 1 << 16);
  assertInt("heldoutCount", cfg.heldoutCount, 1, 1e7);
  assertInt("evalEvery", cfg.evalEvery, 1, 1e9);
  const seeds = (name: string, s: number[], min: number) => {
    if (s.length < min) {
      throw new RangeError(`${name} must name at least ${min} seeds, got ${s.length}`);
    }
    s.forEach((v, i) => assertInt(`${name}[${i}]`, v, 0));
    if (new Set(s).size !== s.length) {
      throw new RangeError(`${name} repeat a seed: ${s.join(", ")}`);
    }
  };
  assertInt("ad.trainCount", cfg.ad.trainCount, 1, 1e7);
  assertInt("ad.steps", cfg.ad.steps, 1, 1e9);
  seeds("ad.seeds", cfg.ad.seeds, 2);
  if (cfg.scaling.layers.length === 0 || cfg.scaling.trainCounts.length === 0) {
    throw new RangeError("scaling.layers and scaling.trainCounts must be non-empty");
  }
  cfg.scaling.layers.forEach((v, i) => assertInt(`scaling.layers[${i}]`, v, 1, 64));
  cfg.scaling.trainCounts.forEach((v, i) => assertInt(`scaling.trainCounts[${i}]`, v, 1, 1e7));
  if (!cfg.scaling.layers.includes(cfg.model.layers)) {
    throw new RangeError(`scaling.layers must include model.layers = ${cfg.model.layers}`);
  }
  if (!cfg.scaling.trainCounts.includes(cfg.ad.trainCount)) {
    throw new RangeError(`scaling.trainCounts must include ad.trainCount = ${cfg.ad.trainCount}`);
  }
  const cp = cfg.scaling.checkpoints;
  if (cp.length < 3) throw new RangeError(`scaling.checkpoints needs ≥ 3 steps, got ${cp.length}`);
  cp.forEach((v, i) => {
    assertInt(`scaling.checkpoints[${i}]`, v, 1, cfg.ad.steps);
    if (i > 0 && v <= cp[i - 1]) throw new RangeError("scaling.checkpoints must increase");
  });
  if (cp[cp.length - 1] !== cfg.ad.steps) {
    throw new RangeError(`the last scaling checkpoint must be ad.steps = ${cfg.ad.steps}`);
  }
  assertInt("dpt.trainCount", cfg.dpt.trainCount, 1, 1e7);
  assertInt("dpt.steps", cfg.dpt.steps, 1, 1e9);
  seeds("dpt.seeds", cfg.dpt.seeds, 2);
  cfg.dpt.alphas.forEach((a, i) => assertNumber(`dpt.alphas[${i}]`, a, 0, 1));
  if (new Set(cfg.dpt.alphas).size !== cfg.dpt.alphas.length) {
    throw new RangeError(`dpt.alphas repeat a value: ${cfg.dpt.alphas.join(", ")}`);
  }
  if (!cfg.dpt.alphas.includes(0.5)) {
    throw new RangeError(`dpt.alphas must include 0.5 (the main DPT run), got ${cfg.dpt.alphas}`);
  }
  assertInt("evalCount", cfg.evalCount, 2, 1e6);
  for (const k of ["evalEnvSeed", "evalFirst", "evalPolicySeed", "dataEnvSeed", "dataPolicySeed"]) {
    assertInt(k, cfg[k as keyof PretrainExpConfig] as number, 0);
  }
  if (cfg.dataEnvSeed === cfg.evalEnvSeed) {
    throw new RangeError(`dataEnvSeed must differ from evalEnvSeed (both ${cfg.dataEnvSeed})`);
  }
  assertInt("workers", cfg.workers, 0, 64);
  if (cfg.stateDir !== null && (typeof cfg.stateDir !== "string" || cfg.stateDir === "")) {
    throw new RangeError(
      `stateDir must be a folder path or null, got ${JSON.stringify(cfg.stateDir)}`,
    );
  }
  validateGoRule(cfg.rules.goLinear);
  validateGoRule(cfg.rules.goBernoulli);
  validateScalingRule(cfg.rules.scaling);
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
