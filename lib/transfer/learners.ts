/**
 * In-context learners for the closed loop (MATH §8.3): the interface {@linkcode Learner} and the
 * built-in learners — the teacher itself, a frozen block (restricted or full), and the
 * construction θ⋆.
 *
 * @module
 */

import { type BlockModel, type LsaParams, lsaReadout, modelParams } from "../icrl/lsa.ts";
import {
  restrictedReadout,
  type RestrictedScratch,
  restrictedScratch,
} from "../icrl/restricted.ts";
import { WasmReadout } from "../icrl/wasm_readout.ts";
import { buildPrompt } from "../icrl/prompt.ts";
import {
  taskConstruction,
  taskDims,
  type TaskEnv,
  type TaskSpec,
  validateTask,
} from "../icrl/tasks.ts";
import { assertFiniteArray } from "../core/validate.ts";

/**
 * An in-context learner: maps one prompt (tokens `X`, the current θ in `env.theta`) to the next θ.
 * Implement this interface to evaluate your own learner with {@linkcode evaluateTransfer}.
 */
export interface Learner {
  /** Unique name; also labels the learner's rollout stream (so keep it stable). */
  readonly name: string;
  /** The task the learner was built for; when present, its kind and dims are checked. */
  readonly task?: TaskSpec;
  /** Called once per test MDP before its first update (reset any per-MDP state here). */
  begin?(env: TaskEnv): void;
  /**
   * Write the next θ into `out` (length p−1). `X` holds the n×m tokens of the prompt just rolled
   * out, `env.theta` the current θ, `target` the teacher's update on the same prompt (MATH §3).
   * Must not modify `X`, `env` or `target`.
   */
  update(X: Float64Array, env: TaskEnv, target: Float64Array, out: Float64Array): void;
}

/**
 * A learner that updates the prompts of all test MDPs at once (one call per update step), for
 * models whose forward pass is cheaper on a batch (tfjs baselines). {@linkcode evaluateTransfer}
 * accepts it beside per-prompt {@linkcode Learner}s.
 */
export interface BatchLearner {
  /** Unique name; also labels the learner's rollout stream (so keep it stable). */
  readonly name: string;
  /** The task the learner was built for; when present, its kind and dims are checked. */
  readonly task?: TaskSpec;
  /** Called once per test MDP before its first update (reset any per-MDP state here). */
  begin?(env: TaskEnv): void;
  /**
   * Write the next θ of prompt `b` into `outs[b]`, for every b. `Xs[b]` holds its n×m tokens,
   * `envs[b].theta` the current θ, `targets[b]` the teacher's update. Must not modify the inputs.
   */
  updateBatch(
    Xs: Float64Array[],
    envs: TaskEnv[],
    targets: Float64Array[],
    outs: Float64Array[],
  ): void;
}

/**
 * Whether `l` is a {@linkcode BatchLearner} (has `updateBatch`) rather than a per-prompt learner.
 *
 * @example
 * ```ts
 * import { batchFromLearner, isBatchLearner, teacherLearner } from "./learners.ts";
 * isBatchLearner(teacherLearner()); // false
 * isBatchLearner(batchFromLearner(teacherLearner())); // true
 * ```
 */
export function isBatchLearner(l: Learner | BatchLearner): l is BatchLearner {
  return typeof (l as BatchLearner).updateBatch === "function";
}

/**
 * A per-prompt {@linkcode Learner} as a batch learner (a loop over the prompts).
 *
 * @example
 * ```ts
 * import { batchFromLearner, teacherLearner } from "./learners.ts";
 * import { evaluateTransfer } from "./loop.ts";
 * import { transferConfig } from "./config.ts";
 * const cfg = transferConfig({ numMdps: 2, updates: 3 });
 * const one = await evaluateTransfer(cfg, [teacherLearner("t")]); // one MDP at a time
 * const all = await evaluateTransfer(cfg, [batchFromLearner(teacherLearner("t"))]); // side by side
 * if (JSON.stringify(one.rows) !== JSON.stringify(all.rows)) throw new Error("same rows");
 * ```
 */
