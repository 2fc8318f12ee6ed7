// Tests of scripts/cli.ts: node:util parseArgs wrapped into usage errors that name an unknown flag
// and the closest valid one; the repository root; and the command lines built on it.
import assert from "node:assert/strict";
import { flagNames, parseFlags, repoRoot, UsageError } from "../../scripts/cli.ts";
import { parseArgs as parsePretrainArgs } from "../../scripts/pretrain.ts";
import { main as buildWasm } from "../../scripts/build_wasm.ts";

Deno.test("flagNames lists long flags and short aliases", () => {
  const options = {
    quick: { type: "boolean" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  } as const;
  assert.deepEqual(flagNames(options), ["--quick", "--out", "--help", "-h"]);
  assert.deepEqual(flagNames({}), []);
});

Deno.test("parseFlags returns typed values and positionals; every problem is a UsageError", () => {
  const options = {
    all: { type: "boolean" },
    only: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  } as const;
  const r = parseFlags(["a", "--only=1", "--all", "--only", "2", "-h", "--", "--x"], options, {
    allowPositionals: true,
  });
  assert.deepEqual({ ...r.values }, { only: ["1", "2"], all: true, help: true });
  assert.deepEqual(r.positionals, ["a", "--x"], "after -- everything is positional");
  const usage = (args: string[], message: string | RegExp) =>
    assert.throws(
      () => parseFlags(args, options),
      (e) =>
        e instanceof UsageError &&
        (typeof message === "string" ? e.message === message : message.test(e.message)),
    );
  usage(["--al"], "unknown option --al (closest valid option: --all; see --help)");
  usage(["--Onyl"], "unknown option --Onyl (closest valid option: --only; see --help)");
  usage(["--only=1", "-z"], "unknown option -z (closest valid option: -h; see --help)");
  usage(["--only"], /^Option '--only <value>' argument missing \(see --help\)$/);
  usage(["--all=yes"], /'--all' does not take an argument/);
  usage(["file"], /Unexpected argument 'file'/);
  assert.throws(() => parseFlags(["--x"], {}), /unknown option --x \(takes no options;/);
});

Deno.test("repoRoot is the checkout holding deno.json and scripts/", () => {
  const root = repoRoot();
  assert.ok(!root.endsWith("/"));
  assert.ok(Deno.statSync(`${root}/deno.json`).isFile);
  assert.ok(Deno.statSync(`${root}/scripts/cli.ts`).isFile);
});

Deno.test("pretrain's command line: flags, backend from the flag or ICRL_BACKEND, clear errors", () => {
  assert.deepEqual(parsePretrainArgs([]), {
    quick: false,
    long: false,
    gonogo: false,
    backend: "wasm",
    help: false,
  });
  assert.deepEqual(parsePretrainArgs(["--gonogo", "--backend=cpu"]), {
    quick: false,
    long: false,
    gonogo: true,
    backend: "cpu",
    help: false,
  });
  assert.equal(parsePretrainArgs(["--long"]).long, true);
  assert.equal(parsePretrainArgs(["--quick"], "webgpu").backend, "webgpu");
  assert.equal(parsePretrainArgs(["--backend", "cpu"], "webgpu").backend, "cpu");
  assert.throws(() => parsePretrainArgs(["--gonogo", "--quik"]), /closest valid option: --quick;/);
  assert.throws(
    () => parsePretrainArgs(["--backend", "gpu"]),
    (e) => e instanceof UsageError && /unknown backend "gpu"/.test(e.message),
  );
  assert.throws(() => parsePretrainArgs(["--backend"]), /argument missing/);
});

Deno.test("build_wasm: --check passes on the committed module; a misspelt flag is exit code 64", async () => {
  const said: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = console.error = (...a: unknown[]) => said.push(a.join(" "));
  try {
    assert.equal(await buildWasm(["--check"]), 0);
    assert.equal(await buildWasm(["--chek"]), 64);
  } finally {
    [console.log, console.error] = [log, error];
  }
  assert.deepEqual(said, [
    "lib/core/wasm/kernels_wasm.ts is up to date",
    "lib/bandits/engine/wasm/transformer_wasm.ts is up to date",
    "build_wasm: unknown option --chek (closest valid option: --check; see --help)",
  ]);
});
