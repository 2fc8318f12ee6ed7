// Tests of scripts/reproduce.ts. The unit tests need no Jupyter: the notebook runner is replaced by
// a fake "python" shell script. One integration test runs a real notebook through nbclient and the
// Deno kernel; it is skipped when those are not installed.
import assert from "node:assert/strict";
import {
  type CellError,
  ensureDenoKernel,
  executeNotebook,
  extractError,
  findPython,
  formatCellError,
  INSTALL_HINT,
  parseArgs,
  selectNotebooks,
  stripAnsi,
  ToolingError,
  UsageError,
} from "../scripts/reproduce.ts";

// ------------------------------------------------------------------------------ argument parsing

Deno.test("parseArgs: defaults are paper scale, in place, no timeout", () => {
  const o = parseArgs([]);
  assert.equal(o.quick, false);
  assert.deepEqual(o.only, []);
  assert.equal(o.out, undefined);
  assert.equal(o.timeout, undefined);
});

Deno.test("parseArgs: --quick implies a 600 s cell timeout unless --timeout is given", () => {
  assert.equal(parseArgs(["--quick"]).timeout, 600);
  assert.equal(parseArgs(["--quick", "--timeout", "30"]).timeout, 30);
  assert.equal(parseArgs(["--timeout=90", "--quick"]).timeout, 90);
});

Deno.test("parseArgs: --only is repeatable and comma-separated; --out and flags", () => {
  const o = parseArgs([
    "--only",
    "01,03",
    "--only=05_x",
    "--out",
    "/tmp/o",
    "--keep-going",
    "--verbose",
  ]);
  assert.deepEqual(o.only, ["01", "03", "05_x"]);
  assert.equal(o.out, "/tmp/o");
  assert.equal(o.keepGoing, true);
  assert.equal(o.verbose, true);
  assert.equal(parseArgs(["-h"]).help, true);
});

Deno.test("parseArgs: bad arguments are UsageErrors naming them", () => {
  assert.throws(
    () => parseArgs(["--bogus"]),
    (e) => e instanceof UsageError && /"--bogus"/.test(e.message),
  );
  assert.throws(() => parseArgs(["--only"]), /--only needs a value/);
  assert.throws(() => parseArgs(["--only", "--quick"]), /--only needs a value/);
  assert.throws(() => parseArgs(["--only", ","]), /--only needs a notebook prefix/);
  assert.throws(() => parseArgs(["--only", "notebooks/01"]), /prefixes, not paths/);
  assert.throws(
    () => parseArgs(["--timeout", "soon"]),
    /--timeout must be a positive number of seconds, got "soon"/,
  );
  assert.throws(() => parseArgs(["--timeout", "0"]), /got "0"/);
  assert.throws(() => parseArgs(["--quick=yes"]), /--quick takes no value/);
});

// ---------------------------------------------------------------------------- notebook selection

Deno.test("selectNotebooks keeps sorted NN_*.ipynb names and filters by prefix", () => {
  const names = [
    "03_transfer.ipynb",
    "01_construction.ipynb",
    "README.md",
    "x.ipynb",
    "02_conv.ipynb",
  ];
  assert.deepEqual(selectNotebooks(names, []), [
    "01_construction.ipynb",
    "02_conv.ipynb",
    "03_transfer.ipynb",
  ]);
  assert.deepEqual(selectNotebooks(names, ["03", "01"]), [
    "01_construction.ipynb",
    "03_transfer.ipynb",
  ]);
  assert.deepEqual(selectNotebooks(names, ["02_c"]), ["02_conv.ipynb"]);
  assert.throws(() => selectNotebooks(names, ["09"]), /--only 09 matches no notebook \(have: 01_/);
});

// ------------------------------------------------------------------------------ error extraction

const executed = {
  cells: [
    { cell_type: "markdown", source: ["# t"] },
    {
      cell_type: "code",
      execution_count: 1,
      outputs: [{ output_type: "stream", text: ["ok\n"] }],
      source: "1",
    },
    {
      cell_type: "code",
      execution_count: 2,
      source: ["const n = -1;\n", "check(n);"],
      outputs: [
        { output_type: "stream", name: "stdout", text: ["before\n"] },
        {
          output_type: "error",
          ename: "RangeError",
          evalue: "n must be an integer in [1, Infinity], got -1",
          traceback: [
            "\x1b[31mRangeError\x1b[0m: n must be …",
            "    at check (file:///lib/x.ts:3:9)\n    at <anonymous>:2:1",
          ],
        },
      ],
    },
    { cell_type: "code", execution_count: null, outputs: [], source: "later" },
  ],
};

Deno.test("extractError finds the first error output: cell index, In [n], ename, evalue", () => {
  const err = extractError(executed)!;
  assert.equal(err.index, 2);
  assert.equal(err.executionCount, 2);
  assert.equal(err.ename, "RangeError");
  assert.equal(err.evalue, "n must be an integer in [1, Infinity], got -1");
  assert.deepEqual(err.traceback, [
    "RangeError: n must be …",
    "    at check (file:///lib/x.ts:3:9)",
    "    at <anonymous>:2:1",
  ]);
  assert.equal(err.source, "const n = -1;\ncheck(n);");
  assert.equal(extractError({ cells: [executed.cells[1]] }), null);
  assert.throws(() => extractError({}), /not a notebook/);
});

Deno.test("formatCellError names notebook, cell and error, with the traceback tail", () => {
  const err = extractError(executed) as CellError;
  const text = formatCellError("02_conv.ipynb", err, 2);
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    "02_conv.ipynb: cell 2 (In [2]) failed: RangeError: n must be an integer in [1, Infinity], got -1",
  );
  assert.ok(text.includes("    | check(n);"));
  assert.ok(text.includes("traceback (last 2 lines):"));
  assert.ok(text.endsWith("    at <anonymous>:2:1"));
  assert.equal(stripAnsi("\x1b[1;31mX\x1b[0m"), "X");
});

