// Shared test helpers (not part of the library API).
import { type Mdp, randomFeatures, randomMdp, randomStateFeatures } from "../lib/mdp/mdp.ts";
import { Rng } from "../lib/core/rng.ts";
import { rollout, sampleInitialState, type Trajectory } from "../lib/mdp/rollout.ts";
import { epsGreedyPolicy } from "../lib/mdp/policy.ts";
import type { Features, StateFeatures } from "../lib/mdp/mdp.ts";

/** Relative error ‖a − b‖∞ / max(1, ‖b‖∞). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return m / Math.max(1, s);
}

export interface Scenario {
  mdp: Mdp;
  feat: Features;
  sf: StateFeatures;
  traj: Trajectory;
  w: Float64Array;
  lambda: Float64Array;
}

/** A random MDP with features of dimension d, an ε-greedy trajectory of length n, random w. */
export function scenario(seed: number, n: number, d: number, nS = 5, nA = 3, dPsi = 4): Scenario {
  const rng = new Rng(seed);
  const mdp = randomMdp(rng, { nS, nA, gamma: 0.5 });
  const feat = randomFeatures(rng, nS, nA, d);
  const sf = randomStateFeatures(rng, nS, dPsi);
  const w = rng.fillUniform(new Float64Array(d), -1, 1);
  const lambda = rng.fillUniform(new Float64Array(d), -1, 1);
  const pi = epsGreedyPolicy(feat, w, 0.1);
  const traj = rollout(mdp, pi, sampleInitialState(mdp, rng), n, rng);
  return { mdp, feat, sf, traj, w, lambda };
}

/** Run `fn` with environment variables set (undefined = unset), restoring them afterwards. */
export async function withEnv(
  vars: Record<string, string | undefined>,
  fn: () => Promise<void> | void,
) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      x === undefined ? Deno.env.delete(k) : Deno.env.set(k, x);
    }
  };
  apply(vars);
  try {
    await fn();
  } finally {
    apply(saved);
  }
}

/** Largest absolute entry of `a − b` (a test helper; throws on length mismatch or non-finite entries). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`lengths differ: ${a.length} vs got length ${b.length}`);
  }
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`a[${i}] is ${a[i]}`);
    if (!Number.isFinite(b[i])) throw new RangeError(`b[${i}] is ${b[i]}`);
    const d = Math.abs(a[i] - b[i]);
    if (d > m) m = d;
  }
  return m;
}

/** The entries of `h` in a token slot `{ offset, size }` (a copy). */
export function slotOf(h: Float64Array, s: { offset: number; size: number }): Float64Array {
  return h.slice(s.offset, s.offset + s.size);
}
