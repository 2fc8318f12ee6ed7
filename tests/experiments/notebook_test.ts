// Tests of lib/experiments/notebook.ts: progress hooks and writing a result's tables/figures.
import assert from "node:assert/strict";
import { progressHooks, publishFigure, writeTables } from "../../lib/experiments/notebook.ts";

Deno.test("progressHooks opens one bar per phase and moves it by running totals", async () => {
  const lines: string[] = [];
  const hooks = progressHooks(undefined, { write: (t) => lines.push(t), mode: "plain" });
  await hooks.progress!("a", 2, 4);
  await hooks.progress!("b", 1, 1);
  await hooks.progress!("a", 4, 4);
  await hooks.done();
  assert.ok(lines.some((l) => l.includes("a") && l.includes("4/4")), lines.join("\n"));
  assert.ok(lines.some((l) => l.includes("b") && l.includes("1/1")), lines.join("\n"));
  // plain lines (elapsed times aside): "a" at 2/4 and at its total; "b", at its total, on done
  assert.deepEqual(lines.map((l) => l.replace(/ \(.*\)$/, "")), [
    "a:  50% 2/4",
    "a: 100% 4/4",
    "b: 100% 1/1",
  ]);
  await assert.rejects(async () => await hooks.progress!("a", 3, 4), /non-decreasing/);
});

Deno.test("progressHooks with a display sends live text/plain updates with one display id", async () => {
  const calls: { data: Record<string, unknown>; opts: Record<string, unknown> }[] = [];
  const display = (data: Record<string, unknown>, opts: Record<string, unknown>) => {
    calls.push({ data, opts });
    return Promise.resolve();
  };
  const hooks = progressHooks(display as never);
  await hooks.progress!("phase", 1, 2);
  await hooks.progress!("phase", 2, 2);
  await hooks.done();
  assert.ok(calls.length >= 1);
  // the bar opens at 0/2 and its last update (done) reads 2/2; elapsed times aside
  const shown = (
    c: (typeof calls)[number],
  ) => [String(c.data["text/plain"]).replace(/ \(.*\)$/, ""), c.opts.update];
  assert.deepEqual(shown(calls[0]), ["phase:   0% 0/2", false]);
  assert.deepEqual(shown(calls.at(-1)!), ["phase: 100% 2/2", true]);
  assert.equal(new Set(calls.map((c) => c.opts.display_id)).size, 1);
  assert.throws(() => progressHooks(42 as never), /display must be a function.*number/);
});

Deno.test("writeTables writes <prefix>_<name>.csv under the data dir; bad prefixes are refused", () => {
  const dir = Deno.makeTempDirSync();
  const old = Deno.env.get("ICRL_OUT");
  Deno.env.set("ICRL_OUT", dir);
  try {
    const t = { alpha: [{ x: 1, y: 0.5 }], beta: [{ k: "a" }] };
    assert.equal(writeTables("42", t), t);
    assert.equal(Deno.readTextFileSync(`${dir}/data/42_alpha.csv`).trim(), "x,y\n1,0.5");
    assert.ok(Deno.statSync(`${dir}/data/42_beta.csv`).isFile);
    assert.throws(() => writeTables("5", t), /two digits.*"5"/);
  } finally {
    if (old === undefined) Deno.env.delete("ICRL_OUT");
    else Deno.env.set("ICRL_OUT", old);
  }
});

Deno.test("publishFigure writes figures/<prefix>_<name>.svg and checks the name", async () => {
  const dir = Deno.makeTempDirSync();
  const old = Deno.env.get("ICRL_OUT");
  Deno.env.set("ICRL_OUT", dir);
  try {
    const spec = {
      data: { values: [{ x: 1, y: 2 }] },
      mark: "point",
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
      },
    };
    const fig = await publishFigure("42", "demo", spec);
    assert.ok(Deno.readTextFileSync(`${dir}/figures/42_demo.svg`).startsWith("<svg"));
    assert.equal(fig.svgPath, `${dir}/figures/42_demo.svg`);
    await assert.rejects(() => publishFigure("42", "a/b", spec), /name must match.*"a\/b"/);
  } finally {
    if (old === undefined) Deno.env.delete("ICRL_OUT");
    else Deno.env.set("ICRL_OUT", old);
  }
});
