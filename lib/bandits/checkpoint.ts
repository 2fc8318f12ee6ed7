/**
 * Transformer checkpoints (`data/models/…json`): the architecture, the weights (float32 values
 * written as JSON numbers, which round-trip exactly) and a free-form summary (training settings,
 * final metrics). Written atomically (temp file + rename).
 *
 * @module
 */

import {
  type TransformerConfig,
  validateTransformerConfig,
  validateWeights,
} from "./transformer.ts";
import type { TransformerWeights } from "./transformer.ts";

/** The on-disk format tag. */
export const CHECKPOINT_FORMAT = "icrl-bandit-transformer/1";

/** A loaded checkpoint. */
export interface Checkpoint {
  model: TransformerConfig;
  weights: TransformerWeights;
  summary: Record<string, unknown>;
}

/**
 * Write a checkpoint to `path` (creating its folder).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initWeights } from "./transformer.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const model = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };
 * const path = `${await Deno.makeTempDir()}/model.json`;
 * await saveCheckpoint(path, model, initWeights(model, new Rng(0)), { steps: 0 });
 * (await loadCheckpoint(path)).summary; // { steps: 0 }
 * await Deno.remove(path);
 * ```
 */
export async function saveCheckpoint(
  path: string,
  model: TransformerConfig,
  weights: TransformerWeights,
  summary: Record<string, unknown> = {},
): Promise<void> {
  const shapes = validateWeights(model, weights); // the model first, then the weights
  const body = {
    format: CHECKPOINT_FORMAT,
    model,
    weights: Object.fromEntries(shapes.map(([n]) => [n, Array.from(weights[n])])),
    summary,
  };
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(body));
  await Deno.rename(tmp, path);
}

/**
 * Read a checkpoint written by {@linkcode saveCheckpoint}; errors name the file and the problem
 * (missing, not JSON, wrong format, wrong shapes, non-finite weights).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initWeights } from "./transformer.ts";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const cfg = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };
 * const path = `${await Deno.makeTempDir()}/model.json`;
 * await saveCheckpoint(path, cfg, initWeights(cfg, new Rng(0)));
 * const { model, weights } = await loadCheckpoint(path); // model deep-equals cfg
 * await Deno.remove(path);
 * ```
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  // deno-lint-ignore no-explicit-any
  let j: any;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`checkpoint ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (j?.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `checkpoint ${path}: format is ${JSON.stringify(j?.format)}, expected "${CHECKPOINT_FORMAT}"`,
    );
  }
  try {
    validateTransformerConfig(j.model);
    const weights: TransformerWeights = {};
    for (const [k, v] of Object.entries(j.weights ?? {})) {
      if (!Array.isArray(v)) throw new RangeError(`weight "${k}" is not an array`);
      weights[k] = Float32Array.from(v as number[]);
    }
    validateWeights(j.model, weights);
    return { model: j.model, weights, summary: j.summary ?? {} };
  } catch (e) {
    throw new Error(`checkpoint ${path}: ${(e as Error).message}`);
  }
}
