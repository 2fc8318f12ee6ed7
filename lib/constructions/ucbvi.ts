/**
 * Soft UCB-VI on episodic tabular MDPs ([LBM24] §4.3, its Theorem "Approximating the soft UCB-VI"
 * and proof; MATH §10.8): a transformer whose policy equals soft UCB-VI(τ) exactly (up to float
 * rounding), with the paper's embedding and its four steps.
 *
 * Embedding (paper): per episode k and step h, a state token `[0_{A+1} | e_{s_{k,h}} | 0_A | work | pos]`
 * and an action token `[e_{a_{k,h}}, r_{k,h} | 0_S | 0_A | work | pos]`, then one empty token closing
 * the episode: 2H + 1 tokens per episode; `pos = (k, h, v, i, i², 1)` with v = 1 on tokens without
 * an action (state, empty) and h = H + 1 on the empty token. The policy is `softmax(part c)` of
 * the current state token.
 *
 * Steps (layers):
 * 1. **counts** — (a) three window-2 heads copy the previous step's `(s, a, r)` into each state /
 *    empty token (÷ i), a "× i" head restores them, an MLP writes the one-hot of h; (b) ten heads per
 *    `(h, s, a, s′)` and per `(h, s, a)` (the paper's five ReLU "hat" heads on the step, plus five
 *    restricted to the current episode and subtracted) count `N_h(s,a,s′)`, `N_h(s,a)` and the reward
 *    sums over earlier episodes (÷ i); a "× i" head restores them;
 * 2. **estimates** — an MLP computes `1/(N ∨ 1)` and the bonus `c_b H√(L/(N ∨ 1))` as ReLU interpolants
 *    on the integers 0 … K (exact at integers); same-token product heads give `P̂ = N_h(s,a,s′)/(N ∨ 1)`
 *    and `r̂ = R/(N ∨ 1)`;
 * 3. **value iteration**, h = H … 1 — product heads give `Σ_{s′} P̂ V̂_{h+1}`, an MLP clips
 *    `Q̂_h = min{H, max{0, r̂ + b + P̂V̂}}` exactly, and ⌈log₂ A⌉ MLP layers take `V̂_h = max_a Q̂_h`
 *    by pairwise maxima (`max(x, y) = σ(x) + σ(y − x)` for x ≥ 0);
 * 4. **extraction** — one product head per `(h′, s)` adds `1[h = h′, s_t = s] · Q̂_{h′}(s, ·)/τ` to the
 *    logits.
 *
 * Where this differs from the paper's text (MATH §10.8 lists each, with the measured failure):
 * its "x ↦ x²" head for counts uses a threshold K that is too small once a count exceeds √K (we
 * do not square counts at all); its one-layer `max_a` formula `σ(Q₁) + Σ_j σ(Q_j − Q_{j−1})` is not
 * the maximum for A ≥ 3; its Σ P̂ V̂ heads read P̂ from every token (ours from the own token only).
 *
 * @module
 */

import {
  interpolant,
  MlpBuilder,
  multiplierConstant,
  type PiecewiseLinear,
  piecewiseUnits,
  type PositionCoords,
  selfMultiplyQK,
} from "./blocks.ts";
import {
  ConstructionParameterError,
  HorizonExceededError,
  NonFiniteInputError,
  TokenShapeError,
} from "./errors.ts";
import { type Slot, TokenLayout } from "./layout.ts";
import { sparse } from "./sparse.ts";
import type { AttentionHead, ConstructedTransformer, TfLayer } from "./transformer.ts";
import type { Rng } from "../core/rng.ts";
import { type EpisodicMdp, episodicOptimal, episodicPolicyValue } from "../mdp/episodic.ts";
import {
  addEpisode,
  emptyUcbviCounts,
  sampleRow,
  ucbviBonus,
  ucbviLog,
  ucbviPolicy,
  ucbviQ,
} from "../mdp/ucbvi.ts";
import { softmax, totalVariation } from "./reference.ts";
import { BatchRunner, type CompiledTransformer, compileTransformer } from "./runner.ts";

