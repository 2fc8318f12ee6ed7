/**
 * Building blocks shared by the [LBM24] constructions (MATH §10.4): the positional heads that
 * select a token's own column with weight 1/i, 1 or i; one step of gradient descent or of
 * Nesterov's accelerated gradient descent on a quadratic, as attention heads plus (AGD) an MLP;
 * linear maps through an MLP (`x = σ(x) − σ(−x)`); and piecewise-linear ReLU interpolants of a
 * scalar function on stated knots, with their error.
 *
 * All matrices are built once per (layout, parameters) and reused by every layer that needs
 * them, so the cached runner recognises them as the same weights.
 *
 * @module
 */

import { ConstructionParameterError } from "./errors.ts";
import { sparse, SparseBuilder, type SparseMatrix } from "./sparse.ts";
import type { AttentionHead, MlpWeights } from "./transformer.ts";

/** Where the position `(i, i², 1)` sits in a token of dimension D. */
export interface PositionCoords {
  /** Token dimension. */
  readonly D: number;
  /** Coordinate holding i. */
  readonly i: number;
  /** Coordinate holding i². */
  readonly i2: number;
  /** Coordinate holding 1. */
  readonly one: number;
}

const qkCache = new Map<string, { Q: SparseMatrix; K: SparseMatrix }>();

function cachedQK(key: string, make: () => { Q: SparseMatrix; K: SparseMatrix }) {
  let hit = qkCache.get(key);
  if (hit === undefined) {
    hit = make();
    qkCache.set(key, hit);
  }
  return hit;
}

/**
 * Query and key of a head giving weight **1/i** to the query's own token and 0 to earlier ones:
 * `Q h_i = (1, −i, 1)`, `K h_j = (1, 1, j)`, score `1 − i + j` (the paper's head 3 of its
 * gradient-descent layer). With the 1/i normalisation the own value arrives times 1/i.
 *
 * @example
 * ```ts
 * import { selfSelectQK } from "./blocks.ts";
 * selfSelectQK({ D: 4, i: 1, i2: 2, one: 3 }).Q.values; // [1, -1, 1]
 * ```
 */
export function selfSelectQK(P: PositionCoords): { Q: SparseMatrix; K: SparseMatrix } {
  return cachedQK(`sel|${P.D}|${P.i}|${P.i2}|${P.one}`, () => ({
    Q: sparse(P.D, P.D, [[0, P.one, 1], [1, P.i, -1], [2, P.one, 1]]),
    K: sparse(P.D, P.D, [[0, P.one, 1], [1, P.one, 1], [2, P.i, 1]]),
  }));
}

/**
 * Query and key of a head giving weight **1** to the own token: `Q h_i = (i, −i², 1)`,
 * `K h_j = (1, 1, j²)`, score `i − i² + j²` (= i at j = i, ≤ 1 − i ≤ 0 before; the paper's
 * head 4 of its AGD layer).
 *
 * @example
 * ```ts
 * import { selfCopyQK } from "./blocks.ts";
 * selfCopyQK({ D: 4, i: 1, i2: 2, one: 3 }).K.values; // [1, 1, 1]
 * ```
 */
export function selfCopyQK(P: PositionCoords): { Q: SparseMatrix; K: SparseMatrix } {
  return cachedQK(`copy|${P.D}|${P.i}|${P.i2}|${P.one}`, () => ({
    Q: sparse(P.D, P.D, [[0, P.i, 1], [1, P.i2, -1], [2, P.one, 1]]),
    K: sparse(P.D, P.D, [[0, P.one, 1], [1, P.one, 1], [2, P.i2, 1]]),
  }));
}

/**
 * The smallest integer c with `i² ≤ c(2i − 1)` for every i ≤ N: then the head of
 * {@linkcode selfMultiplyQK} selects the own token for every query up to N.
 *
 * @example
 * ```ts
 * import { multiplierConstant } from "./blocks.ts";
 * multiplierConstant(400); // 201
 * ```
 */
export function multiplierConstant(N: number): number {
  let c = 1;
  for (let i = 1; i <= N; i++) c = Math.max(c, Math.ceil((i * i) / (2 * i - 1)));
  return c;
}

