/**
 * Deploying a pretrained transformer on new bandits (MATH §9): a batched policy (the
 * `BanditPolicy` shape of policy.ts — `act` / `update`) that, at step t, feeds the model the
 * tokens of its own history `0…t` and plays from the logits at position t — **sampled** from their
 * softmax (as the paper) or **greedy** (argmax). Plus the **prior-only** reference: always the arm
 * with the largest coordinate sum, which knows nothing but the prior `w⋆ ∈ [0,1]^d` and is a
 * strong baseline a greedy imitator can reach through the prior alone.
 *
 * @module
 */

import { tf } from "../icrl/tf.ts";
import type { Rng } from "../core/rng.ts";
import {
  type TransformerConfig,
  TransformerModel,
  type TransformerWeights,
} from "./transformer.ts";
import { armFeatures, tokenDim, type TokenSource, trajectoryTokens } from "./tokens.ts";
import { WasmDecoder } from "./engine/decode.ts";
import { type BanditEnvs, banditReward } from "./env.ts";
import type { BanditPolicy } from "./policy.ts";

/** How the transformer turns logits into an arm. */
export type DeployMode = "sample" | "greedy";

/**
 * What a deployed policy reads from the environments (`BanditEnvs` satisfies it): the fields of a
 * token source that describe the environments, not the recorded play.
 */
export type DeployEnvs = Pick<
  TokenSource,
  "spec" | "numEnvs" | "numArms" | "dim" | "horizon" | "arms"
>;

/** Softmax of `logits[off … off+n−1]` written into `out[outOff …]` (max-shifted, float64). */
function softmaxInto(
  logits: ArrayLike<number>,
  off: number,
  n: number,
  out: Float64Array,
  outOff: number,
): void {
  let mx = -Infinity;
  for (let a = 0; a < n; a++) mx = Math.max(mx, logits[off + a]);
  let z = 0;
  for (let a = 0; a < n; a++) z += out[outOff + a] = Math.exp(logits[off + a] - mx);
  for (let a = 0; a < n; a++) out[outOff + a] /= z;
}

/**
 * The pretrained transformer as a batched bandit policy over `envs`. Holds tfjs variables:
 * call `dispose()` when done.
 *
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { initTf } from "../icrl/tf.ts";
 * import { BERNOULLI_BANDIT, sampleBandits } from "./env.ts";
 * import { simulate } from "./simulate.ts";
 * const envs = sampleBandits({ ...BERNOULLI_BANDIT, horizon: 6 }, 1, 3);
 * import { policyStreams } from "./policy.ts";
 * import { initWeights } from "./transformer.ts";
 * import { TransformerPolicy } from "./deploy.ts";
 * await initTf();
 * const model = { tokenDim: 6, numActions: 5, maxLen: 6, D: 8, layers: 1, mlpHidden: 16 };
 * const weights = initWeights(model, new Rng(0)); // untrained, for the shape of the call
 * const pol = new TransformerPolicy(model, weights, envs, "sample", policyStreams(5, "tf", 3));
 * const traj = simulate(envs, pol, { horizon: 6 });
 * pol.dispose();
 * ```
 */
export class TransformerPolicy {
  readonly name: string;
  readonly hasProbs = true;
  readonly numEnvs: number;
  readonly numArms: number;
  private readonly net: TransformerModel | null;
  private readonly dec: WasmDecoder | null;
  private readonly tok: Float32Array;
  private readonly hist: TokenSource & { actions: Int32Array; rewards: Float64Array };
  private readonly rows: Int32Array;
  private readonly p: Float64Array;
  private t = 0;