/** Parameters of the soft UCB-VI construction. */
export interface UcbviSpec {
  /** States S. */
  nS: number;
  /** Actions A. */
  nA: number;
  /** Horizon H. */
  H: number;
  /** Episodes K built for. */
  K: number;
  /** Temperature τ > 0. */
  tau: number;
  /** Bonus scale c_b of `c_b H √(L/(N ∨ 1))` (the paper's 2). */
  bonusScale: number;
}

/** The UCB-VI token layout (module doc). */
export interface UcbviLayout {
  readonly layout: TokenLayout;
  readonly act: Slot;
  readonly r: Slot;
  readonly st: Slot;
  readonly logits: Slot;
  readonly k: Slot;
  readonly h: Slot;
  readonly v: Slot;
  readonly i: Slot;
  readonly i2: Slot;
  readonly one: Slot;
}

/** The built transformer and the slots the checks read. */
export interface UcbviConstruction {
  spec: UcbviSpec;
  tf: ConstructedTransformer;
  layout: UcbviLayout;
  /** Counts `N_h(s,a,s′)` ((H−1)·S·A·S), `N_h(s,a)` and reward sums (H·S·A), after step 1. */
  n3: Slot;
  n2: Slot;
  rs: Slot;
  /** `1/(N ∨ 1)` and the bonus (H·S·A). */
  g: Slot;
  bonus: Slot;
  /** `P̂` ((H−1)·S·A·S) and `r̂` (H·S·A). */
  ph: Slot;
  rh: Slot;
  /** `Q̂_h` (S·A each, h = 0 … H−1, 0-based) and `V̂_h` (S each). */
  q: Slot[];
  vv: Slot[];
  /** The interpolants of step 2. */
  gInterp: PiecewiseLinear;
  bonusInterp: PiecewiseLinear;
  /** Layer ranges of the steps. */
  steps: Record<"counts" | "estimates" | "values" | "extract", [number, number]>;
}

/**
 * Check a spec; throws a {@linkcode ConstructionParameterError} naming the field.
 *
 * @example
 * ```ts
 * import { validateUcbviSpec } from "./ucbvi.ts";
 * validateUcbviSpec({ nS: 3, nA: 3, H: 4, K: 25, tau: 0.1, bonusScale: 2 });
 * ```
 */
export function validateUcbviSpec(s: UcbviSpec): UcbviSpec {
  for (const k of ["nS", "nA", "H", "K"] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 1)) {
      throw new ConstructionParameterError(`UCB-VI ${k} must be an integer ≥ 1, got ${s[k]}`);
    }
  }
  if (!(s.tau > 0 && Number.isFinite(s.tau))) {
    throw new ConstructionParameterError(`UCB-VI τ must be > 0, got ${s.tau}`);
  }
  if (!(s.bonusScale >= 0 && Number.isFinite(s.bonusScale))) {
    throw new ConstructionParameterError(`UCB-VI bonusScale must be ≥ 0, got ${s.bonusScale}`);
  }
  return s;
}

type E3 = [number, number, number];

/**
 * Build the soft UCB-VI transformer (module doc; MATH §10.8).
 *
 * @example
 * ```ts
 * import { buildUcbvi } from "./ucbvi.ts";
 * const con = buildUcbvi({ nS: 2, nA: 2, H: 2, K: 3, tau: 0.1, bonusScale: 2 });
 * con.tf.maxTokens; // 3 · (2·2 + 1)
 * ```
 */
