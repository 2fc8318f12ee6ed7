/**
 * `deno task bench` — throughput of the hot paths at paper dims (|S|=9, |A|=4, d=36, n=20):
 * rollout + teacher, LSA readout (float64 fast form, restricted form, tfjs batched), and training
 * (exact mode and batched mode, SARSA and actor–critic). Prints prompts/s and achieved FLOP/s
 * (FLOPs counted from the formulas of the readout/gradient, excluding rollout and optimiser).
 *
 * Ends with the bandit transformer engine at the paper's architecture on every backend
 * (`transformer_engine.ts`).
 *
 * Usage: deno task bench [--quick] [--json FILE]
 */

import { machineInfo } from "../lib/report/manifest.ts";
import {
  adam,
  blockLearner,
  buildPrompt,
  DEFAULT_TASK,
  evaluateTransfer,
  fusedAdam,
  fusedBatch,
  fusedPrompt,
  fusedReadout,
  fusedStep,
  lsaReadout,
  newTaskEnv,
  recordGrid,
  restrictedLossGrad,
  restrictedReadout,
  restrictedScratch,
  Rng,
  sarsaBlocks,
  sarsaConstruction,
  taskAdvance,
  taskDims,
  taskStep,
  taskStepFast,
  teacherLearner,
  trainConfig,
  trainTeacherMimic,
  transferConfig,
  WasmAdam,
} from "../lib/mod.ts";
import { initTf, lsaReadoutTf, paramsToTensors, promptsToTensor, tf } from "../lib/icrl/tf.ts";
import { simdPeakGflops } from "../lib/core/wasm_kernels.ts";
import { benchTransformerEngine } from "./transformer_engine.ts";

const args = Deno.args;
const quick = args.includes("--quick");
const jsonIdx = args.indexOf("--json");
const jsonPath = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const budget = quick ? 0.3 : 1.5; // seconds per measurement

/** The CPU model, as manifests record it (`machineInfo`). */
function cpuName(): string {
  return machineInfo().cpu;
}

/** Run `fn` (which processes `per` prompts) repeatedly for ~budget seconds; return prompts/s. */
async function rate(per: number, fn: () => void | Promise<void>): Promise<number> {
  await fn(); // warm-up
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budget * 1000) {
    await fn();
    count += per;
  }
  return count / ((performance.now() - t0) / 1000);
}

const rows: { what: string; promptsPerSec: number; gflops?: number }[] = [];
function report(what: string, pps: number, flopsPerPrompt?: number) {
  const gflops = flopsPerPrompt ? (pps * flopsPerPrompt) / 1e9 : undefined;
  rows.push({ what, promptsPerSec: Math.round(pps), gflops });
  console.log(
    `${what.padEnd(52)} ${Math.round(pps).toLocaleString("en-US").padStart(12)} prompts/s` +
      (gflops !== undefined ? `   ${gflops.toFixed(2)} GFLOP/s` : ""),
  );
}

const task = DEFAULT_TASK;
const { m, p } = taskDims(task);
const n = task.n, D = m + p;
const backend = await initTf();
console.log(
  `machine: ${cpuName()}, ${navigator.hardwareConcurrency} cores; Deno ${Deno.version.deno}`,
);
console.log(
  `tfjs ${tf.version_core} backend: ${backend}; dims |S|=9 |A|=4 d=36 n=20 (m=${m}, p=${p}, D=${D})`,
);
console.log(quick ? "(quick: short measurements)\n" : "");

// Rollout + teacher (ε-greedy table, rollout, tokens, SARSA target, advance).
const env = newTaskEnv(task, new Rng(1));
const X = new Float64Array(n * m), target = new Float64Array(p - 1);
report(
  "rollout + SARSA teacher (float64)",
  await rate(100, () => {
    for (let i = 0; i < 100; i++) {
      taskStep(task, env, X, target);
      taskAdvance(env, target);
    }
  }),
);

