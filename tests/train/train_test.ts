import assert from "node:assert/strict";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import { batchLossGrad } from "../../lib/train/train_tf.ts";
import { adam, gradientDescent } from "../../lib/core/optim.ts";
import { manifoldStats } from "../../lib/icrl/manifold.ts";
import { sarsaBlocks } from "../../lib/icrl/construction.ts";
import { newTaskEnv, taskDims, taskStep } from "../../lib/icrl/tasks.ts";
import { fullLossGrad, restrictedLossGrad } from "../../lib/icrl/grad.ts";
import { buildPrompt } from "../../lib/icrl/prompt.ts";
import { Rng } from "../../lib/core/rng.ts";
import { loadModel, saveModel } from "../../lib/train/model_io.ts";
import { relErr } from "../helpers.ts";
import { prop31Drift } from "../../lib/train/params.ts";
import { restrictedScratch } from "../../lib/icrl/restricted.ts";

const SMALL = { nS: 4, nA: 2, d: 8, dPsi: 4 };

Deno.test("Adam's first step is lr·g/(|g|+ε) per coordinate; GD is θ − lr·g", () => {
  const th = new Float64Array([1, 2, 3]), g = new Float64Array([0.5, -2, 0]);
  adam(3).step(th, g, 0.1);
  assert.ok(relErr(th, [1 - 0.1 * 0.5 / (0.5 + 1e-8), 2 + 0.1 * 2 / (2 + 1e-8), 3]) < 1e-15);
  const th2 = new Float64Array([1, 2]);
  gradientDescent().step(th2, new Float64Array([1, -1]), 0.5);
  assert.deepEqual(Array.from(th2), [0.5, 2.5]);
});

Deno.test("manifold stats: 0 distance and |cos| = 1 anywhere on (cP⋆, V⋆/c), c read back", () => {
  const star = sarsaBlocks(5, 0.2);
  for (const c of [1, 3.7, -0.5]) {
    const s = manifoldStats(sarsaBlocks(5, 0.2, c), star);
    assert.ok(s.dist < 1e-14);
    assert.ok(Math.abs(Math.abs(s.cosP12) - 1) < 1e-14 && Math.abs(s.cosP12 - s.cosV21) < 1e-14);
    assert.ok(Math.abs(s.cP - c) < 1e-12 && Math.abs(s.cV - c) < 1e-12);
  }
  const off = sarsaBlocks(5, 0.2);
  off.P12[3] += 0.5;
  assert.ok(manifoldStats(off, star).dist > 0.05);
  // V̄21 ⊗ (P12 + 0.5·e₃) − V̄21 ⊗ P12 = 0.5·V̄21 ⊗ e₃: relative distance 0.5 / ‖P⋆12‖_F
  const normP = Math.sqrt(star.P12.reduce((t, v) => t + v * v, 0));
  assert.ok(Math.abs(manifoldStats(off, star).dist - 0.5 / normP) < 1e-12);
  // the stable formula agrees with a literal Kronecker-product distance
  const rng = new Rng(1);
  const rnd = sarsaBlocks(2, 0.2);
  rng.fillUniform(rnd.P12, -1, 1);
  rng.fillUniform(rnd.V21bar, -1, 1);
  const small = sarsaBlocks(2, 0.2);
  let num = 0, den = 0;
  for (let i = 0; i < rnd.V21bar.length; i++) {
    for (let j = 0; j < rnd.P12.length; j++) {
      num += (rnd.V21bar[i] * rnd.P12[j] - small.V21bar[i] * small.P12[j]) ** 2;
      den += (small.V21bar[i] * small.P12[j]) ** 2;
    }
  }
  assert.ok(Math.abs(manifoldStats(rnd, small).dist - Math.sqrt(num / den)) < 1e-12);
});

