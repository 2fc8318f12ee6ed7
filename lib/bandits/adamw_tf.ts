/**
 * AdamW on tfjs variables (decoupled weight decay, bias-corrected moments): the optimiser of the
 * tfjs training paths (`pretrain.ts`, the engine's tfjs backends).
 *
 * @module
 */

import { tf } from "../icrl/tf.ts";
import { assertNumber } from "../core/validate.ts";

/**
 * AdamW state for a set of variables (decoupled weight decay, bias-corrected moments).
 *
 * @example
 * ```ts
 * import { initTf, tf } from "../icrl/tf.ts";
 * import { AdamW } from "./adamw_tf.ts";
 * await initTf();
 * const vars = { w: tf.variable(tf.ones([2])) };
 * const opt = new AdamW(1e-3, 1e-4);
 * tf.tidy(() => opt.step(vars, { w: tf.ones([2]) })); // w ← w − lr·(m̂/(√v̂+ε) + wd·w)
 * opt.dispose();
 * vars.w.dispose();
 * ```
 */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  /**
   * @example
   * ```ts
   * import { AdamW } from "./adamw_tf.ts";
   * const opt = new AdamW(1e-3, 1e-4); // lr, weight decay; β1 = 0.9, β2 = 0.999, ε = 1e-8
   * opt.dispose();
   * ```
   */
  constructor(
    readonly lr: number,
    readonly weightDecay: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    assertNumber("lr", lr, Number.MIN_VALUE, 1);
    assertNumber("weightDecay", weightDecay, 0, 1);
  }

  /**
   * One update: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
   * `θ ← θ − lr·(m̂/(√v̂ + ε) + λθ)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
   */
  step(vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>): void {
    this.t++;
    const c1 = 1 - Math.pow(this.beta1, this.t), c2 = 1 - Math.pow(this.beta2, this.t);
    for (const [name, g] of Object.entries(grads)) {
      const p = vars[name];
      if (!p) throw new RangeError(`gradient for unknown variable "${name}"`);
      if (!this.m.has(name)) {
        this.m.set(name, tf.variable(tf.zerosLike(p), false));
        this.v.set(name, tf.variable(tf.zerosLike(p), false));
      }
      const m = this.m.get(name)!, v = this.v.get(name)!;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        const upd = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), this.eps));
        p.assign(tf.sub(p, tf.mul(tf.add(upd, tf.mul(p, this.weightDecay)), this.lr)));
      });
    }
  }

  /** Free the moment buffers. */
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
