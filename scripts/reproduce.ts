/**
 * `deno task reproduce` — execute every `notebooks/NN_*.ipynb` headlessly under Deno's own
 * Jupyter kernel (driven by `scripts/kernel.ts`; no Python needed) and put the results in place.
 *
 * - **Never clobber.** Each notebook runs with `ICRL_OUT` set to a staging directory
 *   (`<dest>/.icrl-staging/<notebook>-<pid>/`). Only when every cell succeeded are its data,
 *   figures, trained weights and the executed notebook moved into `<dest>`. On a failure or an
 *   interrupt nothing in `<dest>` changes and the staging directory is kept and named.
 * - **Destination.** Paper scale in place by default; `--out DIR` writes `DIR/data`,
 *   `DIR/figures`, `DIR/notebooks`; `--quick` (`ICRL_SCALE=quick`) without `--out` uses a fresh
 *   temporary directory. Trained blocks written by earlier notebooks are looked up in
 *   `<dest>/data/models` first (`ICRL_MODELS`), then in the committed `data/models`.
 * - **No orphans.** The kernel runs in its own process group, killed when a notebook ends, on
 *   SIGINT/SIGTERM, and by the kernel's own watchdog when this process is SIGKILLed. This process
 *   also stops when its parent (`deno task`) disappears.
 * - **Progress.** The running notebook's progress bars (their `text/plain` display updates) are
 *   forwarded to the terminal with the current cell; a line per notebook gives its wall time.
 *
 * Exit codes: 0 ok · 1 a notebook failed · 2 the kernel could not start · 64 bad command line ·
 * 130 / 143 interrupted by SIGINT / SIGTERM.
 *
 * @module
 */

import { parseArgs as parseCli } from "node:util";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Kernel } from "./kernel.ts";
import { type Notebook, serializeNotebook } from "./nbtool.ts";
import { runNotebook } from "./run_notebook.ts";

export { extractError, formatCellError, stripAnsi } from "./run_notebook.ts";
export type { CellError } from "./run_notebook.ts";

/** Parsed command line of `reproduce.ts`. */
export interface ReproduceOptions {
  /** Quick smoke-test scale (`ICRL_SCALE=quick`), results in a temp dir or `out`. */
  quick: boolean;
  /** Notebook name prefixes to run (empty: all). */
  only: string[];
  /** Output root; executed notebooks go to `<out>/notebooks/`. */
  out?: string;
  /** Per-cell timeout in seconds; `undefined` = none. */
  timeout?: number;
  /** Continue with the next notebook after a failure. */
  keepGoing: boolean;
  /** Only list the selected notebooks. */
  list: boolean;
  /** Print one line per executed cell. */
  verbose: boolean;
  /** Show usage. */
  help: boolean;
}

/** A command-line error (exit code 64, message without a stack trace). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Usage text of `reproduce.ts`. */
export const USAGE = `Usage: deno task reproduce [options]

Execute notebooks/NN_*.ipynb under Deno's Jupyter kernel and put their executed notebooks,
data/ and figures/ in place, only for notebooks whose every cell succeeded.

Options:
  --quick            quick scale (ICRL_SCALE=quick), outputs in a fresh temp dir unless --out
  --only P[,P…]      only notebooks whose name starts with P (e.g. 01, 03_transfer); repeatable
  --out DIR          output root: DIR/data, DIR/figures, DIR/notebooks (default: in place)
  --timeout SEC      per-cell timeout in seconds (default: none; 600 with --quick)
  --keep-going       run the remaining notebooks after a failure
  --list             print the selected notebooks and exit
  --verbose          print a line per executed cell
  -h, --help         this help

Exit codes: 0 ok, 1 a notebook failed, 2 the kernel could not start, 64 bad arguments,
130/143 interrupted.`;

/**
 * Parse the command line (`--opt value` or `--opt=value`).
 *
 * @example
 * ```ts
 * parseArgs(["--quick", "--only", "01,03", "--timeout=120"]);
 * // { quick: true, only: ["01", "03"], timeout: 120, … }
 * ```
 */
