import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { lastColumnQuery, type LsaParams, lsaReadout } from "../../lib/icrl/lsa.ts";
import { buildPrompt, buildSarsaPrompt, type Prompt } from "../../lib/icrl/prompt.ts";
import { relErr, scenario } from "../helpers.ts";
import { lemmaC1Readout, lsaForwardLiteral, lsaReadoutLiteral } from "./lsa_reference.ts";

function randomParams(rng: Rng, D: number): LsaParams {
  return {
    D,
    P: rng.fillUniform(new Float64Array(D * D), -1, 1),
    V: rng.fillUniform(new Float64Array(D * D), -1, 1),
  };
}

function randomPrompt(rng: Rng, n: number, m: number, p: number): Prompt {
  return buildPrompt(
    rng.fillUniform(new Float64Array(n * m), -1, 1),
    n,
    m,
    rng.fillUniform(new Float64Array(p - 1), -1, 1),
  );
}

Deno.test("fast readout == literal Eq. 1 == Lemma C.1 on random P, V, H (float64 ≤ 1e-12)", () => {
  const rng = new Rng(100);
  for (const [n, m, p] of [[1, 3, 2], [5, 7, 4], [20, 73, 37], [64, 9, 5], [3, 30, 12]]) {
    const params = randomParams(rng, m + p);
    const prompt = randomPrompt(rng, n, m, p);
    const lit = lsaReadoutLiteral(params, prompt);
    const fast = lsaReadout(params, prompt);
    const c1 = lemmaC1Readout(params, prompt);
    assert.equal(fast.length, p - 1);
    assert.ok(relErr(fast, lit) <= 1e-12, `n=${n} m=${m}: fast vs literal ${relErr(fast, lit)}`);
    assert.ok(relErr(c1, lit) <= 1e-12, `n=${n} m=${m}: C.1 vs literal ${relErr(c1, lit)}`);
  }
});

Deno.test("literal Eq. 1 matches a scalar triple loop over (V H)(Hᵀ P H)", () => {
  const rng = new Rng(101);
  const n = 4, m = 3, p = 2, D = 5, c = n + 1;
  const params = randomParams(rng, D);
  const prompt = randomPrompt(rng, n, m, p);
  const H = prompt.H;
  const out = lsaForwardLiteral(params, prompt);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < c; j++) {
      let acc = 0;
      for (let k = 0; k < c; k++) {
        let vh = 0;
        for (let r = 0; r < D; r++) vh += params.V[i * D + r] * H[r * c + k];
        let hph = 0;
        for (let r = 0; r < D; r++) {
          for (let s = 0; s < D; s++) hph += H[r * c + k] * params.P[r * D + s] * H[s * c + j];
        }
        acc += vh * hph;
      }
      assert.ok(Math.abs(out[i * c + j] - (H[i * c + j] + acc / n)) < 1e-12);
    }
  }
});

Deno.test("H Hᵀ is block-diagonal: token rows never mix with the parameter column", () => {
  const rng = new Rng(102);
  const prompt = randomPrompt(rng, 6, 5, 3);
  const { D, H, n, m } = prompt;
  const c = n + 1;
  for (let r = 0; r < m; r++) {
    for (let s = m; s < D; s++) {
      let acc = 0;
      for (let j = 0; j < c; j++) acc += H[r * c + j] * H[s * c + j];
      assert.equal(acc, 0);
    }
  }
});

Deno.test("SARSA prompt layout follows MATH §4", () => {
  const { traj, feat, w } = scenario(1, 3, 2, 3, 2);
  const pr = buildSarsaPrompt(traj, feat, 0.5, w);
  assert.equal(pr.D, 3 * 2 + 2);
  const c = 4;
  const phi = (s: number, a: number, k: number) => feat.phi[(s * 2 + a) * 2 + k];
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < 2; k++) {
      assert.equal(pr.H[k * c + i], phi(traj.s[i], traj.a[i], k));
      assert.equal(pr.H[(2 + k) * c + i], 0.5 * phi(traj.s[i + 1], traj.a[i + 1], k));
    }
    assert.equal(pr.H[4 * c + i], traj.r[i]);
    for (let r = 5; r < 8; r++) assert.equal(pr.H[r * c + i], 0);
  }
  assert.deepEqual(Array.from({ length: 8 }, (_, r) => pr.H[r * c + 3]), [0, 0, 0, 0, 0, 1, ...w]);
});

Deno.test("LSA and prompt inputs are validated with named values", () => {
  const rng = new Rng(103);
  const prompt = randomPrompt(rng, 3, 3, 2);
  assert.throws(() => lsaReadout(randomParams(rng, 6), prompt), /D=5 rows but params are 6×6/);
  const bad = randomParams(rng, 5);
  bad.P[7] = NaN;
  assert.throws(() => lsaReadout(bad, prompt), /params\.P\[7\] must be finite, got NaN/);
  assert.throws(() => buildPrompt(new Float64Array(5), 2, 3, [1]), /tokens must have length 6/);
  assert.throws(() => buildPrompt(new Float64Array(6), 2, 3, [Infinity]), /theta\[0\].*Infinity/);
});

Deno.test("lastColumnQuery equals P times the last column of H, written out", () => {
  const rng = new Rng(11);
  const D = 4, c = 3;
  const P = rng.fillUniform(new Float64Array(D * D), -1, 1);
  const H = rng.fillUniform(new Float64Array(D * c), -1, 1);
  const q = lastColumnQuery(P, H, D, c);
  for (let i = 0; i < D; i++) {
    let want = 0;
    for (let k = 0; k < D; k++) want += P[i * D + k] * H[k * c + (c - 1)];
    assert.equal(q[i], want);
  }
});
