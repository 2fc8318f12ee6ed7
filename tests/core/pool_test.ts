import assert from "node:assert/strict";
import { runWorkerJobs } from "../../lib/core/pool.ts";

const url = new URL("../../lib/bandits/generate_worker.ts", import.meta.url);

Deno.test("runWorkerJobs: no jobs give no results; bad worker counts are refused", async () => {
  assert.deepEqual(await runWorkerJobs(url, [], 1), []);
  await assert.rejects(() => runWorkerJobs(url, [], 0), /workers must be/);
});

Deno.test("runWorkerJobs: a failing job rejects with its label", async () => {
  await assert.rejects(
    () => runWorkerJobs(url, [{}], 1, undefined, undefined, (i) => `chunk ${i} (test)`),
    /chunk 0 \(test\) failed: /,
  );
});
