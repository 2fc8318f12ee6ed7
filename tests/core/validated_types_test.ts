// Tests of the validated-type machinery (lib/core/validate.ts brands and helpers) and of the checks that
// still guard outputs after a validated object was mutated (issue 12).
import assert from "node:assert/strict";
import {
  assertIndexArray,
  assertKnownKeys,
  assertObject,
  assertOneOf,
  assertPositive,
  closestKey,
  isValid,
  markValid,
  showValue,
} from "../../lib/core/validate.ts";
import { lsaReadoutLiteral } from "../icrl/lsa_reference.ts";
import {
  blocksToParams,
  buildPrompt,
  DEFAULT_TASK,
  epsGreedyPolicy,
  loadModel,
  lsaReadout,
  NonFiniteLossError,
  policyReturn,
  randomFeatures,
  randomMdp,
  restrictedLossGrad,
  restrictedScratch,
  Rng,
  rollout,
  sampleInitialState,
  sarsaBlocks,
  sarsaConstruction,
  sarsaTokens,
  sarsaUpdate,
  saveModel,
  trainConfig,
  trainTeacherMimic,
  uniformPolicy,
  validateBlocks,
  validateLsaParams,
  validateMdp,
  validatePrompt,
  validateTrainConfig,
  validateTrajectory,
} from "../../lib/mod.ts";
import { readTable, toRows, writeTable } from "../../lib/report/mod.ts";

Deno.test("showValue never prints a non-finite number as null", () => {
  assert.equal(showValue(NaN), "NaN");
  assert.equal(showValue(-Infinity), "-Infinity");
  assert.equal(showValue(-0), "0");
  assert.equal(showValue(undefined), "undefined");
  assert.equal(showValue(null), "null");
  assert.equal(showValue("abc"), '"abc"');
  assert.equal(showValue([1, NaN]), '[1,"NaN"]');
  assert.equal(showValue(new Float64Array(3)), "Float64Array(3)");
  assert.equal(showValue({ a: 1 }), '{"a":1}');
  assert.ok(showValue("x".repeat(100)).endsWith('..."'), "long strings are cut");
});

Deno.test("closestKey picks the smallest case-insensitive edit distance", () => {
  assert.equal(closestKey("lR", ["lr", "lrDecay", "K"]), "lr");
  assert.equal(closestKey("lrDecy", ["lr", "lrDecay", "K"]), "lrDecay");
  assert.equal(closestKey("numMDPs", ["numMdps", "updates"]), "numMdps");
  assert.equal(closestKey("x", []), undefined);
});

Deno.test("assertKnownKeys / assertOneOf / assertPositive / assertObject accept valid values", () => {
  assertKnownKeys("cfg", { lr: 1, K: 2 }, ["lr", "K"]);
  assert.throws(() => assertKnownKeys("cfg", { lr: 1, kk: 2 }, ["lr", "K"]), {
    name: "RangeError",
    message: /cfg: unknown key "kk" \(did you mean "K"\?\); valid keys: lr, K/,
  });
  assertOneOf("param", "full", ["restricted", "full"]);
  assert.throws(() => assertOneOf("param", 3, ["restricted", "full"]), /got 3/);
  assertPositive("gain", 1e-300);
  assertPositive("decay", 1, 1);
  assert.throws(() => assertPositive("decay", 1.01, 1), /got 1\.01/);
  assert.throws(() => assertPositive("gain", -0), /got 0/);
  assertObject("o", {});
  assert.throws(() => assertObject("o", [1]), { name: "TypeError", message: /got \[1\]/ });
});

Deno.test("assertIndexArray checks length and range, naming the index", () => {
  assertIndexArray("s", new Int32Array([0, 2, 1]), 3, 3);
  assert.throws(
    () => assertIndexArray("s", [0, 3], 2, 3),
    /s\[1\] must be an integer in \[0, 2\], got 3/,
  );
  assert.throws(() => assertIndexArray("s", [0], 2, 3), /got length 1/);
  assert.throws(() => assertIndexArray("s", null as never, 2), { name: "TypeError" });
});

Deno.test("markValid / isValid remember objects per kind, by identity", () => {
  const a = { x: 1 };
  assert.equal(isValid(a, "Demo"), false);
  assert.equal(markValid(a, "Demo"), a);
  assert.equal(isValid(a, "Demo"), true);
  assert.equal(isValid(a, "Other"), false);
  assert.equal(isValid({ x: 1 }, "Demo"), false, "an equal copy is not validated");
  assert.equal(isValid(null, "Demo"), false);
});

