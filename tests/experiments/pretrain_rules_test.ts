// Tests of the pre-registered rules of notebook 08 (lib/experiments/pretrain_rules.ts) and of the
// statistics they read (lib/core/stats.ts, lib/core/student_t.ts).
import assert from "node:assert/strict";
import {
  computeToReach,
  computeToReachInterval,
  type GoRule,
  goVerdict,
  rewardUseVerdict,
  scalingVerdict,
  validateGoRule,
  validateScalingRule,
} from "../../lib/experiments/pretrain_rules.ts";
import {
  fitPowerLaw,
  type PairedDiff,
  pairedDiff,
  type PowerLawFit,
} from "../../lib/core/stats.ts";

const close = (got: number, want: number, tol: number, what = "") =>
  assert.ok(Math.abs(got - want) <= tol, `${what} got ${got}, want ${want} ± ${tol}`);

// ---------------------------------------------------------------------------------------------
// Student's t

const fitOf = (b: number, bLo: number, bHi: number, a = 100): PowerLawFit => ({
  a,
  b,
  bSe: (bHi - bLo) / 4,
  bLo,
  bHi,
  n: 5,
  r2: 0.9,
});

Deno.test("computeToReach solves a·x^b = target and is null for b ≥ 0", () => {
  const f = fitOf(-0.5, -0.7, -0.3, 200);
  const x = computeToReach(f, 20)!;
  close(x, (20 / 200) ** (1 / -0.5), 1e-9);
  close(200 * x ** -0.5, 20, 1e-12);
  assert.equal(computeToReach(fitOf(0, -0.2, 0.2), 20), null);
  assert.equal(computeToReach(fitOf(0.3, 0.1, 0.5), 20), null);
  // a law that would need more than Number.MAX_VALUE compute
  assert.equal(computeToReach(fitOf(-1e-6, -2e-6, 0), 1), null);
});

Deno.test("computeToReachInterval: target below a uses bLo for lo and bHi for hi", () => {
  const f = fitOf(-0.5, -0.8, -0.2);
  const r = computeToReachInterval(f, 10);
  close(r.x!, 0.1 ** (1 / -0.5), 1e-9);
  close(r.lo!, 0.1 ** (1 / -0.8), 1e-9);
  close(r.hi!, 0.1 ** (1 / -0.2), 1e-6);
  assert.ok(r.lo! < r.x! && r.x! < r.hi!);
  const open = computeToReachInterval(fitOf(-0.5, -0.8, 0.1), 10);
  assert.equal(open.hi, null);
  close(open.lo!, 0.1 ** (1 / -0.8), 1e-9);
  assert.deepEqual(computeToReachInterval(fitOf(0.1, -0.3, 0.4), 10).x, null);
  assert.deepEqual(computeToReachInterval(fitOf(0.3, 0.1, 0.5), 10), {
    x: null,
    lo: null,
    hi: null,
  });
});

Deno.test("computeToReachInterval: target above a swaps the ends; target = a gives 1", () => {
  const f = fitOf(-0.5, -0.8, -0.2);
  const r = computeToReachInterval(f, 1000);
  close(r.x!, 10 ** (1 / -0.5), 1e-12);
  close(r.lo!, 10 ** (1 / -0.2), 1e-12);
  close(r.hi!, 10 ** (1 / -0.8), 1e-12);
  assert.ok(r.lo! < r.x! && r.x! < r.hi!);
  const open = computeToReachInterval(fitOf(-0.5, -0.8, 0.2), 1000);
  assert.equal(open.lo, null);
  close(open.hi!, 10 ** (1 / -0.8), 1e-12);
  assert.deepEqual(computeToReachInterval(f, 100), { x: 1, lo: 1, hi: 1 });
});

Deno.test("computeToReach(Interval) reject a bad target and a malformed fit", () => {
  const f = fitOf(-0.5, -0.8, -0.2);
  for (const target of [0, -1, NaN, Infinity]) {
    assert.throws(() => computeToReach(f, target), /target must be/);
    assert.throws(() => computeToReachInterval(f, target), /target must be/);
  }
  assert.throws(() => computeToReach({ ...f, a: 0 }, 1), /fit.a must be .*got 0/);
  assert.throws(() => computeToReach({ ...f, b: NaN }, 1), /fit.b must be .*got NaN/);
  assert.throws(
    () => computeToReachInterval({ ...f, bLo: 0, bHi: -1 }, 1),
    /bLo must be ≤ fit.bHi/,
  );
});

// ---------------------------------------------------------------------------------------------
// Rules and verdicts

const goRule: GoRule = { mustBeatBaseline: "Emp", paperTF: 39.6, withinSe: 2 };
const pd = (lo: number, hi: number): PairedDiff => ({
  mean: (lo + hi) / 2,
  se: (hi - lo) / 3.92,
  lo,
  hi,
  n: 200,
});

