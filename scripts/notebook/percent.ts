/**
 * The percent source format of notebooks (`notebooks/src/NN_name.ts`, which jupytext also
 * reads): `// %%` starts a code cell, `// %% [markdown]` (or `// %% [md]`) a markdown cell
 * whose lines are `//` comments. See `scripts/nbtool.ts` for the full rules.
 *
 * @module
 */

import type { Cell } from "./ipynb.ts";

/** A source-format error naming the file and line. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

const MARKER = /^\/\/\s?%%(.*)$/;

/**
 * Split a percent-format TypeScript source into cells.
 *
 * @example
 * ```ts
 * import { parseSource } from "./percent.ts";
 * parseSource("// %% [markdown]\n// # Title\n// %%\nconst x = 1;\n");
 * // [{ kind: "markdown", source: "# Title" }, { kind: "code", source: "const x = 1;" }]
 * ```
 */
export function parseSource(text: string, file = "<source>"): Cell[] {
  if (typeof text !== "string") {
    throw new TypeError(`parseSource: text must be a string, got ${typeof text}`);
  }
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const cells: Cell[] = [];
  let cur: { kind: Cell["kind"]; lines: string[]; start: number } | null = null;
  const flush = () => {
    if (!cur) return;
    const ls = [...cur.lines];
    while (ls.length && ls[0].trim() === "") ls.shift();
    while (ls.length && ls[ls.length - 1].trim() === "") ls.pop();
    cells.push({ kind: cur.kind, source: ls.join("\n") });
  };
  lines.forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      const rest = m[1].trim();
      const md = /^\[(markdown|md)\]/i.test(rest);
      if (!md && rest.startsWith("[")) {
        throw new SourceError(
          `${file}:${i + 1}: unknown cell type ${rest} (use "// %%" or "// %% [markdown]")`,
        );
      }
      cur = { kind: md ? "markdown" : "code", lines: [], start: i + 1 };
      return;
    }
    if (cur === null) {
      const t = line.trim();
      if (t !== "" && !t.startsWith("//")) {
        throw new SourceError(`${file}:${i + 1}: code before the first "// %%" cell marker`);
      }
      return;
    }
    if (cur.kind === "markdown") {
      const t = line.trim();
      if (t === "") cur.lines.push("");
      else if (t.startsWith("//")) cur.lines.push(t.replace(/^\/\/ ?/, ""));
      else {
        throw new SourceError(
          `${file}:${
            i + 1
          }: markdown cell (from line ${cur.start}) holds a non-comment line; start a ` +
            `code cell with "// %%" or prefix the line with "// "`,
        );
      }
    } else {
      cur.lines.push(line);
    }
  });
  flush();
  if (cells.length === 0) throw new SourceError(`${file}: no cells (add a "// %%" marker)`);
  return cells;
}

/**
 * Render cells back to the percent source format (inverse of {@linkcode parseSource}).
 *
 * @example
 * ```ts
 * import { renderSource } from "./percent.ts";
 * renderSource([{ kind: "code", source: "1 + 1" }]); // "// %%\n1 + 1\n"
 * ```
 */
export function renderSource(cells: readonly Cell[]): string {
  return cells.map((c) => {
    if (c.kind === "markdown") {
      const body = c.source.split("\n").map((l) => (l === "" ? "//" : `// ${l}`)).join("\n");
      return `// %% [markdown]\n${body}\n`;
    }
    return `// %%\n${c.source}\n`;
  }).join("\n");
}
