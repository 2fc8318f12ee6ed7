// The soft UCB-VI transformer against the float64 UCB-VI (MATH §10.8).
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  ConstructionParameterError,
  HorizonExceededError,
  NonFiniteInputError,
  TokenShapeError,
} from "../../lib/constructions/errors.ts";
import { CausalRunner, compileTransformer } from "../../lib/constructions/runner.ts";
import { forwardReference } from "../../lib/constructions/transformer.ts";
import {
  buildUcbvi,
  paperMaxFormula,
  runUcbviTransformer,
  type UcbviSpec,
  ucbviToken,
} from "../../lib/constructions/ucbvi.ts";
import { episodicOptimal, playEpisode, randomEpisodicMdp } from "../../lib/mdp/episodic.ts";
import {
  addEpisode,
  emptyUcbviCounts,
  runUcbvi,
  ucbviBonus,
  ucbviLog,
  ucbviQ,
} from "../../lib/mdp/ucbvi.ts";

const spec: UcbviSpec = { nS: 3, nA: 3, H: 3, K: 6, tau: 0.2, bonusScale: 0.3 };

Deno.test("UCB-VI transformer: counts, P̂, r̂, bonus and every Q̂_h equal UCB-VI's (≤ 1e-10)", () => {
  const { nS: S, nA: A, H, K } = spec;
  const con = buildUcbvi(spec);
  const rng = new Rng(8);
  const m = randomEpisodicMdp(rng, { nS: S, nA: A, H });
  const run = new CausalRunner(compileTransformer(con.tf));
  const counts = emptyUcbviCounts(S, A, H);
  const L = ucbviLog(S, A, H, K);
  for (let k = 1; k <= K; k++) {
    const ep = playEpisode(m, () => rng.int(A), rng);
    for (let h = 1; h <= H; h++) {
      const x = run.push(ucbviToken(con, { kind: "state", k, h, s: ep.states[h - 1] }))!;
      const get = (s: { offset: number }, n: number) => x[s.offset + n];
      for (let n = 0; n < H * S * A; n++) {
        assert.ok(Math.abs(get(con.n2, n) - counts.N2[n]) <= 1e-10);
        assert.ok(Math.abs(get(con.rs, n) - counts.Rsum[n]) <= 1e-10);
        const inv = 1 / Math.max(counts.N2[n], 1);
        assert.ok(Math.abs(get(con.g, n) - inv) <= 1e-10);
        assert.ok(Math.abs(get(con.bonus, n) - ucbviBonus(counts.N2[n], H, L, 0.3)) <= 1e-10);
        assert.ok(Math.abs(get(con.rh, n) - counts.Rsum[n] * inv) <= 1e-10);
      }
      for (let n = 0; n < (H - 1) * S * A * S; n++) {
        assert.ok(Math.abs(get(con.n3, n) - counts.N3[n]) <= 1e-10);
        const inv = 1 / Math.max(counts.N2[Math.floor(n / S)], 1);
        assert.ok(Math.abs(get(con.ph, n) - counts.N3[n] * inv) <= 1e-10);
      }
      const { Q, V } = ucbviQ(counts, K, 0.3);
      for (let hh = 0; hh < H; hh++) {
        for (let n = 0; n < S * A; n++) {
          assert.ok(Math.abs(get(con.q[hh], n) - Q[hh * S * A + n]) <= 1e-10);
        }
        for (let s = 0; s < S; s++) {
          assert.ok(Math.abs(get(con.vv[hh], s) - V[hh * S + s]) <= 1e-10);
        }
      }
      const s = ep.states[h - 1];
      for (let a = 0; a < A; a++) {
        const want = Q[((h - 1) * S + s) * A + a] / spec.tau;
        assert.ok(Math.abs(get(con.layout.logits, a) - want) <= 1e-9);
      }
      run.push(
        ucbviToken(con, { kind: "action", k, h, a: ep.actions[h - 1], r: ep.rewards[h - 1] }),
        {
          output: false,
        },
      );
    }
    run.push(ucbviToken(con, { kind: "empty", k }), { output: false });
    addEpisode(counts, ep);
  }
});

