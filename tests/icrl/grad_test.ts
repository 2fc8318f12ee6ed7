import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { fullLossGrad, restrictedLossGrad } from "../../lib/icrl/grad.ts";
import {
  blocksToParams,
  type LsaParams,
  lsaReadout,
  type RestrictedBlocks,
} from "../../lib/icrl/lsa.ts";
import { buildPrompt } from "../../lib/icrl/prompt.ts";
import { initTf, lsaReadoutTf, tf } from "../../lib/icrl/tf.ts";
import { relErr } from "../helpers.ts";
import { restrictedReadout, restrictedScratch } from "../../lib/icrl/restricted.ts";

const n = 6, m = 7, p = 4, D = m + p;

function setup(seed: number) {
  const rng = new Rng(seed);
  const b: RestrictedBlocks = {
    m,
    p,
    P12: rng.fillUniform(new Float64Array(m * p), -1, 1),
    V21bar: rng.fillUniform(new Float64Array((p - 1) * m), -1, 1),
  };
  const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
  const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
  const target = rng.fillUniform(new Float64Array(p - 1), -1, 1);
  const full: LsaParams = {
    D,
    P: rng.fillUniform(new Float64Array(D * D), -0.5, 0.5),
    V: rng.fillUniform(new Float64Array(D * D), -0.5, 0.5),
  };
  return { b, X, theta, target, full };
}

function loss(out: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < out.length; k++) s += (out[k] - target[k]) ** 2;
  return 0.5 * s;
}

Deno.test("restricted readout equals the general fast readout of the embedded blocks", () => {
  const { b, X, theta } = setup(1);
  const got = restrictedReadout(b, X, n, theta, restrictedScratch(m, p, n));
  const ref = lsaReadout(blocksToParams(b), buildPrompt(X, n, m, theta));
  assert.ok(relErr(got, ref) < 1e-13);
});

Deno.test("restricted gradient equals central finite differences", () => {
  const { b, X, theta, target } = setup(2);
  const gP = new Float64Array(m * p), gV = new Float64Array((p - 1) * m);
  const sc = restrictedScratch(m, p, n);
  const L = restrictedLossGrad(b, X, n, theta, target, gP, gV, 1, sc);
  assert.ok(Math.abs(L - loss(restrictedReadout(b, X, n, theta, sc), target)) < 1e-14);
  const h = 1e-6;
  for (const [arr, g] of [[b.P12, gP], [b.V21bar, gV]] as const) {
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i];
      arr[i] = x + h;
      const lp = loss(restrictedReadout(b, X, n, theta, sc), target);
      arr[i] = x - h;
      const lm = loss(restrictedReadout(b, X, n, theta, sc), target);
      arr[i] = x;
      assert.ok(Math.abs((lp - lm) / (2 * h) - g[i]) < 1e-7, `index ${i}`);
    }
  }
});

Deno.test("full dense gradient equals central finite differences of the literal readout", () => {
  const { X, theta, target, full } = setup(3);
  const H = buildPrompt(X, n, m, theta).H;
  const gP = new Float64Array(D * D), gV = new Float64Array(D * D);
  fullLossGrad(full, H, n, m, target, gP, gV, 1);
  const prompt = buildPrompt(X, n, m, theta);
  const h = 1e-6;
  const rng = new Rng(4);
  for (let trial = 0; trial < 60; trial++) {
    const which = trial % 2 === 0 ? full.P : full.V;
    const g = trial % 2 === 0 ? gP : gV;
    const i = rng.int(D * D);
    const x = which[i];
    which[i] = x + h;
    const lp = loss(lsaReadout(full, prompt), target);
    which[i] = x - h;
    const lm = loss(lsaReadout(full, prompt), target);
    which[i] = x;
    assert.ok(Math.abs((lp - lm) / (2 * h) - g[i]) < 1e-7, `trial ${trial} index ${i}`);
  }
});

Deno.test("hand gradients match tfjs autodiff (float32 tolerance)", async () => {
  await initTf();
  const { X, theta, target, full } = setup(5);
  const H = buildPrompt(X, n, m, theta).H;
  const gP = new Float64Array(D * D), gV = new Float64Array(D * D);
  fullLossGrad(full, H, n, m, target, gP, gV, 1);
  const Ht = tf.tensor3d(Float32Array.from(H), [1, D, n + 1]);
  const tgt = tf.tensor2d(Float32Array.from(target), [1, p - 1]);
  const f = (P: tf.Tensor, V: tf.Tensor) =>
    tf.mul(
      0.5,
      tf.sum(tf.square(tf.sub(lsaReadoutTf(P as tf.Tensor2D, V as tf.Tensor2D, Ht, n, m), tgt))),
    ) as tf.Scalar;
  const { grads } = tf.valueAndGrads(f)([
    tf.tensor2d(Float32Array.from(full.P), [D, D]),
    tf.tensor2d(Float32Array.from(full.V), [D, D]),
  ]);
  const tP = grads[0].dataSync(), tV = grads[1].dataSync();
  assert.ok(relErr(tP, gP) < 1e-5, `P: ${relErr(tP, gP)}`);
  assert.ok(relErr(tV, gV) < 1e-5, `V: ${relErr(tV, gV)}`);
  tf.dispose([Ht, tgt, ...grads]);
});
