// The cached runner equals the literal forward pass of the paper's Definitions (MATH §10.2).
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { symmetricEigen } from "../core/jacobi_reference.ts";
import {
  ClipActiveError,
  HorizonExceededError,
  NonFiniteInputError,
  TokenShapeError,
  WindowViolationError,
} from "../../lib/constructions/errors.ts";
import {
  BatchRunner,
  CausalRunner,
  compileTransformer,
  lane,
} from "../../lib/constructions/runner.ts";
import { sparse, SparseBuilder, type SparseMatrix } from "../../lib/constructions/sparse.ts";
import {
  type ConstructedTransformer,
  forwardReference,
  type TfLayer,
  transformerSize,
} from "../../lib/constructions/transformer.ts";

// coordinates: 0 = i, 1 = i², 2 = 1, 3 = static data, 4…7 dynamic
const D = 8;

function rand(rng: Rng, rows: number[], cols: number[], scale = 0.5): SparseMatrix {
  const b = new SparseBuilder(D, D);
  for (const r of rows) for (const c of cols) b.add(r, c, rng.uniformIn(-scale, scale));
  return b.build();
}
const neg = (M: SparseMatrix): SparseMatrix => ({ ...M, values: M.values.map((v) => -v) });
// self-selecting: Q h_i = [1, −i, 1], K h_j = [1, 1, j] → score 1 − i + j
const selfQ = sparse(D, D, [[0, 2, 1], [1, 0, -1], [2, 2, 1]]);
const selfK = sparse(D, D, [[0, 2, 1], [1, 2, 1], [2, 0, 1]]);

function randomTransformer(seed: number, layers = 3): ConstructedTransformer {
  const rng = new Rng(seed);
  const out: TfLayer[] = [];
  for (let l = 0; l < layers; l++) {
    const Qs = rand(rng, [0, 1], [4, 5, 2]), Ks = rand(rng, [0, 1], [3, 2]);
    const Vs = rand(rng, [4, 5], [3, 2]);
    // same compact K and V as (Qs, Ks, Vs) but writing rows 6, 7: shares its running sum
    const Vs2: SparseMatrix = {
      ...Vs,
      rowPtr: Int32Array.from([0, 0, 0, 0, 0, 0, 0, Vs.rowPtr[5] - Vs.rowPtr[4], Vs.rowPtr[6]]),
    };
    const Qs2 = rand(rng, [0, 1], [6, 2]);
    const Qd = rand(rng, [2, 3], [4, 6]), Kd = rand(rng, [2, 3], [5, 7]);
    const Vd = rand(rng, [6], [4, 5]);
    out.push({
      name: `layer ${l}`,
      heads: [
        { Q: Qs, K: Ks, V: Vs }, // static pair
        { Q: neg(Qs), K: Ks, V: neg(Vs) },
        { Q: Qs2, K: Ks, V: Vs2 }, // same static sum, other rows
        { Q: neg(Qs2), K: Ks, V: neg(Vs2) },
        { Q: Qd, K: Kd, V: Vd }, // dynamic pair
        { Q: neg(Qd), K: Kd, V: neg(Vd) },
        { Q: selfQ, K: selfK, V: rand(rng, [7], [5, 6]), window: 0 }, // windowed, own value
        {
          Q: rand(rng, [1, 4], [4, 5, 6]),
          K: rand(rng, [1, 4], [6, 7, 2]),
          V: rand(rng, [5], [6, 7]),
        },
      ],
      mlp: {
        W1: (() => {
          const b = new SparseBuilder(5, D);
          for (let u = 0; u < 5; u++) {
            for (const c of [2, 4, 5, 6, 7]) b.add(u, c, rng.uniformIn(-1, 1));
          }
          return b.build();
        })(),
        W2: (() => {
          const b = new SparseBuilder(D, 5);
          for (const r of [4, 6, 7]) {
            for (let u = 0; u < 5; u++) b.add(r, u, rng.uniformIn(-0.3, 0.3));
          }
          return b.build();
        })(),
      },
    });
  }
  return { D, layers: out, clip: Infinity, maxTokens: 12 };
}

