/**
 * The generated text of experiment 4 (`actor_critic.ts`): the step-size pick and the conclusion,
 * quoting only numbers of the result.
 *
 * @module
 */

import { pairedDifference, summariseTransfer } from "../transfer/mod.ts";
import { fmtCI, fmtFixed, fmtPct, fmtSig } from "../report/mod.ts";
import { atStep, fmtScoreCI } from "./closed_loop.ts";
import { stepSizesLabel, sweepDifference, sweepName, tiedWith } from "./actor_critic_sweep.ts";
import { AC_CONSTRUCTED, AC_TEACHER, type ActorCriticResult } from "./actor_critic.ts";

const sci = (x: number) => fmtSig(x, 3);

/**
 * The step-size pick as Markdown: the picked (α, β), its score and paired difference to the MATH §3
 * default, and the settings statistically tied with it.
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * import { sweepSummary } from "./actor_critic_summary.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * sweepSummary(res); // "**Picked: α = …, β = …** (mean score …"
 * ```
 */
export function sweepSummary(res: ActorCriticResult): string {
  const last = res.sweep.config.updates;
  const def = {
    name: sweepName(res.config.specDefault),
    label: stepSizesLabel(res.config.specDefault),
  };
  const d = sweepDifference(res.sweep, res.picked.name, def.name);
  const defScore = d
    ? atStep(summariseTransfer(res.sweep.result, { references: false }), def.name, last).score
    : null;
  return `**Picked: α = ${res.picked.alpha}, β = ${res.picked.beta}** (mean score ${
    fmtFixed(res.picked.score, 3)
  } after ${last} updates${
    defScore !== null ? `, vs ${fmtFixed(defScore, 3)} at ${def.label}` : ""
  }). ${
    d
      ? `Paired over the ${res.sweep.config.numMdps} sweep MDPs, J(picked) − J(${def.label}) = ${
        fmtCI(d, 4)
      } (picked better on ${fmtPct(d.aWins, 0)} of MDPs). `
      : ""
  }Statistically tied with the pick (paired difference to it not significantly negative): ${
    tiedWith(res.sweep, res.picked.name).join("; ")
  }. The construction, the training target and the closed-loop teacher all use the picked α, β.`;
}

/**
 * The conclusion of notebook 04 as Markdown, quoting only numbers of `res`.
 *
 * @example
 * ```ts
 * import { actorCriticTiny, run } from "./actor_critic.ts";
 * import { summary } from "./actor_critic_summary.ts";
 * const res = await run(actorCriticTiny, {}, { modelsDir: Deno.makeTempDirSync() });
 * summary(res); // "**Measured** (run wall time … s):\n- **step sizes**: …"
 * ```
 */
export function summary(res: ActorCriticResult): string {
  const cfg = res.config;
  const last = cfg.transfer.updates;
  const s = summariseTransfer(res.transfer);
  const at = (name: string, step = last) => atStep(s, name, step);
  const per = res.training.perSeed as unknown as Record<string, number>[];
  const range = (k: string, f: (x: number) => string, abs = false) => {
    const v = per.map((r) => (abs ? Math.abs(r[k]) : r[k]));
    return `${f(Math.min(...v))} … ${f(Math.max(...v))}`;
  };
  const minCos = (k: string) => Math.min(...per.map((r) => Math.abs(r[k])));
  const barMet = minCos("cosP12") >= cfg.cosBar && minCos("cosV21") >= cfg.cosBar;
  const cons = (pred: (v: string, p: string) => boolean) =>
    Math.max(...res.construction.filter((r) => pred(r.variant, r.precision)).map((r) => r.relErr));
  const exact = (v: string) => !["perturbed", "random"].includes(v);
  const pert = Math.min(
    ...res.construction.filter((r) => r.variant === "perturbed").map((r) => r.relErr),
  );
  const d = pairedDifference(res.transfer, res.trainedName, AC_TEACHER, [last])[0];
  const dc = pairedDifference(res.transfer, AC_CONSTRUCTED, AC_TEACHER, [last])[0];
  const perSeedD = res.trainedNames.map((n) =>
    pairedDifference(res.transfer, n, AC_TEACHER, [last])[0]
  );
  const above = perSeedD.filter((x) => x.lo > 0).length;
  const below = perSeedD.filter((x) => x.hi < 0).length;
  const verdict = d.lo > 0
    ? "significantly **above**"
    : d.hi < 0
    ? "significantly **below**"
    : "**indistinguishable from** (CI contains 0)";
  const meanRate = res.training.timing.reduce((a, r) => a + r.promptsPerSec, 0) /
    res.training.timing.length;
  const f3 = (x: number) => fmtFixed(x, 3);
  return `**Measured** (run wall time ${fmtFixed(res.wallTimeSec, 0)} s):
- **step sizes**: ${sweepSummary(res)}
- **construction** at the picked α, β: max relative error ${
    sci(cons((v, p) => exact(v) && p === "float64"))
  } (float64) and ${
    sci(cons((v, p) => exact(v) && p !== "float64"))
  } (float32) over θ⋆ and its rescalings; perturbed θ⋆ ≥ ${sci(pert)};
- **training** (${res.trainedNames.length} seeds × ${
    fmtSig(cfg.K * cfg.T, 3)
  } prompts, B = ${cfg.batch}, ${
    fmtFixed(res.training.wallTimeSec, 0)
  } s on ${cfg.workers} workers, ${fmtFixed(meanRate, 0)} prompts/s per worker): final loss ${
    range("finalLoss", sci)
  }, distance to the manifold ${range("dist", sci)}; smallest |cos P12| **${
    fmtFixed(minCos("cosP12"), 5)
  }**, smallest |cos V̄21| **${fmtFixed(minCos("cosV21"), 5)}** (bar ${cfg.cosBar}: **${
    barMet ? "met" : "NOT met"
  }**); ${per.filter((r) => r.c < 0).length} of ${per.length} seeds on c < 0, |c| ${
    range("c", f3, true)
  };
- **saved blocks**: all ${res.saved.length} files \`models/ac_restricted_seed{S}.json\` re-loaded from disk are bitwise the trained blocks; their distance to the manifold ${
    res.saved.map((x) => sci(x.dist)).join(", ")
  }; the closed loop below evaluates the re-loaded blocks;
- **closed loop** (${res.trainedNames.length} blocks × ${cfg.transfer.numMdps} unseen MDPs, ${last} updates): at step 0 J = ${
    f3(at(res.trainedName, 0).mean)
  } for every learner (score ${f3(at(res.trainedName, 0).score)}); at step ${last}: trained J = **${
    fmtCI(at(res.trainedName))
  }**, AC teacher ${fmtCI(at(AC_TEACHER))}, constructed ${f3(at(AC_CONSTRUCTED).mean)}, oracle ${
    f3(at("oracle").mean)
  }, random ${f3(at("random").mean)}; normalised score trained **${
    fmtScoreCI(at(res.trainedName))
  }**, teacher ${fmtScoreCI(at(AC_TEACHER))};
- paired trained − teacher at step ${last}: ${fmtCI(d, 4)} (trained better on ${
    fmtPct(d.aWins, 0)
  } of MDPs): the trained blocks are ${verdict} the teacher; constructed − teacher (pure rollout noise): ${
    fmtCI(dc, 4)
  }; per seed, ${above} of ${perSeedD.length} blocks significantly above and ${below} below the teacher (5 % level each);
- evaluation throughput ${fmtFixed(res.transfer.promptsPerSec, 0)} prompts/s.`;
}
