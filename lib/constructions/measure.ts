/**
 * Measurements of the constructions other than closed loops (MATH §10.9; notebook 09): per-layer errors of
 * each construction against the exact intermediate quantities, layers-to-accuracy of gradient
 * descent vs accelerated gradient descent at several T, the paper's constructions as written
 * where they fail, and sizes beside the theorems' orders.
 *
 * @module
 */

import { type LinearBanditSpec, sampleBandits } from "../bandits/env.ts";
import { policyStreams } from "../bandits/policy.ts";
import { simulate } from "../bandits/simulate.ts";
import { evalPiecewise, sqrtInterpolant } from "./blocks.ts";
import { actionSetToken, rewardToken, type Slot } from "./layout.ts";
import { buildSoftLinUCB, SoftLinUCB, softLinUCBExact, type SoftLinUCBSpec } from "./linucb.ts";
import { type BanditHistory, gram, quadraticIterates, rewardSum, solveSym } from "./reference.ts";
import { BatchRunner, CausalRunner, compileTransformer } from "./runner.ts";
import { sparse } from "./sparse.ts";
import { buildThompson, padeWeights, thompsonExact, type ThompsonSpec } from "./thompson.ts";
import { forwardReference, transformerSize } from "./transformer.ts";
import { buildUcbvi, paperMaxFormula, type UcbviSpec, ucbviToken } from "./ucbvi.ts";
import { Rng } from "../core/rng.ts";
import { playEpisode, randomEpisodicMdp } from "../mdp/episodic.ts";
import { addEpisode, emptyUcbviCounts, ucbviBonus, ucbviLog, ucbviQ } from "../mdp/ucbvi.ts";

/** One per-layer error: the construction's state after a layer against two references. */
export interface LayerErrorRow {
  /** "soft LinUCB", "TS" or "soft UCB-VI". */
  construction: string;
  /** The step of the construction (ridge, inverse, …). */
  step: string;
  /** Layer within the step (1-based; step-end rows: the step's last layer). */
  layer: number;
  /** Time step t of the probed token (UCB-VI: global step). */
  t: number;
  /** Error against the exact iterate / map this layer implements (should be round-off). */
  errExact: number;
  /** Error against the closed-form target (ridge, A⁻¹a, Σ^{1/2}a, Q̂, …): the approximation. */
  errTarget: number;
}

const norm = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
};
/**
 * `‖x − y‖₂ / ‖y‖₂` (absolute when y = 0).
 *
 * @example
 * ```ts
 * import { relErr } from "./measure.ts";
 * if (relErr([3, 4], [0, 0]) !== 5) throw new Error("absolute when y = 0");
 * if (relErr([1, 1], [1, 0]) !== 1) throw new Error("‖(0, 1)‖ / ‖(1, 0)‖");
 * ```
 */
export function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (x[i] - y[i]) ** 2;
  const n = norm(y);
  return Math.sqrt(s) / (n > 0 ? n : 1);
}
const laneSlot = (h: Float64Array, E: number, e: number, s: Slot) =>
  Float64Array.from({ length: s.size }, (_, c) => h[(s.offset + c) * E + e]);

/**
 * Layers kept in the per-layer tables: 1 … 20, then about 100 more, and the last.
 *
 * @example
 * ```ts
 * import { keptLayers } from "./measure.ts";
 * [...keptLayers(5)]; // [1, 2, 3, 4, 5]
 * const n = keptLayers(1000).size; // 1 … 20 and every 10th layer: 20 + 100 − 2 shared
 * if (n !== 118) throw new Error(`${n}`);
 * ```
 */
export function keptLayers(L: number): Set<number> {
  const keep = new Set<number>();
  for (let l = 1; l <= Math.min(L, 20); l++) keep.add(l);
  const stride = Math.max(1, Math.ceil(L / 100));
  for (let l = stride; l <= L; l += stride) keep.add(l);
  keep.add(L);
  return keep;
}

/**
 * Trajectories of the exact soft LinUCB on the first `count` test environments.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "../bandits/env.ts";
 * import { LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { softLinUCBHistories } from "./measure.ts";
 * const { traj } = softLinUCBHistories({ ...LINEAR_BANDIT, horizon: 4 }, LINUCB_CONSTRUCTION, 1, 2, 3);
 * if (traj.actions.length !== 12) throw new Error("3 environments × 4 steps");
 * ```
 */
export function softLinUCBHistories(
  bandit: LinearBanditSpec,
  spec: SoftLinUCBSpec,
  envSeed: number,
  policySeed: number,
  count: number,
) {
  const envs = sampleBandits(bandit, envSeed, count);
  const traj = simulate(
    envs,
    new SoftLinUCB(
      envs,
      policyStreams(policySeed, "09:history", count),
      spec.lambda,
      spec.alpha,
      spec.tau,
    ),
  );
  return { envs, traj };
}

function historyOf(
  envs: ReturnType<typeof sampleBandits>,
  traj: ReturnType<typeof simulate>,
  e: number,
): { arms: Float64Array; hist: BanditHistory } {
  const { dim: d, numArms: A, horizon: T } = envs;
  const arms = envs.arms.slice(e * A * d, (e + 1) * A * d);
  const hist = { d, arms: new Float64Array(T * d), rewards: new Float64Array(T) };
  for (let t = 0; t < T; t++) {
    const a = traj.actions[e * T + t];
    hist.arms.set(arms.subarray(a * d, (a + 1) * d), t * d);
    hist.rewards[t] = traj.rewards[e * T + t];
  }
  return { arms, hist };
}

