/**
 * Supervised pretraining of the bandit transformer (MATH §9): cross-entropy between the model's
 * logits at every position and a target action — the logged action of the context algorithm
 * (algorithm distillation) or the optimal arm (DPT) — minimised with AdamW on minibatches of
 * offline trajectories, with a held-out split for loss and action-match accuracy curves.
 *
 * @module
 */

import { tf } from "../icrl/tf.ts";
import { createEngine, type EngineBackend } from "./engine/engine.ts";
import { validateAdamW, validateArchitecture } from "./model_config.ts";
import { AdamW } from "./adamw_tf.ts";
export { AdamW } from "./adamw_tf.ts";
import { Rng } from "../core/rng.ts";
import { assertInt } from "../core/validate.ts";
import {
  crossEntropy,
  initWeights,
  type MatmulMode,
  type TransformerConfig,
  TransformerModel,
  type TransformerWeights,
} from "./transformer.ts";
import {
  armFeatures,
  repeatPreviousAccuracy,
  type TargetKind,
  tokenDim,
  type TokenSource,
  trajectoryTargets,
  trajectoryTokens,
} from "./tokens.ts";

/** Pretraining settings (paper: AdamW lr 1e-3, weight decay 1e-4, batch 128). */
export interface PretrainConfig {
  /** Residual width D. */
  D: number;
  /** Transformer blocks. */
  layers: number;
  /** MLP hidden width. */
  mlpHidden: number;
  /** Optimiser steps. */
  steps: number;
  /** Trajectories per minibatch. */
  batch: number;
  /** AdamW learning rate. */
  lr: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** Clip the global gradient norm to this value (0 = no clipping). */
  clipNorm: number;
  /** Evaluate held-out loss/accuracy every this many steps (and at the end). */
  evalEvery: number;
  /** Target: logged action (AD) or optimal arm (DPT). */
  target: TargetKind;
  /** Seed of the initial weights and the minibatch order. */
  seed: number;
  /** Dense-layer gradient path (see transformer.ts). */
  matmul: MatmulMode;
  /** Attention heads M (absent: 1). */
  heads?: number;
}

/** One point of the learning curves. */
export interface PretrainCurveRow {
  /** Optimiser steps taken. */
  step: number;
  /** Mean training loss over the steps since the previous row. */
  trainLoss: number;
  /** Mean cross-entropy on the held-out trajectories. */
  heldoutLoss: number;
  /** Fraction of held-out positions where the argmax of the logits equals the target. */
  heldoutAcc: number;
  /** Seconds since the start of training. */
  seconds: number;
}

/** How {@linkcode pretrainTransformer} runs on an engine (`wasm`: the WebAssembly engine). */
export interface EngineTrainOptions {
  /** Engine backend; only `wasm` changes the path (others use the tfjs loop). */
  backend: EngineBackend;
  /** Workers of the wasm engine (default 1). */
  workers?: number;
  /** Attention heads M (default 1). */
  heads?: number;
  /** Steps at which to evaluate held-out imitation and call `onCheckpoint` (besides evalEvery). */
  checkpointSteps?: readonly number[];
  /** Called at each checkpoint with the weights; its (JSON-serialisable) value is collected. */
  onCheckpoint?: (
    step: number,
    weights: TransformerWeights,
    row: PretrainCurveRow,
  ) => unknown | Promise<unknown>;
  /**
   * Training-state file (weights, AdamW moments, minibatch stream, curves, checkpoint values):
   * written after every checkpoint; a run started with an existing file of the same settings
   * resumes after its last step.
   */
  stateFile?: string;
}

/** A trained model and its curves. */
export interface PretrainResult {
  /** The settings. */
  config: PretrainConfig;
  /** The architecture (derived from the data and the settings). */
  model: TransformerConfig;
  /** Final weights. */
  weights: TransformerWeights;
  /** Learning curves. */
  curve: PretrainCurveRow[];
  /** Held-out accuracy of "repeat the previous action" (positions ≥ 1). */
  repeatFloor: number;
  /** Held-out action-match accuracy at each position 0…T−1 of the final model. */
  accByPosition: number[];
  /** Training wall time (s). */
  wallTimeSec: number;
  /** Optimiser steps per second. */
  stepsPerSec: number;
  /** Values returned by `onCheckpoint`, in step order (engine runs only). */
  checkpointData?: unknown[];
  /** Step a resumed run started after (0 for a fresh run). */
  resumedFrom?: number;
}

