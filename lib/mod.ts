/**
 * Entry point of the reproduction library: every plain-TypeScript layer in one import, in
 * data-flow order. Each line below is a folder barrel (`<folder>/mod.ts`) re-exported whole:
 *
 * - `core/` — seeded RNG, dense linear algebra and symmetric eigen-solvers, statistics and
 *   bootstrap/aggregate bands, optimisers (Adam), input validation.
 * - `mdp/` — tabular MDPs and features, policies, rollouts, exact evaluation (MATH §1–§2).
 * - `icrl/` — TD/SARSA/actor-critic teachers, prompts, the linear self-attention block and its
 *   explicit constructions, hand gradients, manifold and richness diagnostics (MATH §3–§7).
 * - `train/` — teacher-mimicking training: tasks, the fused engine and WASM Adam, the trainer,
 *   the worker pool and model I/O (MATH §6).
 * - `transfer/` — closed-loop in-context control on unseen MDPs and its statistics (MATH §8).
 * - `bandits/` — stochastic bandits, their classical algorithms, simulation, regret and
 *   recorded trajectories (MATH §9).
 *
 * Importing this module loads no npm package — in particular not tfjs. The modules that do
 * are imported from their own files, on demand:
 *
 * - tfjs: `icrl/tf.ts` (the block as tfjs tensors), `train/train_tf.ts` (the tfjs trainer),
 *   `bandits/{transformer,pretrain,deploy,checkpoint,backend,pretrain_job}.ts` (the bandit
 *   decision transformer), `baselines/` (MLP / attention baselines);
 * - polars: `bandits/record_table.ts` (trajectories as Parquet tables), `report/` (tables,
 *   charts, rendering, manifests and progress for notebooks).
 *
 * The experiment layer (`experiments/`, one module per paper result) and the settle study
 * (`settle/`) sit on top and are imported directly by the notebooks.
 *
 * @example
 * ```ts
 * import { randomMdp, Rng, valueIteration } from "./mod.ts";
 * const mdp = randomMdp(new Rng(1), { nS: 3, nA: 2 });
 * const { v, J } = valueIteration(mdp);
 * if (v.length !== 3 || !Number.isFinite(J)) throw new Error("unexpected value iteration");
 * ```
 *
 * @module
 */

export * from "./core/mod.ts";
export * from "./mdp/mod.ts";
export * from "./icrl/mod.ts";
export * from "./train/mod.ts";
export * from "./transfer/mod.ts";
export * from "./bandits/mod.ts";
