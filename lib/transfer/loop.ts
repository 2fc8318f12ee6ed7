/**
 * The closed loop: in-context control on **unseen** MDPs (MATH §8.3, and §8.4 for the actor–critic).
 *
 * On each test MDP: start from an initial θ (SARSA: `w ~ Unif(−1,1)^d`; AC: `[w ; λ]`, exactly as
 * {@linkcode newTaskEnv} draws it) and `s_0 ~ p0`; then, for `u = 1 … U`, roll out `n` steps of the
 * behaviour policy of the current θ from the current state (SARSA: ε-greedy w.r.t. `wᵀφ`; AC:
 * softmax `π_λ` — MATH §2, via {@linkcode taskStep}), set `θ ←` the learner's update, and continue
 * from `s_n` (via {@linkcode taskAdvance}). At the chosen steps the **exact** return `J` (MATH §1)
 * of the greedy policy of `w` (SARSA) or of `π_λ` (AC) is recorded, next to the oracle's `J`
 * (value iteration) and the uniform-random policy's `J`.
 *
 * **Streams.** Test MDP `j` is drawn from `new Rng(seed).fork("transfer-test").fork(j)`, a family
 * disjoint from the training streams `new Rng(seed).fork("mdp").fork(k)` of MATH §6 (checked by
 * {@linkcode assertDisjointStreams}). All learners on one MDP start from the same θ and `s_0`; each
 * learner rolls out from its own stream `fork("rollout").fork(name)` of the MDP's stream, so the
 * numbers of one learner do not depend on which other learners run. `rolloutStreams: "shared"`
 * gives every learner the same stream (common random numbers) instead.
 *
 * The evaluator uses the tasks (`lib/icrl/tasks.ts`) and learners only — never the trainer or the
 * gradients: training and evaluation are siblings over lib/icrl. Statistics are in `stats.ts`.
 *
 * @module
 */

import { greedyActions, softmaxPolicy } from "../mdp/policy.ts";
import { emptyTrajectory } from "../mdp/rollout.ts";
import { policyReturn, uniformReturn, valueIteration } from "../mdp/evaluate.ts";
import { taskStepFast } from "../icrl/fast_task.ts";
import {
  newTaskEnv,
  taskAdvance,
  taskDims,
  type TaskEnv,
  type TaskSpec,
  taskStep,
} from "../icrl/tasks.ts";
import { rolloutStream, testMdpStream } from "../core/streams.ts";
import {
  assertKernel,
  batchFromLearner,
  type BatchLearner,
  isBatchLearner,
  type Learner,
  validateLearners,
} from "./learners.ts";
import { assertDisjointStreams, type TransferConfig, validateTransferConfig } from "./config.ts";

/** One recorded point: learner `learner` on test MDP `mdp` after `step` updates. */
export type TransferRow = {
  /** Test MDP index j. */
  mdp: number;
  /** Learner name. */
  learner: string;
  /** Updates done (0 = initial θ). */
  step: number;
  /** Exact return of the greedy policy of w (SARSA) or of π_λ (AC). */
  J: number;
  /** Normalised score `(J − J_random)/(J_oracle − J_random)` (NaN if the two references coincide). */
  score: number;
};

/** The reference returns of one test MDP. */
export type TransferMdpRow = {
  /** Test MDP index j. */
  mdp: number;
  /** J of the optimal policy (value iteration). */
  oracle: number;
  /** J of the uniform-random policy. */
  random: number;
};

/** Result of {@linkcode evaluateTransfer}. */
export interface TransferResult {
  /** The configuration (validated). */
  config: TransferConfig;
  /** Learner names, in evaluation order. */
  learners: string[];
  /** Tidy rows, ordered by MDP, then learner, then step. */
  rows: TransferRow[];
  /** Reference returns per MDP. */
  mdps: TransferMdpRow[];
  /** Prompts processed (numMdps · updates · learners). */
  prompts: number;
  /** Wall time of the loop, seconds (including the J evaluations). */
  wallTimeSec: number;
  /** prompts / wallTimeSec. */
  promptsPerSec: number;
}