const KEYS: (keyof PretrainConfig)[] = [
  "D",
  "layers",
  "mlpHidden",
  "steps",
  "batch",
  "lr",
  "weightDecay",
  "clipNorm",
  "evalEvery",
  "target",
  "seed",
  "matmul",
  "heads",
];

/**
 * Throw an error naming the first unknown key or out-of-range value of a {@linkcode PretrainConfig}.
 *
 * @example
 * ```ts
 * import type { PretrainConfig } from "./pretrain.ts";
 * import { validatePretrainConfig } from "./pretrain.ts";
 * const cfg: PretrainConfig = { D: 8, layers: 1, mlpHidden: 8, steps: 3, batch: 4, lr: 1e-3,
 *   weightDecay: 0, clipNorm: 1, evalEvery: 3, target: "optimal", seed: 0, matmul: "plain" };
 * validatePretrainConfig({ ...cfg, lr: 1e-3 }); // throws on e.g. { ...cfg, lr: 0 }
 * ```
 */
export function validatePretrainConfig(cfg: PretrainConfig): void {
  for (const k of Object.keys(cfg)) {
    if (!KEYS.includes(k as keyof PretrainConfig)) {
      throw new RangeError(`unknown pretrain config key "${k}"`);
    }
  }
  validateArchitecture(cfg);
  assertInt("steps", cfg.steps, 1, 1e9);
  assertInt("batch", cfg.batch, 1, 1e6);
  validateAdamW(cfg);
  assertInt("evalEvery", cfg.evalEvery, 1, 1e9);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  if (cfg.target !== "logged" && cfg.target !== "optimal") {
    throw new RangeError(`target must be "logged" or "optimal", got ${JSON.stringify(cfg.target)}`);
  }
  if (cfg.matmul !== "plain" && cfg.matmul !== "autodiff") {
    throw new RangeError(`matmul must be "plain" or "autodiff", got ${JSON.stringify(cfg.matmul)}`);
  }
}

/**
 * Held-out mean loss, accuracy and accuracy per position of `model` on trajectories `rows`
 * (processed in chunks of `chunk`).
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf } from "../icrl/tf.ts";
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * import { initWeights, TransformerModel } from "./transformer.ts";
 * import { evaluateImitation } from "./pretrain.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 8 }, 1, 4);
 * await initTf();
 * const set = { ...envs, ...simulate(envs, makePolicy({ name: "ts-beta" }, envs, 2)) };
 * const cfg = { tokenDim: 6, numActions: 5, maxLen: 8, D: 8, layers: 1, mlpHidden: 16 };
 * const model = new TransformerModel(cfg, initWeights(cfg, new Rng(0)));
 * const { loss, acc } = evaluateImitation(model, set, new Int32Array([0, 1]), "logged");
 * model.dispose();
 * ```
 */
export function evaluateImitation(
  model: TransformerModel,
  set: TokenSource,
  rows: ArrayLike<number>,
  target: TargetKind,
  chunk = 256,
): { loss: number; acc: number; accByPosition: number[] } {
  const T = set.horizon, F = tokenDim(set.numArms, armFeatures(set));
  if (rows.length === 0) throw new RangeError("rows must be non-empty");
  let lossSum = 0, hits = 0;
  const posHits = new Float64Array(T);
  for (let s = 0; s < rows.length; s += chunk) {
    const part = Array.from({ length: Math.min(chunk, rows.length - s) }, (_, i) => rows[s + i]);
    const y = trajectoryTargets(set, part, T, target);
    const x = trajectoryTokens(set, part, T);
    const [l, pred] = tf.tidy(() => {
      const logits = model.logits(tf.tensor3d(x, [part.length, T, F]));
      return [
        crossEntropy(logits, y).dataSync()[0],
        tf.argMax(logits, 2).dataSync() as Int32Array,
      ] as const;
    });
    lossSum += l * part.length;
    for (let i = 0; i < y.length; i++) {
      if (pred[i] === y[i]) {
        hits++;
        posHits[i % T]++;
      }
    }
  }
  return {
    loss: lossSum / rows.length,
    acc: hits / (rows.length * T),
    accByPosition: Array.from(posHits, (h) => h / rows.length),
  };
}

