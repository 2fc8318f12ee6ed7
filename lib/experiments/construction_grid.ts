/**
 * The grid of the construction check (MATH §5, §8.1): for SARSA, TD(0) and actor–critic, over a
 * sweep of `n` (at fixed d) and of `d` (at fixed n), the error `max|TF_θ(H) − teacher|` of θ⋆, of
 * scaled `(cP⋆, V⋆/c)` (c = 3.7 and c = −0.5), of a small perturbation of θ⋆ and of a random θ — in
 * float64 (fast readout) and float32 (tfjs wasm, batched). Notebook 01's layer is
 * `construction_check.ts`; notebook 04 calls {@linkcode constructionCheck} directly.
 *
 * @module
 */

import {
  acConstruction,
  buildAcPrompt,
  buildSarsaPrompt,
  buildTd0Prompt,
  type LsaParams,
  lsaReadout,
  type Prompt,
  sarsaConstruction,
  td0Construction,
} from "../icrl/mod.ts";
import {
  actorCriticUpdate,
  DEFAULT_STEP_SIZES,
  sarsaUpdate,
  type StepSizes,
  td0Update,
  validateStepSizes,
} from "../icrl/mod.ts";
import {
  epsGreedyPolicy,
  randomFeatures,
  randomMdp,
  randomStateFeatures,
  rollout,
  sampleInitialState,
  softmaxPolicy,
} from "../mdp/mod.ts";
import { assertInt, assertKnownKeys, assertNumber, Rng, showValue } from "../core/mod.ts";
import { initTf, lsaReadoutTf, paramsToTensors, promptsToTensor, tf } from "../icrl/tf.ts";
import { reportProgress, type RunHooks } from "./shape.ts";

/** Settings of the construction check's grid (what {@linkcode constructionCheck} takes). */
export interface ConstructionCheckConfig extends StepSizes {
  /** Values of n swept at d = `dFixed`. */
  ns: number[];
  /** Values of d swept at n = `nFixed`. */
  ds: number[];
  /** d used in the n sweep (36). */
  dFixed: number;
  /** n used in the d sweep (20). */
  nFixed: number;
  /** Random (MDP, trajectory, θ) instances per grid point; the error is the max over them. */
  trials: number;
  /** Std of the Gaussian perturbation added to every entry of P⋆ and V⋆. */
  perturbation: number;
  /** Entries of the random θ are Unif(−r, r). */
  randomScale: number;
  /** Discount (MATH §3 default 0.5); the step sizes α, β come from {@linkcode StepSizes}. */
  gamma: number;
  /** Seed. */
  seed: number;
}

/** MATH §8.1 grid: n ∈ 1…200, d ∈ 2…64 (10 trials; notebook 04 checks its construction with it). */
export const DEFAULT_CONSTRUCTION_CHECK: Readonly<ConstructionCheckConfig> = Object.freeze({
  ns: [1, 2, 5, 10, 20, 50, 100, 200],
  ds: [2, 4, 8, 16, 32, 64],
  dFixed: 36,
  nFixed: 20,
  trials: 10,
  perturbation: 1e-3,
  randomScale: 0.1,
  alpha: DEFAULT_STEP_SIZES.alpha,
  beta: DEFAULT_STEP_SIZES.beta,
  gamma: 0.5,
  seed: 2026,
});

/** One row of the result table. */
export type ConstructionErrorRow = {
  /** "SARSA", "TD(0)" or "actor–critic". */
  algorithm: string;
  /** "θ⋆ (c=1)", "c=3.7", "c=−0.5", "perturbed", "random". */
  variant: string;
  /** "float64" or "float32 (tfjs)". */
  precision: string;
  /** Which sweep the row belongs to. */
  sweep: "n" | "d";
  /** Transitions in the prompt. */
  n: number;
  /** Feature dimension (φ for SARSA/AC, ψ for TD(0); AC uses d_ψ = d). */
  d: number;
  /** max over trials and entries of |TF_θ(H) − teacher|. */
  maxAbsErr: number;
  /** max over trials of ‖TF − teacher‖∞ / max(1, ‖teacher‖∞). */
  relErr: number;
};

