/**
 * Prompts for the linear self-attention block (MATH §4).
 *
 * A prompt is a `D × (n+1)` matrix `H` (row-major, `H[r·(n+1) + j]`) with `D = m + p`:
 * token rows `0 … m−1` hold the `n` tokens `x_i` in columns `0 … n−1` (column n is 0 there);
 * parameter rows `m … m+p−1` are zero except in column n, which holds `θ̃ = [1 ; θ]`.
 *
 * - SARSA: `x_i = [φ_i ; γφ_i⁺ ; r_{i+1}]` (m = 2d+1), `θ̃ = [1 ; w]` (p = d+1), `D = 3d+2`.
 * - TD(0): same with `ψ(s_i)`, `ψ(s_{i+1})`.
 * - Actor–critic: `x_i = [ψ_i ; γψ_i⁺ ; r_{i+1} ; g_i]` (m = 2d_ψ+1+d), `θ̃ = [1 ; w ; λ]`.
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
import { validateAcInputs } from "./teachers.ts";
import {
  assertFiniteArray,
  assertInt,
  assertNumber,
  assertObject,
  isValid,
  markValid,
  type Validated,
} from "../core/validate.ts";

/** A prompt matrix with its dimensions. */
export interface Prompt {
  /** Number of tokens (transitions). */
  n: number;
  /** Token dimension (rows 0 … m−1). */
  m: number;
  /** Parameter-column dimension including the leading 1 (rows m … m+p−1). */
  p: number;
  /** Total rows `D = m + p`. */
  D: number;
  /** `D × (n+1)` row-major matrix. */
  H: Float64Array;
}

/** A prompt that passed {@linkcode validatePrompt} (or was built by {@linkcode buildPrompt}). */
export type ValidPrompt = Validated<Prompt, "Prompt">;

/**
 * Check a prompt's consistency: `n ≥ 1`, `m ≥ 1`, `p ≥ 2`, `m + p = D`, `H` of length `D·(n+1)`
 * with finite entries. Throws naming the bad field; returns it branded. O(1) for a prompt
 * validated (or built) before, so readouts can call it on every prompt.
 *
 * @example
 * ```ts
 * validatePrompt(buildPrompt(new Float64Array(6), 2, 3, [0.5]));
 * ```
 */
export function validatePrompt(prompt: Prompt): ValidPrompt {
  if (isValid(prompt, "Prompt")) return prompt as ValidPrompt;
  assertObject("prompt", prompt);
  const { n, m, p, D, H } = prompt;
  assertInt("prompt.n", n, 1);
  assertInt("prompt.m", m, 1);
  assertInt("prompt.p", p, 2);
  assertInt("prompt.D", D, 3);
  if (m + p !== D) {
    throw new RangeError(`prompt.m + prompt.p must equal prompt.D, got m=${m}, p=${p}, D=${D}`);
  }
  assertFiniteArray("prompt.H", H, D * (n + 1));
  return markValid(prompt, "Prompt");
}

/** Check that `X` can take `n` rows of `m` tokens entries from `offset` (row stride `stride`). */
function checkTokenBuffer(X: Float64Array, offset: number, n: number, m: number, stride: number) {
  assertInt("offset", offset, 0);
  assertInt("stride", stride, m);
  const need = offset + (n - 1) * stride + m;
  if (!(X instanceof Float64Array) || X.length < need) {
    throw new RangeError(
      `X must be a Float64Array of length ≥ ${need} (${n} rows of ${m} from offset ${offset}, ` +
        `stride ${stride}), got length ${X?.length}`,
    );
  }
}

/**
 * SARSA tokens `x_i = [φ_i ; γφ_i⁺ ; r_{i+1}]` (MATH §4; γ is multiplied into the prompt; `φ_i⁺`
 * uses the recorded next action) written into `X`: row i at `X[offset + i·stride …]`, `m = 2d+1`
 * entries (default stride m, i.e. an `n × m` row-major block). Returns `X`.
 *
 * @example
 * ```ts
 * import { sarsaTokensInto } from "./prompt.ts";
 * import { randomFeatures, randomMdp } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const X = sarsaTokensInto(traj, feat, 0.5, new Float64Array(5 * 9)); // 5 rows of 2·4+1
 * ```
 */
export function sarsaTokensInto(
  traj: Trajectory,
  feat: Features,
  gamma: number,
  X: Float64Array,
  offset = 0,
  stride = 2 * feat.d + 1,
): Float64Array {
  assertNumber("gamma", gamma, 0, 0.999999);
  const { nS, nA, d, phi } = validateFeatures(feat);
  validateTrajectory(traj, nS, nA);
  return transitionTokensInto(traj, phi, d, nA, gamma, X, offset, stride);
}

/**
 * Tokens `[f_i ; γf_i⁺ ; r_{i+1}]` from the feature table `F` (`d` entries a row) into `X`: `f_i` is
 * row `s_i·nA + a_i` of `F` (φ of the state–action pair), or row `s_i` when `nA` is 0 (ψ of the
 * state); `f_i⁺` the same at i+1. Checks only the buffer (the callers validated the rest).
 */
