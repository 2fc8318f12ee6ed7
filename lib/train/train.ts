/**
 * Teacher-mimicking training of the linear self-attention block ([LL26] Algorithm 1, MATH §6).
 *
 * For each training MDP k (fresh MDP, fresh features, θ ~ Unif(−1,1), s_0 ~ p0), T times: roll out
 * n steps of the behaviour policy of θ, compute the teacher's target, take one optimiser step on
 * `½‖TF(H(z,θ)) − target‖²` (θ is data, not a parameter), then `θ ← target` and `s_0 ← s_n`.
 *
 * **Modes.** `batch = 1` is the paper's **exact** protocol (one prompt per optimiser step, MDPs in
 * sequence). `batch = B > 1` is the **batched** mode: MDPs `gB … gB+B−1` are advanced side by side
 * and each optimiser step uses the mean loss of their B prompts; the per-prompt semantics (rollout,
 * target, θ ← target, s_0 ← s_n) are identical. MDP k's data stream is `fork("mdp").fork(k)` of the
 * seed in both modes (`lib/core/streams.ts`), so the two modes see the same MDPs, features and initial θ. The learning rate
 * is `lr · lrDecay^⌊k₀/lrDecayEvery⌋` with k₀ the index of the first MDP of the current group.
 *
 * **Engines.** `"js"`: hand-derived gradients in float64 typed arrays (`grad.ts`) — the fast path.
 * `"tfjs"`: float32 gradients by tfjs autodiff of the same loss (reference; used to measure
 * Prop 3.1 through autodiff). The optimiser runs in float64 in both.
 *
 * @module
 */

import { paramsToBlocks } from "../icrl/lsa.ts";
import { fullLossGrad, NonFiniteLossError, restrictedLossGrad } from "../icrl/grad.ts";
import { restrictedScratch } from "../icrl/restricted.ts";
import { fusedBatch, fusedPrompt, fusedStep } from "./fused.ts";
import { taskStepFast } from "../icrl/fast_task.ts";
import { WasmAdam } from "./wasm_adam.ts";
import { promptRingLength, startPromptWorker } from "./stream.ts";
import { initParams, prop31Drift, snapshotModel } from "./params.ts";
import { manifoldStats } from "../icrl/manifold.ts";
import { adam, gradientDescent, type Optimizer } from "../core/optim.ts";
import { buildPrompt } from "../icrl/prompt.ts";
import { trainingInitStream, trainingMdpStream } from "../core/streams.ts";
import {
  newTaskEnv,
  taskAdvance,
  taskConstruction,
  taskDims,
  type TaskEnv,
  taskStep,
} from "../icrl/tasks.ts";
import {
  type TrainConfig,
  trainConfig,
  type TrainKernel,
  type TrainMetrics,
  type TrainProgress,
  type TrainResult,
} from "./config.ts";

export * from "./config.ts";

/**
 * Run teacher-mimicking training (Algorithm 1). Deterministic given `config.seed`.
 * Yields to the event loop about every 200 ms so progress displays can update.
 *
 * @example
 * ```ts
 * import { trainConfig, trainTeacherMimic } from "./train.ts";
 * const res = await trainTeacherMimic(trainConfig({ K: 64, T: 100, batch: 64, seed: 1 }));
 * res.metrics.at(-1)!.cosP12; // → ±1 as training converges
 * ```
 */
