/**
 * `deno task bench` — throughput of the hot paths at paper dims (|S|=9, |A|=4, d=36, n=20):
 * rollout + teacher, LSA readout (float64 fast form, restricted form, tfjs batched), and training
 * (exact mode and batched mode, SARSA and actor–critic). Prints prompts/s and achieved FLOP/s
 * (FLOPs counted from the formulas of the readout/gradient, excluding rollout and optimiser).
 *
 * Usage: deno task bench [--quick] [--json FILE]
 */

import {
  buildPrompt,
  DEFAULT_TASK,
  initTf,
  lsaReadout,
  lsaReadoutTf,
  newTaskEnv,
  paramsToTensors,
  promptsToTensor,
  restrictedReadout,
  restrictedScratch,
  Rng,
  sarsaBlocks,
  sarsaConstruction,
  taskAdvance,
  taskDims,
  taskStep,
  tf,
  trainConfig,
  trainTeacherMimic,
} from "../lib/mod.ts";

const args = Deno.args;
const quick = args.includes("--quick");
const jsonIdx = args.indexOf("--json");
const jsonPath = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const budget = quick ? 0.3 : 1.5; // seconds per measurement

function cpuName(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
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
// Gradient FLOPs per prompt (readout + backward), from the formulas in lib/grad.ts.
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
if (jsonPath) {
  await Deno.writeTextFile(
    jsonPath,
    JSON.stringify(
      { machine: cpuName(), cores: navigator.hardwareConcurrency, backend, rows },
      null,
      2,
    ),
  );
}
