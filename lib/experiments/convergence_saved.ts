/**
 * Notebook 02's outputs on disk: the trained blocks written to `data/models/` and **read back**
 * (`saveBlocks`, `recheckSaved`: the conclusion's "re-checked from the saved blocks" measures the
 * files, not the in-memory result), and the run's manifest.
 *
 * @module
 */

import { showValue } from "../core/mod.ts";
import { manifoldStats } from "../icrl/mod.ts";
import { loadModel, saveModel, taskConstruction, type TrainResult } from "../train/mod.ts";
import type { ManifestInput } from "../report/mod.ts";
import { type ConvergenceResult, validateConvergenceConfig } from "./convergence.ts";

/**
 * The manifest of notebook 02 (`writeManifest` input): the config literal with the resolved
 * training configs, the seeds, and the timings (kept out of the data tables, which stay
 * identical from run to run).
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * import { manifest } from "./convergence_saved.ts";
 * const res = await run(convergenceTiny);
 * manifest(res, "quick").seeds; // { main: [0], exact: 0 }
 * ```
 */
export function manifest(res: ConvergenceResult, scale: "quick" | "paper"): ManifestInput {
  const runs = validateConvergenceConfig(res.config);
  const timing = (r: TrainResult) => ({
    seed: r.config.seed,
    batch: r.config.batch,
    wallTimeSec: r.wallTimeSec,
    promptsPerSec: r.prompts / r.wallTimeSec,
  });
  return {
    name: "02_convergence",
    config: {
      scale,
      ...res.config,
      resolved: {
        main: runs.main[0],
        exact: runs.exact,
        exactTwin: runs.exactTwin,
        full: runs.full,
        fullTf: runs.fullTf,
      },
    },
    seeds: { main: res.config.seeds, exact: runs.exact.seed },
    wallTimeSec: res.seconds.total,
    extra: {
      workers: res.workers,
      mainWallSec: res.seconds.main,
      cmpWallSec: res.seconds.compare,
      fullWallSec: res.seconds.full,
      perSeed: res.perSeed,
      timing: res.main.map(timing),
      cmpTiming: [res.exact, res.exactTwin].map(timing),
    },
  };
}

/** One saved block, read back from disk and measured again. */
export type SavedBlockCheck = {
  seed: number;
  /** The file it was read from. */
  path: string;
  /** Distance, cosines and scale recomputed from the blocks read back. */
  dist: number;
  cosP12: number;
  cosV21: number;
  c: number;
  /** The blocks and training config read back equal the trained ones bit for bit. */
  identical: boolean;
};

/**
 * Write each main run's block to `<dir>/sarsa_restricted_seed<S>.json` (`saveModel`, with
 * `extra` in its summary); returns the paths in `seeds` order.
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * import { saveBlocks } from "./convergence_saved.ts";
 * const res = await run(convergenceTiny);
 * const paths = await saveBlocks(res, Deno.makeTempDirSync(), { scale: "quick" });
 * ```
 */
export async function saveBlocks(
  res: ConvergenceResult,
  dir: string,
  extra: Record<string, unknown> = {},
): Promise<string[]> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(`saveBlocks: dir must be a folder path, got ${showValue(dir)}`);
  }
  const paths: string[] = [];
  for (const r of res.main) {
    const path = `${dir}/sarsa_restricted_seed${r.config.seed}.json`;
    await saveModel(path, r, extra);
    paths.push(path);
  }
  return paths;
}

/**
 * Load every file of `paths` from disk (`loadModel`) and recompute the manifold statistics from
 * the blocks read back; `identical` says whether they equal `res`'s trained blocks and config.
 *
 * @example
 * ```ts
 * import { convergenceTiny, run } from "./convergence.ts";
 * import { recheckSaved, saveBlocks } from "./convergence_saved.ts";
 * const res = await run(convergenceTiny);
 * const checks = await recheckSaved(res, await saveBlocks(res, Deno.makeTempDirSync()));
 * checks.every((c) => c.identical); // true
 * ```
 */
export async function recheckSaved(
  res: ConvergenceResult,
  paths: readonly string[],
): Promise<SavedBlockCheck[]> {
  if (!Array.isArray(paths) || paths.length !== res.main.length) {
    throw new RangeError(
      `recheckSaved: need one path per main run (${res.main.length}), got ${showValue(paths)}`,
    );
  }
  const out: SavedBlockCheck[] = [];
  for (const [i, path] of paths.entries()) {
    const saved = await loadModel(path);
    const trained = res.main[i];
    const st = manifoldStats(saved.model.blocks, taskConstruction(saved.model.task));
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      a.length === b.length && Array.from(a).every((x, k) => Object.is(x, b[k]));
    out.push({
      seed: saved.config.seed,
      path,
      dist: st.dist,
      cosP12: st.cosP12,
      cosV21: st.cosV21,
      c: st.cP,
      identical: same(saved.model.blocks.P12, trained.model.blocks.P12) &&
        same(saved.model.blocks.V21bar, trained.model.blocks.V21bar) &&
        JSON.stringify(saved.config) === JSON.stringify(trained.config),
    });
  }
  return out;
}
