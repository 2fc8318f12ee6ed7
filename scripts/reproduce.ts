/**
 * `deno task reproduce` — execute every `notebooks/NN_*.ipynb` headlessly under Deno's Jupyter
 * kernel (through Python's nbclient) and write the executed notebooks back.
 *
 * - Paper scale, in place: each notebook is executed into a temporary file next to it and renamed
 *   over the original only when every cell succeeded — a failed run never leaves a half-written
 *   notebook (the partial one is kept in a temp dir for inspection).
 * - `--quick`: `ICRL_SCALE=quick`, and the executed notebooks, `data/` and `figures/` go to a
 *   fresh temp dir (or `--out DIR`); committed files stay untouched.
 * - The kernel runs with cwd `notebooks/`, so cells import `../lib/mod.ts` and Deno finds
 *   `../deno.json` (import map, `nodeModulesDir`). `ICRL_SCALE` / `ICRL_OUT` reach the notebook
 *   through the environment; `NO_COLOR=1` keeps ANSI colour codes out of the saved outputs.
 *
 * Exit codes: 0 ok · 1 a cell failed / kernel died / timeout · 2 Jupyter tooling missing ·
 * 64 bad command line.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------------------------
// command line

/** Parsed command line of `reproduce.ts`. */
export interface ReproduceOptions {
  /** Quick smoke-test scale (`ICRL_SCALE=quick`), results in a temp dir or `out`. */
  quick: boolean;
  /** Notebook name prefixes to run (empty: all). */
  only: string[];
  /** Output root (`ICRL_OUT`); executed notebooks go to `<out>/notebooks/`. */
  out?: string;
  /** Per-cell timeout in seconds; `undefined` = none. */
  timeout?: number;
  /** Continue with the next notebook after a failure. */
  keepGoing: boolean;
  /** Only list the selected notebooks. */
  list: boolean;
  /** Print one line per executed cell. */
  verbose: boolean;
  /** Python interpreter with nbclient (default: /usr/bin/python3, then python3). */
  python?: string;
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
       deno run -A scripts/reproduce.ts [options]

Execute notebooks/NN_*.ipynb under the Deno Jupyter kernel (via nbclient).

Options:
  --quick            quick scale (ICRL_SCALE=quick); writes executed notebooks, data/ and
                     figures/ to a fresh temp dir (or --out DIR); committed files untouched
  --only P[,P…]      run only notebooks whose name starts with P (e.g. 01, 03_transfer);
                     repeatable
  --out DIR          output root (ICRL_OUT=DIR): DIR/data, DIR/figures, DIR/notebooks
                     (without --out and --quick: in place, at paper scale)
  --timeout SEC      per-cell timeout in seconds (default: none; 600 with --quick)
  --keep-going       run the remaining notebooks after a failure
  --list             print the selected notebooks and exit
  --verbose          print a line per executed cell
  --python PATH      Python with nbclient (default: /usr/bin/python3, then python3)
  -h, --help         this help

Exit codes: 0 ok, 1 a notebook failed, 2 Jupyter tooling missing, 64 bad arguments.`;

/**
 * Parse the command line. Accepts `--opt value` and `--opt=value`.
 *
 * @example
 * ```ts
 * parseArgs(["--quick", "--only", "01,03", "--timeout=120"]);
 * // { quick: true, only: ["01", "03"], timeout: 120, … }
 * ```
 */
export function parseArgs(args: readonly string[]): ReproduceOptions {
  const o: ReproduceOptions = {
    quick: false,
    only: [],
    keepGoing: false,
    list: false,
    verbose: false,
    help: false,
  };
  let timeoutSet = false;
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    let inline: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[i + 1];
      if (v === undefined || (v.startsWith("--") && v.length > 2)) {
        throw new UsageError(`${arg} needs a value`);
      }
      i++;
      return v;
    };
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value, got ${arg}=${inline}`);
    };
    switch (arg) {
      case "--quick":
        flag();
        o.quick = true;
        break;
      case "--only": {
        const parts = value().split(",").map((s) => s.trim()).filter((s) => s !== "");
        if (parts.length === 0) {
          throw new UsageError(`--only needs a notebook prefix, e.g. --only 01`);
        }
        for (const p of parts) {
          if (p.includes("/")) {
            throw new UsageError(`--only takes name prefixes, not paths: ${JSON.stringify(p)}`);
          }
        }
        o.only.push(...parts);
        break;
      }
      case "--out": {
        const v = value();
        if (v.trim() === "") throw new UsageError(`--out needs a directory`);
        o.out = v;
        break;
      }
      case "--timeout": {
        const v = value();
        const t = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(t > 0)) {
          throw new UsageError(
            `--timeout must be a positive number of seconds, got ${JSON.stringify(v)}`,
          );
        }
        o.timeout = t;
        timeoutSet = true;
        break;
      }
      case "--keep-going":
        flag();
        o.keepGoing = true;
        break;
      case "--list":
        flag();
        o.list = true;
        break;
      case "--verbose":
      case "-v":
        flag();
        o.verbose = true;
        break;
      case "--python":
        o.python = value();
        break;
      case "--help":
      case "-h":
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(args[i])} (see --help)`);
    }
  }
  if (o.quick && !timeoutSet) o.timeout = 600;
  return o;
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
  if (only.length === 0) return all;
  for (const p of only) {
    if (!all.some((n) => n.startsWith(p))) {
      throw new UsageError(
        `--only ${p} matches no notebook (have: ${all.length ? all.join(", ") : "none"})`,
      );
    }
  }
  return all.filter((n) => only.some((p) => n.startsWith(p)));
}

// ---------------------------------------------------------------------------------------------
// errors from an executed notebook

/** The first failing cell of an executed notebook. */
export interface CellError {
  /** 0-based index of the cell in the notebook's cell list (markdown cells included). */
  index: number;
  /** The `In [n]` number, if the kernel assigned one. */
  executionCount: number | null;
  /** Error class, e.g. "TypeError". */
  ename: string;
  /** Error message. */
  evalue: string;
  /** Traceback lines, ANSI colour codes removed. */
  traceback: string[];
  /** The cell's source. */
  source: string;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Remove ANSI escape sequences.
 *
 * @example
 * ```ts
 * stripAnsi("\x1b[31mError\x1b[0m"); // "Error"
 * ```
 */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

function joinSource(src: unknown): string {
  if (Array.isArray(src)) return src.join("");
  return typeof src === "string" ? src : "";
}

/**
 * Find the first error output in an executed notebook (parsed `.ipynb` JSON); `null` if none.
 *
 * @example
 * ```ts
 * const err = extractError(JSON.parse(Deno.readTextFileSync("out.ipynb")));
 * if (err) console.log(err.index, err.ename, err.evalue);
 * ```
 */
export function extractError(nb: unknown): CellError | null {
  if (nb === null || typeof nb !== "object" || !Array.isArray((nb as { cells?: unknown }).cells)) {
    throw new TypeError("extractError: not a notebook (no cells array)");
  }
  const cells = (nb as { cells: Record<string, unknown>[] }).cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c?.cell_type !== "code" || !Array.isArray(c.outputs)) continue;
    for (const out of c.outputs as Record<string, unknown>[]) {
      if (out?.output_type !== "error") continue;
      const tb = Array.isArray(out.traceback) ? (out.traceback as unknown[]).map(String) : [];
      return {
        index: i,
        executionCount: typeof c.execution_count === "number" ? c.execution_count : null,
        ename: stripAnsi(String(out.ename ?? "Error")),
        evalue: stripAnsi(String(out.evalue ?? "")),
        traceback: tb.flatMap((l) => stripAnsi(l).split("\n")),
        source: joinSource(c.source),
      };
    }
  }
  return null;
}

/**
 * A readable report of a failed cell: notebook, cell index, `In [n]`, error, the start of the
 * source and the tail of the traceback.
 *
 * @example
 * ```ts
 * console.error(formatCellError("01_construction.ipynb", err));
 * ```
 */
export function formatCellError(notebook: string, err: CellError, tailLines = 15): string {
  const src = err.source.split("\n");
  const srcHead = src.slice(0, 6).map((l) => `    | ${l}`).join("\n") +
    (src.length > 6 ? `\n    | … (${src.length - 6} more lines)` : "");
  const tb = err.traceback.filter((l) => l.trim() !== "");
  const tail = tb.slice(-tailLines).map((l) => `    ${l}`).join("\n");
  const count = err.executionCount === null ? "" : ` (In [${err.executionCount}])`;
  return [
    `${notebook}: cell ${err.index}${count} failed: ${err.ename}: ${err.evalue}`,
    `  source:`,
    srcHead,
    ...(tail ? [`  traceback (last ${Math.min(tailLines, tb.length)} lines):`, tail] : []),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Python / Jupyter side

/** Python helper: reports whether nbclient & co. import, and the installed kernelspecs. */
export const PROBE_PY = `
import json, sys
missing = []
for m in ("nbformat", "nbclient", "jupyter_client"):
    try:
        __import__(m)
    except Exception:
        missing.append(m)