export function buildUcbvi(spec: UcbviSpec): UcbviConstruction {
  validateUcbviSpec(spec);
  const { nS: S, nA: A, H, K, tau } = spec;
  const N = K * (2 * H + 1);
  const T = new TokenLayout();
  const act = T.alloc("act", A), r = T.alloc("r", 1), st = T.alloc("st", S);
  const logits = T.alloc("logits", A);
  const pS_ = T.alloc("prevS/i", S), pA_ = T.alloc("prevA/i", A), pR_ = T.alloc("prevR/i", 1);
  const pS = T.alloc("prevS", S), pA = T.alloc("prevA", A), pR = T.alloc("prevR", 1);
  const hot = T.alloc("onehot h", H + 1);
  const sel = T.alloc("select", H * S);
  const n3_ = T.alloc("N3/i", Math.max(1, (H - 1) * S * A * S));
  const n2_ = T.alloc("N2/i", H * S * A), rs_ = T.alloc("R/i", H * S * A);
  const n3 = T.alloc("N3", Math.max(1, (H - 1) * S * A * S));
  const n2 = T.alloc("N2", H * S * A), rs = T.alloc("R", H * S * A);
  const g = T.alloc("1/(N∨1)", H * S * A), bonus = T.alloc("bonus", H * S * A);
  const ph = T.alloc("Phat", Math.max(1, (H - 1) * S * A * S)), rh = T.alloc("rhat", H * S * A);
  const levels = Math.ceil(Math.log2(A));
  const pv: Slot[] = [], q: Slot[] = [], vv: Slot[] = [], tree: Slot[][] = [];
  for (let h = 0; h < H; h++) {
    pv.push(T.alloc(`PV${h}`, S * A));
    q.push(T.alloc(`Q${h}`, S * A));
    const lv: Slot[] = [];
    let width = A;
    for (let l = 0; l < levels; l++) {
      width = Math.ceil(width / 2);
      lv.push(T.alloc(`max${h}.${l}`, S * width));
    }
    tree.push(lv);
    vv.push(lv.length > 0 ? lv[lv.length - 1] : q[h]); // A = 1: V = Q
  }
  const k = T.alloc("k", 1), hh = T.alloc("h", 1), v = T.alloc("v", 1);
  const i = T.alloc("i", 1), i2 = T.alloc("i2", 1), one = T.alloc("one", 1);
  T.freeze();
  const D = T.D;
  const L: UcbviLayout = { layout: T, act, r, st, logits, k, h: hh, v, i, i2, one };
  const P: PositionCoords = { D, i: i.offset, i2: i2.offset, one: one.offset };
  const o = one.offset;
  const at = (s: Slot, n = 0) => s.offset + n;
  const idx3 = (h: number, s: number, a: number, s2: number) => ((h * S + s) * A + a) * S + s2;
  const idx2 = (h: number, s: number, a: number) => (h * S + s) * A + a;
  const layers: TfLayer[] = [];
  const mul = selfMultiplyQK(P, multiplierConstant(N));

  // ---- step 1a: copy (s, a, r) of the previous step into state / empty tokens, then × i
  {
    const psi = 4;
    const Q = sparse(D, D, [
      [0, at(k), 1],
      [0, o, 1],
      [0, at(v), -1],
      [1, o, psi],
      [2, o, 1],
      [3, at(i), 1],
    ]);
    const key = (shift: number) =>
      sparse(D, D, [[0, o, -psi], [1, at(k), 1], [2, at(i), 1], [2, o, shift], [3, o, -1]]);
    const copy: E3[] = [];
    for (let s = 0; s < S; s++) copy.push([at(pS_, s), at(st, s), 1]);
    for (let a = 0; a < A; a++) copy.push([at(pA_, a), at(act, a), 1]);
    copy.push([at(pR_), at(r), 1]);
    const V1 = sparse(D, D, copy), Vm = sparse(D, D, copy.map(([a, b, c]) => [a, b, -c]));
    const heads: AttentionHead[] = [
      { Q, K: key(3), V: V1, window: 2 },
      { Q, K: key(2), V: Vm, window: 2 },
      { Q, K: key(1), V: Vm, window: 2 },
    ];
    // one-hot of the step: 1[h̄ = h′] = σ(x + 1) − 2σ(x) + σ(x − 1), x = h̄ − h′ (integers)
    const mlp = new MlpBuilder(D);
    for (let hp = 1; hp <= H + 1; hp++) {
      for (const [off, w] of [[1, 1], [0, -2], [-1, 1]] as const) {
        mlp.unit([[at(hh), 1], [o, off - hp]], [[at(hot, hp - 1), w]]);
      }
    }
    layers.push({ name: "copy previous (s, a, r) ÷ i; one-hot h", heads, mlp: mlp.build() });
    const Vx: E3[] = [];
    for (let n = 0; n < S; n++) Vx.push([at(pS, n), at(pS_, n), 1]);
    for (let n = 0; n < A; n++) Vx.push([at(pA, n), at(pA_, n), 1]);
    Vx.push([at(pR), at(pR_), 1]);
    // selection 1[h̄ = h′] · 1[s_t = s] = σ(hot + st − 1)
    const mlp2 = new MlpBuilder(D);
    for (let hp = 0; hp < H; hp++) {
      for (let s = 0; s < S; s++) {
        mlp2.unit([[at(hot, hp), 1], [at(st, s), 1], [o, -1]], [[at(sel, hp * S + s), 1]]);
      }
    }
    layers.push({
      name: "× i; selector",
      heads: [{ Q: mul.Q, K: mul.K, V: sparse(D, D, Vx), window: 0 }],
      mlp: mlp2.build(),
    });
  }
  const countsStart = 0;

  // ---- step 1b: counts over earlier episodes (÷ i), then × i
  let gInterp: PiecewiseLinear, bonusInterp: PiecewiseLinear;
  {
    const psi = 2 * H;
    const heads: AttentionHead[] = [];
    // the paper's five hat heads: score c_y·y + c₀ with y = h̄(j) − 1 − h, and the value's sign;
    // −σ(−y) + σ(−y − 1) − σ(y) + σ(y − 1) + σ(1) = 1[y = 0] on the integers
    const hats: [number, number, number][] = [
      [-1, 0, -1],
      [-1, -1, 1],
      [1, 0, -1],
      [1, -1, 1],
      [0, 1, 1],
    ];
    // key rows: 0 one (v-term), 1… prevS, prevA, st, then −mΨ, h̄, episode
    const keyFor = (three: boolean, coefH: number, episode: boolean) => {
      const e: E3[] = [[0, o, 1]];
      for (let s = 0; s < S; s++) e.push([1 + s, at(pS, s), 1]);
      for (let a = 0; a < A; a++) e.push([1 + S + a, at(pA, a), 1]);
      if (three) { for (let s = 0; s < S; s++) e.push([1 + S + A + s, at(st, s), 1]); }
      const base = 1 + 2 * S + A;
      e.push([base, o, 1]); // × (−mΨ + const) from the query
      if (coefH !== 0) e.push([base + 1, at(hh), coefH]);
      if (episode) {
        e.push([base + 2, at(k), 1]);
        e.push([base + 3, o, 1]);
      }
      return sparse(D, D, e);
    };
    const keys = new Map<string, ReturnType<typeof sparse>>();
    const keyOf = (three: boolean, coefH: number, episode: boolean) => {
      const id = `${three}|${coefH}|${episode}`;
      if (!keys.has(id)) keys.set(id, keyFor(three, coefH, episode));
      return keys.get(id)!;
    };
    const queryFor = (
      s: number,
      a: number,
      s2: number | null,
      h: number,
      cst: number,
      coefH: number,
      episode: boolean,
    ) => {
      const m = s2 === null ? 2 : 3;
      const e: E3[] = [[0, at(v), psi], [0, o, -psi]];
      e.push([1 + s, o, psi]);
      e.push([1 + S + a, o, psi]);
      if (s2 !== null) e.push([1 + S + A + s2, o, psi]);
      const base = 1 + 2 * S + A;
      // constant −mΨ + c₀ − c_y(h + 1): the hat argument c_y(h̄(j) − 1 − h) + c₀
      e.push([base, o, -m * psi + cst - coefH * (h + 1)]);
      if (coefH !== 0) e.push([base + 1, o, 1]);
      if (episode) {
        e.push([base + 2, o, psi]);
        e.push([base + 3, at(k), -psi]);
      }
      return sparse(D, D, e);
    };
    for (let h = 1; h <= H; h++) {
      for (let s = 0; s < S; s++) {
        for (let a = 0; a < A; a++) {
          const targets: [number | null, E3[]][] = [[null, [
            [at(n2_, idx2(h - 1, s, a)), o, 1],
            [at(rs_, idx2(h - 1, s, a)), at(pR), 1],
          ]]];
          if (h < H) {
            for (let s2 = 0; s2 < S; s2++) {
              targets.push([s2, [[at(n3_, idx3(h - 1, s, a, s2)), o, 1]]]);
            }
          }
          for (const [s2, vals] of targets) {
            for (const episode of [false, true]) {
              for (const [coefH, cst, sign] of hats) {
                const sg = episode ? -sign : sign;
                heads.push({
                  Q: queryFor(s, a, s2, h, cst, coefH, episode),
                  K: keyOf(s2 !== null, coefH, episode),
                  V: sparse(D, D, vals.map(([x, y, c]) => [x, y, c * sg])),
                });
              }
            }
          }
        }
      }
    }
    layers.push({ name: "counts ÷ i", heads, mlp: null });
    const Vx: E3[] = [];
    for (const [dst, src] of [[n3, n3_], [n2, n2_], [rs, rs_]] as const) {
      for (let n = 0; n < src.size; n++) Vx.push([at(dst, n), at(src, n), 1]);
    }
    // step 2 (MLP part): 1/(N ∨ 1) and the bonus, exact on the integers 0 … K
    const knots = Array.from({ length: K + 1 }, (_, n) => n);
    const gI = interpolant((x) => 1 / Math.max(x, 1), knots);
    const Lg = ucbviLog(S, A, H, K);
    const bI = interpolant((x) => ucbviBonus(x, H, Lg, spec.bonusScale), knots);
    const mlp = new MlpBuilder(D);
    for (let n = 0; n < H * S * A; n++) {
      piecewiseUnits(mlp, gI, at(n2, n), at(g, n), o);
      piecewiseUnits(mlp, bI, at(n2, n), at(bonus, n), o);
    }
    layers.push({
      name: "counts × i; 1/(N∨1), bonus",
      heads: [{ Q: mul.Q, K: mul.K, V: sparse(D, D, Vx), window: 0 }],
      mlp: mlp.build(),
    });
    gInterp = gI;
    bonusInterp = bI;
  }
  const countsEnd = layers.length;

  // same-token product heads: weight x·i at j = i (x ≥ 0 from the query), value from the own token
  const product = (x: number, c: number, vals: E3[]): AttentionHead => ({
    Q: sparse(D, D, [[0, at(i), -c], [1, o, c], [2, x, 1]]),
    K: sparse(D, D, [[0, o, 1], [1, at(i), 1], [2, at(i), 1]]),
    V: sparse(D, D, vals),
    window: 0,
  });

  // ---- step 2: P̂ and r̂
  {
    const c = K * N + 1;
    const heads: AttentionHead[] = [];
    for (let h = 0; h < H; h++) {
      for (let s = 0; s < S; s++) {
        for (let a = 0; a < A; a++) {
          const n = idx2(h, s, a);
          heads.push(product(at(rs, n), c, [[at(rh, n), at(g, n), 1]]));
          if (h < H - 1) {
            for (let s2 = 0; s2 < S; s2++) {
              const m = idx3(h, s, a, s2);
              heads.push(product(at(n3, m), c, [[at(ph, m), at(g, n), 1]]));
            }
          }
        }
      }
    }
    layers.push({ name: "P̂, r̂", heads, mlp: null });
  }
  const estEnd = layers.length;

  // ---- step 3: value iteration, h = H … 1
  const cv = N + 1;
  for (let h = H - 1; h >= 0; h--) {
    const heads: AttentionHead[] = [];
    if (h < H - 1) {
      for (let s = 0; s < S; s++) {
        for (let a = 0; a < A; a++) {
          for (let s2 = 0; s2 < S; s2++) {
            heads.push(
              product(at(ph, idx3(h, s, a, s2)), cv, [[
                at(pv[h], s * A + a),
                at(vv[h + 1], s2),
                1,
              ]]),
            );
          }
        }
      }
    }
    const mlp = new MlpBuilder(D);
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const n = idx2(h, s, a);
        const x: [number, number][] = [[at(rh, n), 1], [at(bonus, n), 1], [
          at(pv[h], s * A + a),
          1,
        ]];
        // Q = σ(x) − σ(x − H) = min{H, max{0, x}}
        mlp.unit(x, [[at(q[h], s * A + a), 1]]);
        mlp.unit([...x, [o, -H]], [[at(q[h], s * A + a), -1]]);
      }
    }
    layers.push({ name: `VI h=${h + 1}: P̂V̂, Q̂`, heads, mlp: mlp.build() });
    // max over actions by pairwise maxima of non-negative numbers
    let src = q[h], width = A;
    for (let l = 0; l < levels; l++) {
      const dst = tree[h][l], w2 = Math.ceil(width / 2);
      const m2 = new MlpBuilder(D);
      for (let s = 0; s < S; s++) {
        for (let p = 0; p < w2; p++) {
          const x = at(src, s * width + 2 * p), out = at(dst, s * w2 + p);
          m2.unit([[x, 1]], [[out, 1]]);
          if (2 * p + 1 < width) {
            m2.unit([[at(src, s * width + 2 * p + 1), 1], [x, -1]], [[out, 1]]);
          }
        }
      }
      layers.push({ name: `VI h=${h + 1}: max level ${l + 1}`, heads: [], mlp: m2.build() });
      src = dst;
      width = w2;
    }
  }
  const viEnd = layers.length;

  // ---- step 4: logits = Q̂_h(s_t, ·)/τ for the token's own (h, s_t)
  {
    const heads: AttentionHead[] = [];
    for (let h = 0; h < H; h++) {
      for (let s = 0; s < S; s++) {
        const vals: E3[] = [];
        for (let a = 0; a < A; a++) vals.push([at(logits, a), at(q[h], s * A + a), 1 / tau]);
        heads.push(product(at(sel, h * S + s), cv, vals));
      }
    }
    layers.push({ name: "logits Q̂_h(s_t, ·)/τ", heads, mlp: null });
  }
  return {
    spec,
    tf: { D, layers, clip: Infinity, maxTokens: N },
    layout: L,
    n3,
    n2,
    rs,
    g,
    bonus,
    ph,
    rh,
    q,
    vv,
    gInterp,
    bonusInterp,
    steps: {
      counts: [countsStart, countsEnd],
      estimates: [countsEnd, estEnd],
      values: [estEnd, viEnd],
      extract: [viEnd, layers.length],
    },
  };
}

