import assert from "node:assert/strict";
import {
  producePrompts,
  promptRing,
  promptRingLength,
  PromptStream,
  publishError,
  RingWriter,
  slotViews,
  startPromptWorker,
} from "../../lib/train/stream.ts";
import { trainConfig, trainTeacherMimic } from "../../lib/train/train.ts";
import {
  DEFAULT_TASK,
  newTaskEnv,
  taskAdvance,
  taskDims,
  type TaskEnv,
  taskStep,
} from "../../lib/icrl/mod.ts";
import { trainingMdpStream } from "../../lib/core/streams.ts";

const small = { ...DEFAULT_TASK, nS: 3, nA: 2, d: 2, n: 6 };

Deno.test("producePrompts: the trainer's order, each prompt equal to taskStep on its own MDP stream", () => {
  const { m, p } = taskDims(small);
  const [K, T, batch] = [5, 3, 2]; // groups of 2, 2, 1
  const ring = promptRing(small.n, m, p - 1, K * T);
  producePrompts({ task: small, seed: 7, K, T, batch }, ring);
  const stream = new PromptStream(ring);
  const X = new Float64Array(small.n * m), target = new Float64Array(p - 1);
  for (let k0 = 0; k0 < K; k0 += batch) {
    const envs: TaskEnv[] = [];
    for (let k = k0; k < Math.min(K, k0 + batch); k++) {
      envs.push(newTaskEnv(small, trainingMdpStream(7, k)));
    }
    for (let t = 0; t < T; t++) {
      for (const env of envs) {
        const theta = Float64Array.from(env.theta);
        taskStep(small, env, X, target); // the reference task step
        const got = stream.next();
        assert.deepEqual(Float64Array.from(got.X), X);
        assert.deepEqual(Float64Array.from(got.theta), theta);
        assert.deepEqual(Float64Array.from(got.target), target);
        taskAdvance(env, target); // MDPs never share a stream: advancing now is the same
      }
    }
  }
  assert.equal(stream.taken, K * T);
});

Deno.test("streamed training is bit-identical to the fused engine (exact, batched, partial group, AC)", async () => {
  for (
    const over of [
      { batch: 1, K: 3, T: 40 },
      { batch: 4, K: 10, T: 30 }, // last group of 2
      { batch: 64, K: 64, T: 3 }, // ring of 128 slots, groups fill it
      { batch: 3, K: 6, T: 25, task: { kind: "ac" as const } },
    ]
  ) {
    const cfg = trainConfig({ ...over, logEvery: 5, seed: 3 });
    const a = await trainTeacherMimic(cfg, undefined, "fused");
    const b = await trainTeacherMimic(cfg, undefined, "streamed");
    assert.deepEqual({ ...b, wallTimeSec: 0 }, { ...a, wallTimeSec: 0 }, JSON.stringify(over));
  }
});

Deno.test("streamed training: a long exact run through a small ring (the producer waits, wakes)", async () => {
  const cfg = trainConfig({ batch: 1, K: 2, T: 3000, logEvery: 500, seed: 1 });
  const a = await trainTeacherMimic(cfg, undefined, "fused");
  const b = await trainTeacherMimic(cfg, undefined, "streamed");
  assert.deepEqual(b.model, a.model);
  assert.deepEqual(b.metrics, a.metrics);
});

Deno.test("PromptStream: a published error is thrown after the good slots; a silent producer times out", () => {
  const { m, p } = taskDims(small);
  const ring = promptRing(small.n, m, p - 1, 4);
  producePrompts({ task: small, seed: 0, K: 1, T: 2, batch: 1 }, ring);
  publishError(ring, "rollout worker, prompt 2: w[0] is NaN");
  const stream = new PromptStream(ring);
  stream.next();
  stream.next();
  assert.throws(() => stream.next(), /rollout worker, prompt 2: w\[0\] is NaN/);
  const quiet = new PromptStream(promptRing(1, 1, 1, 1), 30);
  assert.throws(() => quiet.next(), /produced no prompt for 30 ms \(waiting for prompt 0\)/);
});

