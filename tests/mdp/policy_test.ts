import assert from "node:assert/strict";
import {
  epsGreedyPolicy,
  greedyActions,
  greedyPolicy,
  qValues,
  softmaxPolicy,
  softmaxScore,
  uniformPolicy,
} from "../../lib/mdp/policy.ts";
import { oneHotFeatures, randomFeatures, randomMdp } from "../../lib/mdp/mdp.ts";
import { Rng } from "../../lib/core/rng.ts";
import { emptyTrajectory, rollout, sampleInitialState } from "../../lib/mdp/rollout.ts";

Deno.test("greedy breaks ties toward the lowest action index", () => {
  const feat = oneHotFeatures(2, 3);
  assert.deepEqual(Array.from(greedyActions(feat, [1, 5, 5, 2, 2, 2])), [1, 0]);
  assert.deepEqual(Array.from(greedyPolicy(feat, [1, 5, 5, 2, 2, 2])), [0, 1, 0, 1, 0, 0]);
});

Deno.test("ε-greedy puts 1−ε+ε/|A| on the greedy action and ε/|A| elsewhere", () => {
  const feat = randomFeatures(new Rng(1), 4, 4, 5);
  const w = new Rng(2).fillUniform(new Float64Array(5), -1, 1);
  const q = qValues(feat, w);
  const pi = epsGreedyPolicy(feat, w, 0.1);
  for (let s = 0; s < 4; s++) {
    const row = Array.from(q.subarray(s * 4, s * 4 + 4));
    const g = row.indexOf(Math.max(...row));
    for (let a = 0; a < 4; a++) {
      assert.ok(Math.abs(pi[s * 4 + a] - (a === g ? 0.925 : 0.025)) < 1e-15);
    }
  }
  assert.throws(() => epsGreedyPolicy(feat, w, 1.5), /eps.*1\.5/);
  assert.throws(() => qValues(feat, [1, 2]), /w must have length 5, got length 2/);
});

Deno.test("softmax policy equals exp(λᵀφ)/Σ exp and its score sums to zero under π", () => {
  const feat = randomFeatures(new Rng(3), 3, 4, 6);
  const lambda = new Rng(4).fillUniform(new Float64Array(6), -2, 2);
  const pi = softmaxPolicy(feat, lambda);
  for (let s = 0; s < 3; s++) {
    const z = [0, 1, 2, 3].map((a) =>
      Math.exp(lambda.reduce((t, l, k) => t + l * feat.phi[(s * 4 + a) * 6 + k], 0))
    );
    const Z = z.reduce((x, y) => x + y);
    for (let a = 0; a < 4; a++) assert.ok(Math.abs(pi[s * 4 + a] - z[a] / Z) < 1e-14);
    const mean = new Float64Array(6);
    for (let a = 0; a < 4; a++) {
      const g = softmaxScore(feat, pi, s, a);
      for (let k = 0; k < 6; k++) mean[k] += pi[s * 4 + a] * g[k];
    }
    for (const x of mean) assert.ok(Math.abs(x) < 1e-14);
  }
  assert.deepEqual(Array.from(uniformPolicy(1, 4)), [0.25, 0.25, 0.25, 0.25]);
});

Deno.test("rollout follows MATH §2: consistent s, a, r and an extra action", () => {
  const rng = new Rng(5);
  const mdp = randomMdp(rng, { nS: 4, nA: 2 });
  const pi = uniformPolicy(4, 2);
  const s0 = sampleInitialState(mdp, rng);
  const traj = rollout(mdp, pi, s0, 30, rng);
  assert.equal(traj.s[0], s0);
  assert.equal(traj.s.length, 31);
  assert.equal(traj.a.length, 31);
  assert.equal(traj.r.length, 30);
  for (let i = 0; i < 30; i++) {
    const base = (traj.s[i] * 2 + traj.a[i]) * 4;
    assert.ok(mdp.P[base + traj.s[i + 1]] > 0);
    assert.equal(traj.r[i], mdp.R[base + traj.s[i + 1]]);
  }
  // continuing from s_n
  const next = rollout(mdp, pi, traj.s[30], 30, rng, emptyTrajectory(30));
  assert.equal(next.s[0], traj.s[30]);
});

