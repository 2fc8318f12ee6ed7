/**
 * The generated conclusion of experiment 5 (`settle.ts`): every number and every verdict in it
 * comes from the result (through `tables` and the pre-registered rules of `settle_verdicts.ts`),
 * formatted through `report/format.ts`.
 *
 * @module
 */

import { fmtPct, fmtSig } from "../report/format.ts";
import type { SettleResult } from "./settle.ts";
import { balancedScale } from "../icrl/manifold.ts";
import { muBounds } from "../icrl/richness_stats.ts";
import { tables } from "./settle_tables.ts";
import { fmtScoreCI } from "./closed_loop.ts";

const optSig = (v: unknown): string =>
  typeof v !== "number" || !Number.isFinite(v) ? "—" : fmtSig(v);

const sigCI = (m: unknown, lo: unknown, hi: unknown) =>
  `${optSig(m)} [${optSig(lo)}, ${optSig(hi)}]`;

/**
 * The generated conclusion (markdown).
 *
 * @example
 * ```ts
 * import { summary } from "./settle_summary.ts";
 * import { run, settleTiny } from "./settle.ts";
 * const res = await run(settleTiny);
 * const text = summary(res); // markdown
 * text.startsWith("**Measured**"); // true
 * if (!text.includes("1 workers")) throw new Error(text);
 * ```
 */
