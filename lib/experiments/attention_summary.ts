/**
 * The generated conclusion of experiment 6 (`attention.ts`): every number in it comes from the
 * result, formatted through `report/format.ts`.
 *
 * @module
 */

import { fmtCI, fmtFixed, fmtSig } from "../report/format.ts";
import { pairedDifference } from "../transfer/mod.ts";
import type { AttentionResult, Condition } from "./attention.ts";
import { TEACHER } from "./attention.ts";
import {
  conditionLabels,
  equalWall,
  lastStep,
  mergedTransfer,
  oneStepStat,
  seedsOf,
  transferSummaries,
} from "./attention_stats.ts";

function scoreAt(res: AttentionResult, c: Condition, label: string) {
  const s = transferSummaries(res)[c].find((x) =>
    x.learner === label && x.step === lastStep(res, c)
  )!;
  return { mean: s.score, lo: s.scoreLo, hi: s.scoreHi };
}

/**
 * The generated conclusion (markdown): budget, sweep, per-learner loss / transfer / length /
 * shift numbers, each learner against the restricted LSA block and the teacher.
 *
 * @example
 * ```ts ignore
 * // ignore: needs the result of `run` (minutes of compute)
 * import { summary } from "./attention_summary.ts";
 * const text = summary(res); // markdown
 * ```
 */
