/**
 * Soft LinUCB ([LBM24] §4.1, its Theorem "Approximating the soft LinUCB" and Lemma "Approximation
 * of the ridge estimator"; MATH §10.6): the algorithm in float64, and the transformer that
 * implements it with explicit weights.
 *
 * Soft LinUCB(τ) at step t plays arm k with probability `softmax(v⋆/τ)_k`,
 * `v⋆_k = ⟨w_ridge, a_{t,k}⟩ + α √(a_{t,k}ᵀ A_t⁻¹ a_{t,k})`, `A_t = λI + Σ_{j<t} a_j a_jᵀ`,
 * `w_ridge = A_t⁻¹ Σ_{j<t} r_j a_j`. The transformer (paper's pipeline, on the action-set token
 * `h_{2t−1}`):
 *
 * 1. **ridge** — `ridgeSteps` layers of AGD (or GD) on `L(w) = (1/i)[½ wᵀA_t w − ⟨w, Σ r a⟩]`,
 *    i = 2t − 1: 4 heads + 4d hidden units per layer (GD: 3 heads, no MLP);
 * 2. **inverse** — `inverseSteps` layers of AGD (GD) on `L_k(x) = (1/i)[½ xᵀA_t x − ⟨x, a_{t,k}⟩]`
 *    for every arm at once: 4A heads + 4dA hidden units;
 * 3. **bonus** — one layer whose 4A heads read `⟨ŵ, a_{t,k}⟩` and `⟨a_{t,k}, x̂_k⟩` off the own
 *    token (positional threshold Ψ) and whose MLP is our ReLU interpolant of √ on the paper's
 *    range `[b_a²/(2T(B_a² + λ)), 2B_a²/λ]` (knots of `sqrtInterpolant`), then one MLP layer
 *    writing `(⟨ŵ, a⟩ + α·√̃(·))/τ` into the logits.
 *
 * Exact parts: every attention/MLP layer computes its GD/AGD step, inner product and linear map
 * exactly (float rounding only). Approximate parts: the finite number of AGD steps (error bound:
 * the paper's Proposition on AGD) and the √ interpolant (error ≤ `sqrtTol`).
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import type { BanditEnvs } from "../bandits/env.ts";
import { HistoryPolicy } from "./policy.ts";
import {
  agdHeads,
  agdMlpUnits,
  gradientHeads,
  MlpBuilder,
  type PiecewiseLinear,
  piecewiseUnits,
  type PositionCoords,
  type Quadratic,
  sqrtInterpolant,
} from "./blocks.ts";
import { ConstructionParameterError } from "./errors.ts";
import { type BanditLayout, finishBanditLayout, type Slot, startBanditLayout } from "./layout.ts";
import { type BanditHistory, gram, ridge, softmax, solveSym } from "./reference.ts";
import { sparse } from "./sparse.ts";
import type { AttentionHead, ConstructedTransformer, TfLayer } from "./transformer.ts";

/** Every parameter of the soft LinUCB construction. */
export interface SoftLinUCBSpec {
  /** Arm dimension d. */
  dim: number;
  /** Arms A. */
  numArms: number;
  /** Horizon T the transformer is built for (tokens 1 … 2T). */
  horizon: number;
  /** Ridge λ. */
  lambda: number;
  /** Bonus coefficient α. */
  alpha: number;
  /** Soft-argmax temperature τ > 0. */
  tau: number;
  /** B_a: bound on ‖a‖₂ (cube arms in d = 5: √5). Sets the step size η = 1/(B_a² + λ). */
  armNorm: number;
  /** b_a: lower bound on ‖a‖₂; the √ interpolant starts at the paper's `b_a²/(2T(B_a² + λ))`. */
  armMin: number;
  /** B_w: bound on ‖w⋆‖₂ (enters Ψ). */
  paramNorm: number;
  /** σ̄: bound on |reward noise| (enters Ψ). */
  noiseBound: number;
  /** "agd" (the paper's Theorem) or "gd" (its Lemma, part 1). */
  method: "agd" | "gd";
  /** Layers of step 1 (ridge). */
  ridgeSteps: number;
  /** Layers of step 2 (A_t⁻¹ a_{t,k}). */
  inverseSteps: number;
  /** Largest error of the √ interpolant on [0, 2B_a²/λ]. */
  sqrtTol: number;
}

/** Coordinates of one GD/AGD instance (xb, v absent for GD). */
export interface IterateSlots {
  /** The iterate. */
  x: Slot;
  /** Previous iterate (AGD). */
  xb: Slot | null;
  /** Look-ahead (AGD). */
  v: Slot | null;
}

