/**
 * Independent reference forms of the LSA readout, used only by the tests to check `lsaReadout`
 * (lib/icrl/lsa.ts): the literal Eq. 1 with dense products in the written order, and the Lemma C.1
 * block decomposition (MATH §4).
 */

import { type LsaParams, validateLsa } from "../../lib/icrl/lsa.ts";
import type { Prompt } from "../../lib/icrl/prompt.ts";

/** Throw if a readout produced a non-finite entry (inputs mutated after validation). */
function assertFiniteReadout(what: string, out: Float64Array): Float64Array {
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k])) {
      throw new RangeError(`${what}: output[${k}] = ${out[k]} is not finite`);
    }
  }
  return out;
}

/**
 * Literal Eq. 1: the whole `H_out = H + (1/n)(V H)(Hᵀ P H)`, computed with dense products in the
 * written order — `O(n²D + nD²)`; the reference for tests and small sizes.
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
 */
export function lsaReadoutLiteral(params: LsaParams, prompt: Prompt): Float64Array {
  const Hout = lsaForwardLiteral(params, prompt);
  const { m, D, n } = prompt;
  const out = new Float64Array(D - m - 1);
  for (let k = 0; k < out.length; k++) out[k] = Hout[(m + 1 + k) * (n + 1) + n];
  return assertFiniteReadout("lsaReadoutLiteral", out);
}

/**
 * Lemma C.1 (MATH §4): the readout through the block decomposition,
 * `TF = θ + V̄21 Σ̂ P12 θ̃ + (1/n) V̄22 θ̃ θ̃ᵀ P22 θ̃` with `Σ̂ = (1/n) Σ_i x_i x_iᵀ` — an independent
 * formula used to test the other two forms.
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
