/**
 * Byte edits of base64 data: how the generated `transformer_wasm.ts` carries its second build
 * (without relaxed SIMD) as the few places where it differs from the first. `scripts/build_wasm.ts`
 * finds the edits (`byteEdits`); this module applies them.
 *
 * @module
 */

/**
 * Apply `edits` to the base64 bytes `base64` and return the result in base64. `edits` is
 * space-separated `offset:removed:inserted` in increasing offset order: at byte `offset` of the
 * input, drop `removed` bytes and put in the bytes `inserted` (base64); the bytes between edits
 * are kept.
 *
 * @example
 * ```ts
 * import { applyByteEdits } from "./byte_edits.ts";
 * applyByteEdits("AQID", "1:1:CQ=="); // "AQkD": bytes [1, 2, 3] → [1, 9, 3]
 * ```
 */
export function applyByteEdits(base64: string, edits: string): string {
  const from = atob(base64);
  let out = "", at = 0;
  for (const edit of edits === "" ? [] : edits.split(" ")) {
    const [offset, removed, inserted] = edit.split(":");
    if (!(Number(offset) >= at) || inserted === undefined) {
      throw new RangeError(`bad byte edit ${JSON.stringify(edit)} (after offset ${at})`);
    }
    out += from.slice(at, Number(offset)) + atob(inserted);
    at = Number(offset) + Number(removed);
  }
  return btoa(out + from.slice(at));
}
