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
// **Protocol.** ≥ 10 trained blocks (one per training seed of notebook 02; from the run's output
// directory when 02 ran there, else the committed `data/models/`) × ≥ 100 test MDPs from a stream
// disjoint from every training stream (asserted), updates 0…400. On each test
// MDP every learner starts from the same `w` and state; each learner's rollouts use its own stream
// derived from the evaluation seed. We plot the **exact** return `J` (MATH §1) of the greedy policy of `w`
// for: the trained blocks (per-MDP average over the training seeds), the SARSA teacher on the same loop,
// the constructed block θ⋆, the oracle (value iteration) and the uniform-random policy. CIs are 95 %
// t-intervals over test MDPs. Last, blocks trained on far smaller budgets show how transfer depends on
// training.
//
// The configuration below is every knob of the notebook (scale from `ICRL_SCALE`, outputs to
// `ICRL_OUT`); `blocks` names notebook 02's run whose saved blocks are evaluated.

// %%
import { run, transferDefaults } from "../../lib/experiments/transfer_exp.ts";
import { figures, manifest, summary, tables } from "../../lib/experiments/transfer_exp_views.ts";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";
import { dataDir, displayTable, markdown, runScale, writeManifest } from "../../lib/report/mod.ts";

const config = transferDefaults[runScale()];
config;

// %% [markdown]
// ## Load the trained blocks (notebook 02) and run the closed loop
//
// Phases: the closed-loop evaluation of every learner on the test MDPs, then the training and
// evaluation of the smaller-budget blocks (same test MDPs, same streams).

// %%
const hooks = progressHooks(Deno.jupyter.display);
const res = await run(config, hooks);
await hooks.done();
const out = writeTables("03", tables(res));
displayTable(res.blocks, { caption: res.source });

// %% [markdown]
// ## J of the greedy policy vs in-context update step

// %%
const figs = figures(res);
await publishFigure("03", "transfer", figs.transfer, { png: true });

// %% [markdown]
// ## Table: mean [95 % CI] at selected steps, and the paired difference trained − teacher

// %%
displayTable(out.transfer_table);

// %% [markdown]
// ## Seed-to-seed spread of the trained blocks
//
// Each trained block's own mean J over the test MDPs at the last step (CI over MDPs), beside the
// teacher's.

// %%
displayTable(out.per_seed_final, { digits: 4 });

// %% [markdown]
// ## Sensitivity: how transfer depends on the training budget
//
// Blocks trained with far fewer prompts (batched, MATH §6 defaults otherwise; the sizes and seeds are
// in `config.budget`), evaluated on the same test MDPs with the same streams. The paper-budget curve is
// the one above.

// %%
displayTable(out.budget_training, { digits: 4 });

// %%
await publishFigure("03", "budget", figs.budget, { png: true });

// %% [markdown]
// ## Conclusion (generated from this run)

// %%
await writeManifest(`${dataDir()}/03_transfer.manifest.json`, {
  name: "03_transfer",
  ...manifest(res),
  wallTimeSec: res.wallTimeSec,
});
markdown(summary(res));
