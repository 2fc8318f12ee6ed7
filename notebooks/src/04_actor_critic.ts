// Notebook 04 — the actor–critic block: construction, teacher-mimicking training and closed-loop
// control with the softmax policy π_λ on unseen MDPs (MATH §3–§6, §8.4; [LL26] Thm 3.3).

// %% [markdown]
// # 04 — One attention block learns batch TD actor–critic and improves π_λ in context
//
// **Claim** ([LL26] Thm 3.3; MATH §3, §4, §5, §8.4). A linear self-attention block can implement one
// step of batch TD actor–critic — critic `w ← w + (α/n) Σ δ_i ψ(s_i)`, actor
// `λ ← λ + (β/n) Σ δ_i g_i` with the shared TD error `δ_i = r_{i+1} + γ wᵀψ(s_{i+1}) − wᵀψ(s_i)` and the
// softmax score `g_i = φ(s_i,a_i) − Σ_b π_λ(b|s_i) φ(s_i,b)` (MATH §3, our fixed convention for [LL26]
// Eq. 3). The token is `x_i = [ψ_i ; γψ_i⁺ ; r_{i+1} ; g_i]` and the parameter column `[1 ; w ; λ]`
// (MATH §4); the construction is `P⋆12 θ̃ = (−w ; w ; 1 ; 0)`, `V̄⋆21 = [αI, 0, 0, 0 ; 0, 0, 0, βI]`
// (MATH §5). As for SARSA (notebooks 01–03) we show that
//
// 1. the construction is exact (briefly; the full sweep is in notebook 01);
// 2. teacher-mimicking training ([LL26] Algorithm 1, MATH §6) of the restricted block `(P12, V̄21)`
//    recovers the construction up to its scaling manifold `{(cP⋆12, V̄⋆21/c)}`;
// 3. the frozen trained block, deployed in context on **unseen** MDPs, improves the softmax policy
//    `π_λ` like the actor–critic teacher does (J of `π_λ`, exact, MATH §1).
//
// **Setting.** |S| = 9, |A| = 4, γ = 0.5, random φ ∈ R^36 (actor) and ψ ∈ R^9 (critic) fresh per MDP,
// n = 20 transitions per prompt, behaviour = the current softmax policy `π_λ`; token dimension
// m = 2·9 + 1 + 36 = 55, parameter column p = 1 + 9 + 36 = 46. The step sizes α, β are **picked by a
// sweep of the teacher** first (next section), because at the default step sizes α = β = 0.2 (MATH §3) the AC teacher
// improves its policy slowly (measured below).
//
// **Reduced training budget.** The AC block is trained on K = 2 048 MDPs × T = 500 iterations
// ≈ 1.0 × 10⁶ prompts per seed (batched, B = 64), a **tenth of SARSA's 10⁷** (notebook 02). Reason: the
// notebook must run 10 seeds (10 are needed for the transfer) in about ten minutes on two cores at
// ≈ 30 000 AC prompts/s per core; at this budget the learned blocks already match the construction with
// |cosine| ≥ 0.999 (measured below). (Side runs at α = β = 0.5 with K = 512, T = 500 or
// K = 1 024, T = 250 — 2.6 × 10⁵ prompts — already gave |cos| ≥ 0.99 on two seeds each; we keep 4×
// that for margin.)

