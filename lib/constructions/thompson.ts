/**
 * Thompson sampling for the linear bandit ([LBM24] §4.2, its Theorem "Approximating the Thompson
 * sampling" and proof; MATH §10.7): the algorithm in float64 and a transformer implementing it.
 *
 * With prior `N(0, λ_p I)` and noise variance σ², the posterior after t − 1 steps is
 * `N(μ_t, σ² Σ_t⁻¹)`, `Σ_t = λ̃I + Σ_{j<t} a_j a_jᵀ`, `λ̃ = σ²/λ_p`, `μ_t = Σ_t⁻¹ Σ r_j a_j`.
 * With a standard normal `z_t` the sample is `w̃ = μ_t + σ Σ_t^{−1/2} z_t`, and TS plays
 * `argmax_k u_k`, `u_k = ⟨μ_t, a_{t,k}⟩ + ⟨σ Σ_t^{−1/2} a_{t,k}, z_t⟩` (Σ^{−1/2} symmetric).
 *
 * The transformer follows the paper's steps 1–3: (1) μ̂ by AGD (ridge with λ̃); (2a) `(Σ_t − μI)a_{t,k}`
 * by attention and a "multiply by i" layer; (2b) the Padé terms
 * `x_{kj} = (μ(1−b_j)I + b_jΣ_t)⁻¹ a_j (Σ_t − μI) a_{t,k}` by AGD; (2c) `ŝ_k = √μ (a_{t,k} + Σ_j x_{kj})
 * ≈ Σ_t^{1/2} a_{t,k}` by an MLP (linear); (3) `x̂_k ≈ σΣ_t⁻¹ ŝ_k = σΣ_t^{−1/2} a_{t,k}` by AGD.
 * The paper's step 4 needs an MLP that approximates the log-probability of each arm being the
 * argmax (its Assumption on "approximability by sum of relus") — an existence assumption with no
 * construction. We replace it (MATH §10.7): the standard normal `z_t` **enters through the
 * action-set token** (a `noise` slot of part d), one attention layer computes
 * `u_k = ⟨μ̂, a_{t,k}⟩ + ⟨x̂_k, z_t⟩` exactly (the paper's own product heads), and the logits are
 * `u_k/τ`. Given `z_t` the transformer is soft TS(τ); as τ → 0 it is TS.
 *
 * Step sizes: the paper uses η = 1/(B_a² + λ̃) for every Padé term, but `L_{kj}` is
 * `(μ(1−b_j) + b_j λ̃)`-smooth at position 1 (μ ≫ B_a² + λ̃), so that step diverges
 * (`padeStep: "paper"` reproduces it); `padeStep: "per-term"` uses
 * `η_j = 1/(μ(1−b_j) + b_j(B_a² + λ̃))` and its own κ_j, β_j.
 *
 * @module
 */

import { symmetricEigenQL } from "../core/eigen.ts";
import type { Rng } from "../core/rng.ts";
import type { BanditEnvs } from "../bandits/env.ts";
import { HistoryPolicy } from "./policy.ts";
import {
  agdHeads,
  agdMlpUnits,
  gradientHeads,
  MlpBuilder,
  multiplierConstant,
  type PositionCoords,
  type Quadratic,
  selfMultiplyQK,
  selfSelectQK,
} from "./blocks.ts";
import { ConstructionParameterError } from "./errors.ts";
import { type BanditLayout, finishBanditLayout, type Slot, startBanditLayout } from "./layout.ts";
import type { IterateSlots } from "./linucb.ts";
import { type BanditHistory, gram, ridge, softmax, solveSym } from "./reference.ts";
import { sparse } from "./sparse.ts";
import type { AttentionHead, ConstructedTransformer, TfLayer } from "./transformer.ts";

