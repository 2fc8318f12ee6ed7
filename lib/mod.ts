/**
 * Public API of the reproduction library: MDPs and features, exact evaluation, policies,
 * rollouts, teachers, prompts, the linear self-attention block and its constructions
 * (MATH §1–§5).
 *
 * @module
 */

export * from "./validate.ts";
export * from "./rng.ts";
export * from "./mdp.ts";
export * from "./linalg.ts";
export * from "./policy.ts";
export * from "./evaluate.ts";
export * from "./rollout.ts";
export * from "./teachers.ts";
export * from "./prompt.ts";
export * from "./lsa.ts";
export * from "./construction.ts";
export * from "./tf.ts";
export * from "./grad.ts";
export * from "./optim.ts";
export * from "./manifold.ts";
export * from "./tasks.ts";
export * from "./train.ts";
export * from "./model_io.ts";
export * from "./parallel.ts";
export * from "./stats.ts";
export * from "./aggregate.ts";
export * from "./transfer.ts";
