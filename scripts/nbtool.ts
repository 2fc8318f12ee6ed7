/**
 * Notebook authoring helper: write notebooks as plain TypeScript and build the `.ipynb`.
 *
 * Source format (`notebooks/src/NN_name.ts`, the "percent" format jupytext also reads):
 *
 * ```text
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
 * Modules: `notebook/percent.ts` (the source format), `notebook/ipynb.ts` (the notebook model and
 * its JSON), `notebook/build.ts` (paths and import rebasing), `notebook/skeleton.ts` (new notebooks);
 * this file is the command line.
 *
 * @module
 */

import { basename, dirname, join, relative, resolve } from "node:path";
import { parseFlags, repoRoot, UsageError } from "./cli.ts";
import { buildNotebook, notebookPathFor, rebaseImports, sourcePathFor } from "./notebook/build.ts";
import { type Cell, fromNotebook, serializeNotebook, toNotebook } from "./notebook/ipynb.ts";
import { renderSource, SourceError } from "./notebook/percent.ts";
import { skeletonCells, titleFromPath } from "./notebook/skeleton.ts";

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

/** The flags each command takes (`-h`/`--help` go with every command). */
const COMMAND_FLAGS = {
  new: { force: { type: "boolean" } },
  build: { all: { type: "boolean" } },
  check: { all: { type: "boolean" } },
  extract: { force: { type: "boolean" } },
} as const;

const HELP_FLAG = { help: { type: "boolean", short: "h" } } as const;

/**
 * Run a command; returns the exit code (0 ok, 1 check failed / error, 64 usage). A flag the
 * command does not take is a usage error naming the flag and the closest one it takes.
 *
 * @example
 * ```ts
 * import { runCli } from "./nbtool.ts";
 * await runCli(["check", "--all"]); // 0 when every notebook matches its source
 * ```
 */
export async function runCli(
  args: readonly string[],
  log = console.log,
  err = console.error,
): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    log(USAGE);
    return cmd === undefined ? 64 : 0;
  }
  if (!Object.hasOwn(COMMAND_FLAGS, cmd)) {
    err(`nbtool: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
    return 64;
  }
  let force = false, all = false, files: string[];
  try {
    const flags = { ...COMMAND_FLAGS[cmd as keyof typeof COMMAND_FLAGS], ...HELP_FLAG };
    const parsed = parseFlags(rest, flags, { allowPositionals: true });
    const v = parsed.values as { force?: boolean; all?: boolean; help?: boolean };
    if (v.help) {
      log(USAGE);
      return 0;
    }
    [force, all, files] = [v.force ?? false, v.all ?? false, parsed.positionals];
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`nbtool ${cmd}: ${e.message}`);
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
            serializeNotebook(toNotebook(skeletonCells(titleFromPath(path), `${base}/`))),
          );
        } else if (path.endsWith(".ts")) {
          const base = relative(dirname(path), repoRoot()) || ".";
          await writeAtomic(path, renderSource(skeletonCells(titleFromPath(path), `${base}/`)));
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
        throw new Error(`nbtool: command ${cmd} has flags but no handler`);
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