/** Every parameter of the Thompson-sampling construction. */
export interface ThompsonSpec {
  /** Arm dimension d. */
  dim: number;
  /** Arms A. */
  numArms: number;
  /** Horizon T built for. */
  horizon: number;
  /** Prior variance λ_p (paper's λ; notebook 07: 1). */
  priorVar: number;
  /** Noise variance σ² (notebook 07: 2.25). */
  noiseVar: number;
  /** Soft-argmax temperature τ > 0. */
  tau: number;
  /** B_a: bound on ‖a‖₂. */
  armNorm: number;
  /** B_w: bound on ‖w⋆‖₂ (enters Ψ). */
  paramNorm: number;
  /** Bound on |reward noise| (enters Ψ). */
  noiseBound: number;
  /** Bound on ‖z_t‖∞ of the sampling noise (enters Ψ). */
  zBound: number;
  /** Padé terms m. */
  padeTerms: number;
  /** Step sizes of the Padé AGD: the paper's single η (diverges) or per-term η_j. */
  padeStep: "paper" | "per-term";
  /** AGD layers of step 1 (μ̂). */
  meanSteps: number;
  /** AGD layers of step 2b (Padé terms). */
  padeSteps: number;
  /** AGD layers of step 3 (Σ⁻¹ŝ). */
  inverseSteps: number;
}

/** The built transformer and its slots. */
export interface ThompsonConstruction {
  /** The spec. */
  spec: ThompsonSpec;
  /** The transformer. */
  tf: ConstructedTransformer;
  /** Token layout. */
  layout: BanditLayout;
  /** Input slot of z_t (d) in the action-set token. */
  noise: Slot;
  /** Step 1: μ̂. */
  mean: IterateSlots;
  /** Step 2a: (Σ − μI)a_k / i, then (Σ − μI)a_k. */
  yScaled: Slot[];
  /** Step 2a output. */
  y: Slot[];
  /** Step 2b: x_{kj} (index k·m + j). */
  pade: IterateSlots[];
  /** Step 2c: ŝ_k ≈ Σ^{1/2} a_k. */
  s: Slot[];
  /** Step 3: x̂_k ≈ σ Σ^{−1/2} a_k. */
  xhat: IterateSlots[];
  /** Step 4′: u_k. */
  u: Slot;
  /** λ̃ = σ²/λ_p. */
  lambdaTilde: number;
  /** Padé centre μ = √(λ̃ T (B_a² + λ̃)). */
  mu: number;
  /** Padé weights a_j, b_j. */
  padeA: Float64Array;
  padeB: Float64Array;
  /** Step sizes and momenta: ridge/inverse (η, β), and per Padé term. */
  eta: number;
  beta: number;
  padeEta: Float64Array;
  padeBeta: Float64Array;
  /** Positional threshold Ψ of the product heads. */
  psi: number;
  /** Layer ranges of the steps. */
  steps: Record<"mean" | "shift" | "pade" | "combine" | "inverse" | "sample", [number, number]>;
}

/** Notebook 07's linear bandit with its TS (prior N(0, I), σ² = 2.25) as a default spec. */
export const THOMPSON_CONSTRUCTION: Readonly<ThompsonSpec> = Object.freeze({
  dim: 5,
  numArms: 10,
  horizon: 200,
  priorVar: 1,
  noiseVar: 2.25,
  tau: 0.05,
  armNorm: Math.sqrt(5),
  paramNorm: Math.sqrt(5),
  noiseBound: 9,
  zBound: 6,
  padeTerms: 12,
  padeStep: "per-term" as const,
  meanSteps: 300,
  padeSteps: 300,
  inverseSteps: 300,
});

/**
 * Check a spec; throws a {@linkcode ConstructionParameterError} naming the field.
 *
 * @example
 * ```ts
 * import { THOMPSON_CONSTRUCTION, validateThompsonSpec } from "./thompson.ts";
 * validateThompsonSpec(THOMPSON_CONSTRUCTION);
 * ```
 */