/**
 * Push step t's reward tokens of every lane (lane e played `actions[e·stride + t − 1]`, its arm
 * from the history) through `runner`, without output.
 */
function pushRewards(
  runner: BatchRunner,
  toks: Float64Array,
  layout: Parameters<typeof rewardToken>[0],
  hs: readonly { arms: Float64Array; hist: BanditHistory }[],
  actions: ArrayLike<number>,
  stride: number,
  t: number,
): void {
  const D = toks.length / hs.length, d = hs[0].hist.d;
  for (let e = 0; e < hs.length; e++) {
    const a = actions[e * stride + t - 1];
    toks.set(
      rewardToken(layout, hs[e].arms.subarray(a * d, (a + 1) * d), hs[e].hist.rewards[t - 1], t),
      e * D,
    );
  }
  runner.push(toks, { output: false });
}

/**
 * Per-layer check of the soft LinUCB transformer on `histories` trajectories of the exact soft
 * LinUCB: at the probed steps t, every ridge and inverse layer against the exact AGD/GD iterate
 * (errExact) and the closed form (errTarget), the bonus layer's products and √ (errExact: the
 * interpolant; errTarget: √), and the logits against soft LinUCB's.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "../bandits/env.ts";
 * import { LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { perLayerLinUCB } from "./measure.ts";
 * const spec = { ...LINUCB_CONSTRUCTION, horizon: 6, ridgeSteps: 30, inverseSteps: 30 };
 * perLayerLinUCB(spec, { ...LINEAR_BANDIT, horizon: 6 }, 1, 2, 1, [3, 6]).length > 0; // true
 * ```
 */
export function perLayerLinUCB(
  spec: SoftLinUCBSpec,
  bandit: LinearBanditSpec,
  envSeed: number,
  policySeed: number,
  histories: number,
  checkSteps: readonly number[],
): LayerErrorRow[] {
  const T = bandit.horizon;
  const con = buildSoftLinUCB({ ...spec, horizon: T });
  const { envs, traj } = softLinUCBHistories(bandit, spec, envSeed, policySeed, histories);
  const E = histories, A = envs.numArms, d = envs.dim, D = con.tf.D;
  const runner = new BatchRunner(compileTransformer(con.tf), E);
  const hs = Array.from({ length: E }, (_, e) => historyOf(envs, traj, e));
  const rows: LayerErrorRow[] = [];
  const [r0, r1] = con.steps.ridge, [i0, i1] = con.steps.inverse, [b0] = con.steps.bonus;
  const keepR = keptLayers(r1 - r0), keepI = keptLayers(i1 - i0);
  const beta = spec.method === "agd" ? con.beta : null;
  const toks = new Float64Array(E * D);
  for (let t = 1; t <= T; t++) {
    const probed = checkSteps.includes(t);
    const states = new Map<number, Float64Array>();
    for (let e = 0; e < E; e++) toks.set(actionSetToken(con.layout, hs[e].arms, t), e * D);
    runner.push(toks, {
      probe: probed
        ? (l, h) => {
          if (
            (l > r0 && keepR.has(l - r0)) || (l > i0 && l <= i1 && keepI.has(l - i0)) || l >= b0
          ) {
            states.set(l, Float64Array.from(h));
          }
        }
        : undefined,
    });
    if (probed) {
      const i = 2 * t - 1;
      const worst = new Map<number, { ex: number; tg: number }>();
      const upd = (l: number, ex: number, tg: number) => {
        const w = worst.get(l) ?? { ex: 0, tg: 0 };
        worst.set(l, { ex: Math.max(w.ex, ex), tg: Math.max(w.tg, tg) });
      };
      for (let e = 0; e < E; e++) {
        const { arms, hist } = hs[e];
        const G = gram(hist, t - 1, spec.lambda);
        const exact = softLinUCBExact(arms, hist, t - 1, spec.lambda, spec.alpha, spec.tau);
        const wIt = quadraticIterates(G, rewardSum(hist, t - 1), i, con.eta, beta, r1 - r0);
        for (const l of keepR) {
          const h = states.get(r0 + l)!;
          const w = laneSlot(h, E, e, con.w.x);
          upd(r0 + l, relErr(w, wIt.subarray((l - 1) * d, l * d)), relErr(w, exact.ridge));
        }
        for (let k = 0; k < A; k++) {
          const xIt = quadraticIterates(
            G,
            arms.subarray(k * d, (k + 1) * d),
            i,
            con.eta,
            beta,
            i1 - i0,
          );
          for (const l of keepI) {
            const x = laneSlot(states.get(i0 + l)!, E, e, con.x[k].x);
            upd(i0 + l, relErr(x, xIt.subarray((l - 1) * d, l * d)), relErr(x, exact.inv[k]));
          }
        }
      }
      for (const [l, w] of [...worst.entries()].sort((a, b) => a[0] - b[0])) {
        const inRidge = l <= r1;
        rows.push({
          construction: "soft LinUCB",
          step: inRidge
            ? `ridge (${spec.method.toUpperCase()})`
            : `A⁻¹a (${spec.method.toUpperCase()})`,
          layer: inRidge ? l - r0 : l - i0,
          t,
          errExact: w.ex,
          errTarget: w.tg,
        });
      }
      // bonus layer: products exact, √ against the interpolant and against √; logits
      let prodEx = 0, sqEx = 0, sqTg = 0, lgEx = 0, lgTg = 0;
      const hb = states.get(b0)!, hb1 = states.get(b0 + 1)!, hL = states.get(con.tf.layers.length)!;
      for (let e = 0; e < E; e++) {
        const { arms, hist } = hs[e];
        const exact = softLinUCBExact(arms, hist, t - 1, spec.lambda, spec.alpha, spec.tau);
        const w = laneSlot(hb, E, e, con.w.x);
        for (let k = 0; k < A; k++) {
          const a = arms.subarray(k * d, (k + 1) * d), x = laneSlot(hb, E, e, con.x[k].x);
          let m = 0, q = 0;
          for (let c = 0; c < d; c++) {
            m += w[c] * a[c];
            q += a[c] * x[c];
          }
          const val = hb1[(con.val.offset + k) * E + e], vala = hb1[(con.vala.offset + k) * E + e];
          prodEx = Math.max(prodEx, Math.abs(val - m), Math.abs(vala - q));
          const sq = hb1[(con.sq.offset + k) * E + e];
          sqEx = Math.max(sqEx, Math.abs(sq - evalPiecewise(con.sqrt, vala)));
          sqTg = Math.max(sqTg, Math.abs(sq - Math.sqrt(Math.max(vala, 0))));
          const lg = hL[(con.layout.logits.offset + k) * E + e];
          lgEx = Math.max(lgEx, Math.abs(lg - (val + spec.alpha * sq) / spec.tau));
          lgTg = Math.max(lgTg, Math.abs(lg - exact.logits[k]));
        }
      }
      const base = { construction: "soft LinUCB", t };
      rows.push({
        ...base,
        step: "bonus: ⟨ŵ,a⟩, ⟨a,x̂⟩",
        layer: 1,
        errExact: prodEx,
        errTarget: prodEx,
      });
      rows.push({ ...base, step: "bonus: √ MLP", layer: 1, errExact: sqEx, errTarget: sqTg });
      rows.push({ ...base, step: "logits", layer: 1, errExact: lgEx, errTarget: lgTg });
    }
    pushRewards(runner, toks, con.layout, hs, traj.actions, T, t);
  }
  return rows;
}