Deno.test("rollout transition frequencies match P (chi-square)", () => {
  const rng = new Rng(6);
  const mdp = randomMdp(rng, { nS: 3, nA: 1 });
  const traj = rollout(mdp, uniformPolicy(3, 1), 0, 60_000, rng);
  const counts = new Float64Array(9), visits = new Float64Array(3);
  for (let i = 0; i < 60_000; i++) {
    counts[traj.s[i] * 3 + traj.s[i + 1]]++;
    visits[traj.s[i]]++;
  }
  let chi2 = 0;
  for (let s = 0; s < 3; s++) {
    for (let s2 = 0; s2 < 3; s2++) {
      const e = visits[s] * mdp.P[s * 3 + s2];
      if (e > 5) chi2 += (counts[s * 3 + s2] - e) ** 2 / e;
    }
  }
  assert.ok(chi2 < 27.9, `chi2 ${chi2} (p<0.001 for 9 dof)`);
});

Deno.test("rollout validates its inputs", () => {
  const rng = new Rng(7);
  const mdp = randomMdp(rng, { nS: 3, nA: 2 });
  assert.throws(() => rollout(mdp, uniformPolicy(3, 2), 3, 5, rng), /s0.*got 3/);
  assert.throws(() => rollout(mdp, uniformPolicy(3, 2), 0, 0, rng), /n.*got 0/);
  assert.throws(
    () => rollout(mdp, uniformPolicy(2, 2), 0, 5, rng),
    /pi must have length nS·nA = 6/,
  );
  const bad = uniformPolicy(3, 2);
  bad[3] = 0.9;
  assert.throws(() => rollout(mdp, bad, 0, 5, rng), /pi\(·\|s=1\) must sum to 1/);
  assert.throws(
    () => rollout(mdp, uniformPolicy(3, 2), 0, 5, rng, emptyTrajectory(4)),
    /out\.n = 4/,
  );
});

Deno.test("softmaxPolicy with an overflowing λ (1e308) gives the greedy limit, not NaN, and matches the formula below it", () => {
  const rng = new Rng(41);
  const feat = randomFeatures(rng, 4, 3);
  const dir = Float64Array.from({ length: 12 }, () => rng.normal());
  const top = Math.max(...dir.map(Math.abs));
  const huge = softmaxPolicy(feat, dir.map((v) => (v / top) * 1e308));
  assert.ok(huge.every(Number.isFinite));
  const q = new Float64Array(12); // φ·dir, the direction's logits
  for (let s = 0; s < 4; s++) {
    for (let a = 0; a < 3; a++) {
      let v = 0;
      for (let j = 0; j < 12; j++) v += feat.phi[(s * 3 + a) * 12 + j] * dir[j];
      q[s * 3 + a] = v;
    }
    const best = [0, 1, 2].reduce((b, a) => (q[s * 3 + a] > q[s * 3 + b] ? a : b), 0);
    for (let a = 0; a < 3; a++) assert.equal(huge[s * 3 + a], a === best ? 1 : 0, `state ${s}`);
  }
  // at a large but finite scale the stable path is not taken and the literal softmax holds
  const mid = softmaxPolicy(feat, dir.map((v) => v * 50));
  for (let s = 0; s < 4; s++) {
    const e = [0, 1, 2].map((a) =>
      Math.exp(50 * q[s * 3 + a] - Math.max(...[0, 1, 2].map((b) => 50 * q[s * 3 + b])))
    );
    const z = e.reduce((x, y) => x + y, 0);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(mid[s * 3 + a] - e[a] / z) < 1e-12);
  }
});