export function validateThompsonSpec(s: ThompsonSpec): ThompsonSpec {
  for (const k of ["dim", "numArms", "horizon", "padeTerms"] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 1)) {
      throw new ConstructionParameterError(`TS ${k} must be an integer ≥ 1, got ${s[k]}`);
    }
  }
  for (const k of ["meanSteps", "padeSteps", "inverseSteps"] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 0)) {
      throw new ConstructionParameterError(`TS ${k} must be an integer ≥ 0, got ${s[k]}`);
    }
  }
  for (
    const k of [
      "priorVar",
      "noiseVar",
      "tau",
      "armNorm",
      "paramNorm",
      "noiseBound",
      "zBound",
    ] as const
  ) {
    if (!(s[k] > 0 && Number.isFinite(s[k]))) {
      throw new ConstructionParameterError(`TS ${k} must be > 0, got ${s[k]}`);
    }
  }
  if (s.padeStep !== "paper" && s.padeStep !== "per-term") {
    throw new ConstructionParameterError(
      `TS padeStep must be "paper" or "per-term", got ${s.padeStep}`,
    );
  }
  return s;
}

/**
 * The Padé weights of the paper's decomposition of √: `a_j = 2/(2m+1)·sin²(jπ/(2m+1))`,
 * `b_j = cos²(jπ/(2m+1))`, j = 1 … m.
 *
 * @example
 * ```ts
 * import { padeWeights } from "./thompson.ts";
 * padeWeights(1).a; // [0.5]: √(1+x) ≈ 1 + (x/2)/(1 + x/4)
 * ```
 */
export function padeWeights(m: number): { a: Float64Array; b: Float64Array } {
  const a = new Float64Array(m), b = new Float64Array(m);
  for (let j = 1; j <= m; j++) {
    const th = (j * Math.PI) / (2 * m + 1);
    a[j - 1] = (2 / (2 * m + 1)) * Math.sin(th) ** 2;
    b[j - 1] = Math.cos(th) ** 2;
  }
  return { a, b };
}

const coords = (s: Slot) => Array.from({ length: s.size }, (_, k) => s.offset + k);

function iterate(L: BanditLayout, name: string): IterateSlots {
  return {
    x: L.layout.alloc(`${name}.x`, L.d),
    xb: L.layout.alloc(`${name}.xb`, L.d),
    v: L.layout.alloc(`${name}.v`, L.d),
  };
}

/**
 * Build the Thompson-sampling transformer (module doc; MATH §10.7).
 *
 * @example
 * ```ts
 * import { buildThompson, THOMPSON_CONSTRUCTION } from "./thompson.ts";
 * const con = buildThompson({ ...THOMPSON_CONSTRUCTION, horizon: 5, padeTerms: 2, meanSteps: 3, padeSteps: 3, inverseSteps: 3 });
 * con.tf.layers.length; // 3 + 2 + 3 + 1 + 3 + 1
 * ```
 */
