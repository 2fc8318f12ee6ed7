/**
 * From a percent source to its notebook and back: where each lives, and import specifiers
 * rewritten so they resolve from the other directory.
 *
 * @module
 */

import { basename, dirname, join, relative, resolve } from "node:path";
import { type Notebook, toNotebook } from "./ipynb.ts";
import { parseSource } from "./percent.ts";

/**
 * Rewrite relative import specifiers (`from "./x"`, `import "./x"`, `import("./x")`) written
 * relative to `fromDir` so they resolve the same from `toDir`.
 *
 * @example
 * ```ts
 * import { rebaseImports } from "./build.ts";
 * rebaseImports('import { a } from "../../lib/mod.ts";', "/r/notebooks/src", "/r/notebooks");
 * // 'import { a } from "../lib/mod.ts";'
 * ```
 */
export function rebaseImports(code: string, fromDir: string, toDir: string): string {
  const fix = (spec: string) => {
    if (!spec.startsWith("./") && !spec.startsWith("../")) return spec;
    let rel = relative(toDir, resolve(fromDir, spec));
    if (!rel.startsWith(".")) rel = `./${rel}`;
    return rel;
  };
  return code
    .replace(/(\bfrom\s*)(["'])([^"'\n]+)\2/g, (_m, a, q, s) => `${a}${q}${fix(s)}${q}`)
    .replace(
      /(^|[\s;])(import\s*)(["'])([^"'\n]+)\3/g,
      (_m, pre, a, q, s) => `${pre}${a}${q}${fix(s)}${q}`,
    )
    .replace(/(\bimport\s*\(\s*)(["'])([^"'\n]+)\2/g, (_m, a, q, s) => `${a}${q}${fix(s)}${q}`);
}

/**
 * The notebook path a source builds to: `notebooks/src/NN_name.ts` → `notebooks/NN_name.ipynb`
 * (the parent of a `src` directory; otherwise next to the source).
 *
 * @example
 * ```ts
 * import { notebookPathFor } from "./build.ts";
 * notebookPathFor("/r/notebooks/src/01_a.ts"); // "/r/notebooks/01_a.ipynb"
 * ```
 */
export function notebookPathFor(sourcePath: string): string {
  if (!sourcePath.endsWith(".ts")) {
    throw new RangeError(`source must be a .ts file, got ${sourcePath}`);
  }
  const dir = dirname(sourcePath);
  const outDir = basename(dir) === "src" ? dirname(dir) : dir;
  return join(outDir, basename(sourcePath).replace(/\.ts$/, ".ipynb"));
}

/**
 * The source path a notebook extracts to: `notebooks/NN_name.ipynb` → `notebooks/src/NN_name.ts`.
 *
 * @example
 * ```ts
 * import { sourcePathFor } from "./build.ts";
 * sourcePathFor("/r/notebooks/01_a.ipynb"); // "/r/notebooks/src/01_a.ts"
 * ```
 */
export function sourcePathFor(notebookPath: string): string {
  if (!notebookPath.endsWith(".ipynb")) {
    throw new RangeError(`notebook must be an .ipynb file, got ${notebookPath}`);
  }
  return join(dirname(notebookPath), "src", basename(notebookPath).replace(/\.ipynb$/, ".ts"));
}

/**
 * Build the notebook for one source file: parse, rebase relative imports, convert.
 *
 * @example
 * ```ts
 * import { buildNotebook } from "./build.ts";
 * const src = "/r/notebooks/src/01_a.ts";
 * const nb = buildNotebook('// %%\nimport "../../lib/mod.ts";\n', src, "/r/notebooks/01_a.ipynb");
 * nb.cells[0].source; // ['import "../lib/mod.ts";']
 * ```
 */
export function buildNotebook(text: string, sourcePath: string, notebookPath: string): Notebook {
  const cells = parseSource(text, sourcePath).map((c) =>
    c.kind === "code"
      ? {
        ...c,
        source: rebaseImports(
          c.source,
          dirname(resolve(sourcePath)),
          dirname(resolve(notebookPath)),
        ),
      }
      : c
  );
  return toNotebook(cells);
}
