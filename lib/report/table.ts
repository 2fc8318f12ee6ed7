/**
 * Tidy tables through nodejs-polars (DESIGN: "simulate/train → tidy table (polars) → chart"):
 * rows ↔ `DataFrame`, and atomic, deterministic CSV / Parquet files.
 *
 * Column types are inferred per column: all numbers → `Int64` when every value is a safe integer,
 * otherwise `Float64`; strings → `String`; booleans → `Boolean`; a missing key or `null` is a
 * null. Mixing kinds in one column is an error naming the column and row. A non-finite number
 * (`NaN`, `±Infinity`) is an error naming row, column and value, unless the column is declared
 * `nullable`, where it is stored as null (an empty CSV cell). CSV floats are written by polars in
 * shortest round-trip form (`0.1`, `0.3333333333333333`, `1e-20`), so the same rows always give
 * the same bytes and reading back is exact. {@linkcode readTable} refuses ragged CSV rows,
 * non-finite values in non-nullable columns and, given the expected column types, wrong types —
 * each error names the file, the row and the column.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { existsSync } from "node:fs";
import { tempSibling, writeFileAtomicSync } from "./env.ts";
import type { Row } from "./rows.ts";

export type { DataFrame };

export type { Cell, Row } from "./rows.ts";

/** File format of {@linkcode writeTable}. */
export type TableFormat = "csv" | "parquet" | "auto";

/** Options of {@linkcode toDataFrame}. */
export interface ToDataFrameOptions {
  /** Columns where a non-finite number is allowed and stored as null (default: none). */
  nullable?: readonly string[];
}

/** Row count above which `format: "auto"` writes Parquet instead of CSV. */
export const AUTO_PARQUET_ROWS = 50_000;

function isDataFrame(x: unknown): x is DataFrame {
  return x !== null && typeof x === "object" && typeof (x as DataFrame).writeCSV === "function" &&
    typeof (x as DataFrame).height === "number";
}

/**
 * Build a polars `DataFrame` from tidy rows (columns in first-seen order, types as described in
 * the module doc). A `DataFrame` is returned unchanged.
 *
 * @example
 * ```ts
 * const df = toDataFrame([{ seed: 0, step: 10, loss: 0.5 }, { seed: 0, step: 20, loss: 0.25 }]);
 * df.height; // 2
 * ```
 */
export function toDataFrame(
  rows: readonly Row[] | DataFrame,
  opts: ToDataFrameOptions = {},
): DataFrame {
  const nullable = checkNullable("toDataFrame", opts.nullable);
  if (isDataFrame(rows)) {
    assertFiniteFrame("toDataFrame: DataFrame", rows, nullable);
    return rows;
  }
  if (!Array.isArray(rows)) {
    throw new TypeError(
      `toDataFrame: rows must be an array of objects or a DataFrame, got ${typeof rows}`,
    );
  }
  if (rows.length === 0) {
    throw new RangeError("toDataFrame: rows is empty (a table needs at least one row)");
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new TypeError(`toDataFrame: rows[${i}] must be an object, got ${JSON.stringify(r)}`);
    }
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  });
  const series = columns.map((c) => {
    let kind: "number" | "string" | "boolean" | undefined;
    let allInt = true;
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i][c];
      if (v === null || v === undefined) continue;
      const t = typeof v;
      if (t !== "number" && t !== "string" && t !== "boolean") {
        throw new TypeError(
          `toDataFrame: rows[${i}].${c} has unsupported type ${t} (${String(v)})`,
        );
      }
      if (kind === undefined) kind = t as "number" | "string" | "boolean";
      else if (kind !== t) {
        throw new TypeError(
          `toDataFrame: column "${c}" mixes ${kind} and ${t} (rows[${i}].${c} = ${
            JSON.stringify(v)
          })`,
        );
      }
      if (t === "number" && !Number.isFinite(v) && !nullable.has(c)) {
        throw new RangeError(
          `toDataFrame: rows[${i}].${c} = ${v} is not finite (declare the column nullable to store it as null)`,
        );
      }
      if (t === "number" && !Number.isSafeInteger(v)) allInt = false;
    }
    const values = rows.map((r) => {
      const v = r[c] ?? null;
      return typeof v === "number" && !Number.isFinite(v) ? null : v;
    });
    if (kind === "number") return pl.Series(c, values, allInt ? pl.Int64 : pl.Float64);
    if (kind === "boolean") return pl.Series(c, values, pl.Bool);
    return pl.Series(c, values, pl.Utf8);
  });
  return pl.DataFrame(series);
}

