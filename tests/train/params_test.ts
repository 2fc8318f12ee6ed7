import assert from "node:assert/strict";
import { initParams, prop31Drift, snapshotModel } from "../../lib/train/params.ts";
import { trainingInitStream } from "../../lib/core/streams.ts";
import { DEFAULT_TASK, taskDims } from "../../lib/icrl/tasks.ts";
import { blocksToParams, paramsToBlocks } from "../../lib/icrl/lsa.ts";

Deno.test("initParams: restricted views share the flat vector; full init has P22 = V̄22 = 0", () => {
  const { m, p } = taskDims(DEFAULT_TASK);
  const r = initParams(DEFAULT_TASK, "restricted", 0.1, trainingInitStream(0));
  assert.equal(r.flat.length, m * p + (p - 1) * m);
  assert.equal(r.blocks!.P12.buffer, r.flat.buffer);
  assert.equal(r.gBlocks!.V21bar.buffer, r.grad.buffer);
  assert.equal(r.full, null);
  const again = initParams(DEFAULT_TASK, "restricted", 0.1, trainingInitStream(0));
  assert.deepEqual(again.flat, r.flat);
  const f = initParams(DEFAULT_TASK, "full", 0.1, trainingInitStream(0));
  assert.equal(prop31Drift(f.full!, f.full!, m).zeroBlocks, 0);
  assert.throws(() => initParams(DEFAULT_TASK, "restricted", 0, trainingInitStream(0)), /initGain/);
});

Deno.test("snapshotModel copies the parameters; full models carry their blocks", () => {
  const { m } = taskDims(DEFAULT_TASK);
  const st = initParams(DEFAULT_TASK, "full", 0.1, trainingInitStream(1));
  const model = snapshotModel(DEFAULT_TASK, st);
  st.full!.P[0] += 1;
  assert.notEqual(model.full!.P[0], st.full!.P[0]);
  assert.deepEqual(model.blocks, paramsToBlocks(model.full!, m));
  const r = initParams(DEFAULT_TASK, "restricted", 0.1, trainingInitStream(1));
  const rm = snapshotModel(DEFAULT_TASK, r);
  assert.equal(rm.param, "restricted");
  assert.deepEqual(blocksToParams(rm.blocks), blocksToParams(r.blocks!));
});

Deno.test("prop31Drift measures the frozen blocks and P22, V̄22", () => {
  const st = initParams(DEFAULT_TASK, "full", 0.1, trainingInitStream(2));
  const { m } = taskDims(DEFAULT_TASK);
  const init = { ...st.full!, P: Float64Array.from(st.full!.P), V: Float64Array.from(st.full!.V) };
  const D = init.D;
  st.full!.P[0] += 0.5; // P11 moves
  st.full!.V[(D - 1) * D + D - 1] = -0.25; // V̄22 leaves 0
  assert.deepEqual(prop31Drift(st.full!, init, m), { drift: 0.5, zeroBlocks: 0.25 });
});