/**
 * Step-end check of the Thompson-sampling transformer on one trajectory of the exact soft TS
 * (noise z from its own stream): for each step, the error against what the layers implement
 * exactly (given their inputs) and against the closed form (μ, Padé terms with exact inverses,
 * Σ^{1/2}a, σΣ^{−1/2}a, the TS sample values, TS's logits).
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "../bandits/env.ts";
 * import { THOMPSON_CONSTRUCTION } from "./thompson.ts";
 * import { perLayerThompson } from "./measure.ts";
 * const spec = { ...THOMPSON_CONSTRUCTION, horizon: 4, padeTerms: 3, meanSteps: 5, padeSteps: 5, inverseSteps: 5 };
 * perLayerThompson(spec, { ...LINEAR_BANDIT, horizon: 4 }, 1, 2, [2, 4]).length > 0; // true
 * ```
 */
export function perLayerThompson(
  spec: ThompsonSpec,
  bandit: LinearBanditSpec,
  envSeed: number,
  policySeed: number,
  checkSteps: readonly number[],
): LayerErrorRow[] {
  const T = bandit.horizon;
  const con = buildThompson({ ...spec, horizon: T });
  const envs = sampleBandits(bandit, envSeed, 1);
  const rng = new Rng(policySeed).fork("09:ts-history");
  const A = envs.numArms, d = envs.dim, m = spec.padeTerms, lt = con.lambdaTilde;
  const sigma = Math.sqrt(spec.noiseVar);
  const arms = envs.arms.slice(0, A * d);
  const hist = { d, arms: new Float64Array(T * d), rewards: new Float64Array(T) };
  const runner = new CausalRunner(compileTransformer(con.tf));
  const rows: LayerErrorRow[] = [];
  const st = con.steps;
  const slot = (h: Float64Array, s: Slot) => h.slice(s.offset, s.offset + s.size);
  for (let t = 1; t <= T; t++) {
    const z = Float64Array.from({ length: d }, () => rng.normal());
    const probed = checkSteps.includes(t);
    const keep = new Map<number, Float64Array>();
    const wanted = new Set([
      st.mean[1],
      st.shift[1],
      st.pade[1],
      st.combine[1],
      st.inverse[1],
      st.sample[0],
      st.sample[1],
    ]);
    const out = runner.push(actionSetToken(con.layout, arms, t, [[con.noise, z]]), {
      probe: probed ? (l, h) => wanted.has(l) && keep.set(l, Float64Array.from(h)) : undefined,
    })!;
    const exact = thompsonExact(
      arms,
      hist,
      t - 1,
      z,
      spec.priorVar,
      spec.noiseVar,
      spec.tau,
      m,
      con.mu,
    );
    if (probed) {
      const i = 2 * t - 1, S = gram(hist, t - 1, lt);
      const add = (step: string, layer: number, ex: number, tg: number) =>
        rows.push({ construction: "TS", step, layer, t, errExact: ex, errTarget: tg });
      const hm = keep.get(st.mean[1])!;
      const mIt = quadraticIterates(
        S,
        rewardSum(hist, t - 1),
        i,
        con.eta,
        con.beta,
        spec.meanSteps,
      );
      add(
        "μ̂ (AGD)",
        spec.meanSteps,
        relErr(slot(hm, con.mean.x), mIt.subarray((spec.meanSteps - 1) * d)),
        relErr(slot(hm, con.mean.x), exact.mean),
      );
      const hy = keep.get(st.shift[1])!, hp = keep.get(st.pade[1])!;
      const hc = keep.get(st.combine[1])!, hi = keep.get(st.inverse[1])!;
      const hs0 = keep.get(st.sample[0])!, hs1 = keep.get(st.sample[1])!;
      let yEx = 0, pEx = 0, pTg = 0, cEx = 0, cTg = 0, iEx = 0, iTg = 0, uEx = 0, uTg = 0;
      const { a: pa, b: pb } = padeWeights(m);
      for (let k = 0; k < A; k++) {
        const a = arms.subarray(k * d, (k + 1) * d);
        const y = new Float64Array(d);
        for (let r = 0; r < d; r++) {
          for (let c = 0; c < d; c++) y[r] += (S[r * d + c] - (r === c ? con.mu : 0)) * a[c];
        }
        yEx = Math.max(yEx, relErr(slot(hy, con.y[k]), y));
        const sum = Float64Array.from(a);
        for (let j = 0; j < m; j++) {
          const G = new Float64Array(d * d);
          for (let n = 0; n < d * d; n++) G[n] = pb[j] * S[n];
          for (let r = 0; r < d; r++) G[r * d + r] += con.mu * (1 - pb[j]);
          const bTF = slot(hy, con.y[k]).map((v) => pa[j] * v);
          const it = quadraticIterates(G, bTF, i, con.padeEta[j], con.padeBeta[j], spec.padeSteps);
          const x = slot(hp, con.pade[k * m + j].x);
          pEx = Math.max(pEx, relErr(x, it.subarray((spec.padeSteps - 1) * d)));
          pTg = Math.max(pTg, relErr(x, solveSym(G, y.map((v) => pa[j] * v), d)));
          for (let c = 0; c < d; c++) sum[c] += x[c];
        }
        const s = slot(hc, con.s[k]);
        cEx = Math.max(cEx, relErr(s, sum.map((v) => Math.sqrt(con.mu) * v)));
        cTg = Math.max(cTg, relErr(s, exact.sqrtA[k]));
        const it = quadraticIterates(
          S,
          s.map((v) => sigma * v),
          i,
          con.eta,
          con.beta,
          spec.inverseSteps,
        );
        const xh = slot(hi, con.xhat[k].x);
        iEx = Math.max(iEx, relErr(xh, it.subarray((spec.inverseSteps - 1) * d)));
        iTg = Math.max(iTg, relErr(xh, exact.xhat[k]));
        let u = 0;
        for (let c = 0; c < d; c++) {
          u += hs0[con.mean.x.offset + c] * a[c] + hs0[con.xhat[k].x.offset + c] * z[c];
        }
        uEx = Math.max(uEx, Math.abs(hs1[con.u.offset + k] - u));
        uTg = Math.max(uTg, Math.abs(hs1[con.u.offset + k] - exact.u[k]));
      }
      add("(Σ − μI)a", 2, yEx, yEx);
      add(`Padé terms (AGD, m = ${m})`, spec.padeSteps, pEx, pTg);
      add("Σ^{1/2}a (Padé sum)", 1, cEx, cTg);
      add("σΣ⁻¹ŝ (AGD)", spec.inverseSteps, iEx, iTg);
      add("sample values u", 1, uEx, uTg);
      let lg = 0;
      for (let k = 0; k < A; k++) {
        lg = Math.max(lg, Math.abs(out[con.layout.logits.offset + k] - exact.logits[k]));
      }
      add("logits u/τ", 1, 0, lg);
    }
    // act like soft TS on the exact values (the history is the algorithm's)
    const p = exact.u.map((v) => v / spec.tau);
    let best = 0;
    for (let k = 1; k < A; k++) if (p[k] > p[best]) best = k;
    const r = envs.means[best] + bandit.noiseStd * envs.noise[t - 1];
    hist.arms.set(arms.subarray(best * d, (best + 1) * d), (t - 1) * d);
    hist.rewards[t - 1] = r;
    runner.push(rewardToken(con.layout, arms.subarray(best * d, (best + 1) * d), r, t), {
      output: false,
    });
  }
  return rows;
}