kernels = {}
if "jupyter_client" not in missing:
    try:
        from jupyter_client.kernelspec import KernelSpecManager
        kernels = KernelSpecManager().find_kernel_specs()
    except Exception:
        pass
print(json.dumps({"missing": missing, "kernels": kernels, "python": sys.executable}))
`;

/**
 * Python helper that executes one notebook with nbclient. Argument: a JSON object
 * `{input, output, cwd, kernel, timeout, startupTimeout, lateOutputGrace}`. Prints JSON event
 * lines on stdout (`start`, `kernel_ready`, `cell_start`, `cell_done`, `late_output`,
 * `cell_error`, `fatal`, `end`), writes the executed — or partially executed — notebook to
 * `output`, and exits 0 (ok), 1 (cell error), 2 (missing modules) or 3 (timeout, dead kernel,
 * other). It works around a Deno-kernel race (`status: idle` published before the cell's
 * `execute_result`) by draining late messages after `idle`.
 */
export const RUNNER_PY = `
import json, sys, time, traceback

def emit(**kw):
    sys.stdout.write(json.dumps(kw) + "\\n")
    sys.stdout.flush()

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
except ImportError as e:
    emit(event="fatal", kind="missing", message=str(e))
    sys.exit(2)

args = json.loads(sys.argv[1])
nb = nbformat.read(args["input"], as_version=4)
code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
t0 = time.monotonic()
current = {"index": None, "t": t0}
emit(event="start", cells=len(nb.cells), code_cells=len(code_cells))

