// The exported tiny configs (doc examples, tests, a first try): each passes its experiment's
// validator and stays below the quick preset on a named size, so neither can silently grow past it.
import assert from "node:assert/strict";
import {
  actorCriticDefaults,
  actorCriticTiny,
  validateActorCriticConfig,
} from "../../lib/experiments/actor_critic.ts";
import {
  attentionDefaults,
  attentionTiny,
  validateAttentionConfig,
} from "../../lib/experiments/attention.ts";
import {
  banditBaselinesDefaults,
  banditBaselinesTiny,
  run as runBandits,
} from "../../lib/experiments/bandit_baselines.ts";
import {
  constructionDefaults,
  constructionTiny,
  validateConstructionConfig,
} from "../../lib/experiments/construction_check.ts";
import { constructionsDefaults, constructionsTiny } from "../../lib/experiments/constructions.ts";
import {
  convergenceDefaults,
  convergenceTiny,
  validateConvergenceConfig,
} from "../../lib/experiments/convergence.ts";
import {
  pretrainDefaults,
  pretrainTiny,
  validatePretrainExpConfig,
} from "../../lib/experiments/pretrain.ts";
import { settleDefaults, settleTiny, validateSettleConfig } from "../../lib/experiments/settle.ts";
import {
  transferDefaults,
  transferTiny,
  validateTransferExpConfig,
} from "../../lib/experiments/transfer_exp.ts";

/** `tiny[field] < quick[field]` for every named size, with the field in the message. */
function smaller<C>(name: string, tiny: C, quick: C, sizes: Record<string, (c: C) => number>) {
  for (const [field, size] of Object.entries(sizes)) {
    const t = size(tiny), q = size(quick);
    assert.ok(Number.isFinite(t) && t < q, `${name}: ${field} ${t} is not below quick's ${q}`);
  }
}

Deno.test("notebook 01 tiny: valid, fewer instances and grid points than quick", () => {
  validateConstructionConfig(constructionTiny);
  smaller("construction", constructionTiny, constructionDefaults.quick, {
    trials: (c) => c.trials,
    "grid points": (c) => c.ns.length * c.ds.length,
  });
});

Deno.test("notebook 02 tiny: valid, fewer seeds and prompts per run than quick", () => {
  validateConvergenceConfig(convergenceTiny);
  smaller("convergence", convergenceTiny, convergenceDefaults.quick, {
    seeds: (c) => c.seeds.length,
    "main K·T": (c) => c.main.K! * c.main.T!,
    "exact K·T": (c) => c.exact.K! * c.exact.T!,
    "fullTf K·T": (c) => c.fullTf.K! * c.fullTf.T!,
  });
});

Deno.test("notebook 03 tiny: valid, fewer test MDPs, updates and budget prompts than quick", () => {
  validateTransferExpConfig(transferTiny);
  smaller("transfer", transferTiny, transferDefaults.quick, {
    numMdps: (c) => c.numMdps,
    updates: (c) => c.updates,
    "budget K·T": (c) => Math.max(...c.budget.sizes.map((s) => s.K * s.T)),
  });
});

Deno.test("notebook 04 tiny: valid, fewer sweep MDPs, training prompts and test MDPs than quick", () => {
  validateActorCriticConfig(actorCriticTiny);
  smaller("actor–critic", actorCriticTiny, actorCriticDefaults.quick, {
    "sweep.numMdps": (c) => c.sweep.numMdps,
    "K·T": (c) => c.K * c.T,
    "transfer.numMdps": (c) => c.transfer.numMdps,
  });
});

Deno.test("notebook 05 tiny: valid, fewer episodes, prompts and test MDPs than quick", () => {
  validateSettleConfig(settleTiny);
  smaller("settle", settleTiny, settleDefaults.quick, {
    "samplingSmall.episodes": (c) => c.samplingSmall.episodes,
    "scale K·T": (c) => c.scale.K * c.scale.T,
    "ablation K·T": (c) => c.ablation.K * c.ablation.T,
    "ablation.transfer.numMdps": (c) => c.ablation.transfer.numMdps,
  });
});

Deno.test("notebook 06 tiny: valid, fewer learners, prompts and test MDPs than quick", () => {
  validateAttentionConfig(attentionTiny);
  smaller("attention", attentionTiny, attentionDefaults.quick, {
    learners: (c) => c.learners.length,
    "K·T": (c) => c.K * c.T,
    numMdps: (c) => c.numMdps,
  });
});

Deno.test("notebook 07 tiny: valid (run validates first), fewer environments and trajectories than quick", async () => {
  await runBandits(banditBaselinesTiny); // throws on a bad config before any work
  smaller("bandit baselines", banditBaselinesTiny, banditBaselinesDefaults.quick, {
    numEnvs: (c) => c.numEnvs,
    "generation.count": (c) => c.generation.count,
  });
});

Deno.test("notebook 08 tiny: valid, fewer training trajectories and a shorter horizon than quick", () => {
  validatePretrainExpConfig(pretrainTiny);
  smaller("pretrain", pretrainTiny, pretrainDefaults.quick, {
    "ad.trainCount": (c) => c.ad.trainCount,
    "dpt.trainCount": (c) => c.dpt.trainCount,
    horizon: (c) => c.horizon,
  });
});

Deno.test("notebook 09 tiny: a shorter horizon and fewer UCB-VI MDPs than quick (its run: constructions_test)", () => {
  smaller("constructions", constructionsTiny, constructionsDefaults.quick, {
    "bandit.horizon": (c) => c.bandit.horizon,
    "ucbvi.numMdps": (c) => c.ucbvi.numMdps,
  });
});
