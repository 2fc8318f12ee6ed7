/**
 * Teacher-mimicking training (MATH §6): the trainer and its config, its parameters, the fused
 * engine (WebAssembly SIMD kernels), the prompt stream from a rollout thread, the worker pool and
 * model I/O. The tfjs engine (train_tf.ts) is loaded on demand. The
 * tasks it trains on live in lib/icrl (tasks.ts, fast_task.ts) and are re-exported here too.
 *
 * @module
 */

export * from "../icrl/tasks.ts";
export * from "../icrl/fast_task.ts";
export * from "./fused.ts";
export * from "./wasm_adam.ts";
export * from "./stream.ts";
export * from "./params.ts";
export * from "./train.ts";
export * from "./model_io.ts";
export * from "./parallel.ts";
