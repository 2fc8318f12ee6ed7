// Tests of lib/report: chart builders, rendering, figures and display objects.
import assert from "node:assert/strict";
import {
  concatCharts,
  displayTable,
  encodePng,
  Figure,
  figure,
  formatNumber,
  groupedBars,
  heatmap,
  JUPYTER_DISPLAY,
  lineChart,
  matrixRows,
  normalizeSvgIds,
  RASTER_CELLS,
  renderPng,
  renderSvg,
  renderSvgWithWarnings,
  saveFigure,
  scatterChart,
  type Spec,
  themeConfig,
  toDataFrame,
  VEGA_LITE_MIME,
  VEGA_LITE_SCHEMA,
} from "../../lib/report/mod.ts";

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

function curveRows() {
  const rows: { step: number; J: number; lo: number; hi: number; method: string }[] = [];
  for (const method of ["trained", "SARSA"]) {
    for (let step = 0; step <= 20; step++) {
      const J = 0.5 * (1 - Math.exp(-step / (method === "SARSA" ? 5 : 7)));
      rows.push({ step, J, lo: J - 0.05, hi: J + 0.05, method });
    }
  }
  return rows;
}

function lossChart(): Spec {
  return lineChart({
    rows: curveRows().map((r) => ({ ...r, J: r.J + 0.01, lo: r.J * 0.5 + 0.005, hi: r.J + 0.1 })),
    x: "step",
    y: "J",
    lower: "lo",
    upper: "hi",
    color: "method",
    logY: true,
    rules: [{ value: 0.6, label: "oracle" }],
    title: "Loss",
    xTitle: "step",
    yTitle: "loss",
  });
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

// ------------------------------------------------------------------------------------------ charts

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
  const n = Math.ceil(Math.sqrt(RASTER_CELLS)) + 1;
  const data = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const spec = heatmap({
    rows: matrixRows("M", data, n, n),
    x: "col",
    y: "row",
    value: "value",
    title: "big",
  });
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

Deno.test("encodePng writes a valid PNG header and IHDR", () => {
  const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]));
  assert.deepEqual([...png.slice(0, 8)], PNG_SIGNATURE);
  const view = new DataView(png.buffer);
  assert.equal(String.fromCharCode(...png.slice(12, 16)), "IHDR");
  assert.equal(view.getUint32(16), 2);
  assert.equal(view.getUint32(20), 1);
  assert.throws(() => encodePng(2, 2, new Uint8Array(3)), /width\*height\*4 = 16 bytes, got 3/);
});

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

Deno.test("scatterChart adds the diagonal; concatCharts strips child $schema/config", () => {
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
  const both = concatCharts([sc, lossChart()], { title: "both" });
  const kids = both.hconcat as Spec[];
  assert.equal(kids.length, 2);
  for (const k of kids) {
    assert.equal(k.$schema, undefined);
    assert.equal(k.config, undefined);
  }
  assert.throws(() => concatCharts([]), /non-empty array/);
  assert.throws(() => concatCharts([sc], { direction: "diagonal" as "wrap" }), /direction must be/);
});

// ----------------------------------------------------------------------------------------- render

