/**
 * Closed-loop in-context control on **unseen** MDPs (MATH §8.3, and §8.4 for the actor–critic).
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
 * @module
 */

import { restrictedReadout, type RestrictedScratch, restrictedScratch } from "../icrl/grad.ts";
import { type FusedBatch, fusedBatch, fusedReadout } from "../train/fused.ts";
import { taskStepFast } from "../train/fast_task.ts";
import type { LsaParams } from "../icrl/lsa.ts";
import { lsaReadout } from "../icrl/lsa.ts";
import { randomMdp } from "../mdp/mdp.ts";
import { greedyActions, softmaxPolicy } from "../mdp/policy.ts";
import { buildPrompt } from "../icrl/prompt.ts";
import { Rng } from "../core/rng.ts";
import { emptyTrajectory } from "../mdp/rollout.ts";
import { policyReturn, uniformReturn, valueIteration } from "../mdp/evaluate.ts";
import {
  DEFAULT_TASK,
  newTaskEnv,
  taskAdvance,
  taskConstruction,
  taskDims,
  type TaskEnv,
  type TaskSpec,
  taskStep,
  validateTask,
} from "../train/tasks.ts";
import { type BlockModel, modelParams } from "../train/train.ts";
import { meanCI } from "../core/stats.ts";
import { assertFiniteArray, assertInt, assertKnownKeys, assertObject } from "../core/validate.ts";

// ---------------------------------------------------------------------------------------------
// Learners
// ---------------------------------------------------------------------------------------------

/**
 * An in-context learner: maps one prompt (tokens `X`, the current θ in `env.theta`) to the next θ.
 * Implement this interface to evaluate your own learner with {@linkcode evaluateTransfer}.
 */
export interface Learner {
  /** Unique name; also labels the learner's rollout stream (so keep it stable). */
  readonly name: string;
  /** The task the learner was built for; when present, its kind and dims are checked. */
  readonly task?: TaskSpec;
  /** Called once per test MDP before its first update (reset any per-MDP state here). */
  begin?(env: TaskEnv): void;
  /**
   * Write the next θ into `out` (length p−1). `X` holds the n×m tokens of the prompt just rolled
   * out, `env.theta` the current θ, `target` the teacher's update on the same prompt (MATH §3).
   * Must not modify `X`, `env` or `target`.
   */
  update(X: Float64Array, env: TaskEnv, target: Float64Array, out: Float64Array): void;
}

/**
 * The teacher itself (MATH §3): `θ ← w_SARSA` or `θ ← (w_AC, λ_AC)`, the target that
 * {@linkcode taskStep} computes on the same prompt.
 *
 * @example
 * ```ts
 * const res = await evaluateTransfer(transferConfig({ numMdps: 10 }), [teacherLearner()]);
 * ```
 */
export function teacherLearner(name = "teacher"): Learner {
  assertName(name);
  return {
    name,
    update(_X, _env, target, out) {
      out.set(target);
    },
  };
}

/**
 * A frozen linear self-attention block (MATH §4) as a learner: `θ ← TF_θ(H(X, θ))`. A restricted
 * model uses the fast `θ + V̄21 Σ̂ P12 θ̃` readout; a full model (`model.full` present) uses the
 * last-column readout of the dense block on the prompt built from the same tokens. `kernel`
 * picks the restricted readout: `"fused"` (`fused.ts`, default) or `"reference"` (`grad.ts`);
 * both give bit-identical numbers.
 *
 * @example
 * ```ts
 * const trained = await trainTeacherMimic(trainConfig({ K: 64, T: 100 }));
 * const learner = blockLearner("trained", trained.model);
 * ```
 */