const ALGORITHMS = ["SARSA", "TD(0)", "actor–critic"] as const;
type Algorithm = typeof ALGORITHMS[number];

/** Variants of θ for one algorithm and d. */
function variants(
  alg: Algorithm,
  d: number,
  cfg: ConstructionCheckConfig,
  rng: Rng,
): [string, LsaParams][] {
  const make = (c: number) =>
    alg === "SARSA"
      ? sarsaConstruction(d, cfg.alpha, c)
      : alg === "TD(0)"
      ? td0Construction(d, cfg.alpha, c)
      : acConstruction(d, d, cfg.alpha, cfg.beta, c);
  const star = make(1);
  const pert: LsaParams = {
    D: star.D,
    P: Float64Array.from(star.P, (x) => x + cfg.perturbation * rng.normal()),
    V: Float64Array.from(star.V, (x) => x + cfg.perturbation * rng.normal()),
  };
  const rnd: LsaParams = {
    D: star.D,
    P: rng.fillUniform(new Float64Array(star.D ** 2), -cfg.randomScale, cfg.randomScale),
    V: rng.fillUniform(new Float64Array(star.D ** 2), -cfg.randomScale, cfg.randomScale),
  };
  return [["θ⋆ (c=1)", star], ["c=3.7", make(3.7)], ["c=−0.5", make(-0.5)], [
    "perturbed",
    pert,
  ], ["random", rnd]];
}

/** A random instance: prompt and the teacher's update. */
function instance(
  alg: Algorithm,
  n: number,
  d: number,
  cfg: ConstructionCheckConfig,
  rng: Rng,
): { prompt: Prompt; target: Float64Array } {
  const mdp = randomMdp(rng, { gamma: cfg.gamma });
  const feat = randomFeatures(rng, mdp.nS, mdp.nA, d);
  const s0 = sampleInitialState(mdp, rng);
  if (alg === "SARSA") {
    const w = rng.fillUniform(new Float64Array(d), -1, 1);
    const traj = rollout(mdp, epsGreedyPolicy(feat, w, 0.1), s0, n, rng);
    return {
      prompt: buildSarsaPrompt(traj, feat, cfg.gamma, w),
      target: sarsaUpdate(traj, feat, w, cfg.gamma, cfg.alpha),
    };
  }
  const sf = randomStateFeatures(rng, mdp.nS, d);
  const w = rng.fillUniform(new Float64Array(d), -1, 1);
  if (alg === "TD(0)") {
    const pi = new Float64Array(mdp.nS * mdp.nA).fill(1 / mdp.nA);
    const traj = rollout(mdp, pi, s0, n, rng);
    return {
      prompt: buildTd0Prompt(traj, sf, cfg.gamma, w),
      target: td0Update(traj, sf, w, cfg.gamma, cfg.alpha),
    };
  }
  const lambda = rng.fillUniform(new Float64Array(d), -1, 1);
  const traj = rollout(mdp, softmaxPolicy(feat, lambda), s0, n, rng);
  const t = actorCriticUpdate(traj, feat, sf, w, lambda, cfg.gamma, cfg.alpha, cfg.beta);
  return {
    prompt: buildAcPrompt(traj, feat, sf, cfg.gamma, w, lambda),
    target: new Float64Array([...t.w, ...t.lambda]),
  };
}

function errors(out: ArrayLike<number>, target: Float64Array): [number, number] {
  let m = 0, s = 0;
  for (let k = 0; k < target.length; k++) {
    m = Math.max(m, Math.abs(out[k] - target[k]));
    s = Math.max(s, Math.abs(target[k]));
  }
  return [m, m / Math.max(1, s)];
}

/**
 * Validate a grid config against the keys `keys` (unknown keys are refused naming the closest
 * valid one) and every value's range.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONSTRUCTION_CHECK, validateGrid } from "./construction_grid.ts";
 * validateGrid(DEFAULT_CONSTRUCTION_CHECK, Object.keys(DEFAULT_CONSTRUCTION_CHECK));
 * ```
 */
