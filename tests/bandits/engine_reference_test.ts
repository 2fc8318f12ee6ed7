import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  initWeights,
  type TransformerConfig,
  weightShapes,
} from "../../lib/bandits/transformer.ts";
import { forwardFlops, referenceLossGrad } from "../../lib/bandits/engine/reference.ts";

const tiny: TransformerConfig = {
  tokenDim: 5,
  numActions: 3,
  maxLen: 6,
  D: 8,
  layers: 2,
  mlpHidden: 8,
  heads: 2,
};

function batch(cfg: TransformerConfig, B: number, T: number, seed: number) {
  const rng = new Rng(seed);
  const tokens = new Float64Array(B * T * cfg.tokenDim);
  for (let i = 0; i < tokens.length; i++) tokens[i] = rng.normal();
  const targets = new Int32Array(B * T);
  for (let i = 0; i < targets.length; i++) targets[i] = rng.int(cfg.numActions);
  return { tokens, targets };
}

Deno.test("reference gradients equal central finite differences in float64 (L = 2, D = 8, T = 6, M = 2)", () => {
  const rng = new Rng(3);
  const w32 = initWeights(tiny, rng);
  const w: Record<string, Float64Array> = {};
  // float64 weights, with biases and gains moved off their initial values
  for (const [n] of weightShapes(tiny)) {
    w[n] = Float64Array.from(w32[n], (v) => v + 0.1 * rng.normal());
  }
  const { tokens, targets } = batch(tiny, 2, 6, 4);
  const { grads } = referenceLossGrad(tiny, w, tokens, targets, 2, 6);
  const h = 1e-6;
  let worst = 0, compared = 0;
  for (const [n] of weightShapes(tiny)) {
    const p = w[n];
    compared += p.length;
    let scale = 0;
    for (const g of grads[n]) scale = Math.max(scale, Math.abs(g));
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      p[i] = v + h;
      const lp = referenceLossGrad(tiny, w, tokens, targets, 2, 6).loss;
      p[i] = v - h;
      const lm = referenceLossGrad(tiny, w, tokens, targets, 2, 6).loss;
      p[i] = v;
      const fd = (lp - lm) / (2 * h);
      const err = Math.abs(fd - grads[n][i]) / Math.max(scale, 1e-3);
      worst = Math.max(worst, err);
      assert.ok(err < 1e-6, `${n}[${i}]: analytic ${grads[n][i]}, finite difference ${fd}`);
    }
  }
  assert.ok(worst > 0); // the comparison ran
  // over every weight: embedding F·D + D, positions T·D; per layer qkv 3D², MLP 2DH + H and 5D
  // (its bias and two layer norms); output D·A + A — F = 5, A = 3, T = 6, D = H = 8, two layers
  assert.equal(compared, 5 * 8 + 8 + 6 * 8 + 2 * (3 * 64 + 2 * 64 + 8 + 5 * 8) + 8 * 3 + 3);
});

Deno.test("reference loss at zero logits is ln A, and a wrong target is refused", () => {
  const cfg = { ...tiny, layers: 1 };
  const w = initWeights(cfg, new Rng(0));
  w.out.fill(0);
  const { tokens, targets } = batch(cfg, 1, 4, 1);
  const { loss } = referenceLossGrad(cfg, w, tokens, targets, 1, 4);
  assert.ok(Math.abs(loss - Math.log(3)) < 1e-12);
  targets[2] = 3;
  assert.throws(() => referenceLossGrad(cfg, w, tokens, targets, 1, 4), /targets\[2\] = 3/);
  tokens[5] = NaN;
  targets[2] = 0;
  assert.throws(() => referenceLossGrad(cfg, w, tokens, targets, 1, 4), /tokens\[5\] = NaN/);
});

Deno.test("forwardFlops counts dense products and causal attention literally", () => {
  const cfg = { tokenDim: 2, numActions: 2, maxLen: 3, D: 4, layers: 1, mlpHidden: 4 };
  // per token: embed 2·4, qkv 4·12, mlp 4·4 + 4·4, out 4·2 → 96 multiply–adds; 3 tokens
  // attention: scores and values over 1 + 2 + 3 = 6 pairs of 4-vectors each → 2·6·4
  assert.equal(forwardFlops(cfg, 3), 2 * (3 * 96 + 2 * 6 * 4));
});

Deno.test("the tfjs multi-head model's logits equal the float64 reference (M = 1, 2, 4)", async () => {
  const { initTf, tf } = await import("../../lib/icrl/tf.ts");
  const { TransformerModel } = await import("../../lib/bandits/transformer.ts");
  await initTf();
  for (const heads of [1, 2, 4]) {
    const cfg = { ...tiny, heads };
    const w = initWeights(cfg, new Rng(heads));
    const { tokens, targets } = batch(cfg, 2, 6, 9);
    const ref = referenceLossGrad(cfg, w, tokens, targets, 2, 6).logits;
    const model = new TransformerModel(cfg, w);
    const got = tf.tidy(() =>
      model.logits(tf.tensor3d(Float32Array.from(tokens), [2, 6, cfg.tokenDim])).dataSync()
    );
    model.dispose();
    for (let i = 0; i < ref.length; i++) {
      assert.ok(
        Math.abs(got[i] - ref[i]) < 1e-4 * (1 + Math.abs(ref[i])),
        `M = ${heads}, logit ${i}`,
      );
    }
  }
});
