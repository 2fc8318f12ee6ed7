/**
 * The teacher-mimicking task's settings (MATH §1, §3, §6): which teacher, the MDP, feature and
 * step-size settings, their defaults, validation and prompt dimensions. Plain data with no
 * dependency on the block, so the block's types (`lsa.ts`) can name it.
 *
 * @module
 */

import { DEFAULT_STEP_SIZES, type StepSizes, validateStepSizes } from "./teachers.ts";
import {
  assertInt,
  assertKnownKeys,
  assertNumber,
  assertObject,
  assertOneOf,
} from "../core/validate.ts";

/**
 * Which teacher, and the MDP/feature/step-size settings (MATH §1, §3, §6 defaults). The step sizes
 * `alpha` (critic / SARSA step α, 0.2) and `beta` (actor step β, 0.2) are the teachers'
 * {@linkcode StepSizes}.
 */
export interface TaskSpec extends StepSizes {
  /** "sarsa" (batch semi-gradient SARSA, ε-greedy behaviour) or "ac" (TD actor–critic, softmax behaviour). */
  kind: "sarsa" | "ac";
  /** |S| (9). */
  nS: number;
  /** |A| (4). */
  nA: number;
  /** State–action feature dimension d (|S|·|A| = 36). */
  d: number;
  /** State feature dimension d_ψ for the AC critic (|S| = 9). */
  dPsi: number;
  /** Discount γ (0.5). */
  gamma: number;
  /** ε of the ε-greedy behaviour policy (0.1). */
  eps: number;
  /** Transitions per prompt n (20). */
  n: number;
}

/** MATH §1–§3 defaults for the SARSA task. */
export const DEFAULT_TASK: Readonly<TaskSpec> = Object.freeze({
  kind: "sarsa",
  nS: 9,
  nA: 4,
  d: 36,
  dPsi: 9,
  gamma: 0.5,
  alpha: DEFAULT_STEP_SIZES.alpha,
  beta: DEFAULT_STEP_SIZES.beta,
  eps: 0.1,
  n: 20,
});

/**
 * Validate a task spec; throws naming the bad field (unknown keys with the closest valid one).
 *
 * @example
 * ```ts
 * validateTask({ ...DEFAULT_TASK, n: 20 });
 * ```
 */
export function validateTask(t: TaskSpec): TaskSpec {
  assertObject("task", t);
  assertKnownKeys("task", t, Object.keys(DEFAULT_TASK));
  assertOneOf("task.kind", t.kind, ["sarsa", "ac"]);
  assertInt("task.nS", t.nS, 1);
  assertInt("task.nA", t.nA, 1);
  assertInt("task.d", t.d, 1);
  assertInt("task.dPsi", t.dPsi, 1);
  assertNumber("task.gamma", t.gamma, 0, 0.999999);
  validateStepSizes(t, "task");
  assertNumber("task.eps", t.eps, 0, 1);
  assertInt("task.n", t.n, 1);
  return t;
}

/**
 * Token and parameter-column dimensions `(m, p)` of a task's prompt (MATH §4).
 *
 * @example
 * ```ts
 * taskDims(DEFAULT_TASK); // { m: 73, p: 37 }
 * ```
 */
export function taskDims(t: TaskSpec): { m: number; p: number } {
  validateTask(t);
  return t.kind === "sarsa"
    ? { m: 2 * t.d + 1, p: t.d + 1 }
    : { m: 2 * t.dPsi + 1 + t.d, p: 1 + t.dPsi + t.d };
}