Deno.test("producePrompts publishes the task step's own error (non-finite θ) in band", () => {
  const { m, p } = taskDims(small);
  const ring = promptRing(small.n, m, p - 1, 8);
  // A teacher step of 1e308 overflows w within a few prompts; the next prompt refuses it.
  const wild = { ...small, alpha: 1e308 };
  producePrompts({ task: wild, seed: 0, K: 1, T: 8, batch: 1 }, ring);
  const stream = new PromptStream(ring);
  assert.throws(() => {
    for (let i = 0; i < 8; i++) stream.next();
  }, /rollout worker, prompt \d+: .*(finite|NaN|Infinity)/);
});

Deno.test("startPromptWorker streams from a Worker; kernel 'streamed' refuses paths it does not cover", async () => {
  const { m, p } = taskDims(small);
  const w = await startPromptWorker({ task: small, seed: 2, K: 1, T: 200, batch: 1 }, m, p - 1, 8);
  try {
    const env = newTaskEnv(small, trainingMdpStream(2, 0));
    const X = new Float64Array(small.n * m), target = new Float64Array(p - 1);
    for (let i = 0; i < 200; i++) {
      taskStep(small, env, X, target);
      const got = w.stream.next();
      assert.deepEqual(Float64Array.from(got.X), X);
      w.stream.release();
      taskAdvance(env, target);
    }
  } finally {
    w.stop();
  }
  for (const bad of [{ param: "full" as const }, { optimizer: "gd" as const }]) {
    await assert.rejects(
      () => trainTeacherMimic(trainConfig({ K: 1, T: 2, batch: 1, ...bad }), undefined, "streamed"),
      /kernel "streamed" needs param "restricted", engine "js" and optimizer "adam"/,
    );
  }
  // A producer error reaches the trainer as a rejected run (and the worker is stopped).
  const wild = trainConfig({ K: 1, T: 50, batch: 1, task: { ...small, alpha: 1e308 } });
  await assert.rejects(
    () => trainTeacherMimic(wild, undefined, "streamed"),
    /rollout worker, prompt \d+: .*(finite|NaN|Infinity)|diverged/,
  );
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => trainTeacherMimic(trainConfig({ K: 1, T: 2, batch: 1 }), undefined, "fast" as any),
    /kernel must be "fused", "streamed" or "reference", got "fast"/,
  );
});

Deno.test("RingWriter / PromptStream / slotViews: slots in order, wrap-around after release", () => {
  const ring = promptRing(1, 2, 1, 2); // 2 slots of one 2-dim token, θ and target of 1 entry
  const views = slotViews(ring);
  assert.equal(views.length, 2);
  assert.equal(views[1].X.byteOffset - views[0].X.byteOffset, (2 + 2) * 8);
  const w = new RingWriter(ring), r = new PromptStream(ring);
  for (let i = 0; i < 5; i++) {
    const s = w.slot();
    s.X.set([i, -i]);
    s.theta[0] = 10 * i;
    s.target[0] = 100 * i;
    w.publish();
    const got = r.next();
    assert.deepEqual([...got.X, got.theta[0], got.target[0]], [i, -i, 10 * i, 100 * i]);
    r.release(); // slot i mod 2 is free again, so the writer never blocks here
  }
  assert.equal(w.published, 5);
  assert.equal(r.taken, 5);
  assert.throws(() => promptRing(1, 2, 1, 2, new Float64Array(3)), /SharedArrayBuffer/);
  assert.throws(
    () => promptRing(1, 2, 1, 2, new Float64Array(new SharedArrayBuffer(8 * 3))),
    /region has 3 entries, the ring needs 8/,
  );
});

Deno.test("promptRingLength / promptRing refuse sizes that are not positive integers", () => {
  assert.equal(promptRingLength(20, 73, 36, 128), 128 * (20 * 73 + 72));
  assert.throws(() => promptRingLength(0, 73, 36, 1), /n/);
  assert.throws(() => promptRingLength(20, 73, 36, 1.5), /slots/);
  assert.throws(() => promptRing(20, -1, 36, 4), /m/);
});
