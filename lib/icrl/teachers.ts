/**
 * The teachers — the RL updates the attention block must imitate (MATH §3), in float64.
 *
 * @module
 */

import {
  type Features,
  type StateFeatures,
  validateFeatures,
  validateStateFeatures,
} from "../mdp/mdp.ts";
import { softmaxPolicy, softmaxScore } from "../mdp/policy.ts";
import { type Trajectory, validateTrajectory } from "../mdp/rollout.ts";
import { assertFiniteArray, assertNumber } from "../core/validate.ts";

/**
 * The teachers' step sizes (MATH §3): the critic / SARSA / TD(0) step α and the actor step β. The
 * one definition used by `TaskSpec` (training and evaluation) and the experiment configs.
 */
export interface StepSizes {
  /** Critic / SARSA / TD(0) step α (0.2). */
  alpha: number;
  /** Actor step β (0.2). */
  beta: number;
}

/** MATH §3 defaults: `α = β = 0.2`. */
export const DEFAULT_STEP_SIZES: Readonly<StepSizes> = Object.freeze({ alpha: 0.2, beta: 0.2 });

/**
 * Validate step sizes: α and β finite and ≥ 0. Throws naming the bad field (`${where}.alpha`);
 * returns them.
 *
 * @example
 * ```ts
 * import { validateStepSizes } from "./teachers.ts";
 * validateStepSizes({ alpha: 0.2, beta: 1 });
 * ```
 */
export function validateStepSizes<S extends StepSizes>(steps: S, where = ""): S {
  const pre = where ? `${where}.` : "";
  assertNumber(`${pre}alpha`, steps?.alpha, 0);
  assertNumber(`${pre}beta`, steps?.beta, 0);
  return steps;
}

/** Require an output buffer of at least `d` entries. */
function assertOut(out: Float64Array, d: number): void {
  if (!(out instanceof Float64Array) || out.length < d) {
    throw new RangeError(`out must be a Float64Array of length ≥ ${d}, got length ${out?.length}`);
  }
}

/** Throw if a teacher produced a non-finite entry (only possible from inputs mutated after validation). */
function assertFiniteOutput(what: string, out: ArrayLike<number>, d: number): void {
  for (let k = 0; k < d; k++) {
    if (!Number.isFinite(out[k])) {
      throw new RangeError(
        `${what}: update[${k}] = ${out[k]} is not finite (inputs changed after validation?)`,
      );
    }
  }
}

/**
 * Check the inputs every actor–critic computation shares: `feat` (φ, for the policy and its score)
 * and `sf` (ψ, for the critic) valid and over the same states, and `traj` a trajectory of their
 * MDP. Throws naming the mismatch.
 *
 * @example
 * ```ts
 * import { validateAcInputs } from "./teachers.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * validateAcInputs(rollout(mdp, uniformPolicy(3, 2), 0, 5, rng), feat, sf); // passes
 * ```
 */
export function validateAcInputs(traj: Trajectory, feat: Features, sf: StateFeatures): void {
  validateFeatures(feat);
  validateStateFeatures(sf);
  if (feat.nS !== sf.nS) {
    throw new RangeError(`features have |S|=${feat.nS} but state features have |S|=${sf.nS}`);
  }
  validateTrajectory(traj, feat.nS, feat.nA);
}

/** The checks both critic updates share, after their features and trajectory are validated. */
function checkCriticArgs(
  w: ArrayLike<number>,
  d: number,
  gamma: number,
  alpha: number,
  out: Float64Array,
): void {
  assertFiniteArray("w", w, d);
  assertNumber("gamma", gamma, 0, 0.999999);
  assertNumber("alpha", alpha);
  assertOut(out, d);
}

/**
 * Batch semi-gradient SARSA, one synchronous step with global `α/n` ([LL26] Eq. 2, MATH §3):
 * `δ_i = r_{i+1} + γ wᵀφ_i⁺ − wᵀφ_i`, `w' = w + (α/n) Σ_{i<n} δ_i φ_i`, with
 * `φ_i⁺ = φ(s_{i+1}, a_{i+1})` (the recorded next action).
 *
 * @example
 * ```ts
 * import { sarsaUpdate } from "./teachers.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const w1 = sarsaUpdate(traj, feat, [0.1, 0.2, 0.3, 0.4], 0.5, 0.2);
 * ```
 */
