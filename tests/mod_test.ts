// lib/mod.ts: re-exports every folder barrel whole and loads no npm package (tfjs in particular).
import assert from "node:assert/strict";
import * as lib from "../lib/mod.ts";
import * as core from "../lib/core/mod.ts";
import * as mdp from "../lib/mdp/mod.ts";
import * as icrl from "../lib/icrl/mod.ts";
import * as train from "../lib/train/mod.ts";
import * as transfer from "../lib/transfer/mod.ts";
import * as bandits from "../lib/bandits/mod.ts";

const root = new URL("../", import.meta.url);

Deno.test("lib/mod.ts re-exports every name of the six folder barrels", () => {
  const barrels = { core, mdp, icrl, train, transfer, bandits };
  for (const [folder, barrel] of Object.entries(barrels)) {
    for (const [name, value] of Object.entries(barrel)) {
      assert.ok(name in lib, `lib/mod.ts lacks ${folder}/mod.ts export ${name}`);
      assert.equal((lib as Record<string, unknown>)[name], value, `${name} differs`);
    }
  }
  // a barrel may re-export a neighbour's names (train/mod.ts re-exports the icrl tasks): count each once
  const total = new Set(Object.values(barrels).flatMap((b) => Object.keys(b))).size;
  assert.equal(Object.keys(lib).length, total, "lib/mod.ts exports something outside the barrels");
});

/** Static import chains from `entry` to npm packages, as "a.ts -> b.ts -> npm:x" strings. */
async function npmChains(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { isDynamic?: boolean; code?: { specifier?: string } }[];
    }[];
  };
  const deps = new Map<string, string[]>();
  for (const m of graph.modules) {
    deps.set(
      m.specifier,
      (m.dependencies ?? []).filter((d) => !d.isDynamic && d.code?.specifier)
        .map((d) => d.code!.specifier!),
    );
  }
  const from = new Map<string, string>();
  const queue = [...graph.roots];
  const seen = new Set(queue);
  const chains: string[] = [];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (s.startsWith("npm:")) {
      const chain = [s];
      while (from.has(chain[0])) chain.unshift(from.get(chain[0])!);
      chains.push(chain.map((c) => c.replace(root.href, "")).join(" -> "));
      continue;
    }
    for (const d of deps.get(s) ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        from.set(d, s);
        queue.push(d);
      }
    }
  }
  return chains;
}

Deno.test("no static import from lib/mod.ts reaches an npm package", async () => {
  assert.deepEqual(await npmChains("lib/mod.ts"), []);
  // The probe finds tfjs where it is imported.
  assert.ok((await npmChains("lib/icrl/tf.ts")).some((c) => c.includes("npm:@tensorflow/tfjs")));
});

Deno.test("importing lib/mod.ts in a fresh process does not start tfjs", async () => {
  // tfjs registers its engine as `globalThis._tfengine` when its core module is evaluated.
  const probe = async (module: string) => {
    const code = `await import(${JSON.stringify(new URL(module, root).href)});` +
      `console.log(typeof (globalThis as Record<string, unknown>)._tfengine);`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim();
  };
  assert.equal(await probe("lib/mod.ts"), "undefined");
  assert.equal(await probe("lib/icrl/tf.ts"), "object"); // the probe sees tfjs when it loads
});
