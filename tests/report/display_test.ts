// Tests of lib/report/display.ts: tables (rows or DataFrame), number formatting, Markdown.
import assert from "node:assert/strict";
import { displayTable, formatNumber, JUPYTER_DISPLAY, markdown } from "../../lib/report/display.ts";
import { toDataFrame } from "../../lib/report/table.ts";

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

Deno.test("markdown displays as text/markdown and rejects non-strings", () => {
  const view = markdown("**x** = 1");
  // deno-lint-ignore no-explicit-any
  const bundle = (view as any)[Symbol.for("Jupyter.display")]();
  assert.equal(bundle["text/markdown"], "**x** = 1");
  // deno-lint-ignore no-explicit-any
  assert.throws(() => markdown(3 as any), /text must be a string, got number/);
});
