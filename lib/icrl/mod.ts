/**
 * In-context RL with the linear self-attention block: teachers, prompts, the block, its explicit constructions, hand gradients, manifold and richness diagnostics (MATH §3–§7). The tfjs block lives in tf.ts and is not re-exported (importing this module does not load tfjs).
 *
 * @module
 */

export * from "./teachers.ts";
export * from "./prompt.ts";
export * from "./lsa.ts";
export * from "./construction.ts";
export * from "./grad.ts";
export * from "./manifold.ts";
export * from "./richness.ts";
