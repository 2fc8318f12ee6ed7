// Notebook 02 — teacher-mimicking training converges onto the construction (MATH §6, §7, §8.2).

// %% [markdown]
// # 02 — Teacher-mimicking training finds the SARSA construction
//
// **Claim** ([LL26] Algorithm 1, Thm 3.2, Prop 3.1; MATH §6–§7). Train the LSA block to imitate one
// step of batch SARSA on prompts from a stream of random MDPs (fresh MDP and features every K-th
// episode, the teacher advancing `w`). Then
//
// 1. the loss goes to zero, exponentially near the optimum (Thm 3.2: local PL ⇒ exponential rate);
// 2. the learned `(P12, V̄21)` land on the construction's scaling manifold `M⋆ = {(cP⋆12, V̄⋆21/c)}` —
//    any `c ≠ 0`, negative included;
// 3. when *all* of `P, V` are trained (Prop 3.1), `P11, P21, V11, V12` and the first rows of `V21, V22`
//    never move and `P22, V̄22` stay 0.
//
// **Protocol** (MATH §6 defaults): |S| = 9, |A| = 4, γ = 0.5, d = 36 random features, n = 20, α = 0.2,
// ε = 0.1; Adam, lr 1e-3 × 0.99 every 10 MDPs; Xavier-normal init with gain 0.1. Paper scale is
// **K = 10 000 MDPs × T = 1 000 iterations = 10⁷ prompts per seed**. The main runs use the **batched**
// mode: B = 64 MDPs advanced side by side, one Adam step on the mean loss of their 64 prompts (so 156 250
// optimiser steps per seed instead of the paper's 10⁷ single-prompt steps; every prompt is generated
// exactly as in the paper's sequential protocol). A smaller run compares it with the **exact** mode.
// Gradients are hand-derived in float64 (`lib/icrl/grad.ts`, tested against tfjs autodiff); the
// Prop 3.1 run is repeated with tfjs autodiff (float32) as the gradient engine.

// %%
import { convergenceDefaults, run } from "../../lib/experiments/convergence.ts";
import { figures, summary, tables } from "../../lib/experiments/convergence_views.ts";
import { manifest, recheckSaved, saveBlocks } from "../../lib/experiments/convergence_saved.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import {
  dataDir,
  displayTable,
  markdown,
  modelsDir,
  runScale,
  writeManifest,
} from "../../lib/report/mod.ts";

// Every knob of this notebook (runs are overrides of the trainer's MATH §6 defaults). Scale comes
// from ICRL_SCALE (quick | paper), outputs go to ICRL_OUT.
const scale = runScale();
const config = convergenceDefaults[scale];
config;

// %% [markdown]
// ## Train: main runs (one per seed, in parallel Workers), exact vs batched, full parameterisation
//
// Results do not depend on the number of workers. The trained blocks are saved to `data/models/`
// for notebook 03, then **read back from disk** and measured again.

// %%
const hooks = progressHooks(Deno.jupyter.display);
const res = await run(config, hooks);
const savedPaths = await saveBlocks(res, modelsDir(), { scale });
const saved = await recheckSaved(res, savedPaths);
const tbl = writeTables("02", tables(res));
await writeManifest(`${dataDir()}/02_convergence.manifest.json`, manifest(res, scale));
await hooks.done();

// %% [markdown]
// ## Main runs: restricted parameterisation, Adam, batched — final values per seed
//
// `ratePerMillion`: log-linear fit of the loss over the final part of the run (Thm 3.2 predicts an
// exponential rate near the optimum). `c`: the scale read off `P12`.

// %%
displayTable(tbl.final_per_seed, { digits: 4 });

// %% [markdown]
// ## Loss, distance to the manifold, and the scale c
//
// Bands: geometric mean ± 95 % CI over seeds (t-interval on log values). The distance is scale-free:
// `‖V̄21⊗P12 − V̄⋆21⊗P⋆12‖_F / ‖V̄⋆21⊗P⋆12‖_F`. The scale c is read off `P12` (`⟨P⋆12, P12⟩/‖P⋆12‖²`),
// one line per seed — its sign is decided early by the initialisation. Each c curve is drawn through
// at most `config.curvePoints` log-spaced logged points (the bands keep every point);
// `data/02_metrics_main.csv` has them all.

// %%
const figs = figures(res);
await publishFigure("02", "convergence_curves", figs.convergence_curves, { png: true });

// %% [markdown]
// ## The learned blocks, rescaled by their c, next to the construction (first seed)
//
// Left: `P12 / c` and `P⋆12` (rows = token coordinates `φ_i, γφ_i⁺, r`; columns = `1, w`). Right:
// `c·V̄21` and `V̄⋆21` (rows = the `w` outputs; columns = token coordinates).

// %%
await publishFigure("02", "learned_blocks", figs.learned_blocks, { png: true });

// %% [markdown]
// ## Exact mode (one prompt per Adam step, MDPs in sequence) vs batched mode
//
// Same seed, so both modes see the same MDPs, features, initial `w` and rollouts (as long as `θ` is the
// same — behaviour depends only on the teacher's `w`, which does not depend on θ). Exact mode takes
// B× more optimiser steps for the same prompts.

// %%
await publishFigure("02", "exact_vs_batched", figs.exact_vs_batched, { png: true });

// %%
displayTable(tbl.exact_vs_batched_final, { digits: 4 });

// %% [markdown]
// ## Full parameterisation: Proposition 3.1 measured
//
// All of `P` and `V` trained (`P22 = V̄22 = 0` at init). "Drift" is the largest change since
// initialisation of any entry of `P11, P21, V11, V12` or of the first rows of `V21, V22`; "zero blocks"
// is the largest |entry| of `P22, V̄22`. With the hand-derived float64 gradient, and again with the
// gradient taken by tfjs autodiff in float32 (no block structure assumed in either).

// %%
displayTable(tbl.full_prop31, { digits: 4 });

// %%
await publishFigure("02", "prop31_drift", figs.prop31_drift, { png: true });

// %% [markdown]
// ## Conclusion (generated from this run; the last line from the blocks read back from disk)

// %%
markdown(summary(res, saved));
