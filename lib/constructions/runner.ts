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
  sparseKey,
  type SparseMatrix,
  spmv,
} from "./sparse.ts";
import { type ConstructedTransformer, validateTransformer } from "./transformer.ts";

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
  const layers: LayerPlan[] = tf.layers.map((layer, l) => {
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
    layer.heads.forEach((h, m) => {
      if (paired.has(m)) return;
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

/** Options of {@linkcode CausalRunner.push}. */
export interface PushOptions {
  /** Compute this token's output (default true). False: only what later tokens read. */
  output?: boolean;
  /** Called with the token's state after layer ℓ = 0 … L (the array is reused). */
  probe?: (layer: number, h: Float64Array) => void;
}

/**
 * One token sequence through a compiled transformer, token by token (module doc). `push`
 * returns the token's final state `h^(L)` (a reused buffer: copy what you keep), or null for
 * `output: false`.
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
export class CausalRunner {
  /** Tokens pushed so far. */
  length = 0;
  /** Score evaluations ⟨q, k⟩ done so far (a cost measure). */
  scoreEvals = 0;
  /** Largest ‖h‖₂ seen on a computed token at any layer (for the clip radius). */
  maxNorm = 0;
  private readonly D: number;
  private readonly hA: Float64Array;
  private readonly hB: Float64Array;
  private readonly h0: Float64Array;
  private readonly qv: Float64Array;
  private readonly kv: Float64Array;
  private readonly vv: Float64Array;
  private readonly acc: Float64Array;
  private hidden: Float64Array;
  private readonly data: Float64Array[];
  private readonly sums: Float64Array[];
  private readonly memo = new Map<string, { js: number[]; ss: number[] }>();

  /** @param plan from {@linkcode compileTransformer}. */
  constructor(readonly plan: CompiledTransformer) {
    this.D = plan.tf.D;
    this.hA = new Float64Array(this.D);
    this.hB = new Float64Array(this.D);
    this.h0 = new Float64Array(this.D);
    const m = plan.maxDim;
    this.qv = new Float64Array(m);
    this.kv = new Float64Array(m);
    this.vv = new Float64Array(m);
    this.acc = new Float64Array(m);
    let hid = 1;
    for (const l of plan.layers) if (l.W1) hid = Math.max(hid, l.W1.rows);
    this.hidden = new Float64Array(hid);
    const N = plan.tf.maxTokens;
    this.data = plan.stores.map((s) => new Float64Array(N * s.dim));
    this.sums = plan.sumSizes.map((n) => new Float64Array(n));
    this.reset();
  }

  /** Forget every token. */
  reset(): void {
    this.length = 0;
    this.scoreEvals = 0;
    this.maxNorm = 0;
    for (const S of this.sums) S.fill(0);
  }

  /** Push the next token (length D, finite); see {@linkcode PushOptions}. */
  push(token: ArrayLike<number>, opts: PushOptions = {}): Float64Array | null {
    const { D, plan } = this;
    const tf = plan.tf;
    if (token.length !== D) {
      throw new TokenShapeError(`token must have length D = ${D}, got ${token.length}`);
    }
    if (this.length >= tf.maxTokens) {
      throw new HorizonExceededError(
        `token ${this.length + 1}: the construction was built for at most ${tf.maxTokens} tokens`,
      );
    }
    for (let c = 0; c < D; c++) {
      if (!Number.isFinite(token[c])) {
        throw new NonFiniteInputError(`token ${this.length + 1} coordinate ${c} is ${token[c]}`);
      }
    }
    const n = this.length; // 0-based index; position i = n + 1
    this.length++;
    const h0 = this.h0;
    for (let c = 0; c < D; c++) h0[c] = token[c];
    this.checkClip(h0, 0);
    // static stores and static pair sums, from the input
    for (const s of plan.staticStores) spmv(s.proj.mat, h0, 0, this.data[s.id], n * s.dim);
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
      for (const s of lp.layerStores) spmv(s.proj.mat, hIn, 0, this.data[s.id], n * s.dim);
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

  private addOuter(p: PairPlan, h: Float64Array): void {
    const nk = p.k.rows.length, nv = p.v.rows.length;
    spmv(p.k.mat, h, 0, this.kv, 0);
    spmv(p.v.mat, h, 0, this.vv, 0);
    const S = this.sums[p.sId], kv = this.kv, vv = this.vv;
    for (let a = 0; a < nv; a++) {
      const va = vv[a];
      if (va === 0) continue;
      const off = a * nk;
      for (let b = 0; b < nk; b++) S[off + b] += va * kv[b];
    }
  }

  private checkClip(h: Float64Array, layer: number): void {
    let s = 0;
    for (let c = 0; c < this.D; c++) s += h[c] * h[c];
    const norm = Math.sqrt(s);
    if (norm > this.maxNorm) this.maxNorm = norm;
    if (norm > this.plan.tf.clip) {
      throw new ClipActiveError(
        `token ${this.length} after layer ${layer}: ‖h‖ = ${norm} > clip R = ${this.plan.tf.clip}`,
      );
    }
  }

  private layer(lp: LayerPlan, hIn: Float64Array, hOut: Float64Array, n: number, l: number): void {
    const inv = 1 / (n + 1);
    hOut.set(hIn);
    const { qv, acc } = this;
    for (const p of lp.pairs) {
      const nk = p.k.rows.length, nv = p.v.rows.length;
      spmv(p.q.mat, hIn, 0, qv, 0);
      const S = this.sums[p.sId], rows = p.v.rows;
      for (let a = 0; a < nv; a++) {
        let s = 0;
        const off = a * nk;
        for (let b = 0; b < nk; b++) s += S[off + b] * qv[b];
        hOut[rows[a]] += s * inv;
      }
    }
    for (const w of lp.windows) this.windowHead(w, hIn, hOut, n, inv);
    for (const g of lp.general) {
      const nk = g.keys.dim, nv = g.vals.dim;
      spmv(g.q.mat, hIn, 0, qv, 0);
      acc.fill(0, 0, nv);
      const K = this.data[g.keys.id], V = this.data[g.vals.id];
      for (let j = 0; j <= n; j++) {
        let s = 0;
        const ko = j * nk;
        for (let b = 0; b < nk; b++) s += qv[b] * K[ko + b];
        if (s <= 0) continue;
        const vo = j * nv;
        for (let a = 0; a < nv; a++) acc[a] += s * V[vo + a];
      }
      this.scoreEvals += n + 1;
      const rows = g.v.rows;
      for (let a = 0; a < nv; a++) hOut[rows[a]] += acc[a] * inv;
    }
    if (lp.W1 !== null) {
      // all units read the attention output first, then write (h + W2 σ(W1 h))
      const hid = this.hidden, nu = lp.W1.rows;
      spmv(lp.W1, hOut, 0, hid, 0);
      const ptr = lp.w2Ptr!, row = lp.w2Row!, val = lp.w2Val!;
      for (let u = 0; u < nu; u++) {
        const x = hid[u];
        if (x <= 0) continue;
        for (let n = ptr[u]; n < ptr[u + 1]; n++) hOut[row[n]] += val[n] * x;
      }
    }
    this.checkClip(hOut, l);
  }

  private windowHead(
    w: WindowPlan,
    hIn: Float64Array,
    hOut: Float64Array,
    n: number,
    inv: number,
  ): void {
    const nk = w.keys.dim, nv = w.v.rows.length;
    let hit = w.memo === null ? undefined : this.memo.get(w.memo);
    if (hit === undefined) {
      const qv = this.qv;
      spmv(w.q.mat, hIn, 0, qv, 0);
      const js: number[] = [], ss: number[] = [];
      const K = this.data[w.keys.id];
      for (let j = 0; j <= n; j++) {
        let s = 0;
        const ko = j * nk;
        for (let b = 0; b < nk; b++) s += qv[b] * K[ko + b];
        if (s > 0) {
          if (j < n - w.window) {
            throw new WindowViolationError(
              `token ${n + 1}: a head with window ${w.window} scored token ${j + 1} at ${s} > 0`,
            );
          }
          js.push(j);
          ss.push(s);
        }
      }
      this.scoreEvals += n + 1;
      hit = { js, ss };
      if (w.memo !== null) this.memo.set(w.memo, hit);
    }
    if (hit.js.length === 0) return;
    const rows = w.v.rows;
    if (w.vals !== null) {
      const V = this.data[w.vals.id];
      for (let t = 0; t < hit.js.length; t++) {
        const f = hit.ss[t] * inv, vo = hit.js[t] * nv;
        for (let a = 0; a < nv; a++) hOut[rows[a]] += f * V[vo + a];
      }
    } else {
      // window 0, dynamic value: the query's own
      spmv(w.v.mat, hIn, 0, this.vv, 0);
      const f = hit.ss[0] * inv;
      for (let a = 0; a < nv; a++) hOut[rows[a]] += f * this.vv[a];
    }
  }
}