try:
    from nbclient.exceptions import CellExecutionComplete
    try:
        from jupyter_core.utils import ensure_async
    except ImportError:
        from nbclient.util import ensure_async
    import queue
    HAVE_DRAIN = True
except ImportError:
    HAVE_DRAIN = False

GRACE = float(args.get("lateOutputGrace", 0.3))

class Client(NotebookClient):
    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        # Deno's kernel sometimes publishes 'status: idle' *before* the cell's execute_result
        # (a message-ordering race). Stock nbclient stops listening at 'idle' and drops the
        # output, so after 'idle' keep draining this cell's messages: until its execute_result
        # arrives, or for GRACE seconds when none has been seen.
        if not HAVE_DRAIN:
            return await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        seen_result = False
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            seen_result = seen_result or msg["msg_type"] in ("execute_result", "error")
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                break
        if seen_result:
            return
        idle_at = time.monotonic()
        while True:
            remaining = idle_at + GRACE - time.monotonic()
            if remaining <= 0:
                return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            emit(event="late_output", index=cell_index, msg_type=msg["msg_type"],
                 delay=time.monotonic() - idle_at)
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass
            if msg["msg_type"] in ("execute_result", "error"):
                return

    async def async_start_new_kernel_client(self):
        r = await super().async_start_new_kernel_client()
        emit(event="kernel_ready", seconds=time.monotonic() - t0)
        return r

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        is_code = cell.cell_type == "code"
        if is_code:
            current["index"] = cell_index
            current["t"] = time.monotonic()
            emit(event="cell_start", index=cell_index, ordinal=code_cells.index(cell_index) + 1,
                 total=len(code_cells))
        r = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if is_code:
            emit(event="cell_done", index=cell_index, seconds=time.monotonic() - current["t"])
        return r

client = Client(
    nb,
    kernel_name=args["kernel"],
    timeout=args["timeout"],
    startup_timeout=args["startupTimeout"],
    record_timing=False,
    allow_errors=False,
    resources={"metadata": {"path": args["cwd"]}},
)
status = 0
try:
    client.execute()
except CellExecutionError as e:
    status = 1
    emit(event="cell_error", index=current["index"], ename=getattr(e, "ename", "Error"),
         evalue=getattr(e, "evalue", ""), message=str(e)[-4000:])
except CellTimeoutError as e:
    status = 3
    emit(event="fatal", kind="timeout", index=current["index"], message=str(e)[-2000:])
except DeadKernelError as e:
    status = 3
    emit(event="fatal", kind="dead_kernel", index=current["index"], message=str(e)[-2000:])
except Exception as e:
    status = 3
    emit(event="fatal", kind=type(e).__name__, index=current["index"],
         message=traceback.format_exc()[-4000:])
try:
    nbformat.write(nb, args["output"])