/** Where a token sits: episode k (1-based), step h (1 … H + 1), kind. */
export type UcbviTokenKind = "state" | "action" | "empty";

/**
 * A UCB-VI token (module doc) at global position `pos` (1-based): a state token (`s`), an action
 * token (`a`, reward `r`), or the empty token closing episode k.
 *
 * @example
 * ```ts
 * import { buildUcbvi, ucbviToken } from "./ucbvi.ts";
 * const con = buildUcbvi({ nS: 2, nA: 2, H: 2, K: 3, tau: 0.1, bonusScale: 2 });
 * ucbviToken(con, { kind: "state", k: 1, h: 1, s: 1 }).length; // D
 * ```
 */
export function ucbviToken(
  con: UcbviConstruction,
  t: { kind: "state"; k: number; h: number; s: number } | {
    kind: "action";
    k: number;
    h: number;
    a: number;
    r: number;
  } | { kind: "empty"; k: number },
): Float64Array {
  const { nS: S, nA: A, H, K } = con.spec;
  const L = con.layout;
  if (!(Number.isInteger(t.k) && t.k >= 1)) {
    throw new TokenShapeError(`episode k must be ≥ 1, got ${t.k}`);
  }
  if (t.k > K) throw new HorizonExceededError(`episode ${t.k} beyond the K = ${K} built for`);
  const h = t.kind === "empty" ? H + 1 : t.h;
  if (!(Number.isInteger(h) && h >= 1 && h <= H + 1)) {
    throw new TokenShapeError(`step h must be in 1 … ${H}, got ${h}`);
  }
  const x = new Float64Array(L.layout.D);
  let pos: number;
  if (t.kind === "state") {
    if (!(Number.isInteger(t.s) && t.s >= 0 && t.s < S)) {
      throw new TokenShapeError(`state must be in [0, ${S}), got ${t.s}`);
    }
    x[L.st.offset + t.s] = 1;
    x[L.v.offset] = 1;
    pos = (t.k - 1) * (2 * H + 1) + 2 * (h - 1) + 1;
  } else if (t.kind === "action") {
    if (!(Number.isInteger(t.a) && t.a >= 0 && t.a < A)) {
      throw new TokenShapeError(`action must be in [0, ${A}), got ${t.a}`);
    }
    if (!Number.isFinite(t.r)) throw new NonFiniteInputError(`reward is ${t.r}`);
    x[L.act.offset + t.a] = 1;
    x[L.r.offset] = t.r;
    pos = (t.k - 1) * (2 * H + 1) + 2 * h;
  } else {
    x[L.v.offset] = 1;
    pos = t.k * (2 * H + 1);
  }
  x[L.k.offset] = t.k;
  x[L.h.offset] = h;
  x[L.i.offset] = pos;
  x[L.i2.offset] = pos * pos;
  x[L.one.offset] = 1;
  return x;
}