export function buildThompson(spec: ThompsonSpec): ThompsonConstruction {
  validateThompsonSpec(spec);
  const { dim: d, numArms: A, horizon: T, padeTerms: m, tau } = spec;
  const start = startBanditLayout(d, A, T);
  const Lw = start as BanditLayout;
  const noise = start.layout.alloc("noise", d);
  const mean = iterate(Lw, "mean");
  const yScaled = Array.from({ length: A }, (_, k) => start.layout.alloc(`y/i${k}`, d));
  const y = Array.from({ length: A }, (_, k) => start.layout.alloc(`y${k}`, d));
  const pade: IterateSlots[] = [];
  for (let k = 0; k < A; k++) for (let j = 0; j < m; j++) pade.push(iterate(Lw, `pade${k}.${j}`));
  const s = Array.from({ length: A }, (_, k) => start.layout.alloc(`s${k}`, d));
  const xhat = Array.from({ length: A }, (_, k) => iterate(Lw, `xhat${k}`));
  const u = start.layout.alloc("u", A);
  const L = finishBanditLayout(start);
  const D = L.layout.D;
  const P: PositionCoords = { D, i: L.i.offset, i2: L.i2.offset, one: L.one.offset };
  const B2 = spec.armNorm ** 2;
  const lt = spec.noiseVar / spec.priorVar;
  const sigma = Math.sqrt(spec.noiseVar);
  const mu = Math.sqrt(lt * T * (B2 + lt));
  const { a: padeA, b: padeB } = padeWeights(m);
  const eta = 1 / (B2 + lt);
  const kappa = (2 * T * (B2 + lt)) / lt;
  const betaOf = (k: number) => (Math.sqrt(k) - 1) / (Math.sqrt(k) + 1);
  const beta = betaOf(kappa);
  const padeEta = new Float64Array(m), padeBeta = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const cI = mu * (1 - padeB[j]) + padeB[j] * lt;
    if (spec.padeStep === "paper") {
      padeEta[j] = eta;
      padeBeta[j] = beta;
    } else {
      const smooth = mu * (1 - padeB[j]) + padeB[j] * (B2 + lt);
      padeEta[j] = 1 / smooth;
      padeBeta[j] = betaOf(Math.max(1, (2 * T * smooth) / cI));
    }
  }
  const dataA = coords(L.a);
  const armK = (k: number) => coords(L.arms).slice(k * d, (k + 1) * d);
  const layers: TfLayer[] = [];
  const agdLayer = (name: string, blocks: [Quadratic, IterateSlots, number, number][]): TfLayer => {
    const heads: AttentionHead[] = [];
    const mlp = new MlpBuilder(D);
    for (const [q, it, et, be] of blocks) {
      const c = { x: coords(it.x), xb: coords(it.xb!), v: coords(it.v!) };
      heads.push(...agdHeads(P, q, c, et));
      agdMlpUnits(mlp, c, be);
    }
    return { name, heads, mlp: mlp.build() };
  };
  const repeat = (layer: TfLayer, n: number) => {
    for (let r = 0; r < n; r++) layers.push(layer);
  };

  // 1. μ̂: ridge with λ̃.
  const mark0 = layers.length;
  if (spec.meanSteps > 0) {
    const q: Quadratic = { dataA, dataR: L.r.offset, cI: lt, cA: 1, cR: 1, u: null };
    repeat(agdLayer("mean AGD", [[q, mean, eta, beta]]), spec.meanSteps);
  }
  const mark1 = layers.length;
  // 2a. (Σ − μI)a_k / i by a sign pair and a self head, then × i.
  {
    const heads: AttentionHead[] = [];
    for (let k = 0; k < A; k++) {
      const q: Quadratic = { dataA, dataR: null, cI: 0, cA: 1, cR: 0, u: null };
      // gradientHeads with η = −1 at a_{t,k}: adds (1/i)(Σ_j a_j a_jᵀ) a_{t,k}; the self head adds 0
      const [pair, negPair] = gradientHeads(P, q, armK(k), coords(yScaled[k]), 1).map((h) => ({
        ...h,
        V: { ...h.V, values: h.V.values.map((v) => -v) },
      }));
      const sel = selfSelectQK(P);
      const selfV = sparse(D, D, armK(k).map((c, r) => [yScaled[k].offset + r, c, lt - mu]));
      heads.push(pair, negPair, { Q: sel.Q, K: sel.K, V: selfV, window: 0 });
    }
    layers.push({ name: "(Σ − μI)a / i", heads, mlp: null });
    const mul = selfMultiplyQK(P, multiplierConstant(2 * T));
    const V = sparse(
      D,
      D,
      Array.from({ length: A * d }, (_, n) => {
        const k = Math.floor(n / d), r = n % d;
        return [y[k].offset + r, yScaled[k].offset + r, 1] as [number, number, number];
      }),
    );
    layers.push({ name: "× i", heads: [{ Q: mul.Q, K: mul.K, V, window: 0 }], mlp: null });
  }
  const mark2 = layers.length;
  // 2b. Padé terms by AGD.
  if (spec.padeSteps > 0) {
    const blocks: [Quadratic, IterateSlots, number, number][] = [];
    for (let k = 0; k < A; k++) {
      for (let j = 0; j < m; j++) {
        const q: Quadratic = {
          dataA,
          dataR: null,
          cI: mu * (1 - padeB[j]) + padeB[j] * lt,
          cA: padeB[j],
          cR: 0,
          u: { coords: coords(y[k]), coef: padeA[j] },
        };
        blocks.push([q, pade[k * m + j], padeEta[j], padeBeta[j]]);
      }
    }
    repeat(agdLayer("Padé AGD", blocks), spec.padeSteps);
  }
  const mark3 = layers.length;
  // 2c. ŝ_k = √μ (a_k + Σ_j x_kj) by a linear MLP.
  {
    const mlp = new MlpBuilder(D);
    const r = Math.sqrt(mu);
    for (let k = 0; k < A; k++) {
      for (let c = 0; c < d; c++) {
        const inputs: [number, number][] = [[armK(k)[c], r]];
        for (let j = 0; j < m; j++) inputs.push([pade[k * m + j].x.offset + c, r]);
        mlp.linear(inputs, s[k].offset + c);
      }
    }
    layers.push({ name: "Σ^{1/2} a (Padé sum)", heads: [], mlp: mlp.build() });
  }
  const mark4 = layers.length;
  // 3. x̂_k = σ Σ⁻¹ ŝ_k by AGD.
  if (spec.inverseSteps > 0) {
    const blocks: [Quadratic, IterateSlots, number, number][] = [];
    for (let k = 0; k < A; k++) {
      const q: Quadratic = {
        dataA,
        dataR: null,
        cI: lt,
        cA: 1,
        cR: 0,
        u: { coords: coords(s[k]), coef: sigma },
      };
      blocks.push([q, xhat[k], eta, beta]);
    }
    repeat(agdLayer("Σ⁻¹ŝ AGD", blocks), spec.inverseSteps);
  }
  const mark5 = layers.length;
  // 4′. u_k = ⟨μ̂, a_k⟩ + ⟨x̂_k, z⟩ off the own token, logits u/τ.
  const muBound = (T * B2 * (spec.armNorm * spec.paramNorm + spec.noiseBound)) / lt;
  const xBound = (sigma * spec.armNorm) / Math.sqrt(lt);
  const psi = Math.ceil(
    Math.max(muBound * spec.armNorm, xBound * spec.zBound * Math.sqrt(d)) + 1,
  );
  const heads: AttentionHead[] = [];
  for (let k = 0; k < A; k++) {
    for (
      const [src, keyCoords] of [[coords(mean.x), armK(k)], [coords(xhat[k].x), coords(noise)]]
    ) {
      const K = sparse(D, D, [
        [0, P.one, -psi],
        [1, P.i, psi],
        ...keyCoords.map((c, r) => [2 + r, c, 1] as [number, number, number]),
      ]);
      for (const sign of [1, -1]) {
        const Q = sparse(D, D, [
          [0, P.i, 1],
          [1, P.one, 1],
          ...src.map((c, r) => [2 + r, c, sign] as [number, number, number]),
        ]);
        heads.push({ Q, K, V: sparse(D, D, [[u.offset + k, P.i, sign]]), window: 0 });
      }
    }
  }
  const mlp = new MlpBuilder(D);
  for (let k = 0; k < A; k++) mlp.linear([[u.offset + k, 1 / tau]], L.logits.offset + k);
  layers.push({ name: "sample values u, logits u/τ", heads, mlp: mlp.build() });
  return {
    spec,
    tf: { D, layers, clip: Infinity, maxTokens: 2 * T },
    layout: L,
    noise,
    mean,
    yScaled,
    y,
    pade,
    s,
    xhat,
    u,
    lambdaTilde: lt,
    mu,
    padeA,
    padeB,
    eta,
    beta,
    padeEta,
    padeBeta,
    psi,
    steps: {
      mean: [mark0, mark1],
      shift: [mark1, mark2],
      pade: [mark2, mark3],
      combine: [mark3, mark4],
      inverse: [mark4, mark5],
      sample: [mark5, layers.length],
    },
  };
}