/**
 * Pretrain a fresh transformer on trajectories `trainRows` of `set`, tracking held-out loss and
 * accuracy on `heldRows`. Throws if the loss stops being finite (divergence).
 *
 * @example
 * ```ts
 * import { initTf } from "../icrl/tf.ts";
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { simulate } from "./simulate.ts";
 * import { pretrainTransformer } from "./pretrain.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 8 }, 1, 4);
 * await initTf();
 * const set = { ...envs, ...simulate(envs, makePolicy({ name: "ts-beta" }, envs, 2)) };
 * const cfg = { D: 8, layers: 1, mlpHidden: 8, steps: 3, batch: 4, lr: 1e-3,
 *   weightDecay: 0, clipNorm: 1, evalEvery: 3, target: "optimal", seed: 0, matmul: "plain" } as const;
 * const res = await pretrainTransformer(cfg, set, new Int32Array([0, 1, 2]), new Int32Array([3]));
 * res.curve.at(-1)!.heldoutAcc; // accuracy on trajectory 3 after 3 steps
 * ```
 */
export async function pretrainTransformer(
  cfg: PretrainConfig,
  set: TokenSource,
  trainRows: Int32Array,
  heldRows: Int32Array,
  onProgress?: (step: number, total: number, row?: PretrainCurveRow) => void,
  engine?: EngineTrainOptions,
): Promise<PretrainResult> {
  validatePretrainConfig(cfg);
  if (engine !== undefined && engine.backend === "wasm") {
    return await pretrainOnEngine(cfg, set, trainRows, heldRows, onProgress, engine);
  }
  const model = trainingModel(cfg, set, trainRows, heldRows, cfg.heads);
  const T = set.horizon, F = model.tokenDim;
  const rng = new Rng(cfg.seed);
  const net = new TransformerModel(model, initWeights(model, rng.fork("init")), cfg.matmul);
  const opt = new AdamW(cfg.lr, cfg.weightDecay);
  const order = rng.fork("minibatches");
  const B = cfg.batch;
  const rows = new Int32Array(B);
  const xbuf = new Float32Array(B * T * F);
  const curve: PretrainCurveRow[] = [];
  const t0 = performance.now();
  let lossAcc = 0, lossCount = 0;
  try {
    for (let step = 1; step <= cfg.steps; step++) {
      for (let b = 0; b < B; b++) rows[b] = trainRows[order.int(trainRows.length)];
      trajectoryTokens(set, rows, T, xbuf);
      const y = trajectoryTargets(set, rows, T, cfg.target);
      const loss = tf.tidy(() => {
        const x = tf.tensor3d(xbuf, [B, T, F]);
        const { value, grads } = tf.variableGrads(
          () => crossEntropy(net.logits(x), y),
          net.names.map((n) => net.vars[n]),
        );
        let gs: Record<string, tf.Tensor> = {};
        // variableGrads keys by variable name; map back to weight names
        net.names.forEach((n) => (gs[n] = grads[net.vars[n].name]));
        if (cfg.clipNorm > 0) {
          const norm = Math.sqrt(
            tf.addN(Object.values(gs).map((g) => tf.sum(tf.square(g)))).dataSync()[0],
          );
          if (norm > cfg.clipNorm) {
            const s = cfg.clipNorm / norm;
            gs = Object.fromEntries(Object.entries(gs).map(([k, g]) => [k, tf.mul(g, s)]));
          }
        }
        opt.step(net.vars, gs);
        return value.dataSync()[0];
      });
      if (!Number.isFinite(loss)) {
        throw new Error(`pretraining diverged at step ${step}: training loss ${loss}`);
      }
      lossAcc += loss;
      lossCount++;
      if (step % cfg.evalEvery === 0 || step === cfg.steps) {
        const ev = evaluateImitation(net, set, heldRows, cfg.target);
        if (!Number.isFinite(ev.loss)) {
          throw new Error(`pretraining diverged at step ${step}: held-out loss ${ev.loss}`);
        }
        const row = {
          step,
          trainLoss: lossAcc / lossCount,
          heldoutLoss: ev.loss,
          heldoutAcc: ev.acc,
          seconds: (performance.now() - t0) / 1000,
        };
        curve.push(row);
        lossAcc = 0;
        lossCount = 0;
        onProgress?.(step, cfg.steps, row);
      } else if (step % 10 === 0) onProgress?.(step, cfg.steps);
    }
    const wallTimeSec = (performance.now() - t0) / 1000;
    const final = evaluateImitation(net, set, heldRows, cfg.target);
    return {
      config: { ...cfg },
      model,
      weights: net.weights(),
      curve,
      repeatFloor: repeatPreviousAccuracy(set, heldRows, cfg.target),
      accByPosition: final.accByPosition,
      wallTimeSec,
      stepsPerSec: cfg.steps / wallTimeSec,
    };
  } finally {
    net.dispose();
    opt.dispose();
  }
}

