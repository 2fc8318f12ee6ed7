/**
 * Token layouts of the [LBM24] constructions (MATH §10.3): named slots of the token vector, and
 * the paper's bandit embedding (its appendix "Embedding and extraction mappings"):
 *
 *     h_{2t−1} = [ 0_{d+1} | a_{t,1} … a_{t,A} | 0_A     | work | i, i², 1 ]   (action set, step t)
 *     h_{2t}   = [ a_t, r_t | 0_{Ad}          | 0_A     | work | i, i², 1 ]   (action and reward)
 *               part a      part b             part c    part d
 *
 * Part c of `h_{2t−1}` receives the logits; the policy is `softmax(part c of h^(L)_{2t−1})`. The
 * workspace (part d) is laid out by each construction; the position `(i, i², 1)` closes the token.
 *
 * @module
 */

import {
  ConstructionParameterError,
  HorizonExceededError,
  NonFiniteInputError,
  TokenShapeError,
} from "./errors.ts";

/** A named run of coordinates of the token vector. */
export interface Slot {
  /** What it holds. */
  readonly name: string;
  /** First coordinate. */
  readonly offset: number;
  /** Number of coordinates. */
  readonly size: number;
}

/**
 * Coordinate `k` of a slot (checked).
 *
 * @example
 * ```ts
 * import { at } from "./layout.ts";
 * const slot = { name: "arms", offset: 5, size: 3 };
 * if (at(slot) !== 5 || at(slot, 2) !== 7) throw new Error("offset + k");
 * ```
 */
export function at(slot: Slot, k = 0): number {
  if (!(Number.isInteger(k) && k >= 0 && k < slot.size)) {
    throw new ConstructionParameterError(`slot ${slot.name}: index ${k} outside [0, ${slot.size})`);
  }
  return slot.offset + k;
}

/**
 * Allocates slots one after another; `D` is the total so far.
 *
 * @example
 * ```ts
 * import { TokenLayout } from "./layout.ts";
 * const L = new TokenLayout();
 * L.alloc("w", 5);
 * L.alloc("one", 1).offset; // 5
 * ```
 */
export class TokenLayout {
  private readonly list: Slot[] = [];
  private frozen = false;

  /** Token dimension so far. */
  get D(): number {
    const last = this.list.at(-1);
    return last === undefined ? 0 : last.offset + last.size;
  }

  /** Append a slot of `size` coordinates named `name` (names are unique). */
  alloc(name: string, size: number): Slot {
    if (this.frozen) throw new ConstructionParameterError(`layout is frozen; cannot add ${name}`);
    if (!(Number.isInteger(size) && size >= 1)) {
      throw new ConstructionParameterError(
        `slot ${name}: size must be an integer ≥ 1, got ${size}`,
      );
    }
    if (this.list.some((s) => s.name === name)) {
      throw new ConstructionParameterError(`slot ${name} allocated twice`);
    }
    const slot = { name, offset: this.D, size };
    this.list.push(slot);
    return slot;
  }

  /** No more slots. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  /** Every slot, in order. */
  slots(): readonly Slot[] {
    return this.list;
  }
}

/** The paper's bandit embedding (module doc) plus a construction's workspace. */
export interface BanditLayout {
  /** Arm dimension d. */
  readonly d: number;
  /** Arms A. */
  readonly A: number;
  /** Horizon T the construction was built for (tokens 1 … 2T). */
  readonly T: number;
  /** The slots. */
  readonly layout: TokenLayout;
  /** Part a: the arm played, `a_t` (d). */
  readonly a: Slot;
  /** Part a: the reward `r_t` (1). */
  readonly r: Slot;
  /** Part b: the action set, arm k at `arms.offset + k·d` (A·d). */
  readonly arms: Slot;
  /** Part c: the logits (A). */
  readonly logits: Slot;
  /** Position i. */
  readonly i: Slot;
  /** Position squared i². */
  readonly i2: Slot;
  /** The constant 1. */
  readonly one: Slot;
}

/**
 * Start a bandit layout: parts a, b, c. Allocate the workspace on `.layout`, then call
 * {@linkcode finishBanditLayout}.
 *
 * @example
 * ```ts
 * import { finishBanditLayout, startBanditLayout } from "./layout.ts";
 * const start = startBanditLayout(5, 10, 200);
 * start.layout.alloc("w", 5);
 * finishBanditLayout(start).layout.D; // 6 + 50 + 10 + 5 + 3 = 74
 * ```
 */
export function startBanditLayout(
  d: number,
  A: number,
  T: number,
): Omit<BanditLayout, "i" | "i2" | "one"> {
  for (const [k, v] of [["d", d], ["A", A], ["T", T]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new ConstructionParameterError(`bandit layout ${k} must be an integer ≥ 1, got ${v}`);
    }
  }
  const layout = new TokenLayout();
  const a = layout.alloc("a", d);
  const r = layout.alloc("r", 1);
  const arms = layout.alloc("arms", A * d);
  const logits = layout.alloc("logits", A);
  return { d, A, T, layout, a, r, arms, logits };
}