/** The built transformer and everything needed to read and check it. */
export interface SoftLinUCBConstruction {
  /** The spec it was built from. */
  spec: SoftLinUCBSpec;
  /** The transformer. */
  tf: ConstructedTransformer;
  /** The token layout. */
  layout: BanditLayout;
  /** Step 1's iterate (ŵ in `w.x`). */
  w: IterateSlots;
  /** Step 2's iterates, one per arm (x̂_k ≈ A_t⁻¹ a_{t,k} in `x[k].x`). */
  x: IterateSlots[];
  /** Step 3: `⟨ŵ, a_{t,k}⟩`. */
  val: Slot;
  /** Step 3: `⟨a_{t,k}, x̂_k⟩`. */
  vala: Slot;
  /** Step 3: `√̃(vala)`. */
  sq: Slot;
  /** Step size η = 1/(B_a² + λ). */
  eta: number;
  /** Condition number bound κ = 2T(B_a² + λ)/λ. */
  kappa: number;
  /** Momentum β = (√κ − 1)/(√κ + 1) (0 for GD). */
  beta: number;
  /** The √ interpolant. */
  sqrt: PiecewiseLinear;
  /** Positional threshold Ψ of the bonus heads. */
  psi: number;
  /** Layer index ranges [start, end) of the three steps. */
  steps: { ridge: [number, number]; inverse: [number, number]; bonus: [number, number] };
}

/**
 * Check a spec (integers ≥ 1, positive reals, known method); throws a
 * {@linkcode ConstructionParameterError} naming the field.
 *
 * @example
 * ```ts
 * import { LINUCB_CONSTRUCTION, validateSoftLinUCBSpec } from "./linucb.ts";
 * validateSoftLinUCBSpec(LINUCB_CONSTRUCTION);
 * ```
 */
export function validateSoftLinUCBSpec(s: SoftLinUCBSpec): SoftLinUCBSpec {
  for (const k of ["dim", "numArms", "horizon"] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 1)) {
      throw new ConstructionParameterError(`soft LinUCB ${k} must be an integer ≥ 1, got ${s[k]}`);
    }
  }
  for (const k of ["ridgeSteps", "inverseSteps"] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 0)) {
      throw new ConstructionParameterError(`soft LinUCB ${k} must be an integer ≥ 0, got ${s[k]}`);
    }
  }
  for (
    const k of ["lambda", "tau", "armNorm", "armMin", "paramNorm", "noiseBound", "sqrtTol"] as const
  ) {
    if (!(s[k] > 0 && Number.isFinite(s[k]))) {
      throw new ConstructionParameterError(`soft LinUCB ${k} must be > 0, got ${s[k]}`);
    }
  }
  if (!(s.alpha >= 0 && Number.isFinite(s.alpha))) {
    throw new ConstructionParameterError(`soft LinUCB alpha must be ≥ 0, got ${s.alpha}`);
  }
  if (s.method !== "agd" && s.method !== "gd") {
    throw new ConstructionParameterError(
      `soft LinUCB method must be "agd" or "gd", got ${s.method}`,
    );
  }
  return s;
}

/** Notebook 07's linear bandit (d = 5, A = 10, T = 200, λ = 1, α = 2, σ = 1.5) as a default spec. */
export const LINUCB_CONSTRUCTION: Readonly<SoftLinUCBSpec> = Object.freeze({
  dim: 5,
  numArms: 10,
  horizon: 200,
  lambda: 1,
  alpha: 2,
  tau: 0.05,
  armNorm: Math.sqrt(5),
  armMin: 0.1,
  paramNorm: Math.sqrt(5),
  noiseBound: 9,
  method: "agd" as const,
  ridgeSteps: 400,
  inverseSteps: 400,
  sqrtTol: 1e-7,
});

function iterateSlots(L: BanditLayout, name: string, agd: boolean): IterateSlots {
  const x = L.layout.alloc(`${name}.x`, L.d);
  return agd
    ? { x, xb: L.layout.alloc(`${name}.xb`, L.d), v: L.layout.alloc(`${name}.v`, L.d) }
    : { x, xb: null, v: null };
}

const coords = (s: Slot) => Array.from({ length: s.size }, (_, k) => s.offset + k);

/**
 * Build the soft LinUCB transformer (module doc; MATH §10.6).
 *
 * @example
 * ```ts
 * import { buildSoftLinUCB, LINUCB_CONSTRUCTION } from "./linucb.ts";
 * const con = buildSoftLinUCB({ ...LINUCB_CONSTRUCTION, horizon: 10, ridgeSteps: 20, inverseSteps: 20 });
 * con.tf.layers.length; // 20 + 20 + 2
 * ```
 */