/**
 * Query and key of a head giving weight **i** to the own token (the paper's "multiply by 2t − 1"
 * layer): `Q h_i = (i², −c i², 1)`, `K h_j = (1, 1, c j²)`, score `i² − c(i² − j²)`, which is
 * ≤ 0 before i when `c ≥` {@linkcode multiplierConstant}`(N)`.
 *
 * @example
 * ```ts
 * import { selfMultiplyQK } from "./blocks.ts";
 * selfMultiplyQK({ D: 4, i: 1, i2: 2, one: 3 }, 201).K.values; // [1, 1, 201]
 * ```
 */
export function selfMultiplyQK(P: PositionCoords, c: number): { Q: SparseMatrix; K: SparseMatrix } {
  if (!(c >= 1)) throw new ConstructionParameterError(`multiplier constant must be ≥ 1, got ${c}`);
  return cachedQK(`mul|${P.D}|${P.i}|${P.i2}|${P.one}|${c}`, () => ({
    Q: sparse(P.D, P.D, [[0, P.i2, 1], [1, P.i2, -c], [2, P.one, 1]]),
    K: sparse(P.D, P.D, [[0, P.one, 1], [1, P.one, 1], [2, P.i2, c]]),
  }));
}

/**
 * A value matrix `V` (D × D) with `(V h)[out] = Σ coef · h[in]` over `entries: [out, in, coef]`.
 *
 * @example
 * ```ts
 * import { valueMatrix } from "./blocks.ts";
 * valueMatrix(3, [[2, 0, -1]]).values; // [-1]
 * ```
 */
export function valueMatrix(D: number, entries: readonly (readonly [number, number, number])[]) {
  return sparse(D, D, entries);
}

const negated = (M: SparseMatrix): SparseMatrix => ({ ...M, values: M.values.map((v) => -v) });

/**
 * The quadratic `L(x) = (1/i)·[½ xᵀ G x − ⟨x, b⟩]` minimised in context by a query token at
 * position i, with `G = cI·I + cA·Σ_j a_j a_jᵀ` and `b = cR·Σ_j r_j a_j + cU·u` (sums over the
 * earlier reward tokens' part a; `u` read from the query's own token). LinUCB's ridge estimate is
 * `cI = λ, cA = cR = 1, cU = 0`; its `A_t⁻¹ a_{t,k}` is `cI = λ, cA = 1, cR = 0, cU = 1`.
 */
export interface Quadratic {
  /** Coordinates of `a_j` in the reward tokens (d). */
  readonly dataA: readonly number[];
  /** Coordinate of `r_j` in the reward tokens (needed when cR ≠ 0). */
  readonly dataR: number | null;
  /** Coefficient of I in G. */
  readonly cI: number;
  /** Coefficient of Σ a aᵀ in G (> 0). */
  readonly cA: number;
  /** Coefficient of Σ r a in b. */
  readonly cR: number;
  /** Own-token part of b: coordinates of u (d) and its coefficient. */
  readonly u: { readonly coords: readonly number[]; readonly coef: number } | null;
}

function checkQuadratic(q: Quadratic, d: number): void {
  if (q.dataA.length !== d) {
    throw new ConstructionParameterError(`quadratic: dataA must have ${d} coordinates`);
  }
  if (!(q.cA > 0)) throw new ConstructionParameterError(`quadratic: cA must be > 0, got ${q.cA}`);
  if (q.cR !== 0 && q.dataR === null) {
    throw new ConstructionParameterError("quadratic: cR ≠ 0 needs dataR");
  }
  if (q.u !== null && q.u.coords.length !== d) {
    throw new ConstructionParameterError(`quadratic: u must have ${d} coordinates`);
  }
}

/**
 * Three heads adding `−η ∇L(x_at)` (the quadratic's gradient at the coordinates `at`) to the
 * coordinates `into`, for a query at position i (the paper's gradient-descent layer):
 *
 * - a sign pair `Q h_i = (x_at, 1)`, `K h_j = (a_j, −(cR/cA) r_j)`, `V h_j = −η cA a_j` — their
 *   sum is `−(η/i) Σ_j (cA a_jᵀ x − cR r_j) a_j`;
 * - a self head (weight 1/i) with value `η(cU u − cI x_at)`.
 *
 * @example
 * ```ts
 * import { gradientHeads } from "./blocks.ts";
 * const P = { D: 12, i: 9, i2: 10, one: 11 };
 * const q = { dataA: [0, 1], dataR: 2, cI: 1, cA: 1, cR: 1, u: null };
 * gradientHeads(P, q, [3, 4], [3, 4], 0.1).length; // 3
 * ```
 */
