import assert from "node:assert/strict";
import { initTf, lsaReadoutTf, paramsToTensors, promptsToTensor, tf } from "../../lib/icrl/tf.ts";
import { lsaReadout } from "../../lib/icrl/lsa.ts";
import { buildAcPrompt, buildSarsaPrompt } from "../../lib/icrl/prompt.ts";
import { acConstruction, sarsaConstruction } from "../../lib/icrl/construction.ts";
import { actorCriticUpdate, sarsaUpdate } from "../../lib/icrl/teachers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { relErr, scenario } from "../helpers.ts";

Deno.test("tfjs initialises the wasm backend", async () => {
  assert.equal(await initTf(), "wasm");
});

Deno.test("tfjs batched readout of θ⋆ equals the SARSA teacher within 1e-5 (float32)", async () => {
  await initTf();
  for (const [n, d] of [[1, 2], [20, 36], [200, 8], [50, 64]]) {
    for (const c of [1, 3.7, -0.5]) {
      const scs = [0, 1, 2, 3].map((b) => scenario(1000 * n + 10 * d + b, n, d));
      const prompts = scs.map((s) => buildSarsaPrompt(s.traj, s.feat, 0.5, s.w));
      const { P, V } = paramsToTensors(sarsaConstruction(d, 0.2, c));
      const H = promptsToTensor(prompts);
      const out = lsaReadoutTf(P, V, H, n, 2 * d + 1);
      const got = await out.array();
      tf.dispose([P, V, H, out]);
      scs.forEach((s, b) => {
        const target = sarsaUpdate(s.traj, s.feat, s.w, 0.5, 0.2);
        assert.ok(
          relErr(got[b], target) <= 1e-5,
          `n=${n} d=${d} c=${c}: ${relErr(got[b], target)}`,
        );
      });
    }
  }
});

Deno.test("tfjs readout equals the float64 fast form on random θ and the AC construction", async () => {
  await initTf();
  const rng = new Rng(9);
  const s = scenario(3, 20, 6, 5, 3, 4);
  const w = rng.fillUniform(new Float64Array(4), -1, 1);
  const prompt = buildAcPrompt(s.traj, s.feat, s.sf, 0.5, w, s.lambda);
  const star = acConstruction(4, 6, 0.2, 0.2);
  const rnd = {
    D: star.D,
    P: rng.fillUniform(new Float64Array(star.D ** 2), -0.3, 0.3),
    V: rng.fillUniform(new Float64Array(star.D ** 2), -0.3, 0.3),
  };
  const t = actorCriticUpdate(s.traj, s.feat, s.sf, w, s.lambda, 0.5, 0.2, 0.2);
  for (
    const [params, ref] of [[star, [...t.w, ...t.lambda]], [rnd, lsaReadout(rnd, prompt)]] as const
  ) {
    const { P, V } = paramsToTensors(params);
    const H = promptsToTensor([prompt]);
    const out = lsaReadoutTf(P, V, H, 20, prompt.m);
    const got = (await out.array())[0];
    tf.dispose([P, V, H, out]);
    assert.ok(relErr(got, ref) <= 1e-5, `${relErr(got, ref)}`);
  }
});

Deno.test("tfjs readout rejects mismatched shapes with the sizes named", async () => {
  await initTf();
  const P = tf.zeros([5, 5]) as tf.Tensor2D, V = tf.zeros([5, 5]) as tf.Tensor2D;
  const H = tf.zeros([2, 5, 4]) as tf.Tensor3D;
  assert.throws(() => lsaReadoutTf(P, V, H, 4, 2), /4 columns, expected n\+1 = 5/);
  const P6 = tf.zeros([6, 6]) as tf.Tensor2D;
  assert.throws(() => lsaReadoutTf(P6, V, H, 3, 2), /P must be 5×5, got 6×6/);
  assert.throws(() => promptsToTensor([]), /non-empty/);
  tf.dispose([P, V, H, P6]);
});