Deno.test("same seed ⇒ identical training; different seed ⇒ different", async () => {
  const cfg = trainConfig({ task: SMALL, K: 4, T: 20, batch: 2, logEvery: 5, seed: 3 });
  const a = await trainTeacherMimic(cfg), b = await trainTeacherMimic(cfg);
  assert.deepEqual(a.model, b.model);
  assert.deepEqual(a.metrics, b.metrics);
  const c = await trainTeacherMimic({ ...cfg, seed: 4 });
  assert.notDeepEqual(a.model.blocks.P12, c.model.blocks.P12);
});

Deno.test("exact and batched modes see the same prompts: batched loss = mean of exact losses", async () => {
  const base = { task: SMALL, K: 2, T: 3, optimizer: "gd" as const, lr: 0, logEvery: 1, seed: 9 };
  const exact = await trainTeacherMimic(trainConfig({ ...base, batch: 1 }));
  const batched = await trainTeacherMimic(trainConfig({ ...base, batch: 2 }));
  // exact: MDP 0 steps 1..3, then MDP 1 steps 4..6; batched: steps 1..3 average both MDPs.
  for (let t = 0; t < 3; t++) {
    const mean = (exact.metrics[t].loss + exact.metrics[3 + t].loss) / 2;
    assert.ok(Math.abs(batched.metrics[t].loss - mean) < 1e-15, `iteration ${t}`);
  }
});

Deno.test("restricted training converges onto the SARSA construction's manifold", async () => {
  const res = await trainTeacherMimic(
    trainConfig({
      task: { nS: 5, nA: 3, d: 15 },
      K: 256,
      T: 800,
      batch: 32,
      logEvery: 400,
      seed: 1,
    }),
  );
  const last = res.metrics.at(-1)!;
  assert.ok(Math.abs(last.cosP12) > 0.99 && Math.abs(last.cosV21) > 0.99, JSON.stringify(last));
  assert.ok(last.dist < 0.1, `dist ${last.dist}`);
  assert.ok(last.loss < res.metrics[0].loss / 100, `loss ${res.metrics[0].loss} → ${last.loss}`);
  assert.ok(Math.abs(last.cP / last.cV - 1) < 0.05, `cP ${last.cP} vs cV ${last.cV}`);
});

Deno.test("full training: Prop 3.1 blocks never move and P22, V̄22 stay 0 (js engine)", async () => {
  const res = await trainTeacherMimic(
    trainConfig({ task: SMALL, param: "full", K: 8, T: 30, batch: 4, logEvery: 10, seed: 2 }),
  );
  const m = taskDims(res.config.task).m;
  const { drift, zeroBlocks } = prop31Drift(res.model.full!, res.init.full!, m);
  assert.equal(drift, 0);
  assert.equal(zeroBlocks, 0);
  // …while the trainable blocks did move
  assert.ok(relErr(res.model.blocks.P12, res.init.blocks.P12) > 1e-4);
});

Deno.test("tfjs-autodiff batch gradient equals the hand gradient (restricted and full)", () => {
  for (const param of ["restricted", "full"] as const) {
    const cfg = trainConfig({ task: SMALL, K: 3, T: 1, batch: 3, param });
    const { m, p } = taskDims(cfg.task);
    const D = m + p, n = cfg.task.n;
    const rng = new Rng(11);
    const envs = [0, 1, 2].map((k) => newTaskEnv(cfg.task, rng.fork(k)));
    const Xs = envs.map(() => new Float64Array(n * m));
    const ts = envs.map(() => new Float64Array(p - 1));
    envs.forEach((e, b) => taskStep(cfg.task, e, Xs[b], ts[b]));
    const size = param === "restricted" ? m * p + (p - 1) * m : 2 * D * D;
    const flat = rng.fillUniform(new Float64Array(size), -0.3, 0.3);
    const gTf = new Float64Array(size), gJs = new Float64Array(size);
    const lTf = batchLossGrad(cfg, flat, gTf, envs, Xs, ts);
    let lJs = 0;
    for (let b = 0; b < 3; b++) {
      if (param === "restricted") {
        const blocks = { m, p, P12: flat.subarray(0, m * p), V21bar: flat.subarray(m * p) };
        lJs += restrictedLossGrad(
          blocks,
          Xs[b],
          n,
          envs[b].theta,
          ts[b],
          gJs.subarray(0, m * p),
          gJs.subarray(m * p),
          1 / 3,
          restrictedScratch(m, p, n),
        ) / 3;
      } else {
        const full = { D, P: flat.subarray(0, D * D), V: flat.subarray(D * D) };
        const H = buildPrompt(Xs[b], n, m, envs[b].theta).H;
        lJs +=
          fullLossGrad(full, H, n, m, ts[b], gJs.subarray(0, D * D), gJs.subarray(D * D), 1 / 3) /
          3;
      }
    }
    assert.ok(Math.abs(lTf - lJs) / lJs < 1e-5, `${param} loss ${lTf} vs ${lJs}`);
    assert.ok(relErr(gTf, gJs) < 1e-5, `${param} grad ${relErr(gTf, gJs)}`);
  }
});