// LSA readouts.
const params = sarsaConstruction(task.d, task.alpha);
const prompt = buildPrompt(X, n, m, env.theta);
const fastFlops = 2 * D * D + 4 * D * (n + 1) + 2 * (p - 1) * D;
report(
  "LSA fast readout, dense P,V (float64)",
  await rate(100, () => {
    for (let i = 0; i < 100; i++) lsaReadout(params, prompt);
  }),
  fastFlops,
);
const blocks = sarsaBlocks(task.d, task.alpha);
const sc = restrictedScratch(m, p, n);
const restrFlops = 2 * m * p + 4 * n * m + 2 * (p - 1) * m;
report(
  "LSA restricted readout P12,V̄21 (float64)",
  await rate(1000, () => {
    for (let i = 0; i < 1000; i++) restrictedReadout(blocks, X, n, env.theta, sc);
  }),
  restrFlops,
);
for (const B of [1, 64, 256]) {
  const { P, V } = paramsToTensors(params);
  const H = promptsToTensor(Array.from({ length: B }, () => prompt));
  report(
    `LSA fast readout tfjs ${backend} float32, B=${B}`,
    await rate(B, async () => {
      const out = lsaReadoutTf(P, V, H, n, m);
      await out.data();
      out.dispose();
    }),
    fastFlops + 2 * D * D,
  );
  tf.dispose([P, V, H]);
}

// Training throughput (rollout + teacher + gradient + optimiser step).
// Gradient FLOPs per prompt (readout + backward), from the formulas in lib/icrl/grad.ts.
const restrGradFlops = 4 * m * p + 8 * n * m + 6 * (p - 1) * m;
const fullGradFlops = 4 * D * D + 8 * D * (n + 1) + 4 * (p - 1) * D;
async function trainRate(
  label: string,
  over: Parameters<typeof trainConfig>[0],
  flops = restrGradFlops,
) {
  const probe = trainConfig({ ...over, K: over!.batch ?? 1, T: 20, logEvery: 1_000_000 });
  const res0 = await trainTeacherMimic(probe);
  const perSec = res0.prompts / res0.wallTimeSec;
  const T = Math.max(20, Math.round((perSec * budget * 2) / (over!.batch ?? 1)));
  const res = await trainTeacherMimic({ ...probe, T });
  report(label, res.prompts / res.wallTimeSec, flops);
}
await trainRate("train SARSA exact (B=1), restricted, Adam", { batch: 1 });
await trainRate("train SARSA batched B=64, restricted, Adam", { batch: 64 });
await trainRate("train SARSA batched B=256, restricted, Adam", { batch: 256 });
await trainRate(
  "train SARSA batched B=64, full P,V, Adam",
  { batch: 64, param: "full" },
  fullGradFlops,
);
{
  const ac = trainConfig({ task: { kind: "ac" } }).task;
  const { m: ma, p: pa } = taskDims(ac);
  const acFlops = 4 * ma * pa + 8 * n * ma + 6 * (pa - 1) * ma;
  await trainRate("train actor–critic exact (B=1), restricted", { batch: 1, task: ac }, acFlops);
  await trainRate("train actor–critic batched B=64, restricted", { batch: 64, task: ac }, acFlops);
}

