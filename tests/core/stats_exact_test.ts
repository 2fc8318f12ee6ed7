// Tests of the statistics in lib/core/stats.ts (paired differences, seed intervals, power-law fit)
// and lib/core/student_t.ts (the t distribution), against tables, closed forms and brute force.
import assert from "node:assert/strict";
import { fitPowerLaw, logLogSlope, pairedDiff, seedCI, upperMedian } from "../../lib/core/stats.ts";
import { studentTCdf, studentTQuantile } from "../../lib/core/student_t.ts";

const close = (got: number, want: number, tol: number, what = "") =>
  assert.ok(Math.abs(got - want) <= tol, `${what} got ${got}, want ${want} ± ${tol}`);

Deno.test("studentTQuantile matches the 0.975 table for df = 1, 2, 4, 9, 30 to 1e-3", () => {
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [4, 2.776], [9, 2.262], [30, 2.042]];
  for (const [df, t] of table) close(studentTQuantile(0.975, df), t, 1e-3, `df=${df}`);
});

Deno.test("studentTQuantile matches 10-digit reference values to 1e-9", () => {
  const ref: [number, number][] = [
    [1, 12.7062047362],
    [2, 4.3026527297],
    [4, 2.7764451052],
    [9, 2.2621571628],
    [30, 2.0422724563],
  ];
  for (const [df, t] of ref) close(studentTQuantile(0.975, df), t, 1e-9, `df=${df}`);
});

Deno.test("studentTQuantile matches the closed forms for df = 1 (Cauchy) and df = 2", () => {
  for (const p of [0.6, 0.9, 0.975, 0.995, 0.9999]) {
    const cauchy = Math.tan(Math.PI * (p - 0.5));
    close(studentTQuantile(p, 1), cauchy, 1e-12 * Math.max(1, cauchy), `p=${p}`);
    const a = 4 * p * (1 - p);
    close(studentTQuantile(p, 2), (2 * p - 1) * Math.sqrt(2 / a), 1e-10, `p=${p}`);
  }
});

Deno.test("studentTQuantile is antisymmetric, 0 at p = ½, and tends to the normal quantile", () => {
  assert.equal(studentTQuantile(0.5, 3), 0);
  close(studentTQuantile(0.025, 4), -studentTQuantile(0.975, 4), 1e-12);
  // Cornish–Fisher at df = 1e6 is exact to ~1e-12 there.
  const z = 1.959963984540054, df = 1e6;
  const cf = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
  close(studentTQuantile(0.975, df), cf, 1e-8);
});

Deno.test("studentTQuantile inverts studentTCdf (also for non-integer df)", () => {
  for (const df of [0.5, 1, 2.5, 7, 40]) {
    for (const p of [0.01, 0.3, 0.8, 0.99]) {
      close(studentTCdf(studentTQuantile(p, df), df), p, 1e-12, `df=${df} p=${p}`);
    }
  }
});

Deno.test("studentTCdf matches closed forms for df = 1, 2, 3", () => {
  for (const t of [-5, -1.3, 0, 0.2, 1, 2.5, 40]) {
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13, `df=1 t=${t}`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-13, `df=2 t=${t}`);
    const u = t / Math.sqrt(3);
    const f3 = 0.5 + (Math.atan(u) + u / (1 + u * u)) / Math.PI;
    close(studentTCdf(t, 3), f3, 1e-13, `df=3 t=${t}`);
  }
  assert.equal(studentTCdf(Infinity, 2), 1);
  assert.equal(studentTCdf(-Infinity, 2), 0);
});

Deno.test("studentTCdf matches Simpson integration of the df = 5 density", () => {
  // density: 8/(3π√5)·(1 + x²/5)^(−3)
  const c = 8 / (3 * Math.PI * Math.sqrt(5));
  const f = (x: number) => c * (1 + x * x / 5) ** -3;
  for (const t of [0.5, 2, 4]) {
    const m = 2000, h = t / m;
    let s = f(0) + f(t);
    for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(i * h);
    close(studentTCdf(t, 5), 0.5 + s * h / 3, 1e-12, `t=${t}`);
  }
});

Deno.test("studentTQuantile and studentTCdf reject bad p, t and df", () => {
  for (const p of [0, 1, -0.1, 1.5, NaN]) {
    assert.throws(
      () => studentTQuantile(p, 3),
      (e) => e instanceof RangeError && /p must/.test(e.message),
    );
  }
  for (const df of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => studentTQuantile(0.9, df),
      (e) => e instanceof RangeError && /df/.test(e.message),
    );
    assert.throws(() => studentTCdf(1, df), RangeError);
  }
  assert.throws(() => studentTCdf(NaN, 3), /t must be a number, got NaN/);
});

// ---------------------------------------------------------------------------------------------
// pairedDiff and seedCI

