import assert from "node:assert/strict";
import {
  expectedReward,
  lowRankFeatures,
  oneHotFeatures,
  randomFeatures,
  randomMdp,
  randomStateFeatures,
  validateFeatures,
  validateMdp,
} from "../../lib/mdp/mdp.ts";
import { Rng } from "../../lib/core/rng.ts";
import { epsGreedyPolicy } from "../../lib/mdp/policy.ts";
import { rollout, sampleInitialState } from "../../lib/mdp/rollout.ts";

Deno.test("randomMdp has MATH §1 defaults and valid rows", () => {
  const mdp = validateMdp(randomMdp(new Rng(0)));
  assert.equal(mdp.nS, 9);
  assert.equal(mdp.nA, 4);
  assert.equal(mdp.gamma, 0.5);
  assert.equal(mdp.P.length, 9 * 4 * 9);
  for (const r of mdp.R) assert.ok(r >= -1 && r < 1);
});

Deno.test("same seed gives an identical MDP, features and trajectory", () => {
  const make = (seed: number) => {
    const rng = new Rng(seed);
    const mdp = randomMdp(rng);
    const feat = randomFeatures(rng, 9, 4);
    const w = rng.fillUniform(new Float64Array(36), -1, 1);
    const traj = rollout(mdp, epsGreedyPolicy(feat, w, 0.1), sampleInitialState(mdp, rng), 50, rng);
    return { mdp, feat, traj };
  };
  const a = make(17), b = make(17), c = make(18);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.mdp.P, c.mdp.P);
  assert.notDeepEqual(a.traj.s, c.traj.s);
});

Deno.test("Dirichlet(1) transition rows have mean 1/|S| per entry", () => {
  const rng = new Rng(1);
  const acc = new Float64Array(9);
  const N = 400;
  for (let i = 0; i < N; i++) {
    const mdp = randomMdp(rng);
    for (let sa = 0; sa < 36; sa++) for (let s2 = 0; s2 < 9; s2++) acc[s2] += mdp.P[sa * 9 + s2];
  }
  // Each entry ~ Beta(1, 8): mean 1/9, sd ≈ 0.099; average of N·36 draws.
  for (const x of acc) assert.ok(Math.abs(x / (N * 36) - 1 / 9) < 5 * 0.099 / Math.sqrt(N * 36));
});

Deno.test("expectedReward equals a brute-force sum over next states", () => {
  const mdp = randomMdp(new Rng(2), { nS: 3, nA: 2 });
  const rbar = expectedReward(mdp);
  for (let s = 0; s < 3; s++) {
    for (let a = 0; a < 2; a++) {
      let e = 0;
      for (let s2 = 0; s2 < 3; s2++) e += mdp.P[(s * 2 + a) * 3 + s2] * mdp.R[(s * 2 + a) * 3 + s2];
      assert.ok(Math.abs(rbar[s * 2 + a] - e) < 1e-15);
    }
  }
});

Deno.test("feature generators have the documented shapes", () => {
  const f = randomFeatures(new Rng(3), 9, 4);
  assert.equal(f.d, 36);
  assert.equal(f.phi.length, 36 * 36);
  for (const x of f.phi) assert.ok(x >= -1 && x < 1);
  const oh = oneHotFeatures(3, 2);
  assert.deepEqual(Array.from(oh.phi.subarray(6 * 2, 6 * 3)), [0, 0, 1, 0, 0, 0]);
  const sf = randomStateFeatures(new Rng(4), 9);
  assert.equal(sf.d, 9);
  assert.equal(sf.psi.length, 81);
});

Deno.test("low-rank features have Gram rank equal to the requested rank", () => {
  const f = lowRankFeatures(new Rng(5), 4, 3, 8, 2);
  // Rank via Gaussian elimination on the 12×8 matrix.
  const rows = Array.from({ length: 12 }, (_, i) => Array.from(f.phi.subarray(i * 8, i * 8 + 8)));
  let rank = 0;
  for (let col = 0; col < 8 && rank < 12; col++) {
    let piv = -1, best = 1e-10;
    for (let r = rank; r < 12; r++) {
      if (Math.abs(rows[r][col]) > best) [best, piv] = [Math.abs(rows[r][col]), r];
    }
    if (piv < 0) continue;
    [rows[rank], rows[piv]] = [rows[piv], rows[rank]];
    for (let r = rank + 1; r < 12; r++) {
      const fct = rows[r][col] / rows[rank][col];
      for (let k = col; k < 8; k++) rows[r][k] -= fct * rows[rank][k];
    }
    rank++;
  }
  assert.equal(rank, 2);
});

Deno.test("validateMdp names the bad row, value or shape", () => {
  const mdp = randomMdp(new Rng(6), { nS: 3, nA: 2 });
  const P = Float64Array.from(mdp.P);
  P[(1 * 2 + 1) * 3 + 0] += 0.01;
  assert.throws(() => validateMdp({ ...mdp, P }), /P\(·\|s=1,a=1\) must sum to 1/);
  const R = Float64Array.from(mdp.R);
  R[4] = NaN;
  assert.throws(() => validateMdp({ ...mdp, R }), /mdp\.R\[4\] must be finite, got NaN/);
  assert.throws(
    () => validateMdp({ ...mdp, p0: new Float64Array(2) }),
    /mdp\.p0 must have length 3/,
  );
  assert.throws(() => validateMdp({ ...mdp, gamma: 1.5 }), /mdp\.gamma.*1\.5/);
  assert.throws(() => randomMdp(new Rng(0), { nS: 0 }), /nS.*got 0/);
  assert.throws(() => randomMdp(new Rng(0), { gamma: -0.1 }), /gamma.*-0\.1/);
  const f = randomFeatures(new Rng(0), 4, 2, 3);
  assert.throws(() => validateFeatures(f, mdp), /\|S\|=4.*\|S\|=3/);
  assert.throws(() => randomFeatures(new Rng(0), 3, 2, 0), /d.*got 0/);
});
