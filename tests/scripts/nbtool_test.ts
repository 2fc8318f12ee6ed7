// Tests of scripts/nbtool.ts and scripts/notebook/: percent-format sources ↔ .ipynb notebooks.
import assert from "node:assert/strict";
import {
  buildNotebook,
  notebookPathFor,
  rebaseImports,
  sourcePathFor,
} from "../../scripts/notebook/build.ts";
import { fromNotebook, serializeNotebook, toNotebook } from "../../scripts/notebook/ipynb.ts";
import { parseSource, renderSource, SourceError } from "../../scripts/notebook/percent.ts";
import { skeletonCells, titleFromPath } from "../../scripts/notebook/skeleton.ts";
import { runCli } from "../../scripts/nbtool.ts";

const SOURCE = `// Header comment: not part of the notebook.

// %% [markdown]
// # 01 — Title
//
// Claim: \`x\` holds.

// %%
import { lineChart } from "../../lib/report/mod.ts";
const x = 1;

// %% a titled code cell
x + 1
`;

Deno.test("parseSource splits markdown and code cells, strips comment prefixes and blank edges", () => {
  assert.deepEqual(parseSource(SOURCE), [
    { kind: "markdown", source: "# 01 — Title\n\nClaim: `x` holds." },
    { kind: "code", source: 'import { lineChart } from "../../lib/report/mod.ts";\nconst x = 1;' },
    { kind: "code", source: "x + 1" },
  ]);
  assert.deepEqual(parseSource("// %% [md]\n//plain\n"), [{ kind: "markdown", source: "plain" }]);
  assert.deepEqual(parseSource("// %%\r\na\r\n"), [{ kind: "code", source: "a" }]);
});

Deno.test("parseSource errors name the file and line", () => {
  assert.throws(
    () => parseSource("const x = 1;\n// %%\n", "f.ts"),
    /f\.ts:1: code before the first/,
  );
  assert.throws(
    () => parseSource("// %% [markdown]\n// ok\nnot a comment\n", "f.ts"),
    (e) => e instanceof SourceError && /f\.ts:3: markdown cell \(from line 1\)/.test(e.message),
  );
  assert.throws(() => parseSource("// %% [raw]\n", "f.ts"), /f\.ts:1: unknown cell type \[raw\]/);
  assert.throws(() => parseSource("// just a comment\n", "f.ts"), /f\.ts: no cells/);
});

Deno.test("renderSource is the inverse of parseSource", () => {
  const cells = parseSource(SOURCE);
  assert.deepEqual(parseSource(renderSource(cells)), cells);
});

Deno.test("rebaseImports rewrites relative specifiers only", () => {
  const code = [
    'import { a } from "../../lib/mod.ts";',
    "import '../../lib/side.ts';",
    'const m = await import("./helper.ts");',
    'import * as vl from "vega-lite";',
    'export { b } from "../../lib/b.ts";',
    'const s = "from ../../x";',
  ].join("\n");
  assert.equal(
    rebaseImports(code, "/r/notebooks/src", "/r/notebooks"),
    [
      'import { a } from "../lib/mod.ts";',
      "import '../lib/side.ts';",
      'const m = await import("./src/helper.ts");',
      'import * as vl from "vega-lite";',
      'export { b } from "../lib/b.ts";',
      'const s = "from ../../x";',
    ].join("\n"),
  );
});

Deno.test("toNotebook makes nbformat 4.5 with Deno kernelspec, empty outputs, stable ids", () => {
  const nb = toNotebook(parseSource(SOURCE));
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(nb.metadata.kernelspec, {
    display_name: "Deno",
    language: "typescript",
    name: "deno",
  });
  assert.equal((nb.metadata.language_info as { name: string }).name, "typescript");
  assert.deepEqual(nb.cells.map((c) => c.id), ["c00", "c01", "c02"]);
  assert.deepEqual(nb.cells[1].outputs, []);
  assert.equal(nb.cells[1].execution_count, null);
  assert.deepEqual(nb.cells[0].source, ["# 01 — Title\n", "\n", "Claim: `x` holds."]);
  assert.equal(nb.cells[0].outputs, undefined);
  assert.deepEqual(fromNotebook(nb), parseSource(SOURCE));
});

Deno.test("serializeNotebook sorts keys, indents by one space, ends with a newline", () => {
  const text = serializeNotebook(toNotebook([{ kind: "code", source: "1" }]));
  assert.ok(
    text.startsWith(
      '{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": null,\n   "id"',
    ),
  );
  assert.ok(text.endsWith('"nbformat": 4,\n "nbformat_minor": 5\n}\n'));
  assert.equal(serializeNotebook(JSON.parse(text)), text);
});

