// The layer order of lib/ (ARCHITECTURE.md): imports run downward only and never in a cycle. The
// graph is read from `deno info --json` over every module of lib/ (code and type imports).
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

/** Rank of each folder of lib/: a module may import only from folders of equal or lower rank. */
const RANK: Record<string, number> = {
  core: 0,
  report: 1, // tables, charts, manifests: core only
  mdp: 2,
  icrl: 3,
  train: 4,
  transfer: 4,
  bandits: 5,
  settle: 5,
  baselines: 5,
  constructions: 5, // [LBM24]'s constructed transformers (bandit and MDP settings)
  experiments: 6,
};

const root = fromFileUrl(new URL("../", import.meta.url));

function libModules(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(`${root}${d}`)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (p.endsWith(".ts")) out.push(p);
    }
  };
  walk("lib");
  return out.sort();
}

async function importGraph(): Promise<Map<string, Set<string>>> {
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(entry, libModules().map((f) => `import "${root}${f}";`).join("\n"));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(entry);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const j = JSON.parse(new TextDecoder().decode(out.stdout));
  const g = new Map<string, Set<string>>();
  const rel = (s: string) => relative(root, fromFileUrl(s));
  for (const m of j.modules) {
    if (!m.specifier.startsWith("file:")) continue;
    const from = rel(m.specifier);
    if (!from.startsWith("lib/")) continue;
    const deps = new Set<string>();
    for (const d of m.dependencies ?? []) {
      for (const s of [d.code?.specifier, d.type?.specifier]) {
        if (typeof s === "string" && s.startsWith("file:") && rel(s).startsWith("lib/")) {
          deps.add(rel(s));
        }
      }
    }
    g.set(from, deps);
  }
  return g;
}

/** Strongly connected components with more than one module (Tarjan). */
export function cycles(g: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

Deno.test("cycles finds a three-module loop and nothing in a tree", () => {
  const g = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], [
    "d",
    new Set(["a"]),
  ]]);
  assert.deepEqual(cycles(g), [["a", "b", "c"]]);
  assert.deepEqual(cycles(new Map([["a", new Set(["b"])], ["b", new Set<string>()]])), []);
});

Deno.test("lib/ has no import cycle and no import up the layer order", async () => {
  const g = await importGraph();
  assert.ok(g.size >= 100, `read ${g.size} modules`);
  assert.deepEqual(cycles(g), [], "import cycles");
  const layer = (f: string) => (f.split("/").length > 2 ? f.split("/")[1] : "(top)");
  const up: string[] = [];
  for (const [from, deps] of g) {
    const a = layer(from);
    if (a === "(top)") continue; // lib/mod.ts re-exports the layers
    assert.ok(a in RANK, `${from}: folder lib/${a} has no rank in the layer order`);
    for (const to of deps) {
      const b = layer(to);
      if (b !== "(top)" && RANK[b] > RANK[a]) up.push(`${from} → ${to}`);
    }
  }
  assert.deepEqual(up, [], "imports up the layer order");
});