except Exception as e:
    emit(event="fatal", kind="write", index=None, message=str(e))
    status = status or 3
emit(event="end", status=status, seconds=time.monotonic() - t0)
sys.exit(status)
`;

/** How to install what the pipeline needs (exit code 2 message). */
export const INSTALL_HINT =
  `Notebook execution needs Jupyter's nbclient and nbformat (plus jupyter_client):
  Debian/Ubuntu:  apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel
  pip:            pip install nbconvert nbclient ipykernel
and Deno's kernel (registered automatically, or by hand):  deno jupyter --install`;

/** Exit-code-carrying error for missing tooling. */
export class ToolingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolingError";
  }
}

interface Probe {
  python: string;
  missing: string[];
  kernels: Record<string, string>;
}

async function probePython(python: string): Promise<Probe | null> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", PROBE_PY],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const parsed = JSON.parse(new TextDecoder().decode(out.stdout));
    return { python, missing: parsed.missing, kernels: parsed.kernels ?? {} };
  } catch {
    return null; // interpreter not found
  }
}

/**
 * Find a Python interpreter with nbclient: `explicit`, else `/usr/bin/python3`, else `python3`
 * (a pyenv `python3` first on PATH often lacks Jupyter). Throws {@linkcode ToolingError}.
 *
 * @example
 * ```ts
 * const { python, kernels } = await findPython();
 * ```
 */
export async function findPython(explicit?: string): Promise<Probe> {
  const candidates = explicit ? [explicit] : ["/usr/bin/python3", "python3"];
  const tried: string[] = [];
  for (const py of candidates) {
    const p = await probePython(py);
    if (p === null) {
      tried.push(`${py}: not found or not runnable`);
      continue;
    }
    if (p.missing.length === 0) return p;
    tried.push(`${py}: missing ${p.missing.join(", ")}`);
  }
  throw new ToolingError(
    `no usable Python with Jupyter found (${tried.join("; ")}).\n${INSTALL_HINT}`,
  );
}

/**
 * Make sure a `deno` kernelspec exists (and points at an existing deno binary); install it with
 * `deno jupyter --install [--force]` otherwise. Returns the kernel name.
 *
 * @example
 * ```ts
 * await ensureDenoKernel(probe);
 * ```
 */
export async function ensureDenoKernel(
  probe: Probe,
  log: (s: string) => void = console.log,
): Promise<string> {
  const dir = probe.kernels["deno"];
  let ok = false;
  if (dir) {
    try {
      const spec = JSON.parse(await Deno.readTextFile(join(dir, "kernel.json")));
      const exe = spec?.argv?.[0];
      ok = typeof exe === "string" && (await Deno.stat(exe)).isFile;
    } catch {
      ok = false;
    }
  }
  if (ok) return "deno";
  log(
    dir
      ? `kernelspec ${dir} is stale; reinstalling`
      : `registering the Deno Jupyter kernel (deno jupyter --install)`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", ...(dir ? ["--force"] : [])],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new ToolingError(
      `deno jupyter --install failed:\n${new TextDecoder().decode(out.stderr)}\n${INSTALL_HINT}`,
    );
  }
  return "deno";
}

// ---------------------------------------------------------------------------------------------
// execution

/** Event line printed by {@linkcode RUNNER_PY}. */
export interface RunnerEvent {
  event:
    | "start"
    | "kernel_ready"
    | "cell_start"
    | "cell_done"
    | "late_output"
    | "cell_error"
    | "fatal"
    | "end";
  [key: string]: unknown;
}

/** Result of executing one notebook. */
export interface NotebookResult {
  name: string;
  ok: boolean;
  seconds: number;
  /** Seconds from launch until the kernel answered. */
  kernelSeconds?: number;
  /** Failure description (already formatted). */
  error?: string;
  /** Where the partial notebook of a failed run was kept. */
  partial?: string;
  /** Where the executed notebook was written. */
  output?: string;
}

/** Settings of {@linkcode executeNotebook}. */
export interface ExecuteSettings {
  python: string;
  kernel: string;
  /** Kernel working directory (the repository's `notebooks/`). */
  cwd: string;
  /** Per-cell timeout (s); undefined = none. */
  timeout?: number;
  /** Environment for the kernel (merged over the current one; `null` deletes a variable). */
  env: Record<string, string | null>;
  verbose?: boolean;
  /** Directory for partial notebooks of failed runs. */
  failDir: string;
  log?: (s: string) => void;
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) yield buf;
}

let tmpCounter = 0;

