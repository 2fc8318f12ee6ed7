/**
 * The transformer of [LBM24] (its Definitions of the masked attention layer, the MLP layer and
 * the decoder-based transformer; MATH §10.1), as a float64 forward pass with explicit weights.
 *
 * On tokens `h_1 … h_N ∈ R^D` (stored token-major: token i at `H[(i−1)·D …]`):
 *
 *     attention  h̄_i = h_i + Σ_m (1/i) Σ_{j≤i} ReLU(⟨Q_m h_i, K_m h_j⟩) V_m h_j
 *     MLP        h̄_i ← h̄_i + W_2 ReLU(W_1 h̄_i)
 *     layer      H^(ℓ) = clip_R(MLP_ℓ(Attn_ℓ(H^(ℓ−1)))),  H^(0) = clip_R(H),
 *     clip       clip_R(h) = h · min(1, R/‖h‖₂)
 *
 * with M full D × D matrices `Q_m, K_m, V_m` per layer (stored sparse) and an MLP of hidden width
 * D′ without biases (a constant-1 coordinate of the token carries them, as in the paper). A layer
 * may have no heads (MLP only) or no MLP (attention only). {@linkcode forwardReference} is the
 * literal definition (O(L·N²·M) score evaluations); `runner.ts` gives the same numbers with cached
 * keys and values, one token at a time.
 *
 * @module
 */

import { ConstructionParameterError, TokenShapeError } from "./errors.ts";
import { type SparseMatrix, spectralNorm, spmv } from "./sparse.ts";

/** One attention head: `(Q_m, K_m, V_m)`, each D × D. */
export interface AttentionHead {
  /** Query matrix. */
  readonly Q: SparseMatrix;
  /** Key matrix. */
  readonly K: SparseMatrix;
  /** Value matrix. */
  readonly V: SparseMatrix;
  /**
   * Optional promise of the construction (used only by the cached runner, checked there at
   * run time): query i gives a positive score only to tokens j ≥ i − window.
   */
  readonly window?: number;
}

/** The MLP of one layer: `W_1` (D′ × D) and `W_2` (D × D′). */
export interface MlpWeights {
  /** First layer, D′ × D. */
  readonly W1: SparseMatrix;
  /** Second layer, D × D′. */
  readonly W2: SparseMatrix;
}

/** One transformer layer: masked ReLU attention (possibly no heads), then an MLP (possibly none). */
export interface TfLayer {
  /** What this layer implements (for tables and per-layer checks). */
  readonly name: string;
  /** The heads (empty: the attention is the identity). */
  readonly heads: readonly AttentionHead[];
  /** The MLP (null: the identity). */
  readonly mlp: MlpWeights | null;
}

/** A transformer with explicit weights. */
export interface ConstructedTransformer {
  /** Token dimension D. */
  readonly D: number;
  /** The layers, in order. */
  readonly layers: readonly TfLayer[];
  /** Clip radius R of the paper's Definition (Infinity: no clip). */
  readonly clip: number;
  /** Longest token sequence the construction was built for. */
  readonly maxTokens: number;
}

/**
 * Check shapes: every matrix D × D (heads), D′ × D and D × D′ (MLP), `clip > 0`, integer
 * `maxTokens ≥ 1`, windows integers ≥ 0. Throws a {@linkcode TokenShapeError} or
 * {@linkcode ConstructionParameterError} naming the layer and matrix; returns the transformer.
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * import { validateTransformer } from "./transformer.ts";
 * const I = sparse(2, 2, [[0, 0, 1], [1, 1, 1]]);
 * validateTransformer({ D: 2, clip: Infinity, maxTokens: 4, layers: [{ name: "x", heads: [{ Q: I, K: I, V: I }], mlp: null }] });
 * ```
 */
