// Notebook 03 — in-context control on unseen MDPs with the frozen trained block (MATH §8.3).

// %% [markdown]
// # 03 — The frozen trained block improves its policy in context on MDPs it never saw
//
// **Claim** ([LL26] §4.1 experiments; MATH §8.3). Deploy the block trained in notebook 02, frozen, as
// an in-context learner: on a new MDP (fresh transitions, rewards and features), start from
// `w ~ Unif(−1,1)^d` and `s_0 ~ p0`; repeatedly roll out n = 20 ε-greedy steps (ε = 0.1) from the current
// state, put the trajectory in the prompt, and set `w ← TF_θ(H)`. The greedy policy of `w` should improve
// like the SARSA teacher's.
//
// **Protocol.** ≥ 10 trained blocks (one per training seed of notebook 02, loaded from `data/models/`) ×
// ≥ 100 test MDPs from a stream disjoint from every training stream (asserted), updates 0…400. On each test
// MDP every learner starts from the same `w` and state; each learner's rollouts use its own stream
// derived from the evaluation seed. We plot the **exact** return `J` (MATH §1) of the greedy policy of `w`
// for: the trained blocks (per-MDP average over the training seeds), the SARSA teacher on the same loop,
// the constructed block θ⋆, the oracle (value iteration) and the uniform-random policy. CIs are 95 %
// t-intervals over test MDPs.

// %%
import {
  blockLearner,
  constructedLearner,
  evaluateTransfer,
  loadModel,
  pairedDifference,
  recordGrid,
  summariseTransfer,
  teacherLearner,
  trainConfig,
  trainMany,
  transferConfig,
  type TransferResult,
} from "../../lib/mod.ts";
import { convergenceSettings } from "../../lib/experiments/convergence.ts";
import { averageLearners } from "../../lib/experiments/transfer_exp.ts";
import {
  byScale,
  concatCharts,
  dataDir,
  displayTable,
  figuresDir,
  lineChart,
  liveSink,
  markdown,
  modelsDir,
  progress,
  runScale,
  saveFigure,
  timer,
  writeManifest,
  writeTable,
} from "../../lib/report/mod.ts";

const scale = runScale();
const trainedSettings = convergenceSettings(scale).main; // what notebook 02 trained
const config = {
  scale,
  trainingSeeds: trainedSettings.map((c) => c.seed),
  numMdps: byScale({ quick: 12, paper: 100 }),
  updates: byScale({ quick: 60, paper: 400 }),
  recordEvery: 5,
  evalSeed: 31_415,
  tableSteps: byScale({ quick: [0, 10, 20, 40, 60], paper: [0, 50, 100, 200, 400] }),
  // Sensitivity to the training budget: blocks trained with far fewer prompts (batched B = 64,
  // otherwise MATH §6 defaults), 5 seeds each.
  budgets: byScale({
    quick: [{ K: 64, T: 10 }],
    paper: [{ K: 300, T: 30 }, { K: 1_000, T: 100 }],
  }),
  budgetSeeds: byScale({ quick: [100, 101], paper: [100, 101, 102, 103, 104] }),
};
config;

// %% [markdown]
// ## Load the trained blocks (notebook 02)

