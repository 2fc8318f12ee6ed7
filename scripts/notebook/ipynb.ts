/**
 * The notebook model: cells as the tool sees them and nbformat 4.5 JSON for Deno's kernel, with
 * conversions both ways and a serialisation that diffs cleanly.
 *
 * @module
 */

/** One notebook cell as the tool models it. */
export interface Cell {
  kind: "code" | "markdown";
  source: string;
}

/** A notebook cell in nbformat 4.5 JSON. */
export interface NbCell {
  cell_type: "code" | "markdown";
  id: string;
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: number | null;
  outputs?: unknown[];
}

/** An nbformat 4.5 notebook. */
export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/**
 * Notebook metadata for Deno's kernel (kernelspec `deno`, language TypeScript).
 *
 * @example
 * ```ts
 * import { denoMetadata } from "./ipynb.ts";
 * denoMetadata().kernelspec; // { display_name: "Deno", language: "typescript", name: "deno" }
 * ```
 */
export function denoMetadata(): Record<string, unknown> {
  return {
    kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
    language_info: {
      codemirror_mode: "typescript",
      file_extension: ".ts",
      mimetype: "text/x.typescript",
      name: "typescript",
      nbconvert_exporter: "script",
      pygments_lexer: "typescript",
    },
  };
}

function sourceLines(s: string): string[] {
  if (s === "") return [];
  const parts = s.split("\n");
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l)).filter((l) => l !== "");
}

/**
 * Build an nbformat 4.5 notebook (outputs empty, deterministic cell ids `c00`, `c01`, …).
 *
 * @example
 * ```ts
 * import { toNotebook } from "./ipynb.ts";
 * const nb = toNotebook([{ kind: "code", source: "1 + 1" }]);
 * nb.cells[0].cell_type; // "code"
 * ```
 */
export function toNotebook(cells: readonly Cell[]): Notebook {
  if (!Array.isArray(cells)) throw new TypeError("toNotebook: cells must be an array");
  const width = Math.max(2, String(cells.length - 1).length);
  return {
    cells: cells.map((c, i): NbCell => {
      const id = `c${String(i).padStart(width, "0")}`;
      if (c.kind === "markdown") {
        return { cell_type: "markdown", id, metadata: {}, source: sourceLines(c.source) };
      }
      if (c.kind !== "code") {
        throw new TypeError(`toNotebook: cell ${i} has unknown kind ${JSON.stringify(c.kind)}`);
      }
      return {
        cell_type: "code",
        execution_count: null,
        id,
        metadata: {},
        outputs: [],
        source: sourceLines(c.source),
      };
    }),
    metadata: denoMetadata(),
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/**
 * Cells of a parsed `.ipynb` (raw cells become markdown).
 *
 * @example
 * ```ts
 * import { fromNotebook, toNotebook } from "./ipynb.ts";
 * fromNotebook(toNotebook([{ kind: "markdown", source: "# Title" }]));
 * // [{ kind: "markdown", source: "# Title" }]
 * ```
 */
export function fromNotebook(nb: unknown): Cell[] {
  const cells = (nb as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) throw new TypeError("fromNotebook: not a notebook (no cells array)");
  return cells.map((c: Record<string, unknown>) => ({
    kind: c.cell_type === "code" ? "code" : "markdown",
    source: Array.isArray(c.source) ? c.source.join("") : String(c.source ?? ""),
  }));
}

function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x !== null && typeof x === "object") {
    return Object.fromEntries(
      Object.keys(x as object).sort().map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
    );
  }
  return x;
}

/**
 * Serialise a notebook like nbformat does (sorted keys, one-space indent, trailing newline), so
 * built and executed notebooks diff cleanly.
 *
 * @example
 * ```ts
 * import { serializeNotebook, toNotebook } from "./ipynb.ts";
 * const text = serializeNotebook(toNotebook([{ kind: "code", source: "1 + 1" }]));
 * text.startsWith('{\n "cells": ['); // true
 * ```
 */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}
