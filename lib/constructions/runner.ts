/**
 * The forward pass of `transformer.ts`, one token at a time with cached keys and values (MATH
 * §10.2): a closed loop of T steps then costs one pass over its tokens, never a pass per step.
 *
 * The attention is causal, so token i's output depends only on tokens j ≤ i: pushing tokens in
 * order and keeping what later tokens read from earlier ones gives the same numbers as the
 * literal pass. Three exact rewrites make that cheap, chosen per head when the transformer is
 * compiled:
 *
 * 1. **Sign pairs are linear attention.** Heads `(Q, K, V)` and `(−Q, K, −V)` of one layer sum to
 *    `Σ_j [ReLU(s_j) − ReLU(−s_j)] V h_j = Σ_j s_j V h_j = (Σ_j V h_j (K h_j)ᵀ) Q h_i` (the
 *    constructions' `t = σ(t) − σ(−t)` device), so the pair keeps one running matrix
 *    `S = Σ_{j≤i} (V h_j)(K h_j)ᵀ` and costs O(nnz) per token instead of O(i).
 * 2. **Static coordinates.** A coordinate no `V_m` and no `W_2` ever writes keeps its input value
 *    through every layer (the clip never acts — checked). Keys, values and pair sums that read
 *    only such coordinates are computed once per token and shared by every layer.
 * 3. **Windows.** A head that promises (`window`) to give positive scores only to the last
 *    `window + 1` tokens, and whose keys read static coordinates, is scored against every
 *    earlier key (so the promise is checked: {@linkcode WindowViolationError}) but needs no
 *    per-layer cache of values: they are static, or (window 0) the query's own.
 *
 * Every other head keeps per-layer caches of its keys and values. A token pushed with
 * `output: false` (a reward token, whose own output nobody reads) is carried only through the
 * layers whose caches need its state. The runner assumes, as the paper's proofs do, that the clip
 * never takes effect, and throws {@linkcode ClipActiveError} on any token it computes where it
 * would.
 *
 * @module
 */

import {
  ClipActiveError,
  HorizonExceededError,
  NonFiniteInputError,
  TokenShapeError,
  WindowViolationError,
} from "./errors.ts";
import {
  nonzeroRows,
  readsOnly,
  selectRows,
  SparseBuilder,
  sparseKey,
  type SparseMatrix,
} from "./sparse.ts";
import {
  type AttentionHead,
  type ConstructedTransformer,
  type TfLayer,
  validateTransformer,
} from "./transformer.ts";

/** A compact projection: the nonzero rows of a matrix, as a (rows.length × D) matrix. */
interface Compact {
  /** The projection restricted to `rows`. */
  mat: SparseMatrix;
  /** Output rows (in the token) it stands for. */
  rows: Int32Array;
  /** Content key of `mat`, for sharing. */
  key: string;
}

/**
 * A per-token store of compact vectors (static: filled at arrival; per-layer: while computing).
 * The data live in the runner (`id` indexes them), so one plan serves many runners.
 */
interface Store {
  proj: Compact;
  dim: number;
  id: number;
}

interface PairPlan {
  q: Compact;
  k: Compact;
  v: Compact;
  /** Index of the runner's running Σ v kᵀ (|v| × |k|), shared by every layer when static. */
  sId: number;
  isStatic: boolean;
}

interface WindowPlan {
  q: Compact;
  keys: Store; // static
  window: number;
  /** Static values (shared), or null: the query's own value (window 0). */
  vals: Store | null;
  v: Compact;
  /** Memo key when Q is static too (scores identical at every layer), else null. */
  memo: string | null;
}

interface GeneralPlan {
  q: Compact;
  keys: Store;
  vals: Store;
  v: Compact;
}

interface LayerPlan {
  name: string;
  pairs: PairPlan[];
  windows: WindowPlan[];
  general: GeneralPlan[];
  /** Per-layer stores and pair sums this layer fills from each token's state (non-static). */
  layerStores: Store[];
  layerPairs: PairPlan[];
  W1: SparseMatrix | null;
  /** W2 by columns (hidden unit u writes `w2Val[n]` to row `w2Row[n]`, n ∈ [w2Ptr[u], w2Ptr[u+1])). */
  w2Ptr: Int32Array | null;
  w2Row: Int32Array | null;
  w2Val: Float64Array | null;
}