Deno.test("tfjs engine trains: Prop 3.1 drift stays at float32 round-off", async () => {
  const res = await trainTeacherMimic(
    trainConfig({
      task: SMALL,
      param: "full",
      engine: "tfjs",
      K: 4,
      T: 10,
      batch: 4,
      logEvery: 5,
      seed: 2,
    }),
  );
  const last = res.metrics.at(-1)!;
  assert.ok(last.drift < 1e-6, `drift ${last.drift}`);
  assert.ok(last.zeroBlocks < 1e-6, `zero blocks ${last.zeroBlocks}`);
});

Deno.test("divergence stops training with the step and the loss named", async () => {
  await assert.rejects(
    () =>
      trainTeacherMimic(
        trainConfig({ task: SMALL, K: 2, T: 200, batch: 2, optimizer: "gd", lr: 1e4, seed: 1 }),
      ),
    /training diverged at step \d+ .*loss = /,
  );
});

Deno.test("bad training config values are named", () => {
  assert.throws(() => trainConfig({ K: 0 }), /K.*got 0/);
  assert.throws(() => trainConfig({ K: 4, batch: 8 }), /batch.*got 8/);
  assert.throws(() => trainConfig({ lr: NaN }), /lr.*NaN/);
  assert.throws(() => trainConfig({ task: { n: 0 } }), /task\.n.*got 0/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => trainConfig({ param: "half" as any }), /param.*"half"/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => trainConfig({ task: { kind: "q" as any } }), /task\.kind.*"q"/);
});

Deno.test("saved models load back bit-identical; corrupt files give a named error", async () => {
  const dir = await Deno.makeTempDir();
  for (const param of ["restricted", "full"] as const) {
    const res = await trainTeacherMimic(
      trainConfig({ task: SMALL, param, K: 2, T: 3, batch: 2, seed: 5 }),
    );
    const path = `${dir}/m_${param}.json`;
    await saveModel(path, res, { note: "test" });
    const back = await loadModel(path);
    assert.deepEqual(back.model, res.model);
    assert.deepEqual(back.config, res.config);
    assert.equal(back.summary.note, "test");
  }
  await Deno.writeTextFile(`${dir}/bad.json`, "{not json");
  await assert.rejects(() => loadModel(`${dir}/bad.json`), /bad\.json is not valid JSON/);
  await assert.rejects(
    () => loadModel(`${dir}/missing.json`),
    /cannot read model file .*missing\.json/,
  );
  const j = JSON.parse(await Deno.readTextFile(`${dir}/m_restricted.json`));
  j.P12[3] = null;
  await Deno.writeTextFile(`${dir}/nan.json`, JSON.stringify(j));
  await assert.rejects(() => loadModel(`${dir}/nan.json`), /nan\.json: P12\[3\] must be finite/);
  j.format = "other";
  await Deno.writeTextFile(`${dir}/fmt.json`, JSON.stringify(j));
  await assert.rejects(() => loadModel(`${dir}/fmt.json`), /format is "other"/);
  await Deno.remove(dir, { recursive: true });
});
