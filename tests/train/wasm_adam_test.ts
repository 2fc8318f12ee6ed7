import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { fusedAdam, fusedBatch, fusedPrompt, fusedStep } from "../../lib/train/fused.ts";
import { WasmAdam } from "../../lib/train/wasm_adam.ts";
import { adam } from "../../lib/core/optim.ts";
import { restrictedLossGrad } from "../../lib/icrl/grad.ts";
import { assembleWat, moduleText } from "../../scripts/build_wasm.ts";
import { restrictedScratch } from "../../lib/icrl/restricted.ts";

Deno.test("the committed wasm module is exactly what scripts/build_wasm.ts assembles from the WAT", async () => {
  const src = await Deno.readTextFile(new URL("../../lib/core/wasm/kernels.wat", import.meta.url));
  const committed = await Deno.readTextFile(
    new URL("../../lib/core/wasm/kernels_wasm.ts", import.meta.url),
  );
  assert.equal(moduleText(await assembleWat(src)), committed);
});

Deno.test("WasmAdam steps are bit-identical to the TypeScript fused step and to grad.ts + adam", () => {
  const rng = new Rng(21);
  for (const [n, m, p] of [[20, 73, 37], [5, 7, 4], [3, 6, 2], [9, 12, 9]]) {
    const size = m * p + (p - 1) * m;
    const init = rng.fillUniform(new Float64Array(size), -1, 1);
    const wa = new WasmAdam(m, p, init);
    const ts = Float64Array.from(init);
    const tsBlk = { m, p, P12: ts.subarray(0, m * p), V21bar: ts.subarray(m * p) };
    const ref = Float64Array.from(init);
    const refBlk = { m, p, P12: ref.subarray(0, m * p), V21bar: ref.subarray(m * p) };
    const st = fusedAdam(size), opt = adam(size), grad = new Float64Array(size);
    const fbW = fusedBatch(m, p, n, 1), fbT = fusedBatch(m, p, n, 1);
    const sc = restrictedScratch(m, p, n);
    for (let step = 0; step < 6; step++) {
      const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
      const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
      const target = rng.fillUniform(new Float64Array(p - 1), -1, 1);
      const lr = 1e-2 / (step + 1);
      fusedPrompt(fbW, wa.blocks, X, theta, target, 0, 1);
      wa.step(fbW, lr);
      fusedPrompt(fbT, tsBlk, X, theta, target, 0, 1);
      fusedStep(tsBlk, fbT, 1, st, lr);
      grad.fill(0);
      restrictedLossGrad(
        refBlk,
        X,
        n,
        theta,
        target,
        grad.subarray(0, m * p),
        grad.subarray(m * p),
        1,
        sc,
      );
      opt.step(ref, grad, lr);
      assert.deepEqual(Float64Array.from(wa.params), ts);
      assert.deepEqual(ts, ref);
      assert.deepEqual(Float64Array.from(wa.mom1), st.m);
      assert.deepEqual(Float64Array.from(wa.mom2), st.v);
    }
    // Parameters moved, and the moments are the literal Adam recursion for one coordinate.
    assert.ok(wa.params.some((x, i) => x !== init[i]));
  }
});

Deno.test("WasmAdam: one step from zero moments is w − lr·sign(g) up to ε (literal Adam)", () => {
  const [n, m, p] = [4, 5, 3];
  const rng = new Rng(2);
  const size = m * p + (p - 1) * m;
  const init = rng.fillUniform(new Float64Array(size), -1, 1);
  const wa = new WasmAdam(m, p, init);
  const fb = fusedBatch(m, p, n, 1);
  const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
  const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
  fusedPrompt(fb, wa.blocks, X, theta, new Float64Array(p - 1).fill(3), 0, 1);
  wa.step(fb, 0.01);
  // After one step m̂ = g, v̂ = g², so the move is lr·g/(|g| + ε) ≈ lr·sign(g).
  for (let i = 0; i < size; i++) {
    const moved = init[i] - wa.params[i];
    assert.ok(Math.abs(Math.abs(moved) - 0.01) < 1e-6, `entry ${i} moved ${moved}`);
  }
});