export function blockLearner(
  name: string,
  model: BlockModel,
  kernel: "fused" | "reference" = "fused",
): Learner {
  assertName(name);
  assertKernel(kernel);
  validateTask(model.task);
  const { m, p } = taskDims(model.task);
  const b = model.blocks;
  if (b.m !== m || b.p !== p) {
    throw new RangeError(
      `model "${name}": blocks are m=${b.m}, p=${b.p} but its task (${model.task.kind}, ` +
        `d=${model.task.d}, dPsi=${model.task.dPsi}) needs m=${m}, p=${p}`,
    );
  }
  if (model.full) {
    const params: LsaParams = model.full;
    if (params.D !== m + p) {
      throw new RangeError(`model "${name}": full params have D=${params.D}, task needs ${m + p}`);
    }
    assertFiniteArray(`model "${name}".full.P`, params.P, params.D * params.D);
    assertFiniteArray(`model "${name}".full.V`, params.V, params.D * params.D);
    const full = modelParams(model);
    return {
      name,
      task: model.task,
      update(X, env, _target, out) {
        out.set(lsaReadout(full, buildPrompt(X, env.traj.n, m, env.theta)));
      },
    };
  }
  assertFiniteArray(`model "${name}".blocks.P12`, b.P12, m * p);
  assertFiniteArray(`model "${name}".blocks.V21bar`, b.V21bar, (p - 1) * m);
  if (kernel === "fused") {
    let fb: FusedBatch | null = null;
    return {
      name,
      task: model.task,
      update(X, env, _target, out) {
        const n = env.traj.n;
        if (fb === null || fb.n !== n) fb = fusedBatch(m, p, n, 1);
        fusedReadout(fb, b, X, env.theta, out);
      },
    };
  }
  let sc: RestrictedScratch | null = null;
  return {
    name,
    task: model.task,
    update(X, env, _target, out) {
      const n = env.traj.n;
      if (sc === null || sc.s.length !== n) sc = restrictedScratch(m, p, n);
      out.set(restrictedReadout(b, X, n, env.theta, sc));
    },
  };
}

/**
 * The construction θ⋆ of MATH §5 (scale `c`) as a frozen block: on every prompt it reproduces the
 * teacher exactly, so its trajectory equals the teacher's under shared rollout streams.
 *
 * @example
 * ```ts
 * const learners = [teacherLearner(), constructedLearner(DEFAULT_TASK)];
 * ```
 */
export function constructedLearner(task: TaskSpec, name = "constructed", c = 1): Learner {
  validateTask(task);
  return blockLearner(name, { task, param: "restricted", blocks: taskConstruction(task, c) });
}

function assertKernel(kernel: string): void {
  if (kernel !== "fused" && kernel !== "reference") {
    throw new RangeError(`kernel must be "fused" or "reference", got ${JSON.stringify(kernel)}`);
  }
}

const RESERVED_NAMES = new Set(["oracle", "random"]);