function tokens(seed: number, N: number): Float64Array {
  const rng = new Rng(seed);
  const H = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    H[i * D] = i + 1;
    H[i * D + 1] = (i + 1) ** 2;
    H[i * D + 2] = 1;
    H[i * D + 3] = rng.uniformIn(-1, 1);
    for (let c = 4; c < D; c++) H[i * D + c] = rng.uniformIn(-1, 1);
  }
  return H;
}

Deno.test("compile finds the sign pairs, the windowed head and the general head", () => {
  const plan = compileTransformer(randomTransformer(1));
  assert.deepEqual(plan.headKinds, { pairs: 9, windowed: 3, general: 3 });
  assert.equal(plan.staticPairs.length, 3); // one static sum per layer, shared by two pairs
  assert.deepEqual(plan.isStatic.slice(0, 4), [true, true, true, true]);
  assert.equal(plan.carryLayers, 3); // dynamic pairs / general heads read every layer's state
});

Deno.test("cached runner = literal forward pass, every token and every layer, ≤ 1e-12", () => {
  for (const seed of [1, 2, 3]) {
    const tf = randomTransformer(seed);
    const N = 10;
    const H = tokens(seed + 100, N);
    const refLayers: Float64Array[] = [];
    forwardReference(tf, H, N, (_l, X) => refLayers.push(Float64Array.from(X)));
    const run = new CausalRunner(compileTransformer(tf));
    for (let i = 0; i < N; i++) {
      const output = i % 3 !== 1; // some tokens without output
      const got: Float64Array[] = [];
      const h = run.push(H.subarray(i * D, (i + 1) * D), {
        output,
        probe: (_l, x) => got.push(Float64Array.from(x)),
      });
      if (!output) {
        assert.equal(h, null);
        continue;
      }
      assert.equal(got.length, tf.layers.length + 1);
      got.forEach((x, l) => {
        for (let c = 0; c < D; c++) {
          const want = refLayers[l][i * D + c];
          assert.ok(
            Math.abs(x[c] - want) <= 1e-12 * Math.max(1, Math.abs(want)),
            `seed ${seed} token ${i + 1} layer ${l} coord ${c}: ${x[c]} vs ${want}`,
          );
        }
      });
    }
  }
});

Deno.test("a batch of E lanes equals E single runners, probes included", () => {
  const tf = randomTransformer(7);
  const plan = compileTransformer(tf);
  const E = 3, N = 9;
  const Hs = [tokens(21, N), tokens(22, N), tokens(23, N)];
  const batch = new BatchRunner(plan, E);
  const singles = Hs.map(() => new CausalRunner(plan));
  for (let i = 0; i < N; i++) {
    const output = i % 3 !== 2;
    const toks = new Float64Array(E * D);
    Hs.forEach((H, e) => toks.set(H.subarray(i * D, (i + 1) * D), e * D));
    const probes: Float64Array[] = [];
    const out = batch.push(toks, { output, probe: (_l, h) => probes.push(Float64Array.from(h)) });
    Hs.forEach((H, e) => {
      const one: Float64Array[] = [];
      const h = singles[e].push(H.subarray(i * D, (i + 1) * D), {
        output,
        probe: (_l, x) => one.push(Float64Array.from(x)),
      });
      if (!output) return;
      assert.deepEqual([...lane(out!, D, E, e)], [...h!]);
      one.forEach((x, l) => assert.deepEqual([...lane(probes[l], D, E, e)], [...x]));
    });
  }
});

Deno.test("two runners on one plan do not share state", () => {
  const tf = randomTransformer(6);
  const plan = compileTransformer(tf);
  const a = new CausalRunner(plan), b = new CausalRunner(plan), solo = new CausalRunner(plan);
  const H1 = tokens(8, 4), H2 = tokens(9, 4);
  let last: number[] = [];
  for (let i = 0; i < 4; i++) {
    a.push(H1.subarray(i * D, (i + 1) * D));
    b.push(H2.subarray(i * D, (i + 1) * D));
    last = [...solo.push(H1.subarray(i * D, (i + 1) * D))!];
  }
  a.reset();
  let again: number[] = [];
  for (let i = 0; i < 4; i++) again = [...a.push(H1.subarray(i * D, (i + 1) * D))!];
  assert.deepEqual(again, last);
});

