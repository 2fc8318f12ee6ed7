/**
 * The linear self-attention block of [LL26] Eq. 1 (MATH §4), in float64:
 * `H_out = H + (1/n) (V H)(Hᵀ P H)`, no softmax, no mask; the readout `TF_θ(H)` is the parameter
 * rows `m+1 … D−1` of column n (the updated θ).
 *
 * @module
 */

import { type Prompt, validatePrompt } from "./prompt.ts";
import {
  assertFiniteArray,
  assertInt,
  assertObject,
  isValid,
  markValid,
  type Validated,
} from "../core/validate.ts";

/** Block parameters `θ = (P, V)`, both `D × D` row-major. */
export interface LsaParams {
  /** Rows/cols. */
  D: number;
  /** Key–query matrix P. */
  P: Float64Array;
  /** Value matrix V. */
  V: Float64Array;
}

/** Block parameters that passed {@linkcode validateLsaParams}. */
export type ValidLsaParams = Validated<LsaParams, "LsaParams">;

/**
 * Check block parameters: `D ≥ 3` (at least one token row and `[1 ; θ]` with one θ entry), `P`
 * and `V` of length `D²` with finite entries. Returns them branded; O(1) for parameters validated
 * (or constructed) before.
 *
 * @example
 * ```ts
 * import { sarsaConstruction } from "./construction.ts";
 * import { validateLsaParams } from "./lsa.ts";
 * validateLsaParams(sarsaConstruction(2, 0.2)); // passes
 * try {
 *   validateLsaParams({ D: 3, P: new Float64Array(9), V: new Float64Array(8) });
 * } catch (e) {
 *   console.log((e as Error).message); // names params.V and its length (should be 9)
 * }
 * ```
 */
export function validateLsaParams(params: LsaParams): ValidLsaParams {
  if (isValid(params, "LsaParams")) return params as ValidLsaParams;
  assertObject("params", params);
  assertInt("params.D", params.D, 3);
  assertFiniteArray("params.P", params.P, params.D * params.D);
  assertFiniteArray("params.V", params.V, params.D * params.D);
  return markValid(params, "LsaParams");
}

/**
 * Check that `params` and `prompt` are each valid ({@linkcode validateLsaParams},
 * {@linkcode validatePrompt}) and agree in size.
 *
 * @example
 * ```ts
 * import { sarsaConstruction } from "./construction.ts";
 * import { validateLsa } from "./lsa.ts";
 * import { buildPrompt } from "./mod.ts";
 * const prompt = buildPrompt(new Float64Array(2 * 5), 2, 5, [0.5, -0.5]); // D = 5 + 3 = 8
 * validateLsa(sarsaConstruction(2, 0.2), prompt); // passes: both are D = 8
 * try {
 *   validateLsa(sarsaConstruction(3, 0.2), prompt);
 * } catch (e) {
 *   console.log((e as Error).message); // prompt has D=8 rows but params are 11×11
 * }
 * ```
 */
export function validateLsa(params: LsaParams, prompt?: Prompt): void {
  validateLsaParams(params);
  if (prompt) {
    validatePrompt(prompt);
    if (prompt.D !== params.D) {
      throw new RangeError(`prompt has D=${prompt.D} rows but params are ${params.D}×${params.D}`);
    }
  }
}

/** Throw if a readout produced a non-finite entry (inputs mutated after validation). */
function assertFiniteReadout(what: string, out: Float64Array): Float64Array {
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k])) {
      throw new RangeError(
        `${what}: output[${k}] = ${
          out[k]
        } is not finite (params or prompt changed after validation?)`,
      );
    }
  }
  return out;
}

/**
 * Literal Eq. 1: the whole `H_out = H + (1/n)(V H)(Hᵀ P H)`, computed with dense products in the
 * written order — `O(n²D + nD²)`; the reference for tests and small sizes.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { buildPrompt } from "./mod.ts";
 * const rng = new Rng(0);
 * const n = 4, m = 3, p = 3, D = m + p; // random block and prompt, D = 6
 * const params = {
 *   D,
 *   P: rng.fillUniform(new Float64Array(D * D), -1, 1),
 *   V: rng.fillUniform(new Float64Array(D * D), -1, 1),
 * };
 * const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
 * const prompt = buildPrompt(X, n, m, rng.fillUniform(new Float64Array(p - 1), -1, 1));
 * import { lsaForwardLiteral } from "./lsa.ts";
 * const Hout = lsaForwardLiteral(params, prompt);
 * console.log(Hout.length); // D·(n+1) = 30
 * ```
 */