Deno.test("validateGoRule accepts a rule and names unknown keys, missing keys and NaN", () => {
  validateGoRule(goRule);
  assert.throws(
    () => validateGoRule({ ...goRule, withinSE: 2 }),
    (e) =>
      e instanceof RangeError &&
      /unknown key "withinSE" \(did you mean "withinSe"\?\)/.test(e.message),
  );
  assert.throws(
    () => validateGoRule({ ...goRule, paperTF: NaN }),
    (e) => e instanceof RangeError && /goRule.paperTF .*got NaN/.test(e.message),
  );
  assert.throws(
    () => validateGoRule({ mustBeatBaseline: "Emp", paperTF: 39.6 }),
    /goRule.withinSe .*got undefined/,
  );
  assert.throws(() => validateGoRule({ ...goRule, withinSe: -1 }), /goRule.withinSe .*got -1/);
  assert.throws(
    () => validateGoRule({ ...goRule, mustBeatBaseline: "" }),
    /mustBeatBaseline must be a non-empty string, got ""/,
  );
  assert.throws(
    () => validateGoRule({ ...goRule, mustBeatBaseline: 3 }),
    /mustBeatBaseline .*got 3/,
  );
  assert.throws(() => validateGoRule(null), TypeError);
});

Deno.test("validateScalingRule accepts a rule and names unknown keys and NaN", () => {
  validateScalingRule({ slopeBelow: 0 });
  validateScalingRule({ slopeBelow: -0.1 });
  assert.throws(() => validateScalingRule({ slopeBelow: 0, slope: 1 }), /unknown key "slope"/);
  assert.throws(() => validateScalingRule({ slopeBelow: NaN }), /scalingRule.slopeBelow .*got NaN/);
  assert.throws(() => validateScalingRule({}), /scalingRule.slopeBelow .*got undefined/);
  assert.throws(() => validateScalingRule([0]), TypeError);
});

Deno.test("goVerdict: supported when TF beats the baseline and is within withinSe·se of the paper", () => {
  // bar = 39.6 + 2·1.5 = 42.6; TF at 42 is worse than the paper but within the bar
  const out = goVerdict(goRule, { mean: 42, se: 1.5 }, { Emp: pd(-8, -2), UCB: pd(1, 3) });
  assert.equal(out.outcome, "supported");
  assert.equal(
    out.reason,
    "TF beats Emp (the paired CI of TF − Emp regret is [-8, -2], entirely < 0) and its regret 42 " +
      "is ≤ the paper's 39.6 + 2·1.5 = 42.6.",
  );
  // better than the paper also counts
  assert.equal(goVerdict(goRule, { mean: 20, se: 0 }, { Emp: pd(-8, -2) }).outcome, "supported");
  // exactly on the bar counts
  assert.equal(
    goVerdict(goRule, { mean: 42.6, se: 1.5 }, { Emp: pd(-8, -2) }).outcome,
    "supported",
  );
});

Deno.test("goVerdict: not supported when the paired CI lies entirely ≥ 0", () => {
  const out = goVerdict(goRule, { mean: 30, se: 1 }, { Emp: pd(0.5, 4.25) });
  assert.equal(out.outcome, "not supported");
  assert.equal(
    out.reason,
    "TF is not better than Emp: the paired CI of TF − Emp regret is [0.5, 4.25], entirely ≥ 0.",
  );
  assert.equal(goVerdict(goRule, { mean: 30, se: 1 }, { Emp: pd(0, 4) }).outcome, "not supported");
});

Deno.test("goVerdict: inconclusive when the CI straddles 0", () => {
  const out = goVerdict(goRule, { mean: 30, se: 1 }, { Emp: pd(-1.234, 2) });
  assert.equal(out.outcome, "inconclusive");
  assert.equal(
    out.reason,
    "TF vs Emp is undecided: the paired CI of TF − Emp regret is [-1.23, 2], which contains 0.",
  );
  // hi exactly 0 is not "entirely below 0"
  assert.equal(goVerdict(goRule, { mean: 30, se: 1 }, { Emp: pd(-1, 0) }).outcome, "inconclusive");
});

Deno.test("goVerdict: inconclusive when TF beats the baseline but misses the paper's value", () => {
  const out = goVerdict(goRule, { mean: 52.14, se: 1.2 }, { Emp: pd(-3, -1) });
  assert.equal(out.outcome, "inconclusive");
  assert.equal(
    out.reason,
    "TF beats Emp (the paired CI of TF − Emp regret is [-3, -1], entirely < 0) but its regret " +
      "52.1 exceeds the paper's 39.6 + 2·1.2 = 42.",
  );
});

