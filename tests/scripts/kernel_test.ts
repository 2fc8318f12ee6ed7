// Tests of scripts/kernel.ts (with scripts/jupyter/wire.ts, outputs.ts) and scripts/run_notebook.ts: the Jupyter wire format against
// independent references (RFC 4231 HMAC vectors, hand-built frames), and a real notebook executed
// on Deno's own kernel. The written notebook is validated with Python's nbformat when it is
// installed (the one conditional skip: Python is not a requirement of this project).
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeMessage,
  hmacKey,
  type JupyterMessage,
  signFrames,
  WireError,
} from "../../scripts/jupyter/wire.ts";
import { splitLines, toOutput } from "../../scripts/jupyter/outputs.ts";
import { Kernel } from "../../scripts/kernel.ts";
import { runNotebook } from "../../scripts/run_notebook.ts";
import { type Notebook, serializeNotebook, toNotebook } from "../../scripts/notebook/ipynb.ts";

const enc = new TextEncoder();

Deno.test("signFrames is HMAC-SHA256 of the concatenated frames (RFC 4231 test cases 1 and 2)", async () => {
  // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?"
  const jefe = await hmacKey("Jefe");
  assert.equal(
    await signFrames(jefe, ["what do ya ", "want ", "for nothing?"]),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  // RFC 4231 §4.2: key = 20 × 0x0b, data "Hi There"
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(20).fill(0x0b),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  assert.equal(
    await signFrames(key, [enc.encode("Hi "), "There"]),
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  );
  assert.equal(await signFrames(await hmacKey(""), ["x"]), "");
});

const message: JupyterMessage = {
  header: {
    msg_id: "m1",
    session: "s",
    username: "u",
    date: "2026-01-01T00:00:00.000Z",
    msg_type: "execute_request",
    version: "5.3",
  },
  parent_header: {},
  metadata: {},
  content: { code: "1 + 1", silent: false },
};

Deno.test("encodeMessage lays out delimiter, signature and four JSON frames; decode inverts it", async () => {
  const key = await hmacKey("secret");
  const frames = await encodeMessage(key, message);
  assert.equal(frames.length, 6);
  assert.equal(frames[0], "<IDS|MSG>");
  assert.equal(frames[2], JSON.stringify(message.header));
  assert.equal(frames[5], '{"code":"1 + 1","silent":false}');
  assert.equal(frames[1], await signFrames(key, frames.slice(2)));
  // a routing identity before the delimiter (as on a ROUTER/SUB socket) is skipped
  const wire = ["topic-or-identity", ...frames].map((f) => enc.encode(f));
  assert.deepEqual(await decodeMessage(key, wire), message);
});

Deno.test("decodeMessage rejects a bad signature, a missing delimiter and non-JSON frames", async () => {
  const key = await hmacKey("secret");
  const frames = (await encodeMessage(key, message)).map((f) => enc.encode(f));
  const tampered = [...frames];
  tampered[5] = enc.encode('{"code":"2 + 2","silent":false}');
  await assert.rejects(() => decodeMessage(key, tampered), WireError);
  await assert.rejects(() => decodeMessage(key, frames.slice(1)), /no <IDS\|MSG> delimiter/);
  const bad = [...frames];
  bad[3] = enc.encode("{not json");
  bad[1] = enc.encode(await signFrames(key, bad.slice(2)));
  await assert.rejects(() => decodeMessage(key, bad), /not JSON/);
});

Deno.test("splitLines keeps newlines on every line but the last; joining gives the input back", () => {
  assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
  assert.deepEqual(splitLines("a\n\nb"), ["a\n", "\n", "b"]);
  assert.deepEqual(splitLines(""), []);
  for (const s of ["x", "\n", "1\n2\n3", "é\n✓"]) assert.equal(splitLines(s).join(""), s);
});

Deno.test("toOutput builds nbformat outputs; JSON mime types stay objects, text is split", () => {
  assert.deepEqual(toOutput("stream", { name: "stderr", text: "a\nb" }), {
    output_type: "stream",
    name: "stderr",
    text: ["a\n", "b"],
  });
  assert.deepEqual(
    toOutput("execute_result", {
      execution_count: 3,
      data: { "text/plain": "1\n2", "application/vnd.vegalite.v5+json": { a: "x\ny" } },
      metadata: {},
    }),
    {
      output_type: "execute_result",
      execution_count: 3,
      data: { "text/plain": ["1\n", "2"], "application/vnd.vegalite.v5+json": { a: "x\ny" } },
      metadata: {},
    },
  );
  assert.equal(toOutput("status", { execution_state: "idle" }), null);
});

/** Python 3 with nbformat, or null (then validation is skipped with a printed reason). */
async function nbformatPython(): Promise<string | null> {
  for (const py of ["/usr/bin/python3", "python3"]) {
    try {
      const r = await new Deno.Command(py, {
        args: ["-c", "import nbformat"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (r.success) return py;
    } catch { /* not installed */ }
  }
  return null;
}

Deno.test("a notebook runs on Deno's kernel: stream, display_data (updated), execute_result, error", async () => {
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const nb: Notebook = toNotebook([
    { kind: "markdown", source: "# test" },
    { kind: "code", source: 'console.log("out");\nconsole.error("err");\nDeno.cwd()' },
    {
      kind: "code",
      source: [
        'await Deno.jupyter.display({ "text/plain": "step 1" }, { raw: true, display_id: "p" });',
        'await Deno.jupyter.display({ "text/plain": "step 2" }, { raw: true, display_id: "p", update: true });',
        'await Deno.jupyter.display({ "text/html": "<b>x</b>", "text/plain": "x" }, { raw: true });',
      ].join("\n"),
    },
    {
      kind: "code",
      source: 'import * as vl from "vega-lite";\n[vl.version, Deno.env.get("ICRL_SCALE")]',
    },
    { kind: "code", source: "const n = 1;" },
    { kind: "code", source: 'throw new RangeError("n must be ≥ 2, got 1")' },
    { kind: "code", source: "'never run'" },
  ]);
  const kernel = await Kernel.start({
    cwd: `${root}/notebooks`,
    env: { ...Deno.env.toObject(), ICRL_SCALE: "quick", NO_COLOR: "1" },
  });
  let run;
  const progress: string[] = [];
  try {
    assert.ok(kernel.startupSeconds > 0);
    assert.equal(kernel.languageInfo.name, "typescript");
    run = await runNotebook(nb, kernel, {
      name: "90_t.ipynb",
      onProgress: (_pos, text) => progress.push(text),
    });
  } finally {
    await kernel.shutdown();
  }
  assert.equal(kernel.exitStatus !== null, true, "kernel ended by shutdown");
  const cells = run.notebook.cells;
  assert.deepEqual(cells[1].outputs, [
    { output_type: "stream", name: "stdout", text: ["out\n"] },
    { output_type: "stream", name: "stderr", text: ["err\n"] },
    {
      output_type: "execute_result",
      execution_count: 1,
      data: { "text/plain": [JSON.stringify(`${root}/notebooks`)] },
      metadata: {},
    },
  ]);
  assert.deepEqual(cells[2].outputs, [
    { output_type: "display_data", data: { "text/plain": ["step 2"] }, metadata: {} },
    {
      output_type: "display_data",
      data: { "text/html": ["<b>x</b>"], "text/plain": ["x"] },
      metadata: {},
    },
  ]);
  assert.deepEqual(progress, ["step 1", "step 2", "x"]);
  const versions = (cells[3].outputs![0] as { data: Record<string, string[]> }).data["text/plain"];
  assert.match(versions.join(""), /^\[ "6\.\d+\.\d+", "quick" \]$/, "import map of deno.json used");
  assert.deepEqual(cells[4].outputs, []);
  assert.equal(cells[4].execution_count, 4);
  const err = cells[5].outputs![0] as Record<string, unknown>;
  assert.equal(err.output_type, "error");
  assert.equal(err.ename, "RangeError");
  assert.equal(err.evalue, "n must be ≥ 2, got 1");
  assert.equal(cells[6].execution_count, null, "cells after the error are not run");
  assert.match(run.failure!, /^90_t\.ipynb: cell 5 \(In \[5\]\) failed: RangeError: n must be ≥ 2/);

  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/90_t.ipynb`;
    await Deno.writeTextFile(path, serializeNotebook(run.notebook));
    const py = await nbformatPython();
    if (py === null) {
      console.log("nbformat validation skipped: no python3 with the nbformat module installed");
      return;
    }
    const check = await new Deno.Command(py, {
      args: [
        "-c",
        "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid')",
        path,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(check.stdout) + new TextDecoder().decode(check.stderr);
    assert.ok(check.success && said.includes("valid"), `nbformat rejects the notebook:\n${said}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a cell that exceeds its timeout or kills the kernel is reported, not hung on", async () => {
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const kernel = await Kernel.start({ cwd: `${root}/notebooks`, env: Deno.env.toObject() });
  try {
    const nb = toNotebook([
      { kind: "code", source: "await new Promise((r) => setTimeout(r, 5000))" },
    ]);
    const run = await runNotebook(nb, kernel, { name: "slow.ipynb", timeoutMs: 300 });
    assert.match(
      run.failure!,
      /slow\.ipynb: cell 0 \(code cell 1\/1\) did not finish: cell timed out/,
    );
  } finally {
    await kernel.shutdown();
  }
  const k2 = await Kernel.start({ cwd: `${root}/notebooks`, env: Deno.env.toObject() });
  try {
    const run = await runNotebook(toNotebook([{ kind: "code", source: "Deno.exit(3)" }]), k2, {
      name: "exit.ipynb",
    });
    assert.match(
      run.failure!,
      /exit\.ipynb: cell 0 .* did not finish: the kernel died \(exit code 3\)/,
    );
  } finally {
    await k2.shutdown();
  }
});

Deno.test("a kernel killed while it starts (an interrupt) ends Kernel.start with a KernelError at once", async () => {
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const t0 = performance.now();
  await assert.rejects(
    () =>
      Kernel.start({
        cwd: `${root}/notebooks`,
        env: Deno.env.toObject(),
        onSpawn: (k) => k.kill(),
      }),
    /the kernel exited during start-up \(signal SIGKILL\)/,
  );
  assert.ok(performance.now() - t0 < 10_000, "no wait for the start-up timeout");
});
