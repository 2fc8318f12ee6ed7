// Tests of lib/report/heatmap.ts and heatmap_raster.ts: matrix rows, the symmetric diverging scale,
// vector vs raster panels, and the raster's pixels.
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { heatmap, matrixRows } from "../../lib/report/heatmap.ts";
import { divergingRgb, heatmapPixels, isIndexAxis } from "../../lib/report/heatmap_raster.ts";
import { renderSvg } from "../../lib/report/render.ts";
import type { Spec } from "../../lib/report/theme.ts";
import { rasterHeatmap } from "./fixtures.ts";

Deno.test("matrixRows flattens row-major and validates the shape", () => {
  const rows = matrixRows("P", new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3);
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[4], { matrix: "P", row: 1, col: 1, value: 5 });
  assert.throws(() => matrixRows("P", [1, 2, 3], 2, 2), /length 3, expected rows\*cols = 2\*2 = 4/);
  assert.throws(() => matrixRows("P", [1, Number.NaN], 1, 2), /"P"\[1\] \(row 0, col 1\) is NaN/);
  assert.throws(() => matrixRows("P", [1], 0, 1), /rows must be a positive integer, got 0/);
});

Deno.test("heatmap: diverging scale symmetric about 0, shared or independent across facets", () => {
  const rows = [
    ...matrixRows("A", [1, -3, 2, 0], 2, 2),
    ...matrixRows("B", [0.5, 0, 0, -0.5], 2, 2),
  ];
  const shared = heatmap({ rows, x: "col", y: "row", value: "value", facet: "matrix", title: "h" });
  const panels = shared.concat as Spec[];
  assert.equal(panels.length, 2);
  for (const p of panels) {
    const scale = ((p.encoding as Record<string, Spec>).color.scale) as Spec;
    assert.deepEqual(scale.domain, [-3, 3]);
    assert.equal(scale.domainMid, 0);
    assert.equal(scale.scheme, "redblue");
  }
  assert.deepEqual(shared.resolve, { scale: { color: "shared" } });
  const indep = heatmap({
    rows,
    x: "col",
    y: "row",
    value: "value",
    facet: "matrix",
    independent: true,
    title: "h",
  });
  const domains = (indep.concat as Spec[]).map((p) =>
    (((p.encoding as Record<string, Spec>).color.scale) as Spec).domain
  );
  assert.deepEqual(domains, [[-3, 3], [-0.5, 0.5]]);
  // an all-zero matrix still gets a usable domain
  const zero = heatmap({
    rows: matrixRows("Z", [0, 0], 1, 2),
    x: "col",
    y: "row",
    value: "value",
    title: "z",
  });
  assert.deepEqual((((zero.encoding as Record<string, Spec>).color.scale) as Spec).domain, [-1, 1]);
});

Deno.test("heatmap draws large index matrices as one embedded PNG (raster: auto)", async () => {
  const spec = rasterHeatmap();
  const image = (spec.layer as Spec[])[0];
  assert.equal((image.mark as Spec).type, "image");
  const url = (image.data as { values: { url: string }[] }).values[0].url;
  assert.match(url, /^data:image\/png;base64,/);
  const svg = await renderSvg(spec);
  assert.ok(svg.length < 40_000, `raster heatmap SVG should be small, got ${svg.length}`);
  assert.match(svg, /image-rendering="optimizeSpeed"/);
  // small matrices stay vector; raster: true on non-index axes is refused
  const small = heatmap({
    rows: matrixRows("S", [1, 2, 3, 4], 2, 2),
    x: "col",
    y: "row",
    value: "value",
    title: "s",
  });
  assert.equal((small.mark as Spec).type, "rect");
  assert.throws(
    () =>
      heatmap({
        rows: [{ r: "a", c: "b", v: 1 }],
        x: "c",
        y: "r",
        value: "v",
        raster: true,
        title: "t",
      }),
    /raster needs c and r to be the integers/,
  );
});

Deno.test("raster panel: the embedded PNG holds one pixel per cell in the scale's colour", () => {
  const spec = rasterHeatmap();
  const url = ((spec.layer as Spec[])[0].data as { values: { url: string }[] }).values[0].url;
  const png = decode(Uint8Array.from(atob(url.split(",")[1]), (c) => c.charCodeAt(0)));
  const n = Math.ceil(Math.sqrt(1600)) + 1;
  assert.equal(png.width, n);
  assert.equal(png.height, n);
  assert.equal(png.channels, 4);
  const m = Math.max(...Array.from({ length: n * n }, (_, i) => Math.abs(Math.sin(i))));
  for (const i of [0, 1, 7, n * n - 1]) {
    assert.deepEqual([...png.data.slice(4 * i, 4 * i + 4)], [...divergingRgb(Math.sin(i), m), 255]);
  }
});

Deno.test("heatmapPixels leaves missing cells transparent; divergingRgb ends red/blue", () => {
  const rgba = heatmapPixels([{ c: 1, r: 0, v: -2 }], { x: "c", y: "r", value: "v" }, 2, 2, 1);
  assert.deepEqual([...rgba.slice(0, 4)], [0, 0, 0, 0]);
  assert.equal(rgba[7], 255);
  const [red, , blue] = divergingRgb(1, 1);
  assert.ok(red > blue, "positive is red");
  const [red2, , blue2] = divergingRgb(-1, 1);
  assert.ok(blue2 > red2, "negative is blue");
  assert.ok(isIndexAxis([0, 1, 2]));
  assert.ok(!isIndexAxis([1, 2]));
});