/** A transformer prepared for the cached runner (see the module doc). */
export interface CompiledTransformer {
  /** The transformer. */
  readonly tf: ConstructedTransformer;
  /** Static coordinates: never written by any layer. */
  readonly isStatic: readonly boolean[];
  /** Per-layer plans. */
  readonly layers: readonly LayerPlan[];
  /** Stores filled once per token from its input (shared by every layer). */
  readonly staticStores: readonly Store[];
  /** Static pair sums (shared by every layer). */
  readonly staticPairs: readonly PairPlan[];
  /** Layers a non-output token must be carried through (0: none). */
  readonly carryLayers: number;
  /** How the heads were handled: counts over all layers. */
  readonly headKinds: { pairs: number; windowed: number; general: number };
  /** Largest compact dimension (scratch size). */
  readonly maxDim: number;
  /** Every store (index = id). */
  readonly stores: readonly Store[];
  /** Size of every pair sum (index = sId). */
  readonly sumSizes: readonly number[];
}

function compact(M: SparseMatrix, rows: Int32Array): Compact {
  const mat = selectRows(M, rows);
  return { mat, rows, key: sparseKey(mat) };
}

/** W2 in compressed sparse columns (the runner scatters each active hidden unit). */
function byColumns(W2: SparseMatrix | null): Pick<LayerPlan, "w2Ptr" | "w2Row" | "w2Val"> {
  if (W2 === null) return { w2Ptr: null, w2Row: null, w2Val: null };
  const ptr = new Int32Array(W2.cols + 1);
  for (let n = 0; n < W2.colIdx.length; n++) ptr[W2.colIdx[n] + 1]++;
  for (let u = 0; u < W2.cols; u++) ptr[u + 1] += ptr[u];
  const fill = ptr.slice(0, W2.cols);
  const row = new Int32Array(W2.colIdx.length), val = new Float64Array(W2.colIdx.length);
  for (let r = 0; r < W2.rows; r++) {
    for (let n = W2.rowPtr[r]; n < W2.rowPtr[r + 1]; n++) {
      const at = fill[W2.colIdx[n]]++;
      row[at] = r;
      val[at] = W2.values[n];
    }
  }
  return { w2Ptr: ptr, w2Row: row, w2Val: val };
}

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const s = new Set(b);
  return Int32Array.from([...a].filter((x) => s.has(x)));
}

/**
 * Compile a transformer for {@linkcode CausalRunner}: find sign pairs, static coordinates,
 * windowed heads and the stores they need (module doc).
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * import { compileTransformer } from "./runner.ts";
 * const D = 3, Q = sparse(D, D, [[0, 0, 1]]), K = sparse(D, D, [[0, 1, 1]]);
 * const V = sparse(D, D, [[2, 1, 1]]), nQ = sparse(D, D, [[0, 0, -1]]), nV = sparse(D, D, [[2, 1, -1]]);
 * const tf = { D, clip: Infinity, maxTokens: 8, layers: [{ name: "pair", heads: [{ Q, K, V }, { Q: nQ, K, V: nV }], mlp: null }] };
 * compileTransformer(tf).headKinds; // { pairs: 1, windowed: 0, general: 0 }
 * ```
 */
