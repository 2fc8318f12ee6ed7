/**
 * The generated conclusion of experiment 6 (`attention.ts`): every number and every comparison in
 * it comes from the result — CI-separated relations, never typed verdicts — formatted through
 * `report/format.ts`. {@linkcode compareToReference} is the one place a comparison becomes words
 * (tested branch by branch).
 *
 * @module
 */

import { fmtCI, fmtSig } from "../report/format.ts";
import type { AttentionResult, Condition } from "./attention.ts";
import { TEACHER } from "./attention.ts";
import {
  checkpointStats,
  conditionLabels,
  equalWall,
  lastStep,
  seedsOf,
} from "./attention_stats.ts";
import { referenceLabel, tables } from "./attention_views.ts";

/**
 * A held-out error counts as still improving if the last checkpoint is below this × the latest
 * checkpoint at no more than half its prompts.
 */
export const STILL_IMPROVING = 0.9;

/** One learner's interval on a metric, and how it compares with the reference's. */
export interface Compared {
  /** Learner label. */
  label: string;
  /** "lower", "higher" or "overlapping" (95 % CIs). */
  relation: "lower" | "higher" | "overlapping";
}

/**
 * Words for how the alternatives compare with the reference on one metric: which are
 * CI-separated better, which worse, which indistinguishable. `lowerIsBetter` says which direction
 * is better (errors: true; paired J differences stated as "alternative − reference": false).
 *
 * @example
 * ```ts
 * import { compareToReference } from "./attention_summary.ts";
 * compareToReference("LSA", "held-out error", [
 *   { label: "MLP", relation: "higher" },
 *   { label: "GRU", relation: "overlapping" },
 * ], true);
 * // "on held-out error, none is better than LSA; worse: MLP; indistinguishable: GRU"
 * ```
 */
export function compareToReference(
  ref: string,
  metric: string,
  items: Compared[],
  lowerIsBetter: boolean,
): string {
  const better = items.filter((i) => i.relation === (lowerIsBetter ? "lower" : "higher"));
  const worse = items.filter((i) => i.relation === (lowerIsBetter ? "higher" : "lower"));
  const same = items.filter((i) => i.relation === "overlapping");
  const list = (xs: Compared[]) => xs.map((x) => x.label).join(", ");
  const parts = [
    better.length ? `better than ${ref}: ${list(better)}` : `none is better than ${ref}`,
  ];
  if (worse.length) parts.push(`worse: ${list(worse)}`);
  if (same.length) parts.push(`indistinguishable: ${list(same)}`);
  return `on ${metric}, ${parts.join("; ")}`;
}

const rel = (d: { lo: number; hi: number }): Compared["relation"] =>
  d.lo > 0 ? "higher" : d.hi < 0 ? "lower" : "overlapping";

/**
 * The generated conclusion (markdown): budget and chosen learning rates, sizes, each learner at
 * equal prompts against the reference, held-out error against prompts, equal wall time, length
 * generalisation, distribution shift, and the comparisons in words.
 *
 * @example
 * ```ts
 * import { summary } from "./attention_summary.ts";
 * import { attentionTiny, run } from "./attention.ts";
 * const res = await run(attentionTiny); // 2 learners × 2 seeds × 64 prompts
 * const text = summary(res); // markdown
 * text.startsWith("**Budget.** Every learner trained on the same 64 prompts per seed"); // true
 * if (!text.startsWith("**Budget.**")) throw new Error(text);
 * ```
 */
