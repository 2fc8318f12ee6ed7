// Tests of scripts/reproduce.ts (with scripts/reproduce/): the command line, the output directory checks, commit-on-success,
// and end to end on a scratch git repository: a failing cell, SIGINT and SIGKILL leave the
// committed tree untouched and no kernel running.
import assert from "node:assert/strict";
import { UsageError } from "../../scripts/cli.ts";
import { parseArgs, USAGE } from "../../scripts/reproduce/args.ts";
import { commitStaging, prepareOutDir, selectNotebooks } from "../../scripts/reproduce/staging.ts";
import { fmtSeconds } from "../../scripts/reproduce/terminal.ts";
import {
  type CellError,
  extractError,
  formatCellError,
  stripAnsi,
} from "../../scripts/run_notebook.ts";
import { serializeNotebook, toNotebook } from "../../scripts/notebook/ipynb.ts";

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
  assert.equal(parseArgs(["-v"]).verbose, true);
});

Deno.test("the usage text names every flag the parser accepts", () => {
  for (const flag of ["--quick", "--only", "--out", "--timeout", "--keep-going", "--list"]) {
    assert.ok(USAGE.includes(flag), flag);
  }
  for (const flag of ["-v, --verbose", "-h, --help"]) assert.ok(USAGE.includes(flag), flag);
});

Deno.test("fmtSeconds: seconds, then minutes and seconds, then hours and minutes", () => {
  assert.equal(fmtSeconds(12.34), "12.3 s");
  assert.equal(fmtSeconds(245), "4 min 05 s");
  assert.equal(fmtSeconds(7380), "2 h 03 min");
});

