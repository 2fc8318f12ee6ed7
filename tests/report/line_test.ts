// Tests of lib/report/line.ts: layers, theme, row copies, error messages, legend labels.
import assert from "node:assert/strict";
import { lineChart } from "../../lib/report/line.ts";
import { renderSvg } from "../../lib/report/render.ts";
import { type Spec, themeConfig, VEGA_LITE_SCHEMA } from "../../lib/report/theme.ts";
import { curveRows } from "./fixtures.ts";

Deno.test("lineChart builds band, line and labelled rule layers with the theme", () => {
  const spec = lineChart({
    rows: curveRows(),
    x: "step",
    y: "J",
    lower: "lo",
    upper: "hi",
    color: "method",
    rules: [{ value: 0.5, label: "oracle" }],
    title: "Transfer",
    xTitle: "update step",
    yTitle: "return J",
  });
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  assert.equal(spec.width, 480);
  assert.equal(spec.height, 300);
  assert.deepEqual(spec.config, themeConfig());
  const layers = spec.layer as Spec[];
  assert.deepEqual(layers.map((l) => (l.mark as Spec).type), ["area", "line", "rule", "text"]);
  const line = layers[1].encoding as Record<string, Spec>;
  assert.equal(line.x.title, "update step");
  assert.equal(line.y.title, "return J");
  // colours follow the first-seen order of the groups, the band shares them
  assert.deepEqual((line.color.scale as Spec).domain, ["trained", "SARSA"]);
  const band = layers[0].encoding as Record<string, Spec>;
  assert.deepEqual((band.fill.scale as Spec).domain, ["trained", "SARSA"]);
  assert.equal((spec.data as { values: unknown[] }).values.length, 42);
});

Deno.test("lineChart copies the rows (later mutation does not change the spec)", () => {
  const rows = curveRows();
  const spec = lineChart({ rows, x: "step", y: "J", title: "t", xTitle: "x", yTitle: "y" });
  rows[0].J = 99;
  assert.notEqual((spec.data as { values: { J: number }[] }).values[0].J, 99);
});

Deno.test("lineChart errors name the bad row, field and value", () => {
  const rows = curveRows();
  const bad = rows.map((r, i) => (i === 3 ? { ...r, J: Number.NaN } : r));
  assert.throws(
    () => lineChart({ rows: bad, x: "step", y: "J", title: "t", xTitle: "x", yTitle: "y" }),
    /rows\[3\]\.J must be a finite number/,
  );
  assert.throws(
    () => lineChart({ rows, x: "step", y: "nope", title: "t", xTitle: "x", yTitle: "y" }),
    /field "nope" missing/,
  );
  assert.throws(
    () => lineChart({ rows: [], x: "step", y: "J", title: "t", xTitle: "x", yTitle: "y" }),
    /rows is empty/,
  );
  assert.throws(
    () => lineChart({ rows, x: "step", y: "J", lower: "lo", title: "t", xTitle: "x", yTitle: "y" }),
    /lower and upper go together/,
  );
  assert.throws(
    () =>
      lineChart({
        rows,
        x: "step",
        y: "J",
        logY: true,
        title: "t",
        xTitle: "x",
        yTitle: "y",
      }),
    /rows\[0\]\.J = 0 is not positive, but the axis is logarithmic/,
  );
  assert.throws(
    () =>
      lineChart({
        rows,
        x: "step",
        y: "J",
        rules: [{ value: Number.POSITIVE_INFINITY, label: "x" }],
        title: "t",
        xTitle: "x",
        yTitle: "y",
      }),
    /rules\[0\]/,
  );
});

Deno.test("legend labels are not truncated: a long series name appears whole in the SVG", async () => {
  const name = "full, hand gradient (float64): drift of P11, P21, V11, V12";
  const spec = lineChart({
    rows: [{ x: 0, y: 1, s: name }, { x: 1, y: 2, s: name }],
    x: "x",
    y: "y",
    color: "s",
    title: "t",
    xTitle: "x",
    yTitle: "y",
  });
  const svg = await renderSvg(spec);
  assert.ok(svg.includes(name), "legend label was cut");
  assert.ok(!svg.includes("…"), "an ellipsis marks a truncated label");
});
