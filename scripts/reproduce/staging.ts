/**
 * Where `deno task reproduce` puts results: which notebooks run, the output root, and moving a
 * notebook's staged outputs into place once every one of its cells succeeded.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { UsageError } from "../cli.ts";

/** Notebook file names the pipeline runs: `NN_name.ipynb`. */
export const NOTEBOOK_PATTERN = /^\d{2}_[A-Za-z0-9_-]+\.ipynb$/;

/**
 * Select notebooks: keep `NN_*.ipynb` names, sort them, and keep those starting with one of the
 * `only` prefixes (all when `only` is empty). A prefix matching nothing is an error naming it.
 *
 * @example
 * ```ts
 * import { selectNotebooks } from "./staging.ts";
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
 * import { prepareOutDir } from "./staging.ts";
 * const tmp = await Deno.makeTempDir();
 * await prepareOutDir(`${tmp}/run1`); // `${tmp}/run1`, created
 * await Deno.remove(tmp, { recursive: true });
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
 * import { commitStaging } from "./staging.ts";
 * const tmp = await Deno.makeTempDir();
 * await Deno.mkdir(`${tmp}/staging/data`, { recursive: true });
 * await Deno.writeTextFile(`${tmp}/staging/data/01_x.csv`, "a\n");
 * await commitStaging(`${tmp}/staging`, `${tmp}/dest`); // ["data/01_x.csv"]
 * await Deno.remove(tmp, { recursive: true });
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
