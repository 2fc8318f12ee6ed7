// Notebook 06 — does attention matter? Non-attention learners on the teacher-mimicking objective
// (MATH §6, §8.3, §8.5 last bullet).

// %% [markdown]
// # 06 — Does attention matter?
//
// **Question** (the referee's third point; MATH §8.5, last bullet). Notebooks 02–03 show that the linear
// self-attention (LSA) block, trained to imitate one SARSA step (MATH §6), becomes an in-context RL
// algorithm. Nothing there isolates what the *attention* contributes. Here other learners are trained on
// **exactly the same objective and the same prompt stream** — prompt `H(z, w)` → the teacher's update
// `w_SARSA` — and compared with the LSA block, as fairly as this machine allows:
//
// - **one engine** for everyone: float64, hand-written gradients (each checked against finite
//   differences), the project's Adam and MATH §6's schedule, batched B = 64, the same prompts;
// - **each learner at its own learning rate**, chosen from a grid of rates over two decades by the
//   one-step error on held-out prompts of the sweep's own stream (never the test MDPs);
// - **matched sizes**: besides the LSA block (restricted; and full `P`, `V`), an MLP on the flattened
//   prompt and a GRU over the tokens with about the restricted block's ≈ 5 k parameters, and variants with
//   about its forward multiply–adds per prompt (the FLOP-matched MLP and a 2-unit GRU); a GRU that also
//   reads `w̃` at every step (so it *could* form each TD error `δ_i` as it goes);
// - **softmax attention twice**: one head (same parameters as the restricted block; its weights are
//   positive and sum to 1, so it cannot weight tokens by a signed `δ_i`) and two heads whose outputs
//   add (`V̄ Σ a_i x_i + V̄₂ Σ b_i x_i`, which with `V̄₂ = −V̄` weights tokens by `a_i − b_i`, signed) — so
//   the comparison isolates the normalisation, not a missing sign;
// - **several seeds**, loss and held-out error against log prompts, an **equal-wall-time** snapshot of
//   every run taken at the same training wall time, transfer in notebook 03's closed loop on unseen MDPs,
//   **length generalisation** (trained at n = 20, tested at n = 5 … 80) and **distribution shift**
//   (|S| = 12 with d = 36 random features; γ = 0.9).
//
// **Budget.** The paper trains on 10⁷ prompts; here every learner sees the budget shown in the config
// (`K × T` prompts per seed), stated again in the conclusion, which is generated from the numbers.

// %%
import { attentionDefaults, run } from "../../lib/experiments/attention.ts";
import { figures, tables } from "../../lib/experiments/attention_views.ts";
import { summary } from "../../lib/experiments/attention_summary.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import { dataDir, displayTable, markdown, runScale, writeManifest } from "../../lib/report/mod.ts";

const config = attentionDefaults[runScale()];
config;

// %% [markdown]
// ## Sweep the learning rate of every learner, then train every learner × seed at its rate
//
// Two phases in two parallel Workers: the sweep (one seed, its own held-out stream), then every learner ×
// seed — training with held-out checkpoints and the equal-wall-time snapshot, the closed loop on unseen
// MDPs (three conditions), and one-step errors on held-out prompts at every length and under both shifts.

// %%
const hooks = progressHooks(Deno.jupyter.display);
const res = await run(config, hooks);
await hooks.done();
const tabs = writeTables("06", tables(res));
await writeManifest(`${dataDir()}/06_does_attention_matter.manifest.json`, {
  name: "06_does_attention_matter",
  config: { ...config },
  seeds: { train: config.seeds, sweep: config.sweepSeed, eval: config.evalSeed },
  wallTimeSec: res.wallTimeSec,
  extra: { chosenLr: res.chosenLr, learners: tabs.learners, timing: tabs.timing },
});
displayTable(tabs.learners);

// %%
const figs = figures(res);
await publishFigure("06", "sweep", figs.sweep, { png: true });

// %%
displayTable(tabs.sweep);

// %% [markdown]
// ## Equal prompts: loss and held-out error against log prompts; equal wall time
//
// Left: training loss (window mean) against prompts seen. Middle: the one-step error on held-out prompts
// at log-spaced checkpoints. Right: the same error against training wall time (one core per run).

// %%
await publishFigure("06", "loss", figs.loss, { png: true });

// %%
displayTable(tabs.final);

// %%
displayTable(tabs.equal_wall);

// %% [markdown]
// ## Transfer: closed loop on unseen MDPs (notebook 03's protocol)
//
// Each learner (per-MDP average over its seeds) and the SARSA teacher on the same test MDPs, all from the
// same initial `w` and state. Score 1 = oracle, 0 = uniform random.

// %%
await publishFigure("06", "transfer", figs.transfer, { png: true });

// %%
displayTable(tabs.transfer_final);

// %% [markdown]
// ## Length generalisation (trained at n = 20)
//
// One-step error on held-out prompts, `Σ‖f(H) − w_SARSA‖² / Σ‖w_SARSA − w‖²` (1 = no better than leaving
// `w` unchanged), geometric mean ± 95 % CI over seeds.

// %%
await publishFigure("06", "length", figs.length, { png: true });

// %% [markdown]
// ## Distribution shift: |S| = 12 and γ = 0.9

// %%
await publishFigure("06", "shift", figs.shift, { png: true });

// %%
displayTable(tabs.shift);

// %% [markdown]
// ## Conclusion (generated from this run)

// %%
markdown(summary(res));
