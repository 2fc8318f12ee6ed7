/**
 * Experiment 5 (MATH §7, §8.5): what would settle the referee's questions — richness made
 * checkable, the richness ablation, the basin of attraction, and predicted vs measured rate and
 * scale. `run` and its result; the config and defaults are in `settle_config.ts` (re-exported
 * here), the views (tables, figures, summary) in `settle_views.ts`.
 *
 * @module
 */

import { DEFAULT_TASK, type TaskSpec } from "../icrl/mod.ts";
import { trainConfig } from "../train/train.ts";
import { PAPER_DISTRIBUTION } from "../settle/distribution.ts";
import {
  type ArmOut,
  type Job,
  type RateOut,
  type RichnessOut,
  runJobs,
  type TrainOut,
} from "../settle/jobs.ts";
import { reportProgress, type RunHooks } from "./shape.ts";
import { fmtSig } from "../report/format.ts";
import {
  ablationArms,
  type ArmSpec,
  type BasinGrid,
  type SettleConfig,
  validateSettleConfig,
} from "./settle_config.ts";
export * from "./settle_config.ts";

/** A scale run: optimiser, learning rate, gain, seed, d and its training rows. */
export interface ScaleRun {
  d: number;
  optimizer: "adam" | "gd";
  lr: number;
  gain: number;
  seed: number;
  out: TrainOut;
}

/** A basin run: d, optimiser setting (label, optimiser, learning rate), gain, init index. */
export interface BasinRun {
  d: number;
  setting: string;
  optimizer: "adam" | "gd";
  lr: number;
  gain: number;
  init: number;
  out: TrainOut;
}

/** An ablation run: one arm, one training seed (replicate). */
export type ArmRun = ArmOut & { spec: ArmSpec; seed: number; replicate: number };

/** Everything `run` measured. */
export interface SettleResult {
  config: SettleConfig;
  smallTask: TaskSpec;
  /** (1) d small dense, d small LOBPCG (cross-check), d = 36 LOBPCG — paper distribution. */
  richness: { small: RichnessOut; smallIterative: RichnessOut; large: RichnessOut };
  /** GD on the fixed prompt set, then GD on fresh prompts. */
  rate: RateOut[];
  scale: ScaleRun[];
  /** Every (arm, seed) run, arm-major. */
  arms: ArmRun[];
  basin: BasinRun[];
  wallTimeSec: number;
}

/**
 * The optimiser settings of a basin grid: Adam, then GD at each rate.
 *
 * @example
 * ```ts
 * import { basinSettings } from "./settle.ts";
 * const s = basinSettings({ adamLr: 0.01, gdLrs: [8, 4] });
 * if (s.map((x) => x.setting).join() !== "adam lr 0.0100,gd η 8,gd η 4") {
 *   throw new Error(s.map((x) => x.setting).join());
 * }
 * ```
 */
export function basinSettings(
  b: { adamLr: number; gdLrs: number[] },
): { setting: string; optimizer: "adam" | "gd"; lr: number }[] {
  return [
    { setting: `adam lr ${fmtSig(b.adamLr)}`, optimizer: "adam" as const, lr: b.adamLr },
    ...b.gdLrs.map((lr) => ({ setting: `gd η ${fmtSig(lr)}`, optimizer: "gd" as const, lr })),
  ];
}

function mergeRichness(parts: RichnessOut[]): RichnessOut {
  return {
    perC: parts.flatMap((p) => p.perC),
    gram: parts[0].gram,
    structuralZeros: parts[0].structuralZeros,
    prompts: parts[0].prompts,
    wallTimeSec: parts.reduce((s, p) => s + p.wallTimeSec, 0),
  };
}

/**
 * Run every job of notebook 05 over `cfg.workers` Workers. Progress: phase "jobs", one unit per job.
 *
 * @example
 * ```ts
 * import { run, settleTiny } from "./settle.ts";
 * const res = await run(settleTiny);
 * // 2 ablation arms (fresh MDPs, one-hot) × 1 seed; 2 basin settings (Adam, GD η 8) × 1 init
 * if (res.arms.length !== 2 || res.basin.length !== 2) throw new Error("jobs");
 * res.arms.map((a) => a.spec.label); // ["fresh MDPs (paper)", "one-hot features"]
 * ```
 */