export function summary(res: SettleResult): string {
  const t = tables(res);
  const cfg = res.config;
  const dS = res.smallTask.d;
  const L: string[] = [];
  const rs = res.richness.small.perC,
    rl = res.richness.large.perC,
    rk = res.richness.smallIterative.perC;
  L.push(`**Measured** (${fmtSig(res.wallTimeSec, 3)} s, ${cfg.workers} workers).`);
  L.push("");
  L.push(
    `**1. Richness.** On ${res.richness.small.prompts} prompts of the paper's distribution at d = ${dS} ` +
      `(${rs[0].gn.params} parameters, exact spectrum): ` +
      rs.map((p) =>
        `c = ${fmtSig(p.c)}: ${p.gn.zeros} zero eigenvalue(s), μ = ${optSig(p.gn.mu)}, ` +
        `λ_max = ${fmtSig(p.gn.lambdaMax)} (κ = ${
          optSig(p.gn.mu ? p.gn.lambdaMax / p.gn.mu : null)
        })`
      ).join("; ") +
      `. LOBPCG at the same d reproduces these μ to a relative ${
        optSig(Math.max(...rk.map((p, i) => Math.abs((p.gn.mu ?? NaN) / (rs[i].gn.mu ?? NaN) - 1))))
      }. Token Gram rank ${res.richness.small.gram.tokens.rank}/${res.richness.small.gram.tokens.size}, ` +
      `w̃ Gram rank ${res.richness.small.gram.wTilde.rank}/${res.richness.small.gram.wTilde.size}. ` +
      `At d = 36 (${rl[0].gn.params} parameters, ${res.richness.large.prompts} prompts, LOBPCG, ` +
      `${cfg.richness.maxIter} iterations, scaling direction t deflated — ‖Gt‖/(λ_max‖t‖) ≤ ${
        fmtSig(Math.max(...rl.map((p) => p.scalingResidual)))
      }): ` +
      rl.map((p) => {
        const b = muBounds(p.gn);
        return `c = ${
          fmtSig(p.c)
        }: ${p.gn.zeros} zero eigenvalue(s) among the ${cfg.richness.block} ` +
          `smallest Ritz values on t⊥ and t; μ ≤ ${
            optSig(b.upper)
          } (Ritz value, an upper bound), ` +
          `and its residual ${optSig(p.gn.muResidual)} puts an eigenvalue in [${
            optSig(b.residualLower)
          }, ${optSig(p.gn.mu)}]` +
          (b.temple !== null
            ? ` (Kato–Temple with the next Ritz pair: ≥ ${fmtSig(b.temple)})`
            : "") +
          `; λ_max = ${fmtSig(p.gn.lambdaMax)}`;
      }).join("; ") +
      `. These lower bounds hold for the eigenvalue the Ritz pair approximates; that no smaller ` +
      `non-zero eigenvalue exists is not proven by the iteration. Token Gram rank ${res.richness.large.gram.tokens.rank}/${res.richness.large.gram.tokens.size}, ` +
      `w̃ Gram rank ${res.richness.large.gram.wTilde.rank}/${res.richness.large.gram.wTilde.size}.`,
  );
  L.push("");
  for (const set of ["fixed", "fresh"] as const) {
    const rows = t.rate.filter((r) => r.set === set);
    if (!rows.length) continue;
    const key = set === "fixed" ? "lossSlopeRatio" : "distSlopeRatio";
    L.push(
      (set === "fixed"
        ? `**4a. Rate, fixed prompt set.** GD on ${
          rows[0].spectrumPrompts
        } prompts (d = ${dS}) from θ⋆(c) + ${fmtSig(cfg.rate.eps)}-relative noise; ` +
          `measured/predicted loss log-slope (prediction 2·log(1 − ημ)): `
        : `**4a. Rate, fresh prompts.** GD where every step takes a new batch of ${cfg.rate.fresh.batch} ` +
          `prompts of the training stream; μ, λ_max of the population G estimated on ${
            rows[0].spectrumPrompts
          } stream-matched prompts; measured/predicted distance log-slope (prediction log(1 − ημ)): `) +
        rows.map((r) =>
          `c = ${fmtSig(r.c as number)}, ηλ_max = ${fmtSig(r.etaTimesLambdaMax as number)}: ${
            fmtSig(r[key] as number)
          } (${r.steps} steps)`
        ).join("; ") + ".",
    );
  }
  L.push("");
  const gdG = t.scale_gd, adG = t.scale_adam;
  L.push(
    `**4b. Scale.** Prediction |c| = (α²d/(2d+1))^¼ = ${
      fmtSig(balancedScale(dS, 0.2, 0), 4)
    } at d = ${dS} (from Δ = 0); each run is compared with the prediction from its own initial Δ. ` +
      `GD (d = ${dS}, gains ${
        cfg.scale.gains.map((g) => fmtSig(g)).join(", ")
      }, ${cfg.scale.seeds.length} seeds, equal η·steps): ` +
      gdG.map((r) =>
        `η = ${fmtSig(r.lr as number)} (${fmtSig(r.prompts as number)} prompts): |c| ${
          sigCI(r.absC, r.absCLo, r.absCHi)
        }, relative offset ${sigCI(r.offsetGeoMean, r.offsetLo, r.offsetHi)} (geometric mean), ` +
        `final distance ≤ ${fmtSig(r.maxDist as number)}`
      ).join("; ") +
      `. Adam (same gains and seeds, ${fmtSig(cfg.scale.K * cfg.scale.T)} prompts each): ` +
      adG.map((r) =>
        `lr ${fmtSig(r.lr as number)}: |c| ${sigCI(r.absC, r.absCLo, r.absCHi)}, mean final Δ ${
          fmtSig(r.balanceEndMean as number)
        }, final distance ≤ ${fmtSig(r.maxDist as number)}`
      ).join("; ") + ".",
  );
  const big = t.basin.filter((r) => r.d === 36 && r.optimizer === "gd" && r.reached as number > 0);
  if (big.length) {
    L.push(
      `At d = 36, GD runs of the basin grid that reached M⋆ have median |c| ${
        big.map((r) => `${fmtSig(r.reachedMedianAbsC as number)} (${r.setting}, gain ${r.gain})`)
          .join(", ")
      } against ${fmtSig(balancedScale(36, 0.2, 0), 4)} predicted from Δ = 0.`,
    );
  }
  L.push("");
  const ab = t.ablation;
  L.push(
    `**2. Richness ablation** (d = 36, Adam lr ${fmtSig(cfg.ablation.lr)}, ${
      fmtSig(cfg.ablation.K * cfg.ablation.T)
    } prompts per run vs the paper's 10⁷, ${cfg.ablation.seeds.length} training seeds per arm, each ` +
      `with its own draw of the distribution; transfer on ${cfg.ablation.transfer.numMdps} unseen ` +
      `paper-distribution MDPs, ${cfg.ablation.transfer.updates} updates; the SARSA teacher scores ${
        fmtSig(ab[0].teacherScore as number)
      } there; geometric mean [95 % CI] over seeds for distances, mean [95 % CI] for scores):`,
  );
  for (const r of ab) {
    L.push(
      `- ${r.arm}: distance ${sigCI(r.distGeoMean, r.distLo, r.distHi)}, score ${
        fmtScoreCI(r as { score: number; scoreLo: number; scoreHi: number })
      }; exact at d = ${dS}: zero eigenvalues ${r.zerosSmall} (per seed), μ ${
        optSig(r.muSmallGeoMean)
      }${
        r.muRatio !== null ? ` (${fmtSig(r.muRatio as number)}× the paper arm's)` : ""
      }, token Gram rank ${r.tokenRankSmall}/${r.tokenSizeSmall}; d = 36: token Gram rank ${r.tokenRank36}/73 ` +
        `(⇒ ≥ ${r.structuralZeros36} zero eigenvalues)${
          r.zeros36 !== null
            ? `, LOBPCG (first seed) zeros ${r.zeros36}${r.zeros36Capped ? "+" : ""}, μ ≤ ${
              optSig(r.muUpper36)
            }`
            : ""
        }; ${r.failed ? "**fails**" : "does not fail"} by the pre-registered criterion.`,
    );
  }
  for (const c of t.confusion) {
    L.push(
      `Confusion table, predictor "${c.predictor}" against failure (${c.failureCriterion}): ` +
        `flagged & failed ${c.flaggedFailed}${
          c.armsFlaggedFailed ? ` (${c.armsFlaggedFailed})` : ""
        }, flagged & fine ${c.flaggedOk}${
          c.armsFlaggedOk ? ` (${c.armsFlaggedOk})` : ""
        }, failed unflagged ${c.unflaggedFailed}${
          c.armsUnflaggedFailed ? ` (${c.armsUnflaggedFailed})` : ""
        }, neither ${c.unflaggedOk}.`,
    );
  }
  L.push("");
  for (const d of [...new Set(t.basin.map((r) => r.d as number))]) {
    const b = d === dS ? cfg.basin : cfg.basin.large!;
    const rows = t.basin.filter((r) => r.d === d);
    L.push(
      `**3. Basin of attraction, d = ${d}** (${b.inits} inits per point, budget ${
        fmtSig(b.K * b.T)
      } prompts, reached = distance < ${fmtSig(b.stopDist)}): ` +
        rows.map((r) =>
          `${r.setting}, gain ${fmtSig(r.gain as number)}: ${fmtPct(r.fraction as number, 0)}` +
          ((r.diverged as number) > 0 ? ` (${r.diverged} diverged)` : "") +
          ((r.stalled as number) > 0 ? ` (${r.stalled} stalled near 0)` : "") +
          ((r.notWithinBudget as number) > 0
            ? ` (${r.notWithinBudget} not within budget: median distance ${
              optSig(r.failMedianDist)
            })`
            : "")
        ).join("; ") + ".",
    );
  }
  L.push("");
  L.push("**Verdicts (pre-registered rules, thresholds in the config).**");
  for (const v of t.verdicts) L.push(`- *${v.claim}*: **${v.outcome}** — ${v.reason}.`);
  return L.join("\n");
}
