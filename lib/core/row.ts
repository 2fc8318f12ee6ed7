/**
 * The one tidy-row type of the project: a row is a plain object, field name → {@linkcode Cell}.
 * Statistics (`aggregate.ts`), experiment tables, charts and table files all use it.
 *
 * @module
 */

/** One cell of a tidy table: a number, a string, a boolean, or null (missing). */
export type Cell = number | string | boolean | null;

/** One row of a tidy table: field name → value. */
export type Row = { [field: string]: Cell };

/**
 * A number as a table cell: the number when finite, null otherwise (a missing or undefined value,
 * NaN, ±∞), so a table never stores a non-finite value.
 *
 * @example
 * ```ts
 * import { finiteOrNull } from "./row.ts";
 * if (finiteOrNull(2.5) !== 2.5) throw new Error("finite numbers pass through");
 * if (finiteOrNull(NaN) !== null || finiteOrNull(-Infinity) !== null) throw new Error("non-finite");
 * if (finiteOrNull(undefined) !== null) throw new Error("missing");
 * ```
 */
export function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
