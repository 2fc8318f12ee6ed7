import assert from "node:assert/strict";
import { join } from "node:path";
import {
  collectResults,
  main,
  readmeTable,
  resultsPage,
  withReadmeTable,
} from "../../scripts/results.ts";

Deno.test("docs/RESULTS.md and README's results table are exactly what scripts/results.ts writes", async () => {
  const said: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = console.error = (...a: unknown[]) => said.push(a.join(" "));
  try {
    assert.equal(await main(["--check"]), 0, said.join("\n"));
  } finally {
    [console.log, console.error] = [log, error];
  }
});

Deno.test("collectResults reads title, conclusion, manifest, modules, tables and figures of a notebook", async () => {
  const root = await Deno.makeTempDir();
  for (const d of ["notebooks", "data", "figures"]) await Deno.mkdir(join(root, d));
  const nb = {
    cells: [
      { cell_type: "markdown", source: ["# 09 — Something is shown\n", "text"] },
      {
        cell_type: "code",
        source: ['import { run } from "../../lib/experiments/thing.ts";\n'],
        outputs: [],
      },
      {
        cell_type: "code",
        source: ["markdown(summary(res));"],
        outputs: [{ output_type: "execute_result", data: { "text/markdown": ["**Found** 4.2."] } }],
      },
    ],
  };
  await Deno.writeTextFile(join(root, "notebooks/09_thing.ipynb"), JSON.stringify(nb));
  await Deno.writeTextFile(join(root, "notebooks/10_empty.ipynb"), JSON.stringify({ cells: [] }));
  await assert.rejects(() => collectResults(root), /10_empty.ipynb has no cells/);
  await Deno.remove(join(root, "notebooks/10_empty.ipynb"));
  await Deno.writeTextFile(
    join(root, "data/09_thing.manifest.json"),
    JSON.stringify({
      scale: "paper",
      wallTimeSec: 125,
      git: { commit: "abcdef0123", dirty: false },
      platform: { cpu: "CPU X", cores: 2 },
      createdAt: "2026-12-07T00:00:00Z",
    }),
  );
  await Deno.writeTextFile(join(root, "data/09_a.csv"), "x\n1\n");
  await Deno.writeTextFile(join(root, "figures/09_f.svg"), "<svg/>");
  const [r] = await collectResults(root);
  assert.equal(r.title, "Something is shown");
  assert.equal(r.conclusion, "**Found** 4.2.");
  assert.deepEqual(r.modules, ["lib/experiments/thing.ts"]);
  assert.deepEqual(r.tables, ["data/09_a.csv"]);
  assert.deepEqual(r.figures, ["figures/09_f.svg"]);
  assert.equal(r.manifest!.wallTimeSec, 125);
  const page = resultsPage([r]);
  assert.ok(page.includes("## 09 — Something is shown"));
  assert.ok(page.includes("in 2.1 min on CPX X".replace("CPX", "CPU")));
  assert.ok(page.includes("commit `abcdef0`"));
  const table = readmeTable([r]);
  assert.ok(table.includes("(docs/RESULTS.md#09--something-is-shown)"));
  assert.ok(table.includes("| paper, 2.1 min |"));
  assert.throws(() => withReadmeTable("no markers here", table), /no results markers/);
  await Deno.remove(root, { recursive: true });
});
