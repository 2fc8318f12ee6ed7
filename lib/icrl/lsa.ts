/**
 * The linear self-attention block of [LL26] Eq. 1 (MATH §4), in float64:
 * `H_out = H + (1/n) (V H)(Hᵀ P H)`, no softmax, no mask; the readout `TF_θ(H)` is the parameter
 * rows `m+1 … D−1` of column n (the updated θ).
 *
 * The one home of the block's types: full parameters {@linkcode LsaParams}, the restricted
 * parameterisation {@linkcode RestrictedBlocks} (`P12`, `V̄21`) and the conversions between them,
 * the trainer's flat parameter layout ({@linkcode restrictedView}, {@linkcode fullView}) and the
 * model type {@linkcode BlockModel}. The restricted readout kernels are in `restricted.ts`; the
 * literal Eq. 1 and the Lemma C.1 form that check {@linkcode lsaReadout} live with the tests
 * (`tests/icrl/lsa_reference.ts`).
 *
 * @module
 */

import { type Prompt, validatePrompt } from "./prompt.ts";
import { gramApply } from "../core/linalg.ts";
import type { TaskSpec } from "./task_spec.ts";
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
 * import { validateLsaParams } from "./lsa.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * validateLsaParams(sarsaConstruction(4, 0.2));
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

/** The trainable blocks of the restricted parameterisation (MATH §6a). */
export interface RestrictedBlocks {
  /** Token dimension m. */
  m: number;
  /** Parameter-column dimension p (including the leading 1). */
  p: number;
  /** `P12`: rows 0…m−1, cols m…m+p−1 of P — an `m × p` row-major matrix. */
  P12: Float64Array;
  /** `V̄21`: rows m+1…m+p−1, cols 0…m−1 of V — a `(p−1) × m` row-major matrix. */
  V21bar: Float64Array;
}

/** Restricted blocks that passed {@linkcode validateBlocks}. */
export type ValidBlocks = Validated<RestrictedBlocks, "RestrictedBlocks">;

/**
 * Check restricted blocks: `m ≥ 1`, `p ≥ 2`, `P12` of length `m·p` and `V̄21` of length
 * `(p−1)·m`, all finite. Returns them branded; O(1) for blocks validated (or constructed) before.
 *
 * @example
 * ```ts
 * import { validateBlocks } from "./lsa.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * validateBlocks(sarsaBlocks(4, 0.2));
 * ```
 */
export function validateBlocks(b: RestrictedBlocks): ValidBlocks {
  if (isValid(b, "RestrictedBlocks")) return b as ValidBlocks;
  assertObject("blocks", b);
  assertInt("blocks.m", b.m, 1);
  assertInt("blocks.p", b.p, 2);
  assertFiniteArray("blocks.P12", b.P12, b.m * b.p);
  assertFiniteArray("blocks.V21bar", b.V21bar, (b.p - 1) * b.m);
  return markValid(b, "RestrictedBlocks");
}

/**
 * Embed restricted blocks into full `D × D` matrices (all other blocks zero).
 *
 * @example
 * ```ts
 * import { blocksToParams } from "./lsa.ts";
 * import { sarsaBlocks } from "./construction.ts";
 * const params = blocksToParams(sarsaBlocks(4, 0.2)); // D = 3·4 + 2
 * ```
 */
export function blocksToParams(b: RestrictedBlocks): LsaParams {
  const { m, p, P12, V21bar } = validateBlocks(b);
  const D = m + p;
  const P = new Float64Array(D * D), V = new Float64Array(D * D);
  for (let r = 0; r < m; r++) for (let k = 0; k < p; k++) P[r * D + m + k] = P12[r * p + k];
  for (let r = 0; r < p - 1; r++) {
    for (let k = 0; k < m; k++) V[(m + 1 + r) * D + k] = V21bar[r * m + k];
  }
  return markValid({ D, P, V }, "LsaParams");
}

/**
 * Read the `P12` and `V̄21` blocks out of full parameters.
 *
 * @example
 * ```ts
 * import { paramsToBlocks } from "./lsa.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * const d = 4;
 * const { P12, V21bar } = paramsToBlocks(sarsaConstruction(d, 0.2), 2 * d + 1);
 * ```
 */
export function paramsToBlocks(params: LsaParams, m: number): RestrictedBlocks {
  const { D, P, V } = validateLsaParams(params);
  assertInt("m", m, 1, D - 2);
  const p = D - m;
  const P12 = new Float64Array(m * p), V21bar = new Float64Array((p - 1) * m);
  for (let r = 0; r < m; r++) for (let k = 0; k < p; k++) P12[r * p + k] = P[r * D + m + k];
  for (let r = 0; r < p - 1; r++) {
    for (let k = 0; k < m; k++) V21bar[r * m + k] = V[(m + 1 + r) * D + k];
  }
  return markValid({ m, p, P12, V21bar }, "RestrictedBlocks");
}

/**
 * Number of trainable parameters of the restricted block: `m·p` (P12) + `(p−1)·m` (V̄21).
 *
 * @example
 * ```ts
 * import { restrictedSize } from "./lsa.ts";
 * restrictedSize(73, 37); // 5329 (d = 36)
 * ```
 */
export function restrictedSize(m: number, p: number): number {
  assertInt("m", m, 1);
  assertInt("p", p, 2);
  return m * p + (p - 1) * m;
}

