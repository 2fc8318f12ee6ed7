/**
 * Notebook 09 (MATH §10; [LBM24] §4 and its appendix): the paper's explicit transformers for soft
 * LinUCB, Thompson sampling and soft UCB-VI, built and run. The config literal, `run` (per-layer
 * checks, GD vs AGD layers-to-accuracy, the closed loops against the implemented algorithms on
 * common random numbers, the constructions as written where they fail, sizes beside the
 * theorems) and, re-exported, the views `tables`, `figures`, `summary`.
 *
 * @module
 */

import { meanSE } from "../core/stats.ts";
import { makePolicy } from "../bandits/algorithms.ts";
import { LINEAR_BANDIT, type LinearBanditSpec, sampleBandits } from "../bandits/env.ts";
import { cumulativeRegret } from "../bandits/regret.ts";
import { simulate } from "../bandits/simulate.ts";
import { LINUCB_CONSTRUCTION, type SoftLinUCBSpec } from "../constructions/linucb.ts";
import { THOMPSON_CONSTRUCTION, type ThompsonSpec } from "../constructions/thompson.ts";
import type { UcbviSpec } from "../constructions/ucbvi.ts";
import { Rng } from "../core/rng.ts";
import { runWorkerJobs } from "../core/pool.ts";
import { assertInt, assertKnownKeys } from "../core/validate.ts";
import { episodicOptimal, episodicPolicyValue, randomEpisodicMdp } from "../mdp/episodic.ts";
import { runUcbvi } from "../mdp/ucbvi.ts";
import { type LoopJob, type LoopResult, runLoopJob } from "../constructions/loops.ts";
import {
  type AsWrittenRow,
  type LayerErrorRow,
  layersSweep,
  type NeededRow,
  paperAsWritten,
  perLayerLinUCB,
  perLayerThompson,
  perLayerUcbvi,
  type SizeRow,
  sizeTable,
  type SweepRow,
} from "../constructions/measure.ts";
import { reportProgress, type RunHooks, type ScaleDefaults } from "./shape.ts";

/** Every knob of notebook 09. */
export interface ConstructionsConfig {
  /** Notebook 07's linear bandit family (d = 5, A = 10, σ = 1.5; T = the horizon used). */
  bandit: LinearBanditSpec;
  /** Seed of the test environments (notebook 07's: the same environments). */
  envSeed: number;
  /** Seed of the policies' streams (shared by a transformer and its algorithm). */
  policySeed: number;
  /** The soft LinUCB construction of the closed loop (horizon: the bandit's). */
  linucb: SoftLinUCBSpec;
  /** The Thompson-sampling construction of the closed loop. */
  thompson: ThompsonSpec;
  /** The soft UCB-VI construction; random MDPs; bonus scales run (the paper's is 2). */
  ucbvi: { spec: UcbviSpec; bonusScales: number[]; numMdps: number; mdpSeed: number };
  /** Closed loops: environments, environments per job (lanes), Workers (0: this thread). */
  closedLoop: { linucbEnvs: number; tsEnvs: number; chunk: number; workers: number };
  /** Per-layer checks: histories (LinUCB), layers of each AGD step there, probed steps t. */
  perLayer: { histories: number; steps: number; checkSteps: number[]; ucbviMdps: number };
  /** GD vs AGD: horizons, layers run, histories, target relative errors. */
  sweep: {
    horizons: number[];
    gdLayers: number;
    agdLayers: number;
    histories: number;
    targets: number[];
  };
}

const UCBVI: UcbviSpec = { nS: 3, nA: 3, H: 4, K: 25, tau: 0.1, bonusScale: 2 };