export function compileTransformer(tf: ConstructedTransformer): CompiledTransformer {
  validateTransformer(tf);
  const { D } = tf;
  const written = new Array<boolean>(D).fill(false);
  for (const layer of tf.layers) {
    for (const h of layer.heads) for (const r of nonzeroRows(h.V)) written[r] = true;
    if (layer.mlp) { for (const r of nonzeroRows(layer.mlp.W2)) written[r] = true; }
  }
  const isStatic = written.map((w) => !w);
  const staticStores = new Map<string, Store>();
  const staticPairs = new Map<string, PairPlan>();
  let maxDim = 1;
  const stores: Store[] = [];
  const sumSizes: number[] = [];
  const store = (proj: Compact): Store => {
    maxDim = Math.max(maxDim, proj.rows.length);
    const s = { proj, dim: proj.rows.length, id: stores.length };
    stores.push(s);
    return s;
  };
  const newSum = (size: number) => sumSizes.push(size) - 1;
  const staticStore = (proj: Compact): Store => {
    let s = staticStores.get(proj.key);
    if (s === undefined) {
      s = store(proj);
      staticStores.set(proj.key, s);
    }
    return s;
  };
  const kinds = { pairs: 0, windowed: 0, general: 0 };
  let carryLayers = 0;
  // a layer object repeated (the AGD steps) compiles once when it keeps no per-layer state
  const seen = new Map<TfLayer, LayerPlan>();
  const layers: LayerPlan[] = tf.layers.map((layer, l) => {
    const again = seen.get(layer);
    if (again !== undefined && again.layerStores.length === 0 && again.layerPairs.length === 0) {
      const k = again.pairs.length, g = again.general.length;
      kinds.pairs += k;
      kinds.windowed += layer.heads.length - 2 * k - g; // as counted the first time
      kinds.general += g;
      return again;
    }
    const plan: LayerPlan = {
      name: layer.name,
      pairs: [],
      windows: [],
      general: [],
      layerStores: [],
      layerPairs: [],
      W1: layer.mlp?.W1 ?? null,
      ...byColumns(layer.mlp?.W2 ?? null),
    };
    // 1. sign pairs (Q, K, V) + (−Q, K, −V)
    const unpaired = new Map<string, number[]>();
    const paired = new Set<number>();
    layer.heads.forEach((h, m) => {
      const want = `${sparseKey(h.K)}|${sparseKey(h.Q, true)}|${sparseKey(h.V, true)}`;
      const partners = unpaired.get(want);
      if (partners !== undefined && partners.length > 0) {
        const m0 = partners.shift()!;
        paired.add(m0).add(m);
        const h0 = layer.heads[m0];
        const kRows = intersect(nonzeroRows(h0.K), nonzeroRows(h0.Q));
        const q = compact(h0.Q, kRows), k = compact(h0.K, kRows);
        const v = compact(h0.V, nonzeroRows(h0.V));
        maxDim = Math.max(maxDim, kRows.length, v.rows.length);
        const isSt = readsOnly(k.mat, isStatic) && readsOnly(v.mat, isStatic);
        let pair: PairPlan;
        if (isSt) {
          // the sum depends only on the compact K and V: shared by every head and layer with them
          const key = `${k.key}|${v.key}`;
          let shared = staticPairs.get(key);
          if (shared === undefined) {
            shared = { q, k, v, sId: newSum(v.rows.length * kRows.length), isStatic: true };
            staticPairs.set(key, shared);
          }
          pair = { q, k, v, sId: shared.sId, isStatic: true };
        } else {
          pair = { q, k, v, sId: newSum(v.rows.length * kRows.length), isStatic: false };
          plan.layerPairs.push(pair);
        }
        plan.pairs.push(pair);
        kinds.pairs++;
        return;
      }
      const mine = `${sparseKey(h.K)}|${sparseKey(h.Q)}|${sparseKey(h.V)}`;
      if (!unpaired.has(mine)) unpaired.set(mine, []);
      unpaired.get(mine)!.push(m);
    });
    // windowed heads with equal (Q, K, window) score identically: fuse their values (exact)
    const fused = new Map<string, { h: AttentionHead; V: SparseBuilder; n: number }>();
    const rest: AttentionHead[] = [];
    layer.heads.forEach((h, m) => {
      if (paired.has(m)) return;
      if (h.window === undefined) {
        rest.push(h);
        return;
      }
      const key = `${sparseKey(h.Q)}|${sparseKey(h.K)}|${h.window}`;
      let f = fused.get(key);
      if (f === undefined) {
        f = { h, V: new SparseBuilder(D, D), n: 0 };
        fused.set(key, f);
      }
      for (let r = 0; r < D; r++) {
        for (let e = h.V.rowPtr[r]; e < h.V.rowPtr[r + 1]; e++) {
          f.V.add(r, h.V.colIdx[e], h.V.values[e]);
        }
      }
      f.n++;
    });
    for (const f of fused.values()) {
      rest.push(f.n === 1 ? f.h : { Q: f.h.Q, K: f.h.K, V: f.V.build(), window: f.h.window });
      kinds.windowed += f.n - 1;
    }
    rest.forEach((h) => {
      const kRows = intersect(nonzeroRows(h.K), nonzeroRows(h.Q));
      const q = compact(h.Q, kRows), k = compact(h.K, kRows);
      const v = compact(h.V, nonzeroRows(h.V));
      maxDim = Math.max(maxDim, kRows.length, v.rows.length);
      const kStatic = readsOnly(k.mat, isStatic), vStatic = readsOnly(v.mat, isStatic);
      if (h.window !== undefined && kStatic && (vStatic || h.window === 0)) {
        const qStatic = readsOnly(q.mat, isStatic);
        plan.windows.push({
          q,
          keys: staticStore(k),
          window: h.window,
          vals: vStatic ? staticStore(v) : null,
          v,
          memo: qStatic ? `${q.key}|${k.key}|${h.window}` : null,
        });
        kinds.windowed++;
        return;
      }
      let keys: Store, vals: Store;
      if (kStatic) keys = staticStore(k);
      else {
        keys = store(k);
        plan.layerStores.push(keys);
      }
      if (vStatic) vals = staticStore(v);
      else {
        vals = store(v);
        plan.layerStores.push(vals);
      }
      plan.general.push({ q, keys, vals, v });
      kinds.general++;
    });
    if (plan.layerStores.length > 0 || plan.layerPairs.length > 0) carryLayers = l + 1;
    seen.set(layer, plan);
    return plan;
  });
  return {
    tf,
    isStatic,
    layers,
    staticStores: [...staticStores.values()],
    staticPairs: [...staticPairs.values()],
    carryLayers,
    headKinds: kinds,
    maxDim,
    stores,
    sumSizes,
  };
}

