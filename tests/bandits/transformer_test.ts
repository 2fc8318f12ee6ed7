import assert from "node:assert/strict";
import { initTf, tf } from "../../lib/icrl/tf.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  crossEntropy,
  dense2d,
  forwardLogits,
  initWeights,
  paramCount,
  type TransformerConfig,
  TransformerModel,
  type TransformerWeights,
  validateTransformerConfig,
  validateWeights,
  weightShapes,
} from "../../lib/bandits/transformer.ts";
import { validateAdamW, validateArchitecture } from "../../lib/bandits/model_config.ts";

await initTf();

const tiny: TransformerConfig = {
  tokenDim: 4,
  numActions: 3,
  maxLen: 6,
  D: 5,
  layers: 2,
  mlpHidden: 7,
};

function randomTokens(rng: Rng, B: number, t: number, F: number): Float32Array {
  const a = new Float32Array(B * t * F);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

/** Literal float64 loops of MATH §9's block (independent of the tfjs code). */
function referenceForward(
  cfg: TransformerConfig,
  w: Record<string, ArrayLike<number>>,
  tokens: Float32Array,
  t: number,
): number[][] {
  const { tokenDim: F, D, mlpHidden: H, numActions: A } = cfg;
  const mat = (name: string, _r: number, c: number, i: number, j: number) => w[name][i * c + j];
  let h: number[][] = [];
  for (let i = 0; i < t; i++) {
    const row = [];
    for (let c = 0; c < D; c++) {
      let s = w.embedBias[c] + w.pos[i * D + c];
      for (let f = 0; f < F; f++) s += tokens[i * F + f] * mat("embed", F, D, f, c);
      row.push(s);
    }
    h.push(row);
  }
  const ln = (x: number[], g: ArrayLike<number>, b: ArrayLike<number>) => {
    const mu = x.reduce((a, v) => a + v, 0) / x.length;
    const va = x.reduce((a, v) => a + (v - mu) ** 2, 0) / x.length;
    return x.map((v, c) => ((v - mu) / Math.sqrt(va + 1e-5)) * g[c] + b[c]);
  };
  for (let l = 0; l < cfg.layers; l++) {
    const proj = (x: number[], off: number) =>
      Array.from({ length: D }, (_, c) => {
        let s = 0;
        for (let r = 0; r < D; r++) s += x[r] * mat(`l${l}.qkv`, D, 3 * D, r, off + c);
        return s;
      });
    const q = h.map((x) => proj(x, 0)),
      k = h.map((x) => proj(x, D)),
      v = h.map((x) => proj(x, 2 * D));
    const next: number[][] = [];
    for (let i = 0; i < t; i++) {
      const bar = [...h[i]];
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let c = 0; c < D; c++) s += q[i][c] * k[j][c];
        const a = Math.max(0, s) / (i + 1);
        for (let c = 0; c < D; c++) bar[c] += a * v[j][c];
      }
      const h1 = ln(bar, w[`l${l}.ln1g`], w[`l${l}.ln1b`]);
      const hid = Array.from({ length: H }, (_, u) => {
        let s = w[`l${l}.b1`][u];
        for (let c = 0; c < D; c++) s += h1[c] * mat(`l${l}.w1`, D, H, c, u);
        return Math.max(0, s);
      });
      const mo = Array.from({ length: D }, (_, c) => {
        let s = w[`l${l}.b2`][c];
        for (let u = 0; u < H; u++) s += hid[u] * mat(`l${l}.w2`, H, D, u, c);
        return s;
      });
      next.push(ln(h1.map((x, c) => x + mo[c]), w[`l${l}.ln2g`], w[`l${l}.ln2b`]));
    }
    h = next;
  }
  return h.map((x) =>
    Array.from({ length: A }, (_, a) => {
      let s = w.outBias[a];
      for (let c = 0; c < D; c++) s += x[c] * mat("out", D, A, c, a);
      return s;
    })
  );
}

function perturbed(w: TransformerWeights, rng: Rng): TransformerWeights {
  // non-trivial LayerNorm gains/biases and biases so that every weight matters
  const out: TransformerWeights = {};
  for (const [k, v] of Object.entries(w)) {
    out[k] = Float32Array.from(v, (x) => x + 0.3 * rng.normal());
  }
  return out;
}