Deno.test("paths: notebooks/src/NN.ts ↔ notebooks/NN.ipynb", () => {
  assert.equal(notebookPathFor("/r/notebooks/src/01_a.ts"), "/r/notebooks/01_a.ipynb");
  assert.equal(notebookPathFor("/tmp/x/01_a.ts"), "/tmp/x/01_a.ipynb");
  assert.equal(sourcePathFor("/r/notebooks/01_a.ipynb"), "/r/notebooks/src/01_a.ts");
  assert.throws(() => notebookPathFor("/r/a.js"), /source must be a \.ts file/);
});

Deno.test("buildNotebook rebases imports from the source dir to the notebook dir", () => {
  const nb = buildNotebook(SOURCE, "/r/notebooks/src/01_a.ts", "/r/notebooks/01_a.ipynb");
  assert.equal(nb.cells[1].source[0], 'import { lineChart } from "../lib/report/mod.ts";\n');
});

Deno.test("skeleton cells: claim, config, compute, figure, manifest, result", () => {
  const cells = skeletonCells("01 — x", "../");
  assert.deepEqual(cells.map((c) => c.kind), [
    "markdown",
    "code",
    "code",
    "code",
    "code",
    "markdown",
  ]);
  assert.ok(cells[1].source.includes('from "../lib/report/mod.ts"'));
  assert.equal(titleFromPath("/r/notebooks/src/04_actor_critic.ts"), "04 — actor critic");
  assert.equal(titleFromPath("notes.ipynb"), "notes");
});

Deno.test("runCli new/build/check/extract in a temp dir", async () => {
  const dir = await Deno.makeTempDir();
  const logs: string[] = [];
  const log = (s: string) => logs.push(s);
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/01_a.ts`, SOURCE);
    assert.equal(await runCli(["build", `${dir}/src/01_a.ts`], log, log), 0);
    const built = JSON.parse(await Deno.readTextFile(`${dir}/01_a.ipynb`));
    assert.equal(built.cells.length, 3);
    assert.equal(await runCli(["check", `${dir}/src/01_a.ts`], log, log), 0);
    // an executed notebook (outputs filled) still matches its source
    built.cells[2].outputs = [{ output_type: "execute_result", data: { "text/plain": ["2"] } }];
    await Deno.writeTextFile(`${dir}/01_a.ipynb`, JSON.stringify(built));
    assert.equal(await runCli(["check", `${dir}/src/01_a.ts`], log, log), 0);
    // … but not once the source changed
    await Deno.writeTextFile(`${dir}/src/01_a.ts`, SOURCE.replace("x + 1", "x + 2"));
    assert.equal(await runCli(["check", `${dir}/src/01_a.ts`], log, log), 1);
    assert.ok(logs.some((l) => l.includes("is out of date")));
    // extract round-trips the cells back to a source file
    await runCli(["build", `${dir}/src/01_a.ts`], log, log);
    await Deno.remove(`${dir}/src/01_a.ts`);
    assert.equal(await runCli(["extract", `${dir}/01_a.ipynb`], log, log), 0);
    assert.deepEqual(
      parseSource(await Deno.readTextFile(`${dir}/src/01_a.ts`)),
      parseSource(SOURCE.replace("x + 1", "x + 2")),
    );
    // new refuses to overwrite without --force
    assert.equal(await runCli(["new", `${dir}/02_b.ipynb`], log, log), 0);
    assert.equal(await runCli(["new", `${dir}/02_b.ipynb`], log, log), 1);
    assert.equal(await runCli(["new", `${dir}/02_b.ipynb`, "--force"], log, log), 0);
    const skel = JSON.parse(await Deno.readTextFile(`${dir}/02_b.ipynb`));
    assert.equal(skel.metadata.kernelspec.name, "deno");
    assert.equal(await runCli(["frobnicate"], log, log), 64);
    assert.equal(await runCli(["build", "--bogus"], log, log), 64);
    assert.equal(
      logs.at(-1),
      "nbtool build: unknown option --bogus (closest valid option: --all; see --help)",
    );
    // each command takes only its own flags
    assert.equal(await runCli(["check", "--forc", `${dir}/src/01_a.ts`], log, log), 64);
    assert.match(logs.at(-1)!, /unknown option --forc \(closest valid option: --all;/);
    assert.equal(await runCli(["extract", "--all", `${dir}/01_a.ipynb`], log, log), 64);
    assert.match(logs.at(-1)!, /^nbtool extract: unknown option --all \(closest valid option: /);
    assert.equal(await runCli(["build", "--help"], log, log), 0);
    assert.ok(logs.at(-1)!.startsWith("Usage: "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
