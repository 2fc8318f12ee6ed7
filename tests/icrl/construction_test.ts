import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { blocksToParams, lsaReadout, paramsToBlocks } from "../../lib/icrl/lsa.ts";
import { buildAcPrompt, buildSarsaPrompt, buildTd0Prompt } from "../../lib/icrl/prompt.ts";
import {
  acBlocks,
  acConstruction,
  sarsaConstruction,
  td0Construction,
} from "../../lib/icrl/construction.ts";
import {
  actorCriticUpdate,
  DEFAULT_STEP_SIZES,
  sarsaUpdate,
  td0Update,
  validateStepSizes,
} from "../../lib/icrl/teachers.ts";
import { DEFAULT_TASK } from "../../lib/icrl/tasks.ts";
import { softmaxPolicy } from "../../lib/mdp/policy.ts";
import { relErr, scenario } from "../helpers.ts";
import { lsaReadoutLiteral } from "./lsa_reference.ts";

const ALPHA = 0.2, BETA = 0.2, GAMMA = 0.5;
const SCALES = [1, 3.7, -0.5];
const CASES: [number, number][] = [[1, 2], [2, 5], [20, 36], [57, 3], [200, 8], [13, 64]];

// Independent SARSA reference in matrix form: w + (α/n) Φᵀ (r + γ Φ⁺ w − Φ w).
function sarsaMatrixForm(sc: ReturnType<typeof scenario>): Float64Array {
  const { traj, feat, w } = sc;
  const { d, nA } = feat;
  const n = traj.n;
  const row = (s: number, a: number) => feat.phi.subarray((s * nA + a) * d, (s * nA + a + 1) * d);
  const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    let t = 0;
    for (let k = 0; k < x.length; k++) t += x[k] * y[k];
    return t;
  };
  const resid = Array.from(
    { length: n },
    (_, i) =>
      traj.r[i] + GAMMA * dot(row(traj.s[i + 1], traj.a[i + 1]), w) -
      dot(row(traj.s[i], traj.a[i]), w),
  );
  return Float64Array.from({ length: d }, (_, k) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += row(traj.s[i], traj.a[i])[k] * resid[i];
    return w[k] + (ALPHA / n) * acc;
  });
}

Deno.test("SARSA teacher equals its matrix form", () => {
  for (const [n, d] of CASES) {
    const sc = scenario(n * 31 + d, n, d);
    assert.ok(
      relErr(sarsaUpdate(sc.traj, sc.feat, sc.w, GAMMA, ALPHA), sarsaMatrixForm(sc)) < 1e-13,
    );
  }
});

Deno.test("SARSA construction reproduces the teacher exactly for every n, d and scale c", () => {
  for (const [n, d] of CASES) {
    for (const c of SCALES) {
      const sc = scenario(n * 7 + d, n, d);
      const target = sarsaUpdate(sc.traj, sc.feat, sc.w, GAMMA, ALPHA);
      const params = sarsaConstruction(d, ALPHA, c);
      const prompt = buildSarsaPrompt(sc.traj, sc.feat, GAMMA, sc.w);
      const fast = lsaReadout(params, prompt);
      assert.ok(relErr(fast, target) <= 1e-12, `n=${n} d=${d} c=${c}: ${relErr(fast, target)}`);
      if (n * d <= 2000) {
        const lit = lsaReadoutLiteral(params, prompt);
        assert.ok(relErr(lit, target) <= 1e-12, `literal n=${n} d=${d} c=${c}`);
      }
    }
  }
});

Deno.test("a perturbed or random θ visibly fails to reproduce SARSA", () => {
  const rng = new Rng(5);
  const sc = scenario(5, 20, 36, 9, 4);
  const target = sarsaUpdate(sc.traj, sc.feat, sc.w, GAMMA, ALPHA);
  const prompt = buildSarsaPrompt(sc.traj, sc.feat, GAMMA, sc.w);
  const star = sarsaConstruction(36, ALPHA);
  const pert = { ...star, P: Float64Array.from(star.P, (x) => x + 0.01 * rng.normal()) };
  assert.ok(relErr(lsaReadout(pert, prompt), target) > 1e-4);
  const rnd = {
    D: star.D,
    P: rng.fillUniform(new Float64Array(star.D ** 2), -0.1, 0.1),
    V: rng.fillUniform(new Float64Array(star.D ** 2), -0.1, 0.1),
  };
  assert.ok(relErr(lsaReadout(rnd, prompt), target) > 1e-2);
});