/**
 * Tidy rows of a `DataFrame` (the inverse of {@linkcode toDataFrame}).
 *
 * @example
 * ```ts
 * import { toDataFrame, toRows } from "./table.ts";
 * const rows = toRows(toDataFrame([{ step: 1, loss: 0.5 }]));
 * console.log(rows); // [{ step: 1, loss: 0.5 }]
 * ```
 */
export function toRows(df: DataFrame): Row[] {
  if (!isDataFrame(df)) throw new TypeError(`toRows: expected a DataFrame, got ${typeof df}`);
  return df.toRecords() as Row[];
}

/** Options of {@linkcode writeTable}. */
export interface WriteTableOptions {
  /** "csv", "parquet", or "auto" (default: CSV up to {@linkcode AUTO_PARQUET_ROWS} rows). */
  format?: TableFormat;
  /** Parquet compression (default "uncompressed"; ignored for CSV). */
  compression?: "uncompressed" | "snappy" | "gzip" | "lz4" | "zstd" | "brotli";
  /** Columns where a non-finite number is allowed (written as null); others refuse it. */
  nullable?: readonly string[];
}

/** Options of {@linkcode readTable}. */
export interface ReadTableOptions {
  /** Columns allowed to hold non-finite values (NaN, ±inf); others refuse them. */
  nullable?: readonly string[];
  /** Expected kind of each named column; a column of another type is an error naming the row. */
  columns?: Readonly<Record<string, "number" | "string" | "boolean">>;
}

function checkNullable(fn: string, nullable: unknown): Set<string> {
  if (nullable === undefined) return new Set();
  if (!Array.isArray(nullable) || nullable.some((c) => typeof c !== "string")) {
    throw new TypeError(
      `${fn}: nullable must be an array of column names, got ${JSON.stringify(nullable)}`,
    );
  }
  return new Set(nullable as string[]);
}

/** Refuse NaN / ±inf in float columns of `df` outside `nullable`; names row and column. */
function assertFiniteFrame(where: string, df: DataFrame, nullable: Set<string>): void {
  for (const c of df.columns) {
    if (nullable.has(c)) continue;
    const col = df.getColumn(c);
    if (!String(col.dtype).includes("Float")) continue;
    const vals = col.toArray() as (number | null)[];
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v !== null && !Number.isFinite(v)) {
        throw new RangeError(`${where}: row ${i + 1}, column "${c}": value ${v} is not finite`);
      }
    }
  }
}

/**
 * Split CSV text into records of fields (RFC 4180: quoted fields may hold commas, quotes as
 * `""`, and newlines). A trailing newline does not start a record.
 */
function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = "", rec: string[] = [], inQ = false, i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (inQ) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQ = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') inQ = true;
    else if (ch === ",") {
      rec.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      rec.push(field);
      records.push(rec);
      rec = [];
      field = "";
    } else field += ch;
    i++;
  }
  if (field !== "" || rec.length > 0) {
    rec.push(field);
    records.push(rec);
  }
  return records;
}