Deno.test("UCB-VI transformer in closed loop plays UCB-VI's trajectory; cached = literal pass", () => {
  const con = buildUcbvi(spec);
  const mdps = [1, 2, 3].map((s) => randomEpisodicMdp(new Rng(s), { nS: 3, nA: 3, H: 3 }));
  const res = runUcbviTransformer(con, mdps, mdps.map((_, e) => new Rng(40 + e)));
  assert.ok(res.maxQError <= 1e-10);
  assert.ok(Math.max(...res.tv) <= 1e-10);
  mdps.forEach((m, e) => {
    const ex = runUcbvi(m, spec.K, spec.tau, new Rng(40 + e), spec.bonusScale);
    ex.episodes.forEach((ep, k) => {
      ep.actions.forEach((a, h) =>
        assert.equal(res.actions[e * spec.K * spec.H + k * spec.H + h], a)
      );
      assert.ok(Math.abs(res.regret[e * spec.K + k] - ex.regret[k]) <= 1e-9);
    });
  });
  // the literal forward pass on a short sequence
  const small = buildUcbvi({ ...spec, K: 2, H: 2 });
  const rng = new Rng(5);
  const m = randomEpisodicMdp(rng, { nS: 3, nA: 3, H: 2 });
  const toks: Float64Array[] = [];
  for (let k = 1; k <= 2; k++) {
    const ep = playEpisode(m, () => rng.int(3), rng);
    for (let h = 1; h <= 2; h++) {
      toks.push(ucbviToken(small, { kind: "state", k, h, s: ep.states[h - 1] }));
      toks.push(
        ucbviToken(small, { kind: "action", k, h, a: ep.actions[h - 1], r: ep.rewards[h - 1] }),
      );
    }
    toks.push(ucbviToken(small, { kind: "empty", k }));
  }
  const D = small.tf.D, H = new Float64Array(toks.length * D);
  toks.forEach((t, n) => H.set(t, n * D));
  const ref = forwardReference(small.tf, H, toks.length);
  const run = new CausalRunner(compileTransformer(small.tf));
  toks.forEach((t, n) => {
    const out = run.push(t)!;
    for (let c = 0; c < D; c++) assert.ok(Math.abs(out[c] - ref[n * D + c]) <= 1e-9);
  });
});

Deno.test("the paper's one-layer max formula is the maximum for A = 2 only", () => {
  const rng = new Rng(3);
  for (let n = 0; n < 200; n++) {
    const q = [rng.uniform(), rng.uniform()];
    assert.ok(Math.abs(paperMaxFormula(q) - Math.max(...q)) <= 1e-15);
  }
  assert.equal(paperMaxFormula([1, 0, 0.5]), 1.5);
});

Deno.test("episodic MDPs: optimal value by backward induction beats every deterministic policy", () => {
  const m = randomEpisodicMdp(new Rng(2), { nS: 2, nA: 2, H: 2 });
  const { value: opt, pi } = episodicOptimal(m);
  assert.ok(opt > 0 && opt <= 2);
  // brute force: every deterministic step-dependent policy (A^(H·S) = 16), each valued by summing
  // reward × probability over every path; the best equals the backward-induction optimum
  const { nS: S, nA: A, H } = m;
  const valueOf = (act: (h: number, s: number) => number) => {
    const from = (h: number, s: number): number => {
      if (h === H) return 0;
      const a = act(h, s), o = ((h * S + s) * A + a) * S;
      let v = m.R[(h * S + s) * A + a];
      for (let s2 = 0; s2 < S; s2++) v += m.P[o + s2] * from(h + 1, s2);
      return v;
    };
    return m.rho.reduce((t, p, s) => t + p * from(0, s), 0);
  };
  const all = Array.from(
    { length: A ** (H * S) },
    (_, code) => valueOf((h, s) => Math.floor(code / A ** (h * S + s)) % A),
  );
  const best = Math.max(...all);
  assert.ok(Math.abs(opt - best) < 1e-12, `${opt} vs ${best}`);
  assert.ok(all.some((v) => v < best - 1e-3)); // the policies differ: the maximum is not trivial
  const greedy = valueOf((h, s) => [0, 1].find((a) => pi[(h * S + s) * A + a] === 1)!);
  assert.ok(Math.abs(greedy - opt) < 1e-12); // the returned policy attains it
});

Deno.test("UCB-VI transformer: named errors for τ ≤ 0, an episode beyond K, a bad state, a NaN reward", () => {
  assert.throws(() => buildUcbvi({ ...spec, tau: 0 }), ConstructionParameterError);
  assert.throws(() => buildUcbvi({ ...spec, K: 0 }), ConstructionParameterError);
  const con = buildUcbvi({ ...spec, K: 2 });
  assert.throws(() => ucbviToken(con, { kind: "state", k: 3, h: 1, s: 0 }), HorizonExceededError);
  assert.throws(() => ucbviToken(con, { kind: "state", k: 1, h: 1, s: 3 }), TokenShapeError);
  assert.throws(() => ucbviToken(con, { kind: "state", k: 1, h: 9, s: 0 }), TokenShapeError);
  assert.throws(
    () => ucbviToken(con, { kind: "action", k: 1, h: 1, a: 0, r: NaN }),
    NonFiniteInputError,
  );
});
