// The soft LinUCB transformer against independent float64 formulas (MATH §10.6).
import assert from "node:assert/strict";
import { maxAbsDiff, slotOf } from "../helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  ConstructionParameterError,
  HorizonExceededError,
  NonFiniteInputError,
  TokenShapeError,
} from "../../lib/constructions/errors.ts";
import { actionSetToken, rewardToken } from "../../lib/constructions/layout.ts";
import {
  buildSoftLinUCB,
  LINUCB_CONSTRUCTION,
  type SoftLinUCBConstruction,
  softLinUCBExact,
  type SoftLinUCBSpec,
} from "../../lib/constructions/linucb.ts";
import {
  type BanditHistory,
  gram,
  quadraticIterates,
  rewardSum,
} from "../../lib/constructions/reference.ts";
import { CausalRunner, compileTransformer } from "../../lib/constructions/runner.ts";
import { evalPiecewise, sqrtChordError, sqrtInterpolant } from "../../lib/constructions/blocks.ts";
import { forwardReference } from "../../lib/constructions/transformer.ts";

const d = 5, A = 10;

/** A random history of T steps on one action set; the transformer's per-layer states at every odd token. */
function runOn(con: SoftLinUCBConstruction, seed: number) {
  const T = con.spec.horizon;
  const rng = new Rng(seed);
  const arms = rng.fillUniform(new Float64Array(A * d), -1, 1);
  const hist: BanditHistory = { d, arms: new Float64Array(T * d), rewards: new Float64Array(T) };
  const run = new CausalRunner(compileTransformer(con.tf));
  const states: Float64Array[][] = [];
  for (let t = 1; t <= T; t++) {
    const layers: Float64Array[] = [];
    run.push(actionSetToken(con.layout, arms, t), {
      probe: (_l, h) => layers.push(Float64Array.from(h)),
    });
    states.push(layers);
    const k = rng.int(A);
    const r = 0.3 + 1.5 * rng.normal();
    hist.arms.set(arms.subarray(k * d, (k + 1) * d), (t - 1) * d);
    hist.rewards[t - 1] = r;
    run.push(rewardToken(con.layout, arms.subarray(k * d, (k + 1) * d), r, t), { output: false });
  }
  return { arms, hist, states };
}

for (const method of ["agd", "gd"] as const) {
  Deno.test(`soft LinUCB (${method}): every layer is its exact GD/AGD step (≤ 1e-10)`, () => {
    const spec: SoftLinUCBSpec = {
      ...LINUCB_CONSTRUCTION,
      horizon: 12,
      method,
      ridgeSteps: 60,
      inverseSteps: 60,
    };
    const con = buildSoftLinUCB(spec);
    const { arms, hist, states } = runOn(con, 11);
    for (const t of [1, 2, 7, 12]) {
      const i = 2 * t - 1, G = gram(hist, t - 1, spec.lambda);
      const beta = method === "agd" ? con.beta : null;
      const wIt = quadraticIterates(G, rewardSum(hist, t - 1), i, con.eta, beta, spec.ridgeSteps);
      for (let s = 1; s <= spec.ridgeSteps; s++) {
        const got = slotOf(states[t - 1][s], con.w.x);
        const want = wIt.subarray((s - 1) * d, s * d);
        assert.ok(
          maxAbsDiff(got, want) <= 1e-10,
          `t ${t} ridge layer ${s}: ${maxAbsDiff(got, want)}`,
        );
      }
      for (let k = 0; k < A; k++) {
        const a = arms.subarray(k * d, (k + 1) * d);
        const xIt = quadraticIterates(G, a, i, con.eta, beta, spec.inverseSteps);
        for (const s of [1, 17, spec.inverseSteps]) {
          const got = slotOf(states[t - 1][spec.ridgeSteps + s], con.x[k].x);
          const want = xIt.subarray((s - 1) * d, s * d);
          assert.ok(maxAbsDiff(got, want) <= 1e-10, `t ${t} arm ${k} inverse layer ${s}`);
        }
      }
    }
  });
}

