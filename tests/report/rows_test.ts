// Tests of lib/report/rows.ts: first-seen category order and row copies.
import assert from "node:assert/strict";
import { copyRows, firstSeen, type Row } from "../../lib/report/rows.ts";

Deno.test("firstSeen keeps first-seen order; copyRows copies each row", () => {
  const rows: Row[] = [{ m: "b", x: 1 }, { m: "a", x: 2 }, { m: "b", x: 3 }];
  assert.deepEqual(firstSeen(rows, "m"), ["b", "a"]);
  const copy = copyRows(rows);
  rows[0].x = 9;
  assert.equal(copy[0].x, 1);
  assert.notEqual(copy[1], rows[1]);
  assert.throws(() => firstSeen("x" as never, "m"), /rows must be an array of objects/);
  assert.throws(() => copyRows(null as never), /rows must be an array of objects/);
});

Deno.test("finiteOrNull keeps finite numbers (signed zero too) and maps NaN, ±∞, null, undefined to null", async () => {
  const { finiteOrNull } = await import("../../lib/core/row.ts");
  for (const v of [0, 1.5, -3, Number.MAX_VALUE, Number.MIN_VALUE]) {
    assert.equal(finiteOrNull(v), v);
  }
  assert.ok(Object.is(finiteOrNull(-0), -0));
  for (const v of [NaN, Infinity, -Infinity, null, undefined]) assert.equal(finiteOrNull(v), null);
});