/** Check a CSV file's shape and, where declared, its column kinds; errors name file, row, column. */
function checkCsv(file: string, opts: ReadTableOptions, nullable: Set<string>): void {
  const bytes = Deno.readFileSync(file);
  let textContent: string;
  try {
    textContent = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RangeError(`readTable: ${file} is not a text (UTF-8) CSV file — a binary file?`);
  }
  // deno-lint-ignore no-control-regex -- control characters are exactly what is looked for
  const bad = textContent.search(/[\u0000-\u0008\u000e-\u001f]/);
  if (bad >= 0) {
    throw new RangeError(
      `readTable: ${file} holds a control character (code ${
        textContent.charCodeAt(bad)
      }) at offset ${bad}: not a CSV table`,
    );
  }
  const records = parseCsvRecords(textContent);
  if (records.length === 0) throw new RangeError(`readTable: ${file} is empty (no header row)`);
  const header = records[0];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r];
    if (rec.length === 1 && rec[0] === "" && header.length > 1) {
      throw new RangeError(
        `readTable: ${file} row ${r} is blank (expected ${header.length} fields)`,
      );
    }
    if (rec.length !== header.length) {
      const col = rec.length < header.length
        ? `column "${header[rec.length]}" is missing`
        : `extra field ${JSON.stringify(rec[header.length])} after column "${header.at(-1)}"`;
      throw new RangeError(
        `readTable: ${file} row ${r} has ${rec.length} fields but the header has ${header.length}: ${col}`,
      );
    }
    for (let j = 0; j < header.length; j++) {
      const v = rec[j], c = header[j];
      if (/^[+-]?(nan|inf|infinity)$/i.test(v) && !nullable.has(c)) {
        throw new RangeError(
          `readTable: ${file} row ${r}, column "${c}": value ${v} is not finite`,
        );
      }
      const kind = opts.columns?.[c];
      if (kind === undefined || v === "") continue;
      const ok = kind === "number"
        ? v.trim() !== "" && !Number.isNaN(Number(v)) || /^[+-]?(nan|inf|infinity)$/i.test(v)
        : kind === "boolean"
        ? v === "true" || v === "false"
        : true;
      if (!ok) {
        throw new TypeError(
          `readTable: ${file} row ${r}, column "${c}": expected a ${kind}, got ${
            JSON.stringify(v)
          }`,
        );
      }
    }
  }
  if (opts.columns) {
    for (const c of Object.keys(opts.columns)) {
      if (!header.includes(c)) throw new RangeError(`readTable: ${file} has no column "${c}"`);
    }
  }
}

/** Check declared column kinds of a parsed frame (Parquet); errors name file, column and row 1. */
function checkFrameKinds(file: string, df: DataFrame, opts: ReadTableOptions): void {
  for (const [c, kind] of Object.entries(opts.columns ?? {})) {
    if (!df.columns.includes(c)) throw new RangeError(`readTable: ${file} has no column "${c}"`);
    const dt = String(df.getColumn(c).dtype);
    const ok = kind === "number"
      ? /Int|Float/.test(dt)
      : kind === "boolean"
      ? /Bool/.test(dt)
      : /String|Utf8/.test(dt);
    if (!ok) {
      const vals = df.getColumn(c).toArray();
      const i = vals.findIndex((v) => v !== null);
      throw new TypeError(
        `readTable: ${file} column "${c}": expected ${kind} values, got ${dt} (row ${i + 1}: ${
          JSON.stringify(vals[i] ?? null)
        })`,
      );
    }
  }
}

/**
 * Write a tidy table to `<pathWithoutExt>.csv` or `.parquet`, atomically (temporary file in the
 * same directory, then rename). A stale file of the other format at the same path is removed, so
 * exactly one table file exists per name. Returns the path written.
 *
 * @example
 * ```ts
 * import { writeTable } from "./table.ts";
 * const dir = Deno.makeTempDirSync();
 * const rows = [{ horizon: 100, score: 0.71 }, { horizon: 400, score: 0.74 }];
 * const path = writeTable(rows, `${dir}/03_transfer`); // ".../03_transfer.csv"
 * ```
 */
