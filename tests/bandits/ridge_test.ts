import assert from "node:assert/strict";
import { solve } from "../../lib/core/linalg.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  armScores,
  blockMatVec,
  diagonalBlocks,
  quadraticForm,
  shermanMorrison,
} from "../../lib/bandits/ridge.ts";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${i}: ${a[i]} ${b[i]}`);
  }
};

/** A random symmetric positive definite d × d matrix. */
function spd(rng: Rng, d: number): Float64Array {
  const G = Float64Array.from({ length: d * d }, () => rng.normal());
  const M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < d; k++) s += G[i * d + k] * G[j * d + k];
      M[i * d + j] = s;
    }
  }
  return M;
}

/** The inverse of a d × d matrix, column by column with `solve`. */
function inverse(C: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const e = new Float64Array(d);
    e[j] = 1;
    const x = solve(C.slice(), e, d);
    for (let i = 0; i < d; i++) out[i * d + j] = x[i];
  }
  return out;
}

Deno.test("diagonalBlocks puts diag on the diagonal of each block and zeros elsewhere", () => {
  const M = diagonalBlocks(3, 2, 4);
  assert.deepEqual(Array.from(M), [4, 0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 4]);
});

Deno.test("blockMatVec and quadraticForm read the block and vector at their offsets", () => {
  const rng = new Rng(3), d = 4;
  const M = new Float64Array(2 * d * d).map(() => rng.normal());
  const x = new Float64Array(3 * d).map(() => rng.normal());
  const want = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) want[i] += M[d * d + i * d + j] * x[d + j];
  }
  const v = new Float64Array(d);
  close(blockMatVec(M, d * d, d, x, d, new Float64Array(d)), want);
  let q = 0;
  for (let i = 0; i < d; i++) q += x[d + i] * want[i];
  assert.ok(Math.abs(quadraticForm(M, d * d, d, x, d, v) - q) < 1e-12);
  close(v, want);
});

Deno.test("shermanMorrison turns (C)⁻¹ into (C + a aᵀ/s)⁻¹", () => {
  const rng = new Rng(5), d = 3;
  for (const s of [1, 2.25]) {
    const C = spd(rng, d), a = Float64Array.from({ length: d }, () => rng.normal());
    const M = new Float64Array(2 * d * d);
    M.set(inverse(C, d), d * d);
    const arr = new Float64Array(d + 1);
    arr.set(a, 1);
    shermanMorrison(M, d * d, d, arr, 1, s, new Float64Array(d));
    const C2 = C.slice();
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) C2[i * d + j] += (a[i] * a[j]) / s;
    close(M.subarray(d * d), inverse(C2, d), 1e-10);
    close(M.subarray(0, d * d), new Float64Array(d * d)); // the other block untouched
  }
});

Deno.test("armScores is θᵀa for every arm from the offset", () => {
  const out = armScores([2, -1], [9, 9, 1, 0, 0, 1, 3, 4], 2, 3, 2, new Float64Array(3));
  assert.deepEqual(Array.from(out), [2, -1, 2]);
});