export function summary(res: AttentionResult): string {
  const cfg = res.config;
  const ref = "LSA restricted";
  const prompts = cfg.K * cfg.T;
  const L = lastStep(res, "default");
  const merged = mergedTransfer(res, "default");
  const { W, rows: eqRows } = equalWall(res);
  const lines: string[] = [];
  lines.push(
    `**Budget.** Every learner saw the same ${fmtSig(prompts)} prompts per seed ` +
      `(K = ${cfg.K} MDPs × T = ${cfg.T}, batched B = ${cfg.batch}; the paper trains on 10⁷), ` +
      `${cfg.seeds.length} seeds. LSA: float64 hand gradients; baselines: tfjs float32 autodiff. ` +
      `MLP width chosen by held-out error: **2×${res.mlpWidth}** (sweep: ${
        res.sweep.map((s) => `${s.width} → ${fmtSig(s.relErr)}`).join(", ")
      }).`,
  );
  lines.push(
    "",
    "**Each learner at equal prompts** (training loss = geometric mean over seeds; " +
      `held-out error = Σ‖f − w_SARSA‖²/Σ‖w_SARSA − w‖² at n = 20, geometric mean over seeds; transfer score at step ${L}, ` +
      `paired difference of J against ${ref} over ${cfg.numMdps} unseen MDPs):`,
  );
  const teacherScore = scoreAt(res, "default", TEACHER);
  for (const l of res.learners) {
    const runs = seedsOf(res, l.label);
    const geo = Math.exp(
      runs.reduce((s, r) => s + Math.log(r.result.metrics.at(-1)!.loss), 0) / runs.length,
    );
    const os = oneStepStat(res, l.label, "default", 20);
    const sc = scoreAt(res, "default", l.label);
    const pps = runs.reduce((s, r) => s + r.result.prompts / r.result.trainWallSec, 0) /
      runs.length;
    let vs = "";
    if (l.label !== ref) {
      const d = pairedDifference(merged, l.label, ref, [L])[0];
      const sig = d.lo > 0 ? "better than" : d.hi < 0 ? "worse than" : "indistinguishable from";
      vs = `; J − ${ref}: ${fmtCI(d, 4)} (${sig} ${ref})`;
    }
    lines.push(
      `- **${l.label}** (${fmtSig(l.paramCount)} parameters, ${fmtSig(pps)} prompts/s${
        l.equalWall ? `, ${fmtSig(runs[0].result.prompts)} prompts — the ≈ equal-wall-time run` : ""
      }): loss ${fmtSig(geo)}, held-out error ${fmtCI(os.relErr, 4)}, score ${fmtCI(sc)}${vs}.`,
    );
  }
  const dT = pairedDifference(merged, ref, TEACHER, [L])[0];
  lines.push(
    `- **${TEACHER}**: score ${fmtCI(teacherScore)}; ${ref} − teacher in J: ${fmtCI(dT, 4)}.`,
  );
  lines.push(
    "",
    `**Equal wall time.** At W = ${fmtSig(W)} s of training (the fastest learner type's whole ` +
      `budget), loss: ${eqRows.map((r) => `${r.learner} ${r.lossAtWall}`).join("; ")}. ` +
      `Median training wall time of each whole run: ${
        eqRows.map((r) => `${r.learner} ${r.totalWallSec} s`).join("; ")
      } (two runs at a time on 2 shared cores, so wall times are indicative).`,
  );
  const nMin = Math.min(...cfg.lengths), nMax = Math.max(...cfg.lengths);
  lines.push(
    "",
    `**Length generalisation** (held-out error at n = ${nMin} / 20 / ${nMax}; 1 = no better than ` +
      `leaving w unchanged; the MLP zero-pads shorter prompts and keeps the first 20 tokens of ` +
      `longer ones): ${
        res.learners.map((l) =>
          `${l.label} ${
            [nMin, 20, nMax].map((n) => fmtSig(oneStepStat(res, l.label, "default", n).relErr.mean))
              .join(" / ")
          }`
        ).join("; ")
      }.`,
  );
  const labels = conditionLabels(res);
  for (const c of ["nS", "gamma"] as Condition[]) {
    lines.push(
      "",
      `**Shift ${labels[c]}** (held-out error; transfer score at step ${lastStep(res, c)}, ` +
        `teacher ${fmtCI(scoreAt(res, c, TEACHER))}): ${
          res.learners.map((l) =>
            `${l.label} ${fmtSig(oneStepStat(res, l.label, c, 20).relErr.mean)}, ${
              fmtFixed(scoreAt(res, c, l.label).mean)
            }`
          ).join("; ")
        }.`,
    );
  }
  // Ranking sentence.
  const others = res.learners.filter((l) => l.family !== "lsa");
  const refErr = oneStepStat(res, ref, "default", 20).relErr.mean;
  const best = [...others].sort((a, b) =>
    oneStepStat(res, a.label, "default", 20).relErr.mean -
    oneStepStat(res, b.label, "default", 20).relErr.mean
  )[0];
  const bestErr = oneStepStat(res, best.label, "default", 20).relErr.mean;
  lines.push(
    "",
    `**Finding.** At equal prompts the best non-linear-attention learner is ${best.label} ` +
      `(held-out error ${fmtSig(bestErr)} vs ${fmtSig(refErr)} for ${ref}, ratio ${
        fmtSig(bestErr / refErr)
      }).`,
  );
  const ratio = (label: string, n: number) =>
    oneStepStat(res, label, "default", n).relErr.mean /
    oneStepStat(res, label, "default", 20).relErr.mean;
  const nearOne = res.learners.filter((l) =>
    oneStepStat(res, l.label, "default", 20).relErr.mean >= 0.95
  );
  if (nearOne.length > 0) {
    lines.push(
      `At this budget ${nearOne.map((l) => l.label).join(", ")} explain less than 5 % of the ` +
        `teacher's update (held-out error ≥ 0.95): they learned little beyond an average update ` +
        `(width, state size and the MATH §6 learning-rate schedule as configured; no further tuning).`,
    );
  }
  const span = (label: string) =>
    [nMin, nMax].map((n) => `×${fmtSig(ratio(label, n))}`).join(" / ");
  lines.push(
    `Relative to its own n = 20 error, the held-out error at n = ${nMin} / ${nMax} is ${
      res.learners.map((l) => `${l.label} ${span(l.label)}`).join("; ")
    } (the LSA update is defined for every n; the MLP only sees 20 token slots).`,
  );
  for (const c of ["nS", "gamma"] as Condition[]) {
    const below = res.learners.filter((l) =>
      scoreAt(res, c, l.label).hi < scoreAt(res, c, TEACHER).lo
    );
    lines.push(
      `Under the shift ${labels[c]}, transfer scores significantly below the teacher's (CIs ` +
        `disjoint): ${below.length ? below.map((l) => l.label).join(", ") : "none"}.`,
    );
  }
  return lines.join("\n");
}
