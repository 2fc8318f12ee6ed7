/**
 * Closed-loop in-context control on unseen MDPs and its statistics (MATH §8.3–§8.4): learners,
 * the evaluation config, the closed loop, and the statistics. The stream layout (shared with
 * training) is `lib/core/streams.ts`; the whole module is re-exported here.
 *
 * @module
 */

export * from "./learners.ts";
export * from "./config.ts";
export * from "./loop.ts";
export * from "./stats.ts";
export * from "../core/streams.ts";
