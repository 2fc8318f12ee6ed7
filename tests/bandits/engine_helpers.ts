// Shared by the engine tests: learnable batches and a 200-step loss curve per backend.
import { Rng } from "../../lib/core/rng.ts";
import { initWeights, type TransformerConfig } from "../../lib/bandits/model_config.ts";
import { createEngine } from "../../lib/bandits/engine/engine.ts";

/** The small model of the engine tests. */
export const small: TransformerConfig = {
  tokenDim: 7,
  numActions: 5,
  maxLen: 12,
  D: 16,
  layers: 2,
  mlpHidden: 16,
  heads: 2,
};
/** The AdamW settings of the engine tests. */
export const opt = { lr: 1e-3, weightDecay: 1e-4, clipNorm: 0 };

/** Fresh batches whose targets are a fixed function of the current token (learnable). */
export function teacherBatches(cfg: TransformerConfig, B: number, T: number, steps: number) {
  const rng = new Rng(5), teacher = initWeights(cfg, new Rng(99)), F = cfg.tokenDim;
  return Array.from({ length: steps }, () => {
    const tokens = new Float32Array(B * T * F).map(() => rng.normal());
    const targets = new Int32Array(B * T);
    for (let i = 0; i < B * T; i++) {
      let best = 0, bv = -Infinity;
      for (let a = 0; a < cfg.numActions; a++) {
        let v = 0;
        for (let c = 0; c < F; c++) v += tokens[i * F + c] * teacher.embed[c * cfg.D + a];
        if (v > bv) [bv, best] = [v, a];
      }
      targets[i] = best;
    }
    return { tokens, targets };
  });
}

export async function lossCurve(
  backend: "tfjs-wasm" | "wasm" | "webgpu",
  steps = 200,
): Promise<number[]> {
  const B = 8, T = 12;
  const eng = await createEngine(small, initWeights(small, new Rng(2)), opt, {
    backend,
    maxBatch: B,
    workers: 2,
    allowFallbackGpu: true,
  });
  try {
    const out = [];
    for (const { tokens, targets } of teacherBatches(small, B, T, steps)) {
      out.push(await eng.trainStep(tokens, targets, B, T));
    }
    return out;
  } finally {
    eng.dispose();
  }
}
