// Notebook 06 — does attention matter? Non-attention learners on the teacher-mimicking objective
// (MATH §6, §8.3, §8.5 last bullet).

// %% [markdown]
// # 06 — Does attention matter?
//
// **Question** (the referee's third point; MATH §8.5, last bullet). Notebooks 02–03 show that the linear
// self-attention (LSA) block, trained to imitate one SARSA step (MATH §6), becomes an in-context RL
// algorithm. Nothing there isolates what the *attention* contributes. Here other learners are trained on
// **exactly the same objective and the same prompt stream** — prompt `H(z, w)` → the teacher's update
// `w_SARSA` — and compared with the LSA block at equal prompts seen (and at equal wall time):
//
// - **LSA restricted** (`P12`, `V̄21`) and **LSA full** (all of `P`, `V`) — notebook 02's trainer (float64);
// - **softmax attention**: the restricted block with `softmax_i(x_iᵀ A w̃)` in place of `x_iᵀ P12 w̃ / n`
//   (query from the `w̃` column, keys and values from the tokens; same parameter count) — separates
//   "attention" from "*linear* attention";
// - **MLP** on the flattened prompt (the 20 tokens and `w̃`), two ReLU hidden layers, width from a small
//   sweep (chosen by held-out error);
// - **GRU** over the tokens, final state concatenated with `w̃` → ReLU head; and a GRU that also reads
//   `w̃` at every step (so it *could* form each TD error `δ_i` as it goes).
//
// All new learners are tfjs models trained in **float32** with batched tensors (B = 64), the project's
// float64 Adam and the MATH §6 learning-rate schedule; every learner outputs **residually**,
// `w_new = w + f(prompt)`, as the LSA block does. Then, for each: the training loss (≥ 3 seeds, bands),
// held-out error, transfer in notebook 03's closed loop on unseen MDPs (score vs update step beside the
// SARSA teacher), **length generalisation** (trained at n = 20, tested at n = 5 … 80; the MLP zero-pads
// shorter prompts and keeps the first 20 tokens of longer ones) and **distribution shift** (|S| = 12
// with d = 36 random features, so every input size is unchanged; γ = 0.9).
//
// **Budget.** The paper trains on 10⁷ prompts; on 2 CPU cores the tfjs GRU and MLP run at a few hundred
// prompts per second, so every learner here sees the same **reduced** budget shown in the config
// (`K × T` prompts per seed). One extra LSA run with far more prompts takes about the wall time a
// baseline needs for the reduced budget (the equal-wall-time comparison).

// %%
import {
  attentionDefaults,
  figures,
  run,
  summary,
  tables,
} from "../../lib/experiments/attention.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import { dataDir, displayTable, markdown, runScale, writeManifest } from "../../lib/report/mod.ts";

const config = attentionDefaults[runScale()];
config;

// %% [markdown]
// ## Train every learner on the same prompts, then evaluate it
//
// First the MLP width sweep (one seed, its own held-out stream), then every learner × seed in two
// parallel Workers: training, the closed loop on unseen MDPs (three conditions), and one-step errors on
// held-out prompts at every length and under both shifts.

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
  extra: { mlpWidth: res.mlpWidth, timing: tabs.timing },
});
displayTable(tabs.sweep);

// %% [markdown]
// ## Equal prompts and equal wall time: training loss
//
// Left: loss vs prompts seen (all learners saw the same prompts). Right: loss vs training wall time
// (each run had one core; the extra LSA run shows what the LSA block reaches in the time the slow
// learners need). The saw-tooth is the protocol, not noise: every `T` optimiser steps a new group of
// B = 64 training MDPs starts from fresh random `w` (MATH §6), whose first prompts are harder.

// %%
const figs = figures(res);
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
