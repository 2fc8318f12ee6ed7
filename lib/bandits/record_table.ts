/**
 * Recorded bandit trajectories on disk (record.ts holds the `TrajectorySet` itself). A set is two
 * Parquet tables written through lib/report/table.ts:
 *
 * - `<prefix>_envs.parquet`, one row per trajectory: `traj` (global environment index), `family`,
 *   `algorithm` (the AlgorithmSpec as JSON), `spec` (the BanditSpec as JSON), `env_seed`,
 *   `policy_seed`, `best`, `best_mean`, `theta_0…theta_{d−1}`, `mean_0…mean_{A−1}`,
 *   `arm_{a}_{j}` (coordinate j of arm a);
 * - `<prefix>_steps.parquet`, one row per (trajectory, step), trajectory-major: `traj`, `t`
 *   (0-based), `action`, `reward`, `regret` (instantaneous pseudo-regret `max μ − μ_a`), and
 *   `prob_0…prob_{A−1}` when the distribution was recorded.
 *
 * `readTrajectories` returns the same `TrajectorySet` (round trip exact).
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { readTable, writeTable } from "../report/table.ts";
import type { AlgorithmSpec } from "./algorithms.ts";
import { type BanditSpec, validateBanditSpec } from "./env.ts";
import type { TrajectorySet } from "./record.ts";

/** Column `k` of a row-major N × K matrix. */
function column(m: Float64Array, N: number, K: number, k: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = m[i * K + k];
  return out;
}

/**
 * The two tidy tables of a set (see the module doc), as polars DataFrames.
 *
 * @example
 * ```ts
 * import { trajectoryTables } from "./record_table.ts";
 * // const { envs, steps } = trajectoryTables(set); steps.height === N * T
 * ```
 */
export function trajectoryTables(set: TrajectorySet): { envs: DataFrame; steps: DataFrame } {
  const { numEnvs: N, numArms: A, dim: d, horizon: T } = set;
  // deno-lint-ignore no-explicit-any
  const envCols: any[] = [
    pl.Series("traj", set.index),
    pl.Series("family", new Array(N).fill(set.spec.family)),
    pl.Series("algorithm", new Array(N).fill(JSON.stringify(set.algorithm))),
    pl.Series("spec", new Array(N).fill(JSON.stringify(set.spec))),
    pl.Series("env_seed", new Float64Array(N).fill(set.envSeed)).cast(pl.Int64),
    pl.Series("policy_seed", new Float64Array(N).fill(set.policySeed)).cast(pl.Int64),
    pl.Series("best", set.best),
    pl.Series("best_mean", set.bestMean),
  ];
  for (let j = 0; j < d; j++) envCols.push(pl.Series(`theta_${j}`, column(set.theta, N, d, j)));
  for (let a = 0; a < A; a++) envCols.push(pl.Series(`mean_${a}`, column(set.means, N, A, a)));
  for (let a = 0; a < A; a++) {
    for (let j = 0; j < d; j++) {
      envCols.push(pl.Series(`arm_${a}_${j}`, column(set.arms, N, A * d, a * d + j)));
    }
  }
  const traj = new Int32Array(N * T), t = new Int32Array(N * T), regret = new Float64Array(N * T);
  for (let i = 0; i < N; i++) {
    for (let s = 0; s < T; s++) {
      traj[i * T + s] = set.index[i];
      t[i * T + s] = s;
      regret[i * T + s] = set.bestMean[i] - set.means[i * A + set.actions[i * T + s]];
    }
  }
  // deno-lint-ignore no-explicit-any
  const stepCols: any[] = [
    pl.Series("traj", traj),
    pl.Series("t", t),
    pl.Series("action", set.actions),
    pl.Series("reward", set.rewards),
    pl.Series("regret", regret),
  ];
  if (set.probs) {
    for (let a = 0; a < A; a++) {
      stepCols.push(pl.Series(`prob_${a}`, column(set.probs, N * T, A, a)));
    }
  }
  return { envs: pl.DataFrame(envCols), steps: pl.DataFrame(stepCols) };
}