export function buildSoftLinUCB(spec: SoftLinUCBSpec): SoftLinUCBConstruction {
  validateSoftLinUCBSpec(spec);
  const { dim: d, numArms: A, horizon: T, lambda, alpha, tau } = spec;
  const agd = spec.method === "agd";
  const start = startBanditLayout(d, A, T);
  const Lw = start as BanditLayout; // slots are allocated before the position closes the layout
  const w = iterateSlots(Lw, "w", agd);
  const x = Array.from({ length: A }, (_, k) => iterateSlots(Lw, `x${k}`, agd));
  const val = start.layout.alloc("val", A);
  const vala = start.layout.alloc("vala", A);
  const sq = start.layout.alloc("sq", A);
  const L = finishBanditLayout(start);
  const D = L.layout.D;
  const P: PositionCoords = { D, i: L.i.offset, i2: L.i2.offset, one: L.one.offset };
  const B2 = spec.armNorm * spec.armNorm;
  const eta = 1 / (B2 + lambda);
  const kappa = (2 * T * (B2 + lambda)) / lambda;
  const beta = agd ? (Math.sqrt(kappa) - 1) / (Math.sqrt(kappa) + 1) : 0;
  const dataA = coords(L.a);
  const layers: TfLayer[] = [];

  // Step 1: ridge regression in context.
  const qRidge: Quadratic = { dataA, dataR: L.r.offset, cI: lambda, cA: 1, cR: 1, u: null };
  const ridgeLayer = (): TfLayer => {
    if (!agd) {
      return {
        name: "ridge GD",
        heads: gradientHeads(P, qRidge, coords(w.x), coords(w.x), eta),
        mlp: null,
      };
    }
    const c = { x: coords(w.x), xb: coords(w.xb!), v: coords(w.v!) };
    const mlp = new MlpBuilder(D);
    agdMlpUnits(mlp, c, beta);
    return { name: "ridge AGD", heads: agdHeads(P, qRidge, c, eta), mlp: mlp.build() };
  };
  if (spec.ridgeSteps > 0) {
    const layer = ridgeLayer();
    for (let s = 0; s < spec.ridgeSteps; s++) layers.push(layer);
  }
  const ridgeEnd = layers.length;

  // Step 2: A_t⁻¹ a_{t,k} for every arm.
  if (spec.inverseSteps > 0) {
    const heads: AttentionHead[] = [];
    const mlp = new MlpBuilder(D);
    for (let k = 0; k < A; k++) {
      const u = { coords: coords(L.arms).slice(k * d, (k + 1) * d), coef: 1 };
      const q: Quadratic = { dataA, dataR: null, cI: lambda, cA: 1, cR: 0, u };
      if (agd) {
        const c = { x: coords(x[k].x), xb: coords(x[k].xb!), v: coords(x[k].v!) };
        heads.push(...agdHeads(P, q, c, eta));
        agdMlpUnits(mlp, c, beta);
      } else heads.push(...gradientHeads(P, q, coords(x[k].x), coords(x[k].x), eta));
    }
    const layer: TfLayer = { name: agd ? "inverse AGD" : "inverse GD", heads, mlp: mlp.build() };
    for (let s = 0; s < spec.inverseSteps; s++) layers.push(layer);
  }
  const inverseEnd = layers.length;

  // Step 3: ⟨ŵ, a_{t,k}⟩, ⟨a_{t,k}, x̂_k⟩ off the own token, √ by the MLP, then the logits.
  const psi = Math.ceil(
    (T * B2 * (spec.armNorm * spec.paramNorm + spec.noiseBound)) / lambda + (2 * B2) / lambda,
  );
  const heads: AttentionHead[] = [];
  for (let k = 0; k < A; k++) {
    const armK = coords(L.arms).slice(k * d, (k + 1) * d);
    // rows 0, 1: the positional threshold (they cancel exactly at j = i, before the product is added)
    const K = sparse(D, D, [
      [0, P.one, -psi],
      [1, P.i, psi],
      ...armK.map((c, r) => [2 + r, c, 1] as [number, number, number]),
    ]);
    for (const [src, out] of [[coords(w.x), val.offset + k], [coords(x[k].x), vala.offset + k]]) {
      for (const sign of [1, -1]) {
        const Q = sparse(D, D, [
          [0, P.i, 1],
          [1, P.one, 1],
          ...(src as number[]).map((c, r) => [2 + r, c, sign] as [number, number, number]),
        ]);
        heads.push({ Q, K, V: sparse(D, D, [[out as number, P.i, sign]]), window: 0 });
      }
    }
  }
  const xMin = (spec.armMin * spec.armMin) / (2 * T * (B2 + lambda));
  const sqrt = sqrtInterpolant(spec.sqrtTol, xMin, (2 * B2) / lambda);
  const mlp1 = new MlpBuilder(D);
  for (let k = 0; k < A; k++) piecewiseUnits(mlp1, sqrt, vala.offset + k, sq.offset + k, P.one);
  layers.push({ name: "bonus: products, √", heads, mlp: mlp1.build() });
  const mlp2 = new MlpBuilder(D);
  for (let k = 0; k < A; k++) {
    mlp2.linear([[val.offset + k, 1 / tau], [sq.offset + k, alpha / tau]], L.logits.offset + k);
  }
  layers.push({ name: "logits", heads: [], mlp: mlp2.build() });

  return {
    spec,
    tf: { D, layers, clip: Infinity, maxTokens: 2 * T },
    layout: L,
    w,
    x,
    val,
    vala,
    sq,
    eta,
    kappa,
    beta,
    sqrt,
    psi,
    steps: {
      ridge: [0, ridgeEnd],
      inverse: [ridgeEnd, inverseEnd],
      bonus: [inverseEnd, layers.length],
    },
  };
}