/**
 * The restricted blocks as views of one flat parameter vector, in the trainer's layout: `P12`
 * (m×p, row-major) at `flat[0, m·p)`, then `V̄21` ((p−1)×m) — writing the views writes `flat`.
 *
 * @example
 * ```ts
 * import { restrictedSize, restrictedView } from "./lsa.ts";
 * const flat = new Float64Array(restrictedSize(5, 3));
 * restrictedView(flat, 5, 3).P12[0] = 1; // flat[0] === 1
 * ```
 */
export function restrictedView(flat: Float64Array, m: number, p: number): RestrictedBlocks {
  const size = restrictedSize(m, p);
  if (!(flat instanceof Float64Array) || flat.length !== size) {
    throw new RangeError(
      `flat must be a Float64Array of length m·p + (p−1)·m = ${size}, got length ${flat?.length}`,
    );
  }
  return { m, p, P12: flat.subarray(0, m * p), V21bar: flat.subarray(m * p) };
}

/**
 * Full parameters as views of one flat vector `[P ; V]` (each D×D, row-major) — the trainer's
 * layout of the full parameterisation.
 *
 * @example
 * ```ts
 * import { fullView } from "./lsa.ts";
 * const { P, V } = fullView(new Float64Array(2 * 9 * 9), 9);
 * ```
 */
export function fullView(flat: Float64Array, D: number): LsaParams {
  assertInt("D", D, 3);
  if (!(flat instanceof Float64Array) || flat.length !== 2 * D * D) {
    throw new RangeError(
      `flat must be a Float64Array of length 2·D² = ${2 * D * D}, got length ${flat?.length}`,
    );
  }
  return { D, P: flat.subarray(0, D * D), V: flat.subarray(D * D) };
}

/** A trained (or initial) block and the task it was built for. `full` is present for the full parameterisation. */
export interface BlockModel {
  /** The task the block was trained on. */
  task: TaskSpec;
  /** Parameterisation. */
  param: "restricted" | "full";
  /** The `P12`, `V̄21` blocks (read out of `full` when present). */
  blocks: RestrictedBlocks;
  /** Full `P`, `V` (full parameterisation only). */
  full?: LsaParams;
}

/**
 * The block as full `D×D` matrices (restricted blocks embedded with zeros elsewhere).
 *
 * @example
 * ```ts
 * import { modelParams } from "./lsa.ts";
 * import { DEFAULT_TASK, taskConstruction } from "./tasks.ts";
 * const params = modelParams({ task: DEFAULT_TASK, param: "restricted", blocks: taskConstruction(DEFAULT_TASK) });
 * ```
 */
export function modelParams(model: BlockModel): LsaParams {
  return model.full ?? blocksToParams(model.blocks);
}

/**
 * Check that `params` and `prompt` are each valid ({@linkcode validateLsaParams},
 * {@linkcode validatePrompt}) and agree in size.
 *
 * @example
 * ```ts
 * import { validateLsa } from "./lsa.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * import { buildPrompt } from "./prompt.ts";
 * const X = new Float64Array(3 * 9).fill(0.1); // n = 3 tokens of m = 2·4 + 1
 * validateLsa(sarsaConstruction(4, 0.2), buildPrompt(X, 3, 9, [1, 0, -1, 0.5]));
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
 * Fast readout (MATH §4): only the last column, `TF = θ + (1/n)·[V (H (Hᵀ (P h_n)))]_{θ rows}` —
 * `O(nD + D²)` per prompt.
 *
 * @example
 * ```ts
 * import { lsaReadout } from "./lsa.ts";
 * import { sarsaConstruction } from "./construction.ts";
 * import { buildPrompt } from "./prompt.ts";
 * const X = new Float64Array(3 * 9).fill(0.1); // n = 3 tokens of m = 2·4 + 1
 * const wNew = lsaReadout(sarsaConstruction(4, 0.2), buildPrompt(X, 3, 9, [1, 0, -1, 0.5]));
 * ```
 */
export function lsaReadout(params: LsaParams, prompt: Prompt): Float64Array {
  validateLsa(params, prompt);
  const { D, P, V } = params;
  const { n, m, H } = prompt;
  const c = n + 1;
  const q = lastColumnQuery(P, H, D, c);
  const b = gramApply(H, q, D, c);
  const out = new Float64Array(D - m - 1);
  for (let k = 0; k < out.length; k++) {
    const row = m + 1 + k;
    let acc = 0;
    for (let r = 0; r < D; r++) acc += V[row * D + r] * b[r];
    out[k] = H[row * c + n] + acc / n;
  }
  return assertFiniteReadout("lsaReadout", out);
}

/**
 * `q = P h` with `h` the last column of the D×c prompt matrix H (row-major): the query of the
 * last token, the first product of the last-column readout (MATH §4).
 *
 * @example
 * ```ts
 * import { lastColumnQuery } from "./lsa.ts";
 * // P = I (2×2), H = [[1, 5], [2, 7]] → last column [5, 7]
 * lastColumnQuery(new Float64Array([1, 0, 0, 1]), new Float64Array([1, 5, 2, 7]), 2, 2); // [5, 7]
 * ```
 */
export function lastColumnQuery(
  P: Float64Array,
  H: Float64Array,
  D: number,
  c: number,
): Float64Array {
  const h = new Float64Array(D);
  for (let r = 0; r < D; r++) h[r] = H[r * c + c - 1];
  const q = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let acc = 0;
    for (let k = 0; k < D; k++) acc += P[i * D + k] * h[k];
    q[i] = acc;
  }
  return q;
}