/** Quick (under a minute) and paper (minutes on 2 cores) settings, side by side. */
export const constructionsDefaults: ScaleDefaults<ConstructionsConfig> = {
  quick: {
    bandit: { ...LINEAR_BANDIT, horizon: 30 },
    envSeed: 7_007,
    policySeed: 9_009,
    linucb: { ...LINUCB_CONSTRUCTION, horizon: 30, ridgeSteps: 150, inverseSteps: 150 },
    thompson: {
      ...THOMPSON_CONSTRUCTION,
      horizon: 30,
      padeTerms: 6,
      meanSteps: 80,
      padeSteps: 80,
      inverseSteps: 80,
    },
    ucbvi: { spec: { ...UCBVI, K: 8 }, bonusScales: [2, 0.1], numMdps: 8, mdpSeed: 9_100 },
    closedLoop: { linucbEnvs: 16, tsEnvs: 8, chunk: 16, workers: 2 },
    perLayer: { histories: 2, steps: 300, checkSteps: [1, 10, 30], ucbviMdps: 1 },
    sweep: {
      horizons: [10, 30],
      gdLayers: 1_500,
      agdLayers: 300,
      histories: 2,
      targets: [1e-2, 1e-4],
    },
  },
  paper: {
    bandit: { ...LINEAR_BANDIT },
    envSeed: 7_007,
    policySeed: 9_009,
    linucb: { ...LINUCB_CONSTRUCTION, horizon: 200, ridgeSteps: 400, inverseSteps: 400 },
    thompson: {
      ...THOMPSON_CONSTRUCTION,
      horizon: 200,
      padeTerms: 12,
      meanSteps: 300,
      padeSteps: 300,
      inverseSteps: 300,
    },
    ucbvi: { spec: UCBVI, bonusScales: [2, 0.1], numMdps: 200, mdpSeed: 9_100 },
    closedLoop: { linucbEnvs: 200, tsEnvs: 200, chunk: 100, workers: 2 },
    perLayer: { histories: 3, steps: 1_500, checkSteps: [1, 10, 50, 100, 200], ucbviMdps: 3 },
    sweep: {
      horizons: [25, 50, 100, 200],
      gdLayers: 20_000,
      agdLayers: 2_000,
      histories: 3,
      targets: [1e-2, 1e-4, 1e-8],
    },
  },
};

const q = constructionsDefaults.quick;

/**
 * The smallest config that runs every phase of `run` (a second or two here): for doc examples,
 * tests and a first try; not a result.
 *
 * @example
 * ```ts
 * import { constructionsTiny } from "./constructions.ts";
 * constructionsTiny.bandit.horizon; // 5
 * ```
 */
export const constructionsTiny: ConstructionsConfig = {
  ...q,
  bandit: { ...q.bandit, horizon: 5 },
  linucb: { ...q.linucb, horizon: 5, ridgeSteps: 60, inverseSteps: 60 },
  thompson: {
    ...q.thompson,
    horizon: 5,
    padeTerms: 3,
    meanSteps: 30,
    padeSteps: 30,
    inverseSteps: 30,
  },
  ucbvi: { ...q.ucbvi, spec: { ...q.ucbvi.spec, K: 3, H: 2 }, numMdps: 2 },
  closedLoop: { linucbEnvs: 3, tsEnvs: 2, chunk: 2, workers: 0 },
  perLayer: { histories: 1, steps: 40, checkSteps: [2, 5], ucbviMdps: 1 },
  sweep: { horizons: [3, 5], gdLayers: 300, agdLayers: 60, histories: 1, targets: [1e-2] },
};

/** One closed-loop comparison: a transformer against the algorithm it implements. */
export interface LoopSummary {
  /** "soft LinUCB", "TS", "soft UCB-VI (c_b = …)". */
  name: string;
  /** Environments (MDPs). */
  n: number;
  /** Steps per environment (UCB-VI: episodes). */
  steps: number;
  /** Cumulative regret at every step: transformer, algorithm (E × steps). */
  regretTF: Float64Array;
  regretAlg: Float64Array;
  /** TV per environment and step. */
  tv: Float64Array;
  /** Environments where both played identical actions. */
  identical: number;
  /** Largest logit (UCB-VI: Q̂) error on the transformer's history. */
  maxError: number;
  /** Largest token norm (the clip radius needed), or NaN. */
  maxNorm: number;
  /** Wall time of the transformer's loops (sum over jobs), s. */
  seconds: number;
}

/** Reference regrets at the last step for context (not paired with the transformers). */
export interface ReferenceRow {
  family: "linear bandit" | "tabular MDP";
  algorithm: string;
  n: number;
  mean: number;
  se: number;
}

/** What notebook 09 measured. */
export interface ConstructionsResult {
  config: ConstructionsConfig;
  perLayer: LayerErrorRow[];
  sweep: { rows: SweepRow[]; needed: NeededRow[] };
  loops: LoopSummary[];
  references: ReferenceRow[];
  asWritten: AsWrittenRow[];
  sizes: SizeRow[];
  wallTimeSec: number;
}

