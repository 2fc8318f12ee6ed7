// The Thompson-sampling transformer against independent float64 formulas (MATH §10.7).
import assert from "node:assert/strict";
import { maxAbsDiff, slotOf } from "../helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  ConstructionParameterError,
  NonFiniteInputError,
  TokenShapeError,
} from "../../lib/constructions/errors.ts";
import { actionSetToken, rewardToken } from "../../lib/constructions/layout.ts";
import {
  type BanditHistory,
  gram,
  quadraticIterates,
  rewardSum,
} from "../../lib/constructions/reference.ts";
import { CausalRunner, compileTransformer } from "../../lib/constructions/runner.ts";
import {
  buildThompson,
  padeWeights,
  symmetricRoots,
  THOMPSON_CONSTRUCTION,
  type ThompsonConstruction,
  thompsonExact,
  type ThompsonSpec,
} from "../../lib/constructions/thompson.ts";

const d = 5, A = 10;

function runOn(con: ThompsonConstruction, seed: number) {
  const T = con.spec.horizon;
  const rng = new Rng(seed);
  const arms = rng.fillUniform(new Float64Array(A * d), -1, 1);
  const hist: BanditHistory = { d, arms: new Float64Array(T * d), rewards: new Float64Array(T) };
  const zs: Float64Array[] = [];
  const states: Float64Array[][] = [];
  const run = new CausalRunner(compileTransformer(con.tf));
  for (let t = 1; t <= T; t++) {
    const z = Float64Array.from({ length: d }, () => rng.normal());
    zs.push(z);
    const layers: Float64Array[] = [];
    run.push(actionSetToken(con.layout, arms, t, [[con.noise, z]]), {
      probe: (_l, h) => layers.push(Float64Array.from(h)),
    });
    states.push(layers);
    const k = rng.int(A), r = 1.5 * rng.normal();
    hist.arms.set(arms.subarray(k * d, (k + 1) * d), (t - 1) * d);
    hist.rewards[t - 1] = r;
    run.push(rewardToken(con.layout, arms.subarray(k * d, (k + 1) * d), r, t), { output: false });
  }
  return { arms, hist, zs, states };
}

const small: ThompsonSpec = {
  ...THOMPSON_CONSTRUCTION,
  horizon: 8,
  padeTerms: 4,
  meanSteps: 30,
  padeSteps: 30,
  inverseSteps: 30,
};

Deno.test("TS: every step of the transformer is exact given its input (≤ 1e-9 relative)", () => {
  const con = buildThompson(small);
  const { arms, hist, zs, states } = runOn(con, 3);
  const m = small.padeTerms, lt = con.lambdaTilde, sigma = Math.sqrt(small.noiseVar);
  const rel = (got: ArrayLike<number>, want: ArrayLike<number>) => {
    let s = 1;
    for (let i = 0; i < want.length; i++) s = Math.max(s, Math.abs(want[i]));
    return maxAbsDiff(got, want) / s;
  };
  for (const t of [1, 2, 5, 8]) {
    const i = 2 * t - 1, st = states[t - 1], S = gram(hist, t - 1, lt);
    // 1. mean by AGD
    const mIt = quadraticIterates(S, rewardSum(hist, t - 1), i, con.eta, con.beta, small.meanSteps);
    for (let s = 1; s <= small.meanSteps; s++) {
      assert.ok(rel(slotOf(st[s], con.mean.x), mIt.subarray((s - 1) * d, s * d)) <= 1e-9);
    }
    // 2a. (Σ − μI) a_k
    const [, shiftEnd] = con.steps.shift;
    for (let k = 0; k < A; k++) {
      const want = new Float64Array(d);
      for (let r = 0; r < d; r++) {
        for (let c = 0; c < d; c++) {
          want[r] += (S[r * d + c] - (r === c ? con.mu : 0)) * arms[k * d + c];
        }
      }
      assert.ok(rel(slotOf(st[shiftEnd], con.y[k]), want) <= 1e-9, `t ${t} y${k}`);
      // 2b. Padé terms by AGD (with the transformer's own y_k)
      for (let j = 0; j < m; j++) {
        const G = new Float64Array(d * d);
        for (let n = 0; n < d * d; n++) G[n] = con.padeB[j] * S[n];
        for (let r = 0; r < d; r++) G[r * d + r] += con.mu * (1 - con.padeB[j]);
        const b = slotOf(st[shiftEnd], con.y[k]).map((v) => con.padeA[j] * v);
        const it = quadraticIterates(G, b, i, con.padeEta[j], con.padeBeta[j], small.padeSteps);
        for (const s of [1, 7, small.padeSteps]) {
          const got = slotOf(st[shiftEnd + s], con.pade[k * m + j].x);
          assert.ok(
            rel(got, it.subarray((s - 1) * d, s * d)) <= 1e-9,
            `t ${t} pade ${k},${j} layer ${s}`,
          );
        }
      }
      // 2c. ŝ = √μ (a + Σ_j x_kj)
      const [, combEnd] = con.steps.combine;
      const want2 = new Float64Array(d);
      for (let c = 0; c < d; c++) {
        let v = arms[k * d + c];
        for (let j = 0; j < m; j++) v += st[combEnd - 1][con.pade[k * m + j].x.offset + c];
        want2[c] = Math.sqrt(con.mu) * v;
      }
      assert.ok(rel(slotOf(st[combEnd], con.s[k]), want2) <= 1e-9);
      // 3. σΣ⁻¹ŝ by AGD
      const it = quadraticIterates(
        S,
        slotOf(st[combEnd], con.s[k]).map((v) => sigma * v),
        i,
        con.eta,
        con.beta,
        small.inverseSteps,
      );
      const got = slotOf(st[con.steps.inverse[1]], con.xhat[k].x);
      assert.ok(rel(got, it.subarray((small.inverseSteps - 1) * d)) <= 1e-9);
    }
    // 4′. u_k = ⟨μ̂, a_k⟩ + ⟨x̂_k, z⟩ exactly, logits u/τ
    const before = st[con.steps.sample[0]], after = st.at(-1)!;
    for (let k = 0; k < A; k++) {
      let u = 0;
      for (let c = 0; c < d; c++) {
        u += before[con.mean.x.offset + c] * arms[k * d + c] +
          before[con.xhat[k].x.offset + c] * zs[t - 1][c];
      }
      assert.ok(Math.abs(after[con.u.offset + k] - u) <= 1e-10 * Math.max(1, Math.abs(u)));
      const lg = after[con.layout.logits.offset + k];
      assert.ok(Math.abs(lg - u / small.tau) <= 1e-9 * Math.max(1, Math.abs(u / small.tau)));
    }
  }
});