export async function trainTeacherMimic(
  config: TrainConfig,
  onProgress?: TrainProgress,
  kernel: TrainKernel = "fused",
): Promise<TrainResult> {
  const cfg = trainConfig(config);
  const { task, K, T, batch } = cfg;
  const { m, p } = taskDims(task);
  const n = task.n;
  const st = initParams(task, cfg.param, cfg.initGain, trainingInitStream(cfg.seed));
  const init = snapshotModel(task, st);
  const star = taskConstruction(task);
  const opt: Optimizer = cfg.optimizer === "adam" ? adam(st.flat.length) : gradientDescent();
  const tfGrad = cfg.engine === "tfjs" ? await import("./train_tf.ts") : null;
  if (kernel !== "fused" && kernel !== "reference" && kernel !== "streamed") {
    throw new RangeError(
      `kernel must be "fused", "streamed" or "reference", got ${JSON.stringify(kernel)}`,
    );
  }
  const streamed = kernel === "streamed";
  if (streamed && (tfGrad || !st.blocks || cfg.optimizer !== "adam")) {
    throw new RangeError(
      `kernel "streamed" needs param "restricted", engine "js" and optimizer "adam", got ` +
        `${cfg.param}, ${cfg.engine}, ${cfg.optimizer}`,
    );
  }
  // The fused path: with Adam, each prompt's forward/backward and the optimiser pass run in
  // WebAssembly SIMD on parameters held in its memory (tokens are written straight into it; when
  // streamed, the prompt ring lives there too); with plain GD, the TypeScript fused kernels.
  const fusedPath = !tfGrad && st.blocks && kernel !== "reference";
  const slots = Math.max(64, 2 * batch);
  const ringLength = streamed ? promptRingLength(n, m, p - 1, slots) : 0;
  const wAdam = fusedPath && cfg.optimizer === "adam"
    ? new WasmAdam(m, p, st.flat, batch, n, ringLength)
    : null;
  const fused = fusedPath && !wAdam ? fusedBatch(m, p, n, batch) : null;
  if (wAdam) {
    st.flat = wAdam.params;
    st.blocks = wAdam.blocks;
  }

  const Xs: Float64Array[] = Array.from(
    { length: batch },
    (_, b) => wAdam ? wAdam.tokens(b) : new Float64Array(n * m),
  );
  const targets: Float64Array[] = Array.from({ length: batch }, () => new Float64Array(p - 1));
  const scratch = restrictedScratch(m, p, n);
  const metrics: TrainMetrics[] = [];
  const totalSteps = Math.ceil(K / batch) * T;
  const total = K * T;
  let step = 0, prompts = 0, winLoss = 0, winCount = 0;
  let lastYield = performance.now();
  const t0 = performance.now();

  const record = (mdps: number, lr: number) => {
    const blocks = st.blocks ?? paramsToBlocks(st.full!, m);
    const ms = manifoldStats(blocks, star);
    const pd = st.full ? prop31Drift(st.full, init.full!, m) : { drift: NaN, zeroBlocks: NaN };
    const row: TrainMetrics = {
      step,
      prompts,
      mdps,
      lr,
      loss: winLoss / winCount,
      ...ms,
      ...pd,
    };
    metrics.push(row);
    winLoss = 0;
    winCount = 0;
    onProgress?.(prompts, total, row);
  };

  // Streamed: the prompts come from a rollout worker in the order of the loop below.
  const producer = streamed
    ? await startPromptWorker(
      { task, seed: cfg.seed, K, T, batch },
      m,
      p - 1,
      slots,
      wAdam!.extraRegion(),
    )
    : null;
  try {
    for (let k0 = 0; k0 < K; k0 += batch) {
      const envs: TaskEnv[] = [];
      for (let k = k0; !producer && k < Math.min(K, k0 + batch); k++) {
        envs.push(newTaskEnv(task, trainingMdpStream(cfg.seed, k)));
      }
      const B = Math.min(K, k0 + batch) - k0;
      const lr = cfg.lr * Math.pow(cfg.lrDecay, Math.floor(k0 / cfg.lrDecayEvery));
      for (let t = 0; t < T; t++) {
        let stepLoss = 0;
        const stepFn = kernel === "reference" ? taskStep : taskStepFast;
        if (!producer) { for (let b = 0; b < B; b++) stepFn(task, envs[b], Xs[b], targets[b]); }
        if (producer) {
          // Prompt b of this step is the producer's next slot; its loss and factors go to slot b.
          for (let b = 0; b < B; b++) {
            const slot = producer.stream.next();
            stepLoss += wAdam!.prompt(b, slot.theta, slot.target, 1 / B, slot.X);
          }
          producer.stream.release();
          stepLoss /= B;
        } else if (wAdam) {
          for (let b = 0; b < B; b++) stepLoss += wAdam.prompt(b, envs[b].theta, targets[b], 1 / B);
          stepLoss /= B;
        } else if (fused) {
          for (let b = 0; b < B; b++) {
            stepLoss += fusedPrompt(fused, st.blocks!, Xs[b], envs[b].theta, targets[b], b, 1 / B);
          }
          stepLoss /= B;
        } else if (tfGrad) {
          st.grad.fill(0);
          stepLoss = tfGrad.batchLossGrad(cfg, st.flat, st.grad, envs, Xs, targets);
        } else {
          st.grad.fill(0);
          for (let b = 0; b < B; b++) {
            try {
              if (st.blocks) {
                stepLoss += restrictedLossGrad(
                  st.blocks,
                  Xs[b],
                  n,
                  envs[b].theta,
                  targets[b],
                  st.gBlocks!.P12,
                  st.gBlocks!.V21bar,
                  1 / B,
                  scratch,
                );
              } else {
                const H = buildPrompt(Xs[b], n, m, envs[b].theta).H;
                stepLoss += fullLossGrad(
                  st.full!,
                  H,
                  n,
                  m,
                  targets[b],
                  st.gFull!.P,
                  st.gFull!.V,
                  1 / B,
                );
              }
            } catch (e) {
              // Overflowing parameters: report below as divergence, with the step and the lr.
              if (!(e instanceof NonFiniteLossError)) throw e;
              stepLoss += e.loss;
            }
          }
          stepLoss /= B;
        }
        if (!Number.isFinite(stepLoss) || stepLoss > cfg.divergeLoss) {
          throw new Error(
            `training diverged at step ${step + 1} (MDPs ${k0}…${k0 + B - 1}, iteration ${t}): ` +
              `loss = ${stepLoss} (limit ${cfg.divergeLoss}); lower lr (now ${lr})`,
          );
        }
        if (wAdam) wAdam.step(null, lr, B);
        else if (fused) fusedStep(st.blocks!, fused, B, null, lr);
        else opt.step(st.flat, st.grad, lr);
        for (let b = 0; b < envs.length; b++) taskAdvance(envs[b], targets[b]);
        step++;
        prompts += B;
        winLoss += stepLoss;
        winCount++;
        if (step === 1 || step % cfg.logEvery === 0 || step === totalSteps) record(k0 + B, lr);
        else if (onProgress && (step & 63) === 0) onProgress(prompts, total);
        if ((step & 15) === 0 && performance.now() - lastYield > 200) {
          await new Promise((r) => setTimeout(r, 0));
          lastYield = performance.now();
        }
      }
    }
  } finally {
    producer?.stop();
  }
  for (let i = 0; i < st.flat.length; i++) {
    if (!Number.isFinite(st.flat[i])) {
      throw new Error(`training produced a non-finite parameter at index ${i}: ${st.flat[i]}`);
    }
  }
  return {
    config: cfg,
    model: snapshotModel(task, st),
    init,
    metrics,
    wallTimeSec: (performance.now() - t0) / 1000,
    prompts,
  };
}