export function lsaForwardLiteral(params: LsaParams, prompt: Prompt): Float64Array {
  validateLsa(params, prompt);
  const { D, P, V } = params;
  const { n, H } = prompt;
  const c = n + 1;
  // VH = V·H (D×c), PH = P·H (D×c), G = Hᵀ·PH (c×c), out = H + VH·G / n.
  const VH = new Float64Array(D * c), PH = new Float64Array(D * c);
  for (let i = 0; i < D; i++) {
    for (let k = 0; k < D; k++) {
      const v = V[i * D + k], p = P[i * D + k];
      for (let j = 0; j < c; j++) {
        VH[i * c + j] += v * H[k * c + j];
        PH[i * c + j] += p * H[k * c + j];
      }
    }
  }
  const G = new Float64Array(c * c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      let acc = 0;
      for (let k = 0; k < D; k++) acc += H[k * c + i] * PH[k * c + j];
      G[i * c + j] = acc;
    }
  }
  const out = Float64Array.from(H);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < c; j++) {
      let acc = 0;
      for (let k = 0; k < c; k++) acc += VH[i * c + k] * G[k * c + j];
      out[i * c + j] += acc / n;
    }
  }
  return assertFiniteReadout("lsaForwardLiteral", out);
}

/**
 * `TF_θ(H)` from the literal Eq. 1: rows `m+1 … D−1` of column n of {@linkcode lsaForwardLiteral}.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { buildPrompt } from "./mod.ts";
 * const rng = new Rng(0);
 * const n = 4, m = 3, p = 3, D = m + p; // random block and prompt, D = 6
 * const params = {
 *   D,
 *   P: rng.fillUniform(new Float64Array(D * D), -1, 1),
 *   V: rng.fillUniform(new Float64Array(D * D), -1, 1),
 * };
 * const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
 * const prompt = buildPrompt(X, n, m, rng.fillUniform(new Float64Array(p - 1), -1, 1));
 * import { lsaReadout, lsaReadoutLiteral } from "./lsa.ts";
 * const wNew = lsaReadoutLiteral(params, prompt); // p − 1 = 2 entries
 * const fast = lsaReadout(params, prompt);
 * if (wNew.some((x, k) => Math.abs(x - fast[k]) > 1e-12)) throw new Error("forms disagree");
 * ```
 */
export function lsaReadoutLiteral(params: LsaParams, prompt: Prompt): Float64Array {
  const Hout = lsaForwardLiteral(params, prompt);
  const { m, D, n } = prompt;
  const out = new Float64Array(D - m - 1);
  for (let k = 0; k < out.length; k++) out[k] = Hout[(m + 1 + k) * (n + 1) + n];
  return assertFiniteReadout("lsaReadoutLiteral", out);
}

/**
 * Fast readout (MATH §4): only the last column, `TF = θ + (1/n)·[V (H (Hᵀ (P h_n)))]_{θ rows}` —
 * `O(nD + D²)` per prompt.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures, randomMdp, rollout, uniformPolicy } from "../mdp/mod.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * import { lsaReadout } from "./lsa.ts";
 * import { buildSarsaPrompt, sarsaUpdate } from "./mod.ts";
 * const rng = new Rng(0);
 * const d = 3;
 * const mdp = randomMdp(rng, { nS: 2, nA: 2 });
 * const feat = randomFeatures(rng, 2, 2, d);
 * const traj = rollout(mdp, uniformPolicy(2, 2), 0, 4, rng);
 * const w = rng.fillUniform(new Float64Array(d), -1, 1);
 * const prompt = buildSarsaPrompt(traj, feat, mdp.gamma, w);
 * const wNew = lsaReadout(sarsaConstruction(d, 0.2), prompt);
 * const want = sarsaUpdate(traj, feat, w, mdp.gamma, 0.2);
 * if (wNew.some((x, k) => Math.abs(x - want[k]) > 1e-12)) throw new Error("≠ sarsaUpdate");
 * ```
 */