Deno.test("TS: converged, the transformer's Σ^{1/2}a is the Padé sum; its logits are TS's within the Padé error", () => {
  const spec = { ...small, padeTerms: 16, meanSteps: 200, padeSteps: 200, inverseSteps: 200 };
  const con = buildThompson(spec);
  const { arms, hist, zs, states } = runOn(con, 9);
  for (let t = 1; t <= spec.horizon; t++) {
    const ex = thompsonExact(arms, hist, t - 1, zs[t - 1], 1, 2.25, spec.tau, 16, con.mu);
    const h = states[t - 1].at(-1)!;
    for (let k = 0; k < A; k++) {
      assert.ok(maxAbsDiff(slotOf(h, con.s[k]), ex.padeSqrtA[k]) <= 1e-8, `t ${t} arm ${k}`);
      assert.ok(maxAbsDiff(ex.padeSqrtA[k], ex.sqrtA[k]) <= 1e-6); // Padé truncation at m = 16
    }
    assert.ok(maxAbsDiff(slotOf(h, con.layout.logits), ex.logits) <= 1e-4, `t ${t}`);
  }
});

Deno.test("TS as written (one step size for every Padé term) diverges at t = 1", () => {
  // T = 50: μ = √(λ̃T(B² + λ̃)) ≈ 28.6, so η·μ ≈ 3.9 at the first token
  const con = buildThompson({
    ...small,
    horizon: 50,
    padeStep: "paper",
    meanSteps: 1,
    padeSteps: 40,
    inverseSteps: 1,
  });
  const { states } = runOn(con, 4);
  const [p0, p1] = con.steps.pade;
  const size = (h: Float64Array) =>
    Math.max(...con.pade.map((s) => Math.max(...slotOf(h, s.x).map(Math.abs))));
  assert.ok(size(states[0][p1]) > 1e6 * Math.max(1, size(states[0][p0 + 1])));
});

Deno.test("Padé weights and symmetric roots against closed forms", () => {
  const { a, b } = padeWeights(3);
  assert.equal(a.length, 3);
  for (let j = 0; j < 3; j++) assert.ok(b[j] > 0 && b[j] < 1 && a[j] > 0);
  // 1 + Σ_j a_j·x/(1 + b_j·x) is the [m/m] Padé approximant of √(1+x): its Taylor coefficients
  // Σ_j a_j·(−b_j)^(k−1) equal binom(1/2, k) for k = 1 … 2m (1/2, −1/8, 1/16, −5/128, …)
  for (const m of [1, 2, 3, 4]) {
    const w = padeWeights(m);
    let binom = 1;
    for (let k = 1; k <= 2 * m; k++) {
      binom *= (0.5 - k + 1) / k;
      let coef = 0;
      for (let j = 0; j < m; j++) coef += w.a[j] * (-w.b[j]) ** (k - 1);
      assert.ok(Math.abs(coef - binom) < 1e-14, `m = ${m}, k = ${k}: ${coef} vs ${binom}`);
    }
  }
  const M = new Float64Array([5, 2, 2, 3]);
  const { sqrt, invSqrt } = symmetricRoots(M, 2);
  const sq = [sqrt[0] * sqrt[0] + sqrt[1] * sqrt[2], sqrt[0] * sqrt[1] + sqrt[1] * sqrt[3]];
  assert.ok(Math.abs(sq[0] - 5) < 1e-12 && Math.abs(sq[1] - 2) < 1e-12);
  const id = invSqrt[0] * sqrt[0] + invSqrt[1] * sqrt[2];
  assert.ok(Math.abs(id - 1) < 1e-12);
});

Deno.test("TS: named errors for τ ≤ 0, a noise of the wrong length, a NaN noise", () => {
  assert.throws(() => buildThompson({ ...small, tau: 0 }), ConstructionParameterError);
  assert.throws(() => buildThompson({ ...small, padeTerms: 0 }), ConstructionParameterError);
  const con = buildThompson({ ...small, meanSteps: 1, padeSteps: 1, inverseSteps: 1 });
  const arms = new Float64Array(A * d);
  assert.throws(() => actionSetToken(con.layout, arms, 1, [[con.noise, [1, 2]]]), TokenShapeError);
  assert.throws(
    () => actionSetToken(con.layout, arms, 1, [[con.noise, [0, 0, NaN, 0, 0]]]),
    NonFiniteInputError,
  );
});
