import assert from "node:assert/strict";
import { kernelMemory, kernels, simdPeakGflops } from "../../lib/core/wasm_kernels.ts";

Deno.test("kernelMemory: whole shared pages, at least the bytes asked for; bad sizes refused", () => {
  const mem = kernelMemory(65537);
  assert.equal(mem.buffer.byteLength, 2 * 65536);
  assert.ok(mem.buffer instanceof SharedArrayBuffer);
  assert.throws(() => kernelMemory(0), /bytes/);
  assert.throws(() => kernelMemory(1.5), /bytes/);
});

Deno.test("kernels: outer is the literal a[i]·b[j]; peak is reps·a·Σx (16 chains, exact here)", () => {
  const mem = kernelMemory(4096), k = kernels(mem);
  const f = new Float64Array(mem.buffer, 0, 512);
  f.set([1.5, -2, 3], 0); // a at byte 0
  f.set([0.25, 4], 4); // b at byte 32
  k.outer(64, 0, 3, 32, 2); // dst at byte 64 (index 8)
  assert.deepEqual(Array.from(f.subarray(8, 14)), [0.375, 6, -0.5, -8, 0.75, 12]);
  const x = f.subarray(16, 48); // 32 entries at byte 128: small integers, so every sum is exact
  x.forEach((_, i) => (x[i] = i % 5));
  const want = 3 * 0.5 * x.reduce((s, v) => s + v, 0);
  assert.equal(k.peak(128, 32, 3, 0.5), want);
});

Deno.test("simdPeakGflops: a positive finite rate; bad reps refused", () => {
  const g = simdPeakGflops(20, 1);
  assert.ok(Number.isFinite(g) && g > 0, `${g}`);
  assert.throws(() => simdPeakGflops(0), /reps/);
  assert.throws(() => simdPeakGflops(1, 0), /runs/);
});