/**
 * Step-end check of the soft UCB-VI transformer on episodes of random play in `count` random MDPs:
 * counts, `P̂`, `r̂`, bonus and every `Q̂_h` against UCB-VI's, and the logits against `Q̂_h(s_t,·)/τ`
 * (errExact = errTarget: every step is exact).
 *
 * @example
 * ```ts
 * import { perLayerUcbvi } from "./measure.ts";
 * perLayerUcbvi({ nS: 2, nA: 2, H: 2, K: 3, tau: 0.1, bonusScale: 2 }, 1, 1).length; // 6
 * ```
 */
export function perLayerUcbvi(spec: UcbviSpec, mdpSeed: number, count: number): LayerErrorRow[] {
  const { nS: S, nA: A, H, K } = spec;
  const con = buildUcbvi(spec);
  const plan = compileTransformer(con.tf);
  const worst = { counts: 0, est: 0, bonus: 0, q: 0, v: 0, logits: 0 };
  const L = ucbviLog(S, A, H, K);
  for (let n = 0; n < count; n++) {
    const rng = new Rng(mdpSeed).fork("09:ucbvi-check").fork(n);
    const mdp = randomEpisodicMdp(rng, { nS: S, nA: A, H });
    const run = new CausalRunner(plan);
    const c = emptyUcbviCounts(S, A, H);
    for (let k = 1; k <= K; k++) {
      const ep = playEpisode(mdp, () => rng.int(A), rng);
      const { Q, V } = ucbviQ(c, K, spec.bonusScale);
      for (let h = 1; h <= H; h++) {
        const x = run.push(ucbviToken(con, { kind: "state", k, h, s: ep.states[h - 1] }))!;
        const g = (s: Slot, i: number) => x[s.offset + i];
        for (let i = 0; i < H * S * A; i++) {
          const inv = 1 / Math.max(c.N2[i], 1);
          worst.counts = Math.max(
            worst.counts,
            Math.abs(g(con.n2, i) - c.N2[i]),
            Math.abs(g(con.rs, i) - c.Rsum[i]),
          );
          worst.est = Math.max(worst.est, Math.abs(g(con.rh, i) - c.Rsum[i] * inv));
          worst.bonus = Math.max(
            worst.bonus,
            Math.abs(g(con.bonus, i) - ucbviBonus(c.N2[i], H, L, spec.bonusScale)),
          );
        }
        for (let i = 0; i < (H - 1) * S * A * S; i++) {
          worst.counts = Math.max(worst.counts, Math.abs(g(con.n3, i) - c.N3[i]));
          const inv = 1 / Math.max(c.N2[Math.floor(i / S)], 1);
          worst.est = Math.max(worst.est, Math.abs(g(con.ph, i) - c.N3[i] * inv));
        }
        for (let hh = 0; hh < H; hh++) {
          for (let i = 0; i < S * A; i++) {
            worst.q = Math.max(worst.q, Math.abs(g(con.q[hh], i) - Q[hh * S * A + i]));
          }
          for (let s = 0; s < S; s++) {
            worst.v = Math.max(worst.v, Math.abs(g(con.vv[hh], s) - V[hh * S + s]));
          }
        }
        const s = ep.states[h - 1];
        for (let a = 0; a < A; a++) {
          worst.logits = Math.max(
            worst.logits,
            Math.abs(g(con.layout.logits, a) - Q[((h - 1) * S + s) * A + a] / spec.tau),
          );
        }
        run.push(
          ucbviToken(con, { kind: "action", k, h, a: ep.actions[h - 1], r: ep.rewards[h - 1] }),
          {
            output: false,
          },
        );
      }
      run.push(ucbviToken(con, { kind: "empty", k }), { output: false });
      addEpisode(c, ep);
    }
  }
  const row = (step: string, err: number): LayerErrorRow => ({
    construction: "soft UCB-VI",
    step,
    layer: 1,
    t: K * H,
    errExact: err,
    errTarget: err,
  });
  return [
    row("counts N(s,a,s′), N(s,a), Σr", worst.counts),
    row("P̂, r̂", worst.est),
    row("bonus (interpolant on integers)", worst.bonus),
    row("Q̂_h, every h", worst.q),
    row("V̂_h = max_a Q̂_h (pairwise maxima)", worst.v),
    row("logits Q̂_h(s_t,·)/τ", worst.logits),
  ];
}

