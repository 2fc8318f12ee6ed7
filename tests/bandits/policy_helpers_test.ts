import assert from "node:assert/strict";
import { BERNOULLI_BANDIT, sampleBandits } from "../../lib/bandits/env.ts";
import { policyOptions, policyStreams, StreamPolicy } from "../../lib/bandits/policy.ts";

Deno.test("StreamPolicy holds E, A and one stream per environment, naming the label if not", () => {
  class First extends StreamPolicy {
    readonly name = "first";
    readonly hasProbs = false;
    act(actions: Int32Array) {
      actions.fill(0);
    }
    update() {}
  }
  const envs = sampleBandits(BERNOULLI_BANDIT, 1, 3);
  const p = new First("First arm", envs, policyStreams(1, "f", 3));
  assert.equal(p.numEnvs, 3);
  assert.equal(p.numArms, envs.numArms);
  assert.throws(
    () => new First("First arm", envs, policyStreams(1, "f", 2)),
    /First arm: need 3 rngs \(one per environment\), got 2/,
  );
});

Deno.test("policyOptions fills defaults, keeps given values and names a bad key or value", () => {
  const spec = { lambda: [1, Number.MIN_VALUE], alpha: [2, 0] } as const;
  assert.deepEqual(policyOptions("LinUCB", {}, spec), { lambda: 1, alpha: 2 });
  assert.deepEqual(policyOptions("LinUCB", { alpha: 0, lambda: 3 }, spec), { lambda: 3, alpha: 0 });
  assert.throws(
    () => policyOptions("LinUCB", { lamda: 1 } as never, spec),
    /LinUCB options: unknown key "lamda"/,
  );
  assert.throws(() => policyOptions("LinUCB", { lambda: 0 }, spec), /LinUCB lambda/);
  assert.throws(() => policyOptions("LinUCB", { alpha: 2e12 }, spec), /LinUCB alpha/);
  assert.throws(() => policyOptions("LinUCB", { alpha: NaN }, spec), /LinUCB alpha/);
});