/** Options of {@linkcode BatchRunner.push} and {@linkcode CausalRunner.push}. */
export interface PushOptions {
  /** Compute this token's output (default true). False: only what later tokens read. */
  output?: boolean;
  /**
   * Called with the token's state after layer ℓ = 0 … L (the array is reused: copy what you
   * keep). For a {@linkcode BatchRunner} the state is coordinate-major: coordinate c of lane e at
   * `c·E + e`.
   */
  probe?: (layer: number, h: Float64Array) => void;
}

/**
 * E token sequences of equal length through one compiled transformer in lockstep (module doc):
 * each `push` appends one token to every lane. Lanes are independent; running them together
 * only makes every inner loop run over the E lanes (coordinate-major state, `c·E + e`), which
 * amortises the sparse bookkeeping. `push` returns the final states (coordinate-major, a reused
 * buffer), or null for `output: false`; {@linkcode lane} copies one lane out.
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * import { BatchRunner, compileTransformer, lane } from "./runner.ts";
 * const D = 3;
 * const Q = sparse(D, D, [[2, 2, 1]]), K = sparse(D, D, [[2, 2, 1]]), V = sparse(D, D, [[1, 0, 1]]);
 * const tf = { D, clip: Infinity, maxTokens: 2, layers: [{ name: "mean", heads: [{ Q, K, V }], mlp: null }] };
 * const run = new BatchRunner(compileTransformer(tf), 2);
 * run.push(new Float64Array([2, 0, 1, 6, 0, 1])); // lane 0: [2, 0, 1]; lane 1: [6, 0, 1]
 * lane(run.push(new Float64Array([4, 0, 1, 0, 0, 1]))!, 2, 3, 1); // lane 1: [0, 3, 1]
 * ```
 */
export class BatchRunner {
  /** Tokens pushed so far (per lane). */
  length = 0;
  /** Score evaluations ⟨q, k⟩ done so far, summed over lanes (a cost measure). */
  scoreEvals = 0;
  /** Largest ‖h‖₂ seen on a computed token at any layer, over lanes (for the clip radius). */
  maxNorm = 0;
  private readonly D: number;
  private hA: Float64Array;
  private hB: Float64Array;
  private readonly h0: Float64Array;
  private readonly qv: Float64Array;
  private readonly kv: Float64Array;
  private readonly vv: Float64Array;
  private readonly acc: Float64Array;
  private readonly sc: Float64Array;
  private readonly hidden: Float64Array;
  private readonly data: Float64Array[];
  private readonly sums: Float64Array[];
  private readonly memo = new Map<string, Float64Array>();

