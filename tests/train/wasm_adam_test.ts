import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { fusedAdam, fusedBatch, fusedPrompt, fusedStep } from "../../lib/train/fused.ts";
import { WasmAdam } from "../../lib/train/wasm_adam.ts";
import { adam } from "../../lib/core/optim.ts";
import { restrictedLossGrad } from "../../lib/icrl/grad.ts";
import { assembleWat, moduleText } from "../../scripts/build_wasm.ts";
import { restrictedScratch } from "../../lib/icrl/restricted.ts";

Deno.test("the committed wasm module is exactly what scripts/build_wasm.ts assembles from the WAT", async () => {
  const src = await Deno.readTextFile(new URL("../../lib/train/wasm/kernels.wat", import.meta.url));
  const committed = await Deno.readTextFile(
    new URL("../../lib/train/wasm/kernels_wasm.ts", import.meta.url),
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
