/**
 * Notebook authoring helper: write notebooks as plain TypeScript and build the `.ipynb`.
 *
 * Source format (`notebooks/src/NN_name.ts`, the "percent" format jupytext also reads):
 *
 * ```ts
 * // %% [markdown]
 * // # 01 — Construction check
 * //
 * // Claim (MATH §5): …
 *
 * // %%
 * import { lineChart } from "../../lib/report/mod.ts";
 * const cfg = { n: 20 };
 * ```
 *
 * - `// %%` starts a code cell, `// %% [markdown]` (or `// %% [md]`) a markdown cell; anything
 *   after the marker on that line is ignored (a cell title, say).
 * - Markdown cells are `//` comment lines: `// ` (or `//`) is stripped from each line. Blank lines
 *   inside are kept; a non-comment line inside a markdown cell is an error naming its line.
 * - Leading and trailing blank lines of a cell are dropped. Before the first marker only comment
 *   or blank lines may appear (a file header); they are not part of the notebook.
 * - Relative imports are written relative to the **source file** (so `deno check` and the editor
 *   resolve them) and rewritten relative to the built notebook (`../../lib/x.ts` in
 *   `notebooks/src/` becomes `../lib/x.ts` in `notebooks/`, where the kernel runs).
 * - Cells are an ordinary module read top to bottom: no re-declaring a `const` in a later cell.
 *
 * Commands:
 *
 *     deno run -A scripts/nbtool.ts new notebooks/NN_name.ipynb       skeleton notebook
 *     deno run -A scripts/nbtool.ts new notebooks/src/NN_name.ts      skeleton source
 *     deno run -A scripts/nbtool.ts build notebooks/src/NN_name.ts …  source → notebooks/NN_name.ipynb
 *     deno run -A scripts/nbtool.ts build --all                       every notebooks/src/*.ts
 *     deno run -A scripts/nbtool.ts check [--all | files…]            built notebooks match sources?
 *     deno run -A scripts/nbtool.ts extract notebooks/NN_name.ipynb   notebook → notebooks/src/NN_name.ts
 *
 * Built notebooks have empty outputs; `deno task reproduce` fills them.
 *
 * @module
 */

import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

/**
 * Rewrite relative import specifiers (`from "./x"`, `import "./x"`, `import("./x")`) written
 * relative to `fromDir` so they resolve the same from `toDir`.
 *
 * @example
 * ```ts
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
 * Notebook metadata for Deno's kernel (kernelspec `deno`, language TypeScript).
 *
 * @example
 * ```ts
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
 * const cells = fromNotebook(JSON.parse(Deno.readTextFileSync("notebooks/01_x.ipynb")));
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
 * Deno.writeTextFileSync("x.ipynb", serializeNotebook(toNotebook(cells)));
 * ```
 */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}

/**
 * The notebook path a source builds to: `notebooks/src/NN_name.ts` → `notebooks/NN_name.ipynb`
 * (the parent of a `src` directory; otherwise next to the source).
 *
 * @example
 * ```ts
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
 * const nb = buildNotebook(Deno.readTextFileSync(src), src, notebookPathFor(src));
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

/**
 * Skeleton cells for a new notebook: claim, config, compute with progress, figure, manifest,
 * result. Imports are relative to `importBase` ("../" in notebooks/, "../../" in notebooks/src/).
 *
 * @example
 * ```ts
 * const nb = toNotebook(skeletonCells("04 — actor–critic", "../"));
 * ```
 */
