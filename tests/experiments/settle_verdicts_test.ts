import assert from "node:assert/strict";
import {
  adamLrVerdict,
  balanceVerdict,
  basinVerdict,
  confusionOf,
  etaScalingVerdict,
  failureVerdict,
  rateVerdict,
  richnessVerdict,
  validateVerdictRules,
  type VerdictRules,
} from "../../lib/experiments/settle_verdicts.ts";
import { settleDefaults } from "../../lib/experiments/settle_config.ts";
import { fitPowerLaw } from "../../lib/core/stats.ts";
import type { Outcome } from "../../lib/experiments/shape.ts";

const rules: VerdictRules = {
  richness: { kappaMax: 100 },
  rate: { supportedTol: 0.1, qualifiedTol: 0.3 },
  balance: { supportedTol: 0.01, qualifiedTol: 0.05 },
  etaExponent: { claimed: 2, supportedTol: 0.4, qualifiedMin: 0.5 },
  adamLr: { minSpread: 0.02 },
  failure: { failDist: 0.05, muRatioPoor: 0.1, minPrecision: 0.9, minRecall: 0.9 },
  basin: { smallGainMax: 0.1, minFraction: 0.8 },
};

const all: Outcome[] = ["supported", "qualified", "not supported"];

Deno.test("verdict rules: the config's thresholds validate; inverted bands throw naming the key", () => {
  validateVerdictRules(rules);
  validateVerdictRules(settleDefaults.paper.verdicts);
  validateVerdictRules(settleDefaults.quick.verdicts);
  assert.throws(
    () => validateVerdictRules({ ...rules, rate: { supportedTol: 0.3, qualifiedTol: 0.1 } }),
    /verdicts.rate.qualifiedTol/,
  );
  assert.throws(
    () => validateVerdictRules({ ...rules, failure: { ...rules.failure, minRecall: 2 } }),
    /verdicts.failure.minRecall/,
  );
});

Deno.test("richnessVerdict reaches all three outcomes", () => {
  const r = rules.richness;
  const got = [
    richnessVerdict({ zeros: [1, 1], gramFull: true, kappa: [40, 90], exact: true }, r),
    richnessVerdict({ zeros: [1, 1], gramFull: true, kappa: [40, 900], exact: true }, r),
    richnessVerdict({ zeros: [1, 3], gramFull: true, kappa: [40, 90], exact: true }, r),
  ].map((v) => v.outcome);
  assert.deepEqual(got, all);
  // rank-deficient Gram ⇒ not supported; iterative spectrum ⇒ at most qualified
  assert.equal(
    richnessVerdict({ zeros: [1], gramFull: false, kappa: [10], exact: true }, r).outcome,
    "not supported",
  );
  const it = richnessVerdict({ zeros: [1], gramFull: true, kappa: [10], exact: false }, r);
  assert.equal(it.outcome, "qualified");
  assert.match(it.reason, /not a proof/);
  assert.throws(() => richnessVerdict({ zeros: [], gramFull: true, kappa: [], exact: true }, r));
});

Deno.test("rateVerdict and balanceVerdict reach all three outcomes at their thresholds", () => {
  assert.deepEqual(
    [[1.05, 0.95], [1.2, 0.99], [1.5, 1.0]].map((x) => rateVerdict(x, rules.rate).outcome),
    all,
  );
  assert.equal(rateVerdict([1.099], rules.rate).outcome, "supported"); // just inside the band
  assert.deepEqual(
    [[0.001, 0.009], [0.02], [0.2, 0.001]].map((x) => balanceVerdict(x, rules.balance).outcome),
    all,
  );
  assert.throws(() => rateVerdict([], rules.rate), /no measured/);
  assert.throws(() => balanceVerdict([-1], rules.balance), /deviations\[0\]/);
});