Deno.test("transformer: logits have shape [B, t, A] for every t ≤ maxLen", () => {
  const rng = new Rng(1);
  const model = new TransformerModel(tiny, initWeights(tiny, rng));
  for (const t of [1, 3, 6]) {
    const y = tf.tidy(() => model.logits(tf.tensor3d(randomTokens(rng, 2, t, 4), [2, t, 4])));
    assert.deepEqual(y.shape, [2, t, 3]);
    y.dispose();
  }
  assert.throws(
    () => tf.tidy(() => model.logits(tf.zeros([1, 7, 4]) as tf.Tensor3D)),
    /sequence length 7/,
  );
  assert.throws(
    () => tf.tidy(() => model.logits(tf.zeros([1, 2, 5]) as tf.Tensor3D)),
    /5 features/,
  );
  model.dispose();
});

Deno.test("transformer: forward equals a literal float64 implementation of MATH §9", () => {
  const rng = new Rng(2);
  const w = perturbed(initWeights(tiny, rng), rng);
  const model = new TransformerModel(tiny, w);
  const t = 6, B = 2;
  const toks = randomTokens(rng, B, t, 4);
  const got = tf.tidy(() => model.logits(tf.tensor3d(toks, [B, t, 4])).arraySync());
  for (let b = 0; b < B; b++) {
    const ref = referenceForward(tiny, w, toks.subarray(b * t * 4, (b + 1) * t * 4), t);
    for (let i = 0; i < t; i++) {
      for (let a = 0; a < 3; a++) {
        assert.ok(
          Math.abs(got[b][i][a] - ref[i][a]) < 1e-4 * (1 + Math.abs(ref[i][a])),
          `b=${b} i=${i} a=${a}: ${got[b][i][a]} vs ${ref[i][a]}`,
        );
      }
    }
  }
  model.dispose();
});

Deno.test("transformer: causal — changing step t+1 never changes outputs at positions ≤ t", () => {
  const rng = new Rng(3);
  const model = new TransformerModel(tiny, perturbed(initWeights(tiny, rng), rng));
  const T = 6, F = 4;
  const base = randomTokens(rng, 1, T, F);
  const y0 = tf.tidy(() => model.logits(tf.tensor3d(base, [1, T, F])).dataSync());
  for (let t = 0; t < T; t++) {
    const changed = Float32Array.from(base);
    for (let s = t; s < T; s++) for (let f = 0; f < F; f++) changed[s * F + f] += 5 * rng.normal();
    const y1 = tf.tidy(() => model.logits(tf.tensor3d(changed, [1, T, F])).dataSync());
    for (let i = 0; i < T * 3; i++) {
      const pos = Math.floor(i / 3);
      if (pos < t) assert.equal(y1[i], y0[i], `position ${pos} changed when step ${t} changed`);
    }
    // and the changed position itself does change
    let diff = 0;
    for (let a = 0; a < 3; a++) diff += Math.abs(y1[t * 3 + a] - y0[t * 3 + a]);
    assert.ok(diff > 1e-3, `position ${t} did not react to its own token`);
  }
  model.dispose();
});

