/**
 * Closed loops of a constructed transformer against the algorithm it implements (MATH §10.9): both
 * run on the same environments with the same random streams (common random numbers), plus the
 * distance between their action distributions on the transformer's own history. One job is a
 * chunk of environments run as lanes of one batched runner; `loops_worker.ts` runs jobs in Workers
 * (notebook 09 spreads its jobs over them).
 *
 * @module
 */

import { type LinearBanditSpec, sampleBandits } from "../bandits/env.ts";
import { policyStreams } from "../bandits/policy.ts";
import { cumulativeRegret } from "../bandits/regret.ts";
import { simulate } from "../bandits/simulate.ts";
import { buildSoftLinUCB, SoftLinUCB, softLinUCBExact, type SoftLinUCBSpec } from "./linucb.ts";
import { TransformerBanditPolicy } from "./policy.ts";
import { softmax, totalVariation } from "./reference.ts";
import {
  buildThompson,
  NoiseTape,
  SoftThompson,
  thompsonExact,
  type ThompsonSpec,
} from "./thompson.ts";
import { buildUcbvi, runUcbviTransformer, type UcbviSpec } from "./ucbvi.ts";
import { Rng } from "../core/rng.ts";
import { randomEpisodicMdp } from "../mdp/episodic.ts";
import { runUcbvi } from "../mdp/ucbvi.ts";

/** Environments `first … first + count − 1` of a linear-bandit family, and the seeds. */
type BanditChunk = {
  bandit: LinearBanditSpec;
  envSeed: number;
  policySeed: number;
  first: number;
  count: number;
};

/** One chunk of a closed-loop comparison. */
export type LoopJob =
  | ({ kind: "linucb"; spec: SoftLinUCBSpec } & BanditChunk)
  | ({ kind: "ts"; spec: ThompsonSpec } & BanditChunk)
  | {
    kind: "ucbvi";
    spec: UcbviSpec;
    mdpSeed: number;
    policySeed: number;
    first: number;
    count: number;
  };

/** What one job measured (environment-major arrays). */
export interface LoopResult {
  /** The job's kind. */
  kind: LoopJob["kind"];
  /** First environment index and count. */
  first: number;
  count: number;
  /** Steps per environment (bandits: T; UCB-VI: episodes K). */
  steps: number;
  /** Cumulative regret of the transformer, count × steps. */
  regretTF: Float64Array;
  /** Cumulative regret of the implemented algorithm (same streams), count × steps. */
  regretAlg: Float64Array;
  /** TV distance between the two action distributions on the transformer's history, count × T. */
  tv: Float64Array;
  /** Whether the two played identical action sequences, per environment (1/0). */
  identical: Uint8Array;
  /** Largest |logit_TF − logit_alg| (UCB-VI: largest |Q̂_TF − Q̂|) over the job. */
  maxError: number;
  /** Largest token norm seen (for the clip radius). */
  maxNorm: number;
  /** Wall time of the transformer's loop, seconds. */
  seconds: number;
}

function bandits(job: Extract<LoopJob, { kind: "linucb" | "ts" }>) {
  const envs = sampleBandits(job.bandit, job.envSeed, job.count, job.first);
  const streams = () => policyStreams(job.policySeed, `09:${job.kind}`, job.count, job.first);
  return { envs, streams };
}

function cumulative(perStep: Float64Array, count: number, steps: number): Float64Array {
  const out = new Float64Array(count * steps);
  for (let e = 0; e < count; e++) {
    let acc = 0;
    for (let t = 0; t < steps; t++) out[e * steps + t] = acc += perStep[e * steps + t];
  }
  return out;
}

/**
 * Run one closed-loop job (module doc).
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT } from "../bandits/env.ts";
 * import { LINUCB_CONSTRUCTION } from "./linucb.ts";
 * import { runLoopJob } from "./loops.ts";
 * const spec = { ...LINUCB_CONSTRUCTION, horizon: 5, ridgeSteps: 40, inverseSteps: 40 };
 * const r = runLoopJob({ kind: "linucb", spec, bandit: { ...LINEAR_BANDIT, horizon: 5 }, envSeed: 1, policySeed: 2, first: 0, count: 2 });
 * r.regretTF.length; // 2 × 5
 * ```
 */
