// Tests of lib/report/bars.ts: grouped bars keep the given orders, error bars, log-axis checks.
import assert from "node:assert/strict";
import { groupedBars } from "../../lib/report/bars.ts";
import type { Spec } from "../../lib/report/theme.ts";

Deno.test("groupedBars offsets groups within categories and keeps the given orders", () => {
  const spec = groupedBars({
    rows: [
      { env: "linear", algo: "TF", regret: 40, lo: 38, hi: 42 },
      { env: "linear", algo: "LinUCB", regret: 33, lo: 31, hi: 35 },
      { env: "bernoulli", algo: "TF", regret: 11, lo: 10, hi: 12 },
      { env: "bernoulli", algo: "LinUCB", regret: 6.5, lo: 6, hi: 7 },
    ],
    x: "env",
    y: "regret",
    group: "algo",
    lower: "lo",
    upper: "hi",
    groupOrder: ["LinUCB", "TF"],
    title: "Regret",
    yTitle: "cumulative regret",
  });
  const [bars, errs] = spec.layer as Spec[];
  const enc = bars.encoding as Record<string, Spec>;
  assert.deepEqual(enc.x.sort, ["linear", "bernoulli"]);
  assert.deepEqual(enc.xOffset.sort, ["LinUCB", "TF"]);
  assert.equal((errs.mark as Spec).type, "rule");
  assert.throws(
    () =>
      groupedBars({
        rows: [{ a: "x", b: 0, g: "g" }],
        x: "a",
        y: "b",
        group: "g",
        logY: true,
        title: "t",
      }),
    /rows\[0\]\.b = 0 is not positive/,
  );
});
