import assert from "node:assert/strict";
import { LINEAR_BANDIT, sampleBandits } from "../../lib/bandits/env.ts";
import { policyStreams } from "../../lib/bandits/policy.ts";
import { HistoryPolicy } from "../../lib/constructions/policy.ts";

/** Plays from fixed probabilities and keeps what its base class reports as the history. */
class Fixed extends HistoryPolicy {
  readonly name = "fixed";
  seen: { arms: Float64Array; rewards: Float64Array; steps: number; actionSet: Float64Array }[] =
    [];
  constructor(envs: ConstructorParameters<typeof HistoryPolicy>[0], private readonly p: number[]) {
    super(envs, policyStreams(9, "fixed", envs.numEnvs));
  }
  probs(e: number): Float64Array {
    const { history, steps, arms } = this.history(e);
    this.seen[e] = { arms: history.arms, rewards: history.rewards, steps, actionSet: arms };
    return Float64Array.from(this.p);
  }
}

Deno.test("HistoryPolicy draws by the inverse CDF of each stream and records the played arms", () => {
  const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 3 }, 2, 2);
  const A = envs.numArms, d = envs.dim;
  const p = Array.from({ length: A }, (_, k) => (k < 2 ? 0.4 : 0.2 / (A - 2)));
  const pol = new Fixed(envs, p);
  const streams = policyStreams(9, "fixed", 2); // the same streams, drawn by hand
  const played: number[][] = [[], []], paid: number[][] = [[], []];
  for (let t = 0; t < 3; t++) {
    const actions = new Int32Array(2), probs = new Float64Array(2 * A);
    pol.act(actions, probs);
    for (let e = 0; e < 2; e++) {
      const u = streams[e].uniform();
      let k = 0, acc = p[0];
      while (u >= acc && k < A - 1) acc += p[++k];
      assert.equal(actions[e], k);
      assert.deepEqual(Array.from(probs.subarray(e * A, (e + 1) * A)), p);
      const s = pol.seen[e];
      assert.equal(s.steps, t);
      assert.deepEqual(Array.from(s.arms), played[e]);
      assert.deepEqual(Array.from(s.rewards), paid[e]);
      assert.deepEqual(
        Array.from(s.actionSet),
        Array.from(envs.arms.slice(e * A * d, (e + 1) * A * d)),
      );
    }
    const rewards = new Float64Array([0.5 + t, -t]);
    pol.update(actions, rewards);
    for (let e = 0; e < 2; e++) {
      for (let j = 0; j < d; j++) played[e].push(envs.arms[(e * A + actions[e]) * d + j]);
      paid[e].push(rewards[e]);
    }
  }
});
