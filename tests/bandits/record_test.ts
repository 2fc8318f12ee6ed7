import assert from "node:assert/strict";
import {
  BERNOULLI_BANDIT,
  concatTrajectorySets,
  cumulativeRegret,
  generateChunk,
  generateTrajectories,
  LINEAR_BANDIT,
  makePolicy,
  regretCurve,
  sampleBandits,
  simulate,
  trajectoryArrays,
  trajectorySet,
} from "../../lib/bandits/mod.ts";
import {
  readTrajectories,
  trajectoryTables,
  writeTrajectories,
} from "../../lib/bandits/record_table.ts";
import { runWorkerJobs } from "../../lib/train/parallel.ts";
import { tQuantile975 } from "../../lib/core/stats.ts";
import { readTable, writeTable } from "../../lib/report/table.ts";

Deno.test("cumulative regret equals a brute-force sum; regretCurve equals the literal mean and SE", () => {
  const envs = sampleBandits(BERNOULLI_BANDIT, 2, 30);
  const traj = simulate(envs, makePolicy({ name: "ucb-paper" }, envs, 3), { horizon: 40 });
  const R = cumulativeRegret(envs, traj.actions, 40);
  for (let e = 0; e < 30; e++) {
    let acc = 0;
    for (let t = 0; t < 40; t++) {
      const a = traj.actions[e * 40 + t];
      acc += Math.max(...envs.means.slice(e * 5, e * 5 + 5)) - envs.means[e * 5 + a];
      assert.ok(Math.abs(R[e * 40 + t] - acc) < 1e-12);
    }
  }
  const [p] = regretCurve(R, 30, 40, [25]);
  const col = Array.from({ length: 30 }, (_, e) => R[e * 40 + 24]);
  const m = col.reduce((s, x) => s + x, 0) / 30;
  const sd = Math.sqrt(col.reduce((s, x) => s + (x - m) ** 2, 0) / 29);
  assert.ok(Math.abs(p.mean - m) < 1e-12 && Math.abs(p.se - sd / Math.sqrt(30)) < 1e-12);
  assert.ok(Math.abs(p.hi - (m + tQuantile975(29) * sd / Math.sqrt(30))) < 1e-12);
  assert.equal(regretCurve(R, 30, 40).length, 40);
  assert.throws(() => regretCurve(R, 30, 40, [41]), /step t.*41/);
  assert.throws(() => cumulativeRegret(envs, new Int32Array(5), 40), /E × T = 30 × 40/);
  assert.throws(
    () => cumulativeRegret(envs, new Int32Array(30 * 40).fill(7), 40),
    /arm in \[0, 5\), got 7/,
  );
});