Deno.test("soft LinUCB: the bonus layer's products are exact, its √ within the interpolant's bound", () => {
  const spec = { ...LINUCB_CONSTRUCTION, horizon: 10, ridgeSteps: 300, inverseSteps: 300 };
  const con = buildSoftLinUCB(spec);
  const { arms, hist, states } = runOn(con, 5);
  const [b0] = con.steps.bonus;
  for (let t = 1; t <= spec.horizon; t++) {
    const after = states[t - 1][b0 + 1], before = states[t - 1][b0];
    const w = slotOf(before, con.w.x);
    for (let k = 0; k < A; k++) {
      const a = arms.subarray(k * d, (k + 1) * d), x = slotOf(before, con.x[k].x);
      let m = 0, q = 0;
      for (let j = 0; j < d; j++) {
        m += w[j] * a[j];
        q += a[j] * x[j];
      }
      assert.ok(Math.abs(after[con.val.offset + k] - m) <= 1e-10);
      assert.ok(Math.abs(after[con.vala.offset + k] - q) <= 1e-10);
      const sq = after[con.sq.offset + k];
      assert.ok(Math.abs(sq - evalPiecewise(con.sqrt, q)) <= 1e-10); // the MLP is f̃ exactly
      assert.ok(Math.abs(sq - Math.sqrt(q)) <= spec.sqrtTol + 1e-10); // f̃ within its bound
    }
    // converged AGD: the logits equal soft LinUCB's up to (α/τ)·(√ bound) + 1e-9
    const ex = softLinUCBExact(arms, hist, t - 1, spec.lambda, spec.alpha, spec.tau);
    const logits = slotOf(states[t - 1].at(-1)!, con.layout.logits);
    const bound = (spec.alpha / spec.tau) * spec.sqrtTol + 1e-9;
    assert.ok(
      maxAbsDiff(logits, ex.logits) <= bound,
      `t ${t}: ${maxAbsDiff(logits, ex.logits)} > ${bound}`,
    );
  }
});

Deno.test("√ interpolant: its chord error is at most ε on every interval", () => {
  for (const eps of [1e-3, 1e-6]) {
    const pl = sqrtInterpolant(eps, 1e-5, 10);
    assert.ok(pl.maxError <= eps * (1 + 1e-9));
    assert.ok(pl.knots.at(-1)! >= 10);
    for (let j = 0; j + 1 < pl.knots.length; j++) {
      assert.ok(sqrtChordError(pl.knots[j], pl.knots[j + 1]) <= eps * (1 + 1e-9));
    }
    const rng = new Rng(1);
    for (let n = 0; n < 2000; n++) {
      const x = 1e-5 + (10 - 1e-5) * rng.uniform() ** 4;
      assert.ok(Math.abs(evalPiecewise(pl, x) - Math.sqrt(x)) <= eps * (1 + 1e-9));
    }
  }
});

Deno.test("soft LinUCB: the cached closed loop equals the literal forward pass", () => {
  const con = buildSoftLinUCB({
    ...LINUCB_CONSTRUCTION,
    horizon: 3,
    ridgeSteps: 4,
    inverseSteps: 4,
    sqrtTol: 1e-3,
  });
  const { arms, hist, states } = runOn(con, 2);
  const D = con.tf.D, N = 2 * con.spec.horizon;
  const H = new Float64Array(N * D);
  for (let t = 1; t <= con.spec.horizon; t++) {
    H.set(actionSetToken(con.layout, arms, t), (2 * t - 2) * D);
    const a = hist.arms.subarray((t - 1) * d, t * d);
    H.set(rewardToken(con.layout, a, hist.rewards[t - 1], t), (2 * t - 1) * D);
  }
  const out = forwardReference(con.tf, H, N);
  for (let t = 1; t <= con.spec.horizon; t++) {
    const ref = out.subarray((2 * t - 2) * D, (2 * t - 1) * D);
    assert.ok(maxAbsDiff(states[t - 1].at(-1)!, ref) <= 1e-10);
  }
});

Deno.test("soft LinUCB: named errors for τ ≤ 0, a wrong token, a step beyond T, a NaN reward", () => {
  assert.throws(
    () => buildSoftLinUCB({ ...LINUCB_CONSTRUCTION, tau: 0 }),
    ConstructionParameterError,
  );
  assert.throws(
    () => buildSoftLinUCB({ ...LINUCB_CONSTRUCTION, tau: -1 }),
    ConstructionParameterError,
  );
  assert.throws(
    () =>
      softLinUCBExact(
        [1],
        { d: 1, arms: new Float64Array(), rewards: new Float64Array() },
        0,
        1,
        1,
        0,
      ),
    ConstructionParameterError,
  );
  const con = buildSoftLinUCB({
    ...LINUCB_CONSTRUCTION,
    horizon: 2,
    ridgeSteps: 2,
    inverseSteps: 2,
  });
  const run = new CausalRunner(compileTransformer(con.tf));
  assert.throws(() => run.push(new Float64Array(con.tf.D + 1)), TokenShapeError);
  assert.throws(() => actionSetToken(con.layout, new Float64Array(A * d - 1), 1), TokenShapeError);
  assert.throws(() => actionSetToken(con.layout, new Float64Array(A * d), 3), HorizonExceededError);
  assert.throws(() => rewardToken(con.layout, new Float64Array(d), NaN, 1), NonFiniteInputError);
  assert.throws(
    () => rewardToken(con.layout, new Float64Array(d), Infinity, 1),
    NonFiniteInputError,
  );
  const arms = new Float64Array(A * d).fill(0.5);
  for (let t = 1; t <= 2; t++) {
    run.push(actionSetToken(con.layout, arms, t));
    run.push(rewardToken(con.layout, arms.subarray(0, d), 1, t), { output: false });
  }
  assert.throws(() => run.push(actionSetToken(con.layout, arms, 2)), HorizonExceededError);
});
