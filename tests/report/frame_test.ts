// Tests of lib/report/frame.ts: the spec header, the plot size, and the shared input checks.
import assert from "node:assert/strict";
import {
  checkCategoryField,
  checkDomain,
  checkField,
  checkFrame,
  checkInterval,
  checkNumericField,
  checkOrder,
  checkRows,
  checkSize,
  checkText,
  frameSize,
  frameSpec,
} from "../../lib/report/frame.ts";
import { themeConfig, VEGA_LITE_SCHEMA } from "../../lib/report/theme.ts";

Deno.test("frameSpec: schema, title (with subtitle) and theme config; frameSize defaults", () => {
  assert.deepEqual(frameSpec({ title: "T" }), {
    $schema: VEGA_LITE_SCHEMA,
    title: "T",
    config: themeConfig(),
  });
  assert.deepEqual(frameSpec({ title: "T", subtitle: "s" }).title, { text: "T", subtitle: "s" });
  assert.deepEqual(frameSize({ rows: [], title: "" }), { width: 480, height: 300 });
  assert.deepEqual(frameSize({ rows: [], title: "", width: 10, height: 20 }), {
    width: 10,
    height: 20,
  });
});

Deno.test("checkFrame names the builder, the option and the value", () => {
  checkFrame("f", { rows: [{ a: 1 }], title: "t", subtitle: "s", width: 1, height: 2 });
  assert.throws(() => checkFrame("f", null as never), /f: options missing/);
  assert.throws(() => checkFrame("f", { rows: [], title: "t" }), /f: rows is empty/);
  assert.throws(
    () => checkFrame("f", { rows: [{}], title: 3 as never }),
    /f: title must be a string, got 3/,
  );
  assert.throws(
    () => checkFrame("f", { rows: [{}], title: "t", width: -1 }),
    /f: width must be a positive number, got -1/,
  );
  assert.throws(() => checkRows("f", "x"), /rows must be an array of objects, got string/);
  assert.throws(() => checkRows("f", [{}, [1]]), /rows\[1\] must be an object/);
  assert.throws(() => checkSize("f", "cellSize", Number.NaN), /cellSize must be a positive number/);
});

Deno.test("field checks: names, numbers (positive on log axes), categories", () => {
  assert.throws(() => checkField("f", "x", ""), /f: x must be a non-empty field name/);
  assert.throws(
    () => checkText("f", "xTitle", undefined),
    /xTitle must be a string, got undefined/,
  );
  const rows = [{ a: 1, b: "u" }, { a: 0, b: "v" }];
  checkNumericField("f", rows, "a", false);
  assert.throws(() => checkNumericField("f", rows, "a", true), /rows\[1\]\.a = 0 is not positive/);
  assert.throws(() => checkNumericField("f", rows, "b", false), /rows\[0\]\.b must be a finite/);
  assert.throws(() => checkNumericField("f", rows, "c", false), /field "c" missing/);
  checkCategoryField("f", rows, "b");
  checkCategoryField("f", rows, "a");
  assert.throws(
    () => checkCategoryField("f", [{ b: true }], "b"),
    /rows\[0\]\.b must be a string or finite number, got true/,
  );
});

Deno.test("domain, order and interval checks", () => {
  checkDomain("f", "yDomain", undefined, true);
  checkDomain("f", "yDomain", [1, 2], true);
  assert.throws(() => checkDomain("f", "yDomain", [2, 1], false), /lo < hi, got \[2,1\]/);
  assert.throws(() => checkDomain("f", "yDomain", [0, 1], true), /lo > 0 \(log axis\)/);
  checkOrder("f", "colorOrder", ["a", 1]);
  assert.throws(() => checkOrder("f", "xOrder", [null]), /xOrder must be an array of category/);
  const rows = [{ lo: 1, hi: 2 }];
  checkInterval("f", rows, undefined, undefined, false);
  checkInterval("f", rows, "lo", "hi", true);
  assert.throws(
    () => checkInterval("f", rows, "lo", undefined, false),
    /lower and upper go together/,
  );
  assert.throws(() => checkInterval("f", rows, "lo", "nope", false), /rows\[0\]\.nope must be/);
});