export function skeletonCells(title: string, importBase: string): Cell[] {
  return [
    {
      kind: "markdown",
      source: `# ${title}\n\n**Claim** (MATH §?): …\n\nWhat this notebook does: …`,
    },
    {
      kind: "code",
      source: [
        `import {`,
        `  byScale, dataDir, figuresDir, lineChart, liveSink, progress, runScale, saveFigure, timer,`,
        `  writeManifest, writeTable,`,
        `} from "${importBase}lib/report/mod.ts";`,
        ``,
        `// every knob in one place; quick = smoke test, paper = full reproduction`,
        `const cfg = {`,
        `  scale: runScale(),`,
        `  seeds: byScale({ quick: [0], paper: [0, 1, 2, 3, 4] }),`,
        `};`,
        `const clock = timer();`,
        `cfg;`,
      ].join("\n"),
    },
    {
      kind: "code",
      source: [
        `// compute (call lib/, show progress)`,
        `const rows: { step: number; value: number; seed: number }[] = [];`,
        `const bar = progress("compute", cfg.seeds.length, { onUpdate: liveSink(Deno.jupyter.display) });`,
        `for (const seed of cfg.seeds) {`,
        `  for (let step = 0; step < 10; step++) rows.push({ step, value: step * step, seed });`,
        `  await bar.tick();`,
        `}`,
        `await bar.done();`,
        `writeTable(rows, \`\${dataDir()}/NN_name\`);`,
      ].join("\n"),
    },
    {
      kind: "code",
      source: [
        `// figure: saved to figures/ and shown inline`,
        `await saveFigure(`,
        `  lineChart({`,
        `    rows, x: "step", y: "value", color: "seed",`,
        `    title: "…", xTitle: "step", yTitle: "value (units)",`,
        `  }),`,
        `  \`\${figuresDir()}/NN_name\`,`,
        `);`,
      ].join("\n"),
    },
    {
      kind: "code",
      source: [
        `const manifest = await writeManifest(\`\${dataDir()}/NN_name.manifest.json\`, {`,
        `  name: "NN_name", config: cfg, seeds: cfg.seeds, wallTimeSec: clock.seconds(),`,
        `});`,
        `manifest.git; // commit the results belong to`,
      ].join("\n"),
    },
    {
      kind: "markdown",
      source: `**Result.** The figure shows … (measured numbers: …).`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// CLI

/** Usage text of `nbtool.ts`. */
export const USAGE = `Usage: deno run -A scripts/nbtool.ts <command> [args]

  new <notebooks/NN_name.ipynb | notebooks/src/NN_name.ts> [--force]
        skeleton notebook or notebook source (refuses to overwrite without --force)
  build <notebooks/src/NN_name.ts …> | --all
        build notebooks/NN_name.ipynb from each source (outputs empty)
  check <notebooks/src/NN_name.ts …> | --all
        exit 1 if a built notebook's cells differ from its source (outputs ignored)
  extract <notebooks/NN_name.ipynb …> [--force]
        write notebooks/src/NN_name.ts from a notebook's cells

Source format: "// %%" starts a code cell, "// %% [markdown]" a markdown cell whose lines
are "// " comments; relative imports are relative to the source file.`;

function repoRoot(): string {
  return fileURLToPath(new URL("../", import.meta.url)).replace(/\/+$/, "");
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

async function allSources(): Promise<string[]> {
  const dir = join(repoRoot(), "notebooks", "src");
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".ts")) out.push(join(dir, e.name));
    }
  } catch { /* no sources yet */ }
  return out.sort();
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}`);
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

function titleFrom(path: string): string {
  const stem = basename(path).replace(/\.(ipynb|ts)$/, "");
  const m = /^(\d+)_(.*)$/.exec(stem);
  const words = (m ? m[2] : stem).replace(/_/g, " ");
  return m ? `${m[1]} — ${words}` : words;
}

/**
 * Run a command; returns the exit code (0 ok, 1 check failed / error, 64 usage).
 *
 * @example
 * ```ts
 * await runCli(["build", "notebooks/src/01_construction.ts"]);
 * ```
 */
export async function runCli(
  args: readonly string[],
  log = console.log,
  err = console.error,
): Promise<number> {
  const [cmd, ...rest] = args;
  const force = rest.includes("--force");
  const all = rest.includes("--all");
  const files = rest.filter((a) => !a.startsWith("--"));
  const unknown = rest.filter((a) => a.startsWith("--") && a !== "--force" && a !== "--all");
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    log(USAGE);
    return cmd === undefined ? 64 : 0;
  }
  if (unknown.length) {
    err(`nbtool: unknown option ${unknown.join(" ")}\n${USAGE}`);
    return 64;
  }
  try {
    switch (cmd) {
      case "new": {
        if (files.length !== 1) throw new SourceError(`new takes one path, got ${files.length}`);
        const path = resolve(files[0]);
        if (!force && await exists(path)) {
          throw new SourceError(`${files[0]} exists (use --force to overwrite)`);
        }
        if (path.endsWith(".ipynb")) {
          const base = relative(dirname(path), repoRoot()) || ".";
          await writeAtomic(
            path,
            serializeNotebook(toNotebook(skeletonCells(titleFrom(path), `${base}/`))),
          );
        } else if (path.endsWith(".ts")) {
          const base = relative(dirname(path), repoRoot()) || ".";
          await writeAtomic(path, renderSource(skeletonCells(titleFrom(path), `${base}/`)));
        } else {
          throw new SourceError(`new: path must end in .ipynb or .ts, got ${files[0]}`);
        }
        log(`wrote ${files[0]}`);
        return 0;
      }
      case "build":
      case "check": {
        const sources = all ? await allSources() : files.map((f) => resolve(f));
        if (sources.length === 0) {
          if (!all) throw new SourceError(`${cmd}: no source files given (or use --all)`);
          log(`${cmd}: no notebook sources in notebooks/src/; nothing to do`);
          return 0;
        }
        let stale = 0;
        for (const src of sources) {
          const text = await Deno.readTextFile(src).catch(() => {
            throw new SourceError(`${cmd}: cannot read ${src}`);
          });
          const target = notebookPathFor(src);
          const built = buildNotebook(text, src, target);
          if (cmd === "build") {
            await writeAtomic(target, serializeNotebook(built));
            log(`built ${relative(Deno.cwd(), target)} (${built.cells.length} cells)`);
          } else {
            let current: Cell[] | null = null;
            try {
              current = fromNotebook(JSON.parse(await Deno.readTextFile(target)));
            } catch {
              current = null;
            }
            const want = fromNotebook(built);
            const same = current !== null && JSON.stringify(current) === JSON.stringify(want);
            if (!same) {
              stale++;
              err(
                `${relative(Deno.cwd(), target)} is out of date with ${
                  relative(Deno.cwd(), src)
                } (run nbtool build)`,
              );
            }
          }
        }
        if (cmd === "check") {
          if (stale === 0) log(`${sources.length} notebook(s) match their sources`);
          return stale ? 1 : 0;
        }
        return 0;
      }
      case "extract": {
        if (files.length === 0) throw new SourceError(`extract: give notebook paths`);
        for (const f of files) {
          const nbPath = resolve(f);
          const target = sourcePathFor(nbPath);
          if (!force && await exists(target)) {
            throw new SourceError(`${target} exists (use --force to overwrite)`);
          }
          const cells = fromNotebook(JSON.parse(await Deno.readTextFile(nbPath))).map((c) =>
            c.kind === "code"
              ? { ...c, source: rebaseImports(c.source, dirname(nbPath), dirname(target)) }
              : c
          );
          await writeAtomic(target, renderSource(cells));
          log(`wrote ${relative(Deno.cwd(), target)}`);
        }
        return 0;
      }
      default:
        err(`nbtool: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
        return 64;
    }
  } catch (e) {
    if (e instanceof SourceError || e instanceof RangeError || e instanceof SyntaxError) {
      err(`nbtool: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
