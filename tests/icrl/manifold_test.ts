// Tests of lib/icrl/manifold.ts: the balanced scale on the scaling manifold (MATH §7).
import assert from "node:assert/strict";
import { balancedScale } from "../../lib/icrl/manifold.ts";

Deno.test("balancedScale: |c|⁴ = α²d/(2d+1) at Δ = 0, and the manifold value of Δ at that c is recovered", () => {
  assert.ok(Math.abs(balancedScale(36, 0.2, 0) ** 4 - (0.04 * 36) / 73) < 1e-15);
  const c = 0.47, delta = (0.04 * 36) / (c * c) - 73 * c * c;
  assert.ok(Math.abs(balancedScale(36, 0.2, delta) - c) < 1e-12);
  assert.throws(() => balancedScale(36, 0.2, NaN), /finite/);
});
