/**
 * Notebook 08's trained transformers on disk: one checkpoint per pretraining run
 * (`<dir>/08_<run>.json`), each read back with `loadCheckpoint` and compared bit for bit with the
 * weights in memory, so the notebook's claim "saved" is checked, not assumed.
 *
 * @module
 */

import { loadCheckpoint, saveCheckpoint } from "../bandits/checkpoint.ts";
import type { PretrainExpResult, RunInfo } from "./pretrain.ts";

/** One saved run: where it went and whether it read back identically. */
export interface SavedRun {
  run: string;
  path: string;
  /** Number of weight entries compared after reading the file back. */
  weights: number;
}

/**
 * The file name a run's checkpoint gets: `08_<run name with non-alphanumerics as _>.json`.
 *
 * @example
 * ```ts
 * import { checkpointName } from "./pretrain_io.ts";
 * const f = checkpointName({ name: "AD · L = 2 · seed 0" });
 * if (f !== "08_AD_L_2_seed_0.json") throw new Error(f);
 * ```
 */
export function checkpointName(run: Pick<RunInfo, "name">): string {
  return `08_${run.name.replace(/[^A-Za-z0-9.]+/g, "_").replace(/_+$/, "")}.json`;
}

/**
 * Save every run's model and weights under `dir`, then read each file back and check that the
 * model config and every weight are identical (throws naming the run and the first differing
 * entry otherwise).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initWeights } from "../bandits/model_config.ts";
 * import type { RunInfo } from "./pretrain.ts";
 * import { saveRuns } from "./pretrain_io.ts";
 * const model = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 8 };
 * const run = { name: "AD · seed 0", model, weights: initWeights(model, new Rng(0)), context: "LinUCB",
 *   steps: 3, curve: [], repeatFloor: 0.5 } as unknown as RunInfo;
 * const dir = await Deno.makeTempDir();
 * const saved = await saveRuns({ runs: [run] }, dir, 8); // [{ run: "AD · seed 0", path, weights: … }]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveRuns(
  res: Pick<PretrainExpResult, "runs">,
  dir: string,
  batch: number,
): Promise<SavedRun[]> {
  const out: SavedRun[] = [];
  for (const r of res.runs) {
    const path = `${dir}/${checkpointName(r)}`;
    await saveCheckpoint(path, r.model, r.weights, {
      run: r.name,
      context: r.context,
      steps: r.steps,
      batch,
      final: r.curve.at(-1),
      repeatFloor: r.repeatFloor,
    });
    const back = await loadCheckpoint(path);
    if (JSON.stringify(back.model) !== JSON.stringify(r.model)) {
      throw new Error(`checkpoint ${path} (${r.name}): model config differs after reading back`);
    }
    let count = 0;
    for (const [k, w] of Object.entries(r.weights)) {
      const b = back.weights[k];
      if (b === undefined || b.length !== w.length) {
        throw new Error(`checkpoint ${path} (${r.name}): weight "${k}" missing or resized`);
      }
      for (let i = 0; i < w.length; i++) {
        if (!Object.is(b[i], w[i])) {
          throw new Error(
            `checkpoint ${path} (${r.name}): weight "${k}"[${i}] reads back as ${b[i]}, saved ${
              w[i]
            }`,
          );
        }
      }
      count += w.length;
    }
    out.push({ run: r.name, path, weights: count });
  }
  return out;
}