Deno.test("TD(0) construction reproduces batch TD(0)", () => {
  for (const [n, dPsi] of [[1, 2], [20, 9], [200, 16]]) {
    for (const c of SCALES) {
      const sc = scenario(n + dPsi, n, 4, 6, 3, dPsi);
      const w = new Rng(n).fillUniform(new Float64Array(dPsi), -1, 1);
      const target = td0Update(sc.traj, sc.sf, w, GAMMA, ALPHA);
      const out = lsaReadout(
        td0Construction(dPsi, ALPHA, c),
        buildTd0Prompt(sc.traj, sc.sf, GAMMA, w),
      );
      assert.ok(relErr(out, target) <= 1e-12, `n=${n} dPsi=${dPsi} c=${c}`);
    }
  }
});

Deno.test("actor–critic teacher's score equals a finite-difference ∇λ log π_λ", () => {
  const sc = scenario(8, 10, 5, 4, 3, 3);
  const { feat, traj, lambda, sf } = sc;
  const w = new Rng(1).fillUniform(new Float64Array(3), -1, 1);
  const out = actorCriticUpdate(traj, feat, sf, w, lambda, GAMMA, ALPHA, BETA);
  // independent: λ' = λ + (β/n) Σ δ_i ∇λ log π_λ(a_i|s_i) with a central-difference gradient
  const expected = Float64Array.from(lambda);
  const h = 1e-6;
  for (let i = 0; i < traj.n; i++) {
    const v = (s: number) => w.reduce((t, wk, k) => t + wk * sf.psi[s * 3 + k], 0);
    const delta = traj.r[i] + GAMMA * v(traj.s[i + 1]) - v(traj.s[i]);
    for (let k = 0; k < 5; k++) {
      const lp = Float64Array.from(lambda), lm = Float64Array.from(lambda);
      lp[k] += h;
      lm[k] -= h;
      const idx = traj.s[i] * 3 + traj.a[i];
      const g = (Math.log(softmaxPolicy(feat, lp)[idx]) - Math.log(softmaxPolicy(feat, lm)[idx])) /
        (2 * h);
      expected[k] += (BETA / traj.n) * delta * g;
    }
  }
  assert.ok(relErr(out.lambda, expected) < 1e-8);
  assert.ok(relErr(out.w, td0Update(traj, sf, w, GAMMA, ALPHA)) < 1e-15);
});

Deno.test("actor–critic construction reproduces the AC teacher (w then λ)", () => {
  for (const [n, d, dPsi] of [[1, 2, 2], [20, 36, 9], [200, 12, 5], [7, 64, 3]]) {
    for (const c of SCALES) {
      const sc = scenario(n * d + dPsi, n, d, 6, 3, dPsi);
      const w = new Rng(n + 1).fillUniform(new Float64Array(dPsi), -1, 1);
      const t = actorCriticUpdate(sc.traj, sc.feat, sc.sf, w, sc.lambda, GAMMA, ALPHA, BETA);
      const target = new Float64Array([...t.w, ...t.lambda]);
      const prompt = buildAcPrompt(sc.traj, sc.feat, sc.sf, GAMMA, w, sc.lambda);
      const out = lsaReadout(acConstruction(dPsi, d, ALPHA, BETA, c), prompt);
      assert.ok(relErr(out, target) <= 1e-12, `n=${n} d=${d} dPsi=${dPsi} c=${c}`);
    }
  }
});

Deno.test("blocks round-trip through full matrices; AC blocks have MATH §5 shapes", () => {
  const b = acBlocks(3, 4, ALPHA, BETA, 2);
  assert.equal(b.m, 2 * 3 + 1 + 4);
  assert.equal(b.p, 1 + 3 + 4);
  const back = paramsToBlocks(blocksToParams(b), b.m);
  assert.deepEqual(back, b);
  assert.throws(() => sarsaConstruction(4, ALPHA, 0), /c must be non-zero/);
  assert.throws(() => sarsaConstruction(0, ALPHA), /d.*got 0/);
  assert.throws(() => sarsaConstruction(3, NaN), /alpha.*NaN/);
});

Deno.test("step sizes: one definition with MATH §3 defaults, validated by name", () => {
  assert.deepEqual({ ...DEFAULT_STEP_SIZES }, { alpha: 0.2, beta: 0.2 });
  assert.equal(DEFAULT_TASK.alpha, DEFAULT_STEP_SIZES.alpha);
  assert.equal(DEFAULT_TASK.beta, DEFAULT_STEP_SIZES.beta);
  validateStepSizes({ alpha: 0, beta: 1 });
  assert.throws(() => validateStepSizes({ alpha: -1, beta: 1 }), /alpha must be/);
  assert.throws(() => validateStepSizes({ alpha: 0.2, beta: NaN }, "cfg"), /cfg\.beta must be/);
});