// %%
import {
  aggregateBands,
  blockLearner,
  constructedLearner,
  evaluateTransfer,
  manifoldStats,
  pairedDifference,
  recordGrid,
  saveModel,
  summariseTransfer,
  taskConstruction,
  teacherLearner,
  trainMany,
  type TrainResult,
  transferConfig,
  type TransferResult,
} from "../../lib/mod.ts";
import {
  actorCriticSettings,
  acTrainConfigs,
  bestStepSizes,
  stepSizeSweep,
  sweepName,
  sweepRows,
} from "../../lib/experiments/actor_critic.ts";
import {
  constructionCheck,
  DEFAULT_CONSTRUCTION_CHECK,
} from "../../lib/experiments/construction_check.ts";
import { metricRows, normalisedBlockRows } from "../../lib/experiments/convergence.ts";
import { averageLearners } from "../../lib/experiments/transfer_exp.ts";
import {
  byScale,
  concatCharts,
  dataDir,
  displayTable,
  figuresDir,
  groupedBars,
  heatmap,
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

// Every knob of this notebook. Scale comes from ICRL_SCALE (quick | paper), outputs go to ICRL_OUT.
const scale = runScale();
const settings = actorCriticSettings(scale); // sweep grid, K, T, B, seeds, test MDPs (lib)
const specDefault = { alpha: 0.2, beta: 0.2 }; // MATH §3 defaults, the sweep's reference point
const tableSteps = byScale({ quick: [0, 10, 20, 40, 60], paper: [0, 50, 100, 200, 400] });
const cosBar = 0.99; // done-when: |cos| ≥ 0.99 for both learned blocks, every seed
const workers = Math.min(2, navigator.hardwareConcurrency || 1);
const trainingStreams = { seeds: settings.seeds, K: settings.K };
const clock = timer();
({
  scale,
  ...settings,
  promptsPerSeed: settings.K * settings.T,
  specDefault,
  tableSteps,
  workers,
});

// %% [markdown]
// ## 1. Step sizes: a sweep of the actor–critic *teacher*
//
// The block imitates the teacher, so it can only be as good a controller as the teacher it imitates.
// We run the AC teacher itself in closed loop (MATH §8.3 protocol: `θ = [w ; λ] ~ Unif(−1,1)`, roll
// out n = 20 steps of `π_λ`, `θ ← (w_AC, λ_AC)`, continue from `s_n`) for every (α, β) of a small grid,
// on the same test MDPs — drawn from their own stream family (`"ac-step-size-sweep"`), disjoint from
// the training MDPs **and** from the final test MDPs of §4, so picking the best setting here does not
// bias the final comparison. All settings share each MDP's initial θ, state and rollout stream
// (common random numbers), so paired differences between settings are tight. Score:
// `(J(π_λ) − J_random)/(J_oracle − J_random)`. **Rule:** pick the (α, β) with the highest mean score
// after the last update.

// %%
const sweepBar = progress(
  "AC teacher step-size sweep",
  settings.sweep.alphas.length * settings.sweep.betas.length * settings.sweep.numMdps *
    settings.sweep.updates,
  { onUpdate: liveSink(Deno.jupyter.display) },
);
let sweepSeen = 0;
const sweep = await stepSizeSweep(settings.sweep, settings.task, trainingStreams, (done) => {
  sweepBar.tick(done - sweepSeen);
  sweepSeen = done;
});
await sweepBar.done();
const sweepTidy = sweepRows(sweep);
writeTable(sweepTidy, `${dataDir()}/04_step_size_sweep`);
const picked = bestStepSizes(sweep);
const sweepLast = settings.sweep.updates;
const sweepMid = recordGrid(sweepLast, settings.sweep.recordEvery).reduce((a, b) =>
  Math.abs(b - sweepLast / 4) < Math.abs(a - sweepLast / 4) ? b : a
);
const defaultName = sweepName(specDefault);
const hasDefault = sweep.settings.some((s) => s.name === defaultName);
const sweepTable = sweep.settings.map((s) => {
  const at = (step: number) => sweepTidy.find((r) => r.setting === s.name && r.step === step)!;
  const vsPicked = pairedDifference(sweep.result, s.name, picked.name, [sweepLast])[0];
  const vsDefault = hasDefault
    ? pairedDifference(sweep.result, s.name, defaultName, [sweepLast])[0]
    : null;
  const ci = (m: number, lo: number, hi: number) =>
    `${m.toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
  return {
    alpha: s.alpha,
    beta: s.beta,
    [`score @${sweepMid}`]: ci(
      at(sweepMid).score as number,
      at(sweepMid).scoreLo as number,
      at(sweepMid).scoreHi as number,
    ),
    [`score @${sweepLast}`]: ci(
      at(sweepLast).score as number,
      at(sweepLast).scoreLo as number,
      at(sweepLast).scoreHi as number,
    ),
    [`ΔJ vs α=β=0.2 @${sweepLast}`]: vsDefault
      ? ci(vsDefault.mean, vsDefault.lo, vsDefault.hi)
      : "—",
    [`ΔJ vs picked @${sweepLast}`]: ci(vsPicked.mean, vsPicked.lo, vsPicked.hi),
  };
});
writeTable(sweepTable, `${dataDir()}/04_step_size_sweep_table`);
displayTable(sweepTable, {
  maxRows: 40,
  caption:
    `AC teacher, ${settings.sweep.numMdps} sweep MDPs: mean normalised score [95 % CI]; ΔJ = paired ` +
    `difference of J (this setting − reference) [95 % CI]`,
});

// %%
const sweepFigure = await saveFigure(
  concatCharts([
    lineChart({
      rows: sweepTidy.map((r) => ({ ...r, β: `β = ${r.beta}`, α: `α = ${r.alpha}` })),
      x: "step",
      y: "score",
      color: "β",
      colorOrder: settings.sweep.betas.map((b) => `β = ${b}`),
      strokeDash: "α",
      title: "AC teacher in closed loop: normalised score vs update",
      subtitle: `${settings.sweep.numMdps} sweep MDPs, mean over MDPs (CIs in the bar chart)`,
      xTitle: "in-context updates (prompts of n = 20 transitions)",
      yTitle: "(J − J_random)/(J_oracle − J_random)",
      width: 400,
      height: 260,
    }),
    groupedBars({
      rows: sweepTidy.filter((r) => r.step === sweepLast).map((r) => ({
        ...r,
        β: `β = ${r.beta}`,
        α: `α = ${r.alpha}`,
      })),
      x: "α",
      y: "score",
      group: "β",
      lower: "scoreLo",
      upper: "scoreHi",
      xOrder: settings.sweep.alphas.map((a) => `α = ${a}`),
      groupOrder: settings.sweep.betas.map((b) => `β = ${b}`),
      title: `Score after ${sweepLast} updates`,
      subtitle: `mean ± 95 % CI over MDPs; picked: ${picked.name}`,
      xTitle: "critic step α",
      yTitle: "normalised score",
      width: 340,
      height: 260,
    }),
  ], { direction: "horizontal" }),
  `${figuresDir()}/04_step_size_sweep`,
  { png: true },
);
sweepFigure;

// %%
const task = { ...settings.task, alpha: picked.alpha, beta: picked.beta };
const defaultAt = (step: number) =>
  sweepTidy.find((r) => r.setting === defaultName && r.step === step);
const pickedVsDefault = hasDefault
  ? pairedDifference(sweep.result, picked.name, defaultName, [sweepLast])[0]
  : null;
const ties = sweepTable.filter((r) => {
  const d = pairedDifference(
    sweep.result,
    sweepName({ alpha: r.alpha as number, beta: r.beta as number }),
    picked.name,
    [sweepLast],
  )[0];
  return d.hi >= 0;
}).map((r) => sweepName({ alpha: r.alpha as number, beta: r.beta as number }));
markdown(
  `**Picked: α = ${picked.alpha}, β = ${picked.beta}** (mean score ${
    picked.score.toFixed(3)
  } after ${sweepLast} updates${
    defaultAt(sweepLast)
      ? `, vs ${(defaultAt(sweepLast)!.score as number).toFixed(3)} at the default α = β = 0.2`
      : ""
  }). ${
    pickedVsDefault
      ? `Paired over the ${settings.sweep.numMdps} sweep MDPs, J(picked) − J(default) = ${
        pickedVsDefault.mean.toFixed(4)
      } [${pickedVsDefault.lo.toFixed(4)}, ${pickedVsDefault.hi.toFixed(4)}] (picked better on ${
        (100 * pickedVsDefault.aWins).toFixed(0)
      } % of MDPs). `
      : ""
  }Settings whose paired difference to the pick is not significantly negative (statistically tied with it): ${
    ties.join("; ")
  }. Every later cell — the construction, the training target and the closed-loop teacher — uses the picked α, β.`,
);

// %% [markdown]
// ## 2. The construction is exact (brief; see notebook 01 for the full sweep)
//
// `max |TF_θ⋆(H) − AC teacher|` over random MDPs, trajectories of `π_λ` and random `(w, λ)`, at the
// picked α, β, for the construction (c = 1), two rescalings on the manifold (c = 3.7, c = −0.5), θ⋆
// plus a Gaussian perturbation of std 1e-3, and a random θ; float64 (fast last-column form) and float32
// (tfjs). Notebook 01's check uses `d_ψ = d` (here d ∈ {9, 36}); MATH §5's bars: float64 ≤ 1e-12
// relative, float32 ≤ 1e-5.

// %%
const consRows = (await constructionCheck({
  ...DEFAULT_CONSTRUCTION_CHECK,
  ...settings.construction,
  alpha: task.alpha,
  beta: task.beta,
  gamma: task.gamma,
})).filter((r) => r.algorithm === "actor–critic");
writeTable(consRows, `${dataDir()}/04_construction_errors`);
const consMax = (pred: (r: typeof consRows[number]) => boolean) =>
  Math.max(...consRows.filter(pred).map((r) => r.relErr));
const exactVariant = (v: string) => !["perturbed", "random"].includes(v);
const cons64 = consMax((r) => exactVariant(r.variant) && r.precision === "float64");
const cons32 = consMax((r) => exactVariant(r.variant) && r.precision !== "float64");
const consPert = Math.min(
  ...consRows.filter((r) => r.variant === "perturbed").map((r) => r.relErr),
);
if (!(cons64 <= 1e-12 && cons32 <= 1e-5)) {
  throw new Error(`AC construction check failed: float64 ${cons64}, float32 ${cons32}`);
}
displayTable(
  ["θ⋆ (c=1)", "c=3.7", "c=−0.5", "perturbed", "random"].flatMap((variant) =>
    ["float64", "float32 (tfjs)"].map((precision) => ({
      variant,
      precision,
      maxRelErr: consMax((r) => r.variant === variant && r.precision === precision),
    }))
  ),
  {
    digits: 3,
    caption: `actor–critic, n ∈ {${settings.construction.ns.join(", ")}}, d ∈ {${
      settings.construction.ds.join(", ")
    }}, ${settings.construction.trials} instances per point: max relative error`,
  },
);

// %% [markdown]
// ## 3. Teacher-mimicking training of the AC block
//
// Restricted parameterisation (train `P12` ∈ R^{55×46} and `V̄21` ∈ R^{45×55}, all else 0), Adam
// (lr 1e-3 × 0.99 every 10 MDPs), Xavier-normal init with gain 0.1, batched mode B = 64 (one Adam
// step on the mean loss of 64 prompts from 64 MDPs advanced side by side), the AC teacher (picked α,
// β) advancing `θ = [w ; λ]` and the softmax behaviour policy `π_λ`. One run per seed, in parallel
// Workers; the trained blocks are saved to `data/models/ac_restricted_seed{S}.json`.

// %%
const trainConfigs = acTrainConfigs(settings, picked);
const trainClock = timer();
const trainBar = progress(
  "AC training (all seeds)",
  trainConfigs.length * settings.K * settings.T,
  {
    onUpdate: liveSink(Deno.jupyter.display),
  },
);
const doneBySeed = new Map<number, number>();
const results: TrainResult[] = await trainMany(trainConfigs, workers, (i, done, _t, row) => {
  trainBar.tick(
    done - (doneBySeed.get(i) ?? 0),
    `seed ${trainConfigs[i].seed}: loss ${row.loss.toExponential(2)}`,
  );
  doneBySeed.set(i, done);
});
await trainBar.done();
const trainWall = trainClock.seconds();
for (const r of results) {
  await saveModel(`${modelsDir()}/ac_restricted_seed${r.config.seed}.json`, r, { scale });
}
const trainRows = metricRows(results, `AC, batched B=${settings.batch}`);
writeTable(trainRows, `${dataDir()}/04_metrics`);
const perSeed = results.map((r) => {
  const last = r.metrics.at(-1)!;
  return {
    seed: r.config.seed,
    finalLoss: last.loss,
    dist: last.dist,
    cosP12: last.cosP12,
    cosV21: last.cosV21,
    c: last.cP,
  };
});
// Timings go to the manifest only, so the data tables are identical from run to run.
const timing = results.map((r) => ({
  seed: r.config.seed,
  wallTimeSec: r.wallTimeSec,
  promptsPerSec: r.prompts / r.wallTimeSec,
}));
writeTable(perSeed, `${dataDir()}/04_final_per_seed`);
displayTable(perSeed, { digits: 5 });

// %% [markdown]
// ### Loss, distance to the construction's manifold, and the scale c
//
// Bands: geometric mean ± 95 % CI over seeds (t-interval on log values). Distance:
// `‖V̄21⊗P12 − V̄⋆21⊗P⋆12‖_F / ‖V̄⋆21⊗P⋆12‖_F` (scale-free). `c = ⟨P⋆12, P12⟩/‖P⋆12‖²`, one line per
// seed. The loss is `½‖TF − (w_AC ; λ_AC)‖²` per prompt.

// %%
const band = (y: string) =>
  aggregateBands(trainRows, { x: "prompts", y, log: true }).map((b) => ({ ...b, prompts: b.x }));
const curvesFigure = await saveFigure(
  concatCharts([
    lineChart({
      rows: band("loss"),
      x: "prompts",
      y: "mean",
      lower: "lo",
      upper: "hi",
      logY: true,
      title: "Training loss (AC block)",
      subtitle: `${results.length} seeds, α = ${task.alpha}, β = ${task.beta}`,
      xTitle: "prompts seen (per seed)",
      yTitle: "loss ½‖TF − AC teacher‖² (per prompt)",
      width: 340,
      height: 240,
    }),
    lineChart({
      rows: band("dist"),
      x: "prompts",
      y: "mean",
      lower: "lo",
      upper: "hi",
      logY: true,
      title: "Distance to the AC construction's manifold",
      xTitle: "prompts seen (per seed)",
      yTitle: "relative distance of V̄21⊗P12",
      width: 340,
      height: 240,
    }),
    lineChart({
      rows: trainRows.map((r) => ({ ...r, seed: `seed ${r.seed}` })),
      x: "prompts",
      y: "cP",
      color: "seed",
      title: "Scale c along training",
      xTitle: "prompts seen (per seed)",
      yTitle: "c = ⟨P⋆12, P12⟩ / ‖P⋆12‖²",
      rules: [{ value: 0, label: "c = 0" }],
      width: 340,
      height: 240,
    }),
  ], { direction: "horizontal" }),
  `${figuresDir()}/04_convergence_curves`,
  { png: true },
);
curvesFigure;

// %% [markdown]
// ### The learned AC blocks, rescaled by their c, next to the construction (seed 0)
//
// `P12 / c` and `P⋆12`: rows = token coordinates (`ψ_i` 0–8, `γψ_i⁺` 9–17, `r` 18, `g_i` 19–54),
// columns = `1, w (1–9), λ (10–45)`. `c·V̄21` and `V̄⋆21`: rows = outputs (`w` 0–8, `λ` 9–44), columns =
// token coordinates. The construction has `−I` / `+I` against `ψ_i` / `γψ_i⁺`, a 1 pairing `r` with the
// constant, **zero** against the score rows `g_i`; `αI` writes `ψ_i` into `w`, `βI` writes `g_i` into
// `λ`.

// %%
const seed0 = results[0];
const blockFigure = await saveFigure(
  heatmap({
    rows: normalisedBlockRows(seed0),
    x: "col",
    y: "row",
    value: "value",
    facet: "matrix",
    columns: 4,
    independent: true,
    title: `Learned AC blocks vs construction (seed ${seed0.config.seed}, c = ${
      seed0.metrics.at(-1)!.cP.toFixed(4)
    })`,
    xTitle: "column",
    yTitle: "row",
    cellSize: 4,
  }),
  `${figuresDir()}/04_learned_blocks`,
  { png: true },
);
blockFigure;

// %% [markdown]
// ## 4. Closed-loop actor–critic on unseen MDPs
//
// The trained blocks, frozen, as in-context learners (MATH §8.4, protocol of §8.3): on each test MDP
// start from `θ = [w ; λ] ~ Unif(−1,1)` and `s_0 ~ p0`, roll out n = 20 steps of `π_λ`, set
// `θ ← TF_θ(H)`, continue from `s_n`; record the exact return `J(π_λ)` (MATH §1). Learners: the trained
// blocks (one per seed; their per-MDP mean is "trained block"), the AC teacher on the same loop, the
// constructed block θ⋆, and the oracle / uniform-random references. Test MDPs come from the
// `"transfer-test"` stream family of another evaluation seed than notebook 03, asserted disjoint from
// every training stream; each learner rolls out from its own stream, so the constructed block (exact
// on every prompt) is an independent replicate of the teacher — its difference to the teacher shows
// the size of pure rollout noise. CIs: 95 % t-intervals over test MDPs.

// %%
const trainedNames = results.map((r) => `trained seed ${r.config.seed}`);
const learners = [
  teacherLearner("AC teacher"),
  constructedLearner(task, "constructed θ⋆"),
  ...results.map((r, i) => blockLearner(trainedNames[i], r.model)),
];
const evalCfg = transferConfig({
  task,
  numMdps: settings.transfer.numMdps,
  updates: settings.transfer.updates,
  recordAt: recordGrid(settings.transfer.updates, settings.transfer.recordEvery),
  seed: settings.transfer.seed,
  training: trainingStreams,
});
const evalBar = progress(
  "closed-loop evaluation",
  learners.length * evalCfg.numMdps * evalCfg.updates,
  { onUpdate: liveSink(Deno.jupyter.display) },
);
let evalSeen = 0;
const raw = await evaluateTransfer(evalCfg, learners, (done) => {
  evalBar.tick(done - evalSeen);
  evalSeen = done;
});
await evalBar.done();
const trainedName = `trained (${results.length} seeds)`; // per-MDP mean over the trained blocks
const res: TransferResult = averageLearners(raw, trainedNames, trainedName);
writeTable(res.rows, `${dataDir()}/04_transfer_rows`);
writeTable(res.mdps, `${dataDir()}/04_transfer_mdps`);
const summary = summariseTransfer(res);
writeTable(summary, `${dataDir()}/04_transfer_summary`);
`${res.prompts.toLocaleString("en-US")} prompts in ${res.wallTimeSec.toFixed(1)} s (${
  res.promptsPerSec.toFixed(0)
} prompts/s)`;

// %% [markdown]
// ### J of the softmax policy π_λ vs in-context update step

// %%
const shown = [trainedName, "AC teacher", "constructed θ⋆", "oracle", "random"];
const curveRows = summary.filter((r) => shown.includes(r.learner));
const jFigure = await saveFigure(
  lineChart({
    rows: curveRows,
    x: "step",
    y: "mean",
    lower: "lo",
    upper: "hi",
    color: "learner",
    colorOrder: shown,
    title: "Return of π_λ on unseen MDPs (actor–critic)",
    subtitle:
      `${results.length} trained blocks × ${evalCfg.numMdps} test MDPs; α = ${task.alpha}, ` +
      `β = ${task.beta}; mean ± 95 % CI over MDPs`,
    xTitle: "in-context updates (prompts of n = 20 transitions)",
    yTitle: "J(π_λ) = p0ᵀ v_π (exact)",
    width: 520,
    height: 300,
  }),
  `${figuresDir()}/04_transfer_J`,
  { png: true },
);
jFigure;

// %%
const scoreFigure = await saveFigure(
  lineChart({
    rows: curveRows,
    x: "step",
    y: "score",
    lower: "scoreLo",
    upper: "scoreHi",
    color: "learner",
    colorOrder: shown,
    title: "Normalised score (J − J_random)/(J_oracle − J_random) (actor–critic)",
    subtitle: `${results.length} trained blocks × ${evalCfg.numMdps} test MDPs; mean ± 95 % CI`,
    xTitle: "in-context updates",
    yTitle: "normalised score",
    width: 520,
    height: 300,
  }),
  `${figuresDir()}/04_transfer_score`,
  { png: true },
);
scoreFigure;

// %% [markdown]
// ### Table: mean [95 % CI] at selected steps, and the paired differences to the teacher

// %%
const fmtCI = (m: number, lo: number, hi: number, k = 3) =>
  `${m.toFixed(k)} [${lo.toFixed(k)}, ${hi.toFixed(k)}]`;
const paired = pairedDifference(res, trainedName, "AC teacher", tableSteps);
const pairedC = pairedDifference(res, "constructed θ⋆", "AC teacher", tableSteps);
const at = (name: string, step: number) =>
  summary.find((r) => r.learner === name && r.step === step)!;
const table = tableSteps.map((step) => {
  const d = paired.find((r) => r.step === step)!;
  const dc = pairedC.find((r) => r.step === step)!;
  const ci = (name: string) => fmtCI(at(name, step).mean, at(name, step).lo, at(name, step).hi);
  return {
    step,
    trained: ci(trainedName),
    "AC teacher": ci("AC teacher"),
    constructed: ci("constructed θ⋆"),
    oracle: at("oracle", step).mean.toFixed(3),
    random: at("random", step).mean.toFixed(3),
    "trained − teacher": fmtCI(d.mean, d.lo, d.hi, 4),
    "constructed − teacher": fmtCI(dc.mean, dc.lo, dc.hi, 4),
    "trained score": fmtCI(
      at(trainedName, step).score,
      at(trainedName, step).scoreLo,
      at(trainedName, step).scoreHi,
    ),
    "teacher score": fmtCI(
      at("AC teacher", step).score,
      at("AC teacher", step).scoreLo,
      at("AC teacher", step).scoreHi,
    ),
  };
});
writeTable(table, `${dataDir()}/04_transfer_table`);
writeTable(
  [...paired, ...pairedC],
  `${dataDir()}/04_paired_minus_teacher`,
);
displayTable(table);

// %% [markdown]
// ### Seed-to-seed spread of the trained blocks
//
// Each trained block's own mean J over the test MDPs after the last update (CI over MDPs), and its
// paired difference to the teacher.

// %%
const last = settings.transfer.updates;
const perSeedTransfer = [...trainedNames, "AC teacher", "constructed θ⋆"].map((name) => {
  const r = at(name, last);
  const d = name === "AC teacher" ? null : pairedDifference(res, name, "AC teacher", [last])[0];
  return {
    learner: name,
    J: r.mean,
    lo: r.lo,
    hi: r.hi,
    score: r.score,
    minusTeacher: d ? d.mean : 0,
    minusTeacherLo: d ? d.lo : 0,
    minusTeacherHi: d ? d.hi : 0,
  };
});
writeTable(perSeedTransfer, `${dataDir()}/04_per_seed_final`);
displayTable(perSeedTransfer, { digits: 4, maxRows: 20 });

// %%
const wallTimeSec = clock.seconds();
await writeManifest(`${dataDir()}/04_actor_critic.manifest.json`, {
  name: "04_actor_critic",
  config: {
    scale,
    settings,
    specDefault,
    picked,
    task,
    train: trainConfigs[0],
    transfer: { ...evalCfg, training: undefined },
    tableSteps,
    workers,
  },
  seeds: {
    training: settings.seeds,
    sweep: settings.sweep.seed,
    eval: settings.transfer.seed,
    construction: DEFAULT_CONSTRUCTION_CHECK.seed,
  },
  wallTimeSec,
  extra: {
    sweepWallSec: sweep.result.wallTimeSec,
    trainWallSec: trainWall,
    evalWallSec: res.wallTimeSec,
    perSeed,
    timing,
  },
});
const star = taskConstruction(task);
const minAbsCosP = Math.min(...perSeed.map((s) => Math.abs(s.cosP12)));
const minAbsCosV = Math.min(...perSeed.map((s) => Math.abs(s.cosV21)));
const barMet = minAbsCosP >= cosBar && minAbsCosV >= cosBar;
const negC = perSeed.filter((s) => s.c < 0).length;
const check0 = manifoldStats(seed0.model.blocks, star);
const dLast = paired.find((r) => r.step === last)!;
const dcLast = pairedC.find((r) => r.step === last)!;
const fmt = (x: number) => x.toExponential(2);
markdown(
  `**Measured** (${scale} scale; wall time ${wallTimeSec.toFixed(0)} s):
- **step sizes**: sweep of the AC teacher over α ∈ {${settings.sweep.alphas.join(", ")}} × β ∈ {${
    settings.sweep.betas.join(", ")
  }} on ${settings.sweep.numMdps} MDPs × ${sweepLast} updates; picked **α = ${picked.alpha}, β = ${picked.beta}** (score ${
    picked.score.toFixed(3)
  }${
    defaultAt(sweepLast)
      ? ` vs ${(defaultAt(sweepLast)!.score as number).toFixed(3)} at α = β = 0.2`
      : ""
  }${
    pickedVsDefault
      ? `; paired ΔJ ${pickedVsDefault.mean.toFixed(4)} [${pickedVsDefault.lo.toFixed(4)}, ${
        pickedVsDefault.hi.toFixed(4)
      }]`
      : ""
  }); tied with the pick: ${ties.join("; ")};
- **construction**: max relative error ${fmt(cons64)} (float64) and ${
    fmt(cons32)
  } (float32), perturbed θ⋆ ≥ ${fmt(consPert)};
- **training** (${results.length} seeds × ${
    ((settings.K * settings.T) / 1e6).toFixed(2)
  } M prompts, B = ${settings.batch}, ${trainWall.toFixed(0)} s on ${workers} workers, ${
    (timing.reduce((s, r) => s + r.promptsPerSec, 0) / timing.length).toFixed(0)
  } prompts/s per worker): final loss ${fmt(Math.min(...perSeed.map((s) => s.finalLoss)))} … ${
    fmt(Math.max(...perSeed.map((s) => s.finalLoss)))
  }, distance to the manifold ${fmt(Math.min(...perSeed.map((s) => s.dist)))} … ${
    fmt(Math.max(...perSeed.map((s) => s.dist)))
  }; smallest |cos P12| **${minAbsCosP.toFixed(5)}**, smallest |cos V̄21| **${
    minAbsCosV.toFixed(5)
  }** over seeds (bar ${cosBar}: **${
    barMet ? "met" : "NOT met"
  }**); ${negC} of ${perSeed.length} seeds on c < 0, |c| ${
    Math.min(...perSeed.map((s) => Math.abs(s.c))).toFixed(3)
  } … ${Math.max(...perSeed.map((s) => Math.abs(s.c))).toFixed(3)}; seed 0 re-checked: distance ${
    fmt(check0.dist)
  };
- **closed loop** (${results.length} blocks × ${evalCfg.numMdps} unseen MDPs, ${last} updates): at step 0 J = ${
    at(trainedName, 0).mean.toFixed(3)
  } for every learner (score ${
    at(trainedName, 0).score.toFixed(3)
  }); at step ${last}: trained block J = **${at(trainedName, last).mean.toFixed(3)}** [${
    at(trainedName, last).lo.toFixed(3)
  }, ${at(trainedName, last).hi.toFixed(3)}], AC teacher ${
    at("AC teacher", last).mean.toFixed(3)
  } [${at("AC teacher", last).lo.toFixed(3)}, ${
    at("AC teacher", last).hi.toFixed(3)
  }], constructed ${at("constructed θ⋆", last).mean.toFixed(3)}, oracle ${
    at("oracle", last).mean.toFixed(3)
  }, random ${at("random", last).mean.toFixed(3)}; normalised score trained **${
    at(trainedName, last).score.toFixed(3)
  }**, teacher ${at("AC teacher", last).score.toFixed(3)};
- paired trained − teacher at step ${last}: ${dLast.mean.toFixed(4)} [${dLast.lo.toFixed(4)}, ${
    dLast.hi.toFixed(4)
  }] (trained better on ${
    (100 * dLast.aWins).toFixed(0)
  } % of MDPs); constructed − teacher (pure rollout noise): ${dcLast.mean.toFixed(4)} [${
    dcLast.lo.toFixed(4)
  }, ${dcLast.hi.toFixed(4)}]; per-seed trained − teacher ranges ${
    Math.min(...perSeedTransfer.slice(0, results.length).map((r) => r.minusTeacher)).toFixed(4)
  } … ${
    Math.max(...perSeedTransfer.slice(0, results.length).map((r) => r.minusTeacher)).toFixed(4)
  };
- evaluation throughput ${res.promptsPerSec.toFixed(0)} prompts/s.`,
);

// %% [markdown]
// ## Conclusion
//
// - **Step sizes.** At the defaults of MATH α = β = 0.2 the actor–critic teacher reaches a normalised
//   score of ≈ 0.73 after 400 updates on the sweep MDPs. What matters is the actor step β: β = 0.1 is
//   too slow (≈ 0.62), β = 5 overshoots (≈ 0.61), β ∈ {0.5, 1} is best (≈ 0.78–0.79), and the critic
//   step α (0.2 vs 0.5) changes almost nothing. The rule picked **α = β = 0.5** (score
//   ≈ 0.79; paired ΔJ ≈ +0.036 over the default, CI excluding 0); α ∈ {0.2, 0.5} × β ∈ {0.5, 1} are
//   statistically tied with it, so the choice among those four is immaterial. The sweep's MDPs are
//   disjoint from the final test MDPs, so the choice does not inflate the final numbers.
// - **Construction** ([LL26] Thm 3.3). Exact at the picked α, β: ≈ 2e-15 relative error in float64,
//   ≈ 2.5e-7 in float32, on the whole scaling manifold (c = 3.7, −0.5); a 1e-3 perturbation fails by
//   orders of magnitude (full sweep: notebook 01).
// - **Training.** With a tenth of SARSA's budget (≈ 10⁶ prompts per seed, batched B = 64), all 10 seeds
//   land on the AC construction's scaling manifold: |cos| ≥ 0.9999 for both `P12` and `V̄21` (bar 0.99),
//   relative distance ≈ 1e-2, loss ≈ 1e-6; 8 seeds at c ≈ +0.78, 2 at c ≈ −0.78 (the sign is set by the
//   initialisation). The heatmaps show the learned `P12` puts no weight on the score rows `g_i` — the TD
//   error must not depend on them — and `V̄21` writes `αψ_i` into `w` and `βg_i` into `λ`, as the
//   construction does.
// - **In-context control on unseen MDPs.** The frozen trained blocks improve the softmax policy `π_λ`
//   from score ≈ 0.03 to ≈ 0.78 in 400 updates, **indistinguishable from the AC teacher at every step**:
//   the paired difference trained − teacher is within ±0.01 in J with a CI containing 0 at steps 50, 100,
//   200 and 400, the same size as the difference between the constructed block (an exact replica of the
//   teacher on every prompt) and the teacher, which is pure rollout noise. Per seed, one of the ten
//   blocks (seed 9) is above the teacher at the 5 % level — about what ten comparisons give by chance.
// - **Caveats.** The AC update is our fixed convention for [LL26] Eq. 3 (MATH §3: state-value critic,
//   shared TD error); the training budget is reduced (stated above); even at its best step sizes the
//   AC teacher — and hence the block — stops short of the oracle (score ≈ 0.78 after 400 updates).
