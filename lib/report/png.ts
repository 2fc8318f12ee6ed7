/**
 * PNG encoding of raw RGBA pixels (raster heatmap panels, embedded in the SVG as a `data:` URL),
 * through the maintained `fast-png` library.
 *
 * @module
 */

import { encode } from "fast-png";

/**
 * Encode RGBA pixels (row-major, 4 bytes per pixel) as a PNG file (8-bit RGBA, zlib level 9).
 *
 * @example
 * ```ts
 * import { encodePng } from "./png.ts";
 * const png = encodePng(1, 1, new Uint8Array([255, 0, 0, 255])); // one red pixel
 * ```
 */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(
      `encodePng: width and height must be positive integers, got ${width}×${height}`,
    );
  }
  if (!(rgba instanceof Uint8Array) || rgba.length !== width * height * 4) {
    throw new RangeError(
      `encodePng: rgba must be a Uint8Array of width*height*4 = ${
        width * height * 4
      } bytes, got ${rgba?.length}`,
    );
  }
  return encode({ width, height, data: rgba, channels: 4, depth: 8 }, { zlib: { level: 9 } });
}

/**
 * `data:image/png;base64,…` URL of RGBA pixels (see {@linkcode encodePng}).
 *
 * @example
 * ```ts
 * import { pngDataUrl } from "./png.ts";
 * const url = pngDataUrl(1, 1, new Uint8Array([0, 0, 255, 255])); // "data:image/png;base64,iVBOR…"
 * ```
 */
export function pngDataUrl(width: number, height: number, rgba: Uint8Array): string {
  const bytes = encodePng(width, height, rgba);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:image/png;base64,${btoa(bin)}`;
}