/**
 * `M^{1/2}` and `M^{−1/2}` of a symmetric positive definite d × d matrix (eigen-decomposition).
 *
 * @example
 * ```ts
 * import { symmetricRoots } from "./thompson.ts";
 * symmetricRoots(new Float64Array([4, 0, 0, 9]), 2).sqrt; // [2, 0, 0, 3]
 * ```
 */
export function symmetricRoots(
  M: Float64Array,
  d: number,
): { sqrt: Float64Array; invSqrt: Float64Array } {
  const { values, vectors } = symmetricEigenQL(M, d);
  const sqrt = new Float64Array(d * d), invSqrt = new Float64Array(d * d);
  for (let e = 0; e < d; e++) {
    if (!(values[e] > 0)) {
      throw new ConstructionParameterError(`matrix not positive definite: ${values[e]}`);
    }
    const r = Math.sqrt(values[e]);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        const p = vectors[a * d + e] * vectors[b * d + e];
        sqrt[a * d + b] += r * p;
        invSqrt[a * d + b] += p / r;
      }
    }
  }
  return { sqrt, invSqrt };
}

/**
 * The exact TS quantities after `steps` steps, for the action set `arms` (A × d) and the noise z:
 * posterior mean μ, `Σ^{1/2} a_k`, `σ Σ^{−1/2} a_k`, the sample values u_k, and the logits u/τ;
 * plus the Padé approximation `√μ (a_k + Σ_j x_kj)` with exact inverses (its truncation error).
 *
 * @example
 * ```ts
 * import { thompsonExact } from "./thompson.ts";
 * const h = { d: 1, arms: new Float64Array([1]), rewards: new Float64Array([1]) };
 * thompsonExact([1, 2], h, 1, [0], 1, 1, 0.1, 2, 3).u; // [μ, 2μ] with μ = 1/2 (z = 0)
 * ```
 */
