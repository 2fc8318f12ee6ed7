// Tests of the model search path (lib/report/env.ts), the quick-scale scratch output, the CPU
// record of manifests, and loading trained blocks with their configuration check
// (lib/experiments/trained_blocks.ts).
import assert from "node:assert/strict";
import { withEnv } from "../helpers.ts";
import {
  findModelFile,
  machineInfo,
  modelSearchPath,
  outDir,
  readManifest,
  repoRoot,
  writeManifest,
} from "../../lib/report/mod.ts";
import {
  configMismatches,
  loadTrainedBlocks,
  TrainedBlockMismatchError,
} from "../../lib/experiments/trained_blocks.ts";
import { convergenceSettings } from "../../lib/experiments/convergence.ts";

const COMMITTED = `${repoRoot()}/data/models`;

/** Write `sarsa_restricted_seed{seed}.json` into `dir`: a committed block with `config` swapped in. */
async function writeBlock(dir: string, seed: number, config: Record<string, unknown>) {
  const body = JSON.parse(
    await Deno.readTextFile(`${COMMITTED}/sarsa_restricted_seed${seed}.json`),
  );
  body.config = config;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/sarsa_restricted_seed${seed}.json`, JSON.stringify(body));
}

const quickConfig = (seed: number) =>
  convergenceSettings("quick").main.find((c) => c.seed === seed)! as unknown as Record<
    string,
    unknown
  >;

Deno.test("configMismatches lists differing shared keys, ignoring logEvery and keys only one side has", () => {
  assert.deepEqual(
    configMismatches(
      { K: 256, T: 100, logEvery: 1, task: { n: 20 }, old: 1 },
      { K: 10_000, T: 100, logEvery: 500, task: { n: 10 }, added: 2 },
    ),
    ["K: 256 (expected 10000)", 'task: {"n":20} (expected {"n":10})'],
  );
  assert.deepEqual(configMismatches({ K: 1 }, { K: 1 }), []);
  assert.throws(() => configMismatches(null as unknown as Record<string, unknown>, {}), TypeError);
});

Deno.test("modelSearchPath: the run's output, then ICRL_MODELS entries, then the committed data/models", async () => {
  await withEnv({ ICRL_OUT: "/x/out", ICRL_MODELS: "/m1::/m2", ICRL_SCALE: "quick" }, () => {
    assert.deepEqual(modelSearchPath(), [
      { dir: "/x/out/data/models", origin: "this run's output" },
      { dir: "/m1", origin: "ICRL_MODELS" },
      { dir: "/m2", origin: "ICRL_MODELS" },
      { dir: COMMITTED, origin: "committed" },
    ]);
  });
  await withEnv({ ICRL_OUT: repoRoot(), ICRL_MODELS: COMMITTED }, () => {
    assert.deepEqual(modelSearchPath(), [{ dir: COMMITTED, origin: "this run's output" }]);
  });
  await withEnv({ ICRL_OUT: undefined, ICRL_MODELS: undefined }, () => {
    assert.deepEqual(modelSearchPath(), [{ dir: COMMITTED, origin: "committed" }]);
    assert.throws(
      () => findModelFile("nope_seed0.json"),
      new RegExp(`nope_seed0\\.json not found in ${COMMITTED} \\(committed\\)`),
    );
    assert.throws(() => findModelFile("../x.json"), /bare file name/);
  });
});

Deno.test("outDir at quick scale without ICRL_OUT is one printed temporary directory, never the repository", async () => {
  const said: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => said.push(a.join(" "));
  try {
    await withEnv({ ICRL_OUT: undefined, ICRL_SCALE: "quick" }, () => {
      const a = outDir();
      assert.notEqual(a, repoRoot());
      assert.ok(!a.startsWith(repoRoot() + "/"));
      assert.ok(Deno.statSync(a).isDirectory);
      assert.equal(outDir(), a, "same directory for the whole process");
      assert.equal(said.length, 1);
      assert.ok(said[0].includes(a));
      Deno.removeSync(a, { recursive: true });
    });
  } finally {
    console.log = log;
  }
});

Deno.test("loadTrainedBlocks takes the run's own quick blocks, says where from", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const s of [0, 1]) await writeBlock(`${dir}/data/models`, s, quickConfig(s));
    await withEnv({ ICRL_OUT: dir, ICRL_MODELS: undefined, ICRL_SCALE: "quick" }, async () => {
      const t = await loadTrainedBlocks([0, 1], "quick");
      assert.equal(t.scale, "quick");
      assert.deepEqual(t.blocks.map((b) => [b.seed, b.origin, b.config.K]), [
        [0, "this run's output", 256],
        [1, "this run's output", 256],
      ]);
      assert.equal(
        t.source,
        `2 trained blocks (quick scale, K = 256, T = 100) from ${dir}/data/models (this run's output)`,
      );
    });
    await withEnv({ ICRL_OUT: `${dir}/empty`, ICRL_MODELS: `${dir}/data/models` }, async () => {
      const t = await loadTrainedBlocks([1], "quick");
      assert.equal(t.blocks[0].origin, "ICRL_MODELS");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadTrainedBlocks at quick scale falls back to the committed paper blocks and says so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await withEnv({ ICRL_OUT: dir, ICRL_MODELS: undefined }, async () => {
      const t = await loadTrainedBlocks([0, 1], "quick");
      assert.equal(t.scale, "paper");
      assert.deepEqual(t.blocks.map((b) => b.origin), ["committed", "committed"]);
      assert.match(t.source, /paper scale, K = 10000, T = 1000; no quick-scale blocks found/);
      const p = await loadTrainedBlocks([3], "paper");
      assert.equal(p.blocks[0].config.seed, 3);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadTrainedBlocks names the file and the differing keys of a block trained otherwise", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paper0 = convergenceSettings("paper").main[0] as unknown as Record<string, unknown>;
    await writeBlock(`${dir}/data/models`, 0, { ...paper0, K: 999, lr: 0.5 });
    await withEnv({ ICRL_OUT: dir, ICRL_MODELS: undefined }, async () => {
      await assert.rejects(
        () => loadTrainedBlocks([0], "paper"),
        (e) =>
          e instanceof TrainedBlockMismatchError &&
          e.message.startsWith(
            `${dir}/data/models/sarsa_restricted_seed0.json (this run's output)`,
          ) &&
          e.message.includes("K: 999 (expected 10000); lr: 0.5 (expected 0.001)"),
      );
      // a quick block for seed 0 beside a committed paper block for seed 1: mixed scales
      await writeBlock(`${dir}/data/models`, 0, quickConfig(0));
      await assert.rejects(() => loadTrainedBlocks([0, 1], "quick"), /mix scales/);
      // a quick block where the run is at paper scale
      await assert.rejects(() => loadTrainedBlocks([0], "paper"), /K: 256 \(expected 10000\)/);
    });
    await assert.rejects(() => loadTrainedBlocks([], "paper"), RangeError);
    await assert.rejects(
      () => loadTrainedBlocks([0], "huge" as "paper"),
      /scale must be "quick" or "paper", got huge/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("machineInfo reports the CPU model and logical core count the OS reports", () => {
  const m = machineInfo();
  assert.equal(m.cores, navigator.hardwareConcurrency);
  let cpuinfo = "";
  try {
    cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  } catch { /* not Linux: only the shape can be checked */ }
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  if (model) assert.equal(m.cpu, model.trim().replace(/\s+/g, " "));
  else assert.ok(m.cpu.length > 0);
});

Deno.test("manifests record the machine: CPU model and core count", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeManifest(`${dir}/t.manifest.json`, {
      name: "t",
      config: {},
      seeds: [0],
      wallTimeSec: 1,
    });
    const m = readManifest(`${dir}/t.manifest.json`);
    assert.equal(m.platform.cpu, machineInfo().cpu);
    assert.equal(m.platform.cores, navigator.hardwareConcurrency);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
