/**
 * Policies as tables `pi[s·nA + a] = π(a|s)` (MATH §2): greedy and ε-greedy w.r.t.
 * `Q_w(s,a) = wᵀφ(s,a)` (ties → lowest action index), softmax `π_λ(a|s) ∝ exp(λᵀφ(s,a))` and its
 * score `g = φ(s,a) − Σ_b π_λ(b|s) φ(s,b)`.
 *
 * @module
 */

import { type Features, validateFeatures } from "./mdp.ts";
import { assertFiniteArray, assertInt, assertNumber } from "../core/validate.ts";

/** Require an output table of exactly `len` entries. */
function assertTable(name: string, out: Float64Array, len: number): void {
  if (!(out instanceof Float64Array) || out.length !== len) {
    throw new RangeError(
      `${name} must be a Float64Array of length ${len}, got length ${out?.length}`,
    );
  }
}

/** `wᵀφ(s,a)` for all (s,a), with `w` validated under the name `wName`. */
function linearValues(
  feat: Features,
  w: ArrayLike<number>,
  wName: string,
  out?: Float64Array,
): Float64Array {
  const { nS, nA, d, phi } = validateFeatures(feat);
  assertFiniteArray(wName, w, d);
  if (out !== undefined) assertTable("out", out, nS * nA);
  const q = out ?? new Float64Array(nS * nA);
  for (let sa = 0; sa < nS * nA; sa++) {
    let acc = 0;
    const base = sa * d;
    for (let k = 0; k < d; k++) acc += phi[base + k] * w[k];
    q[sa] = acc;
  }
  return q;
}

/**
 * Linear action values `Q_w(s,a) = wᵀφ(s,a)`, laid out `[s·nA + a]`.
 *
 * @example
 * ```ts
 * import { oneHotFeatures } from "./mdp.ts";
 * import { qValues } from "./policy.ts";
 * const q = qValues(oneHotFeatures(2, 2), new Float64Array([1, 2, 3, 4]));
 * console.log(q); // Float64Array [1, 2, 3, 4]
 * ```
 */
export function qValues(feat: Features, w: ArrayLike<number>, out?: Float64Array): Float64Array {
  return linearValues(feat, w, "w", out);
}

/**
 * Greedy action per state w.r.t. `wᵀφ`; ties go to the lowest action index.
 *
 * @example
 * ```ts
 * import { oneHotFeatures } from "./mdp.ts";
 * import { greedyActions } from "./policy.ts";
 * const acts = greedyActions(oneHotFeatures(1, 3), new Float64Array([1, 5, 5]));
 * if (acts[0] !== 1) throw new Error("the tie between actions 1 and 2 goes to 1");
 * ```
 */
export function greedyActions(feat: Features, w: ArrayLike<number>): Int32Array {
  const q = qValues(feat, w); // validates feat and w
  const { nS, nA } = feat;
  const out = new Int32Array(nS);
  for (let s = 0; s < nS; s++) {
    let best = 0;
    for (let a = 1; a < nA; a++) if (q[s * nA + a] > q[s * nA + best]) best = a;
    out[s] = best;
  }
  return out;
}

/**
 * ε-greedy policy table w.r.t. `wᵀφ`: mass `1 − ε + ε/|A|` on the greedy action (ties → lowest
 * index), `ε/|A|` elsewhere. `ε = 0` gives the greedy policy.
 *
 * @example
 * ```ts
 * import { oneHotFeatures } from "./mdp.ts";
 * import { epsGreedyPolicy } from "./policy.ts";
 * const pi = epsGreedyPolicy(oneHotFeatures(1, 2), new Float64Array([0, 1]), 0.1);
 * console.log(pi); // Float64Array [0.05, 0.95]
 * ```
 */
export function epsGreedyPolicy(
  feat: Features,
  w: ArrayLike<number>,
  eps: number,
  out?: Float64Array,
): Float64Array {
  assertNumber("eps", eps, 0, 1);
  const greedy = greedyActions(feat, w); // validates feat and w
  const { nS, nA } = feat;
  if (out !== undefined) assertTable("out", out, nS * nA);
  const pi = out ?? new Float64Array(nS * nA);
  const low = eps / nA;
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) pi[s * nA + a] = low;
    pi[s * nA + greedy[s]] += 1 - eps;
  }
  return pi;
}

/**
 * Deterministic greedy policy table w.r.t. `wᵀφ` (ε-greedy with ε = 0).
 *
 * @example
 * ```ts
 * import { oneHotFeatures } from "./mdp.ts";
 * import { greedyPolicy } from "./policy.ts";
 * const pi = greedyPolicy(oneHotFeatures(2, 2), new Float64Array([0, 1, 3, 2]));
 * console.log(pi); // Float64Array [0, 1, 1, 0]: action 1 in state 0, action 0 in state 1
 * ```
 */
