import assert from "node:assert/strict";
import {
  acTokens,
  acTokensInto,
  sarsaTokens,
  sarsaTokensInto,
  td0Tokens,
  td0TokensInto,
} from "../../lib/icrl/prompt.ts";
import { randomFeatures, randomMdp, randomStateFeatures } from "../../lib/mdp/mdp.ts";
import { softmaxPolicy, uniformPolicy } from "../../lib/mdp/policy.ts";
import { rollout } from "../../lib/mdp/rollout.ts";
import { Rng } from "../../lib/core/rng.ts";

function setup() {
  const rng = new Rng(5);
  const mdp = randomMdp(rng, { nS: 4, nA: 3, gamma: 0.5 });
  const feat = randomFeatures(rng, 4, 3, 5);
  const sf = randomStateFeatures(rng, 4, 3);
  const traj = rollout(mdp, uniformPolicy(4, 3), 0, 6, rng);
  return { feat, sf, traj };
}

Deno.test("…Into token writers equal the allocating ones, at an offset and a row stride", () => {
  const { feat, sf, traj } = setup();
  const n = traj.n;
  const Xs = sarsaTokens(traj, feat, 0.5), ms = 2 * feat.d + 1;
  const bufS = sarsaTokensInto(traj, feat, 0.5, new Float64Array(3 + n * (ms + 2)), 3, ms + 2);
  for (let i = 0; i < n; i++) {
    assert.deepEqual(
      bufS.subarray(3 + i * (ms + 2), 3 + i * (ms + 2) + ms),
      Xs.subarray(i * ms, (i + 1) * ms),
    );
  }
  assert.deepEqual(sarsaTokensInto(traj, feat, 0.5, new Float64Array(n * ms)), Xs);
  const Xt = td0Tokens(traj, sf, 0.5);
  assert.deepEqual(td0TokensInto(traj, sf, 0.5, new Float64Array(n * (2 * sf.d + 1))), Xt);
  const lambda = [0.3, -0.1, 0.2, 0, 0.5];
  const Xa = acTokens(traj, feat, sf, lambda, 0.5), ma = 2 * sf.d + 1 + feat.d;
  const bufA = acTokensInto(
    traj,
    feat,
    sf,
    softmaxPolicy(feat, lambda),
    0.5,
    new Float64Array(7 + n * ma),
    7,
  );
  assert.deepEqual(bufA.subarray(7), Xa);
  assert.deepEqual(bufA.subarray(0, 7), new Float64Array(7));
});

Deno.test("…Into token writers refuse a buffer too short, naming the need", () => {
  const { feat, sf, traj } = setup();
  assert.throws(() => sarsaTokensInto(traj, feat, 0.5, new Float64Array(10)), /length ≥ 66/);
  assert.throws(() => td0TokensInto(traj, sf, 0.5, new Float64Array(70), 40), /length ≥ 82/);
  assert.throws(() => sarsaTokensInto(traj, feat, 0.5, new Float64Array(100), 0, 3), /stride/);
});

Deno.test("SARSA and TD(0) tokens are [f_i ; γf_i⁺ ; r_{i+1}] of φ(s,a) and ψ(s), entry by entry", () => {
  const { feat, sf, traj } = setup();
  const g = 0.5, n = traj.n;
  const phi = (s: number, a: number) =>
    Array.from(feat.phi.subarray((s * feat.nA + a) * feat.d, (s * feat.nA + a + 1) * feat.d));
  const psi = (s: number) => Array.from(sf.psi.subarray(s * sf.d, (s + 1) * sf.d));
  const want = (f: (i: number) => number[]) =>
    Float64Array.from(
      Array.from({ length: n }, (_, i) => [...f(i), ...f(i + 1).map((x) => g * x), traj.r[i]])
        .flat(),
    );
  assert.deepEqual(sarsaTokens(traj, feat, g), want((i) => phi(traj.s[i], traj.a[i])));
  assert.deepEqual(td0Tokens(traj, sf, g), want((i) => psi(traj.s[i])));
});