Deno.test("transformer: loss gradient matches float64 central finite differences (tiny instance)", () => {
  const rng = new Rng(4);
  const w = perturbed(initWeights(tiny, rng), rng);
  const B = 2, t = 5, F = 4;
  const raw = randomTokens(rng, B, t, F);
  const toks = tf.tensor3d(raw, [B, t, F]);
  const targets = Int32Array.from({ length: B * t }, () => rng.int(3));
  const shapes = weightShapes(tiny);
  const names = shapes.map(([n]) => n);
  // float64 loss of the literal implementation
  const refLoss = (p: Record<string, Float64Array>) => {
    let s = 0;
    for (let b = 0; b < B; b++) {
      const lg = referenceForward(tiny, p, raw.subarray(b * t * F, (b + 1) * t * F), t);
      lg.forEach((row, i) => {
        const mx = Math.max(...row);
        const lse = mx + Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
        s += lse - row[targets[b * t + i]];
      });
    }
    return s / (B * t);
  };
  const w64 = Object.fromEntries(names.map((n) => [n, Float64Array.from(w[n])]));
  for (const mode of ["plain", "autodiff"] as const) {
    const tensors = Object.fromEntries(shapes.map(([n, s]) => [n, tf.tensor(w[n], s)]));
    const grads = tf.tidy(() => {
      const g = tf.grads((...xs: tf.Tensor[]) =>
        crossEntropy(
          forwardLogits(tiny, Object.fromEntries(names.map((n, i) => [n, xs[i]])), toks, mode),
          targets,
        )
      )(names.map((n) => tensors[n]));
      return g.map((x) => x.dataSync().slice());
    });
    const eps = 1e-5;
    let num = 0, den = 0;
    names.forEach((name, k) => {
      for (let r = 0; r < 3; r++) {
        const idx = rng.int(w[name].length);
        const at = (delta: number) => {
          const p = { ...w64, [name]: Float64Array.from(w64[name]) };
          p[name][idx] += delta;
          return refLoss(p);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        num += (fd - grads[k][idx]) ** 2;
        den += fd ** 2;
        assert.ok(
          Math.abs(fd - grads[k][idx]) < 1e-4 + 1e-3 * Math.abs(fd),
          `${mode} ${name}[${idx}]: autodiff ${grads[k][idx]} vs finite difference ${fd}`,
        );
      }
    });
    assert.ok(den > 1e-4, "gradient is not trivially zero");
    assert.ok(
      Math.sqrt(num / den) < 1e-3,
      `${mode}: relative gradient error ${Math.sqrt(num / den)}`,
    );
    Object.values(tensors).forEach((x) => x.dispose());
  }
  toks.dispose();
});

Deno.test("dense2d: plain-path gradient equals tfjs's own gradient", () => {
  const rng = new Rng(5);
  const x = tf.tensor2d(randomTokens(rng, 1, 7, 3), [7, 3]);
  const W = tf.tensor2d(randomTokens(rng, 1, 3, 4), [3, 4]);
  const dy = tf.tensor2d(randomTokens(rng, 1, 7, 4), [7, 4]);
  const g = (mode: "plain" | "autodiff") =>
    tf.tidy(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(dense2d(a as tf.Tensor2D, b as tf.Tensor2D, mode), dy))
      )([x, W]).map((t) => Array.from(t.dataSync()))
    );
  const [p, a] = [g("plain"), g("autodiff")];
  for (let k = 0; k < 2; k++) {
    p[k].forEach((v, i) => assert.ok(Math.abs(v - a[k][i]) < 1e-5, `grad ${k}[${i}]`));
  }
  assert.throws(() => dense2d(x, x, "plain"), /dense2d: x is 7×3, W is 7×3/);
  tf.dispose([x, W, dy]);
});

Deno.test("transformer: config, weights and loss inputs are validated", () => {
  assert.throws(() => validateTransformerConfig({ ...tiny, D: 0 }), /D/);
  assert.throws(
    () => validateTransformerConfig({ ...tiny, depth: 2 } as unknown as TransformerConfig),
    /unknown transformer config key "depth"/,
  );
  assert.throws(
    () => validateTransformerConfig({ ...tiny, D: 5, heads: 2 }),
    /D = 5 is not divisible by heads = 2/,
  );
  assert.throws(() => validateTransformerConfig({ ...tiny, heads: 0 }), /heads must be an integer/);
  const w = initWeights(tiny, new Rng(6));
  assert.deepEqual(validateWeights(tiny, w), weightShapes(tiny)); // the shapes it checked
  assert.throws(() => validateWeights(tiny, { ...w, extra: new Float32Array(1) }), /"extra"/);
  const bad = { ...w, pos: Float32Array.from(w.pos) };
  bad.pos[3] = NaN;
  assert.throws(() => validateWeights(tiny, bad), /"pos"\[3\] = NaN/);
  assert.throws(() => validateWeights(tiny, { ...w, out: new Float32Array(2) }), /"out" has 2/);
  assert.throws(
    () => tf.tidy(() => crossEntropy(tf.zeros([1, 2, 3]) as tf.Tensor3D, new Int32Array([0, 3]))),
    /targets\[1\] = 3/,
  );
  // parameter count from the shapes, by hand: embed 4·5+5, pos 6·5, per layer 5·15 + 4·5 + 5·7+7
  // + 7·5+5, read-out 5·3+3
  assert.equal(paramCount(tiny), 25 + 30 + 2 * (75 + 20 + 42 + 40) + 18);
});

