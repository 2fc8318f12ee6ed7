import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  initWeights,
  type TransformerConfig,
  type TransformerWeights,
  weightShapes,
} from "../../lib/bandits/model_config.ts";
import { createEngine, parseEngineBackend } from "../../lib/bandits/engine/engine.ts";
import { WasmEngine } from "../../lib/bandits/engine/wasm_engine.ts";
import { memoryPlan, transformerKernels } from "../../lib/bandits/engine/wasm_model.ts";
import { loadCheckpoint, saveCheckpoint } from "../../lib/bandits/checkpoint.ts";
import { withoutRelaxed } from "../../scripts/build_wasm.ts";
import { lossCurve, opt, small, teacherBatches } from "./engine_helpers.ts";

function randomBatch(cfg: TransformerConfig, B: number, T: number, rng: Rng) {
  const tokens = new Float32Array(B * T * cfg.tokenDim).map(() => rng.normal());
  const targets = new Int32Array(B * T).map(() => rng.int(cfg.numActions));
  return { tokens, targets };
}

/** max |a − b| / max |b| over one tensor. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

function perturbed(cfg: TransformerConfig, seed: number): TransformerWeights {
  const rng = new Rng(seed);
  const w = initWeights(cfg, rng);
  for (const k in w) for (let i = 0; i < w[k].length; i++) w[k][i] += 0.05 * rng.normal();
  return w;
}

Deno.test("gemm kernels equal literal loops: tails, accumulation, causal limits, with and without FMA", () => {
  const mem = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
  const f = new Float32Array(mem.buffer);
  const rng = new Rng(8);
  for (const relaxed of [true, false]) {
    const k = transformerKernels(mem, relaxed);
    for (const [M, K, N] of [[7, 5, 12], [9, 9, 8], [4, 3, 4], [13, 13, 20]]) {
      const A = 64, B = A + M * K + 4, C = B + K * N + 4 + Math.max(M, K) * N;
      const a = Float32Array.from({ length: M * K }, () => rng.normal());
      const b = Float32Array.from({ length: K * N }, () => rng.normal());
      f.set(a, A);
      f.set(b, B);
      for (const mode of [0, 1, 2, 4]) {
        const c0 = Float32Array.from({ length: M * N }, () => rng.normal());
        f.set(c0, C);
        k.gemm_nn(4 * A, K, 4 * B, N, 4 * C, N, M, K, N, mode);
        for (let i = 0; i < M; i++) {
          const blockEnd = (i & ~3) + 4;
          for (let j = 0; j < N; j++) {
            if (mode === 2 && j >= blockEnd) continue; // not computed
            let s = mode === 1 ? c0[i * N + j] : 0;
            const kl = mode === 4 ? Math.min(K, blockEnd) : K;
            for (let r = 0; r < kl; r++) s += a[i * K + r] * b[r * N + j];
            assert.ok(
              Math.abs(f[C + i * N + j] - s) < 1e-5,
              `nn ${M}×${K}×${N} mode ${mode} [${i},${j}]`,
            );
          }
        }
      }
      // gemm_tn: C[K×N] = Aᵀ·B with A [M×K], B [M×N]
      const bt = Float32Array.from({ length: M * N }, () => rng.normal());
      f.set(bt, B);
      // causal mode assumes A[m][k] = 0 for m < k (as the attention weights are)
      const lower = a.map((v, i) => Math.floor(i / K) < i % K ? 0 : v);
      for (const mode of [0, 1, 2]) {
        const c0 = Float32Array.from({ length: K * N }, () => rng.normal());
        f.set(c0, C);
        const aa = mode === 2 ? lower : a;
        f.set(aa, A);
        k.gemm_tn(4 * A, K, 4 * B, N, 4 * C, N, M, K, N, mode);
        for (let r = 0; r < K; r++) {
          for (let j = 0; j < N; j++) {
            let s = mode === 1 ? c0[r * N + j] : 0;
            for (let m = 0; m < M; m++) s += aa[m * K + r] * bt[m * N + j];
            assert.ok(
              Math.abs(f[C + r * N + j] - s) < 1e-5,
              `tn ${M}×${K}×${N} mode ${mode} [${r},${j}]`,
            );
          }
        }
      }
    }
  }
});

Deno.test("withoutRelaxed rewrites nested multiply–adds and refuses unfolded ones", () => {
  assert.equal(
    withoutRelaxed("(f32x4.relaxed_madd (a) (f32x4.relaxed_madd (b) (c) (d)) (e)) ;; relaxed"),
    "(f32x4.add (f32x4.mul (a) (f32x4.add (f32x4.mul (b) (c)) (d))) (e)) ",
  );
  assert.throws(() => withoutRelaxed("local.get 0 f32x4.relaxed_madd"), /relaxed/);
});

for (
  const [label, cfg, B, T] of [
    ["M = 2, T = 12", small, 3, 12],
    [
      "M = 1, T = 9 (odd), A = 3",
      { ...small, heads: 1, numActions: 3, maxLen: 9, mlpHidden: 12 },
      2,
      9,
    ],
    [
      "paper widths, M = 4, T = 30",
      { tokenDim: 61, numActions: 10, maxLen: 30, D: 32, layers: 2, mlpHidden: 32, heads: 4 },
      2,
      30,
    ],
  ] as const
) {
  Deno.test(`wasm gradients equal tfjs autodiff per tensor within 1e-4 (${label})`, async () => {
    const w = perturbed(cfg, 4);
    const { tokens, targets } = randomBatch(cfg, B, T, new Rng(5));
    const tfjs = await createEngine(cfg, w, opt, { backend: "tfjs-wasm", maxBatch: B });
    const ref = await tfjs.lossGrad(tokens, targets, B, T);
    tfjs.dispose();
    for (const relaxed of [true, false]) {
      const eng = await WasmEngine.create(cfg, w, opt, {
        workers: 2,
        maxBatch: B,
        chunk: 1,
        relaxed,
      });
      try {
        const loss = await eng.lossGrad(tokens, targets, B, T);
        assert.ok(Math.abs(loss - ref.loss) < 1e-5 * ref.loss, `loss ${loss} vs ${ref.loss}`);
        const g = eng.gradients();
        for (const [n] of weightShapes(cfg)) {
          const e = relErr(g[n], ref.grads[n]);
          assert.ok(e <= 1e-4, `${n}: relative error ${e} (relaxed ${relaxed})`);
        }
      } finally {
        eng.dispose();
      }
    }
  });
}

Deno.test("a 200-step wasm training run follows tfjs's loss curve within 1 % at every step", async () => {
  const ref = await lossCurve("tfjs-wasm"), got = await lossCurve("wasm");
  assert.ok(ref[199] < 0.5 * ref[0], `the run learns: ${ref[0]} → ${ref[199]}`);
  for (let s = 0; s < 200; s++) {
    assert.ok(
      Math.abs(got[s] - ref[s]) <= 0.01 * ref[s],
      `step ${s + 1}: wasm ${got[s]} vs tfjs ${ref[s]}`,
    );
  }
});

Deno.test("wasm training gives the same bits with 1, 2 and 3 workers", async () => {
  const B = 9, T = 12, batches = teacherBatches(small, B, T, 4);
  const runs: TransformerWeights[] = [];
  for (const workers of [1, 2, 3]) {
    const eng = await WasmEngine.create(small, initWeights(small, new Rng(2)), opt, {
      workers,
      maxBatch: B,
    });
    for (const { tokens, targets } of batches) await eng.trainStep(tokens, targets, B, T);
    runs.push(eng.getWeights());
    eng.dispose();
  }
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
});

Deno.test("a saved checkpoint loads into every CPU backend and gives the same logits and actions", async () => {
  const B = 4, T = 12;
  const eng = await createEngine(small, initWeights(small, new Rng(2)), opt, {
    backend: "wasm",
    maxBatch: B,
  });
  for (const { tokens, targets } of teacherBatches(small, B, T, 20)) {
    await eng.trainStep(tokens, targets, B, T);
  }
  const dir = await Deno.makeTempDir(), path = `${dir}/m.json`;
  await saveCheckpoint(path, small, eng.getWeights(), { steps: 20 });
  eng.dispose();
  const { model, weights } = await loadCheckpoint(path);
  const { tokens } = randomBatch(small, B, T, new Rng(11));
  const out: Float32Array[] = [];
  for (const backend of ["wasm", "tfjs-wasm"] as const) {
    const e = await createEngine(model, weights, opt, { backend, maxBatch: B, workers: 1 });
    out.push(await e.logits(tokens, B, T));
    e.dispose();
  }
  assert.ok(relErr(out[0], out[1]) < 1e-5);
  const A = small.numActions;
  for (let r = 0; r < B * T; r++) {
    const argmax = (x: Float32Array) => {
      let b = 0;
      for (let a = 1; a < A; a++) if (x[r * A + a] > x[r * A + b]) b = a;
      return b;
    };
    assert.equal(argmax(out[0]), argmax(out[1]), `position ${r}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad configurations, inputs and backends are refused with named errors", async () => {
  const w = initWeights(small, new Rng(0));
  assert.throws(
    () => memoryPlan({ ...small, heads: 3 }, 1, 1, 1),
    /D = 16 is not divisible by heads = 3/,
  );
  assert.throws(() => memoryPlan({ ...small, maxLen: 0 }, 1, 1, 1), /maxLen/);
  assert.throws(
    () => memoryPlan({ ...small, heads: 8 }, 1, 1, 1),
    /head width D\/heads.*16\/8 = 2/,
  );
  await assert.rejects(
    () => createEngine({ ...small, depth: 2 } as TransformerConfig, w, opt, { maxBatch: 1 }),
    /unknown transformer config key "depth"/,
  );
  await assert.rejects(
    () => createEngine(small, w, { ...opt, lr: NaN }, { maxBatch: 1 }),
    /lr .*NaN/,
  );
  await assert.rejects(
    () => createEngine(small, w, opt, { maxBatch: 1, backend: "cuda" as "wasm" }),
    /unknown engine backend "cuda"/,
  );
  assert.throws(() => parseEngineBackend(["--backend", "tpu"]), /unknown engine backend "tpu"/);
  const eng = await createEngine(small, w, opt, { backend: "wasm", maxBatch: 2, workers: 1 });
  try {
    const { tokens, targets } = randomBatch(small, 2, 12, new Rng(1));
    await assert.rejects(() => eng.trainStep(tokens, targets, 3, 12), /tokens have 168 values/);
    await assert.rejects(
      () => eng.trainStep(tokens, targets, 2, 13),
      /len must be an integer in \[1, 12\]/,
    );
    const bad = Int32Array.from(targets);
    bad[5] = 7;
    await assert.rejects(() => eng.trainStep(tokens, bad, 2, 12), /targets\[5\] = 7/);
    const huge = tokens.map(() => 3e38);
    await assert.rejects(
      () => eng.trainStep(huge, targets, 2, 12),
      /training diverged at step 1 \(lr 0\.001\): loss NaN/,
    );
    assert.deepEqual(eng.getWeights(), w); // the failed steps changed nothing
  } finally {
    eng.dispose();
  }
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/bad.json`, '{"format": "icrl-bandit-transformer/1", "model": {');
  await assert.rejects(() => loadCheckpoint(`${dir}/bad.json`), /bad\.json is not valid JSON/);
  await Deno.remove(dir, { recursive: true });
});
