import assert from "node:assert/strict";
import { randomMdp } from "../../lib/mdp/mdp.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  policyReturn,
  policyValue,
  uniformReturn,
  valueIteration,
} from "../../lib/mdp/evaluate.ts";
import { uniformPolicy } from "../../lib/mdp/policy.ts";

Deno.test("exact J matches a long Monte-Carlo estimate within 4 standard errors", () => {
  const rng = new Rng(21);
  const mdp = randomMdp(rng);
  const pi = new Float64Array(36);
  for (let s = 0; s < 9; s++) rng.dirichlet(1, 4, pi, s * 4);
  const J = policyReturn(mdp, pi);
  const N = 40_000;
  let s1 = 0, s2 = 0;
  for (let ep = 0; ep < N; ep++) {
    let s = rng.categorical(mdp.p0);
    let G = 0, disc = 1;
    for (let t = 0; t < 60; t++) { // γ^60 < 1e-18: truncation is negligible
      const a = rng.categorical(pi, s * 4, 4);
      const base = (s * 4 + a) * 9;
      const s2n = rng.categorical(mdp.P, base, 9);
      G += disc * mdp.R[base + s2n];
      disc *= mdp.gamma;
      s = s2n;
    }
    s1 += G;
    s2 += G * G;
  }
  const mean = s1 / N, se = Math.sqrt((s2 / N - mean * mean) / N);
  assert.ok(Math.abs(mean - J) < 4 * se, `MC ${mean} ± ${se} vs exact ${J}`);
});

Deno.test("policyValue satisfies the Bellman equation v = r_π + γ P_π v", () => {
  const mdp = randomMdp(new Rng(22));
  const pi = uniformPolicy(9, 4);
  const v = policyValue(mdp, pi);
  for (let s = 0; s < 9; s++) {
    let rhs = 0;
    for (let a = 0; a < 4; a++) {
      for (let s2 = 0; s2 < 9; s2++) {
        const i = (s * 4 + a) * 9 + s2;
        rhs += pi[s * 4 + a] * mdp.P[i] * (mdp.R[i] + mdp.gamma * v[s2]);
      }
    }
    assert.ok(Math.abs(rhs - v[s]) < 1e-12);
  }
});

Deno.test("value iteration's policy beats every deterministic policy (brute force)", () => {
  for (const seed of [1, 2, 3]) {
    const mdp = randomMdp(new Rng(seed), { nS: 4, nA: 3, gamma: 0.9 });
    const opt = valueIteration(mdp);
    let best = -Infinity;
    const pi = new Float64Array(12);
    for (let code = 0; code < 3 ** 4; code++) {
      pi.fill(0);
      let c = code;
      for (let s = 0; s < 4; s++) {
        pi[s * 3 + (c % 3)] = 1;
        c = Math.floor(c / 3);
      }
      const v = policyValue(mdp, pi);
      // optimal value dominates state-wise
      for (let s = 0; s < 4; s++) assert.ok(v[s] <= opt.v[s] + 1e-9);
      best = Math.max(best, policyReturn(mdp, pi));
    }
    assert.ok(Math.abs(opt.J - best) < 1e-9, `VI ${opt.J} vs brute force ${best}`);
  }
});

Deno.test("oracle ≥ uniform-random return", () => {
  for (let seed = 0; seed < 20; seed++) {
    const mdp = randomMdp(new Rng(seed));
    assert.ok(valueIteration(mdp).J >= uniformReturn(mdp) - 1e-12);
  }
});

Deno.test("policy evaluation rejects a policy that does not sum to 1", () => {
  const mdp = randomMdp(new Rng(0), { nS: 2, nA: 2 });
  assert.throws(() => policyValue(mdp, [0.5, 0.6, 0.5, 0.5]), /pi\(·\|s=0\) must sum to 1/);
  assert.throws(() => policyValue(mdp, [1, 0]), /pi must have length 4/);
  assert.throws(() => policyValue(mdp, [NaN, 1, 0.5, 0.5]), /pi\[0\] must be finite, got NaN/);
});
