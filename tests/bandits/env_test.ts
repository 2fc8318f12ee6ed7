import assert from "node:assert/strict";
import {
  armDim,
  banditReward,
  BERNOULLI_BANDIT,
  LINEAR_BANDIT,
  sampleBandits,
  validateBanditSpec,
} from "../../lib/bandits/env.ts";
import { assertKnownKeys } from "../../lib/core/validate.ts";

Deno.test("linear bandits: arms in [−1,1]^d, w⋆ in [0,1]^d, means = ⟨a, w⋆⟩, best = argmax", () => {
  const envs = sampleBandits(LINEAR_BANDIT, 3, 50);
  const { numArms: A, dim: d } = envs;
  assert.equal(d, 5);
  assert.equal(A, 10);
  for (const x of envs.arms) assert.ok(x >= -1 && x < 1);
  for (const x of envs.theta) assert.ok(x >= 0 && x < 1);
  for (let e = 0; e < 50; e++) {
    let top = -Infinity, arg = -1;
    for (let a = 0; a < A; a++) {
      let m = 0;
      for (let j = 0; j < d; j++) m += envs.arms[(e * A + a) * d + j] * envs.theta[e * d + j];
      assert.ok(Math.abs(m - envs.means[e * A + a]) < 1e-15);
      if (m > top) [top, arg] = [m, a];
    }
    assert.equal(envs.best[e], arg);
    assert.equal(envs.bestMean[e], top);
  }
});

Deno.test("linear rewards are μ_a + σ z_t; Bernoulli rewards are 1[u_t < μ_a]", () => {
  const lin = sampleBandits(LINEAR_BANDIT, 1, 3);
  const z = lin.noise[1 * 200 + 7];
  assert.equal(banditReward(lin, 1, 7, 4), lin.means[1 * 10 + 4] + 1.5 * z);
  const ber = sampleBandits(BERNOULLI_BANDIT, 1, 3);
  assert.equal(armDim(BERNOULLI_BANDIT), 5);
  for (let a = 0; a < 5; a++) {
    const u = ber.noise[2 * 200 + 9];
    assert.equal(banditReward(ber, 2, 9, a), u < ber.means[2 * 5 + a] ? 1 : 0);
    assert.equal(ber.arms[(2 * 5 + a) * 5 + a], 1); // one-hot arms
    assert.equal(ber.theta[2 * 5 + a], ber.means[2 * 5 + a]);
  }
});

Deno.test("Bernoulli reward frequencies match the means (law of each trajectory)", () => {
  const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 20_000 }, 5, 1);
  let ones = 0;
  for (let t = 0; t < 20_000; t++) ones += banditReward(envs, 0, t, 2);
  const p = envs.means[2];
  assert.ok(Math.abs(ones / 20_000 - p) < 4 * Math.sqrt(p * (1 - p) / 20_000) + 1e-9);
});

Deno.test("environment i is the same in every batch containing it; seeds and families differ", () => {
  const all = sampleBandits(LINEAR_BANDIT, 9, 20);
  const part = sampleBandits(LINEAR_BANDIT, 9, 5, 12);
  assert.deepEqual(part.arms, all.arms.slice(12 * 50, 17 * 50));
  assert.deepEqual(part.noise, all.noise.slice(12 * 200, 17 * 200));
  assert.deepEqual(part.best, all.best.slice(12, 17));
  assert.notDeepEqual(sampleBandits(LINEAR_BANDIT, 10, 5).theta, all.theta.slice(0, 25));
  assert.deepEqual(sampleBandits(LINEAR_BANDIT, 9, 20), all);
});

Deno.test("bad bandit specs throw naming the key or value", () => {
  assert.throws(() => validateBanditSpec({ ...LINEAR_BANDIT, noiseStd: -1 }), /noiseStd.*-1/);
  assert.throws(() => validateBanditSpec({ ...LINEAR_BANDIT, dim: 2.5 }), /dim.*2\.5/);
  assert.throws(() => validateBanditSpec({ ...BERNOULLI_BANDIT, numArms: 1 }), /numArms.*1/);
  assert.throws(() => validateBanditSpec({ ...BERNOULLI_BANDIT, horizon: NaN }), /horizon.*NaN/);
  assert.throws(
    () => validateBanditSpec({ ...LINEAR_BANDIT, noiseSd: 1 } as never),
    /unknown key "noiseSd"/,
  );
  assert.throws(
    () => validateBanditSpec({ ...BERNOULLI_BANDIT, dim: 5 } as never),
    /Bernoulli.*unknown key "dim"/,
  );
  assert.throws(() => validateBanditSpec({ family: "gauss" } as never), /family.*"gauss"/);
  assert.throws(() => sampleBandits(LINEAR_BANDIT, -1, 5), /seed.*-1/);
  assert.throws(() => sampleBandits(LINEAR_BANDIT, 1, 0), /count.*0/);
  assert.throws(() => assertKnownKeys("cfg", [1], ["a"]), /cfg must be an object/);
  assertKnownKeys("cfg", { a: 1 }, ["a"]);
});
