/**
 * Run scale and output locations, read from the environment (DESIGN "Notebooks": the same notebook
 * runs as a one-minute smoke test and as the full reproduction).
 *
 * | variable      | values                 | default                 |
 * |---------------|------------------------|-------------------------|
 * | `ICRL_SCALE`  | `quick` \| `paper`     | `paper`                 |
 * | `ICRL_OUT`    | a directory            | paper scale: the repository root; any other scale: a fresh temporary directory (its path is printed) |
 * | `ICRL_MODELS` | directories (`:`-separated) | none                |
 *
 * Generated files go to `<out>/data`, `<out>/data/models` and `<out>/figures`. A run that is not
 * at paper scale never writes into the repository unless `ICRL_OUT` says so. Trained blocks are
 * looked up in `<out>/data/models`, then in each `ICRL_MODELS` directory, then in the committed
 * `data/models` ({@linkcode findModelFile}). Also home of
 * {@linkcode writeFileAtomic}, the temp-file-then-rename writer every report module uses.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/** The two run scales. */
export type RunScale = "quick" | "paper";

const SCALES: readonly RunScale[] = ["quick", "paper"];

/**
 * The run scale from `ICRL_SCALE`: `"quick"` or `"paper"` (default when unset or empty).
 *
 * @throws {RangeError} naming the value when it is anything else.
 * @example
 * ```ts
 * const K = runScale() === "quick" ? 20 : 10_000;
 * ```
 */
export function runScale(): RunScale {
  const raw = Deno.env.get("ICRL_SCALE");
  if (raw === undefined || raw.trim() === "") return "paper";
  const v = raw.trim().toLowerCase();
  if ((SCALES as readonly string[]).includes(v)) return v as RunScale;
  throw new RangeError(`ICRL_SCALE must be "quick" or "paper", got ${JSON.stringify(raw)}`);
}

/**
 * Pick the value for the current run scale: every scale-dependent knob in one readable line.
 *
 * @example
 * ```ts
 * const cfg = { K: byScale({ quick: 20, paper: 10_000 }), T: byScale({ quick: 50, paper: 1000 }) };
 * ```
 */
export function byScale<T>(values: { quick: T; paper: T }): T {
  if (
    values === null || typeof values !== "object" || !("quick" in values) || !("paper" in values)
  ) {
    throw new TypeError(
      `byScale needs an object with "quick" and "paper" keys, got ${String(values)}`,
    );
  }
  return values[runScale()];
}

/**
 * The repository root, found relative to this module (`lib/report/env.ts` → `../../`).
 *
 * @example
 * ```ts
 * const readme = `${repoRoot()}/README.md`;
 * ```
 */
export function repoRoot(): string {
  const url = new URL("../../", import.meta.url);
  if (url.protocol !== "file:") {
    throw new Error(`repoRoot needs a local checkout, but this module was loaded from ${url.href}`);
  }
  return fileURLToPath(url).replace(/\/+$/, "") || "/";
}

function existsDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function ensureDir(path: string): string {
  try {
    Deno.mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new Error(`cannot create output directory ${path}: ${(e as Error).message}`);
  }
  return path;
}

let scratchOut: string | null = null;

/**
 * The output root: `ICRL_OUT` (relative paths resolve against the current directory); unset, the
 * repository root at paper scale, and at any other scale a temporary directory made once per
 * process (its path is printed, so an interactive quick run never overwrites committed results).
 * Created if missing.
 *
 * @example
 * ```ts
 * Deno.env.set("ICRL_OUT", "/tmp/run1");
 * outDir(); // "/tmp/run1"
 * ```
 */
export function outDir(): string {
  const raw = Deno.env.get("ICRL_OUT");
  if (raw === undefined || raw.trim() === "") {
    if (runScale() === "paper") return ensureDir(repoRoot());
    if (scratchOut === null || !existsDir(scratchOut)) {
      scratchOut = Deno.makeTempDirSync({ prefix: `icrl-${runScale()}-` });
      console.log(
        `ICRL_SCALE=${runScale()} and no ICRL_OUT: outputs go to ${scratchOut} ` +
          `(set ICRL_OUT to choose; committed results are only written at paper scale)`,
      );
    }
    return scratchOut;
  }
  if (raw.includes("\0")) {
    throw new RangeError(`ICRL_OUT is not a valid path: ${JSON.stringify(raw)}`);
  }
  return ensureDir(isAbsolute(raw) ? raw : resolve(Deno.cwd(), raw));
}

/**
 * `<out>/data`: tidy tables and run manifests. Created if missing.
 *
 * @example
 * ```ts
 * import { dataDir } from "./env.ts";
 * import { writeTable } from "./table.ts";
 * Deno.env.set("ICRL_OUT", Deno.makeTempDirSync());
 * writeTable([{ step: 1, loss: 0.5 }], `${dataDir()}/02_loss`); // <out>/data/02_loss.csv
 * ```
 */
export function dataDir(): string {
  return ensureDir(join(outDir(), "data"));
}