export async function run(cfg: SettleConfig, hooks?: RunHooks): Promise<SettleResult> {
  validateSettleConfig(cfg);
  const t0 = performance.now();
  const big: TaskSpec = { ...DEFAULT_TASK };
  const smallTask: TaskSpec = {
    ...DEFAULT_TASK,
    nS: cfg.small.nS,
    nA: cfg.small.nA,
    d: cfg.small.nS * cfg.small.nA,
  };
  const P = PAPER_DISTRIBUTION, seed = cfg.seed;
  const jobs: Job[] = [];
  const arms = ablationArms(cfg);
  const armMeta: { spec: ArmSpec; seed: number; replicate: number }[] = [];
  for (const arm of arms) {
    for (const [replicate, s] of cfg.ablation.seeds.entries()) {
      armMeta.push({ spec: arm, seed: s, replicate });
      jobs.push({
        kind: "arm",
        label: arm.label,
        train: {
          train: trainConfig({
            K: cfg.ablation.K,
            T: cfg.ablation.T,
            batch: 64,
            lr: cfg.ablation.lr,
            logEvery: Math.max(1, Math.floor((cfg.ablation.K / 64) * cfg.ablation.T / 40)),
            seed: s,
          }),
          dist: arm.dist,
          stopDist: 0,
          onDiverge: "throw",
        },
        richness: {
          sampling: cfg.samplingLarge,
          samplingSmall: cfg.samplingSmall,
          cs: [cfg.ablation.c],
          solver: {
            block: cfg.richness.block,
            dim: 0,
            maxIter: cfg.ablation.maxIter,
            tol: cfg.richness.tol,
          },
        },
        smallTask,
        smallRank: Math.max(1, Math.round((arm.rankFraction ?? 1) * smallTask.d)),
        transfer: cfg.ablation.transfer,
        iterative: replicate === 0,
      });
    }
  }
  const basinIdx = jobs.length;
  const basinMeta: Omit<BasinRun, "out">[] = [];
  const grids: { task: TaskSpec; b: BasinGrid; offset: number }[] = [
    { task: smallTask, b: cfg.basin, offset: 100 },
  ];
  if (cfg.basin.large) grids.push({ task: big, b: cfg.basin.large, offset: 200 });
  for (const { task, b, offset } of grids) {
    for (const st of basinSettings(b)) {
      for (const gain of b.gains) {
        for (let init = 0; init < b.inits; init++) {
          basinMeta.push({ d: task.d, ...st, gain, init });
          jobs.push({
            kind: "train",
            keepBlocks: task.d === smallTask.d,
            train: {
              train: trainConfig({
                task,
                K: b.K,
                T: b.T,
                batch: 64,
                optimizer: st.optimizer,
                lr: st.lr,
                lrDecay: 1,
                initGain: gain,
                logEvery: 25,
                seed: seed * 1000 + offset + init,
                divergeLoss: 1e6,
              }),
              dist: P,
              stopDist: b.stopDist,
              onDiverge: "stop",
            },
          });
        }
      }
    }
  }
  const rateIdx = jobs.length;
  const { cs: rateCs, fresh, ...rate } = cfg.rate;
  for (const c of rateCs) {
    jobs.push({
      kind: "rate",
      task: smallTask,
      dist: P,
      seed,
      sampling: cfg.samplingSmall,
      c,
      ...rate,
    });
  }
  for (const c of rateCs) {
    jobs.push({
      kind: "freshRate",
      task: smallTask,
      dist: P,
      seed,
      episodes: fresh.episodes,
      T: fresh.T,
      batch: fresh.batch,
      c,
      etaTimesLambdaMax: fresh.etaTimesLambdaMax,
      eps: rate.eps,
      horizon: rate.horizon,
      maxSteps: rate.maxSteps,
      fitFraction: rate.fitFraction,
    });
  }
  const scaleIdx = jobs.length;
  const scaleMeta: Omit<ScaleRun, "out">[] = [];
  const sc = cfg.scale;
  const etaMax = Math.max(...sc.gdLrs);
  const runs: { optimizer: "gd" | "adam"; lr: number; stretch: number }[] = [
    ...sc.gdLrs.map((lr) => ({ optimizer: "gd" as const, lr, stretch: Math.round(etaMax / lr) })),
    ...sc.adamLrs.map((lr) => ({ optimizer: "adam" as const, lr, stretch: 1 })),
  ];
  for (const { optimizer, lr, stretch } of runs) {
    for (const gain of sc.gains) {
      for (const s of sc.seeds) {
        scaleMeta.push({ d: smallTask.d, optimizer, lr, gain, seed: s });
        jobs.push({
          kind: "train",
          keepBlocks: false,
          train: {
            train: trainConfig({
              task: smallTask,
              K: sc.K * stretch,
              T: sc.T,
              batch: 64,
              optimizer,
              lr,
              lrDecay: 1,
              initGain: gain,
              logEvery: Math.max(1, Math.floor((sc.K * stretch / 64) * sc.T / 60)),
              seed: seed * 1000 + 500 + s,
            }),
            dist: P,
            stopDist: 0,
            onDiverge: "throw",
          },
        });
      }
    }
  }
  if (sc.large) {
    scaleMeta.push({ d: big.d, optimizer: "gd", lr: sc.large.gdLr, gain: 0.1, seed: 0 });
    jobs.push({
      kind: "train",
      keepBlocks: false,
      train: {
        train: trainConfig({
          K: sc.large.K,
          T: sc.large.T,
          batch: 64,
          optimizer: "gd",
          lr: sc.large.gdLr,
          lrDecay: 1,
          initGain: 0.1,
          logEvery: Math.max(1, Math.floor((sc.large.K / 64) * sc.large.T / 60)),
          seed: seed * 1000 + 900,
        }),
        dist: P,
        stopDist: 0,
        onDiverge: "throw",
      },
    });
  }
  const richIdx = jobs.length;
  const rc = cfg.richness;
  const rich = (task: TaskSpec, method: "dense" | "lobpcg", c: number[]): Job => ({
    kind: "richness",
    task,
    dist: P,
    seed,
    sampling: task.d === big.d ? cfg.samplingLarge : cfg.samplingSmall,
    cs: c,
    method,
    solver: { block: rc.block, dim: 0, maxIter: rc.maxIter, tol: rc.tol },
  });
  // One job per c at d = 36 (the expensive ones), so both workers share them.
  for (const c of rc.cs) jobs.push(rich(big, "lobpcg", [c]));
  jobs.push(rich(smallTask, "dense", rc.cs));
  jobs.push(rich(smallTask, "lobpcg", rc.cs));
  hooks?.log?.(`${jobs.length} jobs on ${cfg.workers} workers`);
  await reportProgress(hooks, "jobs", 0, jobs.length);
  const outs = await runJobs(
    jobs,
    cfg.workers,
    (done, total) => reportProgress(hooks, "jobs", done, total),
  );
  return {
    config: cfg,
    smallTask,
    richness: {
      large: mergeRichness(outs.slice(richIdx, richIdx + rc.cs.length) as RichnessOut[]),
      small: outs[richIdx + rc.cs.length] as RichnessOut,
      smallIterative: outs[richIdx + rc.cs.length + 1] as RichnessOut,
    },
    rate: outs.slice(rateIdx, scaleIdx).flatMap((o) => o as RateOut[]),
    scale: scaleMeta.map((m, i) => ({ ...m, out: outs[scaleIdx + i] as TrainOut })),
    arms: armMeta.map((m, i) => ({ ...(outs[i] as ArmOut), ...m })),
    basin: basinMeta.map((m, i) => ({ ...m, out: outs[basinIdx + i] as TrainOut })),
    wallTimeSec: (performance.now() - t0) / 1000,
  };
}
