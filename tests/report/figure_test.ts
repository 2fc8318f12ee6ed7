// Tests of lib/report/figure.ts: files written atomically, the display bundle (SVG + compact
// interactive Vega-Lite), the text form, input checks.
import assert from "node:assert/strict";
import { compactSpec } from "../../lib/report/compact.ts";
import { JUPYTER_DISPLAY } from "../../lib/report/display.ts";
import { Figure, figure, saveFigure, VEGA_LITE_MIME } from "../../lib/report/figure.ts";
import type { Spec } from "../../lib/report/theme.ts";
import { listDir, lossChart } from "./fixtures.ts";

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

Deno.test("the display bundle embeds the compact spec; the SVG comes from the full one", async () => {
  const spec = lossChart();
  const fig = await figure(spec);
  const vl = fig[JUPYTER_DISPLAY]()[VEGA_LITE_MIME] as Spec;
  assert.equal(typeof (vl.data as Spec).values, "string", "inline rows stored as CSV");
  assert.ok(JSON.stringify(vl.data).length < JSON.stringify(spec.data).length / 2);
  assert.deepEqual(vl, {
    ...compactSpec(spec),
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  });
  assert.deepEqual(fig.spec, spec, "the figure keeps the full-precision spec");
  const full = await figure(spec, { compact: false });
  assert.equal(full.svg, fig.svg);
  const fullVl = full[JUPYTER_DISPLAY]()[VEGA_LITE_MIME] as Spec;
  assert.deepEqual(fullVl.data, spec.data);
  const d3 = await figure(spec, { compact: { digits: 3, csv: false } });
  const rows = (d3.displaySpec().data as Spec).values as { J: number }[];
  assert.equal(
    rows[1].J,
    Number(((spec.data as Spec).values as { J: number }[])[1].J.toPrecision(3)),
  );
});