export function sarsaUpdate(
  traj: Trajectory,
  feat: Features,
  w: ArrayLike<number>,
  gamma: number,
  alpha: number,
  out: Float64Array = new Float64Array(feat.d),
): Float64Array {
  const { nS, nA, d, phi } = validateFeatures(feat);
  validateTrajectory(traj, nS, nA);
  checkCriticArgs(w, d, gamma, alpha, out);
  const n = traj.n;
  for (let k = 0; k < d; k++) out[k] = w[k];
  const step = alpha / n;
  for (let i = 0; i < n; i++) {
    const b = (traj.s[i] * nA + traj.a[i]) * d;
    const bp = (traj.s[i + 1] * nA + traj.a[i + 1]) * d;
    let q = 0, qp = 0;
    for (let k = 0; k < d; k++) {
      q += w[k] * phi[b + k];
      qp += w[k] * phi[bp + k];
    }
    const delta = traj.r[i] + gamma * qp - q;
    const c = step * delta;
    for (let k = 0; k < d; k++) out[k] += c * phi[b + k];
  }
  assertFiniteOutput("sarsaUpdate", out, d);
  return out;
}

/**
 * Batch TD(0) policy evaluation with a linear state-value critic `V_w(s) = wᵀψ(s)` (MATH §3):
 * `δ_i = r_{i+1} + γ wᵀψ(s_{i+1}) − wᵀψ(s_i)`, `w' = w + (α/n) Σ δ_i ψ(s_i)`.
 *
 * @example
 * ```ts
 * import { td0Update } from "./teachers.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const w1 = td0Update(traj, sf, [0.1, 0.2], 0.5, 0.2);
 * ```
 */
export function td0Update(
  traj: Trajectory,
  sf: StateFeatures,
  w: ArrayLike<number>,
  gamma: number,
  alpha: number,
  out: Float64Array = new Float64Array(sf.d),
): Float64Array {
  const { nS, d, psi } = validateStateFeatures(sf);
  validateTrajectory(traj, nS);
  checkCriticArgs(w, d, gamma, alpha, out);
  const n = traj.n;
  for (let k = 0; k < d; k++) out[k] = w[k];
  for (let i = 0; i < n; i++) {
    const delta = tdError(traj, sf, w, gamma, i);
    const c = (alpha / n) * delta;
    const b = traj.s[i] * d;
    for (let k = 0; k < d; k++) out[k] += c * psi[b + k];
  }
  assertFiniteOutput("td0Update", out, d);
  return out;
}

/** TD error `δ_i = r_{i+1} + γ wᵀψ(s_{i+1}) − wᵀψ(s_i)` of transition i. */
function tdError(
  traj: Trajectory,
  sf: StateFeatures,
  w: ArrayLike<number>,
  gamma: number,
  i: number,
): number {
  const { d, psi } = sf;
  const b = traj.s[i] * d, bp = traj.s[i + 1] * d;
  let v = 0, vp = 0;
  for (let k = 0; k < d; k++) {
    v += w[k] * psi[b + k];
    vp += w[k] * psi[bp + k];
  }
  return traj.r[i] + gamma * vp - v;
}

/**
 * Batch TD actor–critic (MATH §3, our fixed convention for [LL26] Eq. 3): critic
 * `w' = w + (α/n) Σ δ_i ψ(s_i)`, actor `λ' = λ + (β/n) Σ δ_i g_i` with the softmax score
 * `g_i = φ(s_i,a_i) − Σ_b π_λ(b|s_i) φ(s_i,b)` and the shared TD error `δ_i` of the state-value critic.
 *
 * @example
 * ```ts
 * import { actorCriticUpdate } from "./teachers.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const { w: w1, lambda: l1 } = actorCriticUpdate(traj, feat, sf, [0.1, 0.2], [0, 0, 0, 0], 0.5, 0.2, 0.2);
 * ```
 */
export function actorCriticUpdate(
  traj: Trajectory,
  feat: Features,
  sf: StateFeatures,
  w: ArrayLike<number>,
  lambda: ArrayLike<number>,
  gamma: number,
  alpha: number,
  beta: number,
): { w: Float64Array; lambda: Float64Array } {
  validateAcInputs(traj, feat, sf);
  assertFiniteArray("lambda", lambda, feat.d);
  assertNumber("beta", beta);
  const wNew = td0Update(traj, sf, w, gamma, alpha);
  const pi = softmaxPolicy(feat, lambda);
  const lNew = Float64Array.from(lambda);
  const g = new Float64Array(feat.d);
  const n = traj.n;
  for (let i = 0; i < n; i++) {
    const delta = tdError(traj, sf, w, gamma, i);
    softmaxScore(feat, pi, traj.s[i], traj.a[i], g);
    const c = (beta / n) * delta;
    for (let k = 0; k < feat.d; k++) lNew[k] += c * g[k];
  }
  assertFiniteOutput("actorCriticUpdate (λ)", lNew, feat.d);
  return { w: wNew, lambda: lNew };
}
