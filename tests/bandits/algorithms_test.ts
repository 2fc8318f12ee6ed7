import assert from "node:assert/strict";
import { solve } from "../../lib/core/linalg.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  algorithmLabel,
  argmaxRandomTie,
  ArmCounts,
  type BanditEnvs,
  BERNOULLI_BANDIT,
  BestArm,
  betaSample,
  BetaTS,
  checkFeedback,
  cholesky,
  cumulativeRegret,
  EmpiricalMean,
  GaussianTS,
  LINEAR_BANDIT,
  LinUCB,
  makePolicy,
  MixturePolicy,
  PaperUCB,
  policyStreams,
  sampleBandits,
  simulate,
  UCB1,
  UniformRandom,
} from "../../lib/bandits/mod.ts";

/** Bernoulli environments with given arm means (same means in every environment). */
function fixedBernoulli(means: number[], numEnvs: number, horizon: number, seed = 1): BanditEnvs {
  const envs = sampleBandits(
    { ...BERNOULLI_BANDIT, numArms: means.length, horizon },
    seed,
    numEnvs,
  );
  const A = means.length;
  const top = Math.max(...means);
  for (let e = 0; e < numEnvs; e++) {
    for (let a = 0; a < A; a++) {
      envs.means[e * A + a] = means[a];
      envs.theta[e * A + a] = means[a];
    }
    envs.best[e] = means.indexOf(top);
    envs.bestMean[e] = top;
  }
  return envs;
}

Deno.test("argmaxRandomTie: unique max without a draw; ties uniform; probs 1/k on ties", () => {
  const rng = new Rng(1);
  const before = rng.stateWords();
  assert.equal(argmaxRandomTie([0, 5, 1], 0, 3, rng), 1);
  assert.deepEqual(rng.stateWords(), before);
  const counts = [0, 0, 0, 0];
  const p = new Float64Array(4);
  for (let i = 0; i < 6000; i++) counts[argmaxRandomTie([2, 7, 7, 7], 0, 4, rng, p)]++;
  assert.deepEqual([...p], [0, 1 / 3, 1 / 3, 1 / 3]);
  assert.equal(counts[0], 0);
  for (const c of counts.slice(1)) assert.ok(Math.abs(c - 2000) < 150, `tie counts ${counts}`);
  assert.throws(() => argmaxRandomTie([NaN, NaN], 0, 2, rng), /NaN/);
});

Deno.test("LinUCB: θ̂ and bonus equal a direct ridge solve; each action is the argmax of the index", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 4, 6);
  const alg = new LinUCB(envs, policyStreams(4, "LinUCB", 6), { lambda: 1, alpha: 2 });
  const { numArms: A, dim: d } = envs;
  const act = new Int32Array(6), rew = new Float64Array(6);
  const hist: { a: number; r: number }[][] = Array.from({ length: 6 }, () => []);
  for (let t = 0; t < 60; t++) {
    alg.act(act);
    for (let e = 0; e < 6; e++) {
      const h = hist[e];
      if (h.length > 0) {
        // Direct: cov = I + Σ aaᵀ, θ̂ = cov⁻¹ Σ r a, index = θ̂ᵀa + 2√(aᵀcov⁻¹a).
        const cov = new Float64Array(d * d), b = new Float64Array(d);
        for (let j = 0; j < d; j++) cov[j * d + j] = 1;
        for (const { a, r } of h) {
          const x = envs.arms.subarray((e * A + a) * d, (e * A + a + 1) * d);
          for (let i = 0; i < d; i++) {
            b[i] += r * x[i];
            for (let j = 0; j < d; j++) cov[i * d + j] += x[i] * x[j];
          }
        }
        const th = solve(cov, b, d);
        const est = alg.estimate(e);
        for (let j = 0; j < d; j++) {
          assert.ok(Math.abs(est[j] - th[j]) < 1e-10, `θ̂ ${est} vs ${th}`);
        }
        let top = -Infinity, arg = -1;
        for (let a = 0; a < A; a++) {
          const x = envs.arms.slice((e * A + a) * d, (e * A + a + 1) * d);
          const y = solve(cov, x, d);
          let q = 0, m = 0;
          for (let j = 0; j < d; j++) {
            q += x[j] * y[j];
            m += th[j] * x[j];
          }
          assert.ok(Math.abs(alg.bonus(e, a) - 2 * Math.sqrt(q)) < 1e-10);
          if (m + 2 * Math.sqrt(q) > top) [top, arg] = [m + 2 * Math.sqrt(q), a];
        }
        assert.equal(act[e], arg);
      }
      rew[e] = envs.means[e * A + act[e]] + 1.5 * envs.noise[e * 200 + t];
      h.push({ a: act[e], r: rew[e] });
    }
    alg.update(act, rew);
  }
});