Deno.test("runner: reset replays the same numbers; sizes are reported", () => {
  const tf = randomTransformer(4);
  const run = new CausalRunner(compileTransformer(tf));
  const H = tokens(7, 5);
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < 5; i++) a.push(...run.push(H.subarray(i * D, (i + 1) * D))!);
  run.reset();
  for (let i = 0; i < 5; i++) b.push(...run.push(H.subarray(i * D, (i + 1) * D))!);
  assert.deepEqual(a, b);
  const size = transformerSize(tf, true);
  assert.equal(size.L, 3);
  assert.equal(size.M, 8);
  assert.equal(size.Dprime, 5);
  // ‖θ‖ = max over layers of (max_heads max(‖Q‖₂, ‖K‖₂) + Σ_heads ‖V‖₂ + ‖W1‖₂ + ‖W2‖₂), each
  // ‖M‖₂ here the square root of the largest eigenvalue of MᵀM by dense cyclic Jacobi
  const norm2 = (M: SparseMatrix) => {
    const G = new Float64Array(M.cols * M.cols);
    for (let r = 0; r < M.rows; r++) {
      for (let i = M.rowPtr[r]; i < M.rowPtr[r + 1]; i++) {
        for (let j = M.rowPtr[r]; j < M.rowPtr[r + 1]; j++) {
          G[M.colIdx[i] * M.cols + M.colIdx[j]] += M.values[i] * M.values[j];
        }
      }
    }
    return Math.sqrt(Math.max(0, ...symmetricEigen(G, M.cols).values));
  };
  let want = 0;
  for (const layer of tf.layers) {
    const qk = Math.max(...layer.heads.map((h) => Math.max(norm2(h.Q), norm2(h.K))));
    const vs = layer.heads.reduce((t, h) => t + norm2(h.V), 0);
    const mlp = layer.mlp ? norm2(layer.mlp.W1) + norm2(layer.mlp.W2) : 0;
    want = Math.max(want, qk + vs + mlp);
  }
  assert.ok(want > 1 && Math.abs(size.norm! - want) < 1e-9 * want, `${size.norm} vs ${want}`);
});

Deno.test("runner: named errors for a wrong token, too many tokens, NaN, a broken window, the clip", () => {
  const tf = randomTransformer(5);
  const run = new CausalRunner(compileTransformer(tf));
  assert.throws(() => run.push(new Float64Array(D - 1)), TokenShapeError);
  const bad = tokens(1, 1);
  bad[4] = NaN;
  assert.throws(() => run.push(bad), NonFiniteInputError);
  run.reset();
  const H = tokens(2, 12);
  for (let i = 0; i < 12; i++) run.push(H.subarray(i * D, (i + 1) * D));
  assert.throws(() => run.push(H.subarray(0, D)), HorizonExceededError);
  // a head promising window 0 that attends to every token (score 1 everywhere)
  const one = sparse(D, D, [[0, 2, 1]]);
  const broken: ConstructedTransformer = {
    D,
    clip: Infinity,
    maxTokens: 4,
    layers: [{
      name: "all",
      heads: [{ Q: one, K: one, V: sparse(D, D, [[5, 4, 1]]), window: 0 }],
      mlp: null,
    }],
  };
  const r2 = new CausalRunner(compileTransformer(broken));
  r2.push(H.subarray(0, D));
  assert.throws(() => r2.push(H.subarray(D, 2 * D)), WindowViolationError);
  const clipped = new CausalRunner(compileTransformer({ ...tf, clip: 1 }));
  assert.throws(() => clipped.push(H.subarray(0, D)), ClipActiveError);
  assert.throws(() => forwardReference(tf, new Float64Array(3), 1), TokenShapeError);
});