/** Progress callback: prompts done and total. */
export type TransferProgress = (done: number, total: number) => void;

/**
 * J of the evaluated policy of θ: greedy in w (SARSA) or π_λ (AC). Greedy policies are memoised
 * per MDP by their action vector (the same table gives the same exact J), which makes recording
 * J at every step nearly free for SARSA.
 */
function thetaReturn(
  task: TaskSpec,
  env: TaskEnv,
  pi: Float64Array,
  memo: Map<number, number>,
): number {
  if (task.kind === "ac") {
    return policyReturn(env.mdp, softmaxPolicy(env.feat, env.theta.subarray(task.dPsi), pi));
  }
  const actions = greedyActions(env.feat, env.theta);
  const { nS, nA } = env.mdp;
  let key = 0;
  for (let s = 0; s < nS; s++) key = key * nA + actions[s];
  const exact = Number.isSafeInteger(key) && Math.pow(nA, nS) <= Number.MAX_SAFE_INTEGER;
  if (exact) {
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
  }
  pi.fill(0);
  for (let s = 0; s < nS; s++) pi[s * nA + actions[s]] = 1; // = greedyPolicy(feat, w)
  const J = policyReturn(env.mdp, pi);
  if (exact) memo.set(key, J);
  return J;
}

/**
 * Run the closed-loop transfer evaluation (MATH §8.3; §8.4 for `task.kind = "ac"`). Deterministic
 * given `cfg.seed`; a learner's numbers depend only on the seed, its name and itself. Yields to
 * the event loop about every 200 ms so progress displays can update. `kernel` picks how prompts are
 * produced: `"fused"` (`icrl/fast_task.ts`, default) or `"reference"` (`icrl/tasks.ts`'s `taskStep`); both
 * give bit-identical numbers.
 *
 * Learners are per-prompt ({@linkcode Learner}) or batched ({@linkcode BatchLearner}: one call per
 * update step for all test MDPs, for models whose forward pass is cheaper on a batch). With only
 * per-prompt learners the MDPs are run one at a time (each stays in cache); with a batched learner
 * among them, all MDPs advance side by side. Both orders give the same rows, ordered by MDP, then
 * learner, then step.
 *
 * @example
 * ```ts
 * import { evaluateTransfer } from "./loop.ts";
 * import { recordGrid, transferConfig } from "./config.ts";
 * import { constructedLearner, teacherLearner } from "./learners.ts";
 * import { summariseTransfer } from "./stats.ts";
 * const cfg = transferConfig({ numMdps: 3, updates: 20, recordAt: recordGrid(20, 5) });
 * const res = await evaluateTransfer(cfg, [teacherLearner(), constructedLearner(cfg.task)]);
 * const summary = summariseTransfer(res); // add blockLearner("trained", model) for a trained block
 * ```
 */