Deno.test("LinUCB: first pull uniform with probs 1/A; probs one-hot afterwards", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 2, 3);
  const traj = simulate(envs, makePolicy({ name: "linucb" }, envs, 3), {
    recordProbs: true,
    horizon: 5,
  });
  const A = 10;
  for (let e = 0; e < 3; e++) {
    for (let a = 0; a < A; a++) assert.equal(traj.probs![(e * 5) * A + a], 0.1);
    for (let t = 1; t < 5; t++) {
      const p = traj.probs!.slice((e * 5 + t) * A, (e * 5 + t + 1) * A);
      assert.equal(p[traj.actions[e * 5 + t]], 1);
      assert.equal(p.reduce((s, x) => s + x, 0), 1);
    }
  }
});

Deno.test("Gaussian TS: posterior equals the closed form N(P⁻¹Xᵀy/σ², P⁻¹), P = I/τ² + XᵀX/σ²", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 5, 2);
  const ts = new GaussianTS(envs, policyStreams(5, "TS", 2), { priorVar: 0.5, noiseVar: 2.25 });
  const d = 5, A = 10, s2 = 2.25;
  const act = new Int32Array(2), rew = new Float64Array(2);
  const P = new Float64Array(d * d), b = new Float64Array(d);
  for (let j = 0; j < d; j++) P[j * d + j] = 1 / 0.5;
  for (let t = 0; t < 40; t++) {
    ts.act(act);
    for (let e = 0; e < 2; e++) rew[e] = envs.means[e * A + act[e]] + 1.5 * envs.noise[e * 200 + t];
    const x = envs.arms.subarray((0 * A + act[0]) * d, (0 * A + act[0] + 1) * d);
    for (let i = 0; i < d; i++) {
      b[i] += (rew[0] * x[i]) / s2;
      for (let j = 0; j < d; j++) P[i * d + j] += (x[i] * x[j]) / s2;
    }
    ts.update(act, rew);
  }
  const post = ts.posterior(0);
  const mean = solve(P, b, d);
  for (let j = 0; j < d; j++) assert.ok(Math.abs(post.mean[j] - mean[j]) < 1e-10);
  for (let j = 0; j < d; j++) {
    const ej = new Float64Array(d);
    ej[j] = 1;
    const col = solve(P, ej, d);
    for (let i = 0; i < d; i++) assert.ok(Math.abs(post.cov[i * d + j] - col[i]) < 1e-10);
  }
  // Draws have the posterior's mean and covariance (8 000 draws; tolerance ≈ 5 SE).
  const n = 8000, m = new Float64Array(d), c = new Float64Array(d * d);
  const draws: Float64Array[] = [];
  for (let k = 0; k < n; k++) draws.push(ts.sample(0));
  for (const w of draws) for (let j = 0; j < d; j++) m[j] += w[j] / n;
  for (const w of draws) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) c[i * d + j] += (w[i] - m[i]) * (w[j] - m[j]) / (n - 1);
    }
  }
  for (let j = 0; j < d; j++) {
    assert.ok(Math.abs(m[j] - mean[j]) < 5 * Math.sqrt(post.cov[j * d + j] / n));
    assert.ok(Math.abs(c[j * d + j] / post.cov[j * d + j] - 1) < 0.08);
  }
});

Deno.test("cholesky: L Lᵀ reproduces S; a non-PD matrix throws naming the pivot", () => {
  const S = new Float64Array([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
  const L = cholesky(S, 0, 3, new Float64Array(9));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += L[i * 3 + k] * L[j * 3 + k];
      assert.ok(Math.abs(s - S[i * 3 + j]) < 1e-14);
    }
  }
  assert.throws(
    () => cholesky(new Float64Array([1, 2, 2, 1]), 0, 2, new Float64Array(4)),
    /pivot 1/,
  );
});

Deno.test("Beta TS: posterior Beta(1 + s_a, 1 + f_a) from the counts; Beta draws have mean a/(a+b)", () => {
  const envs = sampleBandits(BERNOULLI_BANDIT, 6, 3);
  const ts = new BetaTS(envs, policyStreams(6, "TS", 3));
  const traj = simulate(envs, ts, { horizon: 100 });
  for (let e = 0; e < 3; e++) {
    const s = new Array(5).fill(0), f = new Array(5).fill(0);
    for (let t = 0; t < 100; t++) {
      if (traj.rewards[e * 100 + t] === 1) s[traj.actions[e * 100 + t]]++;
      else f[traj.actions[e * 100 + t]]++;
    }
    const post = ts.posterior(e);
    assert.deepEqual([...post.alpha], s.map((x) => 1 + x));
    assert.deepEqual([...post.beta], f.map((x) => 1 + x));
  }
  const rng = new Rng(3);
  let sum = 0;
  for (let i = 0; i < 20_000; i++) sum += betaSample(rng, 2, 3);
  assert.ok(Math.abs(sum / 20_000 - 0.4) < 0.005);
  const bad = new BetaTS(envs, policyStreams(6, "TS", 3));
  assert.throws(
    () => bad.update(new Int32Array(3), new Float64Array([0, 0.5, 1])),
    /rewards\[1\].*0\.5/,
  );
});

