// Tests of lib/report/progress.ts and lib/report/env.ts.
import assert from "node:assert/strict";
import { withEnv } from "../helpers.ts";
import {
  byScale,
  dataDir,
  figuresDir,
  formatDuration,
  liveSink,
  modelsDir,
  outDir,
  progress,
  repoRoot,
  runScale,
  tempSibling,
  timer,
  writeFileAtomic,
  writeFileAtomicSync,
} from "../../lib/report/mod.ts";

/** A fake millisecond clock advanced by hand. */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

// --------------------------------------------------------------------------------------- progress

Deno.test("plain progress prints at most every 10 % plus a final line", async () => {
  const lines: string[] = [];
  const clock = fakeClock();
  const bar = progress("train", 1000, {
    mode: "plain",
    write: (s) => lines.push(s),
    now: clock.now,
  });
  for (let i = 0; i < 1000; i++) {
    clock.advance(10);
    await bar.tick(1, `i=${i}`);
  }
  await bar.done("finished");
  assert.equal(lines.length, 10, lines.join("\n")); // 10 %, 20 %, …, 90 %, then done
  assert.equal(lines[0], "train:  10% 100/1000 (1.0 s, eta 9.0 s)  i=99");
  assert.equal(lines[9], "train: 100% 1000/1000 (10.0 s)  finished");
  assert.equal(bar.count, 1000);
  await bar.done(); // idempotent
  assert.equal(lines.length, 10);
});

Deno.test("plain progress with big ticks skips passed milestones without repeats", async () => {
  const lines: string[] = [];
  const bar = progress("x", 10, { mode: "plain", write: (s) => lines.push(s), now: () => 0 });
  await bar.tick(5);
  await bar.tick(5);
  await bar.done();
  assert.equal(lines.length, 2);
});

Deno.test("tty progress redraws one line with \\r, throttled, newline at the end", async () => {
  const out: string[] = [];
  const clock = fakeClock();
  const bar = progress("eval", 4, {
    mode: "tty",
    write: (s) => out.push(s),
    now: clock.now,
    minIntervalMs: 100,
  });
  await bar.tick(); // within the throttle window of the initial draw: skipped
  clock.advance(200);
  await bar.tick();
  await bar.done();
  assert.equal(out.length, 3);
  assert.ok(out.every((s) => s.startsWith("\r")));
  assert.ok(out[1].startsWith(`\reval [${"#".repeat(12)}${"-".repeat(12)}]  50% 2/4`), out[1]);
  assert.ok(out[2].endsWith("\n"));
});

Deno.test("sink progress sends throttled updates to onUpdate and awaits them", async () => {
  const got: string[] = [];
  const clock = fakeClock();
  const bar = progress("fit", 100, {
    onUpdate: async (t) => {
      await Promise.resolve();
      got.push(t);
    },
    now: clock.now,
  });
  for (let i = 0; i < 100; i++) {
    clock.advance(100); // 10 s in total, sink interval 1 s
    await bar.tick();
  }
  await bar.done();
  assert.equal(got[0], "fit:   0% 0/100 (0 ms)");
  assert.equal(got.length, 1 + 10 + 1);
  assert.equal(got.at(-1), "fit: 100% 100/100 (10.0 s)");
});

Deno.test("a failing sink stops live updates without breaking the loop", async () => {
  const origError = console.error;
  const errors: string[] = [];
  console.error = (s: string) => errors.push(s);
  try {
    const bar = progress("p", 3, {
      onUpdate: () => Promise.reject(new Error("gone")),
      minIntervalMs: 0,
    });
    await bar.tick();
    await bar.tick();
    await bar.done();
    assert.equal(errors.length, 1);
    assert.match(errors[0], /onUpdate failed, live updates stopped: gone/);
  } finally {
    console.error = origError;
  }
});

Deno.test("progress validates its arguments", () => {
  assert.throws(() => progress("x", -1), /total must be an integer ≥ 0, got -1/);
  assert.throws(
    () => progress("x", 10, { every: 0 }),
    /every must be a fraction in \(0, 1\], got 0/,
  );
  assert.throws(
    () => progress("x", 10, { mode: "sink" }),
    /mode "sink" needs an onUpdate callback/,
  );
  assert.throws(() => progress("x", 10, { mode: "loud" as "tty" }), /got "loud"/);
  const bar = progress("x", 10, { mode: "silent" });
  assert.throws(() => bar.tick(1.5), /tick: n must be an integer ≥ 0, got 1\.5/);
});