/**
 * Close a bandit layout with the position `(i, i², 1)`.
 *
 * @example
 * ```ts
 * import { finishBanditLayout, startBanditLayout } from "./layout.ts";
 * const L = finishBanditLayout(startBanditLayout(2, 3, 4));
 * if (L.one.offset !== L.layout.D - 1) throw new Error("the constant coordinate comes last");
 * ```
 */
export function finishBanditLayout(start: Omit<BanditLayout, "i" | "i2" | "one">): BanditLayout {
  const i = start.layout.alloc("i", 1);
  const i2 = start.layout.alloc("i2", 1);
  const one = start.layout.alloc("one", 1);
  start.layout.freeze();
  return { ...start, i, i2, one };
}

function setPosition(L: BanditLayout, h: Float64Array, pos: number): void {
  h[L.i.offset] = pos;
  h[L.i2.offset] = pos * pos;
  h[L.one.offset] = 1;
}

function checkStep(L: BanditLayout, t: number): void {
  if (!Number.isInteger(t) || t < 1) {
    throw new TokenShapeError(`step t must be an integer ≥ 1, got ${t}`);
  }
  if (t > L.T) {
    throw new HorizonExceededError(`step t = ${t} beyond the horizon T = ${L.T} built for`);
  }
}

/**
 * The action-set token `h_{2t−1}` of step t (1-based): the arms (A·d numbers, arm-major) in part
 * b, the position, and optionally extra input coordinates (`extra: [slot, values]`, e.g. the
 * Thompson-sampling noise).
 *
 * @example
 * ```ts
 * import { actionSetToken, finishBanditLayout, startBanditLayout } from "./layout.ts";
 * const L = finishBanditLayout(startBanditLayout(2, 2, 10));
 * actionSetToken(L, [1, 0, 0, 1], 1); // [0,0,0, 1,0,0,1, 0,0, 1,1,1]
 * ```
 */
export function actionSetToken(
  L: BanditLayout,
  arms: ArrayLike<number>,
  t: number,
  extra?: readonly [Slot, ArrayLike<number>][],
): Float64Array {
  checkStep(L, t);
  if (arms.length !== L.A * L.d) {
    throw new TokenShapeError(
      `action set must hold A × d = ${L.A} × ${L.d} = ${L.A * L.d} numbers, got ${arms.length}`,
    );
  }
  const h = new Float64Array(L.layout.D);
  for (let k = 0; k < arms.length; k++) {
    if (!Number.isFinite(arms[k])) {
      throw new NonFiniteInputError(`action set entry ${k} at step ${t} is ${arms[k]}`);
    }
    h[L.arms.offset + k] = arms[k];
  }
  for (const [slot, values] of extra ?? []) {
    if (values.length !== slot.size) {
      throw new TokenShapeError(
        `${slot.name} must hold ${slot.size} numbers, got ${values.length}`,
      );
    }
    for (let k = 0; k < slot.size; k++) {
      if (!Number.isFinite(values[k])) {
        throw new NonFiniteInputError(`${slot.name}[${k}] at step ${t} is ${values[k]}`);
      }
      h[slot.offset + k] = values[k];
    }
  }
  setPosition(L, h, 2 * t - 1);
  return h;
}

/**
 * The token `h_{2t}` of step t: the arm played `a_t` (d numbers) and its reward `r_t`.
 *
 * @example
 * ```ts
 * import { finishBanditLayout, rewardToken, startBanditLayout } from "./layout.ts";
 * const L = finishBanditLayout(startBanditLayout(2, 2, 10));
 * rewardToken(L, [0, 1], 0.5, 1); // [0,1,0.5, 0,0,0,0, 0,0, 2,4,1]
 * ```
 */
export function rewardToken(
  L: BanditLayout,
  arm: ArrayLike<number>,
  reward: number,
  t: number,
): Float64Array {
  checkStep(L, t);
  if (arm.length !== L.d) {
    throw new TokenShapeError(`arm must have d = ${L.d} numbers, got ${arm.length}`);
  }
  if (!Number.isFinite(reward)) {
    throw new NonFiniteInputError(`reward at step ${t} is ${reward}`);
  }
  const h = new Float64Array(L.layout.D);
  for (let j = 0; j < L.d; j++) {
    if (!Number.isFinite(arm[j])) {
      throw new NonFiniteInputError(`arm[${j}] at step ${t} is ${arm[j]}`);
    }
    h[L.a.offset + j] = arm[j];
  }
  h[L.r.offset] = reward;
  setPosition(L, h, 2 * t);
  return h;
}
