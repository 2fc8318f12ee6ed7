// Notebook 05 — what would settle it: richness, basin of attraction, rate and scale (MATH §7, §8.5).

// %% [markdown]
// # 05 — What would settle it: richness, basin of attraction, rate and scale, measured
//
// **Claims under test** ([LL26] Thm 3.2 and its richness assumption; the referee's three major
// comments; MATH §7, §8.5). Every claim below gets a verdict — **supported**, **qualified** or **not
// supported** — from a rule whose thresholds sit in the config (`config.verdicts`) before anything
// runs; the rules are pure functions (`lib/experiments/settle_verdicts.ts`) tested on synthetic inputs
// that drive each outcome.
//
// 1. *Richness is checkable*: the Gauss–Newton matrix `G = JᵀJ/N` of the restricted loss at `θ⋆(c)`
//    (normalised as the trainer's loss, ½ the mean over prompts of ‖·‖²) has exactly one zero
//    eigenvalue (the scaling direction of `M⋆`); μ is its smallest non-zero eigenvalue. Exact at a small
//    d; at d = 36 (5 329 parameters) by LOBPCG on J-vector products: the Ritz value is an upper bound
//    on μ, its residual gives a lower bound for the eigenvalue it approximates.
// 2. *Richness ablation*: narrower training distributions (a pool of M MDPs, one fixed feature map,
//    low-rank or one-hot features, near-deterministic transitions), several training seeds each — does
//    learning the construction fail (criterion fixed in the config), and does the richness flag
//    predict it (a confusion table)?
// 3. *Basin of attraction*: which random initialisations reach `M⋆`, by Xavier gain, optimiser and
//    learning rate, at the small d and at d = 36.
// 4. *Predicted vs measured*: the rate `(1 − ημ)²` of GD on a fixed prompt set and on fresh prompts;
//    the scale `|c|⁴ = α²d/(2d+1)` predicted by balancedness under GD, how its offset scales with η
//    (η, η/2, η/4 at equal η·steps), and |c| under Adam at several learning rates.
//
// Every training here uses a **reduced budget** (stated in the config and the conclusion) so the whole
// notebook runs in minutes on 2 cores; the paper trains on 10⁷ prompts per run.

// %%
import { run, settleDefaults, validateSettleConfig } from "../../lib/experiments/settle.ts";
import { figures, summary, tables } from "../../lib/experiments/settle_views.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import { dataDir, displayTable, markdown, runScale, writeManifest } from "../../lib/report/mod.ts";

const config = validateSettleConfig(settleDefaults[runScale()]);
config;

// %% [markdown]
// ## Run every job (ablation arms × seeds, basin inits, rates, scale runs, richness) over the worker pool

// %%
const hooks = progressHooks(Deno.jupyter.display);
const res = await run(config, hooks);
await hooks.done();
const tbl = writeTables("05", tables(res));
await writeManifest(`${dataDir()}/05_what_would_settle_it.manifest.json`, {
  name: "05_what_would_settle_it",
  config: { ...config },
  seeds: {
    root: config.seed,
    ablation: config.ablation.seeds,
    transfer: config.ablation.transfer.seed,
  },
  wallTimeSec: res.wallTimeSec,
  extra: { tables: Object.keys(tbl), smallTask: res.smallTask },
});
`${res.wallTimeSec.toFixed(0)} s`;

// %% [markdown]
// ## 1. Richness at θ⋆(c): Gauss–Newton spectrum and Gram matrices
//
// `muResidualLower` and `muTempleLower` bound the eigenvalue the Ritz pair approximates from below
// (residual bound, Kato–Temple bound with the next Ritz pair); `mu` is the Ritz value, an upper bound.

// %%
displayTable(tbl.richness, { digits: 4 });

// %%
const figs = figures(res);
await publishFigure("05", "spectrum", figs.spectrum);

// %% [markdown]
// ## 4a. Rate: measured vs predicted log-slope under GD, on a fixed prompt set and on fresh prompts

// %%
displayTable(tbl.rate, { digits: 4 });

// %%
await publishFigure("05", "rate", figs.rate);

// %% [markdown]
// ## 4b. Scale: balancedness under GD (three learning rates at equal η·steps) and Adam (three rates)

// %%
displayTable(tbl.scale_gd, { digits: 4 });

// %%
displayTable(tbl.scale_adam, { digits: 4 });

// %%
await publishFigure("05", "scale", figs.scale);

// %% [markdown]
// ## 2. Richness ablation: per arm (seeds pooled), and the confusion table

// %%
displayTable(tbl.ablation, { digits: 3 });

// %%
displayTable(tbl.confusion);

// %%
await publishFigure("05", "ablation", figs.ablation);

// %% [markdown]
// ## 3. Basin of attraction

// %%
displayTable(tbl.basin, { digits: 3 });

// %%
await publishFigure("05", "basin", figs.basin);

// %%
figs.failure ? await publishFigure("05", "basin_failure", figs.failure) : "no failed init";

// %% [markdown]
// ## Verdicts (pre-registered rules)

// %%
displayTable(tbl.verdicts);

// %% [markdown]
// ## Conclusion (generated from the run)

// %%
markdown(summary(res));
