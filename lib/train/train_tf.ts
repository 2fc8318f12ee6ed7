/**
 * tfjs-autodiff gradient of the teacher-mimicking loss for a batch of prompts (the reference
 * engine of `train.ts`; float32). Loaded on demand so that the fast path does not need tfjs.
 *
 * @module
 */

import { initTf, lsaReadoutTf, tf } from "../icrl/tf.ts";
import type { TrainConfig } from "./config.ts";
import type { TaskEnv } from "../icrl/tasks.ts";
import { taskDims } from "../icrl/tasks.ts";
import { buildPrompt } from "../icrl/prompt.ts";
import { fullView, restrictedView } from "../icrl/lsa.ts";

await initTf();

/**
 * Mean loss of the batch and its gradient by tfjs autodiff, written into `grad` (same flat layout
 * as the trainer's parameter vector: restricted `[P12 ; V̄21]`, full `[P ; V]` — `lsa.ts`'s
 * `restrictedView` and `fullView`). Returns the loss.
 *
 * @example
 * ```ts
 * import { batchLossGrad } from "./train_tf.ts";
 * import { trainConfig } from "./train.ts";
 * import { DEFAULT_TASK, newTaskEnv, sarsaBlocks, taskDims, taskStep } from "../icrl/mod.ts";
 * import { Rng } from "../core/mod.ts";
 * const task = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };
 * const cfg = trainConfig({ task, batch: 2, engine: "tfjs" });
 * const { m, p } = taskDims(task); // m = 5, p = 3
 * const envs = [0, 1].map((i) => newTaskEnv(task, new Rng(i)));
 * const Xs = envs.map(() => new Float64Array(task.n * m));
 * const targets = envs.map(() => new Float64Array(p - 1));
 * envs.forEach((env, b) => taskStep(task, env, Xs[b], targets[b])); // two SARSA prompts
 * const star = sarsaBlocks(task.d, task.alpha);
 * const flat = Float64Array.from([...star.P12, ...star.V21bar]), grad = new Float64Array(flat.length);
 * const loss = batchLossGrad(cfg, flat, grad, envs, Xs, targets);
 * console.log(loss < 1e-8); // true: exact up to float32 rounding at the construction
 * ```
 */
export function batchLossGrad(
  cfg: TrainConfig,
  flat: Float64Array,
  grad: Float64Array,
  envs: TaskEnv[],
  Xs: Float64Array[],
  targets: Float64Array[],
): number {
  const { m, p } = taskDims(cfg.task);
  const n = cfg.task.n, B = envs.length, D = m + p;
  const tgt = new Float32Array(B * (p - 1));
  targets.slice(0, B).forEach((t, b) => tgt.set(t, b * (p - 1)));
  return tf.tidy(() => {
    const target = tf.tensor2d(tgt, [B, p - 1]);
    if (cfg.param === "restricted") {
      const X = new Float32Array(B * n * m), thT = new Float32Array(B * p);
      for (let b = 0; b < B; b++) {
        X.set(Xs[b], b * n * m);
        thT[b * p] = 1;
        thT.set(envs[b].theta, b * p + 1);
      }
      const Xt = tf.tensor3d(X, [B, n, m]);
      const th = tf.tensor2d(thT, [B, p]);
      const theta = tf.slice(th, [0, 1], [B, p - 1]);
      const blocks = restrictedView(flat, m, p), gBlocks = restrictedView(grad, m, p);
      const P12 = tf.tensor2d(Float32Array.from(blocks.P12), [m, p]);
      const V21 = tf.tensor2d(Float32Array.from(blocks.V21bar), [p - 1, m]);
      const f = (P: tf.Tensor, V: tf.Tensor) => {
        const u = tf.matMul(th, P as tf.Tensor2D, false, true); // [B, m]
        const s = tf.matMul(Xt, tf.expandDims(u, 2)); // [B, n, 1]
        const z = tf.div(tf.matMul(Xt, s, true, false), n); // [B, m, 1]
        const out = tf.add(theta, tf.matMul(tf.reshape(z, [B, m]), V as tf.Tensor2D, false, true));
        return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(out, target)))), B) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(f)([P12, V21]);
      gBlocks.P12.set(grads[0].dataSync());
      gBlocks.V21bar.set(grads[1].dataSync());
      return value.dataSync()[0];
    }
    const Hbuf = new Float32Array(B * D * (n + 1));
    for (let b = 0; b < B; b++) {
      Hbuf.set(buildPrompt(Xs[b], n, m, envs[b].theta).H, b * D * (n + 1));
    }
    const H = tf.tensor3d(Hbuf, [B, D, n + 1]);
    const full = fullView(flat, D), gFull = fullView(grad, D);
    const P = tf.tensor2d(Float32Array.from(full.P), [D, D]);
    const V = tf.tensor2d(Float32Array.from(full.V), [D, D]);
    const f = (Pv: tf.Tensor, Vv: tf.Tensor) => {
      const out = lsaReadoutTf(Pv as tf.Tensor2D, Vv as tf.Tensor2D, H, n, m);
      return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(out, target)))), B) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([P, V]);
    gFull.P.set(grads[0].dataSync());
    gFull.V.set(grads[1].dataSync());
    return value.dataSync()[0];
  });
}