// %%
const models = [];
for (const seed of config.trainingSeeds) {
  const path = `${modelsDir()}/sarsa_restricted_seed${seed}.json`;
  try {
    models.push({ seed, ...(await loadModel(path)) });
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n→ run notebook 02 first (deno task reproduce --only 02)`,
    );
  }
}
const task = models[0].model.task;
const K = models[0].config.K;
models.map((m) => ({
  seed: m.seed,
  K: m.config.K,
  T: m.config.T,
  batch: m.config.batch,
  finalLoss: (m.summary.finalMetrics as { loss: number }).loss,
  cP: (m.summary.finalMetrics as { cP: number }).cP,
}));

// %% [markdown]
// ## Closed-loop evaluation

// %%
const clock = timer();
const trainedNames = models.map((m) => `trained seed ${m.seed}`);
const learners = [
  teacherLearner("SARSA teacher"),
  constructedLearner(task, "constructed θ⋆"),
  ...models.map((m, i) => blockLearner(trainedNames[i], m.model)),
];
const cfg = transferConfig({
  task,
  numMdps: config.numMdps,
  updates: config.updates,
  recordAt: recordGrid(config.updates, config.recordEvery),
  seed: config.evalSeed,
  training: { seeds: config.trainingSeeds, K },
});
const bar = progress("closed-loop evaluation", learners.length * cfg.numMdps * cfg.updates, {
  onUpdate: liveSink(Deno.jupyter.display),
});
let seen = 0;
const raw = await evaluateTransfer(cfg, learners, (done) => {
  bar.tick(done - seen);
  seen = done;
});
await bar.done();
const trainedName = `trained block (mean of ${models.length} seeds)`;
const res: TransferResult = averageLearners(raw, trainedNames, trainedName);
writeTable(res.rows, `${dataDir()}/03_transfer_rows`);
writeTable(res.mdps, `${dataDir()}/03_transfer_mdps`);
const summary = summariseTransfer(res);
writeTable(summary, `${dataDir()}/03_transfer_summary`);
`${res.prompts.toLocaleString("en-US")} prompts in ${res.wallTimeSec.toFixed(1)} s (${
  res.promptsPerSec.toFixed(0)
} prompts/s)`;

// %% [markdown]
// ## J of the greedy policy vs in-context update step

// %%
const shown = [trainedName, "SARSA teacher", "constructed θ⋆", "oracle", "random"];
const curveRows = summary.filter((r) => shown.includes(r.learner));
const jFigure = await saveFigure(
  concatCharts([
    lineChart({
      rows: curveRows,
      x: "step",
      y: "mean",
      lower: "lo",
      upper: "hi",
      color: "learner",
      colorOrder: shown,
      title: "Return of the greedy policy of w on unseen MDPs",
      subtitle:
        `${models.length} trained blocks × ${cfg.numMdps} test MDPs; mean ± 95 % CI over MDPs`,
      xTitle: "in-context updates (prompts of n = 20 transitions)",
      yTitle: "J = p0ᵀ v_π (exact)",
      width: 420,
      height: 280,
    }),
    lineChart({
      rows: curveRows,
      x: "step",
      y: "score",
      lower: "scoreLo",
      upper: "scoreHi",
      color: "learner",
      colorOrder: shown,
      title: "Normalised score (J − J_random)/(J_oracle − J_random)",
      xTitle: "in-context updates",
      yTitle: "normalised score",
      width: 420,
      height: 280,
    }),
  ], { direction: "horizontal" }),
  `${figuresDir()}/03_transfer`,
  { png: true },
);
jFigure;

// %% [markdown]
// ## Table: mean [95 % CI] at selected steps, and the paired difference trained − teacher

// %%
const fmtCI = (m: number, lo: number, hi: number) =>
  `${m.toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
const paired = pairedDifference(res, trainedName, "SARSA teacher", config.tableSteps);
const pairedC = pairedDifference(res, "constructed θ⋆", "SARSA teacher", config.tableSteps);
const table = config.tableSteps.map((step) => {
  const at = (name: string) => summary.find((r) => r.learner === name && r.step === step)!;
  const d = paired.find((r) => r.step === step)!;
  const dc = pairedC.find((r) => r.step === step)!;
  return {
    step,
    trained: fmtCI(at(trainedName).mean, at(trainedName).lo, at(trainedName).hi),
    teacher: fmtCI(at("SARSA teacher").mean, at("SARSA teacher").lo, at("SARSA teacher").hi),
    constructed: fmtCI(at("constructed θ⋆").mean, at("constructed θ⋆").lo, at("constructed θ⋆").hi),
    oracle: at("oracle").mean.toFixed(3),
    random: at("random").mean.toFixed(3),
    "trained − teacher": fmtCI(d.mean, d.lo, d.hi),
    "constructed − teacher": fmtCI(dc.mean, dc.lo, dc.hi),
    "trained score": fmtCI(at(trainedName).score, at(trainedName).scoreLo, at(trainedName).scoreHi),
  };
});
writeTable(table, `${dataDir()}/03_transfer_table`);
writeTable(paired, `${dataDir()}/03_paired_trained_minus_teacher`);
displayTable(table);

// %% [markdown]
// ## Seed-to-seed spread of the trained blocks
//
// Each trained block's own mean J over the test MDPs at the last step (CI over MDPs), beside the
// teacher's.

// %%
const last = config.updates;
const perSeedRows = [...trainedNames, "SARSA teacher"].map((name) => {
  const r = summary.find((s) => s.learner === name && s.step === last)!;
  return { learner: name, J: r.mean, lo: r.lo, hi: r.hi, score: r.score };
});
writeTable(perSeedRows, `${dataDir()}/03_per_seed_final`);
displayTable(perSeedRows, { digits: 4 });

// %% [markdown]
// ## Sensitivity: how transfer depends on the training budget
//
// Blocks trained with far fewer prompts (same protocol otherwise), evaluated on the same test MDPs with
// the same streams. The paper-budget curve is the one above.

// %%
const budgetConfigs = config.budgets.flatMap((b) =>
  config.budgetSeeds.map((seed) => trainConfig({ K: b.K, T: b.T, batch: 64, seed, logEvery: 50 }))
);
const budgetResults = await trainMany(budgetConfigs, 2);
const budgetLearners = budgetResults.map((r) =>
  blockLearner(`K=${r.config.K}, T=${r.config.T}, seed ${r.config.seed}`, r.model)
);
const budgetRaw = await evaluateTransfer(
  { ...cfg, training: { seeds: [...config.trainingSeeds, ...config.budgetSeeds], K } },
  budgetLearners,
);
let budgetRes = budgetRaw;
const budgetNames: string[] = [];
for (const b of config.budgets) {
  const name = `trained on K=${b.K}, T=${b.T} (${(b.K * b.T).toLocaleString("en-US")} prompts)`;
  budgetNames.push(name);
  budgetRes = averageLearners(
    budgetRes,
    budgetLearners.map((l) => l.name).filter((n) => n.startsWith(`K=${b.K}, T=${b.T},`)),
    name,
  );
}
const budgetSummary = [
  ...summariseTransfer(budgetRes, { references: false }).filter((r) =>
    budgetNames.includes(r.learner)
  ),
  ...summary.filter((r) => r.learner === trainedName || r.learner === "SARSA teacher"),
];
writeTable(budgetSummary, `${dataDir()}/03_budget_summary`);
const budgetFinal = budgetResults.map((r) => ({
  K: r.config.K,
  T: r.config.T,
  seed: r.config.seed,
  finalLoss: r.metrics.at(-1)!.loss,
  dist: r.metrics.at(-1)!.dist,
  cosP12: r.metrics.at(-1)!.cosP12,
}));
writeTable(budgetFinal, `${dataDir()}/03_budget_training`);
const budgetFigure = await saveFigure(
  lineChart({
    rows: budgetSummary,
    x: "step",
    y: "score",
    lower: "scoreLo",
    upper: "scoreHi",
    color: "learner",
    colorOrder: [...budgetNames, trainedName, "SARSA teacher"],
    title: "Transfer vs training budget",
    subtitle: `normalised score, mean ± 95 % CI over ${cfg.numMdps} test MDPs`,
    xTitle: "in-context updates",
    yTitle: "normalised score",
    width: 520,
    height: 280,
  }),
  `${figuresDir()}/03_budget`,
  { png: true },
);
budgetFigure;

// %%
const wallTimeSec = clock.seconds();
await writeManifest(`${dataDir()}/03_transfer.manifest.json`, {
  name: "03_transfer",
  config: { ...config, transfer: { ...cfg, training: undefined }, task },
  seeds: {
    training: config.trainingSeeds,
    eval: config.evalSeed,
    budget: config.budgetSeeds,
  },
  wallTimeSec,
  extra: { models: models.map((m) => ({ seed: m.seed, K: m.config.K, T: m.config.T })) },
});
const at = (name: string, step: number) =>
  summary.find((r) => r.learner === name && r.step === step)!;
const dLast = paired.find((r) => r.step === last)!;
const bLast = config.budgets.map((b, i) => ({
  b,
  r: budgetSummary.find((s) => s.learner === budgetNames[i] && s.step === last)!,
}));
markdown(
  `**Measured** (${scale} scale; ${models.length} trained blocks × ${cfg.numMdps} unseen MDPs, ${last} updates):
- at step 0 every learner has J = ${at(trainedName, 0).mean.toFixed(3)} (same initial w); oracle ${
    at("oracle", 0).mean.toFixed(3)
  }, random ${at("random", 0).mean.toFixed(3)};
- at step ${last}: trained block J = **${at(trainedName, last).mean.toFixed(3)}** [${
    at(trainedName, last).lo.toFixed(3)
  }, ${at(trainedName, last).hi.toFixed(3)}], SARSA teacher ${
    at("SARSA teacher", last).mean.toFixed(3)
  }, constructed θ⋆ ${
    at("constructed θ⋆", last).mean.toFixed(3)
  }; normalised score of the trained block **${at(trainedName, last).score.toFixed(3)}** (teacher ${
    at("SARSA teacher", last).score.toFixed(3)
  });
- paired difference trained − teacher at step ${last}: ${dLast.mean.toFixed(4)} [${
    dLast.lo.toFixed(4)
  }, ${dLast.hi.toFixed(4)}] (trained better on ${(100 * dLast.aWins).toFixed(0)} % of MDPs);
- smaller training budgets, score at step ${last}: ${
    bLast.map(({ b, r }) =>
      `K=${b.K}, T=${b.T}: ${r.score.toFixed(3)} [${r.scoreLo.toFixed(3)}, ${r.scoreHi.toFixed(3)}]`
    ).join("; ")
  };
- evaluation throughput ${res.promptsPerSec.toFixed(0)} prompts/s; notebook wall time ${
    wallTimeSec.toFixed(0)
  } s.`,
);