// Fused kernels (lib/train/fused.ts, lib/icrl/fast_task.ts, lib/train/wasm_adam.ts) and the streamed
// engine (rollouts on a second thread, lib/train/stream.ts) against the reference kernels, alternating
// runs in this same process, median of 3 each; all produce bit-identical numbers
// (tests/train/fused_test.ts, wasm_adam_test.ts, stream_test.ts).
{
  // Measured fp64 peak for these loop shapes: a scalar multiply–add loop over float64 arrays with
  // eight independent sums (what the kernels' dot products and rank-1 sums reduce to).
  const len = 4096, xa = new Float64Array(len).fill(1.000001), ya = new Float64Array(len).fill(0.5);
  const peakRate = await rate(1, () => {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let r = 0; r < 50; r++) {
      for (let i = 0; i < len; i += 8) {
        s0 += xa[i] * ya[i];
        s1 += xa[i + 1] * ya[i + 1];
        s2 += xa[i + 2] * ya[i + 2];
        s3 += xa[i + 3] * ya[i + 3];
        s4 += xa[i + 4] * ya[i + 4];
        s5 += xa[i + 5] * ya[i + 5];
        s6 += xa[i + 6] * ya[i + 6];
        s7 += xa[i + 7] * ya[i + 7];
      }
    }
    if (s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 === 42) console.log("");
  });
  const peak = (peakRate * 50 * len * 2) / 1e9;
  console.log(`\nmeasured fp64 peak, JS scalar multiply–add, 8 chains: ${peak.toFixed(2)} GFLOP/s`);
  console.log(
    `measured fp64 peak, WebAssembly f64x2 multiply–add, 16 chains: ${
      simdPeakGflops().toFixed(2)
    } GFLOP/s (the fused kernels' instruction set)`,
  );
  console.log(
    "reference vs fused vs streamed (alternating, median of 3; GFLOP/s incl. Adam, one thread):",
  );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ac = trainConfig({ task: { kind: "ac" } }).task;
  const flopsOf = (t: typeof task, B: number) => {
    const d = taskDims(t), size = d.m * d.p + (d.p - 1) * d.m;
    return 4 * d.m * d.p + 8 * n * d.m + 6 * (d.p - 1) * d.m + (11 * size) / B;
  };
  const cases: [string, Parameters<typeof trainConfig>[0]][] = [
    ["train SARSA exact (B=1)", { batch: 1, K: 2 }],
    ["train SARSA batched B=64", { batch: 64, K: 64 }],
    ["train actor–critic exact (B=1)", { batch: 1, K: 2, task: ac }],
    ["train actor–critic batched B=64", { batch: 64, K: 64, task: ac }],
  ];
  const perPrompt = quick ? 20_000 : 150_000;
  for (const [label, over] of cases) {
    const B = over!.batch!;
    const cfg = trainConfig({
      ...over,
      T: Math.max(10, Math.round(perPrompt / over!.K!)),
      logEvery: 1_000_000,
    });
    const kernels = ["reference", "fused", "streamed"] as const;
    const got = { reference: [] as number[], fused: [] as number[], streamed: [] as number[] };
    for (let rep = 0; rep < 3; rep++) {
      for (const k of kernels) {
        const r = await trainTeacherMimic(cfg, undefined, k);
        got[k].push(r.prompts / r.wallTimeSec);
      }
    }
    const f = flopsOf(cfg.task, B);
    for (const k of kernels) report(`${label} [${k}]`, median(got[k]), f);
    console.log(
      `${"".padEnd(52)} speed-up over reference: fused ×${
        (median(got.fused) / median(got.reference)).toFixed(2)
      }, streamed (2 threads) ×${(median(got.streamed) / median(got.reference)).toFixed(2)}`,
    );
  }
  const evalTask = task;
  const learners = (k: "fused" | "reference") => [
    teacherLearner("teacher"),
    blockLearner("block a", { task: evalTask, param: "restricted", blocks }, k),
    blockLearner("block b", { task: evalTask, param: "restricted", blocks }, k),
  ];
  const ecfg = transferConfig({
    task: evalTask,
    numMdps: quick ? 4 : 20,
    updates: 400,
    recordAt: recordGrid(400, 5),
  });
  const got = { reference: [] as number[], fused: [] as number[] };
  for (let rep = 0; rep < 3; rep++) {
    for (const k of ["reference", "fused"] as const) {
      const r = await evaluateTransfer(ecfg, learners(k), undefined, k);
      got[k].push(r.promptsPerSec);
    }
  }
  for (const k of ["reference", "fused"] as const) {
    report(`closed-loop evaluation (03's loop) [${k}]`, median(got[k]));
  }
  console.log(
    `${"".padEnd(52)} speed-up ×${(median(got.fused) / median(got.reference)).toFixed(2)}`,
  );
}

