/**
 * Tidy tables through nodejs-polars (DESIGN: "simulate/train → tidy table (polars) → chart"):
 * rows ↔ `DataFrame`, and atomic, deterministic CSV / Parquet files.
 *
 * Column types are inferred per column: all numbers → `Int64` when every value is a safe integer,
 * otherwise `Float64`; strings → `String`; booleans → `Boolean`; a missing key or `null` is a
 * null. Mixing kinds in one column is an error naming the column and row. CSV floats are written
 * by polars in shortest round-trip form (`0.1`, `0.3333333333333333`, `1e-20`, `NaN`, `inf`), so
 * the same rows always give the same bytes and reading back is exact.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { existsSync } from "node:fs";
import { tempSibling, writeFileAtomicSync } from "./env.ts";

export type { DataFrame };

/** One cell of a tidy table. */
export type Cell = number | string | boolean | null;

/** One row of a tidy table. */
export type Row = { [column: string]: Cell };

/** File format of {@linkcode writeTable}. */
export type TableFormat = "csv" | "parquet" | "auto";

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
export function toDataFrame(rows: readonly Row[] | DataFrame): DataFrame {
  if (isDataFrame(rows)) return rows;
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
      if (t === "number" && !Number.isSafeInteger(v)) allInt = false;
    }
    const values = rows.map((r) => r[c] ?? null);
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
 * const rows = toRows(readTable("data/02_loss.csv"));
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
}

/**
 * Write a tidy table to `<pathWithoutExt>.csv` or `.parquet`, atomically (temporary file in the
 * same directory, then rename). A stale file of the other format at the same path is removed, so
 * exactly one table file exists per name. Returns the path written.
 *
 * @example
 * ```ts
 * const path = writeTable(rows, `${dataDir()}/03_transfer`); // ".../03_transfer.csv"
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
  const df = toDataFrame(data);
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
 * `.parquet`) or not (then `.csv`, else `.parquet`, is looked up). Errors name the file.
 *
 * @example
 * ```ts
 * const df = readTable(`${dataDir()}/03_transfer`);
 * ```
 */
export function readTable(path: string): DataFrame {
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
  try {
    return /\.parquet$/i.test(file) ? pl.readParquet(file) : pl.readCSV(file);
  } catch (e) {
    throw new Error(
      `readTable: cannot read ${file} (corrupt or not a ${file.split(".").pop()} table): ${
        (e as Error).message
      }`,
    );
  }
}