  /** @param plan from {@linkcode compileTransformer}; @param E lanes (≥ 1). */
  constructor(readonly plan: CompiledTransformer, readonly E: number) {
    if (!(Number.isInteger(E) && E >= 1)) {
      throw new TokenShapeError(`lanes E must be an integer ≥ 1, got ${E}`);
    }
    this.D = plan.tf.D;
    this.hA = new Float64Array(this.D * E);
    this.hB = new Float64Array(this.D * E);
    this.h0 = new Float64Array(this.D * E);
    const m = plan.maxDim * E;
    this.qv = new Float64Array(m);
    this.kv = new Float64Array(m);
    this.vv = new Float64Array(m);
    this.acc = new Float64Array(m);
    let w = 1;
    for (const l of plan.layers) for (const h of l.windows) w = Math.max(w, h.window + 1);
    this.sc = new Float64Array(Math.max(w, 1) * E);
    let hid = 1;
    for (const l of plan.layers) if (l.W1) hid = Math.max(hid, l.W1.rows);
    this.hidden = new Float64Array(hid * E);
    const N = plan.tf.maxTokens;
    this.data = plan.stores.map((s) => new Float64Array(N * s.dim * E));
    this.sums = plan.sumSizes.map((n) => new Float64Array(n * E));
    this.reset();
  }

  /** Forget every token. */
  reset(): void {
    this.length = 0;
    this.scoreEvals = 0;
    this.maxNorm = 0;
    for (const S of this.sums) S.fill(0);
  }

  /**
   * Push the next token of every lane: `tokens` holds E tokens of length D, lane after lane
   * (`tokens[e·D + c]`), all finite; see {@linkcode PushOptions}.
   */
  push(tokens: ArrayLike<number>, opts: PushOptions = {}): Float64Array | null {
    const { D, E, plan } = this;
    const tf = plan.tf;
    if (tokens.length !== D * E) {
      throw new TokenShapeError(
        `tokens must hold E × D = ${E} × ${D} = ${E * D} numbers, got ${tokens.length}`,
      );
    }
    if (this.length >= tf.maxTokens) {
      throw new HorizonExceededError(
        `token ${this.length + 1}: the construction was built for at most ${tf.maxTokens} tokens`,
      );
    }
    const h0 = this.h0;
    for (let e = 0; e < E; e++) {
      for (let c = 0; c < D; c++) {
        const x = tokens[e * D + c];
        if (!Number.isFinite(x)) {
          throw new NonFiniteInputError(
            `token ${this.length + 1} (lane ${e}) coordinate ${c} is ${x}`,
          );
        }
        h0[c * E + e] = x;
      }
    }
    const n = this.length; // 0-based index; position i = n + 1
    this.length++;
    this.checkClip(h0, 0);
    for (const s of plan.staticStores) this.project(s.proj.mat, h0, this.data[s.id], n * s.dim * E);
    for (const p of plan.staticPairs) this.addOuter(p, h0);
    this.memo.clear();
    const output = opts.output ?? true;
    const L = plan.layers.length;
    opts.probe?.(0, h0);
    let hIn = this.hA, hOut = this.hB;
    hIn.set(h0);
    const last = output ? L : plan.carryLayers;
    for (let l = 0; l < last; l++) {
      const lp = plan.layers[l];
      for (const s of lp.layerStores) this.project(s.proj.mat, hIn, this.data[s.id], n * s.dim * E);
      for (const p of lp.layerPairs) this.addOuter(p, hIn);
      if (!output && l === last - 1) break; // its contributions are in; its output is not needed
      this.layer(lp, hIn, hOut, n, l + 1);
      opts.probe?.(l + 1, hOut);
      const t = hIn;
      hIn = hOut;
      hOut = t;
    }
    return output ? hIn : null;
  }

  /** `out[off + (r·E + e)] = (M h_e)_r` for every lane. */
  private project(M: SparseMatrix, h: Float64Array, out: Float64Array, off: number): void {
    const E = this.E, { rows, rowPtr, colIdx, values } = M;
    for (let r = 0; r < rows; r++) {
      const o = off + r * E;
      out.fill(0, o, o + E);
      for (let n = rowPtr[r]; n < rowPtr[r + 1]; n++) {
        const v = values[n], c = colIdx[n] * E;
        for (let e = 0; e < E; e++) out[o + e] += v * h[c + e];
      }
    }
  }