/** Error of the ridge estimate after each layer, for one method and T. */
export interface SweepRow {
  method: "GD" | "AGD";
  T: number;
  layer: number;
  /** max over t ≤ T and histories of ‖ŵ_ℓ − w_ridge‖/‖w_ridge‖. */
  err: number;
}

/** Layers needed to reach a relative error, measured and by the paper's Proposition. */
export interface NeededRow {
  method: "GD" | "AGD";
  T: number;
  target: number;
  /** First layer from which the error stays ≤ target (null: not within the layers run). */
  layers: number | null;
  /** The bound of the paper's Proposition on GD / AGD with its κ = 2T(B² + λ)/λ. */
  bound: number;
}

/**
 * Ridge error vs layers of the GD and AGD transformers (ridge step only) on soft-LinUCB histories,
 * at each horizon T (max over t ≤ T), and the layers needed for each target error.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "../bandits/env.ts";
 * import { LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { layersSweep } from "./measure.ts";
 * const r = layersSweep(LINUCB_CONSTRUCTION, LINEAR_BANDIT, 1, 2, { horizons: [4, 8], gdLayers: 200, agdLayers: 60, histories: 1, targets: [1e-2] });
 * r.needed.length; // 2 methods × 2 horizons × 1 target
 * ```
 */