/**
 * The exact soft LinUCB quantities after `steps` observed steps (the action set `arms`, A × d):
 * ridge estimate, `A_t⁻¹ a_k`, `a_kᵀ A_t⁻¹ a_k`, and the logits `v⋆/τ`.
 *
 * @example
 * ```ts
 * import { softLinUCBExact } from "./linucb.ts";
 * const h = { d: 1, arms: new Float64Array([1]), rewards: new Float64Array([2]) };
 * softLinUCBExact([1, -1], h, 1, 1, 0, 1).logits; // [1, −1]: ridge 1, no bonus
 * ```
 */
export function softLinUCBExact(
  arms: ArrayLike<number>,
  history: BanditHistory,
  steps: number,
  lambda: number,
  alpha: number,
  tau: number,
): { ridge: Float64Array; inv: Float64Array[]; quad: Float64Array; logits: Float64Array } {
  if (!(tau > 0)) throw new ConstructionParameterError(`τ must be > 0, got ${tau}`);
  const d = history.d, A = arms.length / d;
  const w = ridge(history, steps, lambda);
  const G = gram(history, steps, lambda);
  const inv: Float64Array[] = [], quad = new Float64Array(A), logits = new Float64Array(A);
  for (let k = 0; k < A; k++) {
    const a = Array.from({ length: d }, (_, j) => arms[k * d + j]);
    const xk = solveSym(G, a, d);
    inv.push(xk);
    let m = 0, q = 0;
    for (let j = 0; j < d; j++) {
      m += w[j] * a[j];
      q += a[j] * xk[j];
    }
    quad[k] = q;
    logits[k] = (m + alpha * Math.sqrt(Math.max(q, 0))) / tau;
  }
  return { ridge: w, inv, quad, logits };
}

/**
 * Soft LinUCB(τ) as a batched bandit policy (exact float64; Sherman–Morrison-free: it keeps each
 * environment's history and solves at every step — T ≤ a few hundred). Arms are sampled from the
 * softmax by the inverse CDF with one uniform per step (common random numbers with the
 * transformer policy on the same streams). `hasProbs`: true.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
 * import { policyStreams } from "../bandits/policy.ts";
 * import { simulate } from "../bandits/simulate.ts";
 * import { SoftLinUCB } from "./linucb.ts";
 * const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 20 }, 1, 3);
 * simulate(envs, new SoftLinUCB(envs, policyStreams(1, "soft", 3), 1, 2, 0.05)).actions.length; // 60
 * ```
 */
export class SoftLinUCB extends HistoryPolicy {
  readonly name = "soft LinUCB";

  /** @param envs environments; @param rngs one stream per environment. */
  constructor(
    envs: BanditEnvs,
    rngs: Rng[],
    readonly lambda: number,
    readonly alpha: number,
    readonly tau: number,
  ) {
    super(envs, rngs);
    if (!(tau > 0)) throw new ConstructionParameterError(`τ must be > 0, got ${tau}`);
  }

  /** The exact action distribution of environment e given its history so far. */
  probs(e: number): Float64Array {
    const { history, steps, arms } = this.history(e);
    const ex = softLinUCBExact(arms, history, steps, this.lambda, this.alpha, this.tau);
    return softmax(ex.logits);
  }
}