export function thompsonExact(
  arms: ArrayLike<number>,
  history: BanditHistory,
  steps: number,
  z: ArrayLike<number>,
  priorVar: number,
  noiseVar: number,
  tau: number,
  padeTerms: number,
  mu: number,
): {
  mean: Float64Array;
  sqrtA: Float64Array[];
  padeSqrtA: Float64Array[];
  xhat: Float64Array[];
  u: Float64Array;
  logits: Float64Array;
} {
  if (!(tau > 0)) throw new ConstructionParameterError(`τ must be > 0, got ${tau}`);
  const d = history.d, A = arms.length / d;
  const lt = noiseVar / priorVar, sigma = Math.sqrt(noiseVar);
  const mean = ridge(history, steps, lt);
  const S = gram(history, steps, lt);
  const { sqrt, invSqrt } = symmetricRoots(S, d);
  const { a: pa, b: pb } = padeWeights(padeTerms);
  const sqrtA: Float64Array[] = [], padeSqrtA: Float64Array[] = [], xhat: Float64Array[] = [];
  const u = new Float64Array(A), logits = new Float64Array(A);
  for (let k = 0; k < A; k++) {
    const a = Array.from({ length: d }, (_, c) => arms[k * d + c]);
    const sa = new Float64Array(d), xa = new Float64Array(d), yk = new Float64Array(d);
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) {
        sa[r] += sqrt[r * d + c] * a[c];
        xa[r] += sigma * invSqrt[r * d + c] * a[c];
        yk[r] += (S[r * d + c] - (r === c ? mu : 0)) * a[c];
      }
    }
    const ps = Float64Array.from(a);
    for (let j = 0; j < padeTerms; j++) {
      const G = new Float64Array(d * d);
      for (let n = 0; n < d * d; n++) G[n] = pb[j] * S[n];
      for (let r = 0; r < d; r++) G[r * d + r] += mu * (1 - pb[j]);
      const x = solveSym(G, yk.map((v) => pa[j] * v), d);
      for (let r = 0; r < d; r++) ps[r] += x[r];
    }
    for (let r = 0; r < d; r++) ps[r] *= Math.sqrt(mu);
    sqrtA.push(sa);
    padeSqrtA.push(ps);
    xhat.push(xa);
    let v = 0;
    for (let r = 0; r < d; r++) v += mean[r] * a[r] + xa[r] * z[r];
    u[k] = v;
    logits[k] = v / tau;
  }
  return { mean, sqrtA, padeSqrtA, xhat, u, logits };
}

