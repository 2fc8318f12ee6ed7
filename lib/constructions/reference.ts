/**
 * Independent float64 formulas the constructions are checked against (MATH §10): the regularised
 * Gram matrix and ridge estimate of a bandit history, a linear solve, the exact GD / AGD
 * iterates on the position-normalised quadratic the attention layers minimise, softmax and the
 * total-variation distance.
 *
 * @module
 */

import { solve } from "../core/linalg.ts";
import { ConstructionParameterError } from "./errors.ts";

/** A bandit history: arms played (t × d, row-major) and rewards (t). */
export interface BanditHistory {
  /** Arm dimension d. */
  readonly d: number;
  /** Played arms, one row per step. */
  readonly arms: Float64Array;
  /** Rewards. */
  readonly rewards: Float64Array;
}

/**
 * `cI·I + cA·Σ_j a_j a_jᵀ` over the first `steps` rows of the history (d × d, row-major).
 *
 * @example
 * ```ts
 * import { gram } from "./reference.ts";
 * gram({ d: 2, arms: new Float64Array([1, 0]), rewards: new Float64Array([1]) }, 1, 1, 1); // [2, 0, 0, 1]
 * ```
 */
export function gram(h: BanditHistory, steps: number, cI: number, cA = 1): Float64Array {
  const d = h.d, G = new Float64Array(d * d);
  for (let j = 0; j < d; j++) G[j * d + j] = cI;
  for (let s = 0; s < steps; s++) {
    for (let a = 0; a < d; a++) {
      const x = h.arms[s * d + a];
      for (let b = 0; b < d; b++) G[a * d + b] += cA * x * h.arms[s * d + b];
    }
  }
  return G;
}

/**
 * `Σ_j r_j a_j` over the first `steps` steps.
 *
 * @example
 * ```ts
 * import { rewardSum } from "./reference.ts";
 * rewardSum({ d: 2, arms: new Float64Array([1, 2]), rewards: new Float64Array([3]) }, 1); // [3, 6]
 * ```
 */
export function rewardSum(h: BanditHistory, steps: number): Float64Array {
  const d = h.d, b = new Float64Array(d);
  for (let s = 0; s < steps; s++) {
    for (let a = 0; a < d; a++) b[a] += h.rewards[s] * h.arms[s * d + a];
  }
  return b;
}

/**
 * The ridge estimate `(λI + Σ a aᵀ)⁻¹ Σ r a` after `steps` steps (closed form, Gaussian
 * elimination).
 *
 * @example
 * ```ts
 * import { ridge } from "./reference.ts";
 * ridge({ d: 1, arms: new Float64Array([1, 1]), rewards: new Float64Array([1, 3]) }, 2, 1); // [4/3]
 * ```
 */
export function ridge(h: BanditHistory, steps: number, lambda: number): Float64Array {
  return solve(gram(h, steps, lambda), rewardSum(h, steps), h.d);
}

/**
 * `M⁻¹ b` (Gaussian elimination; M d × d).
 *
 * @example
 * ```ts
 * import { solveSym } from "./reference.ts";
 * solveSym(new Float64Array([2, 0, 0, 4]), [2, 8], 2); // [1, 2]
 * ```
 */
export function solveSym(M: Float64Array, b: ArrayLike<number>, d: number): Float64Array {
  return solve(M, Float64Array.from(b), d);
}

/**
 * The iterates the attention layers run (MATH §10.4): for the quadratic
 * `L(x) = (1/i)[½ xᵀGx − ⟨x, b⟩]` (G d × d), from x = 0, `steps` steps of gradient descent
 * (`beta = null`: `x ← x − η∇L(x)`) or of Nesterov's AGD (`x⁺ = v − η∇L(v)`,
 * `v ← x⁺ + β(x⁺ − x)`). Returns every iterate `x^(1) … x^(steps)` (steps × d).
 *
 * @example
 * ```ts
 * import { quadraticIterates } from "./reference.ts";
 * const it = quadraticIterates(new Float64Array([1]), [1], 1, 1, null, 50);
 * Math.abs(it[49] - 1) < 1e-12; // true: GD with step 1 on (x − 1)²/2 reaches 1 at once
 * ```
 */
export function quadraticIterates(
  G: Float64Array,
  b: ArrayLike<number>,
  i: number,
  eta: number,
  beta: number | null,
  steps: number,
): Float64Array {
  const d = b.length;
  if (G.length !== d * d) throw new ConstructionParameterError(`G must be ${d} × ${d}`);
  const out = new Float64Array(steps * d);
  let x = new Float64Array(d), v = new Float64Array(d);
  const g = new Float64Array(d);
  for (let s = 0; s < steps; s++) {
    const at = beta === null ? x : v;
    for (let a = 0; a < d; a++) {
      let acc = -b[a];
      for (let c = 0; c < d; c++) acc += G[a * d + c] * at[c];
      g[a] = acc / i;
    }
    const next = new Float64Array(d);
    for (let a = 0; a < d; a++) next[a] = at[a] - eta * g[a];
    if (beta !== null) {
      const nv = new Float64Array(d);
      for (let a = 0; a < d; a++) nv[a] = next[a] + beta * (next[a] - x[a]);
      v = nv;
    }
    x = next;
    out.set(x, s * d);
  }
  return out;
}

/**
 * `softmax(z)`, stably.
 *
 * @example
 * ```ts
 * import { softmax } from "./reference.ts";
 * softmax([0, Math.log(3)]); // [0.25, 0.75]
 * ```
 */
export function softmax(z: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let k = 0; k < z.length; k++) m = Math.max(m, z[k]);
  const p = new Float64Array(z.length);
  let s = 0;
  for (let k = 0; k < z.length; k++) s += p[k] = Math.exp(z[k] - m);
  for (let k = 0; k < z.length; k++) p[k] /= s;
  return p;
}

/**
 * Total-variation distance `½ Σ |p − q|`.
 *
 * @example
 * ```ts
 * import { totalVariation } from "./reference.ts";
 * totalVariation([0.5, 0.5], [1, 0]); // 0.5
 * ```
 */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) {
    throw new ConstructionParameterError("TV of vectors of unequal length");
  }
  let s = 0;
  for (let k = 0; k < p.length; k++) s += Math.abs(p[k] - q[k]);
  return s / 2;
}

/**
 * Index drawn from the distribution p with the uniform u ∈ [0, 1) (inverse CDF: common random
 * numbers make two policies with equal p pick equal arms).
 *
 * @example
 * ```ts
 * import { sampleIndex } from "./reference.ts";
 * sampleIndex([0.2, 0.8], 0.5); // 1
 * ```
 */
export function sampleIndex(p: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let k = 0; k < p.length; k++) {
    acc += p[k];
    if (u < acc) return k;
  }
  return p.length - 1;
}