  constructor(
    model: TransformerConfig,
    weights: TransformerWeights,
    envs: DeployEnvs,
    readonly mode: DeployMode,
    private readonly rngs: Rng[],
    name?: string,
    /** `tfjs`: a full forward pass per step; `wasm`: the cached one-token decoder (same logits). */
    engine: "tfjs" | "wasm" = "tfjs",
  ) {
    const F = tokenDim(envs.numArms, armFeatures(envs));
    if (model.tokenDim !== F || model.numActions !== envs.numArms) {
      throw new RangeError(
        `model expects ${model.tokenDim} features and ${model.numActions} arms; these ` +
          `environments give ${F} and ${envs.numArms}`,
      );
    }
    if (mode !== "sample" && mode !== "greedy") {
      throw new RangeError(`mode must be "sample" or "greedy", got ${JSON.stringify(mode)}`);
    }
    if (rngs.length !== envs.numEnvs) {
      throw new RangeError(`need ${envs.numEnvs} rngs (one per environment), got ${rngs.length}`);
    }
    this.name = name ?? `TF (${mode})`;
    this.numEnvs = envs.numEnvs;
    this.numArms = envs.numArms;
    const T = model.maxLen;
    this.hist = {
      spec: envs.spec,
      numEnvs: envs.numEnvs,
      numArms: envs.numArms,
      dim: envs.dim,
      horizon: T,
      arms: envs.arms,
      actions: new Int32Array(envs.numEnvs * T),
      rewards: new Float64Array(envs.numEnvs * T),
      best: new Int32Array(envs.numEnvs),
    };
    this.rows = Int32Array.from({ length: envs.numEnvs }, (_, i) => i);
    this.p = new Float64Array(envs.numArms);
    if (engine !== "tfjs" && engine !== "wasm") {
      throw new RangeError(`engine must be "tfjs" or "wasm", got ${JSON.stringify(engine)}`);
    }
    this.net = engine === "tfjs" ? new TransformerModel(model, weights) : null;
    this.dec = engine === "wasm" ? new WasmDecoder(model, weights, envs.numEnvs) : null;
    this.tok = new Float32Array(engine === "wasm" ? envs.numEnvs * F : 0);
  }

  /** Token `t` of every environment's history into `this.tok` (layout of tokens.ts). */
  private currentTokens(): Float32Array {
    const h = this.hist, E = this.numEnvs, A = this.numArms, T = h.horizon, t = this.t;
    const d = armFeatures(h), F = tokenDim(A, d), ad = A * d, x = this.tok;
    x.fill(0);
    for (let e = 0; e < E; e++) {
      const o = e * F;
      for (let k = 0; k < ad; k++) x[o + k] = h.arms[e * A * h.dim + k];
      if (t > 0) {
        x[o + ad + h.actions[e * T + t - 1]] = 1;
        x[o + ad + A] = h.rewards[e * T + t - 1];
      }
    }
    return x;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.t;
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    const T = this.hist.horizon, E = this.numEnvs, A = this.numArms, t = this.t;
    if (t >= T) throw new RangeError(`the model has ${T} positions; step ${t + 1} is beyond them`);
    if (actions.length !== E) throw new RangeError(`actions has ${actions.length}, expected ${E}`);
    let logits: ArrayLike<number>;
    if (this.dec !== null) logits = this.dec.step(this.currentTokens());
    else {
      const net = this.net!, len = t + 1, F = net.cfg.tokenDim;
      const x = trajectoryTokens(this.hist, this.rows, len);
      logits = tf.tidy(() => {
        const all = net.logits(tf.tensor3d(x, [E, len, F]));
        return tf.slice(all, [0, t, 0], [E, 1, A]).dataSync();
      });
    }
    for (let e = 0; e < E; e++) {
      softmaxInto(logits, e * A, A, this.p, 0);
      for (let a = 0; a < A; a++) {
        if (!Number.isFinite(this.p[a])) {
          throw new Error(`${this.name}: non-finite action probability at step ${t}, env ${e}`);
        }
      }
      let pick = 0;
      if (this.mode === "greedy") {
        for (let a = 1; a < A; a++) if (logits[e * A + a] > logits[e * A + pick]) pick = a;
      } else {
        let u = this.rngs[e].uniform();
        pick = A - 1;
        for (let a = 0; a < A; a++) {
          u -= this.p[a];
          if (u < 0) {
            pick = a;
            break;
          }
        }
      }
      actions[e] = pick;
      if (probs) {
        for (let a = 0; a < A; a++) {
          probs[e * A + a] = this.mode === "sample" ? this.p[a] : a === pick ? 1 : 0;
        }
      }
    }
  }

  update(actions: Int32Array, rewards: Float64Array): void {
    const T = this.hist.horizon, E = this.numEnvs;
    if (actions.length !== E || rewards.length !== E) {
      throw new RangeError(`update needs ${E} actions and rewards`);
    }
    for (let e = 0; e < E; e++) {
      if (!(actions[e] >= 0 && actions[e] < this.numArms)) {
        throw new RangeError(`actions[${e}] = ${actions[e]} is not an arm`);
      }
      if (!Number.isFinite(rewards[e])) throw new RangeError(`rewards[${e}] = ${rewards[e]}`);
      this.hist.actions[e * T + this.t] = actions[e];
      this.hist.rewards[e * T + this.t] = rewards[e];
    }
    this.t++;
  }

