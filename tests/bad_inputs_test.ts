// The bad-input table (issue 12): every row feeds one invalid input to a public function and
// asserts (a) it throws — nothing returns a number, array or file — (b) the error class and (c)
// that the message names the bad value (or the inconsistent sizes). One Deno test per row.
import assert from "node:assert/strict";
import {
  acBlocks,
  acConstruction,
  acTokens,
  actorCriticUpdate,
  adam,
  aggregateBands,
  blockLearner,
  blocksToParams,
  buildAcPrompt,
  buildPrompt,
  buildSarsaPrompt,
  buildTd0Prompt,
  constructedLearner,
  DEFAULT_TASK,
  DEFAULT_TRAIN,
  emptyTrajectory,
  epsGreedyPolicy,
  expectedReward,
  fitExponentialRate,
  fullLossGrad,
  gradientDescent,
  greedyActions,
  loadModel,
  lowRankFeatures,
  lsaReadout,
  manifoldStats,
  matmul,
  maxAbs,
  type Mdp,
  meanCI,
  newTaskEnv,
  oneHotFeatures,
  paramsToBlocks,
  policyReturn,
  qValues,
  randomFeatures,
  randomMdp,
  randomStateFeatures,
  recordGrid,
  restrictedLossGrad,
  restrictedReadout,
  restrictedScratch,
  Rng,
  rollout,
  sampleInitialState,
  sarsaBlocks,
  sarsaConstruction,
  sarsaTokens,
  sarsaUpdate,
  saveModel,
  softmaxPolicy,
  softmaxScore,
  solve,
  taskAdvance,
  taskConstruction,
  taskDims,
  taskStep,
  td0Construction,
  td0Tokens,
  td0Update,
  tQuantile975,
  trainConfig,
  trainMany,
  trainTeacherMimic,
  type Trajectory,
  transferConfig,
  transpose,
  uniformPolicy,
  uniformReturn,
  validateFeatures,
  validateLsaParams,
  validateMdp,
  validatePrompt,
  validateStateFeatures,
  validateTask,
  validateTrajectory,
  valueIteration,
} from "../lib/mod.ts";
import { paramsToTensors, promptsToTensor } from "../lib/icrl/tf.ts";
import {
  groupedBars,
  heatmap,
  lineChart,
  matrixRows,
  readTable,
  scatterChart,
  toDataFrame,
  writeTable,
} from "../lib/report/mod.ts";
import pl from "nodejs-polars";

type ErrorClass = new (...args: never[]) => Error;
type Case = [label: string, fn: () => unknown, cls: ErrorClass, needle: string | RegExp];

function check(err: unknown, cls: ErrorClass, needle: string | RegExp): void {
  assert.ok(err !== undefined, "no error was thrown");
  assert.ok(
    err instanceof cls,
    `expected ${cls.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`,
  );
  const msg = (err as Error).message;
  if (typeof needle === "string") {
    assert.ok(msg.includes(needle), `message does not name ${JSON.stringify(needle)}: ${msg}`);
  } else assert.match(msg, needle);
}

// ---------------------------------------------------------------------------------------------
// fixtures (fresh, unvalidated copies so each row exercises the validator)

const NS = 3, NA = 2;
const baseMdp = randomMdp(new Rng(1), { nS: NS, nA: NA });
/** An unbranded copy of a valid MDP with `over` applied. */
function mdp(over: Partial<Record<keyof Mdp, unknown>> = {}): Mdp {
  return {
    nS: baseMdp.nS,
    nA: baseMdp.nA,
    gamma: baseMdp.gamma,
    P: Float64Array.from(baseMdp.P),
    R: Float64Array.from(baseMdp.R),
    p0: Float64Array.from(baseMdp.p0),
    ...over,
  } as Mdp;
}
function withEntry(a: Float64Array, i: number, v: number): Float64Array {
  const b = Float64Array.from(a);
  b[i] = v;
  return b;
}
const rowSum11 = (() => {
  const P = Float64Array.from(baseMdp.P);
  for (let k = 0; k < NS; k++) P[k] *= 1.1;
  return P;
})();
const feat = randomFeatures(new Rng(2), NS, NA, 4);
const sf = randomStateFeatures(new Rng(3), NS, 2);
const w4 = new Float64Array([0.1, -0.2, 0.3, 0.05]);
const w2 = new Float64Array([0.1, -0.2]);
const piU = uniformPolicy(NS, NA);
/** A valid trajectory of n = 4 on the 3-state MDP, as a fresh (never validated) object. */
function traj(over: Partial<Trajectory> = {}): Trajectory {
  return {
    n: 4,
    s: new Int32Array([0, 1, 2, 1, 0]),
    a: new Int32Array([1, 0, 1, 1, 0]),
    r: new Float64Array([0.5, -0.25, 0.1, 0.3]),
    ...over,
  };
}
const mdp7 = randomMdp(new Rng(4), { nS: 7, nA: NA });
const traj7 = rollout(mdp7, uniformPolicy(7, NA), 0, 4, new Rng(5));
const X = sarsaTokens(traj(), feat, 0.5); // n = 4, m = 9
const prompt = buildPrompt(X, 4, 9, w4); // D = 14
const params = sarsaConstruction(4, 0.2); // D = 14
const blocks = sarsaBlocks(4, 0.2);
const sc = restrictedScratch(9, 5, 4);
const SMALL = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 4, dPsi: 2, n: 4 };

