import assert from "node:assert/strict";
import { Rng } from "../../lib/core/rng.ts";
import { applyByteEdits } from "../../lib/bandits/engine/wasm/byte_edits.ts";
import { byteEdits } from "../../scripts/build_wasm.ts";

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));
const bytesOf = (base64: string) => Array.from(atob(base64), (c) => c.charCodeAt(0));

Deno.test("applyByteEdits drops and inserts at the offsets, keeping the bytes between", () => {
  const from = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const edits = `2:3:${b64([100, 101])} 8:0:${b64([7])} 9:1:`;
  // by hand: keep 0 1, drop 2 3 4, insert 100 101, keep 5 6 7, insert 7, keep 8, drop 9
  assert.deepEqual(bytesOf(applyByteEdits(b64(from), edits)), [0, 1, 100, 101, 5, 6, 7, 7, 8]);
  assert.equal(applyByteEdits(b64(from), ""), b64(from));
  assert.throws(() => applyByteEdits(b64(from), "5:1:AA== 2:0:AA=="), /bad byte edit/);
});

Deno.test("byteEdits rebuilds the target from the source, and keeps equal bytes as they are", () => {
  const rng = new Rng(4);
  for (let trial = 0; trial < 50; trial++) {
    const from = Array.from({ length: rng.int(300) }, () => rng.int(4));
    const to = from.slice();
    for (let k = rng.int(6); k > 0; k--) {
      const at = rng.int(to.length + 1);
      to.splice(at, rng.int(4), ...Array.from({ length: rng.int(4) }, () => rng.int(256)));
    }
    const edits = byteEdits(Uint8Array.from(from), Uint8Array.from(to));
    assert.deepEqual(bytesOf(applyByteEdits(b64(from), edits)), to);
    if (trial === 0) assert.equal(byteEdits(Uint8Array.from(from), Uint8Array.from(from)), "");
  }
});
