/**
 * Cumulative pseudo-regret `R_e(t) = Σ_{s≤t} (max_a μ_a − μ_{a_s})` per environment and step
 * (MATH §9), and its mean ± SE / 95 % CI over environments (via `meanCI` of lib/core/stats.ts).
 *
 * @module
 */

import { meanCI } from "../core/stats.ts";
import { assertInt } from "../core/validate.ts";
import type { BanditEnvs } from "./env.ts";

/**
 * `R[e·T + t]` = cumulative pseudo-regret of environment e after steps 0…t (so column t is the
 * regret after t+1 pulls). `actions` is E × T as recorded by `simulate`.
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { cumulativeRegret } from "./regret.ts";
 * const envs = sampleBandits(BERNOULLI_BANDIT, 1, 2);
 * const R = cumulativeRegret(envs, new Int32Array(2 * 200), 200); // always arm 0
 * ```
 */
export function cumulativeRegret(
  envs: BanditEnvs,
  actions: Int32Array,
  horizon: number,
): Float64Array {
  assertInt("horizon", horizon, 1);
  const E = envs.numEnvs, A = envs.numArms;
  if (actions.length !== E * horizon) {
    throw new RangeError(`actions must be E × T = ${E} × ${horizon}, got length ${actions.length}`);
  }
  const R = new Float64Array(E * horizon);
  for (let e = 0; e < E; e++) {
    let acc = 0;
    for (let t = 0; t < horizon; t++) {
      const a = actions[e * horizon + t];
      if (!(a >= 0 && a < A)) {
        throw new RangeError(`actions[${e * horizon + t}] must be an arm in [0, ${A}), got ${a}`);
      }
      acc += envs.bestMean[e] - envs.means[e * A + a];
      R[e * horizon + t] = acc;
    }
  }
  return R;
}

/** Mean cumulative regret over environments after `t` pulls. */
export interface RegretPoint {
  /** Pulls so far (1…T). */
  t: number;
  /** Mean over environments. */
  mean: number;
  /** Standard error of the mean. */
  se: number;
  /** 95 % CI (Student t). */
  lo: number;
  hi: number;
  /** Environments. */
  n: number;
}

/**
 * Mean ± SE and 95 % CI of the cumulative regret `R` (E × T) over environments, at the pull
 * counts `steps` (1-based; default every t = 1…T).
 *
 * @example
 * ```ts
 * import { regretCurve } from "./regret.ts";
 * const R = new Float64Array([1, 2, 3, 4]); // E = 2, T = 2
 * regretCurve(R, 2, 2, [2]); // [{ t: 2, mean: 3, … }]
 * ```
 */
export function regretCurve(
  R: Float64Array,
  numEnvs: number,
  horizon: number,
  steps?: readonly number[],
): RegretPoint[] {
  assertInt("numEnvs", numEnvs, 1);
  assertInt("horizon", horizon, 1);
  if (R.length !== numEnvs * horizon) {
    throw new RangeError(`R must be E × T = ${numEnvs} × ${horizon}, got length ${R.length}`);
  }
  const ts = steps ?? Array.from({ length: horizon }, (_, i) => i + 1);
  const col = new Float64Array(numEnvs);
  return ts.map((t) => {
    assertInt("step t", t, 1, horizon);
    for (let e = 0; e < numEnvs; e++) col[e] = R[e * horizon + t - 1];
    const ci = meanCI(col);
    return { t, mean: ci.mean, se: ci.se, lo: ci.lo, hi: ci.hi, n: ci.n };
  });
}
