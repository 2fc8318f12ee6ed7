// Tests of lib/report/render.ts: every chart kind renders without warnings, deterministic ids,
// compile errors, PNG rasterisation.
import assert from "node:assert/strict";
import {
  normalizeSvgIds,
  renderPng,
  renderSvg,
  renderSvgWithWarnings,
} from "../../lib/report/render.ts";
import { lineChart } from "../../lib/report/line.ts";
import type { Spec } from "../../lib/report/theme.ts";
import { curveRows, lossChart, PNG_SIGNATURE, sampleSpecs } from "./fixtures.ts";

Deno.test("every chart builder yields a spec that renders without warnings", async () => {
  for (const [name, spec] of Object.entries(sampleSpecs())) {
    const { svg, warnings } = await renderSvgWithWarnings(spec);
    assert.deepEqual(warnings, [], `${name} warnings`);
    assert.match(svg, /^<svg /, name);
  }
});

Deno.test("renderSvgWithWarnings returns the warnings that renderSvg prints", async () => {
  const spec = {
    mark: "point",
    data: { values: [{ a: 1 }] },
    encoding: { x: { field: "a", type: "quantitative", scale: { type: "log", zero: true } } },
  };
  const { svg, warnings } = await renderSvgWithWarnings(spec);
  assert.ok(warnings.length > 0, "zero on a log scale is a warning");
  assert.equal(warnings.length, 1); // exactly that one, naming the scale and the dropped property
  assert.match(warnings[0], /x-scale's "zero" is dropped .*log scale/);
  assert.match(warnings[0], /^warn: /);
  const printed: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => printed.push(a.join(" "));
  try {
    assert.equal(await renderSvg(spec), svg, "one renderer: same SVG either way");
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(printed, warnings.map((w) => `renderSvg ${w}`));
});

Deno.test("renderSvg is deterministic, even with clip-path ids and other renders in between", async () => {
  const clipped = lineChart({
    rows: curveRows(),
    x: "step",
    y: "J",
    color: "method",
    yDomain: [0, 0.3],
    title: "clipped",
    xTitle: "x",
    yTitle: "y",
  });
  ((clipped.layer as Spec[])[0].mark as Spec).clip = true;
  const a = await renderSvg(clipped);
  await renderSvg(lossChart());
  await renderSvg(clipped);
  const b = await renderSvg(clipped);
  assert.equal(a, b);
  assert.match(a, /clip-path="url\(#v[0-9a-f]{8}-0\)"/);
});

Deno.test("normalizeSvgIds renames ids and their references consistently", () => {
  const svg = '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/>' +
    '<use href="#clip7"/><text>clip7</text></svg>';
  const out = normalizeSvgIds(svg);
  const id = /id="([^"]+)"/.exec(out)![1];
  assert.match(id, /^v[0-9a-f]{8}-0$/);
  assert.ok(out.includes(`url(#${id})`));
  assert.ok(out.includes(`href="#${id}"`));
  assert.ok(out.includes("<text>clip7</text>"), "text content is untouched");
  const renumbered = svg.replace('id="clip7"', 'id="clip9"').replace("#clip7)", "#clip9)")
    .replace('"#clip7"', '"#clip9"');
  assert.equal(
    normalizeSvgIds(renumbered),
    out,
    "vega's counter value does not leak into the output",
  );
  assert.equal(normalizeSvgIds("<svg/>"), "<svg/>");
});

Deno.test("renderSvg names a spec that does not compile", async () => {
  await assert.rejects(
    () => renderSvg({ mark: "nope-mark" }),
    /renderSvg: vega-lite could not compile/,
  );
  await assert.rejects(
    () => renderSvg([] as unknown as Spec),
    /spec must be a Vega-Lite spec object/,
  );
  await assert.rejects(
    () => renderSvgWithWarnings({ mark: "nope-mark" }),
    /renderSvgWithWarnings: vega-lite could not compile/,
  );
});

Deno.test("renderPng rasterises with text (DejaVu) and validates scale", async () => {
  const svg = await renderSvg(lossChart());
  const png = renderPng(svg);
  assert.deepEqual([...png.slice(0, 8)], PNG_SIGNATURE);
  const width = new DataView(png.buffer).getUint32(16);
  const svgWidth = Number(/width="(\d+)"/.exec(svg)![1]);
  assert.equal(width, 2 * svgWidth);
  // text adds ink: the same chart without any text is a visibly smaller PNG
  const noText = svg.replace(/<text[^>]*>[^<]*<\/text>/g, "");
  assert.ok(renderPng(noText).length < png.length * 0.95, "text renders in the PNG");
  assert.throws(() => renderPng(svg, { scale: 0 }), /scale must be a number in \(0, 16\], got 0/);
  assert.throws(() => renderPng("not svg"), /svg must be an SVG document/);
});
