import assert from "node:assert/strict";
import {
  type Arch,
  forwardTf,
  initModel,
  lossAndGrads,
  mlpInputTokens,
  type ModelDims,
  type ModelParams,
  paramCount,
  paramShapes,
  predictBatch,
  validateArch,
} from "../../lib/baselines/models.ts";
import { baselineConfig, trainBaseline } from "../../lib/baselines/train.ts";
import { modelLearner, oneStepErrors } from "../../lib/baselines/eval.ts";
import { initTf, tf } from "../../lib/icrl/tf.ts";
import { Rng } from "../../lib/core/rng.ts";
import { DEFAULT_TASK } from "../../lib/icrl/mod.ts";
import { type Learner, teacherLearner } from "../../lib/transfer/mod.ts";

await initTf();

// ---------------------------------------------------------------------------------------------
// Literal float64 forward passes (independent of tfjs): loops over the formulas in models.ts.
// ---------------------------------------------------------------------------------------------

type Mat = { v: ArrayLike<number>; r: number; c: number };
const at = (M: Mat, i: number, j: number) => M.v[i * M.c + j];
const sig = (x: number) => 1 / (1 + Math.exp(-x));

function literalForward(
  params: ModelParams,
  vals: ArrayLike<number>[],
  X: number[][],
  w: number[],
): number[] {
  const { m, p, nTrain } = params.dims;
  const q = p - 1, n = X.length;
  const th = [1, ...w];
  const M = (i: number): Mat => ({ v: vals[i], r: params.shapes[i][0], c: params.shapes[i][1] });
  const b = (i: number) => vals[i];
  const arch = params.arch;
  if (arch.kind === "mlp") {
    const inp: number[] = [];
    for (let i = 0; i < nTrain; i++) {
      for (let k = 0; k < m; k++) inp.push(i < n ? X[i][k] : 0);
    }
    inp.push(...th);
    const H = arch.hidden;
    const h1 = Array.from({ length: H }, (_, j) => {
      let s = b(1)[j];
      for (let i = 0; i < inp.length; i++) s += inp[i] * at(M(0), i, j);
      return Math.max(0, s);
    });
    const h2 = Array.from({ length: H }, (_, j) => {
      let s = b(3)[j];
      for (let i = 0; i < H; i++) s += h1[i] * at(M(2), i, j);
      return Math.max(0, s);
    });
    return Array.from({ length: q }, (_, j) => {
      let s = b(5)[j];
      for (let i = 0; i < H; i++) s += h2[i] * at(M(4), i, j);
      return w[j] + s;
    });
  }
  if (arch.kind === "gru") {
    const H = arch.hidden;
    let h = new Array(H).fill(0);
    for (let t = 0; t < n; t++) {
      const x = arch.wEveryStep ? [...X[t], ...th] : X[t];
      const gx = Array.from({ length: 3 * H }, (_, j) => {
        let s = b(3)[j];
        for (let i = 0; i < x.length; i++) s += x[i] * at(M(0), i, j);
        return s;
      });
      const z: number[] = [], r: number[] = [];
      for (let j = 0; j < H; j++) {
        let sz = gx[j], sr = gx[H + j];
        for (let i = 0; i < H; i++) {
          sz += h[i] * at(M(1), i, j);
          sr += h[i] * at(M(1), i, H + j);
        }
        z.push(sig(sz));
        r.push(sig(sr));
      }
      const hh = Array.from({ length: H }, (_, j) => {
        let s = gx[2 * H + j];
        for (let i = 0; i < H; i++) s += r[i] * h[i] * at(M(2), i, j);
        return Math.tanh(s);
      });
      h = h.map((hv, j) => (1 - z[j]) * hv + z[j] * hh[j]);
    }
    const cat = [...h, ...th];
    const G = arch.head;
    const a = Array.from({ length: G }, (_, j) => {
      let s = b(5)[j];
      for (let i = 0; i < cat.length; i++) s += cat[i] * at(M(4), i, j);
      return Math.max(0, s);
    });
    return Array.from({ length: q }, (_, j) => {
      let s = b(7)[j];
      for (let i = 0; i < G; i++) s += a[i] * at(M(6), i, j);
      return w[j] + s;
    });
  }
  // softmax, per head: s_i = x_iᵀ A w̃, a = softmax(s), out += V Σ a_i x_i (out starts at w)
  const out = [...w];
  for (let h = 0; h < vals.length; h += 2) {
    const A = M(h), V = M(h + 1);
    const s = X.map((x) => {
      let v = 0;
      for (let k = 0; k < m; k++) for (let l = 0; l < p; l++) v += x[k] * at(A, k, l) * th[l];
      return v;
    });
    const mx = Math.max(...s);
    const e = s.map((v) => Math.exp(v - mx));
    const Z = e.reduce((x, y) => x + y, 0);
    const zbar = new Array(m).fill(0);
    X.forEach((x, i) => x.forEach((xv, k) => (zbar[k] += (e[i] / Z) * xv)));
    for (let j = 0; j < q; j++) for (let k = 0; k < m; k++) out[j] += at(V, j, k) * zbar[k];
  }
  return out;
}

