/**
 * Tabular MDPs and features, policies, rollouts and exact float64 evaluation (MATH §1–§2);
 * finite-horizon MDPs and UCB-VI (MATH §10.8).
 *
 * @module
 */

export * from "./mdp.ts";
export * from "./policy.ts";
export * from "./rollout.ts";
export * from "./evaluate.ts";
export * from "./episodic.ts";
export * from "./ucbvi.ts";
