/**
 * Compact copy of a spec for embedding in a notebook's display output. Jupyter stores a MIME
 * bundle's JSON pretty-printed, one field per line, so inline chart data at 17 significant digits
 * dominates a notebook's size. The compact copy
 *
 * - rounds every non-integer number of inline data to `digits` significant digits (default 6:
 *   below a pixel on any chart the theme draws), and
 * - stores each inline data set of plain rows as one CSV string with an explicit `format.parse`
 *   per column (`number`, `boolean` or `string`), so the rows parse back to the rounded values.
 *
 * Only the display copy is compacted: the SVG (shown and written to `figures/`) is rendered from
 * the full-precision spec. A data set CSV cannot carry exactly (mixed kinds in one column, an
 * empty string, a field name with `.`, `[`, `]` or `\`, which Vega-Lite reads as a path) keeps
 * its array form, rounded.
 *
 * @module
 */

import type { Cell } from "./rows.ts";
import type { Spec } from "./theme.ts";

/** Options of {@linkcode compactSpec}. */
export interface CompactOptions {
  /** Significant digits kept of non-integer numbers (default 6; 1–17). */
  digits?: number;
  /** Store inline rows as CSV strings (default true; false: rounded arrays only). */
  csv?: boolean;
}

/**
 * `v` rounded to `digits` significant digits; safe integers and non-numbers unchanged,
 * non-finite numbers → null (as JSON would store them).
 *
 * @example
 * ```ts
 * import { roundSig } from "./compact.ts";
 * roundSig(0.1234567891, 6); // 0.123457
 * roundSig(1234567, 6); // 1234567 (integers stay exact)
 * ```
 */
export function roundSig(v: unknown, digits: number): unknown {
  if (typeof v !== "number" || Number.isSafeInteger(v)) return v;
  if (!Number.isFinite(v)) return null;
  return Number(v.toPrecision(digits));
}

const PATH_CHARS = /[.[\]\\]/;

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function isPlainRow(r: unknown): r is { [field: string]: Cell } {
  return r !== null && typeof r === "object" && !Array.isArray(r);
}

/** CSV text and parse types of `rows`, or undefined when CSV cannot carry them exactly. */
function toCsv(
  rows: readonly unknown[],
  digits: number,
): { text: string; parse: { [field: string]: string } } | undefined {
  if (rows.length === 0 || !rows.every(isPlainRow)) return undefined;
  const columns: string[] = [];
  const kinds = new Map<string, string>();
  for (const r of rows as { [field: string]: unknown }[]) {
    for (const [k, v] of Object.entries(r)) {
      if (!kinds.has(k)) {
        if (PATH_CHARS.test(k) || k === "") return undefined;
        columns.push(k);
        kinds.set(k, "");
      }
      if (v === null || v === undefined) continue;
      const t = typeof v;
      if ((t !== "number" && t !== "string" && t !== "boolean") || v === "") return undefined;
      const seen = kinds.get(k);
      if (seen !== "" && seen !== t) return undefined;
      kinds.set(k, t);
    }
  }
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? ""
      : typeof v === "string"
      ? csvField(v)
      : String(roundSig(v, digits) ?? "");
  const lines = [columns.map(csvField).join(",")];
  for (const r of rows as { [field: string]: unknown }[]) {
    lines.push(columns.map((c) => cell(r[c])).join(","));
  }
  const parse: { [field: string]: string } = {};
  for (const c of columns) parse[c] = kinds.get(c) || "string";
  return { text: lines.join("\n"), parse };
}

function compactData(data: Spec, o: Required<CompactOptions>): Spec {
  const values = data.values as unknown[];
  if (o.csv && data.format === undefined) {
    const csv = toCsv(values, o.digits);
    if (csv) return { ...data, values: csv.text, format: { type: "csv", parse: csv.parse } };
  }
  return {
    ...data,
    values: values.map((r) =>
      isPlainRow(r)
        ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, roundSig(v, o.digits)]))
        : roundSig(r, o.digits)
    ),
  };
}

function walk(node: unknown, o: Required<CompactOptions>): unknown {
  if (Array.isArray(node)) return node.map((x) => walk(x, o));
  if (node === null || typeof node !== "object") return node;
  const out: Spec = {};
  for (const [k, v] of Object.entries(node)) {
    const isInline = k === "data" && v !== null && typeof v === "object" &&
      Array.isArray((v as Spec).values);
    out[k] = isInline ? compactData(v as Spec, o) : walk(v, o);
  }
  return out;
}

/**
 * Compact copy of a Vega-Lite spec for a notebook's display output (see the module doc); `spec`
 * itself is not changed.
 *
 * @example
 * ```ts
 * import { compactSpec } from "./compact.ts";
 * const spec = { mark: "line", data: { values: [{ step: 1, loss: 0.123456789 }] } };
 * compactSpec(spec).data;
 * // { values: "step,loss\n1,0.123457", format: { type: "csv", parse: { step: "number", loss: "number" } } }
 * ```
 */
export function compactSpec(spec: Spec, opts: CompactOptions = {}): Spec {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(`compactSpec: spec must be a Vega-Lite spec object, got ${typeof spec}`);
  }
  const digits = opts.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(`compactSpec: digits must be an integer in [1, 17], got ${digits}`);
  }
  return walk(spec, { digits, csv: opts.csv ?? true }) as Spec;
}
