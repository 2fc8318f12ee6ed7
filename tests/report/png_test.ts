// Tests of lib/report/png.ts: the fast-png encoder gives valid PNGs whose decoded pixels equal the
// input and the pixels of the former hand-written encoder.
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { encodePng, pngDataUrl } from "../../lib/report/png.ts";
import { PNG_SIGNATURE } from "./fixtures.ts";

/** 5×3 test image (pixel 7 fully transparent) as the former hand-written encoder wrote it. */
const OLD_ENCODER_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAUAAAADCAYAAABbNsX4AAAASklEQVR42gE/AMD/AAAAAP81YZf/asIu/58jxf/UhFz/" +
  "AAnl8/8+Ror/c6chAKgIuP/daU//ABLK5v9HK33/fIwU/7Htq//mTkL/+owiaMvNLYkAAAAASUVORK5CYII=";

function testImage(): Uint8Array {
  const rgba = new Uint8Array(5 * 3 * 4);
  for (let i = 0; i < 15; i++) {
    rgba.set([(i * 53) % 256, (i * 97) % 256, (i * 151) % 256, i === 7 ? 0 : 255], 4 * i);
  }
  return rgba;
}

function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

Deno.test("encodePng writes a valid PNG header and IHDR", () => {
  const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]));
  assert.deepEqual([...png.slice(0, 8)], PNG_SIGNATURE);
  const view = new DataView(png.buffer);
  assert.equal(String.fromCharCode(...png.slice(12, 16)), "IHDR");
  assert.equal(view.getUint32(16), 2);
  assert.equal(view.getUint32(20), 1);
  assert.throws(() => encodePng(2, 2, new Uint8Array(3)), /width\*height\*4 = 16 bytes, got 3/);
});

Deno.test("encodePng round-trips through the decoder: 8-bit RGBA, same pixels", () => {
  const rgba = testImage();
  const png = decode(encodePng(5, 3, rgba));
  assert.equal(png.width, 5);
  assert.equal(png.height, 3);
  assert.equal(png.channels, 4);
  assert.equal(png.depth, 8);
  assert.deepEqual([...png.data], [...rgba]);
});

Deno.test("encodePng pixels equal those of the former hand-written encoder", () => {
  const old = decode(fromBase64(OLD_ENCODER_PNG));
  const now = decode(encodePng(5, 3, testImage()));
  assert.equal(now.width, old.width);
  assert.equal(now.height, old.height);
  assert.deepEqual([...now.data], [...old.data]);
});

Deno.test("encodePng names bad sizes; pngDataUrl wraps the bytes as base64", () => {
  assert.throws(() => encodePng(0, 1, new Uint8Array(0)), /positive integers, got 0×1/);
  assert.throws(() => encodePng(1.5, 1, new Uint8Array(6)), /positive integers, got 1.5×1/);
  const url = pngDataUrl(5, 3, testImage());
  assert.match(url, /^data:image\/png;base64,/);
  assert.deepEqual(fromBase64(url.slice(url.indexOf(",") + 1)), encodePng(5, 3, testImage()));
});
