/**
 * Display objects for Deno's Jupyter kernel: values whose `[Symbol.for("Jupyter.display")]()`
 * returns a MIME bundle — tables ({@linkcode displayTable}), Markdown ({@linkcode markdown}) and,
 * in `figure.ts`, figures. Nothing here calls `Deno.jupyter` (it throws outside the kernel): the
 * notebook shows what these return.
 *
 * @module
 */

import type { Row } from "./rows.ts";

/**
 * `Symbol.for("Jupyter.display")`: the method key Deno's Jupyter kernel calls to get a MIME
 * bundle for a cell's value (same as `Deno.jupyter.$display`).
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A Jupyter MIME bundle: MIME type → data. */
export type MediaBundle = { [mime: string]: string | object };

/** Anything with polars' `DataFrame` row export (kept structural to avoid importing polars). */
export interface RecordsSource {
  /** Number of rows. */
  height: number;
  /** Column names. */
  columns: string[];
  /** The first `n` rows. */
  head(n: number): { toRecords(): Record<string, unknown>[] };
}

function isRecordsSource(x: unknown): x is RecordsSource {
  return x !== null && typeof x === "object" && typeof (x as RecordsSource).head === "function" &&
    typeof (x as RecordsSource).height === "number" && Array.isArray((x as RecordsSource).columns);
}

/**
 * Format a number for display: integers as is, others with `digits` significant digits
 * (exponent form outside [1e-3, 1e6)).
 *
 * @example
 * ```ts
 * import { formatNumber } from "./display.ts";
 * formatNumber(Math.PI); // "3.142"
 * formatNumber(1.5e-7);  // "1.500e-7"
 * ```
 */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(`formatNumber: digits must be an integer in [1, 17], got ${digits}`);
  }
  if (typeof v !== "number") {
    throw new TypeError(`formatNumber: expected a number, got ${typeof v}`);
  }
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
  return v.toPrecision(digits);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function cellText(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v, digits);
  if (typeof v === "bigint") return v.toString();
  return String(v);
}

/** Options of {@linkcode displayTable}. */
export interface TableDisplayOptions {
  /** Rows shown (default 20); the total is reported below. */
  maxRows?: number;
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Caption above the table. */
  caption?: string;
}

/**
 * A table ready for display: `text/html` (a plain HTML table) and `text/plain`.
 *
 * @example
 * ```ts
 * import { displayTable } from "./display.ts";
 * const t = displayTable([{ method: "SARSA", J: 0.41 }]);
 * t; // shown as a table in a notebook
 * ```
 */
export class TableView {
  /** Column names. */
  readonly columns: string[];
  /** Formatted cells of the shown rows. */
  readonly cells: string[][];
  /** Total number of rows in the source. */
  readonly totalRows: number;
  /** Optional caption. */
  readonly caption?: string;

  /** Formatted cells; see {@linkcode displayTable}. */
  constructor(columns: string[], cells: string[][], totalRows: number, caption?: string) {
    this.columns = columns;
    this.cells = cells;
    this.totalRows = totalRows;
    this.caption = caption;
  }

  /** HTML table. */
  toHtml(): string {
    const head = this.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const body = this.cells.map((r) =>
      `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`
    ).join("\n");
    const more = this.totalRows > this.cells.length
      ? `\n<p>… ${this.totalRows - this.cells.length} more rows (${this.totalRows} total)</p>`
      : "";
    const cap = this.caption ? `<caption>${escapeHtml(this.caption)}</caption>` : "";
    return `<table>${cap}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
  }

  /** Fixed-width text table. */
  toString(): string {
    const widths = this.columns.map((c, j) =>
      Math.max(c.length, ...this.cells.map((r) => r[j].length))
    );
    const line = (r: string[]) => r.map((c, j) => c.padStart(widths[j])).join("  ").trimEnd();
    const rows = [line(this.columns), ...this.cells.map(line)];
    if (this.caption) rows.unshift(this.caption);
    if (this.totalRows > this.cells.length) {
      rows.push(`… ${this.totalRows - this.cells.length} more rows (${this.totalRows} total)`);
    }
    return rows.join("\n");
  }

  /** MIME bundle for Jupyter. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/**
 * Build a {@linkcode TableView} from tidy rows or a polars `DataFrame`.
 *
 * @example
 * ```ts
 * import { displayTable } from "./display.ts";
 * import { toDataFrame } from "./table.ts";
 * const df = toDataFrame([{ method: "SARSA", J: 0.41 }, { method: "trained", J: 0.44 }]);
 * displayTable(df, { maxRows: 10, caption: "Final returns" });
 * ```
 */
export function displayTable(
  data: readonly Row[] | RecordsSource,
  opts: TableDisplayOptions = {},
): TableView {
  const maxRows = opts.maxRows ?? 20;
  const digits = opts.digits ?? 4;
  if (!Number.isInteger(maxRows) || maxRows < 0) {
    throw new RangeError(
      `displayTable: maxRows must be a non-negative integer, got ${JSON.stringify(maxRows)}`,
    );
  }
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(
      `displayTable: digits must be an integer in [1, 17], got ${JSON.stringify(digits)}`,
    );
  }
  let columns: string[];
  let shown: Record<string, unknown>[];
  let total: number;
  if (isRecordsSource(data)) {
    columns = [...data.columns];
    shown = data.head(maxRows).toRecords();
    total = data.height;
  } else if (Array.isArray(data)) {
    const cols = new Set<string>();
    data.forEach((r, i) => {
      if (r === null || typeof r !== "object") {
        throw new TypeError(`displayTable: rows[${i}] must be an object, got ${JSON.stringify(r)}`);
      }
      for (const k of Object.keys(r)) cols.add(k);
    });
    columns = [...cols];
    shown = data.slice(0, maxRows) as Record<string, unknown>[];
    total = data.length;
  } else {
    throw new TypeError(
      `displayTable: expected an array of rows or a DataFrame, got ${typeof data}`,
    );
  }
  const cells = shown.map((r) => columns.map((c) => cellText(r[c], digits)));
  return new TableView(columns, cells, total, opts.caption);
}

/** A Markdown snippet that a notebook cell displays as rendered `text/markdown`. */
export class MarkdownView {
  /** The Markdown source. */
  readonly text: string;
  /** Wrap `text`. */
  constructor(text: string) {
    this.text = text;
  }
  /** MIME bundle for Deno's Jupyter kernel. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return { "text/markdown": this.text, "text/plain": this.text };
  }
}

/**
 * Markdown for a notebook cell to display (e.g. a conclusion that quotes measured numbers).
 *
 * @example
 * ```ts
 * import { markdown } from "./display.ts";
 * const loss = 1.234e-5;
 * markdown(`final loss **${loss.toExponential(2)}**`); // last value of a cell → rendered
 * ```
 */
export function markdown(text: string): MarkdownView {
  if (typeof text !== "string") {
    throw new TypeError(`markdown: text must be a string, got ${typeof text}`);
  }
  return new MarkdownView(text);
}
