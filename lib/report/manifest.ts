/**
 * Run manifests (DESIGN: "results are tracked with their config", CleanRL style): one JSON file
 * per run with the config, seeds, code version (git commit + dirty flag), library versions and
 * platform. Volatile fields — `createdAt` and `wallTimeSec` — sit at the top level so a comparison
 * can drop them ({@linkcode comparableManifest}).
 *
 * @module
 */

import { join } from "node:path";
import { cpus } from "node:os";
import { repoRoot, runScale, writeFileAtomic } from "./env.ts";

/** Current manifest format version. */
export const MANIFEST_VERSION = 1;

/** What the caller provides to {@linkcode writeManifest}. */
export interface ManifestInput {
  /** Run name, e.g. "02_convergence". */
  name: string;
  /** Every knob of the run (JSON-serialisable). */
  config: Record<string, unknown>;
  /** Seeds used: a list, or named lists/values (e.g. `{ train: [0, 1], eval: 100 }`). */
  seeds: number[] | Record<string, number | number[]>;
  /** Wall-clock time of the run, seconds. */
  wallTimeSec: number;
  /** Anything else worth recording (JSON-serialisable), e.g. summary numbers. */
  extra?: Record<string, unknown>;
}

/** The JSON written by {@linkcode writeManifest}. */
export interface Manifest {
  /** Format version ({@linkcode MANIFEST_VERSION}). */
  manifestVersion: number;
  /** Run name. */
  name: string;
  /** Every knob of the run. */
  config: Record<string, unknown>;
  /** Seeds used. */
  seeds: number[] | Record<string, number | number[]>;
  /** Code version. */
  git: {
    /** `git rev-parse HEAD`, or "unknown". */
    commit: string;
    /** Uncommitted changes outside data/, figures/ and notebook outputs; null if unknown. */
    dirty: boolean | null;
  };
  /** Runtime and library versions ({@linkcode libraryVersions}). */
  versions: Record<string, string>;
  /**
   * `Deno.build` os, arch and target triple, plus the machine's CPU model and logical core count
   * ({@linkcode machineInfo}; absent in manifests written before they were recorded).
   */
  platform: { os: string; arch: string; target: string; cpu?: string; cores?: number };
  /** Run scale from `ICRL_SCALE` ("quick" | "paper"). */
  scale: string;
  /** Caller-provided extras. */
  extra: Record<string, unknown>;
  /** Volatile: ISO-8601 time the manifest was written. */
  createdAt: string;
  /** Volatile: wall-clock time of the run, seconds. */
  wallTimeSec: number;
}

function runGit(args: string[], cwd: string): string | null {
  try {
    const out = new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null" })
      .outputSync();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout);
  } catch {
    return null; // git missing or no --allow-run
  }
}

/**
 * Git commit and dirty flag of the repository holding this module; never throws ("unknown" /
 * null when git, the repository or the permission is missing). Generated outputs (data/,
 * figures/, notebooks/*.ipynb) do not count as dirty: they change while a reproduction runs.
 *
 * @example
 * ```ts
 * gitInfo(); // { commit: "3f2a…", dirty: false }
 * ```
 */
export function gitInfo(cwd: string = repoRoot()): { commit: string; dirty: boolean | null } {
  const head = runGit(["rev-parse", "HEAD"], cwd)?.trim();
  const commit = head && /^[0-9a-f]{7,64}$/.test(head) ? head : "unknown";
  const status = runGit(
    [
      "status",
      "--porcelain",
      "--",
      ".",
      ":(exclude)data",
      ":(exclude)figures",
      ":(exclude)notebooks/*.ipynb",
    ],
    cwd,
  );
  return { commit, dirty: status === null ? null : status.trim().length > 0 };
}

/** Versions pinned in deno.json's import map: `"npm:vega@6.2.0"` → `{ vega: "6.2.0" }`. */
function pinnedVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const cfg = JSON.parse(Deno.readTextFileSync(join(repoRoot(), "deno.json")));
    for (const [name, spec] of Object.entries(cfg.imports ?? {})) {
      const m = /^(?:npm|jsr):(@?[^@]+)@([^/]+)/.exec(String(spec));
      if (m) out[name] = m[2];
    }
  } catch { /* no deno.json: leave empty */ }
  return out;
}

