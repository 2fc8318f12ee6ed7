import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  blocksToParams,
  fullView,
  modelParams,
  paramsToBlocks,
  type RestrictedBlocks,
  restrictedSize,
  restrictedView,
} from "../../lib/icrl/lsa.ts";
import {
  fastReadoutScratch,
  fusedReadout,
  restrictedForward,
  restrictedReadout,
  restrictedScratch,
  rowDots,
  weightedRowSum,
} from "../../lib/icrl/restricted.ts";
import { lsaReadout } from "../../lib/icrl/lsa.ts";
import { buildPrompt } from "../../lib/icrl/prompt.ts";
import { DEFAULT_TASK } from "../../lib/icrl/tasks.ts";

function randomBlocks(rng: Rng, m: number, p: number): RestrictedBlocks {
  const flat = rng.fillUniform(new Float64Array(restrictedSize(m, p)), -1, 1);
  return restrictedView(flat, m, p);
}

Deno.test("restricted readouts: reference, unchecked forward and fast kernel agree bit for bit", () => {
  const rng = new Rng(3);
  for (const [m, p, n] of [[7, 4, 5], [13, 9, 20], [3, 2, 1]]) {
    const b = randomBlocks(rng, m, p);
    const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
    const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
    const ref = Float64Array.from(restrictedReadout(b, X, n, theta, restrictedScratch(m, p, n)));
    assert.deepEqual(restrictedForward(b, X, n, theta, restrictedScratch(m, p, n)), ref);
    const out = new Float64Array(p - 1);
    assert.deepEqual(fusedReadout(fastReadoutScratch(m, p, n), b, X, theta, out), ref);
    // …and the dense readout of the embedded block to round-off (MATH §4, Lemma C.1).
    const dense = lsaReadout(blocksToParams(b), buildPrompt(X, n, m, theta));
    dense.forEach((v, k) => assert.ok(Math.abs(v - ref[k]) < 1e-12, `entry ${k}`));
  }
});

Deno.test("rowDots and weightedRowSum are the token products x_iᵀv and (1/n)Σ s_i x_i", () => {
  const X = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10); // 5 rows of 2
  const out = new Float64Array(5);
  rowDots(X, Float64Array.of(1, -1), 5, 2, out);
  assert.deepEqual(out, Float64Array.of(-1, -1, -1, -1, -1));
  const acc = new Float64Array(2);
  weightedRowSum(X, Float64Array.of(1, 0, 0, 0, 1), 0.5, 5, 2, acc);
  assert.deepEqual(acc, Float64Array.of(5, 6));
});

Deno.test("flat views share memory with the trainer's vector; conversions round-trip", () => {
  const flat = new Float64Array(restrictedSize(5, 3));
  assert.equal(flat.length, 5 * 3 + 2 * 5);
  const v = restrictedView(flat, 5, 3);
  v.P12[2] = 7;
  v.V21bar[0] = -1;
  assert.equal(flat[2], 7);
  assert.equal(flat[15], -1);
  assert.throws(() => restrictedView(new Float64Array(3), 5, 3), /length m·p \+ \(p−1\)·m = 25/);
  const full = fullView(new Float64Array(2 * 64), 8);
  full.V[0] = 2;
  assert.equal(full.V.length, 64);
  assert.throws(() => fullView(new Float64Array(10), 8), /2·D² = 128/);
  const b = paramsToBlocks(blocksToParams(v), 5);
  assert.deepEqual(b.P12, v.P12);
  assert.deepEqual(b.V21bar, v.V21bar);
});

Deno.test("modelParams: full models give their own matrices", () => {
  const rng = new Rng(1);
  const D = 3 * 36 + 2;
  const full = { D, P: rng.fillUniform(new Float64Array(D * D)), V: new Float64Array(D * D) };
  const model = {
    task: DEFAULT_TASK,
    param: "full" as const,
    blocks: paramsToBlocks(full, 73),
    full,
  };
  assert.equal(modelParams(model), full);
});
