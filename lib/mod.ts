/**
 * Public API of the reproduction library: MDPs and features, exact evaluation, policies,
 * rollouts, teachers, prompts, the linear self-attention block and its constructions
 * (MATH §1–§5).
 *
 * @module
 */

export * from "./core/validate.ts";
export * from "./core/rng.ts";
export * from "./mdp/mdp.ts";
export * from "./core/linalg.ts";
export * from "./mdp/policy.ts";
export * from "./mdp/evaluate.ts";
export * from "./mdp/rollout.ts";
export * from "./icrl/teachers.ts";
export * from "./icrl/prompt.ts";
export * from "./icrl/lsa.ts";
export * from "./icrl/restricted.ts";
export * from "./icrl/construction.ts";
export * from "./icrl/tf.ts";
export * from "./icrl/grad.ts";
export * from "./core/optim.ts";
export * from "./icrl/manifold.ts";
export * from "./icrl/tasks.ts";
export * from "./train/params.ts";
export * from "./train/train.ts";
export * from "./train/model_io.ts";
export * from "./train/parallel.ts";
export * from "./core/stats.ts";
export * from "./core/aggregate.ts";
export * from "./core/streams.ts";
export * from "./transfer/mod.ts";
export * from "./bandits/mod.ts";
export * from "./train/fused.ts";
export * from "./icrl/fast_task.ts";
export * from "./train/wasm_adam.ts";