/**
 * `<out>/figures`: SVG (and PNG) figures. Created if missing.
 *
 * @example
 * ```ts
 * import { figuresDir } from "./env.ts";
 * import { saveFigure } from "./figure.ts";
 * import { lineChart } from "./line.ts";
 * Deno.env.set("ICRL_OUT", Deno.makeTempDirSync());
 * const rows = [{ step: 1, loss: 1 }, { step: 2, loss: 0.5 }];
 * const spec = lineChart({ rows, x: "step", y: "loss", xTitle: "step", yTitle: "loss", title: "loss" });
 * await saveFigure(spec, `${figuresDir()}/02_loss`); // <out>/figures/02_loss.svg
 * ```
 */
export function figuresDir(): string {
  return ensureDir(join(outDir(), "figures"));
}

/**
 * `<out>/data/models`: trained weights. Created if missing.
 *
 * @example
 * ```ts
 * const path = `${modelsDir()}/sarsa_seed0.json`;
 * ```
 */
export function modelsDir(): string {
  return ensureDir(join(outDir(), "data", "models"));
}

/** A directory searched for trained blocks, and how to name it to a reader. */
export interface ModelDir {
  /** Absolute path. */
  dir: string;
  /** Where it comes from, for messages: "this run's output", "ICRL_MODELS", "committed". */
  origin: "this run's output" | "ICRL_MODELS" | "committed";
}

/**
 * Where trained blocks are looked up, in order, without duplicates: `<out>/data/models`, each
 * `ICRL_MODELS` entry (`:`-separated; relative paths against the current directory), and the
 * committed `data/models` of the repository. Nothing is created.
 *
 * @example
 * ```ts
 * modelSearchPath().map((d) => d.origin); // ["this run's output", "committed"]
 * ```
 */
export function modelSearchPath(): ModelDir[] {
  const out: ModelDir[] = [];
  const add = (dir: string, origin: ModelDir["origin"]) => {
    const abs = resolve(Deno.cwd(), dir);
    if (!out.some((d) => d.dir === abs)) out.push({ dir: abs, origin });
  };
  const raw = Deno.env.get("ICRL_OUT");
  if (raw !== undefined && raw.trim() !== "") add(join(raw, "data", "models"), "this run's output");
  for (const d of (Deno.env.get("ICRL_MODELS") ?? "").split(":")) {
    if (d.trim() !== "") add(d.trim(), "ICRL_MODELS");
  }
  add(join(repoRoot(), "data", "models"), "committed");
  return out;
}

/**
 * Find a trained-block file (`"sarsa_restricted_seed0.json"`) on {@linkcode modelSearchPath}.
 * Throws an error listing every directory tried when none has it.
 *
 * @example
 * ```ts
 * const { path, origin } = findModelFile("sarsa_restricted_seed0.json");
 * ```
 */
export function findModelFile(file: string): { path: string; origin: ModelDir["origin"] } {
  if (typeof file !== "string" || file === "" || file.includes("/")) {
    throw new TypeError(
      `findModelFile: file must be a bare file name, got ${JSON.stringify(file)}`,
    );
  }
  const dirs = modelSearchPath();
  for (const { dir, origin } of dirs) {
    const path = join(dir, file);
    try {
      if (Deno.statSync(path).isFile) return { path, origin };
    } catch { /* not here */ }
  }
  throw new Error(
    `trained block ${file} not found in ${dirs.map((d) => `${d.dir} (${d.origin})`).join(", ")}`,
  );
}

let tmpCounter = 0;

/**
 * A temporary file name next to `path` (same directory, hence same file system, so a rename is
 * atomic). Unique per process and call; no randomness.
 *
 * @example
 * ```ts
 * const tmp = tempSibling("/out/fig.svg"); // "/out/.fig.svg.tmp-1234-1"
 * ```
 */
export function tempSibling(path: string): string {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`path must be a non-empty string, got ${JSON.stringify(path)}`);
  }
  tmpCounter += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}-${tmpCounter}`);
}

/**
 * Write a file atomically: write a temporary sibling, then `Deno.rename` it over `path`. Readers
 * see either the old file or the complete new one, never a half-written file. The parent
 * directory is created if missing.
 *
 * @example
 * ```ts
 * await writeFileAtomic("/tmp/x.json", JSON.stringify({ a: 1 }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof data !== "string" && !(data instanceof Uint8Array)) {
    throw new TypeError(`data for ${path} must be a string or Uint8Array, got ${typeof data}`);
  }
  const tmp = tempSibling(path);
  await Deno.mkdir(dirname(path), { recursive: true });
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Synchronous {@linkcode writeFileAtomic}.
 *
 * @example
 * ```ts
 * writeFileAtomicSync("/tmp/x.txt", "hello\n");
 * ```
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  if (typeof data !== "string" && !(data instanceof Uint8Array)) {
    throw new TypeError(`data for ${path} must be a string or Uint8Array, got ${typeof data}`);
  }
  const tmp = tempSibling(path);
  Deno.mkdirSync(dirname(path), { recursive: true });
  try {
    if (typeof data === "string") Deno.writeTextFileSync(tmp, data);
    else Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}
