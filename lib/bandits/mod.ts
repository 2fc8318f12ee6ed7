/**
 * Stochastic bandits and their classical algorithms (MATH §9; [LBM24]): batched environments,
 * LinUCB, Thompson sampling, UCB, empirical mean, uniform, mixtures, simulation, pseudo-regret,
 * recorded trajectories for pretraining and their parallel generation.
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
export * from "./transformer.ts";
export * from "./tokens.ts";
export * from "./pretrain.ts";
export * from "./deploy.ts";
export * from "./checkpoint.ts";
export * from "./backend.ts";
export * from "./pretrain_job.ts";