/**
 * Write a set as `<prefix>_envs.parquet` and `<prefix>_steps.parquet`; returns both paths.
 *
 * @example
 * ```ts
 * import { writeTrajectories } from "./record_table.ts";
 * // writeTrajectories(set, `${dataDir()}/07_linucb_linear`);
 * ```
 */
export function writeTrajectories(
  set: TrajectorySet,
  prefix: string,
): { envs: string; steps: string } {
  const { envs, steps } = trajectoryTables(set);
  return {
    envs: writeTable(envs, `${prefix}_envs`, { format: "parquet", compression: "zstd" }),
    steps: writeTable(steps, `${prefix}_steps`, { format: "parquet", compression: "zstd" }),
  };
}

function f64(df: DataFrame, name: string): Float64Array {
  if (!df.columns.includes(name)) {
    throw new RangeError(`trajectory table lacks column ${JSON.stringify(name)}`);
  }
  return Float64Array.from(df.getColumn(name).toArray() as number[]);
}

function i32(df: DataFrame, name: string): Int32Array {
  if (!df.columns.includes(name)) {
    throw new RangeError(`trajectory table lacks column ${JSON.stringify(name)}`);
  }
  return Int32Array.from(df.getColumn(name).toArray() as number[]);
}

/**
 * Read a set written by {@linkcode writeTrajectories} (errors name the file or the missing /
 * inconsistent column).
 *
 * @example
 * ```ts
 * import { readTrajectories } from "./record_table.ts";
 * // const set = readTrajectories(`${dataDir()}/07_linucb_linear`); set.actions.length === N * T
 * ```
 */
export function readTrajectories(prefix: string): TrajectorySet {
  const envDf = readTable(`${prefix}_envs.parquet`).sort("traj");
  const stepDf = readTable(`${prefix}_steps.parquet`).sort(["traj", "t"]);
  const N = envDf.height;
  const first = envDf.row(0) as unknown[];
  const cols = envDf.columns;
  const get = (name: string) => first[cols.indexOf(name)];
  const spec = validateBanditSpec(JSON.parse(String(get("spec"))) as BanditSpec);
  const algorithm = JSON.parse(String(get("algorithm"))) as AlgorithmSpec;
  const A = spec.numArms, d = spec.family === "linear" ? spec.dim : A, T = spec.horizon;
  if (stepDf.height !== N * T) {
    throw new RangeError(
      `${prefix}_steps.parquet has ${stepDf.height} rows; expected N × T = ${N} × ${T}`,
    );
  }
  const index = i32(envDf, "traj");
  const stepTraj = i32(stepDf, "traj"), stepT = i32(stepDf, "t");
  for (let i = 0; i < N; i++) {
    for (let s = 0; s < T; s++) {
      if (stepTraj[i * T + s] !== index[i] || stepT[i * T + s] !== s) {
        throw new RangeError(
          `${prefix}_steps.parquet: row ${i * T + s} is (traj ${stepTraj[i * T + s]}, t ${
            stepT[i * T + s]
          }); expected (traj ${index[i]}, t ${s})`,
        );
      }
    }
  }
  const mat = (df: DataFrame, names: string[]) => {
    const n = df.height;
    const out = new Float64Array(n * names.length);
    names.forEach((name, k) => {
      const c = f64(df, name);
      for (let i = 0; i < n; i++) out[i * names.length + k] = c[i];
    });
    return out;
  };
  const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  const armNames: string[] = [];
  for (let a = 0; a < A; a++) for (let j = 0; j < d; j++) armNames.push(`arm_${a}_${j}`);
  const hasProbs = stepDf.columns.includes("prob_0");
  return {
    spec,
    algorithm,
    envSeed: Number(get("env_seed")),
    policySeed: Number(get("policy_seed")),
    index,
    numEnvs: N,
    numArms: A,
    dim: d,
    horizon: T,
    arms: mat(envDf, armNames),
    theta: mat(envDf, range(d, (j) => `theta_${j}`)),
    means: mat(envDf, range(A, (a) => `mean_${a}`)),
    best: i32(envDf, "best"),
    bestMean: f64(envDf, "best_mean"),
    actions: i32(stepDf, "action"),
    rewards: f64(stepDf, "reward"),
    probs: hasProbs ? mat(stepDf, range(A, (a) => `prob_${a}`)) : null,
  };
}
