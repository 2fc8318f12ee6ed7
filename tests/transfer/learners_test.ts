import assert from "node:assert/strict";
import {
  assertKernel,
  blockLearner,
  constructedLearner,
  teacherLearner,
  validateLearners,
} from "../../lib/transfer/learners.ts";
import { DEFAULT_TASK, taskConstruction } from "../../lib/icrl/tasks.ts";

Deno.test("validateLearners: names unique and not reserved, tasks of the test task's kind and dims", () => {
  validateLearners(DEFAULT_TASK, [teacherLearner(), constructedLearner(DEFAULT_TASK)]);
  assert.throws(() => validateLearners(DEFAULT_TASK, []), /non-empty/);
  assert.throws(
    () => validateLearners(DEFAULT_TASK, [teacherLearner("a"), teacherLearner("a")]),
    /duplicate learner name "a"/,
  );
  const ac = { ...DEFAULT_TASK, kind: "ac" as const };
  assert.throws(
    () => validateLearners(ac, [constructedLearner(DEFAULT_TASK)]),
    /is for task kind "sarsa", test task is "ac"/,
  );
  const small = { ...DEFAULT_TASK, d: 8 };
  assert.throws(() => validateLearners(small, [constructedLearner(DEFAULT_TASK)]), /d=36 vs 8/);
  assert.throws(() => teacherLearner("oracle"), /reserved/);
});

Deno.test("assertKernel and blockLearner refuse unknown kernels", () => {
  assertKernel("fused");
  assertKernel("reference");
  assert.throws(() => assertKernel("fast"), /"fused" or "reference", got "fast"/);
  const model = {
    task: DEFAULT_TASK,
    param: "restricted" as const,
    blocks: taskConstruction(DEFAULT_TASK),
  };
  assert.throws(() => blockLearner("b", model, "x" as "fused"), /got "x"/);
});