Deno.test("constructors return validated objects; validators brand what they accept", () => {
  const mdp = randomMdp(new Rng(0), { nS: 3, nA: 2 });
  assert.ok(isValid(mdp, "Mdp"));
  const copy = { ...mdp };
  assert.equal(isValid(copy, "Mdp"), false);
  assert.equal(validateMdp(copy), copy);
  assert.ok(isValid(copy, "Mdp"));
  assert.ok(isValid(sarsaConstruction(4, 0.2), "LsaParams"));
  assert.ok(isValid(sarsaBlocks(4, 0.2), "RestrictedBlocks"));
  const X = new Float64Array(2 * 3);
  assert.ok(isValid(buildPrompt(X, 2, 3, [1]), "Prompt"));
  const b = sarsaBlocks(2, 0.5);
  assert.equal(validateBlocks({ ...b }).m, b.m);
  const params = sarsaConstruction(2, 0.5);
  assert.equal(validateLsaParams({ ...params }).D, params.D);
  const pr = buildPrompt(X, 2, 3, [1]);
  assert.equal(validatePrompt({ ...pr }).D, 5);
});

Deno.test("a trajectory is bound to the |S|, |A| of the MDP it was rolled out on", () => {
  const mdp = randomMdp(new Rng(1), { nS: 4, nA: 2 });
  const rng = new Rng(2);
  const traj = rollout(mdp, uniformPolicy(4, 2), sampleInitialState(mdp, rng), 6, rng);
  assert.equal(validateTrajectory(traj, 4, 2), traj);
  assert.throws(() => validateTrajectory(traj, 5, 2), /\|S\|=4, \|A\|=2 but is used with \|S\|=5/);
  // The same buffer re-used for a rollout on a 5-state MDP is re-bound.
  const mdp5 = randomMdp(new Rng(3), { nS: 5, nA: 2 });
  rollout(mdp5, uniformPolicy(5, 2), 0, 6, rng, traj);
  assert.equal(validateTrajectory(traj, 5, 2), traj);
  // A hand-made trajectory is checked entry by entry against the sizes it meets.
  const hand = {
    n: 2,
    s: new Int32Array([0, 1, 3]),
    a: new Int32Array([0, 1, 0]),
    r: new Float64Array(2),
  };
  assert.equal(validateTrajectory(hand, 4, 2), hand);
  assert.throws(() => validateTrajectory({ ...hand }, 3, 2), /traj\.s\[2\] .* got 3/);
});

Deno.test("teachers and tokens still agree with a literal loop on validated inputs", () => {
  // An independent check that validation did not change the numbers: SARSA δ by hand.
  const mdp = randomMdp(new Rng(4), { nS: 3, nA: 2 });
  const feat = randomFeatures(new Rng(5), 3, 2, 4);
  const w = new Float64Array([0.3, -0.1, 0.2, 0.4]);
  const rng = new Rng(6);
  const traj = rollout(mdp, epsGreedyPolicy(feat, w, 0.2), 0, 5, rng);
  const out = sarsaUpdate(traj, feat, w, 0.5, 0.2);
  const ref = Float64Array.from(w);
  const phi = (s: number, a: number) => feat.phi.subarray((s * 2 + a) * 4, (s * 2 + a + 1) * 4);
  const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    let acc = 0;
    for (let k = 0; k < u.length; k++) acc += u[k] * v[k];
    return acc;
  };
  for (let i = 0; i < 5; i++) {
    const f = phi(traj.s[i], traj.a[i]), fp = phi(traj.s[i + 1], traj.a[i + 1]);
    const delta = traj.r[i] + 0.5 * dot(w, fp) - dot(w, f);
    for (let k = 0; k < 4; k++) ref[k] += (0.2 / 5) * delta * f[k];
  }
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(out[k] - ref[k]) < 1e-14);
  assert.equal(sarsaTokens(traj, feat, 0.5).length, 5 * 9);
});

Deno.test("mutating a validated object afterwards is still caught at the output", () => {
  const params = sarsaConstruction(2, 0.5);
  const X = new Float64Array(3 * 5).fill(0.1);
  const prompt = buildPrompt(X, 3, 5, [0.2, 0.3]);
  assert.equal(lsaReadout(params, prompt).length, 2);
  params.V[(5 + 1) * params.D] = NaN; // a θ row of V, after validation
  assert.throws(() => lsaReadout(params, prompt), /lsaReadout: output\[0\] = NaN is not finite/);
  const mdp = randomMdp(new Rng(7), { nS: 2, nA: 2 });
  assert.ok(Number.isFinite(policyReturn(mdp, uniformPolicy(2, 2))));
  mdp.R[0] = NaN;
  assert.throws(() => policyReturn(mdp, uniformPolicy(2, 2)), /not finite/);
});

