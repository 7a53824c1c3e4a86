/** Small image fixtures for the inference tests, written with pngjs / jpeg-js. */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

/** A deterministic RGBA test pattern; `gray` makes r = g = b. */
export function pattern(width: number, height: number, gray = false): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const r = (x * 7 + y * 3) % 256;
      const g = (x * x + 5 * y) % 256;
      const b = (x * y) % 256;
      data[i] = r;
      data[i + 1] = gray ? r : g;
      data[i + 2] = gray ? r : b;
      data[i + 3] = 255;
    }
  }
  return data;
}

/** Encodes RGBA pixels as PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png);
}

/** Encodes RGBA pixels as JPEG. */
export function encodeJpeg(width: number, height: number, rgba: Uint8Array, quality = 90): Buffer {
  return jpeg.encode({ width, height, data: Buffer.from(rgba) }, quality).data;
}

/** The gray channel (r) of an RGBA pattern made with `gray = true`. */
export function grayOf(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4];
  return out;
}