export function gradientHeads(
  P: PositionCoords,
  q: Quadratic,
  at: readonly number[],
  into: readonly number[],
  eta: number,
): AttentionHead[] {
  const d = at.length;
  checkQuadratic(q, d);
  if (into.length !== d) throw new ConstructionParameterError("gradientHeads: |into| ≠ |at|");
  if (!(eta > 0)) throw new ConstructionParameterError(`step size η must be > 0, got ${eta}`);
  const D = P.D;
  const qE: [number, number, number][] = at.map((c, r) => [r, c, 1]);
  const kE: [number, number, number][] = q.dataA.map((c, r) => [r, c, 1]);
  if (q.cR !== 0) {
    qE.push([d, P.one, 1]);
    kE.push([d, q.dataR!, -q.cR / q.cA]);
  }
  const Q = sparse(D, D, qE), K = sparse(D, D, kE);
  const V = sparse(D, D, q.dataA.map((c, r) => [into[r], c, -eta * q.cA]));
  const sel = selfSelectQK(P);
  const selfV: [number, number, number][] = at.map((c, r) => [into[r], c, -eta * q.cI]);
  if (q.u !== null) q.u.coords.forEach((c, r) => selfV.push([into[r], c, eta * q.u!.coef]));
  return [
    { Q, K, V },
    { Q: negated(Q), K, V: negated(V) },
    { Q: sel.Q, K: sel.K, V: sparse(D, D, selfV), window: 0 },
  ];
}

/** Coordinates of one accelerated-gradient instance: iterate x, previous iterate xb, look-ahead v. */
export interface AgdCoords {
  /** Current iterate `ŵ_a` (the answer). */
  readonly x: readonly number[];
  /** Previous iterate `ŵ_b`. */
  readonly xb: readonly number[];
  /** Look-ahead point `v̂` where the gradient is taken. */
  readonly v: readonly number[];
}

/**
 * The attention half of one AGD step (the paper's Eq. agd_step1): `x ← v − η∇L(v)`, as the
 * three gradient heads at `v` into `x` plus a head copying `v − x` into `x` (weight 1).
 *
 * @example
 * ```ts
 * import { agdHeads } from "./blocks.ts";
 * const P = { D: 14, i: 11, i2: 12, one: 13 };
 * const q = { dataA: [0], dataR: 1, cI: 1, cA: 1, cR: 1, u: null };
 * agdHeads(P, q, { x: [2], xb: [3], v: [4] }, 0.1).length; // 4
 * ```
 */
export function agdHeads(
  P: PositionCoords,
  q: Quadratic,
  c: AgdCoords,
  eta: number,
): AttentionHead[] {
  const copy = selfCopyQK(P);
  const V: [number, number, number][] = [];
  c.x.forEach((x, r) => {
    V.push([x, c.v[r], 1]);
    V.push([x, x, -1]);
  });
  return [
    ...gradientHeads(P, q, c.v, c.x, eta),
    { Q: copy.Q, K: copy.K, V: sparse(P.D, P.D, V), window: 0 },
  ];
}

/** Hidden units of an MLP layer, accumulated and then built into `W1`, `W2`. */
export class MlpBuilder {
  private readonly units: {
    inputs: readonly (readonly [number, number])[];
    outputs: readonly (readonly [number, number])[];
  }[] = [];

  /** @param D token dimension. */
  constructor(readonly D: number) {}

  /** Hidden units so far (D′). */
  get width(): number {
    return this.units.length;
  }

  /**
   * One hidden unit `z = σ(Σ w·h[col])` adding `Σ coef·z` to `h[row]` for every output.
   *
   * @example
   * ```ts
   * import { MlpBuilder } from "./blocks.ts";
   * const m = new MlpBuilder(3);
   * m.unit([[0, 1]], [[2, 1]]); // h[2] += ReLU(h[0])
   * m.build()!.W1.rows; // 1
   * ```
   */
  unit(
    inputs: readonly (readonly [number, number])[],
    outputs: readonly (readonly [number, number])[],
  ): void {
    this.units.push({ inputs, outputs });
  }

  /** Two units adding exactly `scale · Σ w·h[col]` to `h[row]` (`x = σ(x) − σ(−x)`). */
  linear(inputs: readonly (readonly [number, number])[], row: number, scale = 1): void {
    this.unit(inputs, [[row, scale]]);
    this.unit(inputs.map(([c, w]) => [c, -w] as const), [[row, -scale]]);
  }