export function lsaReadout(params: LsaParams, prompt: Prompt): Float64Array {
  validateLsa(params, prompt);
  const { D, P, V } = params;
  const { n, m, H } = prompt;
  const c = n + 1;
  const h = new Float64Array(D);
  for (let r = 0; r < D; r++) h[r] = H[r * c + n];
  const q = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let acc = 0;
    for (let k = 0; k < D; k++) acc += P[i * D + k] * h[k];
    q[i] = acc;
  }
  const a = new Float64Array(c);
  for (let r = 0; r < D; r++) {
    const qr = q[r];
    if (qr === 0) continue;
    for (let j = 0; j < c; j++) a[j] += H[r * c + j] * qr;
  }
  const b = new Float64Array(D);
  for (let r = 0; r < D; r++) {
    let acc = 0;
    for (let j = 0; j < c; j++) acc += H[r * c + j] * a[j];
    b[r] = acc;
  }
  const out = new Float64Array(D - m - 1);
  for (let k = 0; k < out.length; k++) {
    const row = m + 1 + k;
    let acc = 0;
    for (let r = 0; r < D; r++) acc += V[row * D + r] * b[r];
    out[k] = h[row] + acc / n;
  }
  return assertFiniteReadout("lsaReadout", out);
}

/**
 * Lemma C.1 (MATH §4): the readout through the block decomposition,
 * `TF = θ + V̄21 Σ̂ P12 θ̃ + (1/n) V̄22 θ̃ θ̃ᵀ P22 θ̃` with `Σ̂ = (1/n) Σ_i x_i x_iᵀ` — an independent
 * formula used to test the other two forms.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { buildPrompt } from "./mod.ts";
 * const rng = new Rng(0);
 * const n = 4, m = 3, p = 3, D = m + p; // random block and prompt, D = 6
 * const params = {
 *   D,
 *   P: rng.fillUniform(new Float64Array(D * D), -1, 1),
 *   V: rng.fillUniform(new Float64Array(D * D), -1, 1),
 * };
 * const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
 * const prompt = buildPrompt(X, n, m, rng.fillUniform(new Float64Array(p - 1), -1, 1));
 * import { lemmaC1Readout, lsaReadoutLiteral } from "./lsa.ts";
 * const wNew = lemmaC1Readout(params, prompt);
 * const lit = lsaReadoutLiteral(params, prompt);
 * if (wNew.some((x, k) => Math.abs(x - lit[k]) > 1e-12)) throw new Error("Lemma C.1 ≠ Eq. 1");
 * ```
 */
export function lemmaC1Readout(params: LsaParams, prompt: Prompt): Float64Array {
  validateLsa(params, prompt);
  const { D, P, V } = params;
  const { n, m, p, H } = prompt;
  const c = n + 1;
  const theta = new Float64Array(p);
  for (let k = 0; k < p; k++) theta[k] = H[(m + k) * c + n];
  // Σ̂ (m×m)
  const S = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < m; r++) {
      for (let s = 0; s < m; s++) S[r * m + s] += (H[r * c + i] * H[s * c + i]) / n;
    }
  }
  // P12 θ̃ (m) and P22 θ̃ (p)
  const u = new Float64Array(m), u2 = new Float64Array(p);
  for (let r = 0; r < m; r++) for (let k = 0; k < p; k++) u[r] += P[r * D + m + k] * theta[k];
  for (let r = 0; r < p; r++) {
    for (let k = 0; k < p; k++) u2[r] += P[(m + r) * D + m + k] * theta[k];
  }
  const Su = new Float64Array(m);
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) Su[r] += S[r * m + s] * u[s];
  let tu2 = 0;
  for (let k = 0; k < p; k++) tu2 += theta[k] * u2[k];
  const out = new Float64Array(p - 1);
  for (let k = 0; k < p - 1; k++) {
    const row = m + 1 + k;
    let acc = theta[k + 1];
    for (let s = 0; s < m; s++) acc += V[row * D + s] * Su[s];
    let v22 = 0;
    for (let j = 0; j < p; j++) v22 += V[row * D + m + j] * theta[j];
    acc += (v22 * tu2) / n;
    out[k] = acc;
  }
  return assertFiniteReadout("lemmaC1Readout", out);
}