Deno.test("parseArgs: bad arguments are UsageErrors naming them", () => {
  assert.throws(
    () => parseArgs(["--bogus"]),
    (e) =>
      e instanceof UsageError &&
      e.message === "unknown option --bogus (closest valid option: --out; see --help)",
  );
  assert.throws(() => parseArgs(["--keepgoing"]), /closest valid option: --keep-going;/);
  assert.throws(() => parseArgs(["-q"]), /unknown option -q \(closest valid option: -v;/);
  assert.throws(() => parseArgs(["--only"]), /'--only <value>' argument missing/);
  assert.throws(() => parseArgs(["--only", "--quick"]), /'--only' argument is ambiguous/);
  assert.throws(() => parseArgs(["01"]), /Unexpected argument '01'/);
  assert.throws(() => parseArgs(["--out", ""]), /--out needs a directory/);
  assert.throws(() => parseArgs(["--only", ","]), /--only needs a notebook prefix/);
  assert.throws(() => parseArgs(["--only", "notebooks/01"]), /prefixes, not paths/);
  assert.throws(
    () => parseArgs(["--timeout", "soon"]),
    /--timeout must be a positive number of seconds, got "soon"/,
  );
  assert.throws(() => parseArgs(["--timeout", "0"]), /got "0"/);
  assert.throws(() => parseArgs(["--quick=yes"]), /'--quick' does not take an argument/);
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

// ---------------------------------------------------------------------------- output directories

Deno.test("prepareOutDir creates a missing directory and refuses a file or an impossible path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await prepareOutDir(`${dir}/a/b`), `${dir}/a/b`);
    assert.ok(Deno.statSync(`${dir}/a/b`).isDirectory);
    assert.deepEqual([...Deno.readDirSync(`${dir}/a/b`)], [], "no probe file left behind");
    await Deno.writeTextFile(`${dir}/f`, "");
    await assert.rejects(
      () => prepareOutDir(`${dir}/f`),
      (e) => e instanceof UsageError && e.message === `--out ${dir}/f: not a directory`,
    );
    await assert.rejects(
      () => prepareOutDir(`${dir}/f/sub`),
      (e) => e instanceof UsageError && e.message.startsWith(`--out ${dir}/f/sub: `),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("commitStaging moves every staged file to the same place under dest and removes staging", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const st = `${dir}/dest/.icrl-staging/01_a-1`;
    await Deno.mkdir(`${st}/data/models`, { recursive: true });
    await Deno.mkdir(`${st}/notebooks`, { recursive: true });
    await Deno.writeTextFile(`${st}/data/x.csv`, "new");
    await Deno.writeTextFile(`${st}/data/models/m.json`, "{}");
    await Deno.writeTextFile(`${st}/notebooks/01_a.ipynb`, "nb");
    await Deno.mkdir(`${dir}/dest/data`, { recursive: true });
    await Deno.writeTextFile(`${dir}/dest/data/x.csv`, "old");
    await Deno.writeTextFile(`${dir}/dest/data/keep.csv`, "kept");
    const moved = await commitStaging(st, `${dir}/dest`);
    assert.deepEqual(moved, ["data/models/m.json", "data/x.csv", "notebooks/01_a.ipynb"]);
    assert.equal(Deno.readTextFileSync(`${dir}/dest/data/x.csv`), "new");
    assert.equal(Deno.readTextFileSync(`${dir}/dest/data/keep.csv`), "kept");
    assert.equal(Deno.readTextFileSync(`${dir}/dest/notebooks/01_a.ipynb`), "nb");
    assert.throws(() => Deno.statSync(st), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------- end to end on a scratch git repository

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Write the notebook's data to the staging output, plus the kernel's pid. */
const WRITE_CELL = `const out = Deno.env.get("ICRL_OUT");
await Deno.mkdir(out + "/data", { recursive: true });
await Deno.writeTextFile(out + "/data/01_t.csv", "new\\n");
await Deno.writeTextFile(out + "/kernel.pid", String(Deno.pid));`;

async function git(dir: string, ...args: string[]): Promise<string> {
  const r = await new Deno.Command("git", {
    args: ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.org", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  return new TextDecoder().decode(r.stdout);
}

/** A committed scratch repository with notebook 01_t (the given code cells) and data/01_t.csv. */
async function scratchRepo(cells: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "icrl-reproduce-test-" });
  await Deno.mkdir(`${dir}/notebooks`);
  await Deno.mkdir(`${dir}/data`);
  const nb = toNotebook(cells.map((source) => ({ kind: "code" as const, source })));
  await Deno.writeTextFile(`${dir}/notebooks/01_t.ipynb`, serializeNotebook(nb));
  await Deno.writeTextFile(`${dir}/data/01_t.csv`, "committed\n");
  await Deno.copyFile(`${ROOT}/.gitignore`, `${dir}/.gitignore`);
  await Deno.writeTextFile(
    `${dir}/driver.ts`,
    `import { main } from ${JSON.stringify(`${ROOT}/scripts/reproduce.ts`)};\n` +
      `Deno.exit(await main(Deno.args, { root: ${JSON.stringify(dir)} }));\n`,
  );
  await git(dir, "init", "-q");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "scratch");
  return dir;
}

function spawnReproduce(dir: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${ROOT}/deno.json`, `${dir}/driver.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/**
 * True while `pid` runs (a zombie counts as ended), asked of `ps`; where `ps` is missing, whether
 * the process still accepts a (harmless) SIGCONT.
 */
function alive(pid: number): boolean {
  let r: Deno.CommandOutput;
  try {
    r = new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)], stdout: "piped" })
      .outputSync();
  } catch {
    try {
      Deno.kill(pid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  }
  const stat = new TextDecoder().decode(r.stdout).trim();
  return r.success && stat !== "" && !stat.startsWith("Z");
}

async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stagedPid(dir: string, reproducePid: number): number | null {
  try {
    return Number(
      Deno.readTextFileSync(`${dir}/.icrl-staging/01_t-${reproducePid}/kernel.pid`),
    );
  } catch {
    return null;
  }
}

Deno.test("reproduce commits a successful notebook's outputs and leaves no staging behind", async () => {
  const dir = await scratchRepo([WRITE_CELL, "'done'"]);
  try {
    const r = await spawnReproduce(dir, ["--only", "01"]).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, err);
    assert.equal(Deno.readTextFileSync(`${dir}/data/01_t.csv`), "new\n");
    const nb = JSON.parse(Deno.readTextFileSync(`${dir}/notebooks/01_t.ipynb`));
    assert.deepEqual(nb.cells[1].outputs[0].data, { "text/plain": ['"done"'] });
    assert.throws(() => Deno.statSync(`${dir}/.icrl-staging`), Deno.errors.NotFound);
    assert.match(new TextDecoder().decode(r.stdout), /\[1\/1\] 01_t\.ipynb ok in \d/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing cell leaves the committed tree clean and names notebook, cell, error, partial output", async () => {
  const dir = await scratchRepo([WRITE_CELL, 'throw new TypeError("boom in cell 1")', "'x'"]);
  try {
    const r = await spawnReproduce(dir, ["--only", "01"]).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 1, err);
    assert.equal(await git(dir, "status", "--porcelain"), "", "git status clean");
    assert.match(err, /01_t\.ipynb: cell 1 \(In \[2\]\) failed: TypeError: boom in cell 1/);
    const m = /partial output \(executed notebook, data, figures\): (\S+)/.exec(err);
    assert.ok(m, err);
    assert.equal(Deno.readTextFileSync(`${m[1]}/data/01_t.csv`), "new\n");
    const partial = JSON.parse(Deno.readTextFileSync(`${m[1]}/notebooks/01_t.ipynb`));
    assert.equal(partial.cells[1].outputs[0].ename, "TypeError");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test(`${signal} during a cell leaves the committed tree clean and no kernel running`, async () => {
    const dir = await scratchRepo([WRITE_CELL, "await new Promise((r) => setTimeout(r, 60_000))"]);
    try {
      const child = spawnReproduce(dir, ["--only", "01"]);
      let kernelPid: number | null = null;
      await waitFor("the kernel to start the notebook", () => {
        kernelPid = stagedPid(dir, child.pid);
        return kernelPid !== null && kernelPid > 0;
      });
      assert.ok(alive(kernelPid!));
      child.kill(signal);
      const r = await child.output();
      const err = new TextDecoder().decode(r.stderr);
      if (signal === "SIGINT") {
        assert.equal(r.code, 130, err);
        assert.match(err, /01_t\.ipynb interrupted \(SIGINT\); nothing in .* changed/);
      } else assert.equal(r.signal, "SIGKILL");
      await waitFor(`kernel ${kernelPid} to end`, () => !alive(kernelPid!), 10_000);
      assert.equal(await git(dir, "status", "--porcelain"), "", "git status clean");
      assert.equal(Deno.readTextFileSync(`${dir}/data/01_t.csv`), "committed\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
