// Tests of lib/report/scatter.ts: points, colour, the diagonal over both axes' range.
import assert from "node:assert/strict";
import { scatterChart } from "../../lib/report/scatter.ts";
import type { Spec } from "../../lib/report/theme.ts";

Deno.test("scatterChart adds the diagonal over both axes' range and checks its fields", () => {
  const sc = scatterChart({
    rows: [{ p: 1, m: 2 }, { p: 3, m: 2.5 }],
    x: "p",
    y: "m",
    diagonal: true,
    title: "s",
    xTitle: "predicted",
    yTitle: "measured",
  });
  const diag = (sc.layer as Spec[])[1];
  assert.deepEqual((diag.data as { values: unknown[] }).values, [{ d: 1 }, { d: 3 }]);
  assert.equal(sc.width, 480);
  assert.throws(
    () => scatterChart({ rows: [{ p: 1 }], x: "p", y: "m", title: "s", xTitle: "", yTitle: "" }),
    /scatterChart: rows\[0\]\.m must be a finite number, got undefined \(field "m" missing\)/,
  );
  assert.throws(
    () =>
      scatterChart({
        rows: [{ p: -1, m: 1 }],
        x: "p",
        y: "m",
        logX: true,
        title: "s",
        xTitle: "",
        yTitle: "",
      }),
    /rows\[0\]\.p = -1 is not positive/,
  );
});
