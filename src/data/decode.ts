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
 * The default limit on decoded image size: 64 megapixels (8000 × 8000). Decoding a JPEG of that
 * size takes about 1.2 GB with the pure-JS decoder (PNG about 4 bytes per pixel), so larger images
 * are refused before decoding with a "too large" error. Override it per call (`maxPixels`) or for
 * the process with the `FER_CNN_LSTM_MAX_PIXELS` environment variable (Node).
 */
export const MAX_IMAGE_PIXELS = 64_000_000;

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Refuse images with more pixels than this (width × height, read from the header before decoding). Default {@link MAX_IMAGE_PIXELS} or `$FER_CNN_LSTM_MAX_PIXELS`. */
  maxPixels?: number;
}

/** The pixel limit in effect: `maxPixels`, else `$FER_CNN_LSTM_MAX_PIXELS`, else {@link MAX_IMAGE_PIXELS}. */
export function maxImagePixels(maxPixels?: number): number {
  if (maxPixels !== undefined) {
    if (!(maxPixels > 0)) throw new RangeError(`maxPixels must be a positive number, got ${maxPixels}`);
    return maxPixels;
  }
  const env = typeof process !== 'undefined' ? process.env?.FER_CNN_LSTM_MAX_PIXELS : undefined;
  const n = env === undefined || env === '' ? NaN : Number(env);
  return n > 0 ? n : MAX_IMAGE_PIXELS;
}

/** SOF markers of JPEG (baseline, extended, progressive, lossless; Huffman and arithmetic). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Width and height from the header of JPEG or PNG bytes, without decoding; `undefined` when the
 * header does not say (truncated, or a JPEG whose height comes later in a DNL marker).
 */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  const format = sniffFormat(bytes);
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  if (format === 'png') {
    if (bytes.length < 24 || String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return undefined;
    const u32 = (i: number) => ((bytes[i] << 24) >>> 0) + (bytes[i + 1] << 16) + (bytes[i + 2] << 8) + bytes[i + 3];
    return { width: u32(16), height: u32(20) };
  }
  if (format === 'jpeg') {
    let i = 2;
    while (i + 3 < bytes.length) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1];
      if (marker === 0xff) { i++; continue; } // fill byte
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
      if (marker === 0xda || marker === 0xd9) return undefined; // image data before any frame header
      const length = u16(i + 2);
      if (isSof(marker)) {
        if (i + 8 >= bytes.length) return undefined;
        const height = u16(i + 5), width = u16(i + 7);
        return height > 0 && width > 0 ? { width, height } : undefined;
      }
      i += 2 + length;
    }
  }
  return undefined;
}

/** `12000×9000 (108.0 MP)`. */
function describeSize(width: number, height: number): string {
  return `${width}×${height} pixels (${((width * height) / 1e6).toFixed(1)} MP)`;
}

/** The "too large" error. */
function tooLarge(width: number, height: number, limit: number): Error {
  const side = Math.floor(Math.sqrt(limit));
  return new Error(`too large: ${describeSize(width, height)}, the limit is ${(limit / 1e6).toFixed(limit < 1e6 ? 3 : 0)} MP (about ${side}×${side}); `
    + 'downscale the image, or raise the limit with FER_CNN_LSTM_MAX_PIXELS');
}

/**
 * Decodes JPEG or PNG bytes to a raster. Images over the pixel limit ({@link MAX_IMAGE_PIXELS},
 * `options.maxPixels`) are refused from their header, before any decoding.
 * @throws Error naming the problem (empty, not an image, too large, truncated, unsupported) — callers add the file.
 */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Raster {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const format = sniffFormat(bytes);
  if (!format) throw new Error('not a JPEG or PNG image');
  const limit = maxImagePixels(options.maxPixels);
  const dims = imageDimensions(bytes);
  if (dims && dims.width * dims.height > limit) throw tooLarge(dims.width, dims.height, limit);
  try {
    if (format === 'jpeg') {
      // jpeg-js counts about 19 bytes per pixel at worst (4:4:4 coefficient blocks, component lines, RGBA output):
      // give it what any valid JPEG within the pixel limit needs, and let it refuse larger ones itself
      const img = jpeg.decode(bytes, {
        useTArray: true, formatAsRGBA: true,
        maxResolutionInMP: limit / 1e6,
        maxMemoryUsageInMB: Math.ceil((Math.min(limit, (dims?.width ?? Infinity) * (dims?.height ?? Infinity)) * 20 + bytes.length) / 2 ** 20) + 64,
      });
      return { width: img.width, height: img.height, channels: 4, data: img.data };
    }
    return pngToRaster(bytes);
  } catch (e) {
    const msg = (e as Error).message;
    if (dims && /maxResolutionInMP|maxMemoryUsageInMB/.test(msg)) throw tooLarge(dims.width, dims.height, limit);
    if (!dims && /maxResolutionInMP/.test(msg)) throw new Error(`too large: over the limit of ${(limit / 1e6).toFixed(0)} MP (${msg})`);
    throw new Error(`corrupt or unsupported ${format.toUpperCase()} (${msg})`);
  }
}