  /** Free the model's variables. */
  dispose(): void {
    this.net?.dispose();
  }
}

/**
 * The reward-replaced control: `inner` acts as usual, but the rewards written into its context
 * are those its chosen arm would have paid in another environment (`(e + shift) mod E`, same arm
 * index and step, so the same noise stream), while regret is still counted in the true
 * environment. A learner that does not use rewards is unaffected.
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
 * import { simulate } from "./simulate.ts";
 * import { makePolicy } from "./algorithms.ts";
 * import { ReplacedRewardPolicy } from "./deploy.ts";
 * const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 6 }, 1, 3);
 * const pol = new ReplacedRewardPolicy(makePolicy({ name: "linucb" }, envs, 2), envs);
 * simulate(envs, pol).actions.length; // 18
 * ```
 */
export class ReplacedRewardPolicy implements BanditPolicy {
  readonly name: string;
  readonly hasProbs: boolean;
  readonly numEnvs: number;
  readonly numArms: number;
  private t = 0;
  private readonly swapped: Float64Array;

  constructor(readonly inner: BanditPolicy, readonly envs: BanditEnvs, readonly shift = 1) {
    if (inner.numEnvs !== envs.numEnvs) {
      throw new RangeError(`policy has ${inner.numEnvs} environments, envs ${envs.numEnvs}`);
    }
    if (!Number.isInteger(shift) || shift % envs.numEnvs === 0) {
      throw new RangeError(`shift ${shift} must be an integer that moves to another environment`);
    }
    this.name = `${inner.name}, rewards from another environment`;
    this.hasProbs = inner.hasProbs;
    this.numEnvs = inner.numEnvs;
    this.numArms = inner.numArms;
    this.swapped = new Float64Array(inner.numEnvs);
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    this.inner.act(actions, probs);
  }

  update(actions: Int32Array, _rewards: Float64Array): void {
    const E = this.numEnvs;
    for (let e = 0; e < E; e++) {
      const other = (((e + this.shift) % E) + E) % E;
      this.swapped[e] = banditReward(this.envs, other, this.t, actions[e]);
    }
    this.inner.update(actions, this.swapped);
    this.t++;
  }
}

/**
 * The prior-only policy: in every environment, always the arm with the largest coordinate sum
 * `Σ_j a_j` (the best arm for the prior mean of `w⋆ ~ Unif([0,1]^d)`); it never looks at a
 * reward. Deterministic (ties, of probability zero, go to the lowest index).
 *
 * @example
 * ```ts
 * import { LINEAR_BANDIT, sampleBandits } from "./env.ts";
 * import { simulate } from "./simulate.ts";
 * import { PriorArmPolicy } from "./deploy.ts";
 * const envs = sampleBandits({ ...LINEAR_BANDIT, horizon: 6 }, 1, 3);
 * const prior = new PriorArmPolicy(envs);
 * const traj = simulate(envs, prior); // every step plays prior.choice[e]
 * ```
 */
export class PriorArmPolicy {
  readonly name = "Prior only (largest coordinate sum)";
  readonly hasProbs = true;
  readonly numEnvs: number;
  readonly numArms: number;
  /** The chosen arm of each environment. */
  readonly choice: Int32Array;

  constructor(envs: DeployEnvs) {
    const { numEnvs: E, numArms: A, dim: d } = envs;
    this.numEnvs = E;
    this.numArms = A;
    this.choice = new Int32Array(E);
    for (let e = 0; e < E; e++) {
      let best = -Infinity;
      for (let a = 0; a < A; a++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += envs.arms[(e * A + a) * d + j];
        if (s > best) {
          best = s;
          this.choice[e] = a;
        }
      }
    }
  }

  act(actions: Int32Array, probs?: Float64Array): void {
    const A = this.numArms;
    for (let e = 0; e < this.numEnvs; e++) {
      actions[e] = this.choice[e];
      if (probs) { for (let a = 0; a < A; a++) probs[e * A + a] = a === this.choice[e] ? 1 : 0; }
    }
  }

  update(_actions: Int32Array, _rewards: Float64Array): void {}
}