/**
 * The per-environment, per-step standard normal `z_t` both TS policies share: environment e's
 * stream `rngs[e]`, d draws per step, in order (common random numbers).
 */
export class NoiseTape {
  private readonly tape: Float64Array[];

  /** Draw `horizon × d` normals per environment up front. */
  constructor(rngs: Rng[], readonly d: number, readonly horizon: number) {
    this.tape = rngs.map((r) => {
      const z = new Float64Array(horizon * d);
      for (let n = 0; n < z.length; n++) z[n] = r.normal();
      return z;
    });
  }

  /** z_t of environment e at step t (1-based). */
  at(e: number, t: number): Float64Array {
    return this.tape[e].subarray((t - 1) * this.d, t * this.d);
  }
}

/**
 * Thompson sampling with the sample written `w̃ = μ + σΣ^{−1/2}z` for the tape's z (exact,
 * float64), played softly: arm k with probability `softmax(u/τ)_k` (one uniform per step,
 * inverse CDF) — the algorithm the transformer implements. `tau: 0` plays the argmax (TS itself).
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "../bandits/env.ts";
 * import { policyStreams } from "../bandits/policy.ts";
 * import { simulate } from "../bandits/simulate.ts";
 * import { NoiseTape, SoftThompson } from "./thompson.ts";
 * const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 10 }, 1, 2);
 * const tape = new NoiseTape(policyStreams(2, "z", 2), 5, 10);
 * simulate(envs, new SoftThompson(envs, policyStreams(1, "ts", 2), tape, 1, 2.25, 0.05)).actions.length; // 20
 * ```
 */
export class SoftThompson extends HistoryPolicy {
  readonly name = "soft TS";

  /** @param tau temperature (0: argmax). */
  constructor(
    envs: BanditEnvs,
    rngs: Rng[],
    private readonly tape: NoiseTape,
    readonly priorVar: number,
    readonly noiseVar: number,
    readonly tau: number,
  ) {
    super(envs, rngs);
    if (!(tau >= 0)) throw new ConstructionParameterError(`τ must be ≥ 0, got ${tau}`);
  }

  /** The sample values u of environment e at its current step. */
  values(e: number): Float64Array {
    const { history, steps, arms } = this.history(e);
    const z = this.tape.at(e, steps + 1);
    return thompsonExact(arms, history, steps, z, this.priorVar, this.noiseVar, 1, 1, 1).u;
  }

  /** The action distribution of environment e: `softmax(u/τ)`, or one-hot on the argmax (τ = 0). */
  probs(e: number): Float64Array {
    const u = this.values(e);
    if (this.tau > 0) return softmax(u.map((v) => v / this.tau));
    const p = new Float64Array(this.numArms);
    let best = 0;
    for (let k = 1; k < this.numArms; k++) if (u[k] > u[best]) best = k;
    p[best] = 1;
    return p;
  }
}
