/**
 * Pure-JavaScript decoding of encoded JPEG and PNG bytes (works in Node and browsers, no native
 * build, no Node built-ins): jpeg-js for JPEG, fast-png (bundled into this package's build) for PNG.
 *
 * @packageDocumentation
 */
import jpeg from 'jpeg-js';
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import type { Raster } from './image.js';

/** PNG bytes → 8-bit raster (palette expanded, 16-bit scaled down, 1/2/4-bit unpacked). */
function pngToRaster(bytes: Uint8Array): Raster {
  const png = decodePng(bytes);
  const { width, height } = png;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / (width * height);
    return { width, height, channels: channels as Raster['channels'], data: rgb };
  }
  const channels = png.channels as Raster['channels'];
  const n = width * height * channels;
  let data: Uint8Array;
  if (png.depth === 16) {
    const src = png.data as Uint16Array;
    data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = src[i] >> 8;
  } else if (png.depth === 8) {
    data = png.data as Uint8Array;
  } else {
    // 1, 2 or 4 bits per sample, rows padded to whole bytes
    const src = png.data as Uint8Array;
    const depth = png.depth;
    const rowBytes = Math.ceil((width * channels * depth) / 8);
    const max = (1 << depth) - 1;
    data = new Uint8Array(n);
    for (let y = 0; y < height; y++) {
      for (let i = 0; i < width * channels; i++) {
        const bit = i * depth;
        const byte = src[y * rowBytes + (bit >> 3)];
        const v = (byte >> (8 - depth - (bit & 7))) & max;
        data[y * width * channels + i] = Math.round((v * 255) / max);
      }
    }
  }
  return { width, height, channels, data };
}

/** The encoded image formats this package reads. */
export type ImageFormat = 'jpeg' | 'png';

/** Sniffs the format from the first bytes; `undefined` when it is neither JPEG nor PNG. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  return undefined;
}

/**
 * Decodes JPEG or PNG bytes to a raster.
 * @throws Error naming the problem (not an image, truncated, unsupported) — callers add the file.
 */
export function decodeImage(bytes: Uint8Array): Raster {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const format = sniffFormat(bytes);
  if (!format) throw new Error('not a JPEG or PNG image');
  try {
    if (format === 'jpeg') {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
      return { width: img.width, height: img.height, channels: 4, data: img.data };
    }
    return pngToRaster(bytes);
  } catch (e) {
    throw new Error(`corrupt or unsupported ${format.toUpperCase()} (${(e as Error).message})`);
  }
}
