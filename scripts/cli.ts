/**
 * What every script's command line shares: `parseArgs` from `node:util` wrapped so that a bad
 * command line is a {@linkcode UsageError} (exit code 64, one line, no stack trace) and an unknown
 * flag names the closest valid one (`closestKey` of `lib/core`, by edit distance); the repository
 * root the scripts work in.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { fileURLToPath } from "node:url";
import { closestKey } from "../lib/core/mod.ts";

/** A command-line error (exit code 64, message without a stack trace). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The flags an options table accepts, as typed on a command line (`--name`, and `-s` for a short
 * alias), in the table's order.
 *
 * @example
 * ```ts
 * import { flagNames } from "./cli.ts";
 * flagNames({ quick: { type: "boolean" }, help: { type: "boolean", short: "h" } });
 * // ["--quick", "--help", "-h"]
 * ```
 */
export function flagNames(options: ParseArgsOptionsConfig): string[] {
  return Object.entries(options).flatMap(([name, o]) =>
    o.short ? [`--${name}`, `-${o.short}`] : [`--${name}`]
  );
}

/**
 * Parse `args` against `options` with `parseArgs` from `node:util` (strict). Every problem is a
 * {@linkcode UsageError}: an unknown flag names itself and the closest valid flag; a missing
 * value, a value given to a boolean flag or an unexpected positional argument keep `node:util`'s
 * wording. Each message ends with `(see --help)`.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./cli.ts";
 * const { values } = parseFlags(["--out=/tmp/x"], { out: { type: "string" } });
 * values.out; // "/tmp/x"
 * // parseFlags(["--ot", "x"], { out: { type: "string" } }) throws
 * // UsageError: unknown option --ot (closest valid option: --out; see --help)
 * ```
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
) {
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const valid = flagNames(options);
  for (const t of tokens) {
    if (t.kind === "option-terminator") break;
    if (t.kind === "option" && !Object.hasOwn(options, t.name)) {
      const near = closestKey(t.rawName, valid);
      const hint = near === undefined ? "takes no options" : `closest valid option: ${near}`;
      throw new UsageError(`unknown option ${t.rawName} (${hint}; see --help)`);
    }
  }
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (e) {
    const msg = (e as Error).message.split("\n").slice(0, 2).join(" ");
    throw new UsageError(`${msg} (see --help)`);
  }
}

/**
 * The repository root: the parent of `scripts/`, without a trailing slash.
 *
 * @example
 * ```ts
 * import { repoRoot } from "./cli.ts";
 * const notebooks = `${repoRoot()}/notebooks`;
 * ```
 */
export function repoRoot(): string {
  return fileURLToPath(new URL("../", import.meta.url)).replace(/\/+$/, "");
}