export function summary(res: AttentionResult): string {
  const cfg = res.config;
  const t = tables(res);
  const ref = referenceLabel(res);
  const prompts = cfg.K * cfg.T;
  const L = lastStep(res, "default");
  const others = res.learners.filter((l) => l.label !== ref).map((l) => l.label);
  const row = (
    tab: string,
    label: string,
    extra: (r: Record<string, unknown>) => boolean = () => true,
  ) => t[tab].find((r) => r.learner === label && extra(r))!;
  // Scores and J differences with fixed decimals; errors (which span many decades) with 3
  // significant digits.
  const ci = (r: Record<string, unknown>, k: string, d = 4) => {
    const m = r[k] as number, lo = r[`${k}Lo`] as number, hi = r[`${k}Hi`] as number;
    return d === 3 || k.startsWith("dJ")
      ? fmtCI({ mean: m, lo, hi }, d)
      : `${fmtSig(m)} [${fmtSig(lo)}, ${fmtSig(hi)}]`;
  };
  const lines: string[] = [];
  const edge = t.learners.filter((l) => l.chosenAtGridEdge).map((l) => l.learner as string);
  lines.push(
    `**Budget.** Every learner trained on the same ${fmtSig(prompts)} prompts per seed ` +
      `(K = ${cfg.K} MDPs × T = ${cfg.T}, batched B = ${cfg.batch}; the paper trains on 10⁷), ` +
      `${cfg.seeds.length} seeds, all on one float64 engine with the MATH §6 schedule. Learning rate ` +
      `per learner: the smallest held-out error over {${
        cfg.lrGrid.map((x) => fmtSig(x)).join(", ")
      }} after ${
        fmtSig(cfg.sweepK * cfg.T)
      } prompts (seed ${cfg.sweepSeed}, the sweep's own held-out ` +
      `prompts — not the test MDPs): ${
        t.learners.map((l) => `${l.learner} ${fmtSig(l.chosenLr as number)}`).join(", ")
      }.` +
      (edge.length
        ? ` At the edge of the grid (a better rate may lie outside it): ${edge.join(", ")}.`
        : " Every chosen rate is inside the grid."),
  );
  const lrChanged = t.final.filter((r) =>
    typeof r.lrsUsed === "string" && (r.lrsUsed as string).includes("/")
  );
  if (lrChanged.length) {
    lines.push(
      `Runs that diverged at the chosen rate were rerun at the next lower rate: ${
        lrChanged.map((r) => `${r.learner} (${r.lrsUsed})`).join(", ")
      }.`,
    );
  }
  lines.push(
    "",
    `**Sizes** (parameters; forward multiply–adds per prompt at n = 20; × ${ref}): ${
      t.learners.map((l) =>
        `${l.learner} ${fmtSig(l.params as number)} (×${fmtSig(l.paramsVsReference as number)}), ${
          fmtSig(l.forwardMacs as number)
        } (×${fmtSig(l.macsVsReference as number)}) — ${l.role}`
      ).join("; ")
    }.`,
  );
  lines.push(
    "",
    `**Each learner at equal prompts** (training loss: last window, geometric mean over seeds; ` +
      `held-out error Σ‖f − w_SARSA‖²/Σ‖w_SARSA − w‖² at n = 20, geometric mean [95 % CI] over seeds; ` +
      `transfer score at step ${L} and the paired difference of J against ${ref} over ${cfg.numMdps} unseen MDPs):`,
  );
  for (const l of res.learners) {
    const r = row("final", l.label);
    const runs = seedsOf(res, l.label);
    const pps = runs.reduce((s, x) => s + x.result.prompts / x.result.trainWallSec, 0) /
      runs.length;
    lines.push(
      `- **${l.label}** (lr ${fmtSig(r.lr as number)}, ${fmtSig(pps)} prompts/s): loss ${
        fmtSig(r.trainLoss as number)
      }, held-out error ${ci(r, "heldoutRelErr")}${
        l.label === ref ? "" : ` (${r.relErrVsReference} than ${ref}'s)`.replace(
          "overlapping than",
          "overlapping with",
        )
      }, score ${ci(r, "score", 3)}${
        r.dJvsReference === null ? "" : `; J − ${ref}: ${ci(r, "dJvsReference")}`
      }.`,
    );
  }
  const teacher = t.final.find((r) => r.learner === TEACHER)!;
  const trDefault = t.transfer_final.filter((r) => r.condition === conditionLabels(res).default);
  lines.push(
    `- **${TEACHER}**: score ${ci(teacher, "score", 3)}. Paired J − teacher at step ${L}, ${
      compareToReference(
        TEACHER,
        "the training distribution",
        res.learners.map((l) => {
          const x = trDefault.find((r) => r.learner === l.label)!;
          return {
            label: l.label,
            relation: rel({ lo: x.dJvsTeacherLo as number, hi: x.dJvsTeacherHi as number }),
          };
        }),
        false,
      )
    }.`,
  );
  lines.push(
    "",
    `**Held-out error against prompts** (checkpoints ${fmtSig(cfg.checkpoints[0])} … ${
      fmtSig(cfg.checkpoints.at(-1)!)
    } prompts; "still improving" = the last checkpoint below ${STILL_IMPROVING}× the latest one ` +
      `at no more than half its prompts): ${
        res.learners.map((l) => {
          const cs = checkpointStats(res, l.label);
          const b = cs.at(-1);
          const a = b ? [...cs].reverse().find((c) => c.prompts <= b.prompts / 2) : undefined;
          if (!a || !b) return `${l.label}: —`;
          const ratio = b.relErr.mean / a.relErr.mean;
          return `${l.label} ${fmtSig(cs[0].relErr.mean)} → ${fmtSig(a.relErr.mean)} (${
            fmtSig(a.prompts)
          }) → ${fmtSig(b.relErr.mean)} (${fmtSig(b.prompts)}), ×${fmtSig(ratio)}${
            ratio < STILL_IMPROVING ? ", still improving" : ""
          }`;
        }).join("; ")
      }.`,
  );
  const { W, rows: eq } = equalWall(res);
  lines.push(
    "",
    `**Equal wall time.** Every run was also evaluated at the first step whose training wall ` +
      `time reached W = ${fmtSig(W)} s (one run per core, ${cfg.workers} at a time): ${
        eq.map((r) =>
          r.seedsReachingW === 0
            ? `${r.learner}: finished before W (whole run ${fmtSig(r.wholeRunWallSec as number)} s)`
            : `${r.learner}: ${r.seedsReachingW}/${cfg.seeds.length} seeds at ${
              fmtSig(r.wallSecMean as number)
            } s (max ${fmtSig(r.wallSecMax as number)} s), ${
              fmtSig(r.promptsByW as number)
            } prompts, held-out error ${fmtSig(r.relErrAtW as number)}`
        ).join("; ")
      }.`,
  );
  const nMin = Math.min(...cfg.lengths), nMax = Math.max(...cfg.lengths);
  lines.push(
    "",
    `**Length generalisation** (held-out error at n = ${nMin} / 20 / ${nMax}; 1 = no better than ` +
      `leaving w unchanged; the MLP zero-pads shorter prompts and keeps the first 20 tokens of ` +
      `longer ones): ${
        res.learners.map((l) =>
          `${l.label} ${
            [nMin, 20, nMax].map((n) =>
              fmtSig(t.length.find((r) => r.learner === l.label && r.n === n)!.relErr as number)
            ).join(" / ")
          }`
        ).join("; ")
      }.`,
  );
  const labels = conditionLabels(res);
  for (const c of ["nS", "gamma"] as Condition[]) {
    const tr = t.transfer_final.filter((r) => r.condition === labels[c]);
    const teach = tr.find((r) => r.learner === TEACHER)!;
    lines.push(
      "",
      `**Shift ${labels[c]}** (held-out error [95 % CI]; transfer score at step ${
        lastStep(res, c)
      }; teacher ${ci(teach, "score", 3)}): ${
        res.learners.map((l) => {
          const s = row("shift", l.label, (r) => r.condition === labels[c]);
          const x = tr.find((r) => r.learner === l.label)!;
          return `${l.label} ${ci(s, "heldoutRelErr")}, ${ci(x, "score", 3)}`;
        }).join("; ")
      }. ` +
        `Held-out error, ${
          compareToReference(
            ref,
            "this shift",
            others.map((o) => ({
              label: o,
              relation: row("shift", o, (r) => r.condition === labels[c])
                .relErrVsReference as Compared["relation"],
            })),
            true,
          )
        }. Transfer (J − teacher, paired): ${
          compareToReference(
            TEACHER,
            "this shift",
            res.learners.map((l) => {
              const x = tr.find((r) => r.learner === l.label)!;
              return {
                label: l.label,
                relation: rel({ lo: x.dJvsTeacherLo as number, hi: x.dJvsTeacherHi as number }),
              };
            }),
            false,
          )
        }.`,
    );
  }
  const errCmp = others.map((o) => ({
    label: o,
    relation: row("final", o).relErrVsReference as Compared["relation"],
  }));
  const jCmp = others.map((o) => {
    const r = row("final", o);
    return {
      label: o,
      relation: rel({ lo: r.dJvsReferenceLo as number, hi: r.dJvsReferenceHi as number }),
    };
  });
  const byErr = (xs: string[]) =>
    [...xs].sort((a, b) =>
      (row("final", a).heldoutRelErr as number) - (row("final", b).heldoutRelErr as number)
    );
  const refFamily = res.learners[0].family;
  const otherFamily = byErr(
    res.learners.filter((l) => l.family !== refFamily).map((l) => l.label),
  );
  const refRow = row("final", ref);
  const bestSentence = (label: string) => {
    const b = row("final", label);
    return `${label}'s, ${ci(b, "heldoutRelErr")} against ${ref}'s ${
      ci(refRow, "heldoutRelErr")
    } (ratio ${fmtSig((b.heldoutRelErr as number) / (refRow.heldoutRelErr as number))})`;
  };
  lines.push(
    "",
    `**What this run shows** (${
      fmtSig(prompts)
    } prompts per learner and seed, ${cfg.seeds.length} seeds, ` +
      `each learner at its own best rate of ${cfg.lrGrid.length}): ${
        compareToReference(ref, "held-out error (training distribution)", errCmp, true)
      }; ${compareToReference(ref, `closed-loop J at step ${L}`, jCmp, false)}. ` +
      (otherFamily.length
        ? `The lowest held-out error outside the ${refFamily} family is ${
          bestSentence(otherFamily[0])
        }. `
        : "") +
      `These statements hold at this budget and these sizes; they say nothing about learners ` +
      `trained for the paper's 10⁷ prompts or made larger.`,
  );
  return lines.join("\n");
}