Deno.test("liveSink displays once, then updates the same display id", async () => {
  const calls: [unknown, Record<string, unknown> | undefined][] = [];
  const sink = liveSink((obj, opts) => {
    calls.push([obj, opts]);
    return Promise.resolve();
  }, "bar-1");
  await sink("a");
  await sink("b");
  assert.deepEqual(calls, [
    [{ "text/plain": "a" }, { raw: true, display_id: "bar-1", update: false }],
    [{ "text/plain": "b" }, { raw: true, display_id: "bar-1", update: true }],
  ]);
  assert.throws(
    () => liveSink(undefined as unknown as () => Promise<void>),
    /display must be a function/,
  );
});

Deno.test("timer measures seconds and laps; formatDuration is readable", () => {
  const clock = fakeClock();
  const t = timer(clock.now);
  clock.advance(1500);
  assert.equal(t.seconds(), 1.5);
  assert.equal(t.lap(), 1.5);
  clock.advance(500);
  assert.equal(t.lap(), 0.5);
  assert.equal(String(t), "2.0 s");
  assert.equal(formatDuration(0.25), "250 ms");
  assert.equal(formatDuration(245), "4 min 05 s");
  assert.equal(formatDuration(7380), "2 h 03 min");
  assert.throws(() => formatDuration(-1), /seconds must be a number ≥ 0, got -1/);
});

// -------------------------------------------------------------------------------------------- env

Deno.test("runScale reads ICRL_SCALE: paper by default, quick, else an error naming the value", async () => {
  await withEnv({ ICRL_SCALE: undefined }, () => assert.equal(runScale(), "paper"));
  await withEnv({ ICRL_SCALE: "" }, () => assert.equal(runScale(), "paper"));
  await withEnv({ ICRL_SCALE: "quick" }, () => {
    assert.equal(runScale(), "quick");
    assert.equal(byScale({ quick: 1, paper: 2 }), 1);
  });
  await withEnv({ ICRL_SCALE: "fast" }, () => {
    assert.throws(() => runScale(), /ICRL_SCALE must be "quick" or "paper", got "fast"/);
  });
  assert.throws(
    () => byScale({ quick: 1 } as { quick: number; paper: number }),
    /"quick" and "paper"/,
  );
});

Deno.test("outDir defaults to the repository root; ICRL_OUT moves data/, figures/, models/", async () => {
  await withEnv({ ICRL_OUT: undefined, ICRL_SCALE: undefined }, () => {
    assert.equal(outDir(), repoRoot());
    assert.ok(Deno.statSync(`${repoRoot()}/deno.json`).isFile);
  });
  const dir = await Deno.makeTempDir();
  try {
    await withEnv({ ICRL_OUT: `${dir}/run` }, () => {
      assert.equal(outDir(), `${dir}/run`);
      assert.equal(dataDir(), `${dir}/run/data`);
      assert.equal(figuresDir(), `${dir}/run/figures`);
      assert.equal(modelsDir(), `${dir}/run/data/models`);
      assert.ok(Deno.statSync(`${dir}/run/data/models`).isDirectory);
      assert.ok(Deno.statSync(`${dir}/run/figures`).isDirectory);
    });
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      await withEnv(
        { ICRL_OUT: "rel" },
        () => assert.equal(outDir(), `${Deno.realPathSync(dir)}/rel`),
      );
    } finally {
      Deno.chdir(cwd);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic replaces the file and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/a/b.txt`, "one");
    await writeFileAtomic(`${dir}/a/b.txt`, "two");
    writeFileAtomicSync(`${dir}/a/c.bin`, new Uint8Array([1, 2]));
    assert.equal(Deno.readTextFileSync(`${dir}/a/b.txt`), "two");
    assert.deepEqual([...Deno.readDirSync(`${dir}/a`)].map((e) => e.name).sort(), [
      "b.txt",
      "c.bin",
    ]);
    assert.notEqual(tempSibling(`${dir}/x`), tempSibling(`${dir}/x`));
    assert.ok(tempSibling(`${dir}/x`).startsWith(`${dir}/.x.tmp-`));
    await assert.rejects(
      () => writeFileAtomic(`${dir}/z`, 5 as unknown as string),
      /must be a string or Uint8Array/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