/** Check the split (non-empty, disjoint) and derive the architecture a run trains. */
function trainingModel(
  cfg: PretrainConfig,
  set: TokenSource,
  trainRows: Int32Array,
  heldRows: Int32Array,
  heads: number | undefined,
): TransformerConfig {
  if (trainRows.length < 1 || heldRows.length < 1) {
    throw new RangeError(
      `need ≥ 1 training and held-out trajectory, got ${trainRows.length} and ${heldRows.length}`,
    );
  }
  const held = new Set(heldRows);
  for (const r of trainRows) {
    if (held.has(r)) throw new RangeError(`trajectory ${r} is both in training and held out`);
  }
  return {
    tokenDim: tokenDim(set.numArms, armFeatures(set)),
    numActions: set.numArms,
    maxLen: set.horizon,
    D: cfg.D,
    layers: cfg.layers,
    mlpHidden: cfg.mlpHidden,
    ...(heads !== undefined ? { heads } : {}),
  };
}

/** Held-out loss and accuracy from logits `rows × T × A` already computed (float32). */
function imitationFromLogits(
  logits: Float32Array,
  y: Int32Array,
  A: number,
  T: number,
  posHits: Float64Array,
): { lossSum: number; hits: number } {
  let lossSum = 0, hits = 0;
  for (let r = 0; r < y.length; r++) {
    let mx = -Infinity, best = 0;
    for (let a = 0; a < A; a++) {
      const v = logits[r * A + a];
      if (v > mx) [mx, best] = [v, a];
    }
    let z = 0;
    for (let a = 0; a < A; a++) z += Math.exp(logits[r * A + a] - mx);
    lossSum += Math.log(z) + mx - logits[r * A + y[r]];
    if (best === y[r]) {
      hits++;
      posHits[r % T]++;
    }
  }
  return { lossSum, hits };
}

/**
 * {@linkcode pretrainTransformer} on the wasm engine (`engine/`): the same initial weights,
 * minibatch order, loss, AdamW and curves; float32 products in WebAssembly SIMD, the batch split
 * over `workers` Workers (same bits for any worker count).
 */