Deno.test("restrictedLossGrad: overflowing blocks raise NonFiniteLossError, bad data names the input", () => {
  const b = sarsaBlocks(2, 0.5);
  const sc = restrictedScratch(5, 3, 2);
  const X = new Float64Array(10).fill(0.5);
  const gP = new Float64Array(15), gV = new Float64Array(10);
  const loss = restrictedLossGrad(b, X, 2, [0.1, 0.2], [0, 0], gP, gV, 1, sc);
  assert.ok(Number.isFinite(loss) && loss > 0);
  // ½‖readout − 0‖², the readout from the literal full-matrix LSA forward pass
  const lit = lsaReadoutLiteral(blocksToParams(b), buildPrompt(X, 2, 5, [0.1, 0.2]));
  assert.equal(lit.length, 2);
  assert.ok(Math.abs(loss - 0.5 * (lit[0] ** 2 + lit[1] ** 2)) < 1e-14 * Math.max(1, loss));
  b.P12[0] = Infinity; // mutated after validation, as a diverging optimiser would
  assert.throws(
    () => restrictedLossGrad(b, X, 2, [0.1, 0.2], [0, 0], gP, gV, 1, sc),
    (e: unknown) => e instanceof NonFiniteLossError && /parameters overflowed/.test(e.message),
  );
});

Deno.test("trainConfig fills defaults and validateTrainConfig refuses meaningless values", () => {
  const cfg = trainConfig({ K: 4, batch: 2, lr: 0 });
  assert.equal(validateTrainConfig(cfg), cfg, "lr = 0 (frozen evaluation) stays allowed");
  assert.throws(() => validateTrainConfig({ ...cfg, initGain: 0 }), /initGain .* got 0/);
  assert.throws(() => validateTrainConfig({ ...cfg, extra: 1 } as never), /unknown key "extra"/);
  assert.throws(
    () => trainConfig({ task: { ...DEFAULT_TASK, dpsi: 9 } as never }),
    /did you mean "dPsi"/,
  );
});

Deno.test("saveModel refuses invalid data; committed models load under the new checks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const res = await trainTeacherMimic(
      trainConfig({
        task: { ...DEFAULT_TASK, nS: 3, nA: 2, d: 4, dPsi: 2, n: 4 },
        K: 2,
        T: 2,
        batch: 2,
      }),
    );
    const bad = {
      ...res,
      model: { ...res.model, blocks: { ...res.model.blocks, P12: res.model.blocks.P12.slice() } },
    };
    bad.model.blocks.P12[2] = NaN;
    await assert.rejects(
      () => saveModel(`${dir}/x.json`, bad),
      /blocks\.P12\[2\] must be finite, got NaN/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no file written");
    await assert.rejects(
      () => saveModel(`${dir}/x.json`, { ...res, config: { ...res.config, lrDecay: 0 } }),
      /lrDecay .* got 0/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const models = new URL("../../data/models/", import.meta.url);
  let loaded = 0;
  for (const e of Deno.readDirSync(models)) {
    if (!e.name.endsWith(".json")) continue;
    const path = new URL(e.name, models).pathname;
    const raw = JSON.parse(Deno.readTextFileSync(path));
    if (raw.format !== "icrl-lsa-block/1") continue; // bandit-transformer checkpoints (notebook 08)
    const { model, config } = await loadModel(path);
    assert.deepEqual(config, { ...raw.config }, `${e.name}: config returned as written`);
    assert.equal(model.blocks.P12.length, raw.P12.length);
    loaded++;
  }
  assert.ok(loaded > 0, "the repository holds trained models");
});

Deno.test("tables: nullable columns store non-finite values as empty cells and read back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeTable([{ step: 1, drift: NaN }, { step: 2, drift: 0.5 }], `${dir}/t`, {
      nullable: ["drift"],
    });
    assert.equal(Deno.readTextFileSync(`${dir}/t.csv`), "step,drift\n1,\n2,0.5\n");
    const rows = toRows(readTable(`${dir}/t`, { columns: { step: "number", drift: "number" } }));
    assert.deepEqual(rows, [{ step: 1, drift: null }, { step: 2, drift: 0.5 }]);
    Deno.writeTextFileSync(`${dir}/n.csv`, "a,b\n1,NaN\n");
    assert.equal(readTable(`${dir}/n.csv`, { nullable: ["b"] }).height, 1);
    Deno.writeTextFileSync(`${dir}/q.csv`, 'a,b\n"x,""y""\nz",2\n');
    assert.deepEqual(toRows(readTable(`${dir}/q.csv`)), [{ a: 'x,"y"\nz', b: 2 }], "quoted fields");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