// Where the time goes: per-prompt cost of each part of a training step, reference vs fused
// kernels (µs per prompt; Adam per step is divided by B for the batched rows).
{
  // Best of three short runs: robust to the VM's scheduling noise, so the differences stay sane.
  const us = async (per: number, fn: () => void) => {
    let best = 0;
    for (let r = 0; r < 3; r++) best = Math.max(best, await rate(per, fn));
    return 1e6 / best;
  };
  console.log("\nprofile, µs per prompt (reference → fused):");
  console.log(
    "task".padEnd(8) +
      ["rollout+teacher", "readout", "gradient"]
        .map((h) => h.padStart(20)).join("") +
      "rd+grad wasm".padStart(14) +
      "Adam B=1".padStart(20) + "B=1 wasm".padStart(12) + "Adam B=64".padStart(20) +
      "B=64 wasm".padStart(12),
  );
  for (const kind of ["sarsa", "ac"] as const) {
    const t = trainConfig({ task: { kind } }).task;
    const d = taskDims(t), size = d.m * d.p + (d.p - 1) * d.m;
    const e = newTaskEnv(t, new Rng(3));
    const Xp = new Float64Array(n * d.m), tg = new Float64Array(d.p - 1);
    const flat = new Rng(4).fillUniform(new Float64Array(size), -0.1, 0.1);
    const blk = {
      m: d.m,
      p: d.p,
      P12: flat.subarray(0, d.m * d.p),
      V21bar: flat.subarray(d.m * d.p),
    };
    const grad = new Float64Array(size), sc2 = restrictedScratch(d.m, d.p, n);
    const fb = fusedBatch(d.m, d.p, n, 64), fa = fusedAdam(size), opt = adam(size);
    const outp = new Float64Array(d.p - 1);
    taskStep(t, e, Xp, tg);
    const stepRef = await us(100, () => {
      for (let i = 0; i < 100; i++) taskStep(t, e, Xp, tg);
    });
    const stepFast = await us(100, () => {
      for (let i = 0; i < 100; i++) taskStepFast(t, e, Xp, tg);
    });
    const rdRef = await us(100, () => {
      for (let i = 0; i < 100; i++) restrictedReadout(blk, Xp, n, e.theta, sc2);
    });
    const rdFast = await us(100, () => {
      for (let i = 0; i < 100; i++) fusedReadout(fb, blk, Xp, e.theta, outp);
    });
    const gRef = await us(100, () => {
      for (let i = 0; i < 100; i++) {
        restrictedLossGrad(
          blk,
          Xp,
          n,
          e.theta,
          tg,
          grad.subarray(0, d.m * d.p),
          grad.subarray(d.m * d.p),
          1,
          sc2,
        );
      }
    });
    const gFast = await us(100, () => {
      for (let i = 0; i < 100; i++) fusedPrompt(fb, blk, Xp, e.theta, tg, i & 63, 1);
    });
    const wp = new WasmAdam(d.m, d.p, flat, 64, n);
    for (let b = 0; b < 64; b++) wp.tokens(b).set(Xp);
    const gWasm = await us(100, () => {
      for (let i = 0; i < 100; i++) wp.prompt(i & 63, e.theta, tg, 1);
    });
    const a1Ref = await us(1, () => {
      grad.fill(0);
      opt.step(flat, grad, 1e-12);
    });
    const a1Fast = await us(1, () => fusedStep(blk, fb, 1, fa, 1e-12));
    const wa = new WasmAdam(d.m, d.p, flat);
    const a1Wasm = await us(1, () => wa.step(fb, 1e-12));
    const a64Ref = await us(64, () => {
      grad.fill(0);
      opt.step(flat, grad, 1e-12);
    });
    const a64Fast = await us(64, () => fusedStep(blk, fb, 64, fa, 1e-12));
    const wa64 = new WasmAdam(d.m, d.p, flat, 64);
    const a64Wasm = await us(64, () => wa64.step(fb, 1e-12, 64));
    const cell = (a: number, b: number) => `${a.toFixed(2)} → ${b.toFixed(2)}`.padStart(20);
    console.log(
      kind.padEnd(8) + cell(stepRef, stepFast) +
        cell(rdRef, rdFast) + cell(gRef - rdRef, gFast - rdFast) +
        gWasm.toFixed(2).padStart(14) + cell(a1Ref, a1Fast) +
        a1Wasm.toFixed(2).padStart(12) +
        cell(a64Ref, a64Fast) + a64Wasm.toFixed(2).padStart(12),
    );
  }
  console.log(
    "(rollout+teacher = behaviour policy, rollout, tokens and teacher target, taskStep → taskStepFast;\n" +
      " gradient = loss+gradient minus readout; the fused Adam rows include forming the gradient from\n" +
      " the rank-1 factors, which the reference does inside 'gradient'; 'rd+grad wasm' = readout and\n" +
      " gradient factors together in WebAssembly SIMD; training uses the wasm columns; the streamed\n" +
      " engine moves rollout+teacher to a second thread.)",
  );
}