const cases: Case[] = [
  // --- MDPs: validated once at every boundary that takes one
  ["policyReturn: γ = 1", () => policyReturn(mdp({ gamma: 1 }), piU), RangeError, "got 1"],
  ["valueIteration: γ = 1.5", () => valueIteration(mdp({ gamma: 1.5 })), RangeError, "got 1.5"],
  ["policyReturn: γ = NaN", () => policyReturn(mdp({ gamma: NaN }), piU), RangeError, "got NaN"],
  ["policyReturn: γ a string", () => policyReturn(mdp({ gamma: "0.5" }), piU), RangeError, '"0.5"'],
  [
    "policyReturn: P row sums to 1.1",
    () => policyReturn(mdp({ P: rowSum11 }), piU),
    RangeError,
    /P\(·\|s=0,a=0\) must sum to 1 .* sums to 1\.1/,
  ],
  [
    "policyReturn: p0 sums to 2",
    () => policyReturn(mdp({ p0: new Float64Array([1, 0.5, 0.5]) }), piU),
    RangeError,
    "mdp.p0 must sum to 1 (±1e-9), sums to 2",
  ],
  [
    "policyReturn: NaN reward",
    () => policyReturn(mdp({ R: withEntry(baseMdp.R, 5, NaN) }), piU),
    RangeError,
    "mdp.R[5] must be finite, got NaN",
  ],
  [
    "policyReturn: P too short",
    () => policyReturn(mdp({ P: baseMdp.P.slice(1) }), piU),
    RangeError,
    "mdp.P must have length 18, got length 17",
  ],
  [
    "valueIteration: negative transition probability",
    () => {
      const P = Float64Array.from(baseMdp.P);
      P[0] = -0.5;
      P[1] += 0.5 + baseMdp.P[0];
      return valueIteration(mdp({ P }));
    },
    RangeError,
    "got -0.5",
  ],
  ["rollout: |S| = 0", () => rollout(mdp({ nS: 0 }), piU, 0, 4, new Rng(0)), RangeError, "got 0"],
  [
    "sampleInitialState: p0 with a negative entry",
    () => sampleInitialState(mdp({ p0: new Float64Array([0.5, 1, -0.5]) }), new Rng(0)),
    RangeError,
    "got -0.5",
  ],
  [
    "expectedReward: infinite reward",
    () => expectedReward(mdp({ R: withEntry(baseMdp.R, 0, Infinity) })),
    RangeError,
    "mdp.R[0] must be finite, got Infinity",
  ],
  ["validateMdp: |A| = 1.5", () => validateMdp(mdp({ nA: 1.5 })), RangeError, "got 1.5"],
  ["validateMdp: null", () => validateMdp(null as unknown as Mdp), TypeError, "got null"],
  [
    "uniformReturn: NaN in p0",
    () => uniformReturn(mdp({ p0: new Float64Array([NaN, 0.5, 0.5]) })),
    RangeError,
    "got NaN",
  ],
  ["valueIteration: tol = -1", () => valueIteration(baseMdp, -1), RangeError, "got -1"],
  ["valueIteration: maxIter = 0", () => valueIteration(baseMdp, 1e-9, 0), RangeError, "got 0"],
  ["randomMdp: γ = 1", () => randomMdp(new Rng(0), { gamma: 1 }), RangeError, "got 1"],
  [
    "randomMdp: concentration 0",
    () => randomMdp(new Rng(0), { concentration: 0 }),
    RangeError,
    "got 0",
  ],
  ["randomMdp: |S| = 0", () => randomMdp(new Rng(0), { nS: 0 }), RangeError, "got 0"],
  [
    "policyReturn: policy row sums to 0.9",
    () => policyReturn(baseMdp, new Float64Array([0.5, 0.4, 0.5, 0.5, 0.5, 0.5])),
    RangeError,
    /pi\(·\|s=0\) must sum to 1 .* sums to 0\.9/,
  ],
  [
    "policyReturn: policy too short",
    () => policyReturn(baseMdp, [0.5, 0.5]),
    RangeError,
    "got length 2",
  ],
  // --- features
  ["randomFeatures: d = 0", () => randomFeatures(new Rng(0), 3, 2, 0), RangeError, "got 0"],
  ["lowRankFeatures: rank > d", () => lowRankFeatures(new Rng(0), 3, 2, 4, 5), RangeError, "got 5"],
  ["oneHotFeatures: |A| = -1", () => oneHotFeatures(3, -1), RangeError, "got -1"],
  [
    "validateFeatures: NaN in φ",
    () => validateFeatures({ ...feat, phi: withEntry(feat.phi, 3, NaN) }),
    RangeError,
    "features.phi[3] must be finite, got NaN",
  ],
  [
    "validateFeatures: φ too short",
    () => validateFeatures({ ...feat, phi: feat.phi.slice(2) }),
    RangeError,
    "got length 22",
  ],
  [
    "validateFeatures: features of a 7-state MDP",
    () => validateFeatures(feat, mdp7),
    RangeError,
    "|S|=7",
  ],
  ["qValues: |S| = 2.5", () => qValues({ ...feat, nS: 2.5 }, w4), RangeError, "got 2.5"],
  [
    "qValues: NaN in w",
    () => qValues(feat, [NaN, 0, 0, 0]),
    RangeError,
    "w[0] must be finite, got NaN",
  ],
  ["qValues: w too short", () => qValues(feat, w2), RangeError, "got length 2"],
  [
    "softmaxPolicy: NaN in λ is named λ",
    () => softmaxPolicy(feat, [0, NaN, 0, 0]),
    RangeError,
    "lambda[1] must be finite, got NaN",
  ],
  ["epsGreedyPolicy: ε = 1.5", () => epsGreedyPolicy(feat, w4, 1.5), RangeError, "got 1.5"],
  [
    "epsGreedyPolicy: out of the wrong length",
    () => epsGreedyPolicy(feat, w4, 0.1, new Float64Array(5)),
    RangeError,
    "got length 5",
  ],
  [
    "greedyActions: infinite w",
    () => greedyActions(feat, [0, 0, Infinity, 0]),
    RangeError,
    "got Infinity",
  ],
  ["uniformPolicy: |S| = 0", () => uniformPolicy(0, 2), RangeError, "got 0"],
  [
    "softmaxScore: state out of range",
    () => softmaxScore(feat, softmaxPolicy(feat, w4), 9, 0),
    RangeError,
    "got 9",
  ],
  [
    "softmaxScore: action -1",
    () => softmaxScore(feat, softmaxPolicy(feat, w4), 0, -1),
    RangeError,
    "got -1",
  ],
  [
    "softmaxScore: out too short",
    () => softmaxScore(feat, softmaxPolicy(feat, w4), 0, 0, new Float64Array(2)),
    RangeError,
    "got length 2",
  ],
  ["randomStateFeatures: d = 0", () => randomStateFeatures(new Rng(0), 3, 0), RangeError, "got 0"],
  [
    "validateStateFeatures: NaN in ψ",
    () => validateStateFeatures({ ...sf, psi: withEntry(sf.psi, 1, NaN) }),
    RangeError,
    "stateFeatures.psi[1] must be finite, got NaN",
  ],
  // --- trajectories meet features
  [
    "sarsaUpdate: trajectory of a 7-state MDP with 3-state features",
    () => sarsaUpdate(traj7, feat, w4, 0.5, 0.2),
    RangeError,
    "|S|=7",
  ],
  [
    "sarsaUpdate: traj.n disagrees with its arrays",
    () => sarsaUpdate(traj({ n: 5 }), feat, w4, 0.5, 0.2),
    RangeError,
    "traj.s must have length 6, got length 5",
  ],
  [
    "sarsaUpdate: NaN reward in the trajectory",
    () => sarsaUpdate(traj({ r: new Float64Array([0, 0, NaN, 0]) }), feat, w4, 0.5, 0.2),
    RangeError,
    "traj.r[2] must be finite, got NaN",
  ],
  [
    "sarsaUpdate: state out of range",
    () => sarsaUpdate(traj({ s: new Int32Array([0, 5, 2, 1, 0]) }), feat, w4, 0.5, 0.2),
    RangeError,
    "traj.s[1] must be an integer in [0, 2], got 5",
  ],
  [
    "sarsaUpdate: action -1",
    () => sarsaUpdate(traj({ a: new Int32Array([0, -1, 0, 0, 0]) }), feat, w4, 0.5, 0.2),
    RangeError,
    "traj.a[1] must be an integer in [0, 1], got -1",
  ],
  [
    "sarsaUpdate: w too short",
    () => sarsaUpdate(traj(), feat, w2, 0.5, 0.2),
    RangeError,
    "got length 2",
  ],
  ["sarsaUpdate: γ = 1", () => sarsaUpdate(traj(), feat, w4, 1, 0.2), RangeError, "got 1"],
  ["sarsaUpdate: α = NaN", () => sarsaUpdate(traj(), feat, w4, 0.5, NaN), RangeError, "got NaN"],
  [
    "sarsaUpdate: φ shorter than |S|·|A|·d",
    () => sarsaUpdate(traj(), { ...feat, phi: feat.phi.slice(4) }, w4, 0.5, 0.2),
    RangeError,
    "features.phi must have length 24, got length 20",
  ],
  [
    "sarsaUpdate: trajectory is null",
    () => sarsaUpdate(null as unknown as Trajectory, feat, w4, 0.5, 0.2),
    TypeError,
    "got null",
  ],
  [
    "td0Update: state out of range for ψ",
    () => td0Update(traj({ s: new Int32Array([0, 1, 3, 1, 0]) }), sf, w2, 0.5, 0.2),
    RangeError,
    "got 3",
  ],
  [
    "td0Update: NaN in w",
    () => td0Update(traj(), sf, [NaN, 0], 0.5, 0.2),
    RangeError,
    "w[0] must be finite, got NaN",
  ],
  [
    "actorCriticUpdate: features and ψ of different |S|",
    () =>
      actorCriticUpdate(traj(), feat, randomStateFeatures(new Rng(0), 4, 2), w2, w4, 0.5, 0.2, 0.2),
    RangeError,
    "|S|=4",
  ],
  [
    "actorCriticUpdate: NaN in λ",
    () => actorCriticUpdate(traj(), feat, sf, w2, [0, NaN, 0, 0], 0.5, 0.2, 0.2),
    RangeError,
    "lambda[1] must be finite, got NaN",
  ],
  [
    "actorCriticUpdate: β = Infinity",
    () => actorCriticUpdate(traj(), feat, sf, w2, w4, 0.5, 0.2, Infinity),
    RangeError,
    "got Infinity",
  ],
  [
    "sarsaTokens: traj.n = 0",
    () => sarsaTokens(traj({ n: 0 }), feat, 0.5),
    RangeError,
    "traj.n must be an integer in [1, Infinity], got 0",
  ],
  ["sarsaTokens: γ = -0.1", () => sarsaTokens(traj(), feat, -0.1), RangeError, "got -0.1"],
  ["td0Tokens: trajectory of a 7-state MDP", () => td0Tokens(traj7, sf, 0.5), RangeError, "|S|=7"],
  ["acTokens: λ too short", () => acTokens(traj(), feat, sf, w2, 0.5), RangeError, "got length 2"],
  ["emptyTrajectory: n = 0", () => emptyTrajectory(0), RangeError, "got 0"],
  [
    "rollout: policy row does not sum to 1",
    () => rollout(baseMdp, new Float64Array([0.6, 0.6, 0.5, 0.5, 0.5, 0.5]), 0, 4, new Rng(0)),
    RangeError,
    /pi\(·\|s=0\) must sum to 1 .* sums to 1\.2/,
  ],
  ["rollout: s0 out of range", () => rollout(baseMdp, piU, 3, 4, new Rng(0)), RangeError, "got 3"],
  ["rollout: n = 2.5", () => rollout(baseMdp, piU, 0, 2.5, new Rng(0)), RangeError, "got 2.5"],
  [
    "rollout: rng is not an Rng",
    () => rollout(baseMdp, piU, 0, 4, {} as unknown as Rng),
    TypeError,
    "rng must be an Rng (lib/core/rng.ts), got {}",
  ],
  [
    "rollout: out buffer of another n",
    () => rollout(baseMdp, piU, 0, 5, new Rng(0), emptyTrajectory(4)),
    RangeError,
    "out.n = 4",
  ],
  [
    "rollout: policy table too short",
    () => rollout(baseMdp, new Float64Array(4), 0, 4, new Rng(0)),
    RangeError,
    "Float64Array(4)",
  ],
  [
    "validateTrajectory: fractional state",
    () => validateTrajectory(traj({ s: [0, 1.5, 2, 1, 0] as unknown as Int32Array }), 3, 2),
    RangeError,
    "got 1.5",
  ],
  // --- prompts and readouts
  ["buildPrompt: n = 0", () => buildPrompt(X, 0, 9, w4), RangeError, "got 0"],
  [
    "buildPrompt: NaN token",
    () => buildPrompt(withEntry(X, 0, NaN), 4, 9, w4),
    RangeError,
    "tokens[0] must be finite, got NaN",
  ],
  ["buildPrompt: empty θ", () => buildPrompt(X, 4, 9, []), RangeError, "got length 0"],
  [
    "buildPrompt: infinite θ",
    () => buildPrompt(X, 4, 9, [0, Infinity]),
    RangeError,
    "theta[1] must be finite, got Infinity",
  ],
  [
    "buildPrompt: tokens too short",
    () => buildPrompt(X.slice(1), 4, 9, w4),
    RangeError,
    "got length 35",
  ],
  [
    "validatePrompt: m + p ≠ D",
    () => validatePrompt({ ...prompt, D: 15 }),
    RangeError,
    "got m=9, p=5, D=15",
  ],
  [
    "lsaReadout: prompt n = 0",
    () => lsaReadout(params, { ...prompt, n: 0 }),
    RangeError,
    "prompt.n must be an integer in [1, Infinity], got 0",
  ],
  [
    "lsaReadout: m = D (p = 0)",
    () => lsaReadout(params, { ...prompt, m: 14, p: 0 }),
    RangeError,
    "prompt.p must be an integer in [2, Infinity], got 0",
  ],
  [
    "lsaReadout: NaN in H",
    () => lsaReadout(params, { ...prompt, H: withEntry(prompt.H, 2, NaN) }),
    RangeError,
    "prompt.H[2] must be finite, got NaN",
  ],
  [
    "lsaReadout: prompt D disagrees with params",
    () => lsaReadout(sarsaConstruction(5, 0.2), prompt),
    RangeError,
    "prompt has D=14 rows but params are 17×17",
  ],
  [
    "lsaReadout: NaN in P",
    () => lsaReadout({ ...params, P: withEntry(params.P, 4, NaN) }, prompt),
    RangeError,
    "params.P[4] must be finite, got NaN",
  ],
  [
    "lsaReadout: V too short",
    () => lsaReadout({ ...params, V: params.V.slice(1) }, prompt),
    RangeError,
    "params.V must have length 196, got length 195",
  ],
  ["validateLsaParams: null", () => validateLsaParams(null as never), TypeError, "got null"],
  [
    "buildSarsaPrompt: w too short",
    () => buildSarsaPrompt(traj(), feat, 0.5, w2),
    RangeError,
    "got length 2",
  ],
  [
    "buildTd0Prompt: NaN in w",
    () => buildTd0Prompt(traj(), sf, 0.5, [0, NaN]),
    RangeError,
    "w[1] must be finite, got NaN",
  ],
  [
    "buildAcPrompt: λ too short",
    () => buildAcPrompt(traj(), feat, sf, 0.5, w2, w2),
    RangeError,
    "lambda must have length 4, got length 2",
  ],
  ["promptsToTensor: no prompts", () => promptsToTensor([]), RangeError, "got length 0"],
  [
    "promptsToTensor: inconsistent prompt",
    () => promptsToTensor([{ ...prompt, p: 4 }]),
    RangeError,
    "got m=9, p=4, D=14",
  ],
  [
    "paramsToTensors: NaN in V",
    () => paramsToTensors({ ...params, V: withEntry(params.V, 7, NaN) }),
    RangeError,
    "params.V[7] must be finite, got NaN",
  ],
  // --- constructions, blocks, gradients
  ["sarsaBlocks: c = 0", () => sarsaBlocks(4, 0.2, 0), RangeError, "got 0"],
  [
    "sarsaBlocks: c = 1e-320 names c",
    () => sarsaBlocks(4, 0.2, 1e-320),
    RangeError,
    "c = 1e-320 is too small",
  ],
  ["sarsaBlocks: d = 0", () => sarsaBlocks(0, 0.2), RangeError, "got 0"],
  ["sarsaBlocks: α = NaN", () => sarsaBlocks(4, NaN), RangeError, "got NaN"],
  ["acBlocks: β = Infinity", () => acBlocks(2, 4, 0.2, Infinity), RangeError, "got Infinity"],
  ["acConstruction: c = NaN", () => acConstruction(2, 4, 0.2, 0.2, NaN), RangeError, "got NaN"],
  ["td0Construction: d_ψ = -1", () => td0Construction(-1, 0.2), RangeError, "got -1"],
  [
    "blocksToParams: NaN in P12",
    () => blocksToParams({ ...blocks, P12: withEntry(blocks.P12, 0, NaN) }),
    RangeError,
    "blocks.P12[0] must be finite, got NaN",
  ],
  [
    "blocksToParams: p = 1",
    () => blocksToParams({ ...blocks, p: 1 }),
    RangeError,
    "blocks.p must be an integer in [2, Infinity], got 1",
  ],
  ["paramsToBlocks: m too large", () => paramsToBlocks(params, 13), RangeError, "got 13"],
  ["restrictedScratch: p = 1", () => restrictedScratch(9, 1, 4), RangeError, "got 1"],
  [
    "restrictedReadout: NaN token",
    () => restrictedReadout(blocks, withEntry(X, 0, NaN), 4, w4, sc),
    RangeError,
    "X[0] must be finite, got NaN",
  ],
  [
    "restrictedReadout: θ too short",
    () => restrictedReadout(blocks, X, 4, w2, sc),
    RangeError,
    "theta must have length 4, got length 2",
  ],
  ["restrictedReadout: n = 0", () => restrictedReadout(blocks, X, 0, w4, sc), RangeError, "got 0"],
  [
    "restrictedReadout: scratch for other sizes",
    () => restrictedReadout(blocks, X, 4, w4, restrictedScratch(9, 6, 4)),
    RangeError,
    "scratch does not fit m=9, p=5, n=4",
  ],
  [
    "restrictedLossGrad: NaN target",
    () =>
      restrictedLossGrad(
        blocks,
        X,
        4,
        w4,
        [NaN, 0, 0, 0],
        new Float64Array(45),
        new Float64Array(36),
        1,
        sc,
      ),
    RangeError,
    "target[0] must be finite, got NaN",
  ],
  [
    "restrictedLossGrad: gradient buffer too short",
    () =>
      restrictedLossGrad(blocks, X, 4, w4, w4, new Float64Array(4), new Float64Array(36), 1, sc),
    RangeError,
    "gP12 must have length 45, got length 4",
  ],
  [
    "restrictedLossGrad: scale NaN",
    () =>
      restrictedLossGrad(blocks, X, 4, w4, w4, new Float64Array(45), new Float64Array(36), NaN, sc),
    RangeError,
    "got NaN",
  ],
  [
    "fullLossGrad: NaN in H",
    () =>
      fullLossGrad(
        params,
        withEntry(prompt.H, 3, NaN),
        4,
        9,
        w4,
        new Float64Array(196),
        new Float64Array(196),
        1,
      ),
    RangeError,
    "H[3] must be finite, got NaN",
  ],
  [
    "fullLossGrad: m too large",
    () =>
      fullLossGrad(params, prompt.H, 4, 13, w4, new Float64Array(196), new Float64Array(196), 1),
    RangeError,
    "got 13",
  ],
  [
    "fullLossGrad: target too short",
    () => fullLossGrad(params, prompt.H, 4, 9, w2, new Float64Array(196), new Float64Array(196), 1),
    RangeError,
    "target must have length 4, got length 2",
  ],
  [
    "manifoldStats: zero reference blocks",
    () => manifoldStats(blocks, { ...blocks, P12: new Float64Array(45) }),
    RangeError,
    "‖P12‖² = 0",
  ],
  [
    "manifoldStats: NaN in the blocks",
    () => manifoldStats({ ...blocks, V21bar: withEntry(blocks.V21bar, 2, NaN) }, blocks),
    RangeError,
    "blocks.V21bar[2] must be finite, got NaN",
  ],
  // --- task specs and training configs
  [
    "trainConfig: typo lR",
    () => trainConfig({ lR: 1e-3 } as never),
    RangeError,
    'unknown key "lR" (did you mean "lr"?)',
  ],
  [
    "trainConfig: initGain 0",
    () => trainConfig({ initGain: 0 }),
    RangeError,
    "initGain must be a finite number in (0, Infinity], got 0",
  ],
  [
    "trainConfig: lrDecay 0",
    () => trainConfig({ lrDecay: 0 }),
    RangeError,
    "lrDecay must be a finite number in (0, 1], got 0",
  ],
  ["trainConfig: lrDecay 1.5", () => trainConfig({ lrDecay: 1.5 }), RangeError, "got 1.5"],
  [
    "trainConfig: task typo gama",
    () => trainConfig({ task: { gama: 0.5 } as never }),
    RangeError,
    'unknown key "gama" (did you mean "gamma"?)',
  ],
  ["trainConfig: K = -1", () => trainConfig({ K: -1 }), RangeError, "got -1"],
  ["trainConfig: lr a string", () => trainConfig({ lr: "abc" as never }), RangeError, '"abc"'],
  ["trainConfig: batch > K", () => trainConfig({ K: 4, batch: 8 }), RangeError, "got 8"],
  [
    "trainConfig: optimizer sgd",
    () => trainConfig({ optimizer: "sgd" as never }),
    RangeError,
    '"sgd"',
  ],
  ["trainConfig: engine gpu", () => trainConfig({ engine: "gpu" as never }), RangeError, '"gpu"'],
  ["trainConfig: divergeLoss 0", () => trainConfig({ divergeLoss: 0 }), RangeError, "got 0"],
  ["trainConfig: seed -1", () => trainConfig({ seed: -1 }), RangeError, "got -1"],
  ["trainConfig: seed 1.5", () => trainConfig({ seed: 1.5 }), RangeError, "got 1.5"],
  ["trainConfig: logEvery 0", () => trainConfig({ logEvery: 0 }), RangeError, "got 0"],
  ["trainConfig: lr NaN", () => trainConfig({ lr: NaN }), RangeError, "got NaN"],
  [
    "trainConfig: task kind q",
    () => trainConfig({ task: { kind: "q" as never } }),
    RangeError,
    '"q"',
  ],
  [
    "trainConfig: task |S| = 0",
    () => trainConfig({ task: { nS: 0 } }),
    RangeError,
    "task.nS must be an integer in [1, Infinity], got 0",
  ],
  ["trainConfig: task ε = 2", () => trainConfig({ task: { eps: 2 } }), RangeError, "got 2"],
  ["trainConfig: task α = -1", () => trainConfig({ task: { alpha: -1 } }), RangeError, "got -1"],
  [
    "trainConfig: task γ = 1",
    () => trainConfig({ task: { gamma: 1 } }),
    RangeError,
    "task.gamma must be a finite number in [0, 0.999999], got 1",
  ],
  ["trainConfig: null", () => trainConfig(null as never), TypeError, "got null"],
  ["trainConfig: task is a number", () => trainConfig({ task: 5 as never }), TypeError, "got 5"],
  [
    "validateTask: missing task",
    () => validateTask(undefined as never),
    TypeError,
    "got undefined",
  ],
  ["taskDims: kind x", () => taskDims({ ...DEFAULT_TASK, kind: "x" as never }), RangeError, '"x"'],
  [
    "newTaskEnv: n = 0",
    () => newTaskEnv({ ...SMALL, n: 0 }, new Rng(0)),
    RangeError,
    "task.n must be an integer in [1, Infinity], got 0",
  ],
  [
    "taskStep: X of the wrong length",
    () => taskStep(SMALL, newTaskEnv(SMALL, new Rng(0)), new Float64Array(5), new Float64Array(4)),
    RangeError,
    "got length 5",
  ],
  [
    "taskStep: env of another task",
    () =>
      taskStep(
        { ...SMALL, d: 5 },
        newTaskEnv(SMALL, new Rng(0)),
        new Float64Array(44),
        new Float64Array(5),
      ),
    RangeError,
    "features 3×2×4",
  ],
  [
    "taskAdvance: NaN in the next θ",
    () => taskAdvance(newTaskEnv(SMALL, new Rng(0)), [NaN, 0, 0, 0]),
    RangeError,
    "next[0] must be finite, got NaN",
  ],
  ["taskConstruction: c = 0", () => taskConstruction(SMALL, 0), RangeError, "got 0"],
  // --- transfer configs and learners
  [
    "transferConfig: typo numMDPs",
    () => transferConfig({ numMDPs: 5 } as never),
    RangeError,
    'unknown key "numMDPs" (did you mean "numMdps"?)',
  ],
  ["transferConfig: numMdps 0", () => transferConfig({ numMdps: 0 }), RangeError, "got 0"],
  [
    "transferConfig: recordAt past updates",
    () => transferConfig({ updates: 400, recordAt: [0, 500] }),
    RangeError,
    "got 500",
  ],
  [
    "transferConfig: recordAt not increasing",
    () => transferConfig({ updates: 10, recordAt: [0, 5, 5] }),
    RangeError,
    "recordAt[2] = 5",
  ],
  [
    "transferConfig: rolloutStreams x",
    () => transferConfig({ rolloutStreams: "x" as never }),
    RangeError,
    '"x"',
  ],
  [
    "transferConfig: empty streamLabel",
    () => transferConfig({ streamLabel: "" }),
    RangeError,
    '""',
  ],
  [
    "transferConfig: no training seeds",
    () => transferConfig({ training: { seeds: [], K: 1 } }),
    RangeError,
    "training.seeds",
  ],
  [
    "transferConfig: training K = 0",
    () => transferConfig({ training: { seeds: [0], K: 0 } }),
    RangeError,
    "training.K must be an integer in [1, Infinity], got 0",
  ],
  ["transferConfig: task n = 0", () => transferConfig({ task: { n: 0 } }), RangeError, "got 0"],
  [
    "transferConfig: training typo",
    () => transferConfig({ training: { seeds: [0], k: 4 } as never }),
    RangeError,
    'unknown key "k" (did you mean "K"?)',
  ],
  ["recordGrid: every 0", () => recordGrid(10, 0), RangeError, "got 0"],
  [
    "blockLearner: NaN in P12",
    () =>
      blockLearner("b", {
        task: SMALL,
        param: "restricted",
        blocks: { ...blocks, P12: withEntry(blocks.P12, 1, NaN) },
      }),
    RangeError,
    "P12[1] must be finite, got NaN",
  ],
  ["constructedLearner: c = 0", () => constructedLearner(SMALL, "c", 0), RangeError, "got 0"],
  // --- linear algebra, statistics, optimisers
  [
    "solve: NaN in A",
    () => solve(new Float64Array([1, NaN, 0, 1]), new Float64Array(2), 2),
    RangeError,
    "A[1] must be finite, got NaN",
  ],
  [
    "solve: infinite b",
    () => solve(new Float64Array([1, 0, 0, 1]), new Float64Array([0, Infinity]), 2),
    RangeError,
    "b[1] must be finite, got Infinity",
  ],
  [
    "matmul: NaN in A",
    () => matmul(new Float64Array([NaN]), new Float64Array([1]), 1, 1, 1),
    RangeError,
    "A[0] must be finite, got NaN",
  ],
  ["transpose: m = 0", () => transpose(new Float64Array(0), 0, 2), RangeError, "got 0"],
  ["maxAbs: NaN", () => maxAbs([1, NaN]), RangeError, "a[1] must be finite, got NaN"],

  ["meanCI: empty", () => meanCI([]), RangeError, "empty array"],
  ["meanCI: NaN value", () => meanCI([1, NaN]), RangeError, "values[1] must be finite, got NaN"],
  ["fitExponentialRate: y ≤ 0", () => fitExponentialRate([0, 1], [1, -1]), RangeError, "got -1"],
  [
    "fitExponentialRate: NaN x",
    () => fitExponentialRate([0, NaN], [1, 1]),
    RangeError,
    "x[1] must be finite, got NaN",
  ],
  ["tQuantile975: df = 0.5", () => tQuantile975(0.5), RangeError, "got 0.5"],
  [
    "aggregateBands: NaN x",
    () => aggregateBands([{ x: NaN, y: 1 }], { x: "x", y: "y" }),
    RangeError,
    "got NaN",
  ],
  ["adam: size 0", () => adam(0), RangeError, "got 0"],
  ["adam: ε = 0", () => adam(3, 0.9, 0.999, 0), RangeError, "got 0"],
  [
    "adam step: lr = NaN",
    () => adam(2).step(new Float64Array(2), new Float64Array(2), NaN),
    RangeError,
    "lr must be a finite number in [0, Infinity], got NaN",
  ],
  [
    "gradientDescent step: grad of another length",
    () => gradientDescent().step(new Float64Array(2), new Float64Array(3), 0.1),
    RangeError,
    "got 2 and 3",
  ],
  // --- random numbers
  ["Rng: seed NaN", () => new Rng(NaN), RangeError, "got NaN"],
  ["Rng: seed -1", () => new Rng(-1), RangeError, "got -1"],
  ["Rng.int: n = 0", () => new Rng(0).int(0), RangeError, "got 0"],
  [
    "Rng.uniformIn: hi NaN",
    () => new Rng(0).uniformIn(1, NaN),
    RangeError,
    "hi must be a finite number in [1, Infinity], got NaN",
  ],
  [
    "Rng.fillUniform: lo > hi",
    () => new Rng(0).fillUniform(new Float64Array(2), 1, 0),
    RangeError,
    "got 0",
  ],
  ["Rng.dirichlet: α = 0", () => new Rng(0).dirichlet(0, 3), RangeError, "got 0"],
  [
    "Rng.categorical: NaN probability",
    () => new Rng(0).categorical([0.5, NaN]),
    RangeError,
    "got NaN",
  ],
  ["Rng.gamma: shape -1", () => new Rng(0).gamma(-1), RangeError, "got -1"],
  [
    "Rng.fromRawState: all zero",
    () => Rng.fromRawState([0, 0, 0, 0]),
    RangeError,
    "got [0, 0, 0, 0]",
  ],
  // --- tables and charts
  [
    "toDataFrame: NaN",
    () => toDataFrame([{ x: 1 }, { x: NaN }]),
    RangeError,
    "rows[1].x = NaN is not finite",
  ],
  [
    "toDataFrame: Infinity",
    () => toDataFrame([{ x: Infinity }]),
    RangeError,
    "rows[0].x = Infinity",
  ],
  [
    "toDataFrame: -Infinity",
    () => toDataFrame([{ y: -Infinity }]),
    RangeError,
    "rows[0].y = -Infinity",
  ],
  [
    "toDataFrame: DataFrame holding NaN",
    () => toDataFrame(pl.DataFrame({ v: [1.5, NaN] })),
    RangeError,
    'row 2, column "v": value NaN is not finite',
  ],
  [
    "lineChart: NaN y",
    () =>
      lineChart({ rows: [{ x: 1, y: NaN }], x: "x", y: "y", title: "t", xTitle: "x", yTitle: "y" }),
    RangeError,
    "rows[0].y must be a finite number, got NaN",
  ],
  [
    "lineChart: infinite y",
    () =>
      lineChart({
        rows: [{ x: 1, y: Infinity }],
        x: "x",
        y: "y",
        title: "t",
        xTitle: "x",
        yTitle: "y",
      }),
    RangeError,
    "got Infinity",
  ],
  [
    "scatterChart: missing x",
    () => scatterChart({ rows: [{ y: 1 }], x: "x", y: "y", title: "t", xTitle: "x", yTitle: "y" }),
    RangeError,
    "got undefined",
  ],
  ["matrixRows: NaN entry", () => matrixRows("P", [1, NaN], 1, 2), RangeError, "is NaN"],
  [
    "heatmap: -Infinity value",
    () => heatmap({ rows: [{ c: 0, r: 0, v: -Infinity }], x: "c", y: "r", value: "v", title: "t" }),
    RangeError,
    "got -Infinity",
  ],
  [
    "groupedBars: NaN value",
    () =>
      groupedBars({ rows: [{ x: "a", y: NaN, g: "k" }], x: "x", y: "y", group: "g", title: "t" }),
    RangeError,
    "got NaN",
  ],
];