function transitionTokensInto(
  traj: Trajectory,
  F: Float64Array,
  d: number,
  nA: number,
  gamma: number,
  X: Float64Array,
  offset: number,
  stride: number,
): Float64Array {
  const n = traj.n, m = 2 * d + 1;
  checkTokenBuffer(X, offset, n, m, stride);
  const { s, a } = traj;
  for (let i = 0; i < n; i++) {
    const b = (nA === 0 ? s[i] : s[i] * nA + a[i]) * d;
    const bp = (nA === 0 ? s[i + 1] : s[i + 1] * nA + a[i + 1]) * d;
    const row = offset + i * stride;
    for (let k = 0; k < d; k++) {
      X[row + k] = F[b + k];
      X[row + d + k] = gamma * F[bp + k];
    }
    X[row + 2 * d] = traj.r[i];
  }
  return X;
}

/**
 * SARSA tokens as a new `n × (2d+1)` row-major matrix (see {@linkcode sarsaTokensInto}).
 *
 * @example
 * ```ts
 * import { sarsaTokens } from "./prompt.ts";
 * import { randomFeatures, randomMdp } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4);
 * const X = sarsaTokens(rollout(mdp, uniformPolicy(3, 2), 0, 5, rng), feat, 0.5); // length 5·9
 * ```
 */
export function sarsaTokens(traj: Trajectory, feat: Features, gamma: number): Float64Array {
  validateFeatures(feat);
  validateTrajectory(traj, feat.nS, feat.nA);
  return sarsaTokensInto(traj, feat, gamma, new Float64Array(traj.n * (2 * feat.d + 1)));
}

/**
 * TD(0) tokens `x_i = [ψ(s_i) ; γψ(s_{i+1}) ; r_{i+1}]` (`2d_ψ+1` entries) written into `X`: row i
 * at `X[offset + i·stride …]` (default stride `2d_ψ+1`). Returns `X`.
 *
 * @example
 * ```ts
 * import { td0TokensInto } from "./prompt.ts";
 * import { randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const X = td0TokensInto(traj, sf, 0.5, new Float64Array(5 * 5));
 * ```
 */
export function td0TokensInto(
  traj: Trajectory,
  sf: StateFeatures,
  gamma: number,
  X: Float64Array,
  offset = 0,
  stride = 2 * sf.d + 1,
): Float64Array {
  assertNumber("gamma", gamma, 0, 0.999999);
  const { nS, d, psi } = validateStateFeatures(sf);
  validateTrajectory(traj, nS);
  return transitionTokensInto(traj, psi, d, 0, gamma, X, offset, stride);
}

/**
 * TD(0) tokens as a new `n × (2d_ψ+1)` matrix (see {@linkcode td0TokensInto}).
 *
 * @example
 * ```ts
 * import { td0Tokens } from "./prompt.ts";
 * import { randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const sf = randomStateFeatures(rng, 3, 2);
 * const X = td0Tokens(rollout(mdp, uniformPolicy(3, 2), 0, 5, rng), sf, 0.5); // length 5·5
 * ```
 */
export function td0Tokens(traj: Trajectory, sf: StateFeatures, gamma: number): Float64Array {
  validateStateFeatures(sf);
  validateTrajectory(traj, sf.nS);
  return td0TokensInto(traj, sf, gamma, new Float64Array(traj.n * (2 * sf.d + 1)));
}

/**
 * Actor–critic tokens `x_i = [ψ(s_i) ; γψ(s_{i+1}) ; r_{i+1} ; g_i]` (`2d_ψ+1+d` entries) with the
 * softmax score `g_i` of the policy table `pi` of `π_λ` (MATH §4), written into `X`: row i at
 * `X[offset + i·(2d_ψ+1+d) …]`. Returns `X`.
 *
 * @example
 * ```ts
 * import { acTokensInto } from "./prompt.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { softmaxPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const pi = softmaxPolicy(feat, [0.1, -0.2, 0.3, 0]);
 * const traj = rollout(mdp, pi, 0, 5, rng);
 * const X = acTokensInto(traj, feat, sf, pi, 0.5, new Float64Array(5 * 9)); // 2·2+1+4 = 9
 * ```
 */
export function acTokensInto(
  traj: Trajectory,
  feat: Features,
  sf: StateFeatures,
  pi: Float64Array,
  gamma: number,
  X: Float64Array,
  offset = 0,
): Float64Array {
  validateAcInputs(traj, feat, sf);
  const dq = sf.d, d = feat.d;
  const mTd = 2 * dq + 1, m = mTd + d;
  checkTokenBuffer(X, offset, traj.n, m, m);
  td0TokensInto(traj, sf, gamma, X, offset, m);
  for (let i = 0; i < traj.n; i++) {
    softmaxScore(feat, pi, traj.s[i], traj.a[i], X, offset + i * m + mTd);
  }
  return X;
}