const ARCHES: Arch[] = [
  { kind: "mlp", hidden: 4 },
  { kind: "gru", hidden: 3, head: 4 },
  { kind: "gru", hidden: 3, head: 4, wEveryStep: true },
  { kind: "softmax" },
  { kind: "softmax", heads: 2 },
];
const TINY: ModelDims = { m: 5, p: 3, nTrain: 3 };

function randomBatch(rng: Rng, B: number, n: number, dims: ModelDims) {
  const X = Array.from(
    { length: B },
    () =>
      Array.from({ length: n }, () => Array.from({ length: dims.m }, () => rng.uniformIn(-1, 1))),
  );
  const W = Array.from(
    { length: B },
    () => Array.from({ length: dims.p - 1 }, () => rng.uniformIn(-1, 1)),
  );
  const T = Array.from(
    { length: B },
    () => Array.from({ length: dims.p - 1 }, () => rng.uniformIn(-1, 1)),
  );
  return { X, W, T };
}

function toTensors(X: number[][][], W: number[][]) {
  return {
    Xt: tf.tensor3d(X),
    th: tf.tensor2d(W.map((w) => [1, ...w])),
  };
}

/** A model whose output layer is not tiny (so the gradient check sees every path). */
function testParams(arch: Arch, seed: number): ModelParams {
  return initModel(arch, TINY, new Rng(seed), 1);
}

for (const arch of ARCHES) {
  const name = JSON.stringify(arch);

  Deno.test(`${name}: forward has shape [B, p−1] at the training length and at other lengths`, () => {
    const params = testParams(arch, 1);
    for (const n of [1, 3, 7]) {
      const { X, W } = randomBatch(new Rng(n), 4, n, TINY);
      const { Xt, th } = toTensors(X, W);
      const vars = params.values.map((v, i) => tf.tensor(v, params.shapes[i]));
      const out = forwardTf(arch, TINY, vars, Xt, th);
      assert.deepEqual(out.shape, [4, TINY.p - 1]);
      tf.dispose([Xt, th, out, ...vars]);
    }
  });

  Deno.test(`${name}: tfjs forward equals a literal float64 loop within 1e-5`, () => {
    const params = testParams(arch, 2);
    for (const n of [2, 3, 6]) {
      const { X, W } = randomBatch(new Rng(10 + n), 3, n, TINY);
      const flatX = Float64Array.from(X.flat(2)), flatW = Float64Array.from(W.flat());
      const got = predictBatch(params, flatX, flatW, 3, n);
      X.forEach((x, bi) => {
        const want = literalForward(params, params.values, x, W[bi]);
        want.forEach((v, j) => {
          const g = got[bi * (TINY.p - 1) + j];
          assert.ok(
            Math.abs(g - v) <= 1e-5 * Math.max(1, Math.abs(v)),
            `n=${n} b=${bi} j=${j}: ${g} vs ${v}`,
          );
        });
      });
    }
  });

  Deno.test(`${name}: autodiff gradient equals central finite differences of the float64 loss`, () => {
    const params = testParams(arch, 3);
    const B = 2, n = 3;
    const { X, W, T } = randomBatch(new Rng(30), B, n, TINY);
    const { Xt, th } = toTensors(X, W);
    const tg = tf.tensor2d(T);
    const { loss, grads } = lossAndGrads(params, Xt, th, tg);
    tf.dispose([Xt, th, tg]);
    const vals = params.values.map((v) => Float64Array.from(v));
    const lossAt = () => {
      let s = 0;
      X.forEach((x, b) => {
        const out = literalForward(params, vals, x, W[b]);
        out.forEach((o, j) => (s += (o - T[b][j]) ** 2));
      });
      return (0.5 * s) / B;
    };
    assert.ok(
      Math.abs(loss - lossAt()) <= 1e-5 * Math.max(1, lossAt()),
      `loss ${loss} vs ${lossAt()}`,
    );
    const h = 1e-6;
    let checked = 0;
    vals.forEach((v, i) => {
      for (let k = 0; k < v.length; k++) {
        const v0 = v[k];
        v[k] = v0 + h;
        const lp = lossAt();
        v[k] = v0 - h;
        const lm = lossAt();
        v[k] = v0;
        const fd = (lp - lm) / (2 * h);
        const g = grads[i][k];
        assert.ok(
          Math.abs(g - fd) <= 2e-4 * Math.max(1, Math.abs(fd)),
          `${params.names[i]}[${k}]: autodiff ${g} vs finite difference ${fd}`,
        );
        checked++;
      }
    });
    assert.equal(checked, paramCount(arch, TINY));
  });
}