  /** The weights, or null when no unit was added. */
  build(): MlpWeights | null {
    if (this.units.length === 0) return null;
    const n = this.units.length;
    const W1 = new SparseBuilder(n, this.D), W2 = new SparseBuilder(this.D, n);
    this.units.forEach((u, k) => {
      for (const [c, w] of u.inputs) W1.add(k, c, w);
      for (const [r, w] of u.outputs) W2.add(r, k, w);
    });
    return { W1: W1.build(), W2: W2.build() };
  }
}

/**
 * The MLP half of one AGD step (the paper's Eqs. agd_step2–3), as 4 units per coordinate:
 * `v ← x + β(x − xb)` and `xb ← x`, each as `(new − old) = σ(·) − σ(−·)` added to the old value.
 *
 * @example
 * ```ts
 * import { agdMlpUnits, MlpBuilder } from "./blocks.ts";
 * const m = new MlpBuilder(3);
 * agdMlpUnits(m, { x: [0], xb: [1], v: [2] }, 0.9);
 * m.width; // 4
 * ```
 */
export function agdMlpUnits(mlp: MlpBuilder, c: AgdCoords, beta: number): void {
  if (!(beta >= 0 && beta < 1)) {
    throw new ConstructionParameterError(`momentum β must be in [0, 1), got ${beta}`);
  }
  c.x.forEach((x, r) => {
    const xb = c.xb[r], v = c.v[r];
    mlp.linear([[x, 1 + beta], [xb, -beta], [v, -1]], v);
    mlp.linear([[x, 1], [xb, -1]], xb);
  });
}

/** A piecewise-linear function `f̃(x) = f₀ + Σ_j c_j σ(x − x_j)` interpolating f at its knots. */
export interface PiecewiseLinear {
  /** Knots `x_0 < x_1 < … < x_{N−1}`. */
  readonly knots: Float64Array;
  /** `f(x_j)`. */
  readonly values: Float64Array;
  /** ReLU coefficients `c_j` (slope increments; `c_0` the first slope). */
  readonly coef: Float64Array;
  /** `f(x_0)`, added through the constant coordinate. */
  readonly f0: number;
  /** Largest |f̃ − f| on [x_0, x_{N−1}] (exact for √ by the chord formula; else by sampling). */
  readonly maxError: number;
}

/**
 * The interpolant of f at `knots` (ascending): slopes `m_j = (f(x_{j+1}) − f(x_j))/(x_{j+1} − x_j)`,
 * coefficients `c_0 = m_0`, `c_j = m_j − m_{j−1}`; constant beyond the last knot is not
 * enforced (the last slope continues). `maxError` is measured on a fine grid (64 points per
 * interval) unless `errorOf` gives each interval's exact maximum.
 *
 * @example
 * ```ts
 * import { evalPiecewise, interpolant } from "./blocks.ts";
 * const pl = interpolant((x) => x * x, [0, 1, 2]);
 * evalPiecewise(pl, 1.5); // 2.5 (chord of x² between 1 and 2)
 * ```
 */
export function interpolant(
  f: (x: number) => number,
  knots: readonly number[],
  errorOf?: (lo: number, hi: number) => number,
): PiecewiseLinear {
  const N = knots.length;
  if (N < 2) throw new ConstructionParameterError(`interpolant needs ≥ 2 knots, got ${N}`);
  for (let j = 1; j < N; j++) {
    if (!(knots[j] > knots[j - 1])) {
      throw new ConstructionParameterError(`knots must increase: x_${j} = ${knots[j]}`);
    }
  }
  const x = Float64Array.from(knots), y = x.map(f);
  const coef = new Float64Array(N - 1);
  let prev = 0;
  for (let j = 0; j < N - 1; j++) {
    const m = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
    coef[j] = m - prev;
    prev = m;
  }
  const pl = { knots: x, values: y, coef, f0: y[0], maxError: 0 };
  let err = 0;
  for (let j = 0; j < N - 1; j++) {
    if (errorOf) err = Math.max(err, errorOf(x[j], x[j + 1]));
    else {
      for (let s = 1; s < 64; s++) {
        const z = x[j] + ((x[j + 1] - x[j]) * s) / 64;
        err = Math.max(err, Math.abs(evalPiecewise(pl, z) - f(z)));
      }
    }
  }
  return { ...pl, maxError: err };
}

