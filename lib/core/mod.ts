/**
 * Core numerics: the seeded RNG, dense linear algebra and symmetric eigen-solvers, statistics, optimisers, input validation and the Worker pool.
 *
 * @module
 */

export * from "./validate.ts";
export * from "./rng.ts";
export * from "./linalg.ts";
export * from "./eigen.ts";
export * from "./krylov.ts";
export * from "./stats.ts";
export * from "./aggregate.ts";
export * from "./optim.ts";
export * from "./pool.ts";
export * from "./streams.ts";
export * from "./wasm_kernels.ts";