function assertName(name: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new RangeError(`learner name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (RESERVED_NAMES.has(name)) {
    throw new RangeError(
      `learner name ${JSON.stringify(name)} is reserved for the reference lines`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration and streams
// ---------------------------------------------------------------------------------------------

/** The training run(s) whose MDP streams the test MDPs must avoid (MATH §6: `fork("mdp").fork(k)`). */
export interface TrainingStreams {
  /** Seeds of the training runs (`TrainConfig.seed`). */
  seeds: readonly number[];
  /** Training MDPs per run (`TrainConfig.K`). */
  K: number;
}

/** Everything that defines a transfer evaluation (MATH §8.3). */
export interface TransferConfig {
  /** Task of the test MDPs (kind, |S|, |A|, d, γ, α, β, ε, n). */
  task: TaskSpec;
  /** Number of test MDPs (≥ 100 for the paper's figure). */
  numMdps: number;
  /** Updates U per MDP (400). */
  updates: number;
  /** Update steps at which J is recorded, each in 0 … updates, strictly increasing. */
  recordAt: number[];
  /** Evaluation seed. */
  seed: number;
  /** Label of the test-MDP stream family (default "transfer-test"). */
  streamLabel: string;
  /** "per-learner" (each learner its own rollout stream, by name) or "shared" (common random numbers). */
  rolloutStreams: "per-learner" | "shared";
  /** When given, {@linkcode assertDisjointStreams} is run against these training streams. */
  training?: TrainingStreams;
}

/** The keys a {@linkcode TransferConfig} may carry; {@linkcode transferConfig} rejects others. */
export const TRANSFER_CONFIG_KEYS: readonly string[] = [
  "task",
  "numMdps",
  "updates",
  "recordAt",
  "seed",
  "streamLabel",
  "rolloutStreams",
  "training",
];

/** Default label of the test-MDP stream family. */
export const TRANSFER_STREAM_LABEL = "transfer-test";

/**
 * `[0, every, 2·every, …, updates]` (the last step is always included).
 *
 * @example
 * ```ts
 * recordGrid(400, 100); // [0, 100, 200, 300, 400]
 * ```
 */
export function recordGrid(updates: number, every = 1): number[] {
  assertInt("updates", updates, 0);
  assertInt("every", every, 1);
  const out: number[] = [];
  for (let u = 0; u <= updates; u += every) out.push(u);
  if (out[out.length - 1] !== updates) out.push(updates);
  return out;
}

/**
 * Fill in defaults (MATH §8.3: 100 MDPs × 400 updates, J at every step) and validate; throws
 * naming the bad field.
 *
 * @example
 * ```ts
 * const cfg = transferConfig({ numMdps: 100, updates: 400, recordAt: recordGrid(400, 5) });
 * ```
 */
export function transferConfig(
  over: Partial<Omit<TransferConfig, "task">> & { task?: Partial<TaskSpec> } = {},
): TransferConfig {
  assertKnownKeys("transfer config", over, TRANSFER_CONFIG_KEYS);
  if (over.task !== undefined) assertObject("transfer config task", over.task);
  const updates = over.updates ?? 400;
  const cfg: TransferConfig = {
    numMdps: 100,
    seed: 0,
    streamLabel: TRANSFER_STREAM_LABEL,
    rolloutStreams: "per-learner",
    ...over,
    updates,
    recordAt: over.recordAt ??
      (Number.isInteger(updates) && updates >= 0 ? recordGrid(updates) : []),
    task: { ...DEFAULT_TASK, ...(over.task ?? {}) },
  };
  return validateTransferConfig(cfg);
}

/**
 * Validate a full config; throws naming the bad field and value. Returns it.
 *
 * @example
 * ```ts
 * validateTransferConfig({ ...transferConfig(), recordAt: [0, 401] }); // throws: recordAt[1] = 401
 * ```
 */
export function validateTransferConfig(cfg: TransferConfig): TransferConfig {
  assertKnownKeys("transfer config", cfg, TRANSFER_CONFIG_KEYS);
  validateTask(cfg.task);
  assertInt("numMdps", cfg.numMdps, 1);
  assertInt("updates", cfg.updates, 0);
  assertInt("seed", cfg.seed, 0, Number.MAX_SAFE_INTEGER);
  if (typeof cfg.streamLabel !== "string" || cfg.streamLabel.length === 0) {
    throw new RangeError(
      `streamLabel must be a non-empty string, got ${JSON.stringify(cfg.streamLabel)}`,
    );
  }
  if (cfg.rolloutStreams !== "per-learner" && cfg.rolloutStreams !== "shared") {
    throw new RangeError(
      `rolloutStreams must be "per-learner" or "shared", got ${JSON.stringify(cfg.rolloutStreams)}`,
    );
  }
  if (!Array.isArray(cfg.recordAt) || cfg.recordAt.length === 0) {
    throw new RangeError(`recordAt must be a non-empty array of steps in [0, ${cfg.updates}]`);
  }
  for (let i = 0; i < cfg.recordAt.length; i++) {
    assertInt(`recordAt[${i}]`, cfg.recordAt[i], 0, cfg.updates);
    if (i > 0 && cfg.recordAt[i] <= cfg.recordAt[i - 1]) {
      throw new RangeError(
        `recordAt must be strictly increasing, got recordAt[${i - 1}] = ${cfg.recordAt[i - 1]}, ` +
          `recordAt[${i}] = ${cfg.recordAt[i]}`,
      );
    }
  }
  if (cfg.training) validateTraining(cfg.training);
  return cfg;
}

function validateTraining(t: TrainingStreams): void {
  assertKnownKeys("training", t, ["seeds", "K"]);
  if (!Array.isArray(t.seeds) || t.seeds.length === 0) {
    throw new RangeError(`training.seeds must be a non-empty array of seeds`);
  }
  t.seeds.forEach((s, i) => assertInt(`training.seeds[${i}]`, s, 0, Number.MAX_SAFE_INTEGER));
  assertInt("training.K", t.K, 1);
}

/**
 * The stream of training MDP `k` of the run with seed `seed`, exactly as
 * {@linkcode trainTeacherMimic} derives it (MATH §6): `new Rng(seed).fork("mdp").fork(k)`.
 *
 * @example
 * ```ts
 * const env0 = newTaskEnv(DEFAULT_TASK, trainingMdpStream(0, 0)); // training MDP 0 of seed 0
 * ```
 */
export function trainingMdpStream(seed: number, k: number): Rng {
  assertInt("k", k, 0);
  return new Rng(seed).fork("mdp").fork(k);
}

/**
 * The stream of test MDP `j` (MATH §8.3): `new Rng(seed).fork(label).fork(j)`. The MDP, its
 * features, the initial θ and `s_0` are drawn from it by {@linkcode newTaskEnv}.
 *
 * @example
 * ```ts
 * const env = newTaskEnv(DEFAULT_TASK, testMdpStream(0, 3));
 * ```
 */
export function testMdpStream(seed: number, j: number, label = TRANSFER_STREAM_LABEL): Rng {
  assertInt("j", j, 0);
  return new Rng(seed).fork(label).fork(j);
}

/**
 * The rollout stream of one learner on one test MDP: `mdpStream.fork("rollout").fork(name)`
 * ("per-learner"), or `mdpStream.fork("rollout-shared")` for every learner ("shared", common
 * random numbers). Forking consumes nothing, so this does not depend on what was drawn before.
 *
 * @example
 * ```ts
 * const r = rolloutStream(testMdpStream(0, 0), "teacher");
 * ```
 */
export function rolloutStream(
  mdpStream: Rng,
  learnerName: string,
  mode: TransferConfig["rolloutStreams"] = "per-learner",
): Rng {
  return mode === "shared"
    ? mdpStream.fork("rollout-shared")
    : mdpStream.fork("rollout").fork(learnerName);
}

/**
 * Identity of the stream a generator starts: the 128-bit xoshiro128** state of a fresh generator
 * with the same key, as text. The state fixes every draw, so equal fingerprints ⇔ equal streams
 * (a 32-bit first output would not do: among 10⁵ training streams and 10³ test streams, equal
 * first outputs of different streams turn up by chance).
 *
 * @example
 * ```ts
 * streamFingerprint(new Rng(1).fork("a")) === streamFingerprint(new Rng(1).fork("a")); // true
 * ```
 */
export function streamFingerprint(rng: Rng): string {
  return new Rng(rng.key).stateWords().map((w) => w.toString(16).padStart(8, "0")).join("");
}

/**
 * Assert that no test-MDP stream (nor any learner's rollout stream, for the names given) equals
 * a training-MDP stream (MATH §8.3 "unseen MDPs", DESIGN "keep evaluation RNG separate from
 * training RNG"): compares the stream fingerprints (full 128-bit generator states) of every
 * `(seed, k)`, `k < K`, against every test stream `j < numMdps`; also checks that the test streams
 * are pairwise distinct and, as a cheap sanity check, that test MDP 0's transition matrix differs
 * from training MDP 0's of every seed. Throws naming the colliding streams.
 *
 * @example
 * ```ts
 * assertDisjointStreams({ seeds: [0, 1, 2], K: 10_000 }, transferConfig({ seed: 0 }));
 * ```
 */
export function assertDisjointStreams(
  training: TrainingStreams,
  cfg: Pick<TransferConfig, "task" | "seed" | "numMdps" | "streamLabel" | "rolloutStreams">,
  learnerNames: readonly string[] = [],
): void {
  validateTraining(training);
  assertInt("numMdps", cfg.numMdps, 1);
  // Equal keys give equal states, so comparing the 128-bit states (fingerprints) covers both.
  const trainFps = new Map<string, string>();
  for (const seed of training.seeds) {
    for (let k = 0; k < training.K; k++) {
      trainFps.set(streamFingerprint(trainingMdpStream(seed, k)), `training seed ${seed} MDP ${k}`);
    }
  }
  const testFps = new Map<string, string>();
  const check = (r: Rng, what: string) => {
    const fp = streamFingerprint(r);
    const byFp = trainFps.get(fp);
    if (byFp !== undefined) {
      throw new Error(
        `${what} starts the same random stream as ${byFp} (state ${fp}): test and training ` +
          `streams overlap; choose another evaluation seed or stream label`,
      );
    }
    const dup = testFps.get(fp);
    if (dup !== undefined) throw new Error(`${what} starts the same random stream as ${dup}`);
    testFps.set(fp, what);
  };
  const label = cfg.streamLabel ?? TRANSFER_STREAM_LABEL;
  const mode = cfg.rolloutStreams ?? "per-learner";
  for (let j = 0; j < cfg.numMdps; j++) {
    const r = testMdpStream(cfg.seed, j, label);
    check(r, `test MDP ${j} (seed ${cfg.seed}, label "${label}")`);
    const names = mode === "shared" ? (learnerNames.length ? ["(shared)"] : []) : learnerNames;
    for (const name of names) {
      check(rolloutStream(r, name, mode), `rollout stream of "${name}" on test MDP ${j}`);
    }
  }
  // Cheap sanity check on the drawn numbers: test MDP 0 vs training MDP 0 of every seed.
  const opts = { nS: cfg.task.nS, nA: cfg.task.nA, gamma: cfg.task.gamma };
  const P = randomMdp(testMdpStream(cfg.seed, 0, label), opts).P;
  for (const seed of training.seeds) {
    const Q = randomMdp(trainingMdpStream(seed, 0), opts).P;
    let same = true;
    for (let i = 0; i < P.length && same; i++) same = P[i] === Q[i];
    if (same) {
      throw new Error(
        `test MDP 0 (seed ${cfg.seed}) has the same transition matrix as training MDP 0 of seed ${seed}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The evaluator
// ---------------------------------------------------------------------------------------------

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

function checkLearners(task: TaskSpec, learners: readonly Learner[]): void {
  if (!Array.isArray(learners) || learners.length === 0) {
    throw new RangeError("learners must be a non-empty array");
  }
  const seen = new Set<string>();
  for (const l of learners) {
    assertName(l?.name);
    if (typeof l.update !== "function") {
      throw new TypeError(`learner "${l.name}" has no update function`);
    }
    if (seen.has(l.name)) throw new RangeError(`duplicate learner name "${l.name}"`);
    seen.add(l.name);
    if (!l.task) continue;
    const a = l.task;
    if (a.kind !== task.kind) {
      throw new RangeError(
        `learner "${l.name}" is for task kind "${a.kind}", test task is "${task.kind}"`,
      );
    }
    const da = taskDims(a), dt = taskDims(task);
    const bad = a.d !== task.d
      ? `d=${a.d} vs ${task.d}`
      : task.kind === "ac" && a.dPsi !== task.dPsi
      ? `dPsi=${a.dPsi} vs ${task.dPsi}`
      : da.m !== dt.m || da.p !== dt.p
      ? `(m, p)=(${da.m}, ${da.p}) vs (${dt.m}, ${dt.p})`
      : "";
    if (bad) {
      throw new RangeError(
        `learner "${l.name}" was built for other dims than the test task: ${bad}`,
      );
    }
  }
}

/**
 * Run the closed-loop transfer evaluation (MATH §8.3; §8.4 for `task.kind = "ac"`). Deterministic
 * given `cfg.seed`; a learner's numbers depend only on the seed, its name and itself. Yields to
 * the event loop about every 200 ms so progress displays can update. `kernel` picks how prompts are
 * produced: `"fused"` (`fast_task.ts`, default) or `"reference"` (`tasks.ts`'s `taskStep`); both
 * give bit-identical numbers.
 *
 * @example
 * ```ts
 * const cfg = transferConfig({ numMdps: 100, updates: 400, recordAt: recordGrid(400, 5) });
 * const res = await evaluateTransfer(cfg, [
 *   teacherLearner(),
 *   constructedLearner(cfg.task),
 *   blockLearner("trained", trained.model),
 * ]);
 * const summary = summariseTransfer(res);
 * ```
 */
export async function evaluateTransfer(
  config: TransferConfig,
  learners: readonly Learner[],
  onProgress?: TransferProgress,
  kernel: "fused" | "reference" = "fused",
): Promise<TransferResult> {
  const cfg = validateTransferConfig({ ...config, recordAt: [...config.recordAt] });
  const { task, numMdps, updates, recordAt } = cfg;
  checkLearners(task, learners);
  if (cfg.training) {
    assertDisjointStreams(cfg.training, cfg, learners.map((l) => l.name));
  }
  const { m, p } = taskDims(task);
  const n = task.n;
  assertKernel(kernel);
  const stepFn = kernel === "fused" ? taskStepFast : taskStep;
  const record = new Uint8Array(updates + 1);
  for (const u of recordAt) record[u] = 1;

  const X = new Float64Array(n * m);
  const target = new Float64Array(p - 1);
  const out = new Float64Array(p - 1);
  const piEval = new Float64Array(task.nS * task.nA);
  // Per-learner buffers, reused across MDPs (the MDP, features and ψ are shared read-only).
  const bufs = learners.map(() => ({
    theta: new Float64Array(p - 1),
    traj: emptyTrajectory(n),
    pi: new Float64Array(task.nS * task.nA),
  }));

  const rows: TransferRow[] = [];
  const mdps: TransferMdpRow[] = [];
  const total = numMdps * updates * learners.length;
  let done = 0;
  let lastYield = performance.now();
  const t0 = performance.now();

  for (let j = 0; j < numMdps; j++) {
    const stream = testMdpStream(cfg.seed, j, cfg.streamLabel);
    const base = newTaskEnv(task, stream);
    const oracle = valueIteration(base.mdp).J;
    const random = uniformReturn(base.mdp);
    mdps.push({ mdp: j, oracle, random });
    const memo = new Map<number, number>();
    const span = oracle - random;
    const scoreOf = (J: number) => (span > 1e-12 ? (J - random) / span : NaN);

    for (let l = 0; l < learners.length; l++) {
      const learner = learners[l];
      const env: TaskEnv = {
        ...base,
        ...bufs[l],
        rng: rolloutStream(stream, learner.name, cfg.rolloutStreams),
      };
      env.theta.set(base.theta);
      learner.begin?.(env);
      if (record[0]) {
        const J = thetaReturn(task, env, piEval, memo);
        rows.push({ mdp: j, learner: learner.name, step: 0, J, score: scoreOf(J) });
      }
      for (let u = 1; u <= updates; u++) {
        stepFn(task, env, X, target);
        learner.update(X, env, target, out);
        for (let k = 0; k < out.length; k++) {
          if (!Number.isFinite(out[k])) {
            const where = `on test MDP ${j} at update ${u}`;
            throw new Error(`learner "${learner.name}" produced θ[${k}] = ${out[k]} ${where}`);
          }
        }
        taskAdvance(env, out);
        if (record[u]) {
          const J = thetaReturn(task, env, piEval, memo);
          rows.push({ mdp: j, learner: learner.name, step: u, J, score: scoreOf(J) });
        }
        if ((++done & 1023) === 0) {
          if (onProgress) onProgress(done, total);
          if (performance.now() - lastYield > 200) {
            await new Promise((r) => setTimeout(r, 0));
            lastYield = performance.now();
          }
        }
      }
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

// ---------------------------------------------------------------------------------------------
// Statistics and summaries
// ---------------------------------------------------------------------------------------------

/** One row of {@linkcode summariseTransfer}: mean J and normalised score of a learner at a step. */
export type TransferSummaryRow = {
  /** Learner name, or "oracle" / "random" for the reference lines. */
  learner: string;
  /** True for the oracle and random reference rows. */
  reference: boolean;
  /** Updates done. */
  step: number;
  /** MDPs averaged. */
  n: number;
  /** Mean J over MDPs, and its 95 % CI. */
  mean: number;
  /** Lower end of the 95 % CI of J. */
  lo: number;
  /** Upper end of the 95 % CI of J. */
  hi: number;
  /** CI half-width of J. */
  halfWidth: number;
  /** Mean normalised score `(J − J_random)/(J_oracle − J_random)` over MDPs. */
  score: number;
  /** Lower end of the 95 % CI of the score. */
  scoreLo: number;
  /** Upper end of the 95 % CI of the score. */
  scoreHi: number;
  /** CI half-width of the score. */
  scoreHalfWidth: number;
};

/** J (and score) of `name` as an MDP-major matrix over the recorded steps. */
function curveMatrix(
  res: TransferResult,
  name: string,
): { J: Float64Array; score: Float64Array } {
  const { numMdps, recordAt } = res.config;
  const S = recordAt.length;
  const J = new Float64Array(numMdps * S), score = new Float64Array(numMdps * S);
  if (name === "oracle" || name === "random") {
    for (const r of res.mdps) {
      const span = r.oracle - r.random;
      const v = name === "oracle" ? r.oracle : r.random;
      J.fill(v, r.mdp * S, (r.mdp + 1) * S);
      score.fill(span > 1e-12 ? (name === "oracle" ? 1 : 0) : NaN, r.mdp * S, (r.mdp + 1) * S);
    }
    return { J, score };
  }
  if (!res.learners.includes(name)) {
    throw new RangeError(
      `unknown learner "${name}"; have ${
        [...res.learners, "oracle", "random"].map((s) => `"${s}"`).join(", ")
      }`,
    );
  }
  const col = new Map(recordAt.map((s, i) => [s, i]));
  J.fill(NaN);
  for (const r of res.rows) {
    if (r.learner !== name) continue;
    const i = r.mdp * S + col.get(r.step)!;
    J[i] = r.J;
    score[i] = r.score;
  }
  return { J, score };
}

function column(mat: Float64Array, S: number, i: number, N: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < N; j++) {
    const v = mat[j * S + i];
    if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

/**
 * Per (learner, step): mean J over test MDPs with a 95 % CI, and the mean normalised score
 * `(J − J_random)/(J_oracle − J_random)` with its CI (MATH §8.3 "mean ± 95 % CI"). With
 * `references` (default), constant "oracle" and "random" rows are added at every step (score 1
 * and 0) — one tidy table for the line chart.
 *
 * @example
 * ```ts
 * const rows = summariseTransfer(res).filter((r) => r.step === 400);
 * ```
 */
export function summariseTransfer(
  res: TransferResult,
  opts: { references?: boolean } = {},
): TransferSummaryRow[] {
  const { references = true } = opts;
  const { numMdps, recordAt } = res.config;
  const S = recordAt.length;
  const names = references ? [...res.learners, "oracle", "random"] : [...res.learners];
  const out: TransferSummaryRow[] = [];
  for (const name of names) {
    const { J, score } = curveMatrix(res, name);
    for (let i = 0; i < S; i++) {
      const cj = meanCI(column(J, S, i, numMdps));
      const sv = column(score, S, i, numMdps);
      const cs = sv.length ? meanCI(sv) : null;
      out.push({
        learner: name,
        reference: name === "oracle" || name === "random",
        step: recordAt[i],
        n: cj.n,
        mean: cj.mean,
        lo: cj.lo,
        hi: cj.hi,
        halfWidth: (cj.hi - cj.lo) / 2,
        score: cs?.mean ?? NaN,
        scoreLo: cs?.lo ?? NaN,
        scoreHi: cs?.hi ?? NaN,
        scoreHalfWidth: cs ? (cs.hi - cs.lo) / 2 : NaN,
      });
    }
  }
  return out;
}

/** One row of {@linkcode pairedDifference}. */
export type PairedDifferenceRow = {
  /** Updates done. */
  step: number;
  /** Learner a (minuend). */
  a: string;
  /** Learner b (subtrahend). */
  b: string;
  /** MDPs paired. */
  n: number;
  /** Mean of J_a − J_b over MDPs. */
  mean: number;
  /** Lower end of the 95 % CI. */
  lo: number;
  /** Upper end of the 95 % CI. */
  hi: number;
  /** CI half-width. */
  halfWidth: number;
  /** Standard error of the mean difference. */
  se: number;
  /** Fraction of MDPs with J_a > J_b. */
  aWins: number;
};

/**
 * Mean of `J_a − J_b` over test MDPs (paired by MDP) with a 95 % CI, per recorded step (or the
 * `steps` given, each of which must be recorded). "oracle" and "random" may be used as names
 * (e.g. regret = oracle − learner).
 *
 * @example
 * ```ts
 * pairedDifference(res, "trained", "teacher", [100, 400]); // [{ step: 100, mean, lo, hi, … }, …]
 * ```
 */
export function pairedDifference(
  res: TransferResult,
  a: string,
  b: string,
  steps: readonly number[] = res.config.recordAt,
): PairedDifferenceRow[] {
  const { numMdps, recordAt } = res.config;
  const S = recordAt.length;
  const col = new Map(recordAt.map((s, i) => [s, i]));
  steps.forEach((s, k) => {
    if (!col.has(s)) {
      throw new RangeError(
        `steps[${k}] = ${s} was not recorded (recordAt: ${recordAt.join(", ")})`,
      );
    }
  });
  const A = curveMatrix(res, a).J, B = curveMatrix(res, b).J;
  return steps.map((step) => {
    const i = col.get(step)!;
    const diff: number[] = [];
    let wins = 0;
    for (let j = 0; j < numMdps; j++) {
      const d = A[j * S + i] - B[j * S + i];
      if (Number.isNaN(d)) continue;
      diff.push(d);
      if (d > 0) wins++;
    }
    const ci = meanCI(diff);
    return {
      step,
      a,
      b,
      n: ci.n,
      mean: ci.mean,
      lo: ci.lo,
      hi: ci.hi,
      halfWidth: (ci.hi - ci.lo) / 2,
      se: ci.se,
      aWins: wins / diff.length,
    };
  });
}
