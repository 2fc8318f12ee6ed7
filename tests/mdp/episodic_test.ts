// Episodic MDPs and UCB-VI (MATH §10.8) against direct computations.
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import {
  episodicOptimal,
  episodicPolicyValue,
  playEpisode,
  randomEpisodicMdp,
} from "../../lib/mdp/episodic.ts";
import {
  addEpisode,
  emptyUcbviCounts,
  runUcbvi,
  ucbviBonus,
  ucbviLog,
  ucbviPolicy,
  ucbviQ,
} from "../../lib/mdp/ucbvi.ts";

Deno.test("episodic policy value equals the Monte-Carlo mean of played episodes", () => {
  const rng = new Rng(1);
  const m = randomEpisodicMdp(rng, { nS: 3, nA: 2, H: 3 });
  const pi = new Float64Array(3 * 3 * 2).fill(0.5);
  const exact = episodicPolicyValue(m, pi).value;
  let sum = 0;
  const n = 40_000;
  for (let e = 0; e < n; e++) {
    const ep = playEpisode(m, () => (rng.uniform() < 0.5 ? 0 : 1), rng);
    for (const r of ep.rewards) sum += r;
  }
  assert.ok(Math.abs(sum / n - exact) < 4 * Math.sqrt(3 / 4 / n) * 3, `${sum / n} vs ${exact}`);
  assert.ok(episodicOptimal(m).value >= exact);
});

Deno.test("UCB-VI Q̂ by hand on a one-step, one-state MDP", () => {
  const c = emptyUcbviCounts(1, 2, 1);
  addEpisode(c, {
    states: Int32Array.from([0]),
    actions: Int32Array.from([1]),
    rewards: Float64Array.from([1]),
  });
  const K = 10, L = ucbviLog(1, 2, 1, K);
  const { Q } = ucbviQ(c, K, 0.1);
  assert.ok(Math.abs(Q[0] - Math.min(1, 0 + ucbviBonus(0, 1, L, 0.1))) < 1e-15);
  assert.ok(Math.abs(Q[1] - Math.min(1, 1 + ucbviBonus(1, 1, L, 0.1))) < 1e-15);
  assert.deepEqual([...ucbviPolicy(new Float64Array([0.2, 0.7]), 1, 1, 2, 0)], [0, 1]);
});

Deno.test("UCB-VI regret is non-negative per episode and shrinks with a small bonus", () => {
  const m = randomEpisodicMdp(new Rng(4), { nS: 2, nA: 2, H: 2 });
  const run = runUcbvi(m, 200, 0, new Rng(5), 0.05);
  assert.ok(run.regret.every((r) => r >= -1e-12));
  const first = run.regret.slice(0, 20).reduce((a, b) => a + b, 0);
  const last = run.regret.slice(180).reduce((a, b) => a + b, 0);
  assert.ok(last <= first);
});