/**
 * Actor–critic tokens as a new `n × (2d_ψ+1+d)` matrix, with the score of `π_λ` (see
 * {@linkcode acTokensInto}).
 *
 * @example
 * ```ts
 * import { acTokens } from "./prompt.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const X = acTokens(traj, feat, sf, [0.1, -0.2, 0.3, 0], 0.5); // length 5·9
 * ```
 */
export function acTokens(
  traj: Trajectory,
  feat: Features,
  sf: StateFeatures,
  lambda: ArrayLike<number>,
  gamma: number,
): Float64Array {
  validateAcInputs(traj, feat, sf);
  assertFiniteArray("lambda", lambda, feat.d);
  const m = 2 * sf.d + 1 + feat.d;
  const pi = softmaxPolicy(feat, lambda);
  return acTokensInto(traj, feat, sf, pi, gamma, new Float64Array(traj.n * m));
}

/**
 * Assemble `H` from tokens `X` (n×m) and the parameter vector θ (the column gets `[1 ; θ]`).
 *
 * @example
 * ```ts
 * import { buildPrompt } from "./prompt.ts";
 * const X = new Float64Array(3 * 9).fill(0.1); // n = 3 tokens, m = 9
 * const prompt = buildPrompt(X, 3, 9, [1, 0, -1, 0.5]); // D = m + 1 + w.length = 14
 * ```
 */
export function buildPrompt(
  X: Float64Array,
  n: number,
  m: number,
  theta: ArrayLike<number>,
): ValidPrompt {
  assertInt("n", n, 1);
  assertInt("m", m, 1);
  assertFiniteArray("tokens", X, n * m);
  assertFiniteArray("theta", theta);
  if (theta.length < 1) throw new RangeError(`theta must have at least 1 entry, got length 0`);
  const p = theta.length + 1, D = m + p, cols = n + 1;
  const H = new Float64Array(D * cols);
  for (let i = 0; i < n; i++) for (let r = 0; r < m; r++) H[r * cols + i] = X[i * m + r];
  H[m * cols + n] = 1;
  for (let k = 0; k < theta.length; k++) H[(m + 1 + k) * cols + n] = theta[k];
  return markValid({ n, m, p, D, H }, "Prompt");
}

/**
 * The SARSA prompt of MATH §4: tokens `[φ_i ; γφ_i⁺ ; r_{i+1}]`, column `[1 ; w]`, `D = 3d+2`.
 *
 * @example
 * ```ts
 * import { buildSarsaPrompt } from "./prompt.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const prompt = buildSarsaPrompt(traj, feat, 0.5, [0.1, 0.2, 0.3, 0.4]);
 * ```
 */
export function buildSarsaPrompt(
  traj: Trajectory,
  feat: Features,
  gamma: number,
  w: ArrayLike<number>,
): ValidPrompt {
  assertFiniteArray("w", w, validateFeatures(feat).d);
  return buildPrompt(sarsaTokens(traj, feat, gamma), traj.n, 2 * feat.d + 1, w);
}

/**
 * The TD(0) prompt: tokens `[ψ_i ; γψ_i⁺ ; r_{i+1}]`, column `[1 ; w]`.
 *
 * @example
 * ```ts
 * import { buildTd0Prompt } from "./prompt.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const prompt = buildTd0Prompt(traj, sf, 0.5, [0.1, 0.2]);
 * ```
 */
export function buildTd0Prompt(
  traj: Trajectory,
  sf: StateFeatures,
  gamma: number,
  w: ArrayLike<number>,
): ValidPrompt {
  assertFiniteArray("w", w, validateStateFeatures(sf).d);
  return buildPrompt(td0Tokens(traj, sf, gamma), traj.n, 2 * sf.d + 1, w);
}

/**
 * The actor–critic prompt: tokens `[ψ_i ; γψ_i⁺ ; r_{i+1} ; g_i]`, column `[1 ; w ; λ]`.
 *
 * @example
 * ```ts
 * import { buildAcPrompt } from "./prompt.ts";
 * import { randomFeatures, randomMdp, randomStateFeatures } from "../mdp/mdp.ts";
 * import { uniformPolicy } from "../mdp/policy.ts";
 * import { rollout } from "../mdp/rollout.ts";
 * import { Rng } from "../core/rng.ts";
 * const rng = new Rng(0), mdp = randomMdp(rng, { nS: 3, nA: 2 });
 * const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
 * const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
 * const prompt = buildAcPrompt(traj, feat, sf, 0.5, [0.1, 0.2], [0, 0.1, 0.2, 0.3]);
 * ```
 */
export function buildAcPrompt(
  traj: Trajectory,
  feat: Features,
  sf: StateFeatures,
  gamma: number,
  w: ArrayLike<number>,
  lambda: ArrayLike<number>,
): ValidPrompt {
  assertFiniteArray("w", w, validateStateFeatures(sf).d);
  assertFiniteArray("lambda", lambda, validateFeatures(feat).d);
  const theta = new Float64Array(sf.d + feat.d);
  theta.set(Array.from(w), 0);
  theta.set(Array.from(lambda), sf.d);
  return buildPrompt(acTokens(traj, feat, sf, lambda, gamma), traj.n, 2 * sf.d + 1 + feat.d, theta);
}