for (const [label, fn, cls, needle] of cases) {
  Deno.test(`bad input: ${label}`, () => {
    let err: unknown;
    let out: unknown;
    try {
      out = fn();
    } catch (e) {
      err = e;
    }
    assert.equal(out, undefined, `returned ${String(out)} instead of throwing`);
    check(err, cls, needle);
  });
}

// ---------------------------------------------------------------------------------------------
// files: loadModel, readTable, writeTable (async, each in its own temp dir)

type FileCase = [
  label: string,
  fn: (dir: string) => Promise<unknown>,
  cls: ErrorClass,
  needle: (dir: string) => string | RegExp,
];

const trained = await trainTeacherMimic(
  trainConfig({ task: SMALL, K: 2, T: 2, batch: 2, seed: 3 }),
);
const savedJson = await (async () => {
  const dir = await Deno.makeTempDir();
  await saveModel(`${dir}/m.json`, trained);
  const j = JSON.parse(await Deno.readTextFile(`${dir}/m.json`));
  await Deno.remove(dir, { recursive: true });
  return j;
})();
/** Write the saved model with `edit` applied to `dir/bad.json` and load it. */
async function loadEdited(dir: string, edit: (j: Record<string, unknown>) => unknown) {
  const j = structuredClone(savedJson);
  const r = edit(j);
  const out = Array.isArray(r) ? r : j; // an edit may replace the whole file body by an array
  await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(out));
  return await loadModel(`${dir}/bad.json`);
}
const file = (dir: string) => `${dir}/bad.json`;
/** Write raw CSV text and read it back. */
async function readCsv(dir: string, text: string, opts = {}) {
  await Deno.writeTextFile(`${dir}/t.csv`, text);
  return readTable(`${dir}/t.csv`, opts);
}

