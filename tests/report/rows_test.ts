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