Deno.test("pairedDiff equals the literal formulas on the per-env differences", () => {
  const a = [3.1, 4.7, 2.2, 5.9, 4.4], b = [3.6, 4.1, 3.0, 6.8, 5.0];
  const d = a.map((v, i) => v - b[i]);
  const n = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const r = pairedDiff(a, b);
  close(r.mean, mean, 1e-14);
  close(r.se, se, 1e-14);
  close(r.lo, mean - 1.96 * se, 1e-14);
  close(r.hi, mean + 1.96 * se, 1e-14);
  assert.equal(r.n, 5);
  const r3 = pairedDiff(new Float64Array(a), new Float64Array(b), 3);
  close(r3.hi, mean + 3 * se, 1e-14);
});

Deno.test("pairedDiff of identical shifts has se 0 and a point interval", () => {
  const r = pairedDiff([1, 2, 3], [2, 3, 4]);
  assert.deepEqual(r, { mean: -1, se: 0, lo: -1, hi: -1, n: 3 });
});

Deno.test("pairedDiff rejects empty, short, mismatched, NaN inputs and a bad z", () => {
  assert.throws(() => pairedDiff([], []), /needs ≥ 2 pairs/);
  assert.throws(() => pairedDiff([1], [2]), /needs ≥ 2 pairs/);
  assert.throws(() => pairedDiff([1, 2], [1, 2, 3]), /a.length=2, b.length=3/);
  assert.throws(
    () => pairedDiff([1, NaN], [1, 2]),
    (e) => e instanceof RangeError && /a\[1\] must be finite, got NaN/.test(e.message),
  );
  assert.throws(() => pairedDiff([1, 2], [1, Infinity]), /b\[1\] must be finite, got Infinity/);
  assert.throws(() => pairedDiff([1, 2], [1, 2], 0), /z must be .*got 0/);
  assert.throws(() => pairedDiff([1, 2], [1, 2], NaN), /z must be .*got NaN/);
});

Deno.test("seedCI uses the Student-t quantile with k − 1 df", () => {
  const v = [0.8, 1.1, 0.95, 1.3, 0.7];
  const k = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / k;
  const se = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1) / k);
  const r = seedCI(v);
  close(r.mean, mean, 1e-14);
  close(r.se, se, 1e-14);
  close(r.hi - r.mean, 2.776 * se, 1e-3 * se); // t_{0.975}(4)
  close(r.mean - r.lo, 2.776 * se, 1e-3 * se);
  assert.equal(r.k, 5);
  const r2 = seedCI([1, 3]);
  close(r2.hi, 2 + 12.706, 1e-3);
  close(r2.lo, 2 - 12.706, 1e-3);
  const r90 = seedCI(v, 0.9);
  close(r90.hi - r90.mean, studentTQuantile(0.95, 4) * se, 1e-12);
  close(studentTQuantile(0.95, 4), 2.132, 1e-3);
});

Deno.test("seedCI rejects fewer than 2 seeds, NaN and a bad level", () => {
  assert.throws(() => seedCI([]), /needs ≥ 2 seeds, got values.length=0/);
  assert.throws(() => seedCI([1]), /needs ≥ 2 seeds, got values.length=1/);
  assert.throws(() => seedCI([1, NaN]), /values\[1\] must be finite, got NaN/);
  for (const level of [0, 1, NaN, 1.2]) {
    assert.throws(
      () => seedCI([1, 2], level),
      (e) => e instanceof RangeError && /level must be in \(0, 1\)/.test(e.message),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Power law

Deno.test("fitPowerLaw recovers an exact power law to 1e-12 with bSe ≈ 0 and r2 = 1", () => {
  const x = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5];
  const y = x.map((v) => 250 * v ** -0.37);
  const f = fitPowerLaw(x, y);
  close(f.a / 250, 1, 1e-12, "a");
  close(f.b, -0.37, 1e-12, "b");
  assert.ok(f.bSe < 1e-12, `bSe ${f.bSe}`);
  close(f.bLo, -0.37, 1e-11);
  close(f.bHi, -0.37, 1e-11);
  close(f.r2, 1, 1e-12);
  assert.equal(f.n, 6);
});

Deno.test("fitPowerLaw equals brute-force OLS via the normal equations on a noisy set", () => {
  const x = [2, 5, 5, 11, 30, 64];
  const y = [9.1, 6.2, 5.5, 4.9, 2.8, 2.3];
  const n = x.length;
  const X = x.map((v) => [1, Math.log(v)]);
  const Y = y.map(Math.log);
  // XᵀX and XᵀY, then the 2×2 inverse
  const m = [[0, 0], [0, 0]], v = [0, 0];
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 2; r++) {
      v[r] += X[i][r] * Y[i];
      for (let c = 0; c < 2; c++) m[r][c] += X[i][r] * X[i][c];
    }
  }
  const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  const inv = [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]];
  const beta0 = inv[0][0] * v[0] + inv[0][1] * v[1];
  const beta1 = inv[1][0] * v[0] + inv[1][1] * v[1];
  let rss = 0, tss = 0;
  const my = Y.reduce((s, u) => s + u, 0) / n;
  for (let i = 0; i < n; i++) {
    rss += (Y[i] - beta0 - beta1 * X[i][1]) ** 2;
    tss += (Y[i] - my) ** 2;
  }
  const s2 = rss / (n - 2);
  const se1 = Math.sqrt(s2 * inv[1][1]);
  const t = 2.776; // t_{0.975}(4)
  const f = fitPowerLaw(x, y);
  close(f.b, beta1, 1e-12, "b");
  close(f.a, Math.exp(beta0), 1e-10, "a");
  close(f.bSe, se1, 1e-12, "bSe");
  close(f.bHi - f.b, t * se1, 1e-3 * se1, "half-width");
  close(f.r2, 1 - rss / tss, 1e-12, "r2");
  // the fit is a least-squares minimum: nudging the slope (refitting the intercept) raises the RSS
  const rssAt = (b: number) => {
    const a0 = my - b * X.reduce((s, r) => s + r[1], 0) / n;
    return Y.reduce((s, u, i) => s + (u - a0 - b * X[i][1]) ** 2, 0);
  };
  assert.ok(rssAt(f.b + 1e-4) > rssAt(f.b) && rssAt(f.b - 1e-4) > rssAt(f.b));
});

