// The quality bar "every public function in lib/ has a doc comment with a runnable example": every
// exported function of lib/ is preceded by a doc comment holding a ```ts block that is not marked
// `ignore` (deno test --doc runs those blocks, so they are runnable by construction).
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

const root = fromFileUrl(new URL("../lib/", import.meta.url));

function modules(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}${e.name}`;
    if (e.isDirectory) out.push(...modules(`${p}/`));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/** Exported functions of a module source whose doc comment has no runnable ```ts example. */
function missingExamples(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/^export (?:async )?function\*? (\w+)/gm)) {
    const before = src.slice(0, m.index);
    const end = before.trimEnd();
    const start = before.lastIndexOf("/**");
    const doc = end.endsWith("*/") && start >= 0 ? before.slice(start) : "";
    if (!/```ts\s*\n/.test(doc)) out.push(m[1]);
  }
  return out;
}

Deno.test("missingExamples finds a function without an example, an ignored one, and none with one", () => {
  const src = [
    "/** Doc.\n * @example\n * ```ts\n * f();\n * ```\n */\nexport function f() {}",
    "/** No example. */\nexport function g() {}",
    "/**\n * ```ts ignore\n * h();\n * ```\n */\nexport function h() {}",
    "export async function k() {}",
  ].join("\n\n");
  assert.deepEqual(missingExamples(src), ["g", "h", "k"]);
});

Deno.test("every exported function in lib/ has a runnable doc example", () => {
  const missing = modules(root).flatMap((f) =>
    missingExamples(Deno.readTextFileSync(f)).map((n) => `${f.slice(root.length)}: ${n}`)
  );
  assert.deepEqual(
    missing,
    [],
    `exported functions without a runnable example:\n${missing.join("\n")}`,
  );
});