/**
 * Execute `input` and, only on success, atomically replace `output` with the executed notebook
 * (temporary file in `output`'s directory, then rename). On failure `output` is untouched and the
 * partial notebook is moved to `settings.failDir`.
 *
 * @example
 * ```ts
 * const r = await executeNotebook("notebooks/01_x.ipynb", "notebooks/01_x.ipynb", settings);
 * ```
 */
export async function executeNotebook(
  input: string,
  output: string,
  settings: ExecuteSettings,
): Promise<NotebookResult> {
  const log = settings.log ?? console.log;
  const name = basename(input);
  tmpCounter += 1;
  const tmp = join(dirname(output), `.${basename(output)}.tmp-${Deno.pid}-${tmpCounter}`);
  const env: Record<string, string> = { ...Deno.env.toObject() };
  for (const [k, v] of Object.entries(settings.env)) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  const args = JSON.stringify({
    input: resolve(input),
    output: tmp,
    cwd: settings.cwd,
    kernel: settings.kernel,
    timeout: settings.timeout ?? null,
    startupTimeout: 180,
    lateOutputGrace: 0.3,
  });
  const t0 = performance.now();
  const child = new Deno.Command(settings.python, {
    args: ["-c", RUNNER_PY, args],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // keep the last 20 kB of stderr (kernel warnings, Python tracebacks) for failure reports
  let stderrTail = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderrTail = (stderrTail + chunk).slice(-20_000);
    }
  })();
  let kernelSeconds: number | undefined;
  let fatal: RunnerEvent | undefined;
  let cellErrorIndex: number | null = null;
  let cellErrorEvent: RunnerEvent | undefined;
  for await (const line of lines(child.stdout)) {
    let ev: RunnerEvent;
    try {
      ev = JSON.parse(line);
    } catch {
      continue; // not an event line
    }
    if (ev.event === "kernel_ready") kernelSeconds = ev.seconds as number;
    else if (ev.event === "cell_start" && settings.verbose) {
      log(`    cell ${ev.index} (${ev.ordinal}/${ev.total} code cells) …`);
    } else if (ev.event === "cell_done" && settings.verbose) {
      log(`    cell ${ev.index} done in ${(ev.seconds as number).toFixed(1)} s`);
    } else if (ev.event === "late_output" && settings.verbose) {
      log(
        `    cell ${ev.index}: ${ev.msg_type} arrived ${
          (ev.delay as number).toFixed(3)
        } s after idle`,
      );
    } else if (ev.event === "cell_error") {
      cellErrorIndex = ev.index as number;
      cellErrorEvent = ev;
    } else if (ev.event === "fatal") fatal = ev;
  }
  const status = await child.status;
  await stderrDone;
  const seconds = (performance.now() - t0) / 1000;

  if (status.success) {
    await Deno.rename(tmp, output);
    return { name, ok: true, seconds, kernelSeconds, output };
  }

  // failure: keep the partial notebook out of the way, explain what happened
  let partial: string | undefined;
  let error: string;
  let nbJson: unknown;
  try {
    nbJson = JSON.parse(await Deno.readTextFile(tmp));
    await Deno.mkdir(settings.failDir, { recursive: true });
    partial = join(settings.failDir, name);
    await Deno.rename(tmp, partial);
  } catch {
    await Deno.remove(tmp).catch(() => {});
  }
  const cellErr = nbJson ? extractError(nbJson) : null;
  if (cellErr) {
    error = formatCellError(name, cellErr);
  } else if (fatal) {
    const where = fatal.index === null || fatal.index === undefined
      ? ""
      : ` in cell ${fatal.index}`;
    const kind = fatal.kind === "timeout"
      ? `cell timed out after ${settings.timeout} s (raise --timeout)`
      : fatal.kind === "dead_kernel"
      ? "the kernel died (out of memory? a crash?)"
      : `${fatal.kind}`;
    error = `${name}: ${kind}${where}\n${
      stripAnsi(String(fatal.message ?? "")).split("\n").slice(-12).join("\n")
    }`;
  } else if (cellErrorEvent) {
    // the error output itself was not recorded in the notebook: use the runner's report
    error = `${name}: cell ${cellErrorIndex} failed: ${stripAnsi(String(cellErrorEvent.ename))}: ` +
      `${stripAnsi(String(cellErrorEvent.evalue))}\n` +
      stripAnsi(String(cellErrorEvent.message ?? "")).split("\n").slice(-12).join("\n");
  } else if (status.code === 2) {
    error = `${name}: Jupyter modules missing.\n${INSTALL_HINT}`;
  } else {
    error = `${name}: the notebook runner exited with code ${status.code}` +
      (cellErrorIndex !== null ? ` (cell ${cellErrorIndex})` : "") +
      `\n${stripAnsi(stderrTail).split("\n").slice(-15).join("\n")}`;
  }
  return { name, ok: false, seconds, kernelSeconds, error, partial };
}

