// Tests of lib/report/compact.ts: rounding, the CSV form and its parse types, fallbacks, and that
// a compact spec renders exactly like the spec with its data rounded.
import assert from "node:assert/strict";
import { compactSpec, roundSig } from "../../lib/report/compact.ts";
import { renderSvg } from "../../lib/report/render.ts";
import type { Spec } from "../../lib/report/theme.ts";
import { sampleSpecs } from "./fixtures.ts";

Deno.test("roundSig rounds non-integers to significant digits; integers and text unchanged", () => {
  assert.equal(roundSig(0.1234567891, 6), 0.123457);
  assert.equal(roundSig(-1.23456789e-12, 3), -1.23e-12);
  assert.equal(roundSig(1234567, 6), 1234567);
  assert.equal(roundSig(2 ** 60 + 0.5, 6), 1.15292e18);
  assert.equal(roundSig(Number.NaN, 6), null);
  assert.equal(roundSig(Number.POSITIVE_INFINITY, 6), null);
  assert.equal(roundSig("x", 6), "x");
  assert.equal(roundSig(true, 6), true);
});

Deno.test("compactSpec stores inline rows as CSV with one parse type per column", () => {
  const spec: Spec = {
    mark: "point",
    data: {
      values: [
        { x: 1, y: 0.123456789, name: 'a, "quoted"', ok: true },
        { x: 2, y: null, name: "b\nline", ok: false },
        { x: 3, name: "c" },
      ],
    },
    layer: [{ data: { values: [{ v: 1 / 3 }] }, mark: "rule" }],
  };
  const before = JSON.stringify(spec);
  const c = compactSpec(spec);
  assert.equal(JSON.stringify(spec), before, "the input is not changed");
  assert.deepEqual(c.data, {
    values: 'x,y,name,ok\n1,0.123457,"a, ""quoted""",true\n2,,"b\nline",false\n3,,c,',
    format: {
      type: "csv",
      parse: { x: "number", y: "number", name: "string", ok: "boolean" },
    },
  });
  assert.deepEqual((c.layer as Spec[])[0].data, {
    values: "v\n0.333333",
    format: { type: "csv", parse: { v: "number" } },
  });
  assert.equal(c.mark, "point");
});

Deno.test("compactSpec keeps arrays (rounded) where CSV cannot carry the rows exactly", () => {
  const keep = (values: unknown[]) =>
    (compactSpec({ data: { values } }).data as Spec).values as unknown[];
  assert.deepEqual(keep([{ a: 1 }, { a: "1" }]), [{ a: 1 }, { a: "1" }], "mixed kinds");
  assert.deepEqual(keep([{ a: "" }]), [{ a: "" }], "empty string would read back as null");
  assert.deepEqual(keep([{ "a.b": 0.1234567 }]), [{ "a.b": 0.123457 }], "field path");
  assert.deepEqual(keep([0.1234567, 2]), [0.123457, 2], "primitive values");
  const given = compactSpec({ data: { values: "a\n1", format: { type: "csv" } } });
  assert.deepEqual(given.data, { values: "a\n1", format: { type: "csv" } }, "string data as is");
  const json = compactSpec({ data: { values: [{ a: 0.1234567 }] } }, { csv: false });
  assert.deepEqual(json.data, { values: [{ a: 0.123457 }] });
  assert.throws(() => compactSpec({}, { digits: 0 }), /digits must be an integer in \[1, 17\]/);
  assert.throws(() => compactSpec(null as unknown as Spec), /spec must be a Vega-Lite spec/);
});

Deno.test("every chart kind: the compact spec renders the same SVG as the rounded spec", async () => {
  for (const [name, spec] of Object.entries(sampleSpecs())) {
    const rounded = compactSpec(spec, { csv: false });
    const csv = compactSpec(spec);
    assert.notDeepEqual(csv, rounded, `${name}: CSV form differs from the array form`);
    assert.equal(await renderSvg(csv), await renderSvg(rounded), name);
  }
});

Deno.test("data already at 6 significant digits: the compact spec renders the original SVG", async () => {
  const spec = sampleSpecs().bars;
  assert.equal(await renderSvg(compactSpec(spec)), await renderSvg(spec));
});