function validate(cfg: ConstructionsConfig): void {
  assertKnownKeys("constructions config", cfg, Object.keys(constructionsDefaults.quick));
  assertInt("closedLoop.linucbEnvs", cfg.closedLoop.linucbEnvs, 1);
  assertInt("closedLoop.tsEnvs", cfg.closedLoop.tsEnvs, 1);
  assertInt("closedLoop.chunk", cfg.closedLoop.chunk, 1);
  assertInt("closedLoop.workers", cfg.closedLoop.workers, 0, 64);
  assertInt("ucbvi.numMdps", cfg.ucbvi.numMdps, 1);
  for (const t of cfg.perLayer.checkSteps) {
    assertInt("perLayer.checkSteps[]", t, 1, cfg.bandit.horizon);
  }
  for (const T of cfg.sweep.horizons) assertInt("sweep.horizons[]", T, 1, cfg.bandit.horizon);
  if (cfg.linucb.horizon !== cfg.bandit.horizon || cfg.thompson.horizon !== cfg.bandit.horizon) {
    throw new RangeError(
      `linucb.horizon (${cfg.linucb.horizon}) and thompson.horizon (${cfg.thompson.horizon}) must equal bandit.horizon (${cfg.bandit.horizon})`,
    );
  }
}

/** Split `total` environments into jobs of `chunk`. */
function chunks(total: number, chunk: number): { first: number; count: number }[] {
  const out = [];
  for (let first = 0; first < total; first += chunk) {
    out.push({ first, count: Math.min(chunk, total - first) });
  }
  return out;
}

