// Tests of lib/experiments/pretrain_io.ts: checkpoints of notebook 08 saved and read back.
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { initWeights } from "../../lib/bandits/model_config.ts";
import { checkpointName, saveRuns } from "../../lib/experiments/pretrain_io.ts";
import type { RunInfo } from "../../lib/experiments/pretrain.ts";

const model = { tokenDim: 6, numActions: 5, maxLen: 4, D: 8, layers: 1, mlpHidden: 16 };

function fakeRun(name: string, seed: number): RunInfo {
  return {
    name,
    model,
    weights: initWeights(model, new Rng(seed)),
    context: "ctx",
    steps: 3,
    curve: [],
    repeatFloor: 0.5,
  } as unknown as RunInfo;
}

Deno.test("checkpointName keeps letters, digits and dots; the rest becomes _", () => {
  assert.equal(checkpointName({ name: "DPT · α = 0.5 · seed 0" }), "08_DPT_0.5_seed_0.json");
  assert.equal(checkpointName({ name: "AD · LinUCB · seed 1" }), "08_AD_LinUCB_seed_1.json");
});

Deno.test("saveRuns writes one file per run and verifies every weight read back", async () => {
  const dir = await Deno.makeTempDir();
  const runs = [fakeRun("AD · seed 0", 0), fakeRun("AD · seed 1", 1)];
  const saved = await saveRuns({ runs }, dir, 8);
  assert.deepEqual(saved.map((s) => s.run), ["AD · seed 0", "AD · seed 1"]);
  const total = Object.values(runs[0].weights).reduce((n, w) => n + w.length, 0);
  assert.equal(saved[0].weights, total);
  // embedding F·D + D and positions T·D; per layer qkv 3D², MLP 2DH + H, biases and two layer
  // norms 5D; output D·A + A — with F = 6, A = 5, T = 4, D = 8, H = 16 and one layer: 637
  assert.equal(total, 6 * 8 + 8 + 4 * 8 + (3 * 8 * 8 + 2 * 8 * 16 + 16 + 5 * 8) + 8 * 5 + 5);
  assert.equal(total, 637);
  const j = JSON.parse(await Deno.readTextFile(saved[1].path));
  assert.equal(j.summary.batch, 8);
  assert.equal(j.summary.run, "AD · seed 1");
});

Deno.test("saveRuns refuses weights that do not survive float32 storage (NaN)", async () => {
  const dir = await Deno.makeTempDir();
  const r = fakeRun("bad", 0);
  const k = Object.keys(r.weights)[0];
  r.weights[k][0] = NaN;
  await assert.rejects(() => saveRuns({ runs: [r] }, dir, 1), /weight|finite|NaN/i);
});