export function batchFromLearner(l: Learner): BatchLearner {
  return {
    name: l.name,
    task: l.task,
    begin: l.begin ? (env) => l.begin!(env) : undefined,
    updateBatch(Xs, envs, targets, outs) {
      for (let b = 0; b < outs.length; b++) l.update(Xs[b], envs[b], targets[b], outs[b]);
    },
  };
}

/**
 * The teacher itself (MATH §3): `θ ← w_SARSA` or `θ ← (w_AC, λ_AC)`, the target that
 * {@linkcode taskStep} computes on the same prompt.
 *
 * @example
 * ```ts
 * import { teacherLearner } from "./learners.ts";
 * import { evaluateTransfer } from "./loop.ts";
 * import { transferConfig } from "./config.ts";
 * const res = await evaluateTransfer(transferConfig({ numMdps: 2, updates: 5 }), [teacherLearner()]);
 * ```
 */
export function teacherLearner(name = "teacher"): Learner {
  assertName(name);
  return {
    name,
    update(_X, _env, target, out) {
      out.set(target);
    },
  };
}

/**
 * A frozen linear self-attention block (MATH §4) as a learner: `θ ← TF_θ(H(X, θ))`. A restricted
 * model uses the fast `θ + V̄21 Σ̂ P12 θ̃` readout; a full model (`model.full` present) uses the
 * last-column readout of the dense block on the prompt built from the same tokens. `kernel`
 * picks the restricted readout: `"fused"` (WebAssembly SIMD, `icrl/wasm_readout.ts`; the blocks
 * are copied when the first prompt arrives, so later changes to them are not seen; default) or
 * `"reference"` (`restricted.ts`); both give bit-identical numbers.
 *
 * @example
 * ```ts
 * import { blockLearner } from "./learners.ts";
 * import { DEFAULT_TASK, taskConstruction } from "../icrl/tasks.ts";
 * // a trained model (e.g. `trainTeacherMimic(…).model` or `loadModel(…).model`); here θ⋆ at c = 2
 * const model = { task: DEFAULT_TASK, param: "restricted" as const, blocks: taskConstruction(DEFAULT_TASK, 2) };
 * const learner = blockLearner("trained", model);
 * ```
 */
export function blockLearner(
  name: string,
  model: BlockModel,
  kernel: "fused" | "reference" = "fused",
): Learner {
  assertName(name);
  assertKernel(kernel);
  validateTask(model.task);
  const { m, p } = taskDims(model.task);
  const b = model.blocks;
  if (b.m !== m || b.p !== p) {
    throw new RangeError(
      `model "${name}": blocks are m=${b.m}, p=${b.p} but its task (${model.task.kind}, ` +
        `d=${model.task.d}, dPsi=${model.task.dPsi}) needs m=${m}, p=${p}`,
    );
  }
  if (model.full) {
    const params: LsaParams = model.full;
    if (params.D !== m + p) {
      throw new RangeError(`model "${name}": full params have D=${params.D}, task needs ${m + p}`);
    }
    assertFiniteArray(`model "${name}".full.P`, params.P, params.D * params.D);
    assertFiniteArray(`model "${name}".full.V`, params.V, params.D * params.D);
    const full = modelParams(model);
    return {
      name,
      task: model.task,
      update(X, env, _target, out) {
        out.set(lsaReadout(full, buildPrompt(X, env.traj.n, m, env.theta)));
      },
    };
  }
  assertFiniteArray(`model "${name}".blocks.P12`, b.P12, m * p);
  assertFiniteArray(`model "${name}".blocks.V21bar`, b.V21bar, (p - 1) * m);
  if (kernel === "fused") {
    let rd: WasmReadout | null = null;
    return {
      name,
      task: model.task,
      update(X, env, _target, out) {
        const n = env.traj.n;
        if (rd === null || rd.n !== n) rd = new WasmReadout(b, n);
        rd.readout(X, env.theta, out);
      },
    };
  }
  let sc: RestrictedScratch | null = null;
  return {
    name,
    task: model.task,
    update(X, env, _target, out) {
      const n = env.traj.n;
      if (sc === null || sc.s.length !== n) sc = restrictedScratch(m, p, n);
      out.set(restrictedReadout(b, X, n, env.theta, sc));
    },
  };
}

