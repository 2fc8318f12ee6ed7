// promptSetZ and assertBlocksFit of lib/icrl/richness.ts against a literal formula.
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { sarsaBlocks } from "../../lib/icrl/construction.ts";
import { assertBlocksFit, promptSetZ } from "../../lib/icrl/richness.ts";

Deno.test("promptSetZ: z_k = (1/n) X_kᵀ X_k P12 [1; θ_k], written out entry by entry", () => {
  const rng = new Rng(3);
  const m = 5, p = 3, n = 4, N = 3;
  const u = (k: number) => rng.fillUniform(new Float64Array(k), -1, 1);
  const ps = { m, p, n, N, X: u(N * n * m), theta: u(N * (p - 1)), target: u(N * (p - 1)) };
  const b = sarsaBlocks(2, 0.2);
  const Z = promptSetZ(b, ps);
  for (let k = 0; k < N; k++) {
    const w = [1, ps.theta[k * 2], ps.theta[k * 2 + 1]];
    for (let r = 0; r < m; r++) {
      let want = 0;
      for (let c = 0; c < m; c++) {
        let sig = 0; // Σ̂[r][c]
        for (let i = 0; i < n; i++) {
          sig += ps.X[k * n * m + i * m + r] * ps.X[k * n * m + i * m + c];
        }
        let pw = 0; // (P12 w̃)[c]
        for (let j = 0; j < p; j++) pw += b.P12[c * p + j] * w[j];
        want += (sig / n) * pw;
      }
      assert.ok(Math.abs(Z[k * m + r] - want) < 1e-12, `z_${k}[${r}] = ${Z[k * m + r]} vs ${want}`);
    }
  }
});

Deno.test("assertBlocksFit names both shapes when the blocks do not fit", () => {
  const ps = {
    m: 7,
    p: 3,
    n: 1,
    N: 1,
    X: new Float64Array(7),
    theta: new Float64Array(2),
    target: new Float64Array(2),
  };
  assert.throws(
    () => assertBlocksFit(sarsaBlocks(2, 0.2), ps),
    /m=5, p=3 but the prompts have m=7/,
  );
});
