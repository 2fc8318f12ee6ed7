/**
 * Stochastic bandits and their classical algorithms (MATH §9; [LBM24]): batched environments,
 * LinUCB, Thompson sampling, UCB, empirical mean, uniform, mixtures, simulation, pseudo-regret,
 * recorded trajectories for pretraining, their parallel generation and their token layout.
 *
 * Plain TypeScript only: importing this module loads neither tfjs nor polars. The modules that do
 * are imported from their own files —
 *
 * - `record_table.ts` (polars): trajectory sets as Parquet tables (`writeTrajectories`,
 *   `readTrajectories`, `trajectoryTables`);
 * - `transformer.ts`, `pretrain.ts`, `deploy.ts`, `checkpoint.ts`, `backend.ts`,
 *   `pretrain_job.ts` (tfjs): the decision transformer, its supervised pretraining, deployment as
 *   a policy, checkpoints, backend selection and the worker job.
 *
 * @example
 * ```ts
 * import { BERNOULLI_BANDIT, cumulativeRegret, makePolicy, sampleBandits, simulate } from "./mod.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 20 }, 1, 4);
 * const run = simulate(envs, makePolicy({ name: "ucb1" }, envs, 2));
 * cumulativeRegret(envs, run.actions, 20).length; // 4 × 20
 * ```
 *
 * @module
 */

export * from "./env.ts";
export * from "./policy.ts";
export * from "./counts.ts";
export * from "./linucb.ts";
export * from "./thompson.ts";
export * from "./ucb.ts";
export * from "./simple.ts";
export * from "./mixture.ts";
export * from "./algorithms.ts";
export * from "./simulate.ts";
export * from "./regret.ts";
export * from "./record.ts";
export * from "./generate.ts";
export * from "./tokens.ts";