export function validateTransformer(tf: ConstructedTransformer): ConstructedTransformer {
  const { D } = tf;
  if (!(Number.isInteger(D) && D >= 1)) {
    throw new ConstructionParameterError(`transformer D must be an integer ≥ 1, got ${D}`);
  }
  if (!(tf.clip > 0)) {
    throw new ConstructionParameterError(`transformer clip R must be > 0, got ${tf.clip}`);
  }
  if (!(Number.isInteger(tf.maxTokens) && tf.maxTokens >= 1)) {
    throw new ConstructionParameterError(
      `transformer maxTokens must be an integer ≥ 1, got ${tf.maxTokens}`,
    );
  }
  const shape = (where: string, M: SparseMatrix, rows: number, cols: number) => {
    if (M.rows !== rows || M.cols !== cols) {
      throw new TokenShapeError(`${where} must be ${rows} × ${cols}, got ${M.rows} × ${M.cols}`);
    }
  };
  tf.layers.forEach((layer, l) => {
    layer.heads.forEach((h, m) => {
      shape(`layer ${l} (${layer.name}) head ${m} Q`, h.Q, D, D);
      shape(`layer ${l} (${layer.name}) head ${m} K`, h.K, D, D);
      shape(`layer ${l} (${layer.name}) head ${m} V`, h.V, D, D);
      if (h.window !== undefined && !(Number.isInteger(h.window) && h.window >= 0)) {
        throw new ConstructionParameterError(
          `layer ${l} (${layer.name}) head ${m} window must be an integer ≥ 0, got ${h.window}`,
        );
      }
    });
    if (layer.mlp !== null) {
      const hidden = layer.mlp.W1.rows;
      shape(`layer ${l} (${layer.name}) W1`, layer.mlp.W1, hidden, D);
      shape(`layer ${l} (${layer.name}) W2`, layer.mlp.W2, D, hidden);
    }
  });
  return tf;
}

/**
 * `h ← h·min(1, R/‖h‖)` in place (token at `H[off …]`); returns whether it changed h.
 *
 * @example
 * ```ts
 * import { clipToken } from "./transformer.ts";
 * const H = Float64Array.of(9, 3, 4); // one token of D = 2 at offset 1, norm 5
 * const changed = clipToken(H, 1, 2, 1); // → (0.6, 0.8), H[0] untouched
 * if (!changed || Math.abs(H[1] - 0.6) + Math.abs(H[2] - 0.8) > 1e-15 || H[0] !== 9) {
 *   throw new Error(`clip: ${H}`);
 * }
 * ```
 */
export function clipToken(H: Float64Array, off: number, D: number, R: number): boolean {
  if (R === Infinity) return false;
  let s = 0;
  for (let c = 0; c < D; c++) s += H[off + c] * H[off + c];
  const n = Math.sqrt(s);
  if (n <= R) return false;
  const f = R / n;
  for (let c = 0; c < D; c++) H[off + c] *= f;
  return true;
}

/**
 * Check a token matrix's shape: a Float64Array of N·D numbers, 1 ≤ N ≤ `maxTokens` (the values
 * are not inspected here).
 *
 * @example
 * ```ts
 * import { checkTokens } from "./transformer.ts";
 * checkTokens(new Float64Array(6), 3, 2, 10); // fine
 * let refused = false;
 * try {
 *   checkTokens(new Float64Array(6), 3, 2, 2); // 3 tokens, built for 2
 * } catch { refused = true; }
 * if (!refused) throw new Error("too many tokens must be refused");
 * ```
 */
export function checkTokens(H: Float64Array, N: number, D: number, maxTokens: number): void {
  if (!(H instanceof Float64Array)) {
    throw new TokenShapeError(`token matrix must be a Float64Array, got ${typeof H}`);
  }
  if (!(Number.isInteger(N) && N >= 1)) {
    throw new TokenShapeError(`token count N must be an integer ≥ 1, got ${N}`);
  }
  if (H.length !== N * D) {
    throw new TokenShapeError(
      `token matrix must hold N × D = ${N} × ${D} = ${N * D} numbers, got ${H.length}`,
    );
  }
  if (N > maxTokens) {
    throw new TokenShapeError(
      `token matrix has ${N} tokens; the construction was built for at most ${maxTokens}`,
    );
  }
}

/**
 * The literal forward pass `TF_θ^R(H)` of the paper's Definition: every layer on every token,
 * every head scoring every earlier token. Returns `H^(L)` (token-major, N × D). `probe(ℓ, Hℓ)` is
 * called with `H^(0) … H^(L)` (the array is reused: copy what you keep).
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * import { forwardReference } from "./transformer.ts";
 * // one head copying the running mean of coordinate 0 into coordinate 1 (score = 1 via coordinate 2 = 1)
 * const D = 3;
 * const Q = sparse(D, D, [[2, 2, 1]]), K = sparse(D, D, [[2, 2, 1]]), V = sparse(D, D, [[1, 0, 1]]);
 * const tf = { D, clip: Infinity, maxTokens: 2, layers: [{ name: "mean", heads: [{ Q, K, V }], mlp: null }] };
 * forwardReference(tf, new Float64Array([2, 0, 1, 4, 0, 1]), 2); // token 2: [4, 3, 1]
 * ```
 */