Deno.test("etaScalingVerdict's fit (core fitPowerLaw, two step sizes allowed) recovers exponents; its CI holds the truth on noisy data", () => {
  const f = fitPowerLaw([8, 4, 2], [64, 16, 4], 0.95, 2);
  assert.ok(Math.abs(f.b - 2) < 1e-12);
  const x: number[] = [], y: number[] = [];
  for (const eta of [8, 2]) {
    for (const e of [0.9, 1, 1.1]) {
      x.push(eta);
      y.push(0.01 * eta * e);
    }
  }
  const g = fitPowerLaw(x, y, 0.95, 2);
  assert.ok(g.bLo < 1 && g.bHi > 1 && Math.abs(g.b - 1) < 0.1, JSON.stringify(g));
  // the CI half-width is t_{0.975, n−2}·SE with SE from the residuals (literal formula, 4 df)
  const lx = x.map(Math.log), ly = y.map(Math.log), mx = lx.reduce((a, b) => a + b) / 6;
  const my = ly.reduce((a, b) => a + b) / 6;
  const sxx = lx.reduce((a, v) => a + (v - mx) ** 2, 0);
  const rss = lx.reduce((a, v, i) => a + (ly[i] - my - g.b * (v - mx)) ** 2, 0);
  assert.ok(Math.abs((g.bHi - g.b) - 2.7764451 * Math.sqrt(rss / 4 / sxx)) < 1e-6);
  assert.throws(() => fitPowerLaw([1, 1, 1], [2, 3, 4], 0.95, 2), /≥ 2 distinct x values, got 1/);
  assert.throws(() => fitPowerLaw([1, 2], [2, 3], 0.95, 2), /≥ 3 points.*n=2/);
  assert.throws(() => fitPowerLaw([1, 2, 4], [0, 3, 4], 0.95, 2), /y\[0\] must be > 0/);
  assert.throws(() => etaScalingVerdict([{ eta: 1, offset: 1 }], rules.etaExponent), /≥ 3 points/);
});

Deno.test("etaScalingVerdict: η² offsets supported, η¹ qualified, flat offsets not supported", () => {
  const pts = (b: number) => [8, 4, 2].flatMap((eta) => [{ eta, offset: 1e-3 * eta ** b }]);
  const out = [2, 1, 0].map((b) => etaScalingVerdict(pts(b), rules.etaExponent));
  assert.deepEqual(out.map((o) => o.verdict.outcome), all);
  assert.ok(Math.abs(out[1].fit.b - 1) < 1e-12);
});

Deno.test("adamLrVerdict: separated groups supported, overlapping large spread qualified, flat not supported", () => {
  const v = (a: number[], b: number[]) =>
    adamLrVerdict([{ lr: 1e-3, absC: a }, { lr: 1e-2, absC: b }], rules.adamLr).outcome;
  assert.deepEqual([
    v([0.50, 0.51, 0.49], [0.60, 0.61, 0.62]),
    v([0.40, 0.60, 0.50], [0.45, 0.65, 0.55]),
    v([0.500, 0.501, 0.499], [0.505, 0.504, 0.506]),
  ], ["supported", "qualified", "qualified"]);
  assert.equal(v([0.40, 0.60, 0.50], [0.41, 0.61, 0.51]), "not supported");
  assert.throws(() => adamLrVerdict([{ lr: 1, absC: [1] }], rules.adamLr), /≥ 2/);
});

Deno.test("confusionOf and failureVerdict: perfect, one-sided and wrong flags give the three outcomes", () => {
  const arms = [
    { flagged: true, failed: true },
    { flagged: false, failed: true },
    { flagged: false, failed: false },
  ];
  assert.deepEqual(confusionOf(arms), { tp: 1, fp: 0, fn: 1, tn: 1 });
  const f = rules.failure;
  assert.deepEqual(
    [
      failureVerdict({ tp: 3, fp: 0, fn: 0, tn: 9 }, f),
      failureVerdict({ tp: 3, fp: 0, fn: 3, tn: 6 }, f),
      failureVerdict({ tp: 1, fp: 2, fn: 3, tn: 6 }, f),
    ].map((x) => x.outcome),
    all,
  );
  const vac = failureVerdict({ tp: 0, fp: 0, fn: 0, tn: 5 }, f);
  assert.equal(vac.outcome, "qualified");
  assert.match(vac.reason, /vacuous/);
  assert.throws(() => failureVerdict({ tp: 0, fp: 0, fn: 0, tn: 0 }, f), /empty/);
});

Deno.test("basinVerdict: every setting, some settings, no setting reaching M⋆ at small gains", () => {
  const g = (setting: string, lo: number, gain = 0.1) => ({
    setting,
    gain,
    reached: lo > 0.5 ? 20 : 0,
    runs: 20,
    lo,
  });
  assert.deepEqual(
    [
      basinVerdict([g("adam", 0.84), g("gd", 0.84), g("gd", 0, 10)], rules.basin),
      basinVerdict([g("adam", 0.84), g("gd", 0)], rules.basin),
      basinVerdict([g("adam", 0.2), g("gd", 0)], rules.basin),
    ].map((v) => v.outcome),
    all,
  );
  assert.throws(() => basinVerdict([g("adam", 1, 3)], rules.basin), /no gain/);
});