Deno.test("transformer: weights round-trip through the model", () => {
  const w = initWeights(tiny, new Rng(7));
  const m = new TransformerModel(tiny, w);
  const back = m.weights();
  for (const k of Object.keys(w)) assert.deepEqual(back[k], w[k]);
  m.dispose();
});

Deno.test("validateArchitecture / validateAdamW: the ranges at their edges, the prefix in every message", () => {
  const ok = { D: 4096, layers: 64, mlpHidden: 65_536, heads: 4096 };
  validateArchitecture(ok); // every upper edge accepted
  validateArchitecture({ D: 1, layers: 1, mlpHidden: 1 }); // lower edges, heads optional
  const bad: [Record<string, number>, RegExp][] = [
    [{ D: 4097 }, /model\.D/],
    [{ D: 0 }, /model\.D/],
    [{ layers: 65 }, /model\.layers/],
    [{ mlpHidden: 65_537 }, /model\.mlpHidden/],
    [{ heads: 0 }, /model\.heads/],
    [{ D: 12, heads: 5 }, /Error: model\.D = 12 is not divisible by heads = 5$/],
    [{ D: 2.5 }, /model\.D/],
  ];
  for (const [over, re] of bad) {
    assert.throws(() => validateArchitecture({ ...ok, D: 32, heads: 4, ...over }, "model."), re);
  }
  validateAdamW({ lr: 1, weightDecay: 1, clipNorm: 1e9 });
  validateAdamW({ lr: Number.MIN_VALUE, weightDecay: 0, clipNorm: 0 });
  for (
    const [over, re] of [
      [{ lr: 0 }, /optim\.lr/],
      [{ lr: NaN }, /optim\.lr.*NaN/],
      [{ lr: 1.5 }, /optim\.lr/],
      [{ weightDecay: -1e-9 }, /optim\.weightDecay/],
      [{ clipNorm: 2e9 }, /optim\.clipNorm/],
    ] as const
  ) {
    assert.throws(
      () => validateAdamW({ lr: 1e-3, weightDecay: 0, clipNorm: 0, ...over }, "optim."),
      re,
    );
  }
});

Deno.test("the model, pretraining and experiment configs refuse the same architecture the same way", async () => {
  const { validatePretrainConfig } = await import("../../lib/bandits/pretrain.ts");
  const { validatePretrainExpConfig, pretrainDefaults } = await import(
    "../../lib/experiments/pretrain_config.ts"
  );
  const model = {
    tokenDim: 6,
    numActions: 5,
    maxLen: 10,
    D: 12,
    layers: 1,
    mlpHidden: 8,
    heads: 5,
  };
  assert.throws(
    () => validateTransformerConfig(model),
    /Error: D = 12 is not divisible by heads = 5$/,
  );
  const pre = {
    D: 12,
    layers: 1,
    mlpHidden: 8,
    heads: 5,
    steps: 3,
    batch: 4,
    lr: 1e-3,
    weightDecay: 0,
    clipNorm: 1,
    evalEvery: 3,
    target: "optimal" as const,
    seed: 0,
    matmul: "plain" as const,
  };
  assert.throws(() => validatePretrainConfig(pre), /Error: D = 12 is not divisible by heads = 5$/);
  const q = pretrainDefaults.quick;
  assert.throws(
    () => validatePretrainExpConfig({ ...q, model: { ...q.model, D: 12, heads: 5 } }),
    /Error: model\.D = 12 is not divisible by heads = 5$/,
  );
  assert.throws(
    () => validatePretrainExpConfig({ ...q, optim: { ...q.optim, weightDecay: 2 } }),
    /optim\.weightDecay/,
  );
});
