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

import { join, resolve } from "node:path";
import { repoRoot, UsageError } from "./cli.ts";
import { Kernel } from "./kernel.ts";
import { type Notebook, serializeNotebook } from "./notebook/ipynb.ts";
import { runNotebook } from "./run_notebook.ts";
import { parseArgs, type ReproduceOptions, USAGE } from "./reproduce/args.ts";
import { commitStaging, prepareOutDir, selectNotebooks } from "./reproduce/staging.ts";
import { fmtSeconds, StatusLine } from "./reproduce/terminal.ts";

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
 * import { main } from "./reproduce.ts";
 * await main(["--list"]); // prints the notebooks it would run; 0
 * ```
 */
export async function main(
  argv: readonly string[],
  { root = repoRoot() }: { root?: string } = {},
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
