// Notebook 01 — the construction check (MATH §5, §8.1). Built into notebooks/01_construction_check.ipynb
// by `deno run -A scripts/nbtool.ts build notebooks/src/01_construction_check.ts`.

// %% [markdown]
// # 01 — A linear self-attention block *is* a batch RL update
//
// **Claim** ([LL26] Thm 3.1 and Thm 3.3; MATH §5). With the explicit parameters θ⋆ = (P⋆, V⋆), one
// linear self-attention block (MATH §4: `H_out = H + (1/n)(VH)(HᵀPH)`, readout = the `w` rows of the
// last column) returns **exactly** one step of batch semi-gradient SARSA, of batch TD(0), and of batch
// TD actor–critic, for every trajectory in its prompt — and so does every point `(cP⋆, V⋆/c)`, c ≠ 0,
// of the scaling manifold, negative c included.
//
// **What we measure.** `max |TF_θ(H) − teacher|` over random MDPs (|S| = 9, |A| = 4, γ = 0.5), random
// trajectories and random `w` (and `λ`), sweeping the prompt length `n` (at d = 36) and the feature
// dimension `d` (at n = 20), in float64 (the fast last-column form, MATH §4) and in float32 (tfjs wasm,
// batched), for θ⋆, for `c = 3.7` and `c = −0.5`, for θ⋆ plus a Gaussian perturbation of std 1e-3 on
// every entry, and for a random θ. MATH §5's bar: float64 ≤ 1e-12 relative, float32 ≤ 1e-5.

// %%
import {
  assertConstructionHolds,
  constructionDefaults,
  run,
} from "../../lib/experiments/construction_check.ts";
import { figures, summary, tables } from "../../lib/experiments/construction_check_views.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import { dataDir, displayTable, markdown, runScale, writeManifest } from "../../lib/report/mod.ts";

// Every knob of this notebook. Scale comes from ICRL_SCALE (quick | paper), outputs go to ICRL_OUT.
const scale = runScale();
const config = constructionDefaults[scale];
config;

// %% [markdown]
// ## Run the check over the whole grid

// %%
const hooks = progressHooks(Deno.jupyter.display);
const res = await run(config, hooks);
const tbl = writeTables("01", tables(res));
await writeManifest(`${dataDir()}/01_construction_errors.manifest.json`, {
  name: "01_construction_check",
  config: { scale, ...config },
  seeds: [config.seed],
  wallTimeSec: res.wallTimeSec,
});
await hooks.done();

// %% [markdown]
// ## Error vs prompt length n and vs feature dimension d
//
// Dashed lines: float64; solid: float32 (tfjs). Log scale; exact zeros are drawn at 1e-17. The three
// constructions (θ⋆ and its rescalings — their lines overlap) sit at float round-off; the perturbed and
// random θ sit orders of magnitude above.

// %%
const figs = figures(res);
await publishFigure("01", "construction_errors", figs.construction_errors, { png: true });

// %% [markdown]
// ## Maxima over the whole grid

// %%
displayTable(tbl.construction_maxima, { maxRows: 40, digits: 3 });

// %% [markdown]
// ## The construction θ⋆ for SARSA (d = 36, α = 0.2)
//
// `P⋆` is zero except the block `P12` (token rows × parameter columns): `−I` against `φ_i`, `+I`
// against `γφ_i⁺`, and a single 1 pairing the reward row with the constant 1 of `w̃` — so that
// `x_iᵀ P⋆12 w̃ = δ_i`, the TD error. `V⋆` is zero except `V̄21 = [αI, 0, 0]`, which writes `αφ_i` into
// the `w` rows. Red positive, blue negative (each panel has its own colour scale).

// %%
await publishFigure("01", "construction_heatmaps", figs.construction_heatmaps, { png: true });

// %% [markdown]
// ## Conclusion (generated from this run)

// %%
assertConstructionHolds(res); // a construction above MATH §5's bar fails the notebook
markdown(summary(res));