/**
 * Versions of the runtime and of the libraries that shape results: Deno/V8/TypeScript, tfjs
 * (`version_core`), vega, vega-lite (from the loaded modules) and every import pinned in deno.json.
 *
 * @example
 * ```ts
 * (await libraryVersions())["nodejs-polars"]; // "0.25.2"
 * ```
 */
export async function libraryVersions(): Promise<Record<string, string>> {
  const v: Record<string, string> = { ...pinnedVersions() };
  v.deno = Deno.version.deno;
  v.v8 = Deno.version.v8;
  v.typescript = Deno.version.typescript;
  try {
    const tf = await import("@tensorflow/tfjs");
    v["@tensorflow/tfjs"] = tf.version_core;
  } catch { /* keep the pinned version */ }
  try {
    const vega = await import("vega");
    v.vega = vega.version;
  } catch { /* keep the pinned version */ }
  try {
    const vl = await import("vega-lite");
    v["vega-lite"] = vl.version;
  } catch { /* keep the pinned version */ }
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The machine a result was measured on: CPU model (as the OS reports it) and number of logical
 * cores. Never throws: `"unknown"` / the runtime's `hardwareConcurrency` when the OS does not say
 * (or `--allow-sys` is missing).
 *
 * @example
 * ```ts
 * machineInfo(); // { cpu: "AMD EPYC", cores: 2 }
 * ```
 */
export function machineInfo(): { cpu: string; cores: number } {
  let list: { model: string }[] = [];
  try {
    list = cpus();
  } catch { /* no --allow-sys */ }
  const model = list.find((c) => typeof c.model === "string" && c.model.trim() !== "")?.model;
  const cores = list.length > 0 ? list.length : (navigator.hardwareConcurrency ?? 0);
  return { cpu: model?.trim().replace(/\s+/g, " ") ?? "unknown", cores };
}

function assertJsonable(what: string, x: unknown): void {
  try {
    JSON.stringify(x, (_k, val) => {
      if (typeof val === "bigint") throw new TypeError(`a bigint`);
      if (typeof val === "number" && !Number.isFinite(val)) {
        throw new TypeError(`the number ${val}`);
      }
      return val;
    });
  } catch (e) {
    throw new TypeError(
      `writeManifest: ${what} is not JSON-serialisable: contains ${(e as Error).message}`,
    );
  }
}

function checkSeeds(fn: string, seeds: unknown): void {
  const okNum = (s: unknown) => typeof s === "number" && Number.isInteger(s);
  const okList = (s: unknown) => Array.isArray(s) && s.every(okNum);
  if (okList(seeds)) return;
  if (
    seeds !== null && typeof seeds === "object" && !Array.isArray(seeds) &&
    Object.values(seeds).every((s) => okNum(s) || okList(s))
  ) return;
  throw new TypeError(
    `${fn}: seeds must be integers or named integer lists, got ${JSON.stringify(seeds)}`,
  );
}

/**
 * Write a run manifest (JSON, atomically) and return it.
 *
 * @example
 * ```ts
 * import { writeManifest } from "./manifest.ts";
 * import { dataDir } from "./env.ts";
 * import { timer } from "./progress.ts";
 * Deno.env.set("ICRL_OUT", Deno.makeTempDirSync());
 * const t = timer();
 * const cfg = { seeds: 5, prompts: 1000 }; // … run …
 * const m = await writeManifest(`${dataDir()}/02_convergence.manifest.json`, {
 *   name: "02_convergence", config: cfg, seeds: [0, 1, 2, 3, 4], wallTimeSec: t.seconds(),
 * });
 * console.log(m.git.commit, m.platform.cpu);
 * ```
 */
export async function writeManifest(path: string, input: ManifestInput): Promise<Manifest> {
  const fn = "writeManifest";
  if (typeof path !== "string" || !path.endsWith(".json")) {
    throw new TypeError(`${fn}: path must end in .json, got ${JSON.stringify(path)}`);
  }
  if (input === null || typeof input !== "object") throw new TypeError(`${fn}: input missing`);
  if (typeof input.name !== "string" || input.name === "") {
    throw new TypeError(
      `${fn}: name must be a non-empty string, got ${JSON.stringify(input.name)}`,
    );
  }
  if (input.config === null || typeof input.config !== "object" || Array.isArray(input.config)) {
    throw new TypeError(`${fn}: config must be an object, got ${JSON.stringify(input.config)}`);
  }
  checkSeeds(fn, input.seeds);
  if (
    typeof input.wallTimeSec !== "number" || !Number.isFinite(input.wallTimeSec) ||
    input.wallTimeSec < 0
  ) {
    throw new RangeError(
      `${fn}: wallTimeSec must be a finite number ≥ 0, got ${input.wallTimeSec}`,
    );
  }
  assertJsonable("config", input.config);
  if (input.extra !== undefined) assertJsonable("extra", input.extra);
  let scale: string;
  try {
    scale = runScale();
  } catch (e) {
    scale = `invalid (${(e as Error).message})`;
  }
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    name: input.name,
    config: input.config,
    seeds: input.seeds,
    git: gitInfo(),
    versions: await libraryVersions(),
    platform: {
      os: Deno.build.os,
      arch: Deno.build.arch,
      target: Deno.build.target,
      ...machineInfo(),
    },
    scale,
    extra: input.extra ?? {},
    createdAt: new Date().toISOString(),
    wallTimeSec: input.wallTimeSec,
  };
  await writeFileAtomic(path, JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/**
 * Read and validate a manifest; errors name the file and the bad field.
 *
 * @example
 * ```ts
 * const m = readManifest("data/02_convergence.manifest.json");
 * m.config.K;
 * ```
 */
export function readManifest(path: string): Manifest {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(
      `readManifest: path must be a non-empty string, got ${JSON.stringify(path)}`,
    );
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new Error(`readManifest: cannot read ${path}: ${(e as Error).message}`);
  }
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new Error(`readManifest: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const bad = (field: string, want: string) =>
    new Error(
      `readManifest: ${path}: field "${field}" must be ${want}, got ${JSON.stringify(m?.[field])}`,
    );
  if (m === null || typeof m !== "object" || Array.isArray(m)) {
    throw new Error(`readManifest: ${path} does not hold a JSON object`);
  }
  if (m.manifestVersion !== MANIFEST_VERSION) {
    throw bad("manifestVersion", String(MANIFEST_VERSION));
  }
  if (typeof m.name !== "string" || m.name === "") throw bad("name", "a non-empty string");
  const isObj = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
  if (!isObj(m.config)) throw bad("config", "an object");
  try {
    checkSeeds("readManifest", m.seeds);
  } catch {
    throw bad("seeds", "integers or named integer lists");
  }
  const git = m.git as Record<string, unknown>;
  if (
    !isObj(git) || typeof git.commit !== "string" ||
    !(typeof git.dirty === "boolean" || git.dirty === null)
  ) {
    throw bad("git", "{commit: string, dirty: boolean|null}");
  }
  if (
    !isObj(m.versions) || !Object.values(m.versions as object).every((v) => typeof v === "string")
  ) {
    throw bad("versions", "an object of strings");
  }
  if (!isObj(m.platform)) throw bad("platform", "an object");
  if (typeof m.scale !== "string") throw bad("scale", "a string");
  if (!isObj(m.extra)) throw bad("extra", "an object");
  if (typeof m.createdAt !== "string" || Number.isNaN(Date.parse(m.createdAt))) {
    throw bad("createdAt", "an ISO-8601 time");
  }
  if (typeof m.wallTimeSec !== "number" || !(m.wallTimeSec >= 0)) {
    throw bad("wallTimeSec", "a number ≥ 0");
  }
  return m as unknown as Manifest;
}

/**
 * The manifest without its volatile fields (`createdAt`, `wallTimeSec`): two runs of the same
 * code and config give equal comparable manifests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparableManifest, writeManifest } from "./manifest.ts";
 * const dir = Deno.makeTempDirSync();
 * const input = { name: "demo", config: { k: 1 }, seeds: [0], wallTimeSec: 1 };
 * const a = await writeManifest(`${dir}/a.json`, input);
 * const b = await writeManifest(`${dir}/b.json`, { ...input, wallTimeSec: 2 });
 * assert.deepEqual(comparableManifest(a), comparableManifest(b));
 * ```
 */
export function comparableManifest(m: Manifest): Omit<Manifest, "createdAt" | "wallTimeSec"> {
  if (m === null || typeof m !== "object") {
    throw new TypeError(`comparableManifest: expected a manifest`);
  }
  const { createdAt: _c, wallTimeSec: _w, ...rest } = m;
  return rest;
}
