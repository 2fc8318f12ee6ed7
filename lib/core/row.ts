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
