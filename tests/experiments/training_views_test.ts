import assert from "node:assert/strict";
import { learnedBlocks, pickFields, trainingCurves } from "../../lib/experiments/training_views.ts";

// deno-lint-ignore no-explicit-any
type AnySpec = any;

Deno.test("pickFields keeps exactly the picked fields, in the picked order", () => {
  const out = pickFields([{ a: 1, b: "x", c: 3 }, { a: 4, b: "y", c: 6 }], ["c", "a"]);
  assert.equal(JSON.stringify(out), JSON.stringify([{ c: 3, a: 1 }, { c: 6, a: 4 }]));
});

Deno.test("trainingCurves: the loss band is the geometric mean over seeds at each prompt count", () => {
  const metrics = [
    { seed: 0, prompts: 10, loss: 0.5, dist: 0.2, cP: 0.1 },
    { seed: 1, prompts: 10, loss: 0.125, dist: 0.8, cP: 0.2 },
    { seed: 0, prompts: 20, loss: 0.09, dist: 0.1, cP: 0.3 },
    { seed: 1, prompts: 20, loss: 0.01, dist: 0.4, cP: 0.4 },
  ];
  const spec: AnySpec = trainingCurves({
    metrics,
    cRows: metrics.map((r) => ({ prompts: r.prompts, cP: r.cP, seed: `seed ${r.seed}` })),
    loss: { title: "L", subtitle: "sub", yTitle: "loss" },
    dist: { title: "D", yTitle: "dist" },
    width: 100,
    height: 50,
  });
  assert.equal(spec.hconcat.length, 3);
  const values = (panel: AnySpec): AnySpec[] => {
    const found: AnySpec[] = [];
    const walk = (o: AnySpec) => {
      if (o && typeof o === "object") {
        if (Array.isArray(o.values)) found.push(...o.values);
        for (const v of Object.values(o)) walk(v);
      }
    };
    walk(panel);
    return found;
  };
  // geometric means by hand: √(0.5·0.125) = 0.25, √(0.09·0.01) = 0.03
  const loss = values(spec.hconcat[0]);
  const at = (x: number) => loss.find((r) => r.prompts === x)!.mean;
  assert.ok(Math.abs(at(10) - 0.25) < 1e-12 && Math.abs(at(20) - 0.03) < 1e-12);
  const dist = values(spec.hconcat[1]);
  assert.ok(Math.abs(dist.find((r) => r.prompts === 10)!.mean - 0.4) < 1e-12); // √(0.2·0.8)
  // the c panel draws every row it is given, one colour per seed
  const c = values(spec.hconcat[2]).filter((r) => "cP" in r);
  assert.equal(c.length, 4);
  assert.equal(new Set(c.map((r) => r.seed)).size, 2);
});

Deno.test("learnedBlocks: one facet per matrix, the given cell size", () => {
  const rows = ["A", "B", "C"].flatMap((matrix) =>
    [0, 1, 2].flatMap((row) => [0, 1].map((col) => ({ matrix, row, col, value: row * 2 + col })))
  );
  const spec: AnySpec = learnedBlocks(rows, "t", 5);
  assert.equal(spec.title, "t");
  assert.equal(spec.columns, 4);
  assert.deepEqual(spec.concat.map((p: AnySpec) => p.title), ["A", "B", "C"]);
  for (const panel of spec.concat) {
    assert.deepEqual([panel.width, panel.height], [{ step: 5 }, { step: 5 }]);
    assert.equal(panel.data.values.length, 6); // 3 rows × 2 columns of its own matrix
  }
});
