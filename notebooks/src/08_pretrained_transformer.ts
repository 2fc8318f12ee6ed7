// Notebook 08 — a transformer pretrained to act in context: AD and DPT (MATH §9, [LBM24] §5).

// %% [markdown]
// # 08 — A transformer pretrained on offline trajectories acts like the algorithm it imitated
//
// **Claim** ([LBM24] §5, Fig. 1; MATH §9). A causal transformer with ReLU attention normalised by
// 1/i, trained by supervised learning on offline bandit trajectories and then deployed, frozen, on
// new bandits, acts in context like the algorithm behind its training targets:
//
// - **algorithm distillation** on linear bandits (context = expert = LinUCB; cross-entropy to its
//   logged action at every position) gives a policy whose regret sits near LinUCB's, between LinUCB and
//   the empirical-mean greedy algorithm (paper at T = 200: TF 39.6, LinUCB 32.8, Emp 56.9);
// - **DPT** on Bernoulli bandits (context from `(uniform + TS)/2`, target the optimal arm) gives a
//   near-optimal learner (paper: TF 11.1, TS 10.7);
// - the offline data's algorithm matters (**distribution mismatch**): with context
//   `α·TS + (1−α)·uniform`, the farther the context is from the deployed behaviour, the worse.
//
// **Protocol.** Every run generates its offline data, holds out a split for loss and action-match
// accuracy curves, pretrains with AdamW, and is deployed on the 500 test environments of notebook 07
// (same seed; its first T steps), with actions **sampled** from the softmax (as the paper) and
// **greedy**, beside LinUCB / TS / UCB / Emp and the **prior-only** arm (largest coordinate sum —
// `w⋆ ∈ [0,1]^5` makes it informative). Runs go two at a time on the two cores. The paper trained
// ~95 PFLOP; this CPU notebook runs at a **reduced scale, stated in the config and the conclusion**.

// %%
import { pretrainDefaults, run } from "../../lib/experiments/pretrain.ts";
import { figures, summary, tables } from "../../lib/experiments/pretrain_views.ts";
import { saveRuns } from "../../lib/experiments/pretrain_io.ts";
import { BACKEND_ENV, parseBackend } from "../../lib/bandits/backend.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import {
  dataDir,
  displayTable,
  markdown,
  modelsDir,
  runScale,
  timer,
  writeManifest,
} from "../../lib/report/mod.ts";

const scale = runScale();
const config = {
  ...pretrainDefaults[scale],
  backend: parseBackend([], Deno.env.get(BACKEND_ENV), "tfjs-wasm"),
};
config;

// %% [markdown]
// ## Pretrain and deploy
//
// Baselines first (fast, float64), then the pretraining runs in the worker pool: AD of LinUCB
// (linear bandits) and DPT at every context mixture α (Bernoulli bandits). Each run ends with its
// deployment on the test environments, sampled and greedy.

// %%
const clock = timer();
const hooks = progressHooks(Deno.jupyter.display);
const res = await run(config, hooks);
await hooks.done();
const tbl = writeTables("08", tables(res));
const saved = await saveRuns(res, modelsDir(), config.batch); // each file read back and compared
displayTable(tbl.training);

// %% [markdown]
// ## Learning curves
//
// Held-out cross-entropy and action-match accuracy. For AD the bar to clear is "repeat the previous
// action" (LinUCB often repeats itself), not chance.

// %%
const figs = figures(res);
await publishFigure("08", "learning_curves", figs.learning, { png: true });

// %% [markdown]
// ## Regret on new environments
//
// Cumulative pseudo-regret vs t, mean ± SE over the test environments; the TF curves average the
// training seeds per environment. The table gives the value at T beside the paper's Fig. 1 values at
// T = 200 (reference only: a different horizon and a far larger training budget).

// %%
await publishFigure("08", "regret_linear", figs.regretLinear, { png: true });

// %%
await publishFigure("08", "regret_bernoulli", figs.regretBernoulli, { png: true });

// %%
displayTable(tbl.regret_at_T.map(({ mean: _m, se: _s, ...row }) => row));

// %% [markdown]
// ## Distribution mismatch
//
// DPT with context `α·TS + (1−α)·uniform`; left the regret of the sampled TF for each α, right its
// paired difference to Thompson sampling on the same environments.

// %%
await publishFigure("08", "mismatch", figs.mismatch, { png: true });

// %%
const wallTimeSec = clock.seconds();
await writeManifest(`${dataDir()}/08_pretrained_transformer.manifest.json`, {
  name: "08_pretrained_transformer",
  config: { ...config },
  seeds: {
    ad: config.ad.seeds,
    dpt: config.dpt.seeds,
    alphaSeeds: config.dpt.alphaSeeds,
    evalEnv: config.evalEnvSeed,
    evalPolicy: config.evalPolicySeed,
    dataEnv: config.dataEnvSeed,
    dataPolicy: config.dataPolicySeed,
  },
  wallTimeSec,
  extra: {
    checkpoints: saved.map((s) => ({
      run: s.run,
      file: s.path.split("/").at(-1),
      weights: s.weights,
    })),
    runs: res.runs.map((r) => ({
      name: r.name,
      steps: r.steps,
      trainSec: r.trainSec,
      stepsPerSec: r.stepsPerSec,
      dataSec: r.dataSec,
      evalSec: r.evalSec,
      trainFlops: r.trainFlops,
      backend: r.backend,
      final: r.curve.at(-1),
    })),
  },
});
markdown(summary(res));