Deno.test("every chart builder yields a spec that renders without warnings", async () => {
  const specs: Record<string, Spec> = {
    line: lossChart(),
    heat: heatmap({
      rows: [...matrixRows("A", [1, -1, 0.5, 0], 2, 2), ...matrixRows("B", [2, 0, 0, 1], 2, 2)],
      x: "col",
      y: "row",
      value: "value",
      facet: "matrix",
      title: "H",
    }),
    bars: groupedBars({
      rows: [{ c: "a", g: "x", v: 1 }, { c: "a", g: "y", v: 2 }],
      x: "c",
      y: "v",
      group: "g",
      title: "B",
    }),
    scatter: scatterChart({
      rows: [{ a: 1, b: 1 }],
      x: "a",
      y: "b",
      title: "S",
      xTitle: "a",
      yTitle: "b",
    }),
  };
  specs.concat = concatCharts([specs.line, specs.scatter], { direction: "wrap", columns: 1 });
  for (const [name, spec] of Object.entries(specs)) {
    const { svg, warnings } = await renderSvgWithWarnings(spec);
    assert.deepEqual(warnings, [], `${name} warnings`);
    assert.match(svg, /^<svg /, name);
  }
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

Deno.test("saveFigure writes SVG (+PNG) atomically and returns a displayable Figure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fig = await saveFigure(lossChart(), `${dir}/sub/loss`, { png: true });
    assert.deepEqual(await listDir(`${dir}/sub`), ["loss.png", "loss.svg"]);
    assert.equal(fig.svgPath, `${dir}/sub/loss.svg`);
    assert.equal(await Deno.readTextFile(`${dir}/sub/loss.svg`), fig.svg);
    const again = await saveFigure(lossChart(), `${dir}/sub/loss`);
    assert.equal(again.svg, fig.svg, "same spec, byte-identical file");
    const bundle = fig[JUPYTER_DISPLAY]();
    assert.equal(bundle["image/svg+xml"], fig.svg);
    const vl = bundle[VEGA_LITE_MIME] as Spec;
    assert.equal(vl.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
    assert.match(String(bundle["text/plain"]), /Figure\("Loss", .*loss\.svg\)/);
    const small = await figure(lossChart(), { interactive: false });
    assert.equal(small[JUPYTER_DISPLAY]()[VEGA_LITE_MIME], undefined);
    assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
    await assert.rejects(() => saveFigure(lossChart(), `${dir}/x.svg`), /without extension/);
    await assert.rejects(() => saveFigure(lossChart(), ""), /pathWithoutExt must be a file path/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Figure validates its inputs", () => {
  assert.throws(() => new Figure({}, "no svg here"), /svg must be an SVG string/);
});

// ----------------------------------------------------------------------------------------- tables

Deno.test("displayTable gives escaped HTML and aligned text, truncated to maxRows", () => {
  const rows = Array.from(
    { length: 30 },
    (_, i) => ({ i, x: i / 3, name: i === 0 ? "<b>&" : "n" }),
  );
  const t = displayTable(rows, { maxRows: 5, caption: "cap" });
  const bundle = t[JUPYTER_DISPLAY]();
  const html = String(bundle["text/html"]);
  assert.ok(html.includes("<td>&lt;b&gt;&amp;</td>"));
  assert.ok(html.includes("<caption>cap</caption>"));
  assert.ok(html.includes("25 more rows (30 total)"));
  assert.equal((html.match(/<tr>/g) ?? []).length, 6);
  const text = String(bundle["text/plain"]).split("\n");
  assert.equal(text[0], "cap");
  assert.equal(text[1], "i       x  name");
  assert.equal(text[3], "1  0.3333     n");
  assert.throws(
    () => displayTable(rows, { maxRows: -1 }),
    /maxRows must be a non-negative integer, got -1/,
  );
  assert.throws(
    () => displayTable("x" as unknown as []),
    /expected an array of rows or a DataFrame/,
  );
});

Deno.test("displayTable accepts a polars DataFrame", () => {
  const df = toDataFrame([{ a: 1, b: "x" }, { a: 2, b: "y" }, { a: 3, b: "z" }]);
  const t = displayTable(df, { maxRows: 2 });
  assert.deepEqual(t.columns, ["a", "b"]);
  assert.deepEqual(t.cells, [["1", "x"], ["2", "y"]]);
  assert.equal(t.totalRows, 3);
});

Deno.test("formatNumber: integers as is, significant digits, exponent outside [1e-3, 1e6)", () => {
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(Math.PI), "3.142");
  assert.equal(formatNumber(1.5e-7), "1.500e-7");
  assert.equal(formatNumber(2.5e7 + 0.5), "2.500e+7");
  assert.equal(formatNumber(Number.NaN), "NaN");
  assert.throws(() => formatNumber(1, 0), /digits must be an integer in \[1, 17\], got 0/);
});

Deno.test("markdown displays as text/markdown and rejects non-strings", async () => {
  const { markdown } = await import("../../lib/report/mod.ts");
  const view = markdown("**x** = 1");
  // deno-lint-ignore no-explicit-any
  const bundle = (view as any)[Symbol.for("Jupyter.display")]();
  assert.equal(bundle["text/markdown"], "**x** = 1");
  // deno-lint-ignore no-explicit-any
  assert.throws(() => markdown(3 as any), /text must be a string, got number/);
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