/**
 * The paper's one-layer formula for `max_a Q(s, a)`, `σ(Q₁) + Σ_{j≥2} σ(Q_j − Q_{j−1})` (its proof
 * of step 3) — the maximum only for A ≤ 2 (kept to measure where it fails).
 *
 * @example
 * ```ts
 * import { paperMaxFormula } from "./ucbvi.ts";
 * paperMaxFormula([1, 0, 0.5]); // 1.5, not max = 1
 * ```
 */
export function paperMaxFormula(q: ArrayLike<number>): number {
  let s = Math.max(q[0], 0);
  for (let j = 1; j < q.length; j++) s += Math.max(q[j] - q[j - 1], 0);
  return s;
}

/** What {@linkcode runUcbviTransformer} measured, per MDP (lane). */
export interface UcbviLoopResult {
  /** Per-episode exact regret `V*_1(ρ) − V^{π_k}_1(ρ)` of the transformer's policy, E × K. */
  regret: Float64Array;
  /** Total-variation distance to soft UCB-VI(τ) on the same history at every step, E × T. */
  tv: Float64Array;
  /** Largest |Q̂ of the transformer − Q̂ of UCB-VI| over the run (every h, s, a, episode). */
  maxQError: number;
  /** Actions played, E × T. */
  actions: Int32Array;
  /** Largest token norm seen (the clip radius the run needed). */
  maxNorm: number;
}