Deno.test("WasmAdam batched steps (B > 1, partial last group) are bit-identical to fusedStep", () => {
  const rng = new Rng(33);
  for (const [n, m, p, cap] of [[20, 73, 37, 64], [4, 9, 6, 5], [3, 17, 2, 3]]) {
    const size = m * p + (p - 1) * m;
    const init = rng.fillUniform(new Float64Array(size), -1, 1);
    const wa = new WasmAdam(m, p, init, cap);
    const ts = Float64Array.from(init);
    const tsBlk = { m, p, P12: ts.subarray(0, m * p), V21bar: ts.subarray(m * p) };
    const st = fusedAdam(size);
    const fbW = fusedBatch(m, p, n, cap), fbT = fusedBatch(m, p, n, cap);
    for (const B of [cap, cap, Math.max(1, cap - 2), 1, cap]) {
      for (let b = 0; b < B; b++) {
        const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
        const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
        const target = rng.fillUniform(new Float64Array(p - 1), -1, 1);
        fusedPrompt(fbW, wa.blocks, X, theta, target, b, 1 / B);
        fusedPrompt(fbT, tsBlk, X, theta, target, b, 1 / B);
      }
      wa.step(fbW, 3e-3, B);
      fusedStep(tsBlk, fbT, B, st, 3e-3);
      assert.deepEqual(Float64Array.from(wa.params), ts);
      assert.deepEqual(Float64Array.from(wa.mom2), st.v);
    }
  }
});

Deno.test("WasmAdam rejects wrong sizes", () => {
  assert.throws(() => new WasmAdam(5, 3, new Float64Array(4)), /init has 4 entries/);
  const wa = new WasmAdam(5, 3, new Float64Array(25));
  assert.throws(() => wa.step(fusedBatch(6, 3, 4, 1), 0.1), /factors are for \(m=6, p=3\)/);
  assert.throws(() => new WasmAdam(5, 1, new Float64Array(5)), /p/);
  assert.throws(() => wa.step(fusedBatch(5, 3, 4, 4), 0.1, 2), /B must be in 1…1, got 2/);
});

Deno.test("WasmAdam.prompt: loss and factors bit-identical to fusedPrompt (odd and even dims)", () => {
  const rng = new Rng(44);
  const dims = [
    [20, 73, 37, 3],
    [20, 82, 41, 2],
    [5, 7, 4, 2],
    [3, 6, 2, 1],
    [9, 12, 9, 4],
    [
      1,
      1,
      2,
      1,
    ],
    [8, 16, 10, 2],
    [17, 19, 18, 3],
  ];
  for (const [n, m, p, cap] of dims) {
    const size = m * p + (p - 1) * m;
    const init = rng.fillUniform(new Float64Array(size), -1, 1);
    const wa = new WasmAdam(m, p, init, cap, n);
    const blk = { m, p, P12: init.subarray(0, m * p), V21bar: init.subarray(m * p) };
    const fb = fusedBatch(m, p, n, cap);
    for (let b = 0; b < cap; b++) {
      const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
      const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
      const target = rng.fillUniform(new Float64Array(p - 1), -1, 1);
      wa.tokens(b).set(X);
      const scale = 1 / (b + 1.5);
      const got = wa.prompt(b, theta, target, scale);
      const want = fusedPrompt(fb, blk, X, theta, target, b, scale);
      assert.ok(Object.is(got, want), `(n=${n}, m=${m}, p=${p}) loss ${got} vs ${want}`);
    }
    // The factors the wasm step uses equal fusedPrompt's, so the steps are the same bits.
    const ts = Float64Array.from(init);
    const tsBlk = { m, p, P12: ts.subarray(0, m * p), V21bar: ts.subarray(m * p) };
    const st = fusedAdam(size);
    wa.step(null, 1e-2, cap);
    fusedStep(tsBlk, fb, cap, st, 1e-2);
    assert.deepEqual(Float64Array.from(wa.params), ts, `(n=${n}, m=${m}, p=${p})`);
    assert.deepEqual(Float64Array.from(wa.mom2), st.v);
  }
});