// Bandit transformer (MATH §9) training step at the notebook-08 size (T = 50, D = 32, 2 layers,
// MLP 128, linear-bandit tokens, batch 64), dense-layer gradients as plain 2-D matmuls (explicit
// transposes: tfjs-wasm's fast path) vs tfjs's own transposed-matmul gradients. Trajectories/s.
{
  const { pretrainTransformer } = await import("../lib/bandits/pretrain.ts");
  const { trainStepFlops, paramCount } = await import("../lib/bandits/transformer.ts");
  const T = 50, A = 10, dd = 5, N = 512, batch = 64;
  const rng = new Rng(11);
  const set = {
    spec: { family: "linear" as const },
    numEnvs: N,
    numArms: A,
    dim: dd,
    horizon: T,
    arms: rng.fillUniform(new Float64Array(N * A * dd), -1, 1),
    actions: Int32Array.from({ length: N * T }, () => rng.int(A)),
    rewards: Float64Array.from({ length: N * T }, () => rng.normal()),
    best: new Int32Array(N),
  };
  const train = Int32Array.from({ length: N - 64 }, (_, i) => i);
  const held = Int32Array.from({ length: 64 }, (_, i) => N - 64 + i);
  for (const matmul of ["plain", "autodiff"] as const) {
    const cfg = {
      D: 32,
      layers: 2,
      mlpHidden: 128,
      batch,
      lr: 1e-3,
      weightDecay: 1e-4,
      clipNorm: 1,
      target: "logged" as const,
      seed: 0,
      matmul,
    };
    const probe = await pretrainTransformer(
      { ...cfg, steps: 2, evalEvery: 1000 },
      set,
      train,
      held,
    );
    const steps = Math.max(3, Math.round(probe.stepsPerSec * budget * 2));
    const res = await pretrainTransformer(
      { ...cfg, steps, evalEvery: 1_000_000 },
      set,
      train,
      held,
    );
    report(
      `bandit TF train step B=${batch} T=${T} (${paramCount(res.model)} params), ${matmul} matmuls`,
      res.stepsPerSec * batch,
      trainStepFlops(res.model, batch) / batch,
    );
  }
}

// tfjs baseline learners of notebook 06 (float32 autodiff, batched B=64, same prompt stream).
{
  const { baselineConfig, trainBaseline } = await import("../lib/baselines/train.ts");
  const arches = [
    ["softmax attention", { kind: "softmax" }],
    ["MLP 2×256", { kind: "mlp", hidden: 256 }],
    ["GRU 64 (tokens)", { kind: "gru", hidden: 64, head: 128 }],
    ["GRU 64 (tokens + w̃)", { kind: "gru", hidden: 64, head: 128, wEveryStep: true }],
  ] as const;
  for (const [label, arch] of arches) {
    const probe = baselineConfig({ arch, K: 64, T: 2, batch: 64, logEvery: 1_000 });
    const r0 = await trainBaseline(probe);
    const T = Math.max(2, Math.round((r0.prompts / r0.wallTimeSec) * budget / 64));
    const r = await trainBaseline({ ...probe, T });
    report(`train SARSA batched B=64, tfjs ${label} (float32)`, r.prompts / r.wallTimeSec);
  }
}