export function forwardReference(
  tf: ConstructedTransformer,
  H: Float64Array,
  N: number,
  probe?: (layer: number, Hl: Float64Array) => void,
): Float64Array {
  const { D } = tf;
  checkTokens(H, N, D, tf.maxTokens);
  let X = Float64Array.from(H);
  for (let i = 0; i < N; i++) clipToken(X, i * D, D, tf.clip);
  probe?.(0, X);
  const q = new Float64Array(D), k = new Float64Array(D), v = new Float64Array(D);
  for (let l = 0; l < tf.layers.length; l++) {
    const layer = tf.layers[l];
    const Y = Float64Array.from(X);
    for (const head of layer.heads) {
      for (let i = 0; i < N; i++) {
        spmv(head.Q, X, i * D, q, 0);
        for (let j = 0; j <= i; j++) {
          spmv(head.K, X, j * D, k, 0);
          let s = 0;
          for (let c = 0; c < D; c++) s += q[c] * k[c];
          if (s <= 0) continue;
          spmv(head.V, X, j * D, v, 0);
          const w = s / (i + 1);
          for (let c = 0; c < D; c++) Y[i * D + c] += w * v[c];
        }
      }
    }
    if (layer.mlp !== null) {
      const { W1, W2 } = layer.mlp;
      const hidden = new Float64Array(W1.rows), out = new Float64Array(D);
      for (let i = 0; i < N; i++) {
        spmv(W1, Y, i * D, hidden, 0);
        for (let u = 0; u < hidden.length; u++) if (hidden[u] < 0) hidden[u] = 0;
        spmv(W2, hidden, 0, out, 0);
        for (let c = 0; c < D; c++) Y[i * D + c] += out[c];
      }
    }
    for (let i = 0; i < N; i++) clipToken(Y, i * D, D, tf.clip);
    X = Y;
    probe?.(l + 1, X);
  }
  return X;
}

/** Sizes of a construction in the paper's terms (its Theorems' D, L, M, D′ and ‖θ‖). */
export interface TransformerSize {
  /** Token dimension D. */
  D: number;
  /** Layers L. */
  L: number;
  /** Largest number of heads in a layer, max_ℓ M^(ℓ). */
  M: number;
  /** Largest MLP hidden width, max_ℓ D′^(ℓ). */
  Dprime: number;
  /** Stored (nonzero) weights. */
  nonzeros: number;
  /**
   * The paper's norm `‖θ‖ = max_ℓ {max_m max(‖Q_m‖₂, ‖K_m‖₂) + Σ_m ‖V_m‖₂ + ‖W_1‖₂ + ‖W_2‖₂}`
   * (only when computed: `withNorm`; spectral norms by power iteration).
   */
  norm: number | null;
}

/**
 * D, L, max heads, max hidden width and stored weights of a construction, and optionally its
 * norm ‖θ‖ (the paper's Eq. for the transformer norm; cached per distinct matrix object).
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * import { transformerSize } from "./transformer.ts";
 * const I = sparse(2, 2, [[0, 0, 1], [1, 1, 1]]);
 * transformerSize({ D: 2, clip: Infinity, maxTokens: 1, layers: [{ name: "x", heads: [{ Q: I, K: I, V: I }], mlp: null }] }, true).norm; // 2
 * ```
 */
export function transformerSize(tf: ConstructedTransformer, withNorm = false): TransformerSize {
  const seen = new Map<SparseMatrix, number>();
  const norm2 = (M: SparseMatrix) => {
    let v = seen.get(M);
    if (v === undefined) {
      v = spectralNorm(M);
      seen.set(M, v);
    }
    return v;
  };
  let M = 0, Dprime = 0, nonzeros = 0, norm = 0;
  for (const layer of tf.layers) {
    M = Math.max(M, layer.heads.length);
    if (layer.mlp) Dprime = Math.max(Dprime, layer.mlp.W1.rows);
    for (const h of layer.heads) {
      nonzeros += h.Q.values.length + h.K.values.length + h.V.values.length;
    }
    if (layer.mlp) nonzeros += layer.mlp.W1.values.length + layer.mlp.W2.values.length;
    if (withNorm) {
      let qk = 0, vs = 0;
      for (const h of layer.heads) {
        qk = Math.max(qk, norm2(h.Q), norm2(h.K));
        vs += norm2(h.V);
      }
      const mlp = layer.mlp ? norm2(layer.mlp.W1) + norm2(layer.mlp.W2) : 0;
      norm = Math.max(norm, qk + vs + mlp);
    }
  }
  return { D: tf.D, L: tf.layers.length, M, Dprime, nonzeros, norm: withNorm ? norm : null };
}
