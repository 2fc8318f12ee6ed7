/**
 * Execute a whole notebook on a {@linkcode Kernel} and report its first failing cell readably.
 *
 * @module
 */

import { type Kernel, KernelError } from "./kernel.ts";
import type { NbOutput } from "./jupyter/outputs.ts";
import type { Notebook } from "./notebook/ipynb.ts";

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
 * import { stripAnsi } from "./run_notebook.ts";
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
 * import { extractError } from "./run_notebook.ts";
 * const err = extractError({
 *   cells: [{
 *     cell_type: "code", execution_count: 1, source: ["f(-1)"],
 *     outputs: [{ output_type: "error", ename: "RangeError", evalue: "got -1", traceback: [] }],
 *   }],
 * });
 * [err?.index, err?.ename, err?.evalue]; // [0, "RangeError", "got -1"]
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
 * import { formatCellError } from "./run_notebook.ts";
 * const err = {
 *   index: 3, executionCount: 2, ename: "RangeError", evalue: "got -1", traceback: [], source: "f(-1)",
 * };
 * formatCellError("01_construction.ipynb", err).split("\n")[0];
 * // "01_construction.ipynb: cell 3 (In [2]) failed: RangeError: got -1"
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

/** Where a notebook run is. */
export interface CellPosition {
  /** Index in the cell list (markdown included). */
  index: number;
  /** 1-based number among the code cells. */
  ordinal: number;
  /** Number of code cells. */
  total: number;
}

/** Settings of {@linkcode runNotebook}. */
export interface RunNotebookOptions {
  /** Notebook name for messages (default "notebook"). */
  name?: string;
  /** Per-cell timeout in milliseconds (default none). */
  timeoutMs?: number;
  /** Polled before each cell; true stops the run (an interrupt). */
  stopped?: () => boolean;
  /** A code cell starts. */
  onCellStart?: (pos: CellPosition) => void;
  /** A code cell finished (any status) after `seconds`. */
  onCellDone?: (pos: CellPosition, seconds: number) => void;
  /** A display's `text/plain` was created or updated (a progress bar). */
  onProgress?: (pos: CellPosition, text: string) => void;
}

/** Result of {@linkcode runNotebook}. */
export interface NotebookRun {
  /** The executed notebook (partially executed after a failure). */
  notebook: Notebook;
  /** Readable description of the failure; absent when every cell succeeded. */
  failure?: string;
  /** Wall seconds per executed code cell, by cell index. */
  cellSeconds: Map<number, number>;
}

/**
 * Execute the code cells of `nb` in order on `kernel` (outputs and execution counts of the input
 * are discarded first), stopping at the first error, and return the executed notebook with its
 * `language_info` set from the kernel. Late outputs are drained before returning.
 *
 * @example
 * ```ts ignore
 * const run = await runNotebook(JSON.parse(await Deno.readTextFile("01_a.ipynb")), kernel);
 * if (run.failure) console.error(run.failure);
 * ```
 */
export async function runNotebook(
  nb: Notebook,
  kernel: Kernel,
  opts: RunNotebookOptions = {},
): Promise<NotebookRun> {
  if (!nb || !Array.isArray(nb.cells)) throw new TypeError("runNotebook: not a notebook");
  const name = opts.name ?? "notebook";
  const out: Notebook = structuredClone(nb);
  if (Object.keys(kernel.languageInfo).length > 0) {
    out.metadata = { ...out.metadata, language_info: kernel.languageInfo };
  }
  const code = out.cells.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === "code");
  for (const { c } of code) {
    c.outputs = [];
    c.execution_count = null;
  }
  const cellSeconds = new Map<number, number>();
  let failure: string | undefined;
  const runs: {
    cell: (typeof code)[number]["c"];
    outputs: NbOutput[];
    count: () => number | null;
  }[] = [];
  for (const [k, { c, i }] of code.entries()) {
    const pos: CellPosition = { index: i, ordinal: k + 1, total: code.length };
    if (opts.stopped?.()) {
      failure = `${name}: interrupted before cell ${i}`;
      break;
    }
    opts.onCellStart?.(pos);
    const t0 = performance.now();
    try {
      const run = await kernel.execute(c.source.join(""), {
        onDisplayText: (t) => opts.onProgress?.(pos, t),
      }, { timeoutMs: opts.timeoutMs });
      c.outputs = run.outputs;
      runs.push({ cell: c, outputs: run.outputs, count: () => run.executionCount });
      c.execution_count = run.executionCount;
      cellSeconds.set(i, run.seconds);
      opts.onCellDone?.(pos, run.seconds);
      if (run.status !== "ok") {
        if (!run.outputs.some((o) => o.output_type === "error") && run.error) {
          run.outputs.push({ output_type: "error", ...run.error });
        }
        const err = extractError({ cells: [c] });
        failure = err
          ? formatCellError(name, { ...err, index: i })
          : `${name}: cell ${i} ${run.status}`;
        break;
      }
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      const seconds = (performance.now() - t0) / 1000;
      cellSeconds.set(i, seconds);
      opts.onCellDone?.(pos, seconds);
      const why = opts.stopped?.() ? "interrupted" : e.message;
      failure = `${name}: cell ${i} (code cell ${k + 1}/${code.length}) did not finish: ${why}\n` +
        c.source.slice(0, 6).map((l) => `    | ${l.replace(/\n$/, "")}`).join("\n");
      break;
    }
  }
  if (kernel.exitStatus === null) await kernel.drain();
  for (const r of runs) r.cell.execution_count = r.count();
  kernel.forget();
  return { notebook: out, failure, cellSeconds };
}
