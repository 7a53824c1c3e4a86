/**
 * Pure-JavaScript decoding of encoded JPEG and PNG bytes (works in Node and browsers, no native
 * build).
 *
 * @packageDocumentation
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { Raster } from './image.js';

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
  const format = sniffFormat(bytes);
  if (!format) throw new Error('not a JPEG or PNG image');
  try {
    if (format === 'jpeg') {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
      return { width: img.width, height: img.height, channels: 4, data: img.data };
    }
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  } catch (e) {
    throw new Error(`corrupt or unsupported ${format.toUpperCase()} (${(e as Error).message})`);
  }
}
