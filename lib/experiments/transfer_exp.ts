/**
 * Experiment 3 helpers (MATH §8.3): combine the closed-loop results of several trained blocks
 * (one per training seed) into one learner whose J on each test MDP is the blocks' average — so the
 * CI over test MDPs pairs with the teacher's on the same MDPs.
 *
 * @module
 */

import type { TransferResult, TransferRow } from "../transfer/mod.ts";

/**
 * Add a learner `name` whose J and score at each (MDP, step) are the mean over `members`.
 * Returns a new result (the input is not modified).
 *
 * @example
 * ```ts
 * const res2 = averageLearners(res, ["trained seed 0", "trained seed 1"], "trained (mean of 2)");
 * ```
 */
export function averageLearners(
  result: TransferResult,
  members: readonly string[],
  name: string,
): TransferResult {
  if (members.length === 0) throw new RangeError("members must name at least one learner");
  for (const m of members) {
    if (!result.learners.includes(m)) {
      throw new RangeError(
        `learner ${JSON.stringify(m)} is not in the result (${result.learners.join(", ")})`,
      );
    }
  }
  if (result.learners.includes(name)) {
    throw new RangeError(`learner ${JSON.stringify(name)} already exists`);
  }
  const set = new Set(members);
  const acc = new Map<string, { mdp: number; step: number; J: number; score: number; k: number }>();
  for (const r of result.rows) {
    if (!set.has(r.learner)) continue;
    const key = `${r.mdp}/${r.step}`;
    const a = acc.get(key) ?? { mdp: r.mdp, step: r.step, J: 0, score: 0, k: 0 };
    a.J += r.J;
    a.score += r.score;
    a.k++;
    acc.set(key, a);
  }
  const extra: TransferRow[] = [];
  for (const a of acc.values()) {
    if (a.k !== members.length) {
      throw new RangeError(
        `MDP ${a.mdp}, step ${a.step}: ${a.k} of ${members.length} members recorded`,
      );
    }
    extra.push({ mdp: a.mdp, learner: name, step: a.step, J: a.J / a.k, score: a.score / a.k });
  }
  return { ...result, learners: [...result.learners, name], rows: [...result.rows, ...extra] };
}
