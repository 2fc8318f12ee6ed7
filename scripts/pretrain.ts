/**
 * `deno run -A scripts/pretrain.ts [--quick | --long | --gonogo] [--backend NAME]` — experiment 8
 * (MATH §9) outside Jupyter: prints the conclusion of `run` at the chosen scale (default paper;
 * `--long` resumes from its training states when run again), or,
 * with `--gonogo`, the 5-minute go/no-go of issue 16 (one AD run: T = 50, 2 layers, D = 32,
 * 10 000 LinUCB trajectories, 500 steps of batch 64; held-out accuracy vs the repeat-previous floor,
 * regret vs LinUCB / Emp / the prior-only arm on notebook 07's 500 test environments).
 * `--backend webgpu` needs a WebGPU adapter (a GPU) and stops with a clear message otherwise; the
 * backend can also come from `ICRL_BACKEND`.
 *
 * Exit codes: 0 done · 64 bad command line.
 *
 * @module
 */

import { parseFlags, UsageError } from "./cli.ts";
import { BACKEND_ENV, type BackendName, parseBackend } from "../lib/bandits/backend.ts";
import { runPretrainJob } from "../lib/bandits/pretrain_job.ts";
import { LINEAR_BANDIT, sampleBandits } from "../lib/bandits/env.ts";
import { makePolicy } from "../lib/bandits/algorithms.ts";
import { simulate } from "../lib/bandits/simulate.ts";
import { cumulativeRegret, regretCurve } from "../lib/bandits/regret.ts";
import { PriorArmPolicy } from "../lib/bandits/deploy.ts";
import { pretrainDefaults, run } from "../lib/experiments/pretrain.ts";
import { summary } from "../lib/experiments/pretrain_views.ts";
import { analyse } from "../lib/experiments/pretrain_analysis.ts";
import { fmtFixed, fmtMeanSE, fmtPct } from "../lib/report/format.ts";

/** Usage text of `pretrain.ts`. */
export const USAGE = `Usage: deno run -A scripts/pretrain.ts [--quick | --gonogo] [--backend NAME]

Experiment 8 (MATH §9) outside Jupyter: print the conclusion at paper scale (default) or quick scale,
or run the 5-minute go/no-go of issue 16.

Options:
  --quick            quick scale instead of paper scale
  --long             the long scale (hours; resumable: rerun the same command to continue)
  --gonogo           the go/no-go run (one AD run, T = 50) instead of the experiment
  --backend NAME     wasm (default: the WebAssembly engine), tfjs-wasm, cpu or webgpu (tfjs)
                     (default from ICRL_BACKEND)
  -h, --help         this help`;

/** Parsed command line of `pretrain.ts`. */
export interface PretrainOptions {
  /** Quick scale (ignored with `gonogo`). */
  quick: boolean;
  /** Run the go/no-go instead of the experiment. */
  gonogo: boolean;
  /** The long scale (hours; resumes from its training states). */
  long: boolean;
  /** The tfjs backend. */
  backend: BackendName;
  /** Show usage. */
  help: boolean;
}

/**
 * Parse the command line; `env` is the value of `ICRL_BACKEND` (used when no `--backend` is
 * given). Throws a {@linkcode UsageError} naming a bad flag (and the closest valid one) or backend.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./pretrain.ts";
 * parseArgs(["--quick", "--backend=cpu"]); // { quick: true, long: false, gonogo: false, backend: "cpu", help: false }
 * ```
 */
export function parseArgs(args: readonly string[], env?: string): PretrainOptions {
  const v = parseFlags(args, {
    quick: { type: "boolean" },
    gonogo: { type: "boolean" },
    long: { type: "boolean" },
    backend: { type: "string" },
    help: { type: "boolean", short: "h" },
  }).values;
  let backend: BackendName;
  try {
    backend = parseBackend(v.backend === undefined ? [] : ["--backend", v.backend], env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    quick: v.quick ?? false,
    long: v.long ?? false,
    gonogo: v.gonogo ?? false,
    backend,
    help: v.help ?? false,
  };
}

/** The go/no-go of issue 16: one AD run, held-out accuracy and regret against the baselines. */
async function goNoGo(backend: BackendName): Promise<void> {
  const T = 50, E = 500;
  const spec = { ...LINEAR_BANDIT, horizon: T };
  const res = await runPretrainJob({
    name: "go/no-go",
    backend,
    spec,
    context: { name: "linucb" },
    trainCount: 10_000,
    heldoutCount: 1_000,
    dataEnvSeed: 8_100,
    dataPolicySeed: 8_101,
    train: {
      D: 32,
      layers: 2,
      mlpHidden: 128,
      steps: 500,
      batch: 64,
      lr: 1e-3,
      weightDecay: 1e-4,
      clipNorm: 1,
      evalEvery: 50,
      target: "logged",
      seed: 0,
      matmul: "plain",
    },
    evalEnvSeed: 7_007,
    evalFirst: 0,
    evalCount: E,
    evalPolicySeed: 8_009,
    modes: ["sample", "greedy"],
  }, (phase, done, total) => {
    if (phase === "train" && done % 100 === 0) console.log(`train ${done}/${total}`);
  });
  const p = res.pretrain, last = p.curve[p.curve.length - 1];
  console.log(
    `backend ${res.backend}; data ${fmtFixed(res.dataSec, 1)} s, training ${
      fmtFixed(p.wallTimeSec, 0)
    } s (${fmtFixed(1000 / p.stepsPerSec, 0)} ms/step), evaluation ${fmtFixed(res.evalSec, 0)} s`,
  );
  console.log(
    `held-out accuracy ${fmtPct(last.heldoutAcc)} (repeat-previous floor ${
      fmtPct(p.repeatFloor)
    }, chance 10.0 %), held-out loss ${fmtFixed(last.heldoutLoss, 3)}`,
  );
  const envs = sampleBandits(spec, 7_007, E);
  const atT = (R: Float64Array) => {
    const c = regretCurve(R, E, T, [T])[0];
    return fmtMeanSE(c.mean, c.se, 2);
  };
  for (const r of res.regret) console.log(`TF ${r.mode}: regret at T = ${T} ${atT(r.R)}`);
  for (const name of ["linucb", "ts-gaussian", "empirical-mean"] as const) {
    const R = cumulativeRegret(envs, simulate(envs, makePolicy({ name }, envs, 8_008)).actions, T);
    console.log(`${name}: ${atT(R)}`);
  }
  const prior = simulate(envs, new PriorArmPolicy(envs)).actions;
  console.log(`prior-only arm: ${atT(cumulativeRegret(envs, prior, T))}`);
}

/**
 * Run experiment 8 (or the go/no-go) as the command line says; returns the exit code.
 *
 * @example
 * ```ts ignore
 * await main(["--quick", "--backend", "wasm"]); // prints the quick-scale conclusion; 0
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let opts: PretrainOptions;
  try {
    opts = parseArgs(args, Deno.env.get(BACKEND_ENV));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`pretrain: ${e.message}`);
    return 64;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.gonogo) {
    await goNoGo(opts.backend);
    return 0;
  }
  const backend = opts.backend;
  const cfg = { ...pretrainDefaults[opts.quick ? "quick" : opts.long ? "long" : "paper"], backend };
  const res = await run(cfg, { log: (l) => console.log(l) });
  console.log(summary(res, analyse(res)));
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
