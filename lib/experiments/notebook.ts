/**
 * The glue every notebook needs around an experiment module, written once: live progress bars
 * for the phases a `run` reports, and writing a result's tidy tables and figures under the run's
 * output folders with the notebook's prefix (`data/05_rate.csv`, `figures/05_rate.svg`).
 *
 * The library never calls `Deno.jupyter` itself: the notebook passes `Deno.jupyter.display` in.
 *
 * @module
 */

import {
  dataDir,
  type DisplayFunction,
  type Figure,
  type FigureOptions,
  figuresDir,
  liveSink,
  type Progress,
  progress,
  type ProgressMode,
  type Row,
  saveFigure,
  type Spec,
  totalsToTicks,
  writeTable,
} from "../report/mod.ts";
import type { RunHooks } from "./shape.ts";

/** {@linkcode RunHooks} that draw one live progress bar per phase, plus `done()` to close them. */
export interface ProgressHooks extends RunHooks {
  /** Finish every bar that was opened (prints the final line of each). */
  done(): Promise<void>;
}

/**
 * Hooks for `run(config, hooks)` that open a progress bar the first time a phase label is
 * reported and move it by the phase's running totals. With `display` (pass
 * `Deno.jupyter.display` in a notebook) each bar is one live-updating output line; without it
 * the bars draw on the terminal.
 *
 * @example
 * ```ts
 * import { progressHooks } from "./notebook.ts";
 * const lines: string[] = [];
 * const hooks = progressHooks(undefined, { write: (t) => lines.push(t), mode: "plain" });
 * await hooks.progress!("train", 5, 10);
 * await hooks.progress!("train", 10, 10);
 * await hooks.done();
 * if (lines.length === 0) throw new Error("no progress line");
 * ```
 */
export function progressHooks(
  display?: DisplayFunction,
  opts: { write?: (text: string) => void; mode?: ProgressMode } = {},
): ProgressHooks {
  if (display !== undefined && typeof display !== "function") {
    throw new TypeError(
      `progressHooks: display must be a function (Deno.jupyter.display), got ${typeof display}`,
    );
  }
  const bars = new Map<string, { bar: Progress; onTotal: (total: number) => unknown }>();
  return {
    progress: async (label, done, total) => {
      let entry = bars.get(label);
      if (entry === undefined) {
        const bar = progress(label, total, {
          ...(display ? { onUpdate: liveSink(display) } : {}),
          ...(opts.write ? { write: opts.write } : {}),
          ...(opts.mode ? { mode: opts.mode } : {}),
        });
        entry = { bar, onTotal: totalsToTicks((n) => bar.tick(n)) };
        bars.set(label, entry);
      }
      await entry.onTotal(done);
    },
    done: async () => {
      for (const { bar } of bars.values()) await bar.done();
    },
  };
}

/**
 * Write every table of a result as `<dataDir>/<prefix>_<name>` (CSV, see `writeTable`) and
 * return the tables unchanged, so a notebook can write and show them in one line.
 *
 * @example
 * ```ts
 * import { writeTables } from "./notebook.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.env.set("ICRL_OUT", dir);
 * writeTables("99", { demo: [{ x: 1, y: 2 }] });
 * if (!Deno.readTextFileSync(`${dir}/data/99_demo.csv`).startsWith("x,y")) throw new Error();
 * ```
 */
export function writeTables<T extends Record<string, readonly Row[]>>(
  prefix: string,
  tables: T,
): T {
  checkPrefix(prefix);
  const dir = dataDir();
  for (const [name, rows] of Object.entries(tables)) writeTable(rows, `${dir}/${prefix}_${name}`);
  return tables;
}

/**
 * Render and write one figure as `<figuresDir>/<prefix>_<name>.svg` (and `.png` with
 * `png: true`); returns the displayable figure.
 *
 * @example
 * ```ts
 * import { publishFigure } from "./notebook.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.env.set("ICRL_OUT", dir);
 * const spec = { data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } };
 * await publishFigure("99", "demo", spec);
 * Deno.statSync(`${dir}/figures/99_demo.svg`);
 * ```
 */
export async function publishFigure(
  prefix: string,
  name: string,
  spec: Spec,
  opts: FigureOptions = {},
): Promise<Figure> {
  checkPrefix(prefix);
  if (typeof name !== "string" || !/^[A-Za-z0-9_]+$/.test(name)) {
    throw new TypeError(
      `publishFigure: name must match [A-Za-z0-9_]+, got ${JSON.stringify(name)}`,
    );
  }
  return await saveFigure(spec, `${figuresDir()}/${prefix}_${name}`, opts);
}

function checkPrefix(prefix: string): void {
  if (typeof prefix !== "string" || !/^[0-9]{2}$/.test(prefix)) {
    throw new TypeError(
      `notebook prefix must be two digits like "05", got ${JSON.stringify(prefix)}`,
    );
  }
}