function merge(name: string, parts: LoopResult[]): LoopSummary {
  const n = parts.reduce((s, p) => s + p.count, 0), steps = parts[0].steps;
  const cat = (f: (p: LoopResult) => Float64Array) => {
    const out = new Float64Array(parts.reduce((s, p) => s + f(p).length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(f(p), o);
      o += f(p).length;
    }
    return out;
  };
  return {
    name,
    n,
    steps,
    regretTF: cat((p) => p.regretTF),
    regretAlg: cat((p) => p.regretAlg),
    tv: cat((p) => p.tv),
    identical: parts.reduce((s, p) => s + p.identical.reduce((a, b) => a + b, 0), 0),
    maxError: Math.max(...parts.map((p) => p.maxError)),
    maxNorm: Math.max(...parts.map((p) => p.maxNorm)),
    seconds: parts.reduce((s, p) => s + p.seconds, 0),
  };
}

/**
 * Notebook 09: every measurement of the module doc. Progress phases: "per-layer checks",
 * "GD vs AGD", "closed loops".
 *
 * @example
 * ```ts
 * import { run, constructionsTiny } from "./constructions.ts";
 * (await run(constructionsTiny)).loops.length; // LinUCB, TS, UCB-VI × 2 bonus scales
 * ```
 */
export async function run(
  cfg: ConstructionsConfig,
  hooks?: RunHooks,
): Promise<ConstructionsResult> {
  validate(cfg);
  const t0 = performance.now();
  const { bandit } = cfg;
  const T = bandit.horizon;

  // closed loops first (the long part, in Workers)
  const jobs: { name: string; job: LoopJob }[] = [];
  for (const c of chunks(cfg.closedLoop.linucbEnvs, cfg.closedLoop.chunk)) {
    jobs.push({
      name: "soft LinUCB",
      job: {
        kind: "linucb",
        spec: cfg.linucb,
        bandit,
        envSeed: cfg.envSeed,
        policySeed: cfg.policySeed,
        ...c,
      },
    });
  }
  for (const c of chunks(cfg.closedLoop.tsEnvs, cfg.closedLoop.chunk)) {
    jobs.push({
      name: "TS",
      job: {
        kind: "ts",
        spec: cfg.thompson,
        bandit,
        envSeed: cfg.envSeed,
        policySeed: cfg.policySeed,
        ...c,
      },
    });
  }
  for (const bs of cfg.ucbvi.bonusScales) {
    for (const c of chunks(cfg.ucbvi.numMdps, cfg.closedLoop.chunk)) {
      jobs.push({
        name: `soft UCB-VI (c_b = ${bs})`,
        job: {
          kind: "ucbvi",
          spec: { ...cfg.ucbvi.spec, bonusScale: bs },
          mdpSeed: cfg.ucbvi.mdpSeed,
          policySeed: cfg.policySeed,
          ...c,
        },
      });
    }
  }
  // the heaviest jobs first, so the Workers finish together
  const order = jobs.map((_, i) => i).sort((a, b) => weight(jobs[b].job) - weight(jobs[a].job));
  let done = 0;
  const results: LoopResult[] = new Array(jobs.length);
  const progress = async () => await reportProgress(hooks, "closed loops", ++done, jobs.length);
  if (cfg.closedLoop.workers === 0) {
    for (const i of order) {
      results[i] = runLoopJob(jobs[i].job);
      await progress();
    }
  } else {
    const out = await runWorkerJobs<LoopJob, LoopResult>(
      new URL("../constructions/loops_worker.ts", import.meta.url),
      order.map((i) => jobs[i].job),
      cfg.closedLoop.workers,
      () => void progress(),
    );
    out.forEach((r, n) => (results[order[n]] = r));
  }
  const names = [...new Set(jobs.map((j) => j.name))];
  const loops = names.map((nm) => merge(nm, results.filter((_, i) => jobs[i].name === nm)));

  // references for context: notebook 07's LinUCB and Gaussian TS on the same environments
  const references: ReferenceRow[] = [];
  {
    const n = Math.max(cfg.closedLoop.linucbEnvs, cfg.closedLoop.tsEnvs);
    const envs = sampleBandits(bandit, cfg.envSeed, n);
    for (
      const [label, spec] of [
        ["LinUCB (notebook 07)", {
          name: "linucb",
          lambda: cfg.linucb.lambda,
          alpha: cfg.linucb.alpha,
        }],
        ["Gaussian TS (notebook 07)", {
          name: "ts-gaussian",
          priorVar: cfg.thompson.priorVar,
          noiseVar: cfg.thompson.noiseVar,
        }],
        ["uniform", { name: "uniform" }],
      ] as const
    ) {
      const tr = simulate(envs, makePolicy(spec, envs, cfg.policySeed));
      const R = cumulativeRegret(envs, tr.actions, T);
      const last = Float64Array.from({ length: n }, (_, e) => R[e * T + T - 1]);
      references.push({ family: "linear bandit", algorithm: label, n, ...meanSE(last) });
    }
    const { spec } = cfg.ucbvi;
    const root = new Rng(cfg.ucbvi.mdpSeed).fork("09:mdp");
    const mdps = Array.from(
      { length: cfg.ucbvi.numMdps },
      (_, e) => randomEpisodicMdp(root.fork(e), { nS: spec.nS, nA: spec.nA, H: spec.H }),
    );
    const uni = new Float64Array(spec.H * spec.nS * spec.nA).fill(1 / spec.nA);
    const regU = mdps.map((m) =>
      spec.K * (episodicOptimal(m).value - episodicPolicyValue(m, uni).value)
    );
    references.push({
      family: "tabular MDP",
      algorithm: "uniform",
      n: mdps.length,
      ...meanSE(regU),
    });
    for (const bs of cfg.ucbvi.bonusScales) {
      const reg = mdps.map((m, e) => {
        const r = runUcbvi(
          m,
          spec.K,
          0,
          new Rng(cfg.policySeed).fork("09:ucbvi-greedy").fork(e),
          bs,
        );
        return r.regret.reduce((a, b) => a + b, 0);
      });
      references.push({
        family: "tabular MDP",
        algorithm: `UCB-VI greedy (c_b = ${bs})`,
        n: mdps.length,
        ...meanSE(reg),
      });
    }
  }

  // per-layer checks
  const perLayer: LayerErrorRow[] = [];
  const pl = cfg.perLayer;
  perLayer.push(
    ...perLayerLinUCB(
      { ...cfg.linucb, ridgeSteps: pl.steps, inverseSteps: pl.steps },
      bandit,
      cfg.envSeed,
      cfg.policySeed,
      pl.histories,
      pl.checkSteps,
    ),
  );
  await reportProgress(hooks, "per-layer checks", 1, 3);
  perLayer.push(
    ...perLayerThompson(cfg.thompson, bandit, cfg.envSeed, cfg.policySeed, pl.checkSteps),
  );
  await reportProgress(hooks, "per-layer checks", 2, 3);
  perLayer.push(...perLayerUcbvi(cfg.ucbvi.spec, cfg.ucbvi.mdpSeed, pl.ucbviMdps));
  await reportProgress(hooks, "per-layer checks", 3, 3);

  // GD vs AGD
  const sweep = layersSweep(cfg.linucb, bandit, cfg.envSeed, cfg.policySeed, cfg.sweep);
  await reportProgress(hooks, "GD vs AGD", 1, 1);

  const asWritten = paperAsWritten(cfg.linucb, cfg.thompson, cfg.ucbvi.spec);
  const accuracy = {
    linucb: loops.find((l) => l.name === "soft LinUCB")!.maxError,
    ts: loops.find((l) => l.name === "TS")!.maxError,
  };
  const sizes = sizeTable(cfg.linucb, cfg.thompson, cfg.ucbvi.spec, accuracy);
  return {
    config: cfg,
    perLayer,
    sweep,
    loops,
    references,
    asWritten,
    sizes,
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}

/** Rough cost of a job (for ordering). */
function weight(job: LoopJob): number {
  if (job.kind === "ts") return job.count * job.spec.padeTerms * job.spec.padeSteps * 4;
  if (job.kind === "linucb") return job.count * (job.spec.ridgeSteps + job.spec.inverseSteps);
  return job.count * job.spec.K * 50;
}