async function pretrainOnEngine(
  cfg: PretrainConfig,
  set: TokenSource,
  trainRows: Int32Array,
  heldRows: Int32Array,
  onProgress: ((step: number, total: number, row?: PretrainCurveRow) => void) | undefined,
  engine: EngineTrainOptions,
): Promise<PretrainResult> {
  const model = trainingModel(cfg, set, trainRows, heldRows, cfg.heads ?? engine.heads);
  const T = set.horizon, A = set.numArms, F = model.tokenDim;
  const rng = new Rng(cfg.seed);
  const B = cfg.batch;
  const evalChunk = Math.max(B, 64);
  const eng = await createEngine(
    model,
    initWeights(model, rng.fork("init")),
    { lr: cfg.lr, weightDecay: cfg.weightDecay, clipNorm: cfg.clipNorm },
    { backend: "wasm", workers: engine.workers ?? 1, maxBatch: evalChunk },
  );
  const evaluate = async () => {
    let lossSum = 0, hits = 0;
    const posHits = new Float64Array(T);
    for (let s = 0; s < heldRows.length; s += evalChunk) {
      const part = heldRows.subarray(s, Math.min(heldRows.length, s + evalChunk));
      const logits = await eng.logits(trajectoryTokens(set, part, T), part.length, T);
      const r = imitationFromLogits(
        logits,
        trajectoryTargets(set, part, T, cfg.target),
        A,
        T,
        posHits,
      );
      lossSum += r.lossSum;
      hits += r.hits;
    }
    const n = heldRows.length;
    return {
      loss: lossSum / (n * T),
      acc: hits / (n * T),
      accByPosition: Array.from(posHits, (h) => h / n),
    };
  };
  let order = rng.fork("minibatches");
  const rows = new Int32Array(B);
  const xbuf = new Float32Array(B * T * F);
  let curve: PretrainCurveRow[] = [];
  let checkpointData: unknown[] = [];
  const marks = new Set(engine.checkpointSteps ?? []);
  for (const m of marks) assertInt("checkpoint step", m, 1, cfg.steps);
  const t0 = performance.now();
  let lossAcc = 0, lossCount = 0, first = 1, priorSec = 0;
  const stateKey = JSON.stringify({ cfg, model, train: trainRows.length, held: heldRows.length });
  if (engine.stateFile !== undefined) {
    const st = await readTrainingState(engine.stateFile);
    if (st !== null) {
      if (st.key !== stateKey) {
        throw new Error(
          `training state ${engine.stateFile} was written by other settings; remove it to start afresh`,
        );
      }
      eng.setWeights(st.weights);
      eng.setOptimizerState({ step: st.step, m: st.m, v: st.v });
      order = Rng.fromRawState(st.rng);
      curve = st.curve;
      checkpointData = st.checkpointData;
      first = st.step + 1;
      priorSec = st.seconds;
    }
  }
  try {
    for (let step = first; step <= cfg.steps; step++) {
      for (let b = 0; b < B; b++) rows[b] = trainRows[order.int(trainRows.length)];
      trajectoryTokens(set, rows, T, xbuf);
      const y = trajectoryTargets(set, rows, T, cfg.target);
      const loss = await eng.trainStep(xbuf, y, B, T);
      lossAcc += loss;
      lossCount++;
      if (step % cfg.evalEvery === 0 || step === cfg.steps || marks.has(step)) {
        const ev = await evaluate();
        if (!Number.isFinite(ev.loss)) {
          throw new Error(
            `pretraining diverged at step ${step} (lr ${cfg.lr}): held-out loss ${ev.loss}`,
          );
        }
        const row = {
          step,
          trainLoss: lossAcc / lossCount,
          heldoutLoss: ev.loss,
          heldoutAcc: ev.acc,
          seconds: priorSec + (performance.now() - t0) / 1000,
        };
        curve.push(row);
        lossAcc = 0;
        lossCount = 0;
        if (marks.has(step)) {
          checkpointData.push(await engine.onCheckpoint?.(step, eng.getWeights(), row) ?? null);
          if (engine.stateFile !== undefined) {
            await writeTrainingState(engine.stateFile, {
              key: stateKey,
              weights: eng.getWeights(),
              ...eng.optimizerState(),
              rng: order.stateWords(),
              curve,
              checkpointData,
              seconds: row.seconds,
            });
          }
        }
        onProgress?.(step, cfg.steps, row);
      } else if (step % 10 === 0) onProgress?.(step, cfg.steps);
    }
    const wallTimeSec = priorSec + (performance.now() - t0) / 1000;
    const final = await evaluate();
    return {
      config: { ...cfg },
      model,
      weights: eng.getWeights(),
      curve,
      repeatFloor: repeatPreviousAccuracy(set, heldRows, cfg.target),
      accByPosition: final.accByPosition,
      wallTimeSec,
      stepsPerSec: cfg.steps / wallTimeSec,
      checkpointData,
      resumedFrom: first - 1,
    };
  } finally {
    eng.dispose();
  }
}

/** What a training-state file holds. */
interface TrainingState {
  key: string;
  step: number;
  weights: TransformerWeights;
  m: Float32Array;
  v: Float32Array;
  rng: number[];
  curve: PretrainCurveRow[];
  checkpointData: unknown[];
  seconds: number;
}

const STATE_FORMAT = "icrl-bandit-training-state/1";

async function writeTrainingState(path: string, st: TrainingState): Promise<void> {
  const body = {
    format: STATE_FORMAT,
    ...st,
    weights: Object.fromEntries(Object.entries(st.weights).map(([k, v]) => [k, Array.from(v)])),
    m: Array.from(st.m),
    v: Array.from(st.v),
  };
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(body));
  await Deno.rename(tmp, path);
}

/** The state in `path`, null when there is none; a corrupt file throws naming it. */
async function readTrainingState(path: string): Promise<TrainingState | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const j = JSON.parse(text);
    if (j.format !== STATE_FORMAT) throw new Error(`format is ${JSON.stringify(j.format)}`);
    const weights: TransformerWeights = {};
    for (const [k, v] of Object.entries(j.weights)) weights[k] = Float32Array.from(v as number[]);
    return {
      key: j.key,
      step: j.step,
      weights,
      m: Float32Array.from(j.m),
      v: Float32Array.from(j.v),
      rng: j.rng,
      curve: j.curve,
      checkpointData: j.checkpointData,
      seconds: j.seconds,
    };
  } catch (e) {
    throw new Error(`training state ${path} is corrupt: ${(e as Error).message}`);
  }
}