/**
 * `f̃(x)` of a piecewise-linear interpolant, evaluated as its ReLU sum.
 *
 * @example
 * ```ts
 * import { evalPiecewise, sqrtInterpolant } from "./blocks.ts";
 * Math.abs(evalPiecewise(sqrtInterpolant(1e-4, 0.01, 4), 2) - Math.SQRT2) <= 1e-4; // true
 * ```
 */
export function evalPiecewise(pl: PiecewiseLinear, x: number): number {
  let s = pl.f0;
  for (let j = 0; j < pl.coef.length; j++) {
    const z = x - pl.knots[j];
    if (z > 0) s += pl.coef[j] * z;
  }
  return s;
}

/**
 * Our concrete ReLU MLP for √x on [xMin, xMax] with error ≤ ε (MATH §10.5): knots `x_j = s_j²`
 * with `s_0 = √xMin`, `s_{j+1} = s_j + 2ε + √(4ε² + 8ε s_j)`, so that on every interval the chord
 * error `(s_{j+1} − s_j)² / (4(s_j + s_{j+1}))` equals ε exactly (the last: at most ε); about
 * `√(√xMax / (2ε))` knots. Below xMin it is the constant √xMin. `xMin > 0` matters in float64:
 * the first slope is `1/(2√xMin)` and the ReLU sum at x holds terms of size `x/(2√xMin)`, so a
 * knot at 0 (slope 1/(4ε)) would cost ~`x·10⁻¹⁶/ε` of round-off per term.
 *
 * @example
 * ```ts
 * import { sqrtInterpolant } from "./blocks.ts";
 * const pl = sqrtInterpolant(1e-6, 1e-4, 10);
 * pl.maxError <= 1e-6; // true
 * ```
 */
export function sqrtInterpolant(eps: number, xMin: number, xMax: number): PiecewiseLinear {
  if (!(eps > 0 && eps < 1)) {
    throw new ConstructionParameterError(`√ tolerance ε must be in (0, 1), got ${eps}`);
  }
  if (!(xMin > 0 && xMax > xMin)) {
    throw new ConstructionParameterError(
      `√ range must have 0 < xMin < xMax, got [${xMin}, ${xMax}]`,
    );
  }
  const sMax = Math.sqrt(xMax);
  const s: number[] = [Math.sqrt(xMin)];
  while (s[s.length - 1] < sMax) {
    const sj = s[s.length - 1];
    s.push(sj + 2 * eps + Math.sqrt(4 * eps * eps + 8 * eps * sj));
  }
  return interpolant(Math.sqrt, s.map((v) => v * v), sqrtChordError);
}

/**
 * Largest |chord − √| on [lo, hi]: `(√hi − √lo)² / (4(√lo + √hi))`.
 *
 * @example
 * ```ts
 * import { sqrtChordError } from "./blocks.ts";
 * // on [1, 4] the chord is 1 + (x − 1)/3; the gap peaks at x = 9/4: 3/2 − 17/12 = 1/12
 * if (Math.abs(sqrtChordError(1, 4) - 1 / 12) > 1e-15) throw new Error("chord error");
 * ```
 */
export function sqrtChordError(lo: number, hi: number): number {
  const a = Math.sqrt(lo), b = Math.sqrt(hi);
  return ((b - a) * (b - a)) / (4 * (a + b));
}

/**
 * Add MLP units computing `f̃(h[input])` (a piecewise-linear interpolant) into `h[output]`
 * (`scale ·` it): one unit per knot `σ(h[input] − x_j · h[one])`, plus one for `f₀` through the
 * constant coordinate.
 *
 * @example
 * ```ts
 * import { MlpBuilder, piecewiseUnits, sqrtInterpolant } from "./blocks.ts";
 * const m = new MlpBuilder(3);
 * piecewiseUnits(m, sqrtInterpolant(1e-3, 0.01, 1), 0, 1, 2);
 * m.width > 10; // true
 * ```
 */
export function piecewiseUnits(
  mlp: MlpBuilder,
  pl: PiecewiseLinear,
  input: number,
  output: number,
  one: number,
  scale = 1,
): void {
  if (pl.f0 !== 0) mlp.unit([[one, 1]], [[output, scale * pl.f0]]);
  for (let j = 0; j < pl.coef.length; j++) {
    if (pl.coef[j] === 0) continue;
    const inputs: [number, number][] = [[input, 1]];
    if (pl.knots[j] !== 0) inputs.push([one, -pl.knots[j]]);
    mlp.unit(inputs, [[output, scale * pl.coef[j]]]);
  }
}
