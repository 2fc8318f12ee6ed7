/**
 * Offline trajectories as transformer input (MATH §9): token `i` (0-based) of a trajectory is
 * `[action set (flattened, linear bandits only) ; one-hot(a_{i−1}) ; r_{i−1}]`, zeros in the last
 * two parts at `i = 0`. The model's logits at position `i` choose `a_i`.
 *
 * @module
 */

import { assertInt } from "../core/validate.ts";

/**
 * What token building reads from a recorded trajectory set (the `TrajectorySet` of record.ts
 * satisfies it): N trajectories of T steps in row-major typed arrays.
 */
export interface TokenSource {
  /** The bandit family: linear bandits put their action set in the tokens, Bernoulli do not. */
  readonly spec: { readonly family: "linear" | "bernoulli" };
  /** Trajectories N. */
  readonly numEnvs: number;
  /** Arms A. */
  readonly numArms: number;
  /** Arm dimension d. */
  readonly dim: number;
  /** Steps per trajectory T. */
  readonly horizon: number;
  /** Action sets, N × A × d. */
  readonly arms: Float64Array;
  /** Played arms, N × T. */
  readonly actions: Int32Array;
  /** Observed rewards, N × T. */
  readonly rewards: Float64Array;
  /** Optimal arm of each trajectory's environment, N. */
  readonly best: Int32Array;
}

/**
 * Arm coordinates per arm carried in the tokens: d for linear bandits, 0 for Bernoulli bandits
 * (whose arms are the one-hot vectors, already implied by the action one-hot).
 *
 * @example
 * ```ts
 * armFeatures({ spec: { family: "linear" }, dim: 5 }); // 5
 * ```
 */
export function armFeatures(set: Pick<TokenSource, "spec" | "dim">): number {
  return set.spec.family === "linear" ? set.dim : 0;
}

/**
 * Features per token: `A·armFeatures + A + 1`.
 *
 * @example
 * ```ts
 * tokenDim(10, 5); // 61 (linear bandit: 50 arm coordinates, 10-way one-hot, reward)
 * ```
 */
export function tokenDim(numArms: number, armFeatures: number): number {
  assertInt("numArms", numArms, 1);
  assertInt("armFeatures", armFeatures, 0);
  return numArms * armFeatures + numArms + 1;
}

/**
 * Write the first `len` tokens of trajectories `rows` into `out` (`rows.length × len × F`,
 * float32), following the module doc's layout. Returns `out`.
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 8 }, 1, 4);
 * const set = { ...envs, ...simulate(envs, makePolicy({ name: "ts-beta" }, envs, 2)) };
 * import { trajectoryTokens } from "./tokens.ts";
 * const x = trajectoryTokens(set, [0, 2, 3], 8); // 3 × 8 × F, F = A + 1 = 6
 * ```
 */
export function trajectoryTokens(
  set: TokenSource,
  rows: ArrayLike<number>,
  len: number,
  out?: Float32Array,
): Float32Array {
  const A = set.numArms, d = armFeatures(set), T = set.horizon, dim = set.dim;
  const F = tokenDim(A, d);
  assertInt("len", len, 1, T);
  const n = rows.length;
  const x = out ?? new Float32Array(n * len * F);
  if (x.length !== n * len * F) {
    throw new RangeError(`out has ${x.length} values, expected ${n}·${len}·${F} = ${n * len * F}`);
  }
  x.fill(0);
  const ad = A * d;
  for (let b = 0; b < n; b++) {
    const r = rows[b];
    if (!Number.isInteger(r) || r < 0 || r >= set.numEnvs) {
      throw new RangeError(`row ${r} is not a trajectory index in 0..${set.numEnvs - 1}`);
    }
    const arms = set.arms.subarray(r * A * dim, r * A * dim + ad);
    for (let i = 0; i < len; i++) {
      const o = (b * len + i) * F;
      if (ad > 0) { for (let k = 0; k < ad; k++) x[o + k] = arms[k]; }
      if (i > 0) {
        const a = set.actions[r * T + i - 1];
        x[o + ad + a] = 1;
        x[o + ad + A] = set.rewards[r * T + i - 1];
      }
    }
  }
  return x;
}

/** Which action the model is trained to predict at each position. */
export type TargetKind = "logged" | "optimal";

/**
 * Targets for trajectories `rows`, `rows.length × len` (row-major): the logged action `a_i`
 * (algorithm distillation) or the environment's optimal arm at every position (DPT).
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 8 }, 1, 4);
 * const set = { ...envs, ...simulate(envs, makePolicy({ name: "ts-beta" }, envs, 2)) };
 * import { trajectoryTargets } from "./tokens.ts";
 * const y = trajectoryTargets(set, [0, 1], 8, "optimal"); // 2 × 8, each row the optimal arm
 * ```
 */
export function trajectoryTargets(
  set: TokenSource,
  rows: ArrayLike<number>,
  len: number,
  kind: TargetKind,
): Int32Array {
  assertInt("len", len, 1, set.horizon);
  const n = rows.length, T = set.horizon;
  const y = new Int32Array(n * len);
  for (let b = 0; b < n; b++) {
    const r = rows[b];
    if (!Number.isInteger(r) || r < 0 || r >= set.numEnvs) {
      throw new RangeError(`row ${r} is not a trajectory index in 0..${set.numEnvs - 1}`);
    }
    for (let i = 0; i < len; i++) {
      y[b * len + i] = kind === "logged" ? set.actions[r * T + i] : set.best[r];
    }
  }
  return y;
}

/**
 * Fraction of positions `i ≥ 1` of trajectories `rows` whose target equals the previous action
 * `a_{i−1}` — the accuracy of "repeat the previous action", the floor a useful imitator must beat.
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 8 }, 1, 4);
 * const set = { ...envs, ...simulate(envs, makePolicy({ name: "ts-beta" }, envs, 2)) };
 * import { repeatPreviousAccuracy } from "./tokens.ts";
 * repeatPreviousAccuracy(set, [0, 1, 2], "logged"); // in [0, 1]
 * ```
 */
export function repeatPreviousAccuracy(
  set: TokenSource,
  rows: ArrayLike<number>,
  kind: TargetKind,
): number {
  const T = set.horizon;
  if (T < 2) throw new RangeError(`horizon ${T} has no previous action`);
  if (rows.length === 0) throw new RangeError("rows must be non-empty");
  const y = trajectoryTargets(set, rows, T, kind);
  let hit = 0;
  for (let b = 0; b < rows.length; b++) {
    for (let i = 1; i < T; i++) if (y[b * T + i] === set.actions[rows[b] * T + i - 1]) hit++;
  }
  return hit / (rows.length * (T - 1));
}