// ------------------------------------------------------------------------- tooling & execution

Deno.test("findPython without Jupyter explains how to install it", async () => {
  await assert.rejects(
    () => findPython("/nonexistent/python3"),
    (e) =>
      e instanceof ToolingError && e.message.includes("apt-get install -y") &&
      e.message.includes(INSTALL_HINT),
  );
});

/** A fake runner: copies $FAKE_NB to the requested output path and exits with $FAKE_STATUS. */
async function fakePython(dir: string): Promise<string> {
  const path = `${dir}/fake-python`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh
out=$(printf '%s' "$3" | sed -E 's/.*"output":"([^"]*)".*/\\1/')
[ -n "$FAKE_NB" ] && cat "$FAKE_NB" > "$out"
echo '{"event": "kernel_ready", "seconds": 0.25}'
echo 'noise that is not an event'
[ -n "$FAKE_FATAL" ] && echo "$FAKE_FATAL"
exit \${FAKE_STATUS:-0}
`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

async function fixture() {
  const dir = await Deno.makeTempDir();
  const python = await fakePython(dir);
  const input = `${dir}/01_a.ipynb`;
  await Deno.writeTextFile(input, '{"cells": []}\n');
  const settings = (env: Record<string, string | null>) => ({
    python,
    kernel: "deno",
    cwd: dir,
    env,
    failDir: `${dir}/failed`,
    log: () => {},
  });
  return { dir, input, settings };
}

Deno.test("executeNotebook replaces the output atomically on success", async () => {
  const { dir, input, settings } = await fixture();
  try {
    await Deno.writeTextFile(`${dir}/done.json`, '{"cells": [], "executed": true}\n');
    const r = await executeNotebook(
      input,
      input,
      settings({ FAKE_NB: `${dir}/done.json`, FAKE_STATUS: "0" }),
    );
    assert.equal(r.ok, true);
    assert.equal(r.kernelSeconds, 0.25);
    assert.equal(await Deno.readTextFile(input), '{"cells": [], "executed": true}\n');
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes(".tmp-"));
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("executeNotebook leaves the original untouched on a cell error and reports the cell", async () => {
  const { dir, input, settings } = await fixture();
  try {
    await Deno.writeTextFile(`${dir}/partial.json`, JSON.stringify(executed));
    const r = await executeNotebook(
      input,
      input,
      settings({ FAKE_NB: `${dir}/partial.json`, FAKE_STATUS: "1" }),
    );
    assert.equal(r.ok, false);
    assert.match(r.error!, /^01_a\.ipynb: cell 2 \(In \[2\]\) failed: RangeError: n must be/);
    assert.equal(await Deno.readTextFile(input), '{"cells": []}\n', "original untouched");
    assert.equal(r.partial, `${dir}/failed/01_a.ipynb`);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(r.partial!)), executed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("executeNotebook reports a timeout or a dead kernel from the runner's events", async () => {
  const { dir, input, settings } = await fixture();
  try {
    await Deno.writeTextFile(`${dir}/clean.json`, '{"cells": []}');
    const fatal =
      '{"event": "fatal", "kind": "timeout", "index": 4, "message": "Cell execution timed out"}';
    const r = await executeNotebook(input, input, {
      ...settings({ FAKE_NB: `${dir}/clean.json`, FAKE_STATUS: "3", FAKE_FATAL: fatal }),
      timeout: 5,
    });
    assert.equal(r.ok, false);
    assert.match(r.error!, /01_a\.ipynb: cell timed out after 5 s \(raise --timeout\) in cell 4/);
    const dead = '{"event": "fatal", "kind": "dead_kernel", "index": 1, "message": "Kernel died"}';
    const r2 = await executeNotebook(
      input,
      input,
      settings({ FAKE_STATUS: "3", FAKE_FATAL: dead }),
    );
    assert.match(r2.error!, /the kernel died .* in cell 1/);
    assert.equal(r2.partial, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------- optional integration test

/**
 * Python with nbclient, or null when Jupyter is not installed (the only case in which the
 * integration test is skipped; CI installs Jupyter first). A missing Deno kernelspec is not a
 * reason to skip: the test writes its own into a temporary `JUPYTER_PATH` entry, so it never
 * touches the user's Jupyter configuration.
 */
async function realJupyter(): Promise<{ python: string; kernels: Record<string, string> } | null> {
  try {
    return await findPython();
  } catch {
    console.warn(
      "integration test skipped: no Python with Jupyter (apt-get install -y jupyter-nbconvert " +
        "python3-nbclient python3-ipykernel)",
    );
    return null;
  }
}
const jupyter = await realJupyter();

Deno.test({
  name: "integration: a notebook runs under the Deno kernel with cwd notebooks/ and the import map",
  ignore: jupyter === null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
      const cell = (source: string) => ({
        cell_type: "code",
        execution_count: null,
        id: `c${source.length}`,
        metadata: {},
        outputs: [],
        source,
      });
      const nb = {
        cells: [
          cell(`import { figure, lineChart } from "${root}/lib/report/mod.ts";\nDeno.cwd()`),
          cell('import * as vl from "vega-lite";\nvl.version'),
          cell(
            'await figure(lineChart({ rows: [{ x: 0, y: 1 }, { x: 1, y: 2 }], x: "x", y: "y", title: "t", xTitle: "x", yTitle: "y" }))',
          ),
          cell('Deno.env.get("ICRL_SCALE")'),
        ],
        metadata: { kernelspec: { display_name: "Deno", language: "typescript", name: "deno" } },
        nbformat: 4,
        nbformat_minor: 5,
      };
      await Deno.writeTextFile(`${dir}/90_t.ipynb`, JSON.stringify(nb));
      const probe = await findPython();
      const kdir = `${dir}/jupyter/kernels/icrl-test-deno`;
      await Deno.mkdir(kdir, { recursive: true });
      await Deno.writeTextFile(
        `${kdir}/kernel.json`,
        JSON.stringify({
          argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
          display_name: "Deno (test)",
          language: "typescript",
        }),
      );
      const kernel = "icrl-test-deno";
      const r = await executeNotebook(`${dir}/90_t.ipynb`, `${dir}/90_t.ipynb`, {
        python: probe.python,
        kernel,
        cwd: `${root}/notebooks`,
        timeout: 120,
        env: { ICRL_SCALE: "quick", NO_COLOR: "1", JUPYTER_PATH: `${dir}/jupyter` },
        failDir: `${dir}/failed`,
        log: () => {},
      });
      assert.equal(r.ok, true, r.error ?? "");
      const out = JSON.parse(await Deno.readTextFile(`${dir}/90_t.ipynb`));
      const data = (i: number) => {
        assert.ok(
          out.cells[i].outputs.length > 0,
          `cell ${i} has no output: ${JSON.stringify(out.cells[i])}`,
        );
        return out.cells[i].outputs[0].data;
      };
      assert.equal(data(0)["text/plain"].join(""), JSON.stringify(`${root}/notebooks`));
      assert.match(data(1)["text/plain"].join(""), /^"6\./);
      assert.match(data(2)["image/svg+xml"].join(""), /^<svg /);
      assert.ok(data(2)["application/vnd.vegalite.v5+json"]);
      assert.equal(data(3)["text/plain"].join(""), '"quick"');
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("ensureDenoKernel keeps a kernelspec whose deno binary exists (nothing installed)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/kernel.json`,
      JSON.stringify({
        argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
      }),
    );
    const logged: string[] = [];
    const name = await ensureDenoKernel(
      { python: "python3", missing: [], kernels: { deno: dir } },
      (s) => logged.push(s),
    );
    assert.equal(name, "deno");
    assert.deepEqual(logged, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