/**
 * The construction θ⋆ of MATH §5 (scale `c`) as a frozen block: on every prompt it reproduces the
 * teacher exactly, so its trajectory equals the teacher's under shared rollout streams.
 *
 * @example
 * ```ts
 * import { constructedLearner, teacherLearner } from "./learners.ts";
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * const learners = [teacherLearner(), constructedLearner(DEFAULT_TASK)];
 * ```
 */
export function constructedLearner(task: TaskSpec, name = "constructed", c = 1): Learner {
  validateTask(task);
  return blockLearner(name, { task, param: "restricted", blocks: taskConstruction(task, c) });
}

/**
 * Require a readout / prompt kernel name: `"fused"` or `"reference"`.
 *
 * @example
 * ```ts
 * import { assertKernel } from "./learners.ts";
 * assertKernel("fused");
 * ```
 */
export function assertKernel(kernel: string): void {
  if (kernel !== "fused" && kernel !== "reference") {
    throw new RangeError(`kernel must be "fused" or "reference", got ${JSON.stringify(kernel)}`);
  }
}

const RESERVED_NAMES = new Set(["oracle", "random"]);

function assertName(name: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new RangeError(`learner name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (RESERVED_NAMES.has(name)) {
    throw new RangeError(
      `learner name ${JSON.stringify(name)} is reserved for the reference lines`,
    );
  }
}

/**
 * Check a learner list for a test task: non-empty, unique non-reserved names, an `update` (or
 * `updateBatch`) function each, and (for learners that name their task) the same kind and dims as `task`.
 * Throws naming the learner.
 *
 * @example
 * ```ts
 * import { teacherLearner, validateLearners } from "./learners.ts";
 * import { DEFAULT_TASK } from "../icrl/tasks.ts";
 * validateLearners(DEFAULT_TASK, [teacherLearner()]);
 * ```
 */
export function validateLearners(
  task: TaskSpec,
  learners: readonly (Learner | BatchLearner)[],
): void {
  if (!Array.isArray(learners) || learners.length === 0) {
    throw new RangeError("learners must be a non-empty array");
  }
  const seen = new Set<string>();
  for (const l of learners) {
    assertName(l?.name);
    if (typeof (l as Learner).update !== "function" && !isBatchLearner(l)) {
      throw new TypeError(`learner "${l.name}" has no update (or updateBatch) function`);
    }
    if (seen.has(l.name)) throw new RangeError(`duplicate learner name "${l.name}"`);
    seen.add(l.name);
    if (!l.task) continue;
    const a = l.task;
    if (a.kind !== task.kind) {
      throw new RangeError(
        `learner "${l.name}" is for task kind "${a.kind}", test task is "${task.kind}"`,
      );
    }
    const da = taskDims(a), dt = taskDims(task);
    const bad = a.d !== task.d
      ? `d=${a.d} vs ${task.d}`
      : task.kind === "ac" && a.dPsi !== task.dPsi
      ? `dPsi=${a.dPsi} vs ${task.dPsi}`
      : da.m !== dt.m || da.p !== dt.p
      ? `(m, p)=(${da.m}, ${da.p}) vs (${dt.m}, ${dt.p})`
      : "";
    if (bad) {
      throw new RangeError(
        `learner "${l.name}" was built for other dims than the test task: ${bad}`,
      );
    }
  }
}