Deno.test("UCB (paper index) and UCB1 indices equal their literal formulas", () => {
  const envs = sampleBandits(BERNOULLI_BANDIT, 7, 2);
  const ucb = new PaperUCB(envs, policyStreams(7, "UCB", 2), { c: 1 });
  const ucb1 = new UCB1(envs, policyStreams(7, "UCB1", 2));
  simulate(envs, ucb, { horizon: 50 });
  simulate(envs, ucb1, { horizon: 50 });
  for (
    const [alg, f] of [
      [ucb, (s: number, n: number, _t: number) => s / (1 + n) + 1 / Math.sqrt(1 + n)],
      [
        ucb1,
        (s: number, n: number, t: number) =>
          n === 0 ? Infinity : s / n + Math.sqrt(2 * Math.log(t) / n),
      ],
    ] as const
  ) {
    const idx = alg.index(1, new Float64Array(5));
    for (let a = 0; a < 5; a++) {
      const n = alg.counts.pulls[5 + a], s = alg.counts.sums[5 + a];
      assert.ok(Math.abs(idx[a] - f(s, n, 50)) < 1e-12);
    }
  }
  assert.deepEqual([
    ...new PaperUCB(envs, policyStreams(7, "UCB", 2)).index(0, new Float64Array(5)),
  ], [1, 1, 1, 1, 1]);
});

Deno.test("UCB1 regret grows logarithmically on a two-arm instance (and obeys Auer's bound)", () => {
  const T = 16_000, E = 40, gap = 0.3;
  const envs = fixedBernoulli([0.6, 0.9], E, T);
  const traj = simulate(envs, makePolicy({ name: "ucb1" }, envs, 11));
  const R = cumulativeRegret(envs, traj.actions, T);
  const mean = (t: number) => {
    let s = 0;
    for (let e = 0; e < E; e++) s += R[e * T + t - 1];
    return s / E;
  };
  const r1 = mean(1000), r4 = mean(4000), r16 = mean(16_000);
  // Equal increments for equal ratios of t (log growth): ln 4 each; linear growth would give 4×.
  const ratio = (r16 - r4) / (r4 - r1);
  assert.ok(
    ratio > 0.6 && ratio < 1.6,
    `increment ratio ${ratio} (r1 ${r1}, r4 ${r4}, r16 ${r16})`,
  );
  assert.ok(r16 / r1 < 3, `R(16000)/R(1000) = ${r16 / r1}`);
  const auer = (8 * Math.log(T)) / gap + (1 + Math.PI ** 2 / 3) * gap;
  assert.ok(r16 < auer, `R(T) = ${r16} above Auer's bound ${auer}`);
});

Deno.test("empirical mean plays each arm once (random order), then greedy on the means", () => {
  const envs = sampleBandits(BERNOULLI_BANDIT, 8, 4);
  const alg = new EmpiricalMean(envs, policyStreams(8, "Emp", 4));
  const traj = simulate(envs, alg, { horizon: 30 });
  for (let e = 0; e < 4; e++) {
    const first = [...traj.actions.slice(e * 30, e * 30 + 5)].sort();
    assert.deepEqual(first, [0, 1, 2, 3, 4]);
    const s = new Array(5).fill(0), n = new Array(5).fill(0);
    for (let t = 0; t < 30; t++) {
      const a = traj.actions[e * 30 + t];
      if (t >= 5) {
        const means = s.map((x, k) => x / n[k]);
        assert.equal(means[a], Math.max(...means));
      }
      s[a] += traj.rewards[e * 30 + t];
      n[a]++;
    }
  }
});

Deno.test("always playing the best arm has zero regret; uniform has regret (max μ − mean μ)·t in expectation", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 9, 200);
  const best = simulate(envs, new BestArm(envs), { recordProbs: true });
  const R = cumulativeRegret(envs, best.actions, 200);
  assert.ok(R.every((x) => x === 0));
  assert.deepEqual([...best.actions.filter((_, i) => i % 200 === 0)], [...envs.best]);
  const uni = simulate(envs, new UniformRandom(envs, policyStreams(9, "U", 200)), {
    recordProbs: true,
  });
  const Ru = cumulativeRegret(envs, uni.actions, 200);
  let got = 0, want = 0;
  for (let e = 0; e < 200; e++) {
    got += Ru[e * 200 + 199] / 200;
    let m = 0;
    for (let a = 0; a < 10; a++) m += envs.means[e * 10 + a] / 10;
    want += (envs.bestMean[e] - m) * 200 / 200;
  }
  assert.ok(Math.abs(got - want) / want < 0.05, `uniform regret ${got} vs ${want}`);
  assert.ok(uni.probs!.every((p) => p === 0.1));
});

