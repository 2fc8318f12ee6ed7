/**
 * Optimisers on flat float64 parameter vectors: Adam (Kingma & Ba) and plain gradient descent.
 *
 * @module
 */

import { assertInt, assertNumber, assertPositive } from "./validate.ts";

/** O(1) checks of an optimiser step's arguments. */
function checkStep(params: Float64Array, grad: Float64Array, lr: number, size: number): void {
  if (params?.length !== size || grad?.length !== size) {
    throw new RangeError(
      `optimizer step: params and grad must have length ${size}, got ${params?.length} and ${grad?.length}`,
    );
  }
  assertNumber("lr", lr, 0);
}

/** An optimiser that updates `params` in place from `grad`. */
export interface Optimizer {
  /** Optimiser name. */
  readonly name: "adam" | "gd";
  /** Apply one step with learning rate `lr`. */
  step(params: Float64Array, grad: Float64Array, lr: number): void;
}

/**
 * Adam with bias correction: `m ← β1 m + (1−β1) g`, `v ← β2 v + (1−β2) g²`,
 * `θ ← θ − lr · m̂ / (√v̂ + ε)`. A zero gradient leaves a zero-initialised coordinate unmoved.
 *
 * @example
 * ```ts
 * import { adam } from "./optim.ts";
 * const theta = new Float64Array([1, -2, 0]);
 * const grad = new Float64Array([0.5, -0.5, 0]);
 * const opt = adam(3);
 * opt.step(theta, grad, 1e-3);
 * console.log(theta); // ≈ [0.999, -1.999, 0]: first step moves each coordinate by lr·sign(g)
 * ```
 */
export function adam(size: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): Optimizer {
  assertInt("size", size, 1);
  assertNumber("beta1", beta1, 0, 0.999999);
  assertPositive("epsilon", epsilon);
  assertNumber("beta2", beta2, 0, 0.999999999);
  const m = new Float64Array(size), v = new Float64Array(size);
  let t = 0;
  return {
    name: "adam",
    step(params, grad, lr) {
      checkStep(params, grad, lr, size);
      t++;
      const c1 = 1 / (1 - Math.pow(beta1, t)), c2 = 1 / (1 - Math.pow(beta2, t));
      for (let i = 0; i < size; i++) {
        const g = grad[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] -= (lr * mi * c1) / (Math.sqrt(vi * c2) + epsilon);
      }
    },
  };
}

/**
 * Plain gradient descent `θ ← θ − lr · g` (for comparing with gradient-flow theory, MATH §7).
 *
 * @example
 * ```ts
 * import { gradientDescent } from "./optim.ts";
 * const theta = new Float64Array([1, 2]);
 * gradientDescent().step(theta, new Float64Array([1, -1]), 0.1);
 * console.log(theta); // [0.9, 2.1]
 * ```
 */
export function gradientDescent(): Optimizer {
  return {
    name: "gd",
    step(params, grad, lr) {
      checkStep(params, grad, lr, params.length);
      for (let i = 0; i < params.length; i++) params[i] -= lr * grad[i];
    },
  };
}
