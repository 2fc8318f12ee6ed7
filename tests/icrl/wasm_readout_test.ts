import assert from "node:assert/strict";
import { WasmReadout } from "../../lib/icrl/wasm_readout.ts";
import { fastReadoutScratch, fusedReadout } from "../../lib/icrl/restricted.ts";
import { Rng } from "../../lib/core/rng.ts";

Deno.test("WasmReadout: bit-identical to fusedReadout (odd and even dims, repeated calls)", () => {
  const rng = new Rng(91);
  for (
    const [n, m, p] of [[20, 73, 37], [20, 82, 46], [1, 1, 2], [5, 7, 4], [17, 19, 18], [8, 16, 10]]
  ) {
    const P12 = rng.fillUniform(new Float64Array(m * p), -1, 1);
    const V21bar = rng.fillUniform(new Float64Array((p - 1) * m), -1, 1);
    const blocks = { m, p, P12, V21bar };
    const rd = new WasmReadout(blocks, n), sc = fastReadoutScratch(m, p, n);
    for (let rep = 0; rep < 3; rep++) {
      const X = rng.fillUniform(new Float64Array(n * m), -1, 1);
      const theta = rng.fillUniform(new Float64Array(p - 1), -1, 1);
      const got = rd.readout(X, theta, new Float64Array(p - 1));
      const want = fusedReadout(sc, blocks, X, theta, new Float64Array(p - 1));
      assert.deepEqual(got, want, `(n=${n}, m=${m}, p=${p})`);
    }
  }
});

Deno.test("WasmReadout: the blocks are copied at construction; bad input is refused", () => {
  const blocks = { m: 2, p: 2, P12: Float64Array.of(1, 0, 0, 1), V21bar: Float64Array.of(1, 1) };
  const rd = new WasmReadout(blocks, 1);
  const X = Float64Array.of(2, 3), out = new Float64Array(1);
  // literal: u = P12 (1, θ) = (1, θ); z = x xᵀ u / 1; out = θ + V̄21 z
  const theta = 0.5, u = [1, theta], xu = 2 * u[0] + 3 * u[1];
  const want = theta + (2 * xu + 3 * xu);
  assert.equal(rd.readout(X, [theta], out)[0], want);
  blocks.P12[0] = 100; // not seen
  assert.equal(rd.readout(X, [theta], out)[0], want);
  assert.throws(
    () => rd.readout(new Float64Array(3), [0], out),
    /X must be a Float64Array of n·m = 2 tokens, got 3/,
  );
  assert.throws(() => rd.readout(X, [0, 1], out), /theta has 2 entries, need 1/);
  assert.throws(
    () => rd.readout(X, [0], new Float64Array(0)),
    /out must be a Float64Array of ≥ 1 entries/,
  );
  assert.throws(() => new WasmReadout({ ...blocks, V21bar: Float64Array.of(1, NaN) }, 1), /V21bar/);
  assert.throws(() => new WasmReadout(blocks, 0), /n/);
});
