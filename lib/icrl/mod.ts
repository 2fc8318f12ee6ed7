/**
 * In-context RL with the linear self-attention block (MATH §3–§7): teachers and their step sizes,
 * prompts and tokens, the block (its parameters, conversions and model type in lsa.ts; the
 * restricted readouts in restricted.ts), the explicit constructions, the tasks (one MDP being
 * trained on or evaluated: rollout → tokens → teacher target), hand gradients, manifold and
 * richness diagnostics. Training (lib/train) and evaluation (lib/transfer) both build on this. The
 * tfjs block lives in tf.ts and is not re-exported (importing this module does not load tfjs).
 *
 * @module
 */

export * from "./teachers.ts";
export * from "./prompt.ts";
export * from "./lsa.ts";
export * from "./restricted.ts";
export * from "./wasm_readout.ts";
export * from "./construction.ts";
export * from "./tasks.ts";
export * from "./fast_task.ts";
export * from "./grad.ts";
export * from "./manifold.ts";
export * from "./richness.ts";
export * from "./richness_stats.ts";
export * from "./gn_preconditioner.ts";