Deno.test("WasmAdam.prompt: the literal readout (explicit Σ̂, P12 θ̃, V̄21 z) and a NaN parameter", () => {
  const [n, m, p] = [3, 4, 3];
  const rng = new Rng(5);
  const size = m * p + (p - 1) * m;
  const init = rng.fillUniform(new Float64Array(size), -1, 1);
  const wa = new WasmAdam(m, p, init, 1, n);
  const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
  const theta = [0.3, -0.7], target = [0.1, 0.2];
  wa.tokens(0).set(X);
  // Literal: u = P12 (1, θ), Σ̂ = (1/n) Σ_i x_i x_iᵀ, z = Σ̂ u, out = θ + V̄21 z.
  const u = Array.from(
    { length: m },
    (_, r) => init[r * p] + init[r * p + 1] * theta[0] + init[r * p + 2] * theta[1],
  );
  const z = Array.from({ length: m }, (_, r) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) acc += X[i * m + r] * X[i * m + j] * u[j] / n;
    }
    return acc;
  });
  let loss = 0;
  for (let k = 0; k < p - 1; k++) {
    let out = theta[k];
    for (let j = 0; j < m; j++) out += init[m * p + k * m + j] * z[j];
    loss += 0.5 * (out - target[k]) ** 2;
  }
  assert.ok(Math.abs(wa.prompt(0, theta, target, 1) - loss) < 1e-12 * (1 + loss));
  wa.params[2] = NaN;
  assert.ok(Number.isNaN(wa.prompt(0, theta, target, 1)));
});

Deno.test("WasmAdam.prompt / tokens / step(null) reject bad input", () => {
  const wa = new WasmAdam(5, 3, new Float64Array(25), 2, 4);
  assert.throws(() => wa.tokens(2), /slot b must be an integer in 0…1, got 2/);
  assert.throws(() => wa.prompt(0, [1], [1, 2], 1), /theta has 1 entries, need 2/);
  assert.throws(() => wa.prompt(0, [1, 2], [1, 2, 3], 1), /target has 3 entries, need 2/);
  const bare = new WasmAdam(5, 3, new Float64Array(25));
  assert.throws(() => bare.tokens(0), /construct WasmAdam with n > 0/);
  assert.throws(() => bare.step(null, 0.1), /needs factors from prompt\(\)/);
  assert.throws(() => wa.step(null, 0.1, 3), /B must be in 1…2, got 3/);
});

Deno.test("WasmAdam.prompt(…, X): tokens in place (extraRegion), copied, or in the slot: same bits", () => {
  const [n, m, p] = [7, 9, 5];
  const rng = new Rng(12);
  const init = rng.fillUniform(new Float64Array(m * p + (p - 1) * m), -1, 1);
  const wa = new WasmAdam(m, p, init, 2, n, 3 * n * m);
  const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
  const theta = [0.1, 0.2, -0.3, 0.4], target = [1, 0, -1, 0.5];
  const inPlace = wa.extraRegion().subarray(n * m, 2 * n * m); // an odd offset in the region
  inPlace.set(X);
  const a = wa.prompt(1, theta, target, 0.5, inPlace);
  const b = wa.prompt(1, theta, target, 0.5, X); // copied into slot 1
  wa.tokens(1).set(X);
  const c = wa.prompt(1, theta, target, 0.5);
  assert.ok(Object.is(a, b) && Object.is(b, c), `${a} ${b} ${c}`);
  assert.throws(
    () => wa.prompt(0, theta, target, 1, new Float64Array(5)),
    /X must be a Float64Array of n·m = 63 tokens, got 5/,
  );
  assert.throws(() => new WasmAdam(m, p, init, 1, n, -1), /extra/);
});