/**
 * Run the constructed transformer in closed loop on E MDPs at once (one lane each), K episodes:
 * at each step the state token is pushed, the action drawn from `softmax(part c)` by the inverse
 * CDF with one uniform from `rngs[e]`, then the Bernoulli reward and the next state from the same
 * stream (the draw order of `runUcbvi`, so equal policies play equal trajectories). The
 * transformer's whole Q̂ table is read off the first state token of each episode: its exact
 * regret, and its distance to UCB-VI's table on the same data.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomEpisodicMdp } from "../mdp/episodic.ts";
 * import { buildUcbvi, runUcbviTransformer } from "./ucbvi.ts";
 * const con = buildUcbvi({ nS: 2, nA: 2, H: 2, K: 3, tau: 0.1, bonusScale: 2 });
 * const m = randomEpisodicMdp(new Rng(1), { nS: 2, nA: 2, H: 2 });
 * runUcbviTransformer(con, [m], [new Rng(2)]).regret.length; // 3
 * ```
 */
export function runUcbviTransformer(
  con: UcbviConstruction,
  mdps: readonly EpisodicMdp[],
  rngs: readonly Rng[],
  plan: CompiledTransformer = compileTransformer(con.tf),
): UcbviLoopResult {
  const { nS: S, nA: A, H, K, tau } = con.spec;
  const E = mdps.length;
  if (rngs.length !== E) throw new ConstructionParameterError(`need ${E} rngs, got ${rngs.length}`);
  for (const m of mdps) {
    if (m.nS !== S || m.nA !== A || m.H !== H) {
      throw new ConstructionParameterError(
        `construction built for S = ${S}, A = ${A}, H = ${H}; got an MDP with ${m.nS}, ${m.nA}, ${m.H}`,
      );
    }
  }
  const D = con.tf.D, T = K * H;
  const run = new BatchRunner(plan, E);
  const counts = mdps.map(() => emptyUcbviCounts(S, A, H));
  const optimal = mdps.map((m) => episodicOptimal(m).value);
  const regret = new Float64Array(E * K), tv = new Float64Array(E * T);
  const actions = new Int32Array(E * T);
  let maxQError = 0;
  const toks = new Float64Array(E * D);
  const push = (make: (e: number) => Float64Array, output: boolean) => {
    for (let e = 0; e < E; e++) toks.set(make(e), e * D);
    return run.push(toks, { output });
  };
  for (let k = 1; k <= K; k++) {
    const eps = mdps.map((m, e) => ({
      states: new Int32Array(H),
      actions: new Int32Array(H),
      rewards: new Float64Array(H),
      s: rngs[e].categorical(m.rho, 0, S, true),
    }));
    const exactPi = counts.map((c) =>
      ucbviPolicy(ucbviQ(c, K, con.spec.bonusScale).Q, S, H, A, tau)
    );
    for (let h = 1; h <= H; h++) {
      const out = push((e) => ucbviToken(con, { kind: "state", k, h, s: eps[e].s }), true)!;
      for (let e = 0; e < E; e++) {
        if (h === 1) {
          const table = new Float64Array(H * S * A);
          for (let hh = 0; hh < H; hh++) {
            for (let n = 0; n < S * A; n++) {
              table[hh * S * A + n] = out[(con.q[hh].offset + n) * E + e];
            }
          }
          const exact = ucbviQ(counts[e], K, con.spec.bonusScale).Q;
          for (let n = 0; n < table.length; n++) {
            maxQError = Math.max(maxQError, Math.abs(table[n] - exact[n]));
          }
          const pi = ucbviPolicy(table, S, H, A, tau);
          regret[e * K + k - 1] = optimal[e] - episodicPolicyValue(mdps[e], pi).value;
        }
        const m = mdps[e], s = eps[e].s, rng = rngs[e];
        const logits = new Float64Array(A);
        for (let a = 0; a < A; a++) logits[a] = out[(con.layout.logits.offset + a) * E + e];
        const p = softmax(logits);
        const t = (k - 1) * H + h - 1;
        tv[e * T + t] = totalVariation(
          p,
          exactPi[e].subarray(((h - 1) * S + s) * A, ((h - 1) * S + s + 1) * A),
        );
        const a = sampleRow(p, 0, A, rng.uniform());
        const r = rng.uniform() < m.R[((h - 1) * S + s) * A + a] ? 1 : 0;
        eps[e].states[h - 1] = s;
        eps[e].actions[h - 1] = a;
        eps[e].rewards[h - 1] = r;
        actions[e * T + t] = a;
        eps[e].s = rng.categorical(m.P, (((h - 1) * S + s) * A + a) * S, S, true);
      }
      push(
        (e) =>
          ucbviToken(con, {
            kind: "action",
            k,
            h,
            a: eps[e].actions[h - 1],
            r: eps[e].rewards[h - 1],
          }),
        false,
      );
    }
    push(() => ucbviToken(con, { kind: "empty", k }), false);
    for (let e = 0; e < E; e++) addEpisode(counts[e], eps[e]);
  }
  return { regret, tv, maxQError, actions, maxNorm: run.maxNorm };
}
