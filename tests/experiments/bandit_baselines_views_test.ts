import assert from "node:assert/strict";
import { whichUcb } from "../../lib/experiments/bandit_baselines_views.ts";

Deno.test("whichUcb: every branch of the generated 'which UCB' clause", () => {
  const se = 0.2;
  assert.match(
    whichUcb(6.5, { mean: 6.6, se }, { mean: 14, se }),
    /is the paper-code index, not UCB1/,
  );
  assert.match(
    whichUcb(6.5, { mean: 14, se }, { mean: 6.4, se }),
    /is classical UCB1, not the paper-code/,
  );
  assert.match(whichUcb(6.5, { mean: 6.6, se }, { mean: 6.4, se }), /does not tell them apart/);
  assert.match(whichUcb(6.5, { mean: 7.3, se }, { mean: 14, se }), /data do not decide/);
});