export function runLoopJob(job: LoopJob): LoopResult {
  if (job.kind === "ucbvi") return ucbviJob(job);
  const { envs, streams } = bandits(job);
  const T = job.bandit.horizon, A = envs.numArms, d = envs.dim, E = job.count;
  const logitsTF = new Float64Array(E * T * A);
  const onLogits = (e: number, t: number, lg: Float64Array) =>
    logitsTF.set(lg, (e * T + t - 1) * A);
  let tape: NoiseTape | null = null;
  let con;
  if (job.kind === "ts") {
    tape = new NoiseTape(
      policyStreams(job.policySeed, "09:ts-noise", E, job.first),
      d,
      T,
    );
    con = buildThompson({ ...job.spec, horizon: T });
  } else con = buildSoftLinUCB({ ...job.spec, horizon: T });
  const t0 = performance.now();
  const tfPolicy = new TransformerBanditPolicy(con, envs, streams(), {
    onLogits,
    ...(tape && "noise" in con
      ? { extras: (e: number, t: number) => [[con.noise, tape!.at(e, t)] as const] }
      : {}),
  });
  const tf = simulate(envs, tfPolicy, { recordProbs: true });
  const seconds = (performance.now() - t0) / 1000;
  const alg = job.kind === "ts"
    ? new SoftThompson(envs, streams(), tape!, job.spec.priorVar, job.spec.noiseVar, job.spec.tau)
    : new SoftLinUCB(envs, streams(), job.spec.lambda, job.spec.alpha, job.spec.tau);
  const ref = simulate(envs, alg);
  // the implemented algorithm's distribution on the transformer's own history
  const tv = new Float64Array(E * T);
  const identical = new Uint8Array(E);
  let maxError = 0;
  for (let e = 0; e < E; e++) {
    const arms = envs.arms.subarray(e * A * d, (e + 1) * A * d);
    const hist = { d, arms: new Float64Array(T * d), rewards: new Float64Array(T) };
    let same = 1;
    for (let t = 0; t < T; t++) {
      const exact = job.kind === "ts"
        ? thompsonExact(
          arms,
          hist,
          t,
          tape!.at(e, t + 1),
          job.spec.priorVar,
          job.spec.noiseVar,
          job.spec.tau,
          1,
          1,
        ).logits
        : softLinUCBExact(arms, hist, t, job.spec.lambda, job.spec.alpha, job.spec.tau).logits;
      const lg = logitsTF.subarray((e * T + t) * A, (e * T + t + 1) * A);
      for (let k = 0; k < A; k++) maxError = Math.max(maxError, Math.abs(lg[k] - exact[k]));
      tv[e * T + t] = totalVariation(softmax(lg), softmax(exact));
      const a = tf.actions[e * T + t];
      if (a !== ref.actions[e * T + t]) same = 0;
      hist.arms.set(arms.subarray(a * d, (a + 1) * d), t * d);
      hist.rewards[t] = tf.rewards[e * T + t];
    }
    identical[e] = same;
  }
  return {
    kind: job.kind,
    first: job.first,
    count: E,
    steps: T,
    regretTF: cumulativeRegret(envs, tf.actions, T),
    regretAlg: cumulativeRegret(envs, ref.actions, T),
    tv,
    identical,
    maxError,
    maxNorm: tfPolicy.runner.maxNorm,
    seconds,
  };
}

function ucbviJob(job: Extract<LoopJob, { kind: "ucbvi" }>): LoopResult {
  const { spec } = job;
  const con = buildUcbvi(spec);
  const root = new Rng(job.mdpSeed).fork("09:mdp");
  const mdps = Array.from(
    { length: job.count },
    (_, e) => randomEpisodicMdp(root.fork(job.first + e), { nS: spec.nS, nA: spec.nA, H: spec.H }),
  );
  const streams = () =>
    Array.from(
      { length: job.count },
      (_, e) => new Rng(job.policySeed).fork("09:ucbvi").fork(job.first + e),
    );
  const t0 = performance.now();
  const res = runUcbviTransformer(con, mdps, streams());
  const seconds = (performance.now() - t0) / 1000;
  const K = spec.K, H = spec.H, E = job.count;
  const algRegret = new Float64Array(E * K), identical = new Uint8Array(E);
  const rngs = streams();
  mdps.forEach((m, e) => {
    const run = runUcbvi(m, K, spec.tau, rngs[e], spec.bonusScale);
    algRegret.set(run.regret, e * K);
    identical[e] = run.episodes.every((ep, k) =>
        ep.actions.every((a, h) =>
          a === res.actions[e * K * H + k * H + h]
        )
      )
      ? 1
      : 0;
  });
  return {
    kind: "ucbvi",
    first: job.first,
    count: E,
    steps: K,
    regretTF: cumulative(res.regret, E, K),
    regretAlg: cumulative(algRegret, E, K),
    tv: res.tv,
    identical,
    maxError: res.maxQError,
    maxNorm: res.maxNorm,
    seconds,
  };
}