export function layersSweep(
  spec: SoftLinUCBSpec,
  bandit: LinearBanditSpec,
  envSeed: number,
  policySeed: number,
  cfg: {
    horizons: number[];
    gdLayers: number;
    agdLayers: number;
    histories: number;
    targets: number[];
  },
): { rows: SweepRow[]; needed: NeededRow[] } {
  const Tmax = Math.max(...cfg.horizons);
  const big = { ...bandit, horizon: Tmax };
  const { envs, traj } = softLinUCBHistories(big, spec, envSeed, policySeed, cfg.histories);
  const hs = Array.from({ length: cfg.histories }, (_, e) => historyOf(envs, traj, e));
  const d = envs.dim, E = cfg.histories;
  const B2 = spec.armNorm ** 2, lam = spec.lambda;
  // err[t][layer] for one run through Tr steps
  const runRidge = (method: "gd" | "agd", Tr: number, layers: number) => {
    const con = buildSoftLinUCB({
      ...spec,
      method,
      horizon: Tr,
      ridgeSteps: layers,
      inverseSteps: 0,
    });
    const runner = new BatchRunner(compileTransformer(con.tf), E);
    const D = con.tf.D, toks = new Float64Array(E * D);
    const byT: Float64Array[] = [];
    for (let t = 1; t <= Tr; t++) {
      const err = new Float64Array(layers);
      const targets = hs.map((h) =>
        solveSym(gram(h.hist, t - 1, lam), rewardSum(h.hist, t - 1), d)
      );
      for (let e = 0; e < E; e++) toks.set(actionSetToken(con.layout, hs[e].arms, t), e * D);
      runner.push(toks, {
        probe: (l, h) => {
          if (l < 1 || l > layers) return;
          let m = 0;
          for (let e = 0; e < E; e++) {
            m = Math.max(m, relErr(laneSlot(h, E, e, con.w.x), targets[e]));
          }
          err[l - 1] = m;
        },
      });
      byT.push(err);
      pushRewards(runner, toks, con.layout, hs, traj.actions, Tmax, t);
    }
    return byT;
  };
  const rows: SweepRow[] = [], needed: NeededRow[] = [];
  const record = (method: "GD" | "AGD", T: number, byT: Float64Array[], layers: number) => {
    const err = new Float64Array(layers);
    for (let t = 0; t < T; t++) {
      for (let l = 0; l < layers; l++) err[l] = Math.max(err[l], byT[t][l]);
    }
    // log-spaced layers for the figure
    const marks = new Set<number>();
    for (let q = 0; q <= 120; q++) marks.add(Math.max(1, Math.round(layers ** (q / 120))));
    for (const l of [...marks].sort((a, b) => a - b)) {
      rows.push({ method, T, layer: l, err: err[l - 1] });
    }
    const kappa = (2 * T * (B2 + lam)) / lam;
    for (const target of cfg.targets) {
      let first: number | null = null;
      for (let l = layers; l >= 1; l--) {
        if (err[l - 1] <= target) first = l;
        else break;
      }
      const bound = method === "GD"
        ? Math.ceil(2 * kappa * Math.log(1 / target))
        : Math.ceil(2 * Math.sqrt(kappa) * Math.log(Math.sqrt(1 + kappa) / target));
      needed.push({ method, T, target, layers: first, bound });
    }
  };
  const gd = runRidge("gd", Tmax, cfg.gdLayers);
  for (const T of cfg.horizons) record("GD", T, gd.slice(0, T), cfg.gdLayers);
  for (const T of cfg.horizons) record("AGD", T, runRidge("agd", T, cfg.agdLayers), cfg.agdLayers);
  return { rows, needed };
}

/** Where a construction does not work as the paper writes it, measured. */
export interface AsWrittenRow {
  /** The construction and the part of its proof. */
  item: string;
  /** What the paper writes. */
  asWritten: string;
  /** The error of the construction as written. */
  errorAsWritten: number;
  /** The error of our corrected version (same inputs). */
  errorFixed: number;
  /** What goes wrong, in words (numbers in the columns). */
  note: string;
}

/**
 * The four measured failures of the constructions as written (MATH §10.10): the √ interpolant's
 * coefficients, TS's single Padé step size, UCB-VI's one-layer max, UCB-VI's "x ↦ x²" head.
 *
 * @example
 * ```ts
 * import { LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { THOMPSON_CONSTRUCTION } from "./thompson.ts";
 * import { paperAsWritten } from "./measure.ts";
 * paperAsWritten(LINUCB_CONSTRUCTION, { ...THOMPSON_CONSTRUCTION, padeSteps: 20 }, { nS: 3, nA: 3, H: 4, K: 10, tau: 0.1, bonusScale: 2 }).length; // 4
 * ```
 */