Deno.test("trajectory sets round-trip through Parquet exactly (with and without probabilities)", () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (
      const [spec, alg, probs] of [
        [LINEAR_BANDIT, { name: "linucb" }, true],
        [BERNOULLI_BANDIT, {
          name: "mixture",
          components: [{ name: "ts-beta" }, { name: "uniform" }],
          weights: [0.5, 0.5],
        }, false],
      ] as const
    ) {
      const set = generateChunk({
        spec,
        algorithm: alg,
        first: 3,
        count: 7,
        envSeed: 1,
        policySeed: 2,
        recordProbs: probs,
      });
      assert.equal(set.probs === null, !probs);
      const paths = writeTrajectories(set, `${dir}/s_${spec.family}`);
      assert.ok(paths.steps.endsWith("_steps.parquet"));
      const back = readTrajectories(`${dir}/s_${spec.family}`);
      assert.deepEqual(back, set);
      const { steps } = trajectoryTables(set);
      assert.equal(steps.height, 7 * 200);
      const row = steps.row(200 + 17) as number[];
      const cols = steps.columns;
      assert.equal(row[cols.indexOf("traj")], 4);
      assert.equal(row[cols.indexOf("t")], 17);
      const a = set.actions[200 + 17];
      assert.equal(row[cols.indexOf("regret")], set.bestMean[1] - set.means[1 * set.numArms + a]);
    }
    // A table missing a column is named.
    const set = generateChunk({
      spec: BERNOULLI_BANDIT,
      algorithm: { name: "uniform" },
      first: 0,
      count: 2,
      envSeed: 1,
      policySeed: 2,
      recordProbs: false,
    });
    const { envs, steps } = trajectoryTables(set);
    writeTable(envs.drop("best"), `${dir}/bad_envs`, { format: "parquet" });
    writeTable(steps, `${dir}/bad_steps`, { format: "parquet" });
    assert.throws(() => readTrajectories(`${dir}/bad`), /lacks column "best"/);
    writeTable(envs, `${dir}/short_envs`, { format: "parquet" });
    writeTable(steps.head(10), `${dir}/short_steps`, { format: "parquet" });
    assert.throws(() => readTrajectories(`${dir}/short`), /10 rows; expected N × T = 2 × 200/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeTable's Parquet compression option: same table back, smaller file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ i, x: i % 3 === 0 ? 1 : 0 }));
    const a = writeTable(rows, `${dir}/plain`, { format: "parquet" });
    const b = writeTable(rows, `${dir}/zstd`, { format: "parquet", compression: "zstd" });
    assert.ok(Deno.statSync(b).size < Deno.statSync(a).size);
    assert.deepEqual(readTable(b).toRecords(), readTable(a).toRecords());
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("generation: worker pool result equals the in-thread result for any chunking", async () => {
  const cfg = {
    spec: LINEAR_BANDIT,
    algorithm: { name: "linucb" } as const,
    count: 300,
    envSeed: 5,
    policySeed: 6,
  };
  const inThread = await generateTrajectories({ ...cfg, workers: 0, chunk: 300 });
  let last = 0;
  const pooled = await generateTrajectories({ ...cfg, workers: 2, chunk: 70 }, (done, total) => {
    assert.ok(done > last && total === 300);
    last = done;
  });
  assert.equal(last, 300);
  assert.deepEqual(pooled, inThread);
  // …and equals simulating the environments directly.
  const envs = sampleBandits(LINEAR_BANDIT, 5, 300);
  const direct = trajectorySet(envs, simulate(envs, makePolicy({ name: "linucb" }, envs, 6)), {
    name: "linucb",
  }, 6);
  assert.deepEqual(inThread, direct);
  assert.throws(() => concatTrajectorySets([]), /no sets/);
  const other = generateChunk({
    ...cfg,
    algorithm: { name: "uniform" },
    first: 0,
    count: 3,
    recordProbs: false,
  });
  assert.throws(() => concatTrajectorySets([inThread, other]), /set 1 differs/);
  await assert.rejects(() => generateTrajectories({ ...cfg, workers: -1 }), /workers.*-1/);
  await assert.rejects(
    () => generateTrajectories({ ...cfg, chunks: 5 } as never),
    /unknown key "chunks"/,
  );
});

Deno.test("runWorkerJobs: a failing job rejects naming its index", async () => {
  const url = new URL("../../lib/bandits/generate_worker.ts", import.meta.url);
  const bad = {
    spec: { ...LINEAR_BANDIT, numArms: 0 },
    algorithm: { name: "linucb" },
    first: 0,
    count: 1,
    envSeed: 1,
    policySeed: 1,
    recordProbs: false,
  };
  await assert.rejects(() => runWorkerJobs(url, [bad], 1), /job 0 failed: .*numArms.*0/);
  assert.deepEqual(await runWorkerJobs(url, [], 1), []);
});

Deno.test("trajectoryArrays lists every typed array of the set in field order, probs last when recorded", () => {
  const job = {
    spec: { ...LINEAR_BANDIT, horizon: 4 },
    algorithm: { name: "linucb" } as const,
    envSeed: 3,
    policySeed: 4,
    first: 0,
    count: 2,
  };
  for (const recordProbs of [false, true]) {
    const set = generateChunk({ ...job, recordProbs });
    const expected = [
      set.index,
      set.arms,
      set.theta,
      set.means,
      set.best,
      set.bestMean,
      set.actions,
      set.rewards,
      ...(recordProbs ? [set.probs!] : []),
    ];
    const got = trajectoryArrays(set);
    assert.equal(got.length, expected.length);
    got.forEach((a, i) => assert.equal(a, expected[i])); // the same objects, not copies
    // N·(1 + A·d + d + A + 1 + 1 + T + T) numbers (+ N·T·A probs), 4 bytes for Int32, 8 for Float64
    const N = 2, A = 10, d = 5, T = 4;
    const bytes = 4 * (N + N + N * T) + 8 * (N * A * d + N * d + N * A + N + N * T) +
      (recordProbs ? 8 * N * T * A : 0);
    assert.equal(got.reduce((n, a) => n + a.byteLength, 0), bytes);
  }
});