Deno.test("goVerdict rejects a missing baseline key, a bad rule, tf or paired entry", () => {
  assert.throws(
    () => goVerdict(goRule, { mean: 30, se: 1 }, { UCB: pd(-1, 1) }),
    (e) =>
      e instanceof RangeError &&
      /no entry for goRule.mustBeatBaseline="Emp"; keys: UCB/.test(e.message),
  );
  assert.throws(
    () => goVerdict({ ...goRule, extra: 1 } as GoRule, { mean: 1, se: 1 }, {}),
    /unknown key "extra"/,
  );
  assert.throws(
    () => goVerdict(goRule, { mean: NaN, se: 1 }, { Emp: pd(-1, 1) }),
    /tf.mean .*got NaN/,
  );
  assert.throws(() => goVerdict(goRule, { mean: 1, se: -1 }, { Emp: pd(-1, 1) }), /tf.se .*got -1/);
  assert.throws(
    () => goVerdict(goRule, { mean: 1, se: 1 }, { Emp: { ...pd(-1, 1), hi: NaN } }),
    /paired.Emp.hi .*got NaN/,
  );
  assert.throws(
    () => goVerdict(goRule, { mean: 1, se: 1 }, { Emp: pd(1, -1) }),
    /paired.Emp.lo must be ≤ paired.Emp.hi/,
  );
});

Deno.test("scalingVerdict: each branch, at and around the threshold", () => {
  const rule = { slopeBelow: 0 };
  const yes = scalingVerdict(rule, fitOf(-0.31, -0.456, -0.2));
  assert.equal(yes.outcome, "supported");
  assert.equal(
    yes.reason,
    "More compute helps: the slope b = -0.31 has CI [-0.456, -0.2], entirely below 0.",
  );
  const no = scalingVerdict(rule, fitOf(0.2, 0.05, 0.35));
  assert.equal(no.outcome, "not supported");
  assert.equal(
    no.reason,
    "More compute does not help: the slope b = 0.2 has CI [0.05, 0.35], entirely at or above 0.",
  );
  assert.equal(scalingVerdict(rule, fitOf(0.1, 0, 0.2)).outcome, "not supported"); // bLo = s
  const maybe = scalingVerdict(rule, fitOf(-0.1, -0.3, 0.1));
  assert.equal(maybe.outcome, "inconclusive");
  assert.equal(maybe.reason, "Undecided: the slope b = -0.1 has CI [-0.3, 0.1], which contains 0.");
  assert.equal(scalingVerdict(rule, fitOf(-0.1, -0.2, 0)).outcome, "inconclusive"); // bHi = s
  // a stricter rule: the slope must be below −0.25
  assert.equal(
    scalingVerdict({ slopeBelow: -0.25 }, fitOf(-0.31, -0.456, -0.2)).outcome,
    "inconclusive",
  );
});

Deno.test("scalingVerdict on a real fit and bad inputs", () => {
  const x = [1, 2, 4, 8, 16], y = [100, 80, 55, 47, 30];
  const f = fitPowerLaw(x, y);
  assert.ok(f.bHi < 0);
  assert.equal(scalingVerdict({ slopeBelow: 0 }, f).outcome, "supported");
  assert.throws(() => scalingVerdict({ slopeBelow: NaN }, f), /slopeBelow .*got NaN/);
  assert.throws(
    () => scalingVerdict({ slopeBelow: 0, below: 0 } as never, f),
    /unknown key "below"/,
  );
  assert.throws(() => scalingVerdict({ slopeBelow: 0 }, { ...f, bHi: NaN }), /fit.bHi .*got NaN/);
});

Deno.test("rewardUseVerdict: supported when lo > 0, not supported when the CI contains 0 or is below", () => {
  const yes = rewardUseVerdict(pd(3.14159, 9));
  assert.equal(yes.outcome, "supported");
  assert.equal(
    yes.reason,
    "The model uses the rewards: the paired CI of regret(replaced) − regret(real) is [3.14, 9], " +
      "entirely > 0.",
  );
  const none = rewardUseVerdict(pd(-1, 2));
  assert.equal(none.outcome, "not supported");
  assert.equal(
    none.reason,
    "No detectable use of the rewards: the paired CI of regret(replaced) − regret(real) is " +
      "[-1, 2], which contains 0.",
  );
  assert.equal(rewardUseVerdict(pd(0, 2)).outcome, "not supported"); // lo = 0 is not > 0
  assert.match(rewardUseVerdict(pd(0, 2)).reason, /^No detectable use/);
  assert.match(rewardUseVerdict(pd(-2, 0)).reason, /^No detectable use/);
  const below = rewardUseVerdict(pd(-5, -1));
  assert.equal(below.outcome, "not supported");
  assert.equal(
    below.reason,
    "Replaced rewards lower the regret: the paired CI of regret(replaced) − regret(real) is " +
      "[-5, -1], entirely < 0.",
  );
  // from real paired data
  const real = [40, 42, 38, 45, 41], replaced = [80, 90, 75, 88, 84];
  assert.equal(rewardUseVerdict(pairedDiff(replaced, real)).outcome, "supported");
  assert.throws(() => rewardUseVerdict({ ...pd(1, 2), lo: NaN }), /diff.lo .*got NaN/);
  assert.throws(() => rewardUseVerdict(pd(2, 1)), /diff.lo must be ≤ diff.hi/);
});