  private addOuter(p: PairPlan, h: Float64Array): void {
    const E = this.E, nk = p.k.rows.length, nv = p.v.rows.length;
    this.project(p.k.mat, h, this.kv, 0);
    this.project(p.v.mat, h, this.vv, 0);
    const S = this.sums[p.sId], kv = this.kv, vv = this.vv;
    for (let a = 0; a < nv; a++) {
      for (let b = 0; b < nk; b++) {
        const so = (a * nk + b) * E, ao = a * E, bo = b * E;
        for (let e = 0; e < E; e++) S[so + e] += vv[ao + e] * kv[bo + e];
      }
    }
  }

  private checkClip(h: Float64Array, layer: number): void {
    const { D, E } = this;
    const R = this.plan.tf.clip;
    for (let e = 0; e < E; e++) {
      let s = 0;
      for (let c = 0; c < D; c++) s += h[c * E + e] * h[c * E + e];
      const norm = Math.sqrt(s);
      if (norm > this.maxNorm) this.maxNorm = norm;
      if (norm > R) {
        throw new ClipActiveError(
          `token ${this.length} (lane ${e}) after layer ${layer}: ‖h‖ = ${norm} > clip R = ${R}`,
        );
      }
    }
  }

  private layer(lp: LayerPlan, hIn: Float64Array, hOut: Float64Array, n: number, l: number): void {
    const E = this.E, inv = 1 / (n + 1);
    hOut.set(hIn);
    const { qv, acc } = this;
    for (const p of lp.pairs) {
      const nk = p.k.rows.length, nv = p.v.rows.length;
      this.project(p.q.mat, hIn, qv, 0);
      const S = this.sums[p.sId], rows = p.v.rows;
      for (let a = 0; a < nv; a++) {
        const o = rows[a] * E;
        for (let b = 0; b < nk; b++) {
          const so = (a * nk + b) * E, bo = b * E;
          for (let e = 0; e < E; e++) hOut[o + e] += S[so + e] * qv[bo + e] * inv;
        }
      }
    }
    for (const w of lp.windows) this.windowHead(w, hIn, hOut, n, inv);
    for (const g of lp.general) {
      const nk = g.keys.dim, nv = g.vals.dim;
      this.project(g.q.mat, hIn, qv, 0);
      acc.fill(0, 0, nv * E);
      const K = this.data[g.keys.id], V = this.data[g.vals.id], s = this.sc;
      for (let j = 0; j <= n; j++) {
        this.scores(qv, K, nk, j, s);
        const vo = j * nv * E;
        for (let a = 0; a < nv; a++) {
          const va = vo + a * E, ao = a * E;
          for (let e = 0; e < E; e++) if (s[e] > 0) acc[ao + e] += s[e] * V[va + e];
        }
      }
      this.scoreEvals += (n + 1) * E;
      const rows = g.v.rows;
      for (let a = 0; a < nv; a++) {
        const o = rows[a] * E, ao = a * E;
        for (let e = 0; e < E; e++) hOut[o + e] += acc[ao + e] * inv;
      }
    }
    if (lp.W1 !== null) {
      // all units read the attention output first, then write (h + W2 σ(W1 h))
      const hid = this.hidden, nu = lp.W1.rows;
      this.project(lp.W1, hOut, hid, 0);
      const ptr = lp.w2Ptr!, row = lp.w2Row!, val = lp.w2Val!;
      for (let u = 0; u < nu; u++) {
        const uo = u * E;
        for (let k = ptr[u]; k < ptr[u + 1]; k++) {
          const o = row[k] * E, v = val[k];
          for (let e = 0; e < E; e++) {
            const x = hid[uo + e];
            if (x > 0) hOut[o + e] += v * x;
          }
        }
      }
    }
    this.checkClip(hOut, l);
  }

