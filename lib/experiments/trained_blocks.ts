/**
 * Load the blocks notebook 02 trained (MATH §6, §8.2) for a later notebook, from wherever the run
 * keeps them ({@linkcode findModelFile}: the run's output, `ICRL_MODELS`, then the committed
 * `data/models`), and check that each one was trained with the configuration this run expects.
 *
 * A block is accepted when its training configuration agrees with notebook 02's settings for the
 * run's scale. At a smaller scale (quick) the committed paper-scale blocks are accepted too when
 * no block of the run's own scale is found: a quick look at notebook 03 then evaluates the real
 * trained blocks, and says so. Anything else is a {@linkcode TrainedBlockMismatchError}.
 *
 * @module
 */

import { loadModel, type SavedModel } from "../train/model_io.ts";
import type { TrainConfig } from "../train/train.ts";
import { findModelFile, type ModelDir } from "../report/env.ts";
import { convergenceSettings } from "./convergence.ts";

/** A loaded block that passed the check. */
export interface TrainedBlock extends SavedModel {
  /** Training seed. */
  seed: number;
  /** File it was read from. */
  path: string;
  /** Which search directory held it. */
  origin: ModelDir["origin"];
}

/** The loaded blocks and a one-line account of where they came from. */
export interface TrainedBlocks {
  blocks: TrainedBlock[];
  /** The scale whose settings the blocks match ("quick" or "paper"). */
  scale: "quick" | "paper";
  /** e.g. `10 trained blocks (paper scale, K = 10000, T = 1000) from /r/data/models (committed)`. */
  source: string;
}

/** A block whose training configuration differs from what the run expects. */
export class TrainedBlockMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrainedBlockMismatchError";
  }
}

/** Keys that only change logging, not the trained block. */
const LOGGING_ONLY = new Set(["logEvery"]);

/**
 * The keys on which a saved training configuration differs from the expected one, as
 * `key: saved (expected …)` strings. Only keys present in both are compared (a key added to the
 * trainer later does not invalidate older files); `logEvery` is ignored.
 *
 * @example
 * ```ts
 * configMismatches({ K: 256, T: 100, seed: 0 }, { K: 10_000, T: 100, seed: 0 });
 * // ["K: 256 (expected 10000)"]
 * ```
 */
export function configMismatches(
  saved: Record<string, unknown>,
  expected: Record<string, unknown>,
): string[] {
  if (saved === null || typeof saved !== "object") {
    throw new TypeError(`configMismatches: saved config must be an object, got ${saved}`);
  }
  const out: string[] = [];
  for (const key of Object.keys(expected).sort()) {
    if (LOGGING_ONLY.has(key) || !(key in saved)) continue;
    const a = JSON.stringify(saved[key]);
    const b = JSON.stringify(expected[key]);
    if (a !== b) out.push(`${key}: ${a} (expected ${b})`);
  }
  return out;
}

/**
 * Load `sarsa_restricted_seed{S}.json` for each seed and check it against notebook 02's settings
 * for `scale` (see the module doc for the quick-scale fallback). Errors name the file and every
 * differing key.
 *
 * @example
 * ```ts
 * const { blocks, source } = await loadTrainedBlocks([0, 1], "quick");
 * source; // "2 trained blocks (quick scale, K = 256, T = 100) from /tmp/x/data/models (this run's output)"
 * ```
 */
export async function loadTrainedBlocks(
  seeds: readonly number[],
  scale: "quick" | "paper",
  prefix = "sarsa_restricted",
): Promise<TrainedBlocks> {
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every(Number.isInteger)) {
    throw new RangeError(`loadTrainedBlocks: seeds must be integers, got ${JSON.stringify(seeds)}`);
  }
  if (scale !== "quick" && scale !== "paper") {
    throw new RangeError(`loadTrainedBlocks: scale must be "quick" or "paper", got ${scale}`);
  }
  const expectedFor = (s: "quick" | "paper", seed: number): TrainConfig | undefined =>
    convergenceSettings(s).main.find((c) => c.seed === seed);
  const blocks: TrainedBlock[] = [];
  const scales = new Set<"quick" | "paper">();
  for (const seed of seeds) {
    const { path, origin } = findModelFile(`${prefix}_seed${seed}.json`);
    const saved = await loadModel(path);
    const candidates: ("quick" | "paper")[] = scale === "paper" ? ["paper"] : [scale, "paper"];
    let matched: "quick" | "paper" | undefined;
    let diffs: string[] = [];
    for (const s of candidates) {
      const want = expectedFor(s, seed);
      if (!want) continue;
      const d = configMismatches(
        saved.config as unknown as Record<string, unknown>,
        want as unknown as Record<string, unknown>,
      );
      if (d.length === 0) {
        matched = s;
        break;
      }
      if (s === scale) diffs = d;
    }
    if (matched === undefined) {
      throw new TrainedBlockMismatchError(
        `${path} (${origin}) was not trained with notebook 02's ${scale}-scale settings for ` +
          `seed ${seed}: ${diffs.join("; ") || "no settings for this seed"}. Re-run notebook 02 ` +
          `at this scale into the same output directory (deno task reproduce` +
          `${scale === "quick" ? " --quick" : ""} --only 02,03 --out DIR).`,
      );
    }
    scales.add(matched);
    blocks.push({ ...saved, seed, path, origin });
  }
  if (scales.size > 1) {
    throw new TrainedBlockMismatchError(
      `the trained blocks mix scales: ${
        blocks.map((b) => `${b.path} (K = ${b.config.K})`).join(", ")
      }; remove the stale files or re-run notebook 02`,
    );
  }
  const used = [...scales][0];
  const dirs = [
    ...new Set(blocks.map((b) => `${b.path.replace(/\/[^/]+$/, "")} (${b.origin})`)),
  ];
  const c = blocks[0].config;
  const note = used !== scale ? `; no ${scale}-scale blocks found` : "";
  return {
    blocks,
    scale: used,
    source: `${blocks.length} trained blocks (${used} scale, K = ${c.K}, T = ${c.T}${note}) from ${
      dirs.join(", ")
    }`,
  };
}