export function paperAsWritten(
  linucb: SoftLinUCBSpec,
  ts: ThompsonSpec,
  ucbvi: UcbviSpec,
): AsWrittenRow[] {
  const rows: AsWrittenRow[] = [];
  // 1. √ interpolant: f̃(x) = √x₁ + Σ_j σ(x − x_j)/(√x_{j+1} + √x_j), on our knots
  {
    const B2 = linucb.armNorm ** 2, T = linucb.horizon, lam = linucb.lambda;
    const lo = (linucb.armMin ** 2) / (2 * T * (B2 + lam)), hi = (2 * B2) / lam;
    const fixed = sqrtInterpolant(linucb.sqrtTol, lo, hi);
    const x = fixed.knots, s = x.map(Math.sqrt);
    const asWritten = (z: number) => {
      let f = s[0];
      for (let j = 0; j + 1 < s.length; j++) if (z > x[j]) f += (z - x[j]) / (s[j + 1] + s[j]);
      return f;
    };
    let eW = 0, eF = 0;
    for (let q = 0; q <= 2000; q++) {
      const z = lo + (hi - lo) * (q / 2000) ** 2;
      eW = Math.max(eW, Math.abs(asWritten(z) - Math.sqrt(z)));
      eF = Math.max(eF, Math.abs(evalPiecewise(fixed, z) - Math.sqrt(z)));
    }
    rows.push({
      item: "soft LinUCB, step 3: ReLU approximation of √x",
      asWritten: "f̃(x) = √x₁ + Σ_j σ(x − x_j)/(√x_{j+1} + √x_j)",
      errorAsWritten: eW,
      errorFixed: eF,
      note: `the same ${x.length} knots on [${lo.toExponential(1)}, ${hi}]: each ReLU adds its ` +
        "chord slope on top of the earlier ones, so the slopes accumulate; the coefficients must " +
        "be the slope increments",
    });
  }
  // 2. TS Padé terms with one step size η = 1/(B² + λ̃): first token only
  {
    // as written it overflows to NaN within a few hundred layers: measure after 40
    const asWrittenLayers = Math.min(ts.padeSteps, 40);
    const first = (padeStep: "paper" | "per-term", padeSteps: number) => {
      const con = buildThompson({ ...ts, padeStep, padeSteps, meanSteps: 1, inverseSteps: 1 });
      const run = new CausalRunner(compileTransformer(con.tf));
      const arms = new Rng(1).fillUniform(new Float64Array(ts.numArms * ts.dim), -1, 1);
      const h = run.push(
        actionSetToken(con.layout, arms, 1, [[con.noise, new Float64Array(ts.dim)]]),
      )!;
      const hist = { d: ts.dim, arms: new Float64Array(), rewards: new Float64Array() };
      const ex = thompsonExact(
        arms,
        hist,
        0,
        new Float64Array(ts.dim),
        ts.priorVar,
        ts.noiseVar,
        1,
        ts.padeTerms,
        con.mu,
      );
      let e = 0;
      for (let k = 0; k < ts.numArms; k++) {
        const r = relErr(h.slice(con.s[k].offset, con.s[k].offset + ts.dim), ex.padeSqrtA[k]);
        e = Math.max(e, Number.isFinite(r) ? r : Infinity);
      }
      return { e, mu: con.mu, eta: con.eta };
    };
    const w = first("paper", asWrittenLayers), f = first("per-term", ts.padeSteps);
    rows.push({
      item: "TS, step 2b: AGD on the Padé terms",
      asWritten: "one step size η = 1/(B² + λ̃) for every term",
      errorAsWritten: w.e,
      errorFixed: f.e,
      note: `at t = 1 the term j is (μ(1−b_j) + b_jλ̃)-smooth with μ = ${w.mu.toFixed(1)}, so ` +
        `η·μ ≈ ${
          (w.eta * w.mu).toFixed(1)
        } > 2 and AGD diverges: relative error of Σ^{1/2}a after ` +
        `${asWrittenLayers} layers (after a few hundred the iterates overflow to NaN); per-term ` +
        `η_j = 1/(μ(1−b_j) + b_j(B² + λ̃)) converges (after ${ts.padeSteps} layers)`,
    });
  }
  // 3. UCB-VI: one-layer max over actions
  {
    const rng = new Rng(3);
    let eW = 0;
    for (let n = 0; n < 10_000; n++) {
      const q = Array.from({ length: ucbvi.nA }, () => ucbvi.H * rng.uniform());
      eW = Math.max(eW, Math.abs(paperMaxFormula(q) - Math.max(...q)));
    }
    rows.push({
      item: "soft UCB-VI, step 3: V̂_h(s) = max_a Q̂_h(s, a)",
      asWritten: "σ(Q₁) + Σ_{j≥2} σ(Q_j − Q_{j−1}) in one MLP layer",
      errorAsWritten: eW,
      errorFixed: 0,
      note: `A = ${ucbvi.nA}, Q̂ ∈ [0, H] uniform (10⁴ draws): the formula is the maximum only ` +
        `for A ≤ 2; ⌈log₂ A⌉ layers of pairwise maxima are exact`,
    });
  }
  // 4. UCB-VI: the "x ↦ x²" head with threshold K
  {
    const K = ucbvi.K, per = 2 * ucbvi.H + 1, N = K * per;
    const sq = (thr: number) => {
      // coordinates: 0 count x, 1 i, 2 one, 3 output
      const D = 4;
      const Q = sparse(D, D, [[0, 2, thr], [1, 1, -1], [2, 0, 1]]);
      const Kk = sparse(D, D, [[0, 1, 1], [1, 2, thr], [2, 0, 1]]);
      const V = sparse(D, D, [[3, 1, 1]]);
      const tf = {
        D,
        clip: Infinity,
        maxTokens: N,
        layers: [{ name: "x²", heads: [{ Q, K: Kk, V }], mlp: null }],
      };
      const H = new Float64Array(N * D);
      for (let j = 0; j < N; j++) {
        H[j * D] = Math.floor(j / per); // one visit per earlier episode
        H[j * D + 1] = j + 1;
        H[j * D + 2] = 1;
      }
      const out = forwardReference(tf, H, N);
      let e = 0;
      for (let j = 0; j < N; j++) e = Math.max(e, Math.abs(out[j * D + 3] - H[j * D] ** 2));
      return e;
    };
    rows.push({
      item: "soft UCB-VI, step 2: N ↦ N² by attention",
      asWritten: "Q h_i = (K, −i, N_i), K h_j = (j, K, N_j): score K(j − i) + N_i N_j",
      errorAsWritten: sq(K),
      errorFixed: sq(K * K),
      note: `counts up to ${K - 1}: for N > √K the products N_i N_j beat the threshold K at ` +
        "earlier tokens; a threshold K² keeps the head on its own token (we avoid squares)",
    });
  }
  return rows;
}

