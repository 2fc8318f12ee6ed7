// Tests of lib/report/manifest.ts: run manifests with config, seeds, versions and git state.
import assert from "node:assert/strict";
import {
  comparableManifest,
  gitInfo,
  libraryVersions,
  MANIFEST_VERSION,
  readManifest,
  writeManifest,
} from "../../lib/report/mod.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const input = {
  name: "02_convergence",
  config: { K: 20, T: 50, lr: 1e-3, nested: { eps: 0.1 } },
  seeds: { train: [0, 1, 2], eval: 100 },
  wallTimeSec: 12.5,
  extra: { finalLoss: 1.25e-6 },
};

Deno.test("writeManifest records config, seeds, versions, platform and round-trips", async () => {
  await withTempDir(async (dir) => {
    const m = await writeManifest(`${dir}/run.manifest.json`, input);
    assert.equal(m.manifestVersion, MANIFEST_VERSION);
    assert.deepEqual(m.config, input.config);
    assert.deepEqual(m.seeds, input.seeds);
    assert.equal(m.wallTimeSec, 12.5);
    assert.deepEqual(m.extra, input.extra);
    assert.equal(m.versions.deno, Deno.version.deno);
    assert.equal(m.versions["nodejs-polars"], "0.25.2");
    assert.match(m.versions["@tensorflow/tfjs"], /^\d+\.\d+\.\d+$/);
    assert.match(m.versions.vega, /^6\./);
    assert.match(m.versions["vega-lite"], /^6\./);
    assert.equal(m.platform.os, Deno.build.os);
    assert.ok(typeof m.git.commit === "string" && m.git.commit.length > 0);
    // HEAD of this checkout, as git itself reports it ("unknown" where git cannot say)
    let head = "unknown";
    try {
      const out = new Deno.Command("git", {
        args: ["rev-parse", "HEAD"],
        cwd: new URL("../..", import.meta.url).pathname,
        stdout: "piped",
        stderr: "null",
      }).outputSync();
      if (out.success) head = new TextDecoder().decode(out.stdout).trim();
    } catch { /* no git binary: the manifest says "unknown" too */ }
    assert.equal(m.git.commit, head);
    assert.ok(!Number.isNaN(Date.parse(m.createdAt)));
    assert.deepEqual(readManifest(`${dir}/run.manifest.json`), m);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run.manifest.json"]);
  });
});

Deno.test("comparableManifest drops only the volatile fields", async () => {
  await withTempDir(async (dir) => {
    const a = await writeManifest(`${dir}/a.json`, input);
    const b = await writeManifest(`${dir}/b.json`, { ...input, wallTimeSec: 99 });
    assert.deepEqual(comparableManifest(a), comparableManifest(b));
    assert.equal("createdAt" in comparableManifest(a), false);
    assert.equal("wallTimeSec" in comparableManifest(a), false);
  });
});

Deno.test("writeManifest rejects bad inputs, naming them", async () => {
  await withTempDir(async (dir) => {
    const p = `${dir}/m.json`;
    await assert.rejects(() => writeManifest(`${dir}/m.txt`, input), /path must end in \.json/);
    await assert.rejects(
      () => writeManifest(p, { ...input, name: "" }),
      /name must be a non-empty string/,
    );
    await assert.rejects(
      () => writeManifest(p, { ...input, config: { lr: Number.NaN } }),
      /config is not JSON-serialisable: contains the number NaN/,
    );
    await assert.rejects(
      () => writeManifest(p, { ...input, seeds: [0.5] }),
      /seeds must be integers or named integer lists, got \[0\.5\]/,
    );
    await assert.rejects(
      () => writeManifest(p, { ...input, wallTimeSec: -1 }),
      /wallTimeSec must be a finite number ≥ 0, got -1/,
    );
  });
});

Deno.test("readManifest names the file and the bad field", async () => {
  await withTempDir(async (dir) => {
    assert.throws(() => readManifest(`${dir}/none.json`), /cannot read .*none\.json/);
    Deno.writeTextFileSync(`${dir}/bad.json`, "{ not json");
    assert.throws(() => readManifest(`${dir}/bad.json`), /bad\.json is not valid JSON/);
    const m = await writeManifest(`${dir}/ok.json`, input);
    Deno.writeTextFileSync(`${dir}/nogit.json`, JSON.stringify({ ...m, git: { commit: 1 } }));
    assert.throws(() => readManifest(`${dir}/nogit.json`), /nogit\.json: field "git" must be/);
    Deno.writeTextFileSync(`${dir}/v.json`, JSON.stringify({ ...m, manifestVersion: 99 }));
    assert.throws(() => readManifest(`${dir}/v.json`), /field "manifestVersion" must be 1, got 99/);
  });
});

Deno.test("gitInfo never throws outside a repository", async () => {
  await withTempDir((dir) => {
    assert.deepEqual(gitInfo(dir), { commit: "unknown", dirty: null });
    return Promise.resolve();
  });
});

Deno.test("libraryVersions lists runtime and pinned imports, sorted", async () => {
  const v = await libraryVersions();
  const keys = Object.keys(v);
  assert.deepEqual(keys, [...keys].sort((a, b) => a.localeCompare(b)));
  assert.equal(v["@resvg/resvg-js"], "2.6.2");
  assert.equal(v.typescript, Deno.version.typescript);
});