export function parseArgs(args: readonly string[]): ReproduceOptions {
  let v;
  try {
    v = parseCli({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean" },
        only: { type: "string", multiple: true },
        out: { type: "string" },
        timeout: { type: "string" },
        "keep-going": { type: "boolean" },
        list: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    const msg = (e as Error).message.split("\n").slice(0, 2).join(" ");
    throw new UsageError(`${msg} (see --help)`);
  }
  const only: string[] = [];
  for (const raw of v.only ?? []) {
    const parts = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (parts.length === 0) throw new UsageError(`--only needs a notebook prefix, e.g. --only 01`);
    for (const p of parts) {
      if (p.startsWith("-")) throw new UsageError(`--only needs a value, got ${JSON.stringify(p)}`);
      if (p.includes("/")) {
        throw new UsageError(`--only takes name prefixes, not paths: ${JSON.stringify(p)}`);
      }
    }
    only.push(...parts);
  }
  if (v.out !== undefined && (v.out.trim() === "" || v.out.startsWith("--"))) {
    throw new UsageError(`--out needs a directory, got ${JSON.stringify(v.out)}`);
  }
  let timeout: number | undefined = v.quick ? 600 : undefined;
  if (v.timeout !== undefined) {
    const t = Number(v.timeout);
    if (!/^\d+(\.\d+)?$/.test(v.timeout.trim()) || !(t > 0)) {
      throw new UsageError(
        `--timeout must be a positive number of seconds, got ${JSON.stringify(v.timeout)}`,
      );
    }
    timeout = t;
  }
  return {
    quick: v.quick ?? false,
    only,
    out: v.out,
    timeout,
    keepGoing: v["keep-going"] ?? false,
    list: v.list ?? false,
    verbose: v.verbose ?? false,
    help: v.help ?? false,
  };
}

/** Notebook file names the pipeline runs: `NN_name.ipynb`. */
export const NOTEBOOK_PATTERN = /^\d{2}_[A-Za-z0-9_-]+\.ipynb$/;

/**
 * Select notebooks: keep `NN_*.ipynb` names, sort them, and keep those starting with one of the
 * `only` prefixes (all when `only` is empty). A prefix matching nothing is an error naming it.
 *
 * @example
 * ```ts
 * selectNotebooks(["02_b.ipynb", "01_a.ipynb", "README.md"], ["01"]); // ["01_a.ipynb"]
 * ```
 */
export function selectNotebooks(names: readonly string[], only: readonly string[]): string[] {
  const all = names.filter((n) => NOTEBOOK_PATTERN.test(n)).sort();
  for (const p of only) {
    if (!all.some((n) => n.startsWith(p))) {
      throw new UsageError(
        `--only ${p} matches no notebook (have: ${all.length ? all.join(", ") : "none"})`,
      );
    }
  }
  return only.length === 0 ? all : all.filter((n) => only.some((p) => n.startsWith(p)));
}

/**
 * Make `dir` usable as an output root: create it if missing and check it is a writable
 * directory. Throws a {@linkcode UsageError} with a one-line reason otherwise.
 *
 * @example
 * ```ts
 * const out = await prepareOutDir("/tmp/run1"); // "/tmp/run1", created
 * ```
 */
export async function prepareOutDir(dir: string): Promise<string> {
  const path = resolve(dir);
  try {
    const st = await Deno.stat(path);
    if (!st.isDirectory) throw new UsageError(`--out ${dir}: not a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new UsageError(`--out ${dir}: ${(e as Error).message}`);
    }
    try {
      await Deno.mkdir(path, { recursive: true });
    } catch (e2) {
      throw new UsageError(`--out ${dir}: cannot create it: ${(e2 as Error).message}`);
    }
  }
  const probe = join(path, `.icrl-write-test-${Deno.pid}`);
  try {
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new UsageError(`--out ${dir}: not writable: ${(e as Error).message}`);
  }
  return path;
}

/**
 * Move every file under `staging` to the same relative path under `dest` (directories are
 * created; existing files replaced one rename at a time), then remove `staging`. Returns the
 * relative paths moved.
 *
 * @example
 * ```ts
 * await commitStaging("/repo/.icrl-staging/01_a-123", "/repo"); // ["data/01_x.csv", …]
 * ```
 */
export async function commitStaging(staging: string, dest: string): Promise<string[]> {
  const moved: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.isFile) {
        const rel = relative(staging, p);
        const target = join(dest, rel);
        await Deno.mkdir(dirname(target), { recursive: true });
        await Deno.rename(p, target);
        moved.push(rel);
      }
    }
  };
  await walk(staging);
  await Deno.remove(staging, { recursive: true });
  return moved.sort();
}

/**
 * Repository root (this file is `scripts/reproduce.ts`).
 *
 * @example
 * ```ts
 * const nbDir = `${repositoryRoot()}/notebooks`;
 * ```
 */
export function repositoryRoot(): string {
  return fileURLToPath(new URL("../", import.meta.url)).replace(/\/+$/, "");
}

function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** Terminal status line: redrawn in place on a TTY, an occasional plain line otherwise. */
class StatusLine {
  #tty = Deno.stderr.isTerminal();
  #last = 0;
  #shown = false;
  #enc = new TextEncoder();
  show(text: string, force = false) {
    const now = performance.now();
    if (!(force && this.#tty) && now - this.#last < (this.#tty ? 100 : 15_000)) return;
    this.#last = now;
    if (this.#tty) {
      let cols = 0;
      try {
        cols = Deno.consoleSize().columns;
      } catch { /* not a console */ }
      const width = cols >= 40 ? cols - 1 : 119; // a pseudo-terminal may report 0 columns
      const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      Deno.stderr.writeSync(this.#enc.encode(`\r${line}\x1b[K`));
      this.#shown = true;
    } else console.log(text);
  }
  clear() {
    if (this.#tty && this.#shown) Deno.stderr.writeSync(this.#enc.encode(`\r\x1b[K`));
    this.#shown = false;
  }
}

/** Result of one notebook. */
interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
  error?: string;
}

/** Set by a signal or by the loss of the parent process: abort the current notebook. */
const stop = {
  signal: null as null | "SIGINT" | "SIGTERM" | "parent",
  kernel: null as Kernel | null,
};

async function runOne(
  name: string,
  nbDir: string,
  dest: string,
  env: Record<string, string>,
  opts: ReproduceOptions,
  tag: string,
): Promise<Outcome> {
  const t0 = performance.now();
  const stem = name.replace(/\.ipynb$/, "");
  const staging = join(dest, ".icrl-staging", `${stem}-${Deno.pid}`);
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(join(staging, "notebooks"), { recursive: true });
  const partialPath = join(staging, "notebooks", name);
  const source = JSON.parse(await Deno.readTextFile(join(nbDir, name))) as Notebook;
  const status = new StatusLine();
  let kernel: Kernel;
  try {
    kernel = await Kernel.start({
      cwd: nbDir,
      env: { ...env, ICRL_OUT: staging },
      onSpawn: (k) => {
        stop.kernel = k;
        if (stop.signal !== null) k.kill();
      },
    });
  } catch (e) {
    stop.kernel = null;
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    return { name, ok: false, seconds: 0, error: `${name}: kernel did not start: ${e}` };
  }
  stop.kernel = kernel;
  try {
    const run = await runNotebook(source, kernel, {
      name,
      timeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000,
      stopped: () => stop.signal !== null,
      onCellStart: (c) => {
        status.show(`${tag} ${stem} · cell ${c.index} (${c.ordinal}/${c.total})`, true);
      },
      onCellDone: (c, seconds) => {
        if (opts.verbose) {
          status.clear();
          console.log(`    cell ${c.index} (${c.ordinal}/${c.total}) ${fmtSeconds(seconds)}`);
        }
      },
      onProgress: (c, text) => {
        const line = text.split("\n").filter((l) => l.trim() !== "").at(-1) ?? "";
        status.show(`${tag} ${stem} · cell ${c.index} (${c.ordinal}/${c.total}) · ${line}`);
      },
    });
    status.clear();
    await Deno.writeTextFile(partialPath, serializeNotebook(run.notebook));
    if (run.failure) {
      const why = stop.signal ? `interrupted (${stop.signal})` : "failed";
      return {
        name,
        ok: false,
        seconds: (performance.now() - t0) / 1000,
        error: `${run.failure}\n  ${name} ${why}; nothing in ${dest} changed.` +
          `\n  partial output (executed notebook, data, figures): ${staging}`,
      };
    }
    await commitStaging(staging, dest);
    await Deno.remove(join(dest, ".icrl-staging")).catch(() => {}); // only if empty
    return { name, ok: true, seconds: (performance.now() - t0) / 1000 };
  } finally {
    status.clear();
    stop.kernel = null;
    await kernel.shutdown();
  }
}

/**
 * Run the pipeline; returns the process exit code. `root` (default: this repository) holds
 * `notebooks/` and is the in-place destination.
 *
 * @example
 * ```ts
 * Deno.exit(await main(["--quick", "--only", "01"]));
 * ```
 */
export async function main(
  argv: readonly string[],
  { root = repositoryRoot() }: { root?: string } = {},
): Promise<number> {
  let opts: ReproduceOptions;
  let selected: string[];
  const nbDir = join(root, "notebooks");
  let dest = root;
  try {
    opts = parseArgs(argv);
    if (opts.help) {
      console.log(USAGE);
      return 0;
    }
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(nbDir)) if (e.isFile) names.push(e.name);
    } catch (e) {
      console.error(`reproduce: cannot read ${nbDir}: ${(e as Error).message}`);
      return 1;
    }
    selected = selectNotebooks(names, opts.only);
    if (selected.length === 0) throw new UsageError(`no notebooks NN_*.ipynb in ${nbDir}`);
    if (opts.list) {
      for (const n of selected) console.log(n);
      return 0;
    }
    if (opts.out !== undefined) dest = await prepareOutDir(opts.out);
    else if (opts.quick) dest = await Deno.makeTempDir({ prefix: "icrl-quick-" });
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`reproduce: ${e.message}`);
      return 64;
    }
    throw e;
  }
  const scale = opts.quick ? "quick" : "paper";
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    ICRL_SCALE: scale,
    ICRL_MODELS: join(dest, "data", "models"),
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
  };
  const inPlace = resolve(dest) === resolve(root);
  console.log(
    `reproduce: ${selected.length} notebook(s) at ${scale} scale, ` +
      (inPlace ? "in place" : `outputs in ${dest}`) +
      `, per-cell timeout ${opts.timeout ? `${opts.timeout} s` : "none"}`,
  );

  const onSignal = (sig: "SIGINT" | "SIGTERM") => () => {
    stop.signal = sig;
    stop.kernel?.kill();
  };
  const handlers = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
  Deno.addSignalListener("SIGINT", handlers.SIGINT);
  Deno.addSignalListener("SIGTERM", handlers.SIGTERM);
  const parent = Deno.ppid;
  const watchdog = setInterval(() => {
    if (Deno.ppid !== parent && stop.signal === null) {
      stop.signal = "parent";
      stop.kernel?.kill();
    }
  }, 200);
  const results: Outcome[] = [];
  const t0 = performance.now();
  try {
    for (const [k, name] of selected.entries()) {
      const tag = `[${k + 1}/${selected.length}]`;
      const r = await runOne(name, nbDir, dest, env, opts, tag);
      results.push(r);
      if (r.ok) console.log(`${tag} ${name} ok in ${fmtSeconds(r.seconds)}`);
      else {
        console.error(`${tag} ${name} FAILED after ${fmtSeconds(r.seconds)}`);
        console.error(r.error);
        if (!opts.keepGoing || stop.signal) break;
      }
    }
  } finally {
    clearInterval(watchdog);
    Deno.removeSignalListener("SIGINT", handlers.SIGINT);
    Deno.removeSignalListener("SIGTERM", handlers.SIGTERM);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(
    `reproduce: ${results.length - failed} ok, ${failed} failed, ` +
      `${selected.length - results.length} not run, ${
        fmtSeconds((performance.now() - t0) / 1000)
      }` +
      (inPlace ? "" : `; outputs in ${dest}`),
  );
  if (stop.signal === "SIGINT") return 130;
  if (stop.signal === "SIGTERM") return 143;
  if (results.some((r) => r.error?.includes("kernel did not start"))) return 2;
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