  /** `s[e] = q_eᵀ k_{j,e}` on every lane e: the query `qv` (nk × E) against stored key j of `K`. */
  private scores(qv: Float64Array, K: Float64Array, nk: number, j: number, s: Float64Array): void {
    const E = this.E;
    s.fill(0, 0, E);
    const ko = j * nk * E;
    for (let b = 0; b < nk; b++) {
      const kb = ko + b * E, qb = b * E;
      for (let e = 0; e < E; e++) s[e] += qv[qb + e] * K[kb + e];
    }
  }

  /** Scores of a windowed head: `((n − j)·E + e)` for j in the window, 0 where not positive. */
  private windowScores(w: WindowPlan, hIn: Float64Array, n: number): Float64Array {
    const E = this.E, nk = w.keys.dim, W = w.window;
    const out = new Float64Array((W + 1) * E);
    const qv = this.qv, s = this.sc;
    this.project(w.q.mat, hIn, qv, 0);
    const K = this.data[w.keys.id];
    for (let j = 0; j <= n; j++) {
      this.scores(qv, K, nk, j, s);
      const inside = j >= n - W;
      for (let e = 0; e < E; e++) {
        if (s[e] <= 0) continue;
        if (!inside) {
          throw new WindowViolationError(
            `token ${n + 1} (lane ${e}): a head with window ${W} scored token ${j + 1} at ${
              s[e]
            } > 0`,
          );
        }
        out[(n - j) * E + e] = s[e];
      }
    }
    this.scoreEvals += (n + 1) * E;
    return out;
  }

  private windowHead(
    w: WindowPlan,
    hIn: Float64Array,
    hOut: Float64Array,
    n: number,
    inv: number,
  ): void {
    const E = this.E, nv = w.v.rows.length;
    let sc = w.memo === null ? undefined : this.memo.get(w.memo);
    if (sc === undefined) {
      sc = this.windowScores(w, hIn, n);
      if (w.memo !== null) this.memo.set(w.memo, sc);
    }
    const rows = w.v.rows;
    if (w.vals !== null) {
      const V = this.data[w.vals.id];
      for (let o = 0; o <= w.window && o <= n; o++) {
        const vo = (n - o) * nv * E, so = o * E;
        for (let a = 0; a < nv; a++) {
          const ro = rows[a] * E, va = vo + a * E;
          for (let e = 0; e < E; e++) hOut[ro + e] += sc[so + e] * inv * V[va + e];
        }
      }
    } else {
      // window 0, dynamic value: the query's own
      this.project(w.v.mat, hIn, this.vv, 0);
      for (let a = 0; a < nv; a++) {
        const ro = rows[a] * E, ao = a * E;
        for (let e = 0; e < E; e++) hOut[ro + e] += sc[e] * inv * this.vv[ao + e];
      }
    }
  }
}

/**
 * Lane e of a coordinate-major batch state (D coordinates), into `out` (default a new array).
 *
 * @example
 * ```ts
 * import { lane } from "./runner.ts";
 * lane(new Float64Array([1, 2, 3, 4]), 2, 2, 1); // [2, 4]
 * ```
 */
export function lane(
  h: Float64Array,
  D: number,
  E: number,
  e: number,
  out = new Float64Array(D),
): Float64Array {
  for (let c = 0; c < D; c++) out[c] = h[c * E + e];
  return out;
}

/**
 * One token sequence (a {@linkcode BatchRunner} with one lane): `push(token)` takes a token of
 * length D and returns its final state (a reused buffer), or null for `output: false`.
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * import { CausalRunner, compileTransformer } from "./runner.ts";
 * const D = 3;
 * const Q = sparse(D, D, [[2, 2, 1]]), K = sparse(D, D, [[2, 2, 1]]), V = sparse(D, D, [[1, 0, 1]]);
 * const tf = { D, clip: Infinity, maxTokens: 2, layers: [{ name: "mean", heads: [{ Q, K, V }], mlp: null }] };
 * const run = new CausalRunner(compileTransformer(tf));
 * run.push(new Float64Array([2, 0, 1]));
 * run.push(new Float64Array([4, 0, 1])); // [4, 3, 1]: coordinate 1 = mean of coordinate 0
 * ```
 */
export class CausalRunner extends BatchRunner {
  /** @param plan from {@linkcode compileTransformer}. */
  constructor(plan: CompiledTransformer) {
    super(plan, 1);
  }
}
