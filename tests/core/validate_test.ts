import assert from "node:assert/strict";
import {
  assertFiniteArray,
  assertFiniteInputs,
  assertInt,
  assertLength,
  assertNumber,
  assertProbVector,
} from "../../lib/core/validate.ts";
import { validateLsa } from "../../lib/icrl/lsa.ts";
import { td0Tokens } from "../../lib/icrl/prompt.ts";
import { transferConfig, validateTransferConfig } from "../../lib/transfer/mod.ts";
import { metricRows } from "../../lib/experiments/convergence.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import { scenario } from "../helpers.ts";
import { lsaForwardLiteral } from "../icrl/lsa_reference.ts";

Deno.test("assertInt / assertNumber accept in-range values and name the bad one", () => {
  assertInt("K", 5, 1, 10);
  assertNumber("gamma", 0.5, 0, 1);
  assert.throws(() => assertInt("K", 2.5, 1), /K must be an integer .* got 2\.5/);
  assert.throws(() => assertInt("K", 0, 1), /K must be an integer in \[1, Infinity\], got 0/);
  assert.throws(() => assertNumber("gamma", 1.5, 0, 1), /gamma .* got 1\.5/);
  assert.throws(() => assertNumber("lr", NaN), /lr .* got NaN/);
  assert.throws(() => assertNumber("lr", Infinity), /lr .* got Infinity/);
  assert.throws(() => assertNumber("lr", "0.1" as unknown as number), /lr must be a finite number/);
});

Deno.test("assertFiniteArray checks length and reports the first non-finite index", () => {
  assertFiniteArray("w", new Float64Array(3), 3);
  assertFiniteArray("w", [1, 2]);
  assert.throws(() => assertFiniteArray("w", [1, 2], 3), /w must have length 3, got length 2/);
  assert.throws(() => assertFiniteArray("w", [1, NaN, Infinity]), /w\[1\] must be finite, got NaN/);
  assert.throws(
    () => assertFiniteArray("w", null as unknown as number[]),
    /w must be an array of numbers/,
  );
});

Deno.test("assertProbVector: sums to 1 within tol, entries ≥ 0, on a slice", () => {
  assertProbVector("p0", [0.25, 0.75]);
  assertProbVector("row", [9, 0.5, 0.5, 9], 1, 2);
  assertProbVector("p", [0.5, 0.5 + 1e-10]);
  assert.throws(() => assertProbVector("p0", [0.5, 0.4]), /p0 must sum to 1 .* sums to 0\.9/);
  assert.throws(() => assertProbVector("p0", [1.5, -0.5]), /p0: entry 1 .* got -0\.5/);
  assert.throws(() => assertProbVector("p0", [NaN, 1]), /p0: entry 0 .* got NaN/);
});

Deno.test("validateLsa: sizes must agree and entries be finite; the literal forward uses it", () => {
  const D = 3;
  const params = { D, P: new Float64Array(D * D), V: new Float64Array(D * D) };
  const prompt = { D, m: 1, p: 2, n: 2, H: new Float64Array(D * 3) };
  validateLsa(params, prompt);
  assert.throws(
    () => validateLsa(params, { ...prompt, D: 4, p: 3, H: new Float64Array(12) }),
    /prompt has D=4 rows but params are 3×3/,
  );
  const bad = { ...params, P: params.P.slice() };
  bad.P[4] = NaN;
  assert.throws(() => validateLsa(bad, prompt), /params\.P\[4\] must be finite, got NaN/);
  assert.throws(
    () => validateLsa({ ...params, V: new Float64Array(4) }),
    /params\.V must have length 9, got length 4/,
  );
  assert.throws(() => lsaForwardLiteral(bad, prompt), /params\.P\[4\]/);
});

Deno.test("td0Tokens: row i is [ψ(s_i); γψ(s_{i+1}); r_i], entry by entry", () => {
  const sc = scenario(7, 12, 6, 5, 3, 4);
  const gamma = 0.7;
  const X = td0Tokens(sc.traj, sc.sf, gamma);
  const d = sc.sf.d, m = 2 * d + 1;
  assert.equal(X.length, sc.traj.n * m);
  for (let i = 0; i < sc.traj.n; i++) {
    for (let k = 0; k < d; k++) {
      assert.equal(X[i * m + k], sc.sf.psi[sc.traj.s[i] * d + k]);
      assert.equal(X[i * m + d + k], gamma * sc.sf.psi[sc.traj.s[i + 1] * d + k]);
    }
    assert.equal(X[i * m + 2 * d], sc.traj.r[i]);
  }
  assert.throws(() => td0Tokens(sc.traj, sc.sf, 1.5), /gamma .* got 1\.5/);
});

Deno.test("validateTransferConfig names the bad field", () => {
  const cfg = transferConfig({ updates: 10, recordAt: [0, 5, 10] });
  assert.equal(validateTransferConfig(cfg), cfg);
  assert.throws(
    () => validateTransferConfig({ ...cfg, recordAt: [0, 11] }),
    /recordAt\[1\] must be an integer in \[0, 10\], got 11/,
  );
  assert.throws(
    () => validateTransferConfig({ ...cfg, recordAt: [5, 5] }),
    /strictly increasing, got recordAt\[0\] = 5, recordAt\[1\] = 5/,
  );
  assert.throws(() => validateTransferConfig({ ...cfg, numMdps: 0 }), /numMdps .* got 0/);
  assert.throws(
    () => validateTransferConfig({ ...cfg, streamLabel: "" }),
    /streamLabel must be a non-empty string/,
  );
  assert.throws(
    () =>
      validateTransferConfig({
        ...cfg,
        rolloutStreams: "both" as unknown as "shared",
      }),
    /rolloutStreams must be "per-learner" or "shared", got "both"/,
  );
});

Deno.test("metricRows: one row per logged metric, tagged with run, seed and mode", async () => {
  const res = await Promise.all(
    [3, 4].map((seed) =>
      trainTeacherMimic(trainConfig({ K: 4, T: 6, batch: 2, seed, logEvery: 4 }))
    ),
  );
  const rows = metricRows(res, "tiny");
  assert.equal(rows.length, res[0].metrics.length + res[1].metrics.length);
  let i = 0;
  for (const r of res) {
    for (const m of r.metrics) {
      const row = rows[i++];
      assert.equal(row.run, "tiny");
      assert.equal(row.seed, r.config.seed);
      assert.equal(row.mode, "batched B=2");
      assert.equal(row.param, "restricted");
      assert.equal(row.prompts, m.prompts);
      assert.equal(row.loss, m.loss);
      assert.equal(row.absCosP12, Math.abs(m.cosP12));
      assert.equal(row.cV, m.cV);
      // restricted runs have no Prop 3.1 drift: NaN becomes null (a missing value in the table)
      assert.equal(row.drift, null);
    }
  }
});

Deno.test("assertLength checks only the length (exact or at least); assertFiniteInputs names the first bad entry", () => {
  assertLength("X", new Float64Array(3), 3);
  assertLength("X", [NaN, 1, 2, 3], 3, false);
  assert.throws(
    () => assertLength("X", new Float64Array(2), 3),
    /X must have length 3, got length 2/,
  );
  assert.throws(() => assertLength("X", [1], 3, false), /X must have length ≥ 3/);
  assert.throws(() => assertLength("X", null as unknown as number[], 3), TypeError);
  assertFiniteInputs([["X", [1, 2, NaN], 2]]);
  assert.throws(
    () => assertFiniteInputs([["X", [1, 2], 2], ["theta", [0, Infinity], 2]]),
    /theta\[1\] must be finite/,
  );
});
