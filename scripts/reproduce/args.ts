/**
 * The command line of `deno task reproduce`: its options, usage text and parser.
 *
 * @module
 */

import { parseFlags, UsageError } from "../cli.ts";

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
  -v, --verbose      print a line per executed cell
  -h, --help         this help

Exit codes: 0 ok, 1 a notebook failed, 2 the kernel could not start, 64 bad arguments,
130/143 interrupted.`;

/** The options table `parseArgs` (node:util) checks the command line against. */
export const REPRODUCE_FLAGS = {
  quick: { type: "boolean" },
  only: { type: "string", multiple: true },
  out: { type: "string" },
  timeout: { type: "string" },
  "keep-going": { type: "boolean" },
  list: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parse the command line (`--opt value` or `--opt=value`). Throws a {@linkcode UsageError}
 * naming the bad argument (an unknown flag also names the closest valid one).
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const o = parseArgs(["--quick", "--only", "01,03", "--timeout=120"]);
 * o.only; // ["01", "03"]
 * o.timeout; // 120
 * ```
 */
export function parseArgs(args: readonly string[]): ReproduceOptions {
  const v = parseFlags(args, REPRODUCE_FLAGS).values;
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