Deno.test("fitPowerLaw rejects bad inputs, naming them", () => {
  assert.throws(() => fitPowerLaw([], []), /≥ 3 distinct x values, got 0/);
  assert.throws(() => fitPowerLaw([1, 2, 3], [1, 2]), /x.length=3, y.length=2/);
  assert.throws(() => fitPowerLaw([1, 2, 2, 1], [1, 2, 3, 4]), /≥ 3 distinct x values, got 2/);
  assert.throws(() => fitPowerLaw([1, 0, 3], [1, 2, 3]), /x\[1\] must be > 0 for a log fit, got 0/);
  assert.throws(
    () => fitPowerLaw([1, 2, 3], [1, -2, 3]),
    /y\[1\] must be > 0 for a log fit, got -2/,
  );
  assert.throws(() => fitPowerLaw([1, NaN, 3], [1, 2, 3]), /x\[1\] must be finite, got NaN/);
  assert.throws(() => fitPowerLaw([1, 2, 3], [1, 2, 3], 1), /level must be in \(0, 1\), got 1/);
});

Deno.test("logLogSlope: the two-point exponent by hand, fitPowerLaw's slope from 3 points, null on bad input", () => {
  // two points: the slope is (ln y₂ − ln y₁) / (ln x₂ − ln x₁)
  const [x1, x2, y1, y2] = [3, 40, 7.5, 1.25];
  close(logLogSlope([x1, x2], [y1, y2])!, Math.log(y2 / y1) / Math.log(x2 / x1), 1e-14, "2 points");
  const x = [2, 5, 5, 11, 30, 64], y = [9.1, 6.2, 5.5, 4.9, 2.8, 2.3];
  assert.equal(logLogSlope(x, y), fitPowerLaw(x, y, 0.95, 3).b);
  assert.equal(logLogSlope([1], [1]), null);
  assert.equal(logLogSlope([1, 2], [1]), null);
  assert.equal(logLogSlope([2, 2], [1, 3]), null); // all x equal
  assert.equal(logLogSlope([1, 2], [0, 3]), null);
  assert.equal(logLogSlope([1, NaN], [1, 3]), null);
  assert.equal(logLogSlope([1, Infinity], [1, 3]), null);
});

Deno.test("upperMedian: the element at rank ⌊n/2⌋ by counting, for every permutation of small sets", () => {
  const sets = [[5], [2, 9], [4, 1, 3], [8, -1, 8, 2], [0.5, 3, -2, 7, 7, 1]];
  const perms = (a: number[]): number[][] =>
    a.length <= 1
      ? [a]
      : a.flatMap((v, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [v, ...p]));
  for (const set of sets) {
    // the value m with at most ⌊n/2⌋ values strictly below it and more than ⌊n/2⌋ at or below it
    const k = set.length >> 1;
    const want = set.find((m) =>
      set.filter((v) => v < m).length <= k && set.filter((v) => v <= m).length > k
    );
    for (const p of perms(set)) assert.equal(upperMedian(p), want, `${p}`);
  }
  // NaN sorts above +∞ whatever the input order
  for (const p of perms([NaN, Infinity, 2, NaN, -1])) {
    assert.equal(upperMedian(p), Infinity, `${p}`);
  }
  for (const p of perms([NaN, 3, NaN])) assert.ok(Number.isNaN(upperMedian(p)), `${p}`);
  assert.equal(upperMedian([]), null);
  assert.equal(upperMedian(new Float64Array([3, 1, 2])), 2);
});