Deno.test("mixture: component chosen with the given weights; probabilities mix", () => {
  const envs = sampleBandits(BERNOULLI_BANDIT, 10, 400);
  const mix = makePolicy(
    {
      name: "mixture",
      components: [{ name: "optimal" }, { name: "uniform" }],
      weights: [0.3, 0.7],
    },
    envs,
    3,
  );
  const traj = simulate(envs, mix, { recordProbs: true, horizon: 50 });
  let p = 0, hits = 0;
  for (let e = 0; e < 400; e++) {
    const best = envs.best[e];
    for (let t = 0; t < 50; t++) {
      if (traj.actions[e * 50 + t] === best) hits++;
      p += traj.probs![(e * 50 + t) * 5 + best];
    }
  }
  const n = 400 * 50;
  assert.ok(Math.abs(p / n - (0.3 + 0.7 / 5)) < 1e-12);
  assert.ok(Math.abs(hits / n - 0.44) < 0.015, `best-arm frequency ${hits / n}`);
  const ts = makePolicy(
    {
      name: "mixture",
      components: [{ name: "ts-beta" }, { name: "uniform" }],
      weights: [0.5, 0.5],
    },
    envs,
    3,
  );
  assert.equal(ts.hasProbs, false);
  assert.ok(ts instanceof MixturePolicy);
  assert.throws(
    () =>
      makePolicy({ name: "mixture", components: [{ name: "uniform" }], weights: [0.5] }, envs, 3),
    /weights must sum to 1/,
  );
});

Deno.test("same seed ⇒ identical trajectories for every algorithm; another seed differs", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 12, 20);
  const benv = sampleBandits(BERNOULLI_BANDIT, 12, 20);
  for (
    const [spec, e] of [
      [{ name: "linucb" }, envs],
      [{ name: "ts-gaussian" }, envs],
      [{ name: "empirical-mean" }, envs],
      [{ name: "uniform" }, envs],
      [{ name: "ts-beta" }, benv],
      [{ name: "ucb-paper" }, benv],
      [{ name: "ucb1" }, benv],
    ] as const
  ) {
    const a = simulate(e, makePolicy(spec, e, 1), { recordProbs: true });
    const b = simulate(e, makePolicy(spec, e, 1), { recordProbs: true });
    assert.deepEqual(a, b, algorithmLabel(spec));
    const c = simulate(e, makePolicy(spec, e, 2));
    assert.notDeepEqual(a.actions, c.actions, algorithmLabel(spec));
  }
});

Deno.test("bad inputs name the value: options, names, feedback, counts", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 1, 2);
  const rngs = policyStreams(1, "x", 2);
  assert.throws(() => new LinUCB(envs, rngs, { alpha: NaN }), /alpha.*NaN/);
  assert.throws(() => new LinUCB(envs, rngs, { lambda: 0 }), /lambda.*0/);
  assert.throws(() => new LinUCB(envs, rngs, { beta: 1 } as never), /unknown key "beta"/);
  assert.throws(() => new LinUCB(envs, rngs.slice(1)), /need 2 rngs/);
  assert.throws(() => new GaussianTS(envs, rngs, { noiseVar: -2 }), /noiseVar.*-2/);
  assert.throws(() => makePolicy({ name: "exp3" } as never, envs, 1), /unknown algorithm "exp3"/);
  assert.throws(
    () => makePolicy({ name: "ucb1", c: 2 } as never, envs, 1),
    /UCB1 options: unknown key "c"/,
  );
  const alg = new LinUCB(envs, rngs);
  assert.throws(() => alg.update(new Int32Array([0, 10]), new Float64Array(2)), /actions\[1\].*10/);
  assert.throws(
    () => alg.update(new Int32Array(2), new Float64Array([0, NaN])),
    /rewards\[1\].*NaN/,
  );
  assert.throws(() => checkFeedback(alg, new Int32Array(3)), /length 2, got 3/);
  assert.throws(() => simulate(envs, alg, { horizon: 201 }), /horizon.*201/);
  assert.throws(() => new ArmCounts(0, 2), /numEnvs.*0/);
  const c = new ArmCounts(1, 2);
  c.record(new Int32Array([1]), new Float64Array([3]));
  assert.equal(c.mean(0, 1), 3);
  assert.equal(c.mean(0, 0), 0);
  assert.throws(() => policyStreams(1, "x", 0), /count.*0/);
});