// ---------------------------------------------------------------------------------------------
// main

function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, "0")} min`;
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

/**
 * Run the pipeline; returns the process exit code.
 *
 * @example
 * ```ts
 * Deno.exit(await main(["--quick", "--only", "01"]));
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  let opts: ReproduceOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`reproduce: ${e.message}`);
      return 64;
    }
    throw e;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const root = repositoryRoot();
  const nbDir = join(root, "notebooks");
  let names: string[] = [];
  try {
    for await (const e of Deno.readDir(nbDir)) if (e.isFile) names.push(e.name);
  } catch {
    names = [];
  }
  let selected: string[];
  try {
    selected = selectNotebooks(names, opts.only);
  } catch (e) {
    console.error(`reproduce: ${(e as Error).message}`);
    return 64;
  }
  if (opts.list) {
    for (const n of selected) console.log(n);
    return 0;
  }
  if (selected.length === 0) {
    console.warn(`reproduce: no notebooks matching NN_*.ipynb in ${nbDir}; nothing to do`);
    return 0;
  }

  let probe: Probe;
  let kernel: string;
  try {
    probe = await findPython(opts.python);
    kernel = await ensureDenoKernel(probe);
  } catch (e) {
    if (e instanceof ToolingError) {
      console.error(`reproduce: ${e.message}`);
      return 2;
    }
    throw e;
  }

  const scale = opts.quick ? "quick" : "paper";
  let out: string | undefined = opts.out ? resolve(opts.out) : undefined;
  if (opts.quick && !out) out = await Deno.makeTempDir({ prefix: "icrl-quick-" });
  const destDir = out ? join(out, "notebooks") : nbDir;
  await Deno.mkdir(destDir, { recursive: true });
  const failDir = await Deno.makeTempDir({ prefix: "icrl-failed-" });

  console.log(
    `reproduce: ${selected.length} notebook(s) at ${scale} scale` +
      (out ? `, outputs in ${out}` : ", in place") +
      `, per-cell timeout ${opts.timeout ? `${opts.timeout} s` : "none"}, python ${probe.python}`,
  );
  const settings: ExecuteSettings = {
    python: probe.python,
    kernel,
    cwd: nbDir,
    timeout: opts.timeout,
    env: {
      ICRL_SCALE: scale,
      ICRL_OUT: out ?? null,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    },
    verbose: opts.verbose,
    failDir,
  };
  const results: NotebookResult[] = [];
  const t0 = performance.now();
  for (const [k, name] of selected.entries()) {
    console.log(`[${k + 1}/${selected.length}] ${name} …`);
    const r = await executeNotebook(join(nbDir, name), join(destDir, name), settings);
    results.push(r);
    if (r.ok) {
      const ks = r.kernelSeconds === undefined
        ? ""
        : ` (kernel up in ${r.kernelSeconds.toFixed(1)} s)`;
      console.log(`[${k + 1}/${selected.length}] ${name} ok in ${fmtSeconds(r.seconds)}${ks}`);
    } else {
      console.error(`[${k + 1}/${selected.length}] ${name} FAILED after ${fmtSeconds(r.seconds)}`);
      console.error(r.error);
      if (r.partial) console.error(`  partial notebook kept at ${r.partial}`);
      if (!opts.keepGoing) break;
    }
  }
  const total = (performance.now() - t0) / 1000;
  const failed = results.filter((r) => !r.ok);
  const skipped = selected.length - results.length;
  console.log(`\nsummary (${scale} scale):`);
  for (const r of results) {
    console.log(
      `  ${r.ok ? "ok    " : "FAILED"}  ${r.name.padEnd(40)} ${fmtSeconds(r.seconds).padStart(12)}`,
    );
  }
  for (const n of selected.slice(results.length)) console.log(`  skipped ${n}`);
  console.log(
    `  ${results.length - failed.length} ok, ${failed.length} failed, ${skipped} skipped in ${
      fmtSeconds(total)
    }` +
      (out ? `; outputs in ${out}` : ""),
  );
  if (failed.length === 0) await Deno.remove(failDir, { recursive: true }).catch(() => {});
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
