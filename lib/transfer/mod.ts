/**
 * Closed-loop in-context control on unseen MDPs and its statistics (MATH §8.3–§8.4).
 *
 * @module
 */

export * from "./transfer.ts";
