/**
 * Teacher-mimicking training (MATH §6): tasks, the fused engine, the trainer, worker pool and model I/O. The tfjs engine (train_tf.ts) is loaded on demand.
 *
 * @module
 */

export * from "./tasks.ts";
export * from "./fast_task.ts";
export * from "./fused.ts";
export * from "./wasm_adam.ts";
export * from "./train.ts";
export * from "./model_io.ts";
export * from "./parallel.ts";
