// Tests of lib/report/concat.ts: children lose their $schema/config, directions, bad input.
import assert from "node:assert/strict";
import { concatCharts } from "../../lib/report/concat.ts";
import { scatterChart } from "../../lib/report/scatter.ts";
import type { Spec } from "../../lib/report/theme.ts";
import { lossChart } from "./fixtures.ts";

Deno.test("concatCharts strips child $schema/config and picks the direction", () => {
  const sc = scatterChart({
    rows: [{ p: 1, m: 2 }, { p: 3, m: 2.5 }],
    x: "p",
    y: "m",
    title: "s",
    xTitle: "predicted",
    yTitle: "measured",
  });
  const both = concatCharts([sc, lossChart()], { title: "both" });
  const kids = both.hconcat as Spec[];
  assert.equal(kids.length, 2);
  for (const k of kids) {
    assert.equal(k.$schema, undefined);
    assert.equal(k.config, undefined);
  }
  assert.ok(Array.isArray(concatCharts([sc], { direction: "vertical" }).vconcat));
  const vert = concatCharts([sc], { direction: "vertical" });
  const { $schema: _s, config: _c, ...child } = sc;
  assert.deepEqual(vert.vconcat, [child]); // the chart itself, less its $schema and config
  assert.equal(vert.hconcat, undefined);
  const grid = concatCharts([sc, sc, sc], { direction: "wrap", columns: 2, sharedColor: false });
  assert.equal(grid.columns, 2);
  assert.deepEqual(grid.resolve, { scale: { color: "independent" } });
  assert.throws(() => concatCharts([]), /non-empty array/);
  assert.throws(() => concatCharts([sc], { direction: "diagonal" as "wrap" }), /direction must be/);
  assert.throws(() => concatCharts([sc], { direction: "wrap", columns: 0 }), /columns must be/);
});
