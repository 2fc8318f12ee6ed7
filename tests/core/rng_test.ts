import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";

Deno.test("same seed gives the same stream; different seeds differ", () => {
  const a = new Rng(123), b = new Rng(123), c = new Rng(124);
  const xa = Array.from({ length: 100 }, () => a.nextUint32());
  const xb = Array.from({ length: 100 }, () => b.nextUint32());
  const xc = Array.from({ length: 100 }, () => c.nextUint32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

Deno.test("stream is pinned: first draws of seed 0 never change across machines", () => {
  const r = new Rng(0);
  const got = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
  // Recorded once; a change here means every committed result changes too.
  assert.deepEqual(got, PINNED_SEED0);
});
const PINNED_SEED0 = [4003440872, 227787785, 3092420098];

Deno.test("xoshiro128** core matches the reference outputs for state [1,2,3,4]", () => {
  // Reference sequence of xoshiro128** from state {1, 2, 3, 4} (Blackman & Vigna's C code).
  const r = Rng.fromRawState([1, 2, 3, 4]);
  const got = Array.from({ length: 10 }, () => r.nextUint32());
  assert.deepEqual(got, [
    11520,
    0,
    5927040,
    70819200,
    2031721883,
    1637235492,
    1287239034,
    3734860849,
    3729100597,
    4258142804,
  ]);
  assert.throws(() => Rng.fromRawState([0, 0, 0, 0]), /not all zero/);
});

Deno.test("uniform has the moments of Unif[0,1)", () => {
  const r = new Rng(1);
  const N = 200_000;
  let s = 0, s2 = 0, min = 1, max = 0;
  for (let i = 0; i < N; i++) {
    const u = r.uniform();
    s += u;
    s2 += u * u;
    min = Math.min(min, u);
    max = Math.max(max, u);
  }
  const mean = s / N, variance = s2 / N - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / N), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 2e-3, `variance ${variance}`);
  assert.ok(min >= 0 && max < 1);
});

Deno.test("normal has mean 0 and variance 1", () => {
  const r = new Rng(2);
  const N = 200_000;
  let s = 0, s2 = 0;
  for (let i = 0; i < N; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / N) < 4 / Math.sqrt(N));
  assert.ok(Math.abs(s2 / N - 1) < 0.02);
});

Deno.test("gamma(k) has mean k and variance k, for k < 1 and k > 1", () => {
  for (const k of [0.3, 1, 2.5]) {
    const r = new Rng(3);
    const N = 100_000;
    let s = 0, s2 = 0;
    for (let i = 0; i < N; i++) {
      const g = r.gamma(k);
      s += g;
      s2 += g * g;
    }
    const mean = s / N, variance = s2 / N - mean * mean;
    assert.ok(Math.abs(mean - k) < 5 * Math.sqrt(k / N), `k=${k} mean ${mean}`);
    assert.ok(Math.abs(variance - k) < 0.05 * k + 0.01, `k=${k} variance ${variance}`);
  }
});

Deno.test("dirichlet has the closed-form mean and variance", () => {
  const alpha = [0.5, 1, 2, 4];
  const a0 = alpha.reduce((x, y) => x + y);
  const r = new Rng(4);
  const N = 50_000;
  const s = new Float64Array(4), s2 = new Float64Array(4);
  for (let i = 0; i < N; i++) {
    const p = r.dirichlet(alpha);
    assert.ok(Math.abs(p.reduce((x, y) => x + y) - 1) < 1e-12);
    for (let k = 0; k < 4; k++) {
      s[k] += p[k];
      s2[k] += p[k] * p[k];
    }
  }
  for (let k = 0; k < 4; k++) {
    const mean = alpha[k] / a0;
    const variance = (alpha[k] * (a0 - alpha[k])) / (a0 * a0 * (a0 + 1));
    const m = s[k] / N, v = s2[k] / N - m * m;
    assert.ok(Math.abs(m - mean) < 5 * Math.sqrt(variance / N), `k=${k} mean ${m} vs ${mean}`);
    assert.ok(Math.abs(v - variance) < 0.05 * variance, `k=${k} var ${v} vs ${variance}`);
  }
});