const fileCases: FileCase[] = [
  [
    "loadModel: config.K = -1",
    (d) => loadEdited(d, (j) => ((j.config as Record<string, unknown>).K = -1)),
    RangeError,
    (d) => new RegExp(`${file(d)}: field config: K .* got -1`),
  ],
  [
    "loadModel: config.lr a string",
    (d) => loadEdited(d, (j) => ((j.config as Record<string, unknown>).lr = "abc")),
    RangeError,
    (d) => new RegExp(`${file(d)}: field config: lr .* got "abc"`),
  ],
  [
    "loadModel: summary = 5",
    (d) => loadEdited(d, (j) => (j.summary = 5)),
    TypeError,
    (d) => `${file(d)}: field summary: summary must be an object, got 5`,
  ],
  [
    "loadModel: task missing",
    (d) => loadEdited(d, (j) => (delete j.task, j)),
    TypeError,
    (d) => `${file(d)}: field task: task must be an object, got undefined`,
  ],
  [
    "loadModel: unknown config key",
    (d) => loadEdited(d, (j) => ((j.config as Record<string, unknown>).lR = 1)),
    RangeError,
    () => 'unknown key "lR" (did you mean "lr"?)',
  ],
  [
    "loadModel: config.task differs from task",
    (d) =>
      loadEdited(
        d,
        (
          j,
        ) => (((j.config as Record<string, unknown>).task as Record<string, unknown>).alpha = 0.3),
      ),
    RangeError,
    () => '"alpha":0.3',
  ],
  [
    "loadModel: config.initGain 0",
    (d) => loadEdited(d, (j) => ((j.config as Record<string, unknown>).initGain = 0)),
    RangeError,
    () => "initGain must be a finite number in (0, Infinity], got 0",
  ],
  [
    "loadModel: file is a JSON array",
    (d) => loadEdited(d, () => [1, 2]),
    Error,
    (d) => `${file(d)}: expected a JSON object, got [1,2]`,
  ],
  [
    "loadModel: summary.wallTimeSec negative",
    (d) => loadEdited(d, (j) => ((j.summary as Record<string, unknown>).wallTimeSec = -1)),
    RangeError,
    () => "summary.wallTimeSec must be a finite number in [0, Infinity], got -1",
  ],
  [
    "loadModel: finalMetrics.loss a string",
    (d) =>
      loadEdited(
        d,
        (
          j,
        ) => (((j.summary as Record<string, unknown>).finalMetrics as Record<string, unknown>)
          .loss = "x"),
      ),
    RangeError,
    () => 'summary.finalMetrics.loss must be a finite number in [-Infinity, Infinity], got "x"',
  ],
  [
    "loadModel: param half",
    (d) => loadEdited(d, (j) => (j.param = "half")),
    RangeError,
    () => '"half"',
  ],
  [
    "loadModel: m disagrees with the task",
    (d) => loadEdited(d, (j) => (j.m = 3)),
    RangeError,
    (d) => `${file(d)}: m=3, p=5 do not match the task (m=9, p=5)`,
  ],
  [
    "loadModel: V21bar entry a string",
    (d) => loadEdited(d, (j) => ((j.V21bar as unknown[])[0] = "Infinity")),
    RangeError,
    () => 'V21bar[0] must be finite, got "Infinity"',
  ],
  [
    "trainTeacherMimic: unknown key",
    () => trainTeacherMimic({ ...DEFAULT_TRAIN, lR: 1 } as never),
    RangeError,
    () => 'unknown key "lR"',
  ],
  ["trainMany: no configs", () => trainMany([]), RangeError, () => "got []"],
  [
    "trainMany: a bad config is named by index",
    () => trainMany([trainConfig({ K: 2, batch: 2 }), { ...DEFAULT_TRAIN, K: 0 }]),
    RangeError,
    () => "configs[1]: K must be an integer in [1, Infinity], got 0",
  ],
  [
    "readTable: ragged CSV (short row)",
    (d) => readCsv(d, "a,b,c\n1,2,3\n4,5\n"),
    RangeError,
    (d) => `${d}/t.csv row 2 has 2 fields but the header has 3: column "c" is missing`,
  ],
  [
    "readTable: ragged CSV (extra field)",
    (d) => readCsv(d, "a,b\n1,2,3\n"),
    RangeError,
    (d) => `${d}/t.csv row 1 has 3 fields but the header has 2: extra field "3"`,
  ],
  [
    "readTable: NaN in a non-nullable column",
    (d) => readCsv(d, "a,b\n1,2\n3,NaN\n"),
    RangeError,
    (d) => `${d}/t.csv row 2, column "b": value NaN is not finite`,
  ],
  [
    "readTable: inf in a non-nullable column",
    (d) => readCsv(d, "a,b\n1,-inf\n"),
    RangeError,
    () => 'row 1, column "b": value -inf is not finite',
  ],
  [
    "readTable: wrong type in a declared number column",
    (d) => readCsv(d, "a,b\n1,2\nabc,3\n", { columns: { a: "number" } }),
    TypeError,
    (d) => `${d}/t.csv row 2, column "a": expected a number, got "abc"`,
  ],
  [
    "readTable: wrong type in a declared boolean column",
    (d) => readCsv(d, "ok\ntrue\nyes\n", { columns: { ok: "boolean" } }),
    TypeError,
    () => 'row 2, column "ok": expected a boolean, got "yes"',
  ],
  [
    "readTable: declared column missing",
    (d) => readCsv(d, "a\n1\n", { columns: { b: "number" } }),
    RangeError,
    () => 'has no column "b"',
  ],
  [
    "readTable: Parquet column of the wrong type",
    (d) => {
      writeTable([{ a: "x" }, { a: "y" }], `${d}/p`, { format: "parquet" });
      return Promise.resolve(readTable(`${d}/p.parquet`, { columns: { a: "number" } }));
    },
    TypeError,
    (d) => `${d}/p.parquet column "a": expected number values, got DataType(String) (row 1: "x")`,
  ],
  [
    "readTable: Parquet holding NaN",
    (d) => {
      writeTable(pl.DataFrame({ v: [1.5, 2.5] }), `${d}/q`, { format: "parquet" });
      pl.DataFrame({ v: [1.5, NaN] }).writeParquet(`${d}/q.parquet`);
      return Promise.resolve(readTable(`${d}/q.parquet`));
    },
    RangeError,
    (d) => `${d}/q.parquet: row 2, column "v": value NaN is not finite`,
  ],
  [
    "writeTable: NaN is refused and no file is written",
    (d) => Promise.resolve(writeTable([{ J: 0.5 }, { J: NaN }], `${d}/w`)),
    RangeError,
    () => "rows[1].J = NaN is not finite",
  ],
];

for (const [label, fn, cls, needle] of fileCases) {
  Deno.test(`bad input: ${label}`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      let err: unknown;
      let out: unknown;
      try {
        out = await fn(dir);
      } catch (e) {
        err = e;
      }
      assert.equal(out, undefined, `returned a value instead of throwing`);
      check(err, cls, needle(dir));
      if (label.startsWith("writeTable")) {
        assert.deepEqual([...Deno.readDirSync(dir)], [], "no file was written");
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("bad-input table covers at least 150 cases", () => {
  assert.ok(cases.length + fileCases.length >= 150, `${cases.length + fileCases.length} cases`);
});

Deno.test("validated objects are accepted in O(1) and keep their values", () => {
  const m = mdp();
  assert.equal(validateMdp(m), m);
  assert.equal(validateMdp(m), m, "second call hits the cache");
  const J1 = policyReturn(m, piU), J2 = policyReturn(baseMdp, piU);
  assert.equal(J1, J2, "a validated copy gives the same number as the original");
});