/** One construction's size beside the theorem's order. */
export interface SizeRow {
  construction: string;
  quantity: string;
  ours: number;
  /** The theorem's value: explicit formula, or the order with constants and logs set to 1. */
  paper: number;
  paperFormula: string;
}

/**
 * D, L, M, D′ and ‖θ‖ of the three closed-loop constructions beside the paper's explicit layer
 * formulas (Lemma on the ridge estimator, TS step formulas, UCB-VI's 2H + 8) or orders.
 *
 * @example
 * ```ts
 * import { LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { THOMPSON_CONSTRUCTION } from "./thompson.ts";
 * import { sizeTable } from "./measure.ts";
 * const t = sizeTable({ ...LINUCB_CONSTRUCTION, horizon: 5, ridgeSteps: 5, inverseSteps: 5 }, { ...THOMPSON_CONSTRUCTION, horizon: 5, padeTerms: 2, meanSteps: 2, padeSteps: 2, inverseSteps: 2 }, { nS: 2, nA: 2, H: 2, K: 2, tau: 0.1, bonusScale: 2 }, { linucb: 1e-4, ts: 1e-3 }, false);
 * t.length > 0; // true
 * ```
 */
export function sizeTable(
  linucb: SoftLinUCBSpec,
  ts: ThompsonSpec,
  ucbvi: UcbviSpec,
  accuracy: { linucb: number; ts: number },
  withNorm = true,
): SizeRow[] {
  const rows: SizeRow[] = [];
  const add = (c: string, q: string, ours: number, paper: number, f: string) =>
    rows.push({ construction: c, quantity: q, ours, paper, paperFormula: f });
  {
    const { dim: d, numArms: A, horizon: T, lambda: lam, tau } = linucb;
    const B = linucb.armNorm, B2 = B * B, Bw = linucb.paramNorm, sig = linucb.noiseBound;
    const eps = accuracy.linucb;
    const s = transformerSize(buildSoftLinUCB(linucb).tf, withNorm);
    const root = 2 * Math.sqrt((2 * T * (B2 + lam)) / lam);
    const L1 = Math.ceil(
      root * Math.log(((2 * T * (B2 + lam) + lam) * T * B * (B * Bw + sig)) / (lam * lam * eps)),
    );
    const L2 = Math.ceil(root * Math.log(((2 * T * (B2 + lam) + lam) * B) / (lam * lam * eps)));
    const c = "soft LinUCB";
    add(c, "D", s.D, d * A, "O(dA)");
    add(c, "L", s.L, L1 + L2 + 2, "Lemma (AGD) steps 1 + 2 at ε = accuracy, + 2");
    add(c, "M", s.M, 4 * A, "≤ 4A");
    add(c, "D′", s.Dprime, d + A * Math.sqrt((T * d) / (tau * eps)), "Õ(d + A√(Td/(τε)))");
    if (s.norm !== null) {
      add(c, "‖θ‖", s.norm, A + (T * Math.sqrt(d)) / (tau * eps ** 0.25), "Õ(A + T√d/(τε^{1/4}))");
    }
  }
  {
    const { dim: d, numArms: A, horizon: T, padeTerms: m } = ts;
    const lt = ts.noiseVar / ts.priorVar, B2 = ts.armNorm ** 2, eps = accuracy.ts;
    const s = transformerSize(buildThompson(ts).tf, withNorm);
    const kap = (T * (B2 + lt)) / lt;
    const mPaper = (kap ** 0.25 / 4 + 1) *
      Math.max(
        Math.ceil(Math.log((2 * Math.sqrt(T * (B2 + lt))) / eps)),
        Math.ceil(Math.log((2 * Math.sqrt(lt)) / eps + 1)),
      );
    const c = "TS";
    add(c, "D", s.D, T ** 0.25 * A * d, "Õ(T^{1/4}Ad)");
    add(c, "L", s.L, Math.sqrt(T), "Õ(√T)");
    add(c, "M", s.M, A * T ** 0.25, "Õ(AT^{1/4})");
    add(c, "D′", s.Dprime, A * T ** 0.25 * d, "Õ(AT^{1/4}d)");
    add(c, "Padé terms m", m, Math.ceil(mPaper), "(κ^{1/4}/4 + 1)·⌈log(2√(T(B²+λ̃))/ε)⌉");
    if (s.norm !== null) add(c, "‖θ‖", s.norm, T + A * T ** 0.25, "Õ(T + AT^{1/4} + …)");
  }
  {
    const { nS: S, nA: A, H, K } = ucbvi;
    const s = transformerSize(buildUcbvi(ucbvi).tf, withNorm);
    const c = "soft UCB-VI";
    add(c, "D", s.D, H * S * S * A, "O(HS²A)");
    add(c, "L", s.L, 2 * H + 8, "2H + 8");
    add(c, "M", s.M, H * S * S * A, "O(HS²A)");
    add(c, "D′", s.Dprime, K * K * H * S * S * A, "O(K²HS²A)");
    if (s.norm !== null) {
      add(c, "‖θ‖", s.norm, K * K * H * S * S * A + K ** 3, "Õ(K²HS²A + K³ + 1/τ)");
    }
  }
  return rows;
}