Deno.test("mlpInputTokens zero-pads short prompts and keeps the first nTrain tokens of long ones", () => {
  const X = tf.tensor3d([[[1, 2], [3, 4]]]); // B=1, n=2, m=2
  assert.deepEqual(Array.from(mlpInputTokens(X, 2, 4).dataSync()), [1, 2, 3, 4, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(mlpInputTokens(X, 2, 1).dataSync()), [1, 2]);
  assert.throws(() => mlpInputTokens(X, 3, 4), /X has 2 tokens, n = 3/);
  X.dispose();
});

Deno.test("paramCount matches the layer formulas; the softmax layer has the restricted LSA block's count", () => {
  const d = { m: 73, p: 37, nTrain: 20 };
  const H = 256, inp = 20 * 73 + 37;
  assert.equal(paramCount({ kind: "mlp", hidden: H }, d), inp * H + H + H * H + H + H * 36 + 36);
  assert.equal(paramCount({ kind: "softmax" }, d), 73 * 37 + 36 * 73);
  const g = 64, G = 128;
  assert.equal(
    paramCount({ kind: "gru", hidden: g, head: G }, d),
    73 * 3 * g + g * 2 * g + g * g + 3 * g + (g + 37) * G + G + G * 36 + 36,
  );
  assert.deepEqual(paramShapes({ kind: "softmax" }, d).map(([n]) => n), ["A", "V"]);
});

Deno.test("validateArch and baselineConfig reject unknown keys and bad values, naming them", () => {
  assert.throws(() => validateArch({ kind: "cnn" } as unknown as Arch), /arch.kind/);
  assert.throws(() => validateArch({ kind: "mlp", hidden: 0 }), /arch.hidden/);
  assert.throws(
    () => validateArch({ kind: "softmax", hidden: 3 } as unknown as Arch),
    /unknown key arch.hidden/,
  );
  assert.throws(
    () => baselineConfig({ arch: { kind: "softmax" }, param: "full" } as never),
    /unknown baseline config key "param"/,
  );
  assert.throws(() => baselineConfig({ arch: { kind: "softmax" }, K: 0 }), /K/);
});

Deno.test("initModel starts every model near out = w (small output gain) and is seed-deterministic", () => {
  for (const arch of ARCHES) {
    const a = initModel(arch, TINY, new Rng(5)), b = initModel(arch, TINY, new Rng(5));
    assert.deepEqual(a.values, b.values);
  }
  const dims = { m: 73, p: 37, nTrain: 20 };
  const params = initModel({ kind: "mlp", hidden: 64 }, dims, new Rng(0));
  const rng = new Rng(1);
  const X = rng.fillUniform(new Float64Array(4 * 20 * 73), -1, 1);
  const w = rng.fillUniform(new Float64Array(4 * 36), -1, 1);
  const out = predictBatch(params, X, w, 4, 20);
  let dev = 0;
  for (let i = 0; i < out.length; i++) dev = Math.max(dev, Math.abs(out[i] - w[i]));
  assert.ok(dev < 0.5, `max |out − w| = ${dev}`);
});

Deno.test("trainBaseline: same seed gives the same run; the loss falls; divergence stops with a message", async () => {
  const cfg = baselineConfig({ arch: { kind: "softmax" }, K: 64, T: 30, logEvery: 10, seed: 4 });
  const a = await trainBaseline(cfg), b = await trainBaseline(cfg);
  assert.deepEqual(a.metrics.map((m) => m.loss), b.metrics.map((m) => m.loss));
  assert.deepEqual(a.params.values, b.params.values);
  assert.equal(a.prompts, 64 * 30);
  assert.ok(a.metrics.at(-1)!.loss < 0.5 * a.metrics[0].loss, JSON.stringify(a.metrics));
  await assert.rejects(
    () => trainBaseline({ ...cfg, divergeLoss: 1e-9 }),
    /softmax training diverged at step 1/,
  );
});

Deno.test("trainBaseline sees the LSA trainer's prompt stream: its first-step loss at zero output equals the teacher's update size", async () => {
  // With output weights ~1e-20 (gain 0 is refused) the model outputs w up to float32 round-off, so
  // the step-1 loss is ½·mean‖w_SARSA − w‖² over
  // the first 64 prompts of training MDPs fork("mdp").fork(0…63) — computed here independently.
  const { newTaskEnv, taskStep } = await import("../../lib/icrl/mod.ts");
  const cfg = baselineConfig({
    arch: { kind: "softmax" },
    K: 64,
    T: 1,
    logEvery: 1,
    seed: 11,
    initGain: 1e-20,
  });
  const r = await trainBaseline(cfg);
  const mdp = new Rng(11).fork("mdp");
  let s = 0;
  const X = new Float64Array(20 * 73), target = new Float64Array(36);
  for (let k = 0; k < 64; k++) {
    const env = newTaskEnv(DEFAULT_TASK, mdp.fork(k));
    taskStep(DEFAULT_TASK, env, X, target);
    for (let j = 0; j < 36; j++) s += (target[j] - env.theta[j]) ** 2;
  }
  const want = (0.5 * s) / 64;
  assert.ok(Math.abs(r.metrics[0].loss - want) <= 1e-5 * want, `${r.metrics[0].loss} vs ${want}`);
});

Deno.test("oneStepErrors: the teacher scores 0, leaving w unchanged scores exactly 1", () => {
  const cfg = {
    task: { ...DEFAULT_TASK, n: 7 },
    numMdps: 5,
    promptsPerMdp: 3,
    seed: 2,
    streamLabel: "heldout-test",
  };
  const still = { name: "still", update: (_X, env, _t, out) => out.set(env.theta) } as Learner;
  const rows = oneStepErrors(cfg, [teacherLearner("teacher"), still]);
  assert.equal(rows[0].relErr, 0);
  assert.equal(rows[0].loss, 0);
  assert.equal(rows[1].relErr, 1);
  assert.equal(rows[1].prompts, 15);
  assert.throws(() => oneStepErrors({ ...cfg, streamLabel: "mdp" }, [still]), /training stream/);
});

Deno.test("modelLearner outputs predictBatch's prediction for each prompt of the batch", () => {
  const dims = { m: 73, p: 37, nTrain: 20 };
  const params = initModel({ kind: "gru", hidden: 4, head: 5 }, dims, new Rng(3), 1);
  const rng = new Rng(8);
  const envs = [0, 1].map(() => ({
    theta: rng.fillUniform(new Float64Array(36), -1, 1),
    traj: { n: 20 },
  }));
  const Xs = [0, 1].map(() => rng.fillUniform(new Float64Array(20 * 73), -1, 1));
  const outs = [new Float64Array(36), new Float64Array(36)];
  modelLearner("gru", params).updateBatch(Xs, envs as never, [], outs);
  for (let b = 0; b < 2; b++) {
    const one = predictBatch(params, Xs[b], envs[b].theta, 1, 20);
    assert.deepEqual(Array.from(outs[b]), Array.from(one));
  }
});
