// Tests of lib/report/table.ts: tidy rows ↔ polars, deterministic atomic CSV / Parquet files.
import assert from "node:assert/strict";
import {
  AUTO_PARQUET_ROWS,
  readTable,
  toDataFrame,
  toRows,
  writeTable,
} from "../../lib/report/mod.ts";

async function withTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("toDataFrame infers Int64 / Float64 / String / Boolean columns, missing keys → null", () => {
  const df = toDataFrame([
    { seed: 0, loss: 0.5, method: "a", ok: true },
    { seed: 1, loss: 1, method: "b" },
  ]);
  assert.deepEqual(df.columns, ["seed", "loss", "method", "ok"]);
  assert.deepEqual(df.dtypes.map(String), [
    "DataType(Int64)",
    "DataType(Float64)",
    "DataType(String)",
    "DataType(Bool)",
  ]);
  assert.deepEqual(toRows(df), [
    { seed: 0, loss: 0.5, method: "a", ok: true },
    { seed: 1, loss: 1, method: "b", ok: null },
  ]);
  assert.equal(toDataFrame(df), df, "a DataFrame passes through");
});

Deno.test("toDataFrame errors name the column and row", () => {
  assert.throws(() => toDataFrame([]), /rows is empty/);
  assert.throws(
    () => toDataFrame([{ a: 1 }, { a: "x" }]),
    /column "a" mixes number and string \(rows\[1\]\.a = "x"\)/,
  );
  assert.throws(
    () => toDataFrame([{ a: {} as unknown as number }]),
    /rows\[0\]\.a has unsupported type object/,
  );
  assert.throws(
    () => toDataFrame([null as unknown as Record<string, number>]),
    /rows\[0\] must be an object/,
  );
});

Deno.test("writeTable CSV: exact float round trip and byte-identical output", async () => {
  await withTempDir((dir) => {
    const rows = [
      { step: 0, v: 0.1, w: 1 / 3, name: "a,b" },
      { step: 1, v: 1e-300, w: -0, name: 'q"' },
      { step: 2, v: 123456789.125, w: Number.NaN, name: "" },
    ];
    assert.throws(() => writeTable(rows, `${dir}/t`), {
      name: "RangeError",
      message: /rows\[2\]\.w = NaN is not finite/,
    });
    const path = writeTable(rows, `${dir}/t`, { nullable: ["w"] });
    assert.equal(path, `${dir}/t.csv`);
    const first = Deno.readFileSync(path);
    writeTable(rows, `${dir}/t`, { nullable: ["w"] });
    assert.deepEqual(Deno.readFileSync(path), first, "deterministic bytes");
    const back = toRows(readTable(path));
    assert.equal(back[0].v, 0.1);
    assert.equal(back[0].w, 1 / 3);
    assert.equal(back[1].v, 1e-300);
    assert.ok(Object.is(back[1].w, -0));
    assert.equal(back[2].w, null, "a non-finite value in a nullable column is stored as null");
    assert.equal(back[0].name, "a,b");
    assert.equal(back[1].name, 'q"');
    assert.deepEqual(names(dir), ["t.csv"], "no temp files left behind");
  });
});

Deno.test("writeTable auto switches to Parquet above the row threshold and removes the stale CSV", async () => {
  await withTempDir((dir) => {
    writeTable([{ a: 1 }], `${dir}/big`);
    assert.deepEqual(names(dir), ["big.csv"]);
    const n = AUTO_PARQUET_ROWS + 1;
    const rows = Array.from({ length: n }, (_, i) => ({ i, x: i / 7 }));
    const path = writeTable(rows, `${dir}/big`);
    assert.equal(path, `${dir}/big.parquet`);
    assert.deepEqual(names(dir), ["big.parquet"]);
    const df = readTable(`${dir}/big`); // extension looked up
    assert.equal(df.height, n);
    assert.equal(toRows(df)[n - 1].x, (n - 1) / 7);
  });
});

Deno.test("writeTable explicit formats and argument errors", async () => {
  await withTempDir((dir) => {
    const p = writeTable([{ a: 1.5 }], `${dir}/small`, { format: "parquet" });
    assert.equal(p, `${dir}/small.parquet`);
    assert.deepEqual(toRows(readTable(p)), [{ a: 1.5 }]);
    assert.throws(() => writeTable([{ a: 1 }], `${dir}/x.csv`), /without extension/);
    assert.throws(
      () => writeTable([{ a: 1 }], `${dir}/x`, { format: "json" as "csv" }),
      /format must be "csv", "parquet" or "auto", got "json"/,
    );
    assert.throws(() => writeTable([{ a: 1 }], ""), /pathWithoutExt must be a file path/);
  });
});

Deno.test("readTable names a missing or corrupt file", async () => {
  await withTempDir((dir) => {
    assert.throws(
      () => readTable(`${dir}/nope.csv`),
      new RegExp(`${dir}/nope\\.csv does not exist`),
    );
    assert.throws(
      () => readTable(`${dir}/nope`),
      /no table at .*nope \(looked for .*nope\.csv and .*nope\.parquet\)/,
    );
    Deno.writeTextFileSync(`${dir}/bad.parquet`, "this is not parquet");
    assert.throws(
      () => readTable(`${dir}/bad.parquet`),
      /cannot read .*bad\.parquet \(corrupt or not a parquet table\)/,
    );
    assert.throws(() => readTable(""), /path must be a non-empty string/);
  });
});

Deno.test("readTable refuses a binary file named .csv instead of returning a frame", async () => {
  const dir = await Deno.makeTempDir();
  const png = `${dir}/image.csv`;
  await Deno.writeFile(png, new Uint8Array([0x41, 0x2c, 0x42, 10, 0x50, 0, 0x4e, 0x47, 10]));
  assert.throws(
    () => readTable(png),
    /image\.csv holds a control character \(code 0\) at offset 5: not a CSV table/,
  );
  const bin = `${dir}/noise.csv`;
  await Deno.writeFile(bin, Uint8Array.from({ length: 400 }, (_, i) => (i * 7919) % 256));
  assert.throws(() => readTable(bin), /noise\.csv is not a text \(UTF-8\) CSV file/);
  await Deno.remove(dir, { recursive: true });
});
