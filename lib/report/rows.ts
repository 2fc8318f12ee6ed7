/**
 * Tidy rows in the reporting layer (the type itself is `lib/core/row.ts`'s) (DESIGN: "tidy table → chart → file + inline
 * display"): a row is a plain object, field name → {@linkcode Cell}. Chart builders, tables
 * (`table.ts`) and display objects (`display.ts`) all take `readonly Row[]`.
 *
 * @module
 */

import type { Cell, Row } from "../core/row.ts";

export type { Cell, Row } from "../core/row.ts";

/** Older name of {@linkcode Cell}, kept for the chart builders' signatures. */
export type Datum = Cell;

/** Older name of {@linkcode Row}, kept for the chart builders' signatures. */
export type ChartRow = Row;

/**
 * Distinct values of `field` in first-seen order (the default category order of the charts).
 *
 * @example
 * ```ts
 * import { firstSeen } from "./rows.ts";
 * firstSeen([{ m: "b" }, { m: "a" }, { m: "b" }], "m"); // ["b", "a"]
 * ```
 */
export function firstSeen(rows: readonly Row[], field: string): (string | number)[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(`firstSeen: rows must be an array of objects, got ${typeof rows}`);
  }
  return [...new Set(rows.map((r) => r[field] as string | number))];
}

/**
 * Shallow copy of every row (a spec keeps its own data, unaffected by later mutation).
 *
 * @example
 * ```ts
 * import { copyRows } from "./rows.ts";
 * const rows = [{ x: 1 }];
 * const copy = copyRows(rows);
 * rows[0].x = 2; // copy[0].x is still 1
 * ```
 */
export function copyRows(rows: readonly Row[]): Row[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(`copyRows: rows must be an array of objects, got ${typeof rows}`);
  }
  return rows.map((r) => ({ ...r }));
}