export function validateGrid(cfg: ConstructionCheckConfig, keys: readonly string[]): void {
  assertKnownKeys("construction check config", cfg, keys);
  assertInt("trials", cfg.trials, 1);
  for (const [name, list] of [["ns", cfg.ns], ["ds", cfg.ds]] as const) {
    if (!Array.isArray(list) || list.length === 0) {
      throw new RangeError(`${name} must be a non-empty array of integers, got ${showValue(list)}`);
    }
    list.forEach((v, i) => assertInt(`${name}[${i}]`, v, 1));
  }
  assertInt("dFixed", cfg.dFixed, 1);
  assertInt("nFixed", cfg.nFixed, 1);
  assertNumber("perturbation", cfg.perturbation, 0);
  assertNumber("randomScale", cfg.randomScale, 0);
  validateStepSizes(cfg);
  assertNumber("gamma", cfg.gamma, 0, 0.999999);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
}

/**
 * The grid's error rows, reporting progress (phase "construction check") once per (algorithm,
 * grid point). The config is assumed valid (see {@linkcode validateGrid}).
 *
 * @example
 * ```ts
 * import { checkGrid, DEFAULT_CONSTRUCTION_CHECK } from "./construction_grid.ts";
 * const rows = await checkGrid({ ...DEFAULT_CONSTRUCTION_CHECK, ns: [3], ds: [2], trials: 1 });
 * ```
 */
export async function checkGrid(
  cfg: ConstructionCheckConfig,
  hooks?: RunHooks,
): Promise<ConstructionErrorRow[]> {
  await initTf();
  const rows: ConstructionErrorRow[] = [];
  const root = new Rng(cfg.seed);
  const grid: ["n" | "d", number, number][] = [
    ...cfg.ns.map((n) => ["n", n, cfg.dFixed] as ["n", number, number]),
    ...cfg.ds.map((d) => ["d", cfg.nFixed, d] as ["d", number, number]),
  ];
  const total = ALGORITHMS.length * grid.length;
  let done = 0;
  for (const alg of ALGORITHMS) {
    for (const [sweep, n, d] of grid) {
      const rng = root.fork(`${alg}/${sweep}/${n}/${d}`);
      const inst = Array.from({ length: cfg.trials }, () => instance(alg, n, d, cfg, rng));
      const m = inst[0].prompt.m;
      const H = promptsToTensor(inst.map((x) => x.prompt));
      for (const [variant, params] of variants(alg, d, cfg, rng)) {
        let e64 = [0, 0], e32 = [0, 0];
        for (const x of inst) {
          const e = errors(lsaReadout(params, x.prompt), x.target);
          e64 = [Math.max(e64[0], e[0]), Math.max(e64[1], e[1])];
        }
        const { P, V } = paramsToTensors(params);
        const out = lsaReadoutTf(P, V, H, n, m);
        const got = (await out.array()) as number[][];
        tf.dispose([P, V, out]);
        inst.forEach((x, b) => {
          const e = errors(got[b], x.target);
          e32 = [Math.max(e32[0], e[0]), Math.max(e32[1], e[1])];
        });
        for (const [precision, e] of [["float64", e64], ["float32 (tfjs)", e32]] as const) {
          rows.push({
            algorithm: alg,
            variant,
            precision,
            sweep,
            n,
            d,
            maxAbsErr: e[0],
            relErr: e[1],
          });
        }
      }
      H.dispose();
      await reportProgress(hooks, "construction check", ++done, total);
    }
  }
  return rows;
}

/**
 * Run the construction check and return a tidy table (one row per algorithm × variant × precision ×
 * grid point). Deterministic given `cfg.seed`.
 *
 * @example
 * ```ts
 * import { constructionCheck, DEFAULT_CONSTRUCTION_CHECK } from "./construction_grid.ts";
 * const rows = await constructionCheck({ ...DEFAULT_CONSTRUCTION_CHECK, ns: [5], ds: [4], trials: 2 });
 * rows.length; // 3 algorithms × 2 grid points × 5 variants × 2 precisions = 60
 * ```
 */
export async function constructionCheck(
  cfg: ConstructionCheckConfig = DEFAULT_CONSTRUCTION_CHECK,
): Promise<ConstructionErrorRow[]> {
  validateGrid(cfg, Object.keys(DEFAULT_CONSTRUCTION_CHECK));
  return await checkGrid(cfg);
}