Deno.test("categorical frequencies match the probabilities (chi-square)", () => {
  const p = [0.1, 0.2, 0.3, 0.4];
  const r = new Rng(5);
  const N = 100_000;
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < N; i++) counts[r.categorical(p)]++;
  let chi2 = 0;
  for (let k = 0; k < 4; k++) chi2 += (counts[k] - N * p[k]) ** 2 / (N * p[k]);
  assert.ok(chi2 < 16.27, `chi2 ${chi2} (p < 0.001 threshold for 3 dof)`);
});

Deno.test("categorical never returns a zero-probability index", () => {
  const r = new Rng(6);
  for (let i = 0; i < 10_000; i++) assert.notEqual(r.categorical([0.5, 0.5, 0]), 2);
});

Deno.test("int(n) is uniform on {0..n-1}", () => {
  const r = new Rng(7);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500);
});

Deno.test("10 seeds × 10 000 MDP streams are pairwise distinct (64-bit fingerprints)", () => {
  const seen = new Set<string>();
  for (let seed = 0; seed < 10; seed++) {
    const mdp = new Rng(seed).fork("mdp");
    for (let k = 0; k < 10_000; k++) {
      const r = mdp.fork(k);
      seen.add(`${r.nextUint32()}:${r.nextUint32()}`);
    }
  }
  assert.equal(seen.size, 100_000);
});

Deno.test("fork is independent of draws already made and differs per label", () => {
  const a = new Rng(9), b = new Rng(9);
  for (let i = 0; i < 10; i++) b.uniform();
  assert.equal(a.fork("x").uniform(), b.fork("x").uniform());
  assert.notEqual(a.fork("x").uniform(), a.fork("y").uniform());
  assert.notEqual(a.fork(1).uniform(), a.fork(2).uniform());
  assert.notEqual(a.fork("x").uniform(), a.uniform());
});

Deno.test("forked streams are uncorrelated", () => {
  const root = new Rng(10);
  const x = root.fork("a"), y = root.fork("b");
  const N = 50_000;
  let sxy = 0;
  for (let i = 0; i < N; i++) sxy += (x.uniform() - 0.5) * (y.uniform() - 0.5);
  const corr = sxy / N / (1 / 12);
  assert.ok(Math.abs(corr) < 4 / Math.sqrt(N), `corr ${corr}`);
});

Deno.test("split consumes draws and gives a new stream", () => {
  const a = new Rng(11), b = new Rng(11);
  const c = a.split();
  b.nextUint32();
  b.nextUint32();
  b.nextUint32();
  b.nextUint32();
  assert.equal(a.uniform(), b.uniform());
  assert.notEqual(c.uniform(), new Rng(11).uniform());
});

Deno.test("bad RNG inputs are rejected with the value named", () => {
  assert.throws(() => new Rng(-1), /seed.*-1/);
  assert.throws(() => new Rng(1.5), /seed.*1\.5/);
  const r = new Rng(1);
  assert.throws(() => r.gamma(0), /shape.*0/);
  assert.throws(() => r.dirichlet([1, NaN]), /alpha\[1\].*NaN/);
  assert.throws(() => r.categorical([0.5, 0.6]), /sum to 1.*1\.1/);
  assert.throws(() => r.categorical([1.5, -0.5]), /-0\.5/);
  assert.throws(() => r.int(0), /n.*0/);
});

Deno.test("stateWords: fromRawState of the words continues the stream draw for draw", () => {
  const r = new Rng(12345);
  for (let i = 0; i < 7; i++) r.nextUint32();
  const words = r.stateWords();
  assert.equal(words.length, 4);
  for (const w of words) assert.ok(Number.isInteger(w) && w >= 0 && w < 2 ** 32);
  const c = Rng.fromRawState(words);
  for (let i = 0; i < 100; i++) assert.equal(c.nextUint32(), r.nextUint32());
  // distinct seeds give distinct 128-bit states
  const seen = new Set<string>();
  for (let s = 0; s < 2000; s++) seen.add(new Rng(s).stateWords().join(","));
  assert.equal(seen.size, 2000);
});
