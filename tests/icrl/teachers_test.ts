import assert from "node:assert/strict";
import { validateAcInputs } from "../../lib/icrl/teachers.ts";
import { randomFeatures, randomMdp, randomStateFeatures } from "../../lib/mdp/mdp.ts";
import { uniformPolicy } from "../../lib/mdp/policy.ts";
import { rollout } from "../../lib/mdp/rollout.ts";
import { Rng } from "../../lib/core/rng.ts";

Deno.test("validateAcInputs: passes matching φ, ψ and trajectory; names a |S| mismatch", () => {
  const rng = new Rng(2), mdp = randomMdp(rng, { nS: 3, nA: 2 });
  const feat = randomFeatures(rng, 3, 2, 4), sf = randomStateFeatures(rng, 3, 2);
  const traj = rollout(mdp, uniformPolicy(3, 2), 0, 5, rng);
  validateAcInputs(traj, feat, sf);
  assert.throws(
    () => validateAcInputs(traj, feat, randomStateFeatures(rng, 4, 2)),
    /features have \|S\|=3 but state features have \|S\|=4/,
  );
  const traj4 = rollout(randomMdp(rng, { nS: 4, nA: 2 }), uniformPolicy(4, 2), 3, 5, rng);
  assert.throws(() => validateAcInputs(traj4, feat, sf), RangeError);
});