const best = rows.find((r) => r.what.startsWith("train SARSA batched B=64, restricted"))!;
console.log(
  `\npaper scale (10^7 prompts) at batched B=64: ${(1e7 / best.promptsPerSec / 60).toFixed(1)} min`,
);

// Bandits (MATH §9): env-steps/s of each baseline on 500 environments × T = 200 (one thread), all
// baselines together (issue: ≤ 10 s), and the LinUCB pretraining set on 2 Workers (≥ 10⁵ in ≤ 2 min).
const banditRows: { what: string; perSec: number; units: string; seconds: number }[] = [];
{
  const b = await import("../lib/bandits/mod.ts");
  console.log("\nbandits (500 environments × T = 200):");
  let total = 0;
  for (
    const [spec, names] of [
      [b.LINEAR_BANDIT, ["linucb", "ts-gaussian", "empirical-mean", "uniform"]],
      [b.BERNOULLI_BANDIT, ["ts-beta", "ucb-paper", "ucb1", "empirical-mean", "uniform"]],
    ] as const
  ) {
    const envs = b.sampleBandits(spec, 1, 500);
    for (const name of names) {
      const t0 = performance.now();
      b.simulate(
        envs,
        b.makePolicy({ name } as import("../lib/bandits/mod.ts").AlgorithmSpec, envs, 2),
      );
      const sec = (performance.now() - t0) / 1000;
      total += sec;
      const what = `${spec.family} ${
        b.algorithmLabel({ name } as import("../lib/bandits/mod.ts").AlgorithmSpec)
      }`;
      banditRows.push({
        what,
        perSec: Math.round((500 * 200) / sec),
        units: "env-steps/s",
        seconds: sec,
      });
      console.log(
        `${what.padEnd(52)} ${
          Math.round((500 * 200) / sec).toLocaleString("en-US").padStart(12)
        } env-steps/s`,
      );
    }
  }
  banditRows.push({
    what: "all 9 baselines × 500 envs × T = 200",
    perSec: Math.round(9e5 / total),
    units: "env-steps/s",
    seconds: total,
  });
  console.log(
    `${"all 9 baselines × 500 envs × T = 200".padEnd(52)} ${total.toFixed(2).padStart(12)} s`,
  );
  const count = quick ? 10_000 : 100_000;
  const t0 = performance.now();
  await b.generateTrajectories({
    spec: b.LINEAR_BANDIT,
    algorithm: { name: "linucb" },
    count,
    envSeed: 3,
    policySeed: 4,
    workers: 2,
    chunk: 2_500,
  });
  const sec = (performance.now() - t0) / 1000;
  const what = `LinUCB pretraining set, ${count.toLocaleString("en-US")} × T = 200, 2 workers`;
  banditRows.push({ what, perSec: Math.round(count / sec), units: "trajectories/s", seconds: sec });
  console.log(
    `${what.padEnd(52)} ${sec.toFixed(1).padStart(12)} s (${
      Math.round(count / sec).toLocaleString("en-US")
    } trajectories/s)`,
  );
}
// The transformer engine at the paper's architecture: tfjs-wasm, wasm on 1 and 2 workers, webgpu.
const engineRows = await benchTransformerEngine(quick);

if (jsonPath) {
  await Deno.writeTextFile(
    jsonPath,
    JSON.stringify(
      {
        machine: cpuName(),
        cores: navigator.hardwareConcurrency,
        backend,
        rows,
        banditRows,
        engineRows,
      },
      null,
      2,
    ),
  );
}