export function writeTable(
  data: readonly Row[] | DataFrame,
  pathWithoutExt: string,
  opts: WriteTableOptions = {},
): string {
  if (typeof pathWithoutExt !== "string" || pathWithoutExt === "" || pathWithoutExt.endsWith("/")) {
    throw new TypeError(
      `writeTable: pathWithoutExt must be a file path, got ${JSON.stringify(pathWithoutExt)}`,
    );
  }
  if (/\.(csv|parquet)$/i.test(pathWithoutExt)) {
    throw new RangeError(
      `writeTable: give the path without extension, got ${JSON.stringify(pathWithoutExt)}`,
    );
  }
  const format = opts.format ?? "auto";
  if (!["csv", "parquet", "auto"].includes(format)) {
    throw new RangeError(
      `writeTable: format must be "csv", "parquet" or "auto", got ${JSON.stringify(format)}`,
    );
  }
  const df = toDataFrame(data, { nullable: opts.nullable });
  const ext = format === "auto" ? (df.height > AUTO_PARQUET_ROWS ? "parquet" : "csv") : format;
  const path = `${pathWithoutExt}.${ext}`;
  if (ext === "csv") {
    writeFileAtomicSync(path, new Uint8Array(df.writeCSV()));
  } else {
    Deno.mkdirSync(path.slice(0, Math.max(1, path.lastIndexOf("/"))), { recursive: true });
    const tmp = tempSibling(path);
    try {
      df.writeParquet(tmp, { compression: opts.compression ?? "uncompressed" });
      Deno.renameSync(tmp, path);
    } catch (e) {
      try {
        Deno.removeSync(tmp);
      } catch { /* not created */ }
      throw new Error(`writeTable: cannot write ${path}: ${(e as Error).message}`);
    }
  }
  const other = `${pathWithoutExt}.${ext === "csv" ? "parquet" : "csv"}`;
  if (existsSync(other)) Deno.removeSync(other);
  return path;
}

/**
 * Read a table written by {@linkcode writeTable}. `path` may carry the extension (`.csv`,
 * `.parquet`) or not (then `.csv`, else `.parquet`, is looked up). Errors name the file; ragged
 * rows, non-finite values outside `opts.nullable` and values not of the kind declared in
 * `opts.columns` are errors naming the file, the row (1 = first data row) and the column.
 *
 * @example
 * ```ts
 * import { readTable, writeTable } from "./table.ts";
 * const dir = Deno.makeTempDirSync();
 * writeTable([{ horizon: 100, score: 0.71 }], `${dir}/03_transfer`);
 * const df = readTable(`${dir}/03_transfer`);
 * console.log(df.height); // 1
 * ```
 */
export function readTable(path: string, opts: ReadTableOptions = {}): DataFrame {
  const nullable = checkNullable("readTable", opts.nullable);
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`readTable: path must be a non-empty string, got ${JSON.stringify(path)}`);
  }
  let file = path;
  if (!/\.(csv|parquet)$/i.test(path)) {
    const found = [`${path}.csv`, `${path}.parquet`].find((p) => existsSync(p));
    if (!found) {
      throw new Error(
        `readTable: no table at ${path} (looked for ${path}.csv and ${path}.parquet)`,
      );
    }
    file = found;
  }
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(file);
  } catch {
    throw new Error(`readTable: table file ${file} does not exist`);
  }
  if (!info.isFile) throw new Error(`readTable: ${file} is not a file`);
  const parquet = /\.parquet$/i.test(file);
  if (!parquet) checkCsv(file, opts, nullable);
  let df: DataFrame;
  try {
    df = parquet ? pl.readParquet(file) : pl.readCSV(file);
  } catch (e) {
    throw new Error(
      `readTable: cannot read ${file} (corrupt or not a ${file.split(".").pop()} table): ${
        (e as Error).message
      }`,
    );
  }
  assertFiniteFrame(`readTable: ${file}`, df, nullable);
  checkFrameKinds(file, df, opts);
  return df;
}