export function greedyPolicy(feat: Features, w: ArrayLike<number>): Float64Array {
  return epsGreedyPolicy(feat, w, 0);
}

/**
 * Softmax policy `π_λ(a|s) ∝ exp(λᵀφ(s,a))` (max-subtracted for stability).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures } from "./mdp.ts";
 * import { softmaxPolicy } from "./policy.ts";
 * const feat = randomFeatures(new Rng(1), 3, 2);
 * console.log(softmaxPolicy(feat, new Float64Array(feat.d))); // λ = 0: every entry 0.5
 * ```
 */
export function softmaxPolicy(
  feat: Features,
  lambda: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const { nS, nA } = validateFeatures(feat);
  const pi = linearValues(feat, lambda, "lambda", out);
  if (!pi.every(Number.isFinite)) return softmaxScaled(feat, lambda, pi, nS, nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, pi[s * nA + a]);
    let z = 0;
    for (let a = 0; a < nA; a++) {
      const e = Math.exp(pi[s * nA + a] - m);
      pi[s * nA + a] = e;
      z += e;
    }
    for (let a = 0; a < nA; a++) pi[s * nA + a] /= z;
  }
  return pi;
}

/**
 * softmax(φλ) when some logit φλ overflows (|λ| near the float64 limit): logits of λ/‖λ‖∞, then
 * exp(‖λ‖∞·(z − max z)), whose exponents are ≤ 0 (−∞ underflows to 0), so the limit — the
 * greedy policy, ties shared — comes out instead of NaN.
 */
function softmaxScaled(
  feat: Features,
  lambda: ArrayLike<number>,
  pi: Float64Array,
  nS: number,
  nA: number,
): Float64Array {
  let scale = 0;
  for (let i = 0; i < lambda.length; i++) scale = Math.max(scale, Math.abs(lambda[i]));
  const z = linearValues(feat, Array.from(lambda, (v) => v / scale), "lambda");
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, z[s * nA + a]);
    let tot = 0;
    for (let a = 0; a < nA; a++) {
      const e = Math.exp(scale * (z[s * nA + a] - m));
      pi[s * nA + a] = e;
      tot += e;
    }
    for (let a = 0; a < nA; a++) pi[s * nA + a] /= tot;
  }
  return pi;
}

/**
 * The uniform-random policy table.
 *
 * @example
 * ```ts
 * import { uniformPolicy } from "./policy.ts";
 * console.log(uniformPolicy(3, 4)); // 12 entries, every one 0.25
 * ```
 */
export function uniformPolicy(nS: number, nA: number): Float64Array {
  assertInt("nS", nS, 1);
  assertInt("nA", nA, 1);
  return new Float64Array(nS * nA).fill(1 / nA);
}

/**
 * Score of the softmax policy, `g = ∇_λ log π_λ(a|s) = φ(s,a) − Σ_b π(b|s) φ(s,b)`, written into
 * `out[offset … offset+d−1]`. `pi` is the policy table of `π_λ` (from {@linkcode softmaxPolicy}).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { randomFeatures } from "./mdp.ts";
 * import { softmaxPolicy, softmaxScore } from "./policy.ts";
 * const rng = new Rng(1);
 * const feat = randomFeatures(rng, 3, 2);
 * const lambda = rng.fillUniform(new Float64Array(feat.d), -1, 1);
 * const g = softmaxScore(feat, softmaxPolicy(feat, lambda), 0, 1); // ∇_λ log π_λ(a=1|s=0)
 * console.log(g.length); // 6 = d
 * ```
 */
export function softmaxScore(
  feat: Features,
  pi: Float64Array,
  s: number,
  a: number,
  out: Float64Array = new Float64Array(feat.d),
  offset = 0,
): Float64Array {
  const { nS, nA, d, phi } = validateFeatures(feat);
  assertInt("s", s, 0, nS - 1);
  assertInt("a", a, 0, nA - 1);
  if (!(pi instanceof Float64Array) || pi.length !== nS * nA) {
    throw new RangeError(
      `pi must be a Float64Array of length ${nS * nA}, got length ${pi?.length}`,
    );
  }
  assertInt("offset", offset, 0);
  if (!(out instanceof Float64Array) || out.length < offset + d) {
    throw new RangeError(
      `out must be a Float64Array of length ≥ offset + d = ${
        offset + d
      }, got length ${out?.length}`,
    );
  }
  for (let k = 0; k < d; k++) out[offset + k] = phi[(s * nA + a) * d + k];
  for (let b = 0; b < nA; b++) {
    const p = pi[s * nA + b];
    const base = (s * nA + b) * d;
    for (let k = 0; k < d; k++) out[offset + k] -= p * phi[base + k];
  }
  return out;
}