export async function evaluateTransfer(
  config: TransferConfig,
  learners: readonly (Learner | BatchLearner)[],
  onProgress?: TransferProgress,
  kernel: "fused" | "reference" = "fused",
): Promise<TransferResult> {
  const cfg = validateTransferConfig({ ...config, recordAt: [...config.recordAt] });
  const { task, numMdps, updates, recordAt } = cfg;
  validateLearners(task, learners);
  if (cfg.training) {
    assertDisjointStreams(cfg.training, cfg, learners.map((l) => l.name));
  }
  const { m, p } = taskDims(task);
  const n = task.n, q = p - 1;
  assertKernel(kernel);
  const stepFn = kernel === "fused" ? taskStepFast : taskStep;
  const record = new Uint8Array(updates + 1);
  for (const u of recordAt) record[u] = 1;
  const batched = learners.map((l) => isBatchLearner(l) ? l : batchFromLearner(l));
  const chunk = learners.some(isBatchLearner) ? numMdps : 1;

  // Buffers of one chunk of MDPs, reused across chunks (the MDP, features and ψ are read-only).
  const Xs = Array.from({ length: chunk }, () => new Float64Array(n * m));
  const targets = Array.from({ length: chunk }, () => new Float64Array(q));
  const outs = Array.from({ length: chunk }, () => new Float64Array(q));
  const bufs = Array.from({ length: chunk }, () => ({
    theta: new Float64Array(q),
    traj: emptyTrajectory(n),
    pi: new Float64Array(task.nS * task.nA),
  }));
  const piEval = new Float64Array(task.nS * task.nA);

  const rows: TransferRow[] = [];
  const mdps: TransferMdpRow[] = [];
  const total = numMdps * updates * learners.length;
  let done = 0, reported = 0;
  let lastYield = performance.now();
  const t0 = performance.now();

  for (let j0 = 0; j0 < numMdps; j0 += chunk) {
    const size = Math.min(chunk, numMdps - j0);
    const streams = Array.from(
      { length: size },
      (_, b) => testMdpStream(cfg.seed, j0 + b, cfg.streamLabel),
    );
    const bases = streams.map((s) => newTaskEnv(task, s));
    const refs = bases.map((base, b) => {
      const row = {
        mdp: j0 + b,
        oracle: valueIteration(base.mdp).J,
        random: uniformReturn(base.mdp),
      };
      mdps.push(row);
      return { ...row, span: row.oracle - row.random, memo: new Map<number, number>() };
    });
    // Rows of this chunk by learner, step-major; reordered to MDP, learner, step below.
    const chunkRows: TransferRow[][] = [];
    for (let l = 0; l < learners.length; l++) {
      const learner = batched[l], name = learner.name;
      const envs: TaskEnv[] = bases.map((base, b) => {
        const env = {
          ...base,
          ...bufs[b],
          rng: rolloutStream(streams[b], name, cfg.rolloutStreams),
        };
        env.theta.set(base.theta);
        return env;
      });
      for (const env of envs) learner.begin?.(env);
      const out: TransferRow[] = [];
      const push = (u: number) => {
        for (let b = 0; b < size; b++) {
          const J = thetaReturn(task, envs[b], piEval, refs[b].memo);
          const { span, random } = refs[b];
          out.push({
            mdp: j0 + b,
            learner: name,
            step: u,
            J,
            score: span > 1e-12 ? (J - random) / span : NaN,
          });
        }
      };
      if (record[0]) push(0);
      const X = Xs.slice(0, size), T = targets.slice(0, size), O = outs.slice(0, size);
      for (let u = 1; u <= updates; u++) {
        for (let b = 0; b < size; b++) stepFn(task, envs[b], X[b], T[b]);
        learner.updateBatch(X, envs, T, O);
        for (let b = 0; b < size; b++) {
          const o = O[b];
          for (let k = 0; k < q; k++) {
            if (!Number.isFinite(o[k])) {
              const where = `on test MDP ${j0 + b} at update ${u}`;
              throw new Error(`learner "${name}" produced θ[${k}] = ${o[k]} ${where}`);
            }
          }
          taskAdvance(envs[b], o);
        }
        if (record[u]) push(u);
        done += size;
        if (done - reported >= 1024) {
          reported = done;
          onProgress?.(done, total);
          if (performance.now() - lastYield > 200) {
            await new Promise((r) => setTimeout(r, 0));
            lastYield = performance.now();
          }
        }
      }
      chunkRows.push(out);
    }
    const S = chunkRows[0].length / size;
    for (let b = 0; b < size; b++) {
      for (const r of chunkRows) for (let s = 0; s < S; s++) rows.push(r[s * size + b]);
    }
  }
  onProgress?.(total, total);
  const wallTimeSec = (performance.now() - t0) / 1000;
  return {
    config: cfg,
    learners: learners.map((l) => l.name),
    rows,
    mdps,
    prompts: total,
    wallTimeSec,
    promptsPerSec: total / Math.max(wallTimeSec, 1e-9),
  };
}
