/**
 * Pure-JavaScript decoding of encoded JPEG and PNG bytes (works in Node and browsers, no native
 * build, no Node built-ins): jpeg-js for JPEG, fast-png (bundled into this package's build) for PNG.
 * Images come out as displayed (EXIF orientation applied); what the decoders would turn into
 * garbage or spend unbounded memory on (12-bit JPEGs, PNG decompression bombs, images over the
 * pixel limit) is refused before decoding, and other formats are refused by name.
 *
 * @packageDocumentation
 */
import jpeg from 'jpeg-js';
import { detectFormat, FORMAT_NAMES, SHARP_FORMATS, type DetectedFormat } from './formats.js';
import type { Raster } from './image.js';
import { isSof, readJpegHeader } from './jpeg-header.js';
import { applyOrientation } from './orientation.js';
import { decodePngRaster, PngBombError } from './png.js';
import { decodeWithSharp, loadSharp } from './sharp.js';

/**
 * Version of what decoding gives for the same bytes: part of the decoded-dataset cache key, so that
 * caches written before a change (2: EXIF orientation applied) are not reused.
 */
export const DECODER_VERSION = 2;

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
 * are refused before decoding with a "too large" error ({@link decodeImageAsync} with the optional
 * `sharp` installed shrinks them on load instead). Override it per call (`maxPixels`) or for
 * the process with the `FER_CNN_LSTM_MAX_PIXELS` environment variable (Node).
 */
export const MAX_IMAGE_PIXELS = 64_000_000;

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Refuse images with more pixels than this (width × height, read from the header before decoding). Default {@link MAX_IMAGE_PIXELS} or `$FER_CNN_LSTM_MAX_PIXELS`. */
  maxPixels?: number;
  /** Turn the image as its EXIF orientation says (as viewers display it). Default true; false gives the pixels as stored. */
  orientation?: boolean;
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
    + 'downscale the image, raise the limit with FER_CNN_LSTM_MAX_PIXELS, or npm install sharp to shrink it on load');
}

/**
 * The most scans a JPEG may have. Progressive JPEGs have about 10; each scan is a pass over the
 * image, so thousands of tiny scans would take unbounded time (libjpeg-turbo recommends 500 too).
 */
export const MAX_JPEG_SCANS = 500;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/** `WebP image: …` for formats this function does not decode. */
function unsupportedFormat(format: DetectedFormat): Error {
  const name = FORMAT_NAMES[format];
  if (SHARP_FORMATS.includes(format)) {
    return new Error(isNode
      ? `${name} image: JPEG and PNG are read without extra packages; npm install sharp to read ${name}`
      : `${name} image: only JPEG and PNG bytes are decoded here; pass the browser's own decoding (an <img>, ImageBitmap or canvas) instead`);
  }
  return new Error(`${name} image: not supported (JPEG and PNG are read; WebP, AVIF, HEIC, TIFF and GIF with sharp installed); convert it to JPEG or PNG`);
}

/**
 * Refuses JPEGs that jpeg-js would decode to garbage (12-bit, lossless, arithmetic-coded) or
 * spend unbounded time on (too many scans).
 */
function checkJpeg(header: ReturnType<typeof readJpegHeader>): void {
  const { precision, sof, scans, width, height, dataBytes } = header;
  if (sof === 0xc3 || sof === 0xc7 || sof === 0xcb || sof === 0xcf) throw new Error('lossless JPEG is not supported (only 8-bit baseline and progressive JPEGs are read)');
  if (precision !== undefined && precision !== 8) throw new Error(`${precision}-bit JPEG is not supported (only 8-bit JPEGs are read)`);
  if (sof !== undefined && sof >= 0xc9) throw new Error('arithmetic-coded JPEG is not supported (only Huffman-coded JPEGs are read)');
  if (scans > MAX_JPEG_SCANS) throw new Error(`refused JPEG: ${scans} scans, the limit is ${MAX_JPEG_SCANS} (ordinary progressive JPEGs have about 10)`);
  if (width && height) {
    // every 8×8 block of the image costs at least one bit (its DC code), whatever the image
    const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
    if (dataBytes < blocks / 8) {
      throw new Error(`refused JPEG: ${dataBytes} bytes of image data cannot hold the ${width}×${height} pixels its header declares `
        + `(at least ${Math.ceil(blocks / 8)} bytes; truncated, or a decompression bomb)`);
    }
  }
}

/**
 * Decodes JPEG or PNG bytes to a raster, turned upright as viewers display it (EXIF orientation of
 * a JPEG's APP1 segment or a PNG's eXIf chunk; `width` and `height` are the displayed ones). Images
 * over the pixel limit ({@link MAX_IMAGE_PIXELS}, `options.maxPixels`) are refused from their
 * header, before any decoding; PNG image data that inflates past the size its header declares is
 * refused after inflating no more than that; 12-bit, lossless and arithmetic-coded JPEGs are
 * refused. Other formats (WebP, GIF, TIFF, HEIC, AVIF, BMP…) are refused by name — see
 * {@link decodeImageAsync} for reading WebP, AVIF, HEIC, TIFF and GIF with the optional `sharp`.
 * @throws Error naming the problem (empty, not an image, the real format, too large, truncated, unsupported) — callers add the file.
 */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Raster {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const detected = detectFormat(bytes);
  if (!detected) throw new Error('not a JPEG or PNG image');
  if (detected !== 'jpeg' && detected !== 'png') throw unsupportedFormat(detected);
  const format = detected;
  const limit = maxImagePixels(options.maxPixels);
  const dims = imageDimensions(bytes);
  if (dims && dims.width * dims.height > limit) throw tooLarge(dims.width, dims.height, limit);
  const jpegHeader = format === 'jpeg' ? readJpegHeader(bytes) : undefined;
  if (jpegHeader) checkJpeg(jpegHeader);
  let raster: Raster;
  let orientation: Parameters<typeof applyOrientation>[1];
  try {
    if (jpegHeader) {
      // jpeg-js counts about 19 bytes per pixel at worst (4:4:4 coefficient blocks, component lines, RGBA output):
      // give it what any valid JPEG within the pixel limit needs, and let it refuse larger ones itself
      const img = jpeg.decode(bytes, {
        useTArray: true, formatAsRGBA: true,
        maxResolutionInMP: limit / 1e6,
        maxMemoryUsageInMB: Math.ceil((Math.min(limit, (dims?.width ?? Infinity) * (dims?.height ?? Infinity)) * 20 + bytes.length) / 2 ** 20) + 64,
      });
      raster = { width: img.width, height: img.height, channels: 4, data: img.data };
      orientation = jpegHeader.orientation;
    } else {
      ({ raster, orientation } = decodePngRaster(bytes));
    }
  } catch (e) {
    if (e instanceof PngBombError) throw e;
    const msg = (e as Error).message;
    if (dims && /maxResolutionInMP|maxMemoryUsageInMB/.test(msg)) throw tooLarge(dims.width, dims.height, limit);
    if (!dims && /maxResolutionInMP/.test(msg)) throw new Error(`too large: over the limit of ${(limit / 1e6).toFixed(0)} MP (${msg})`);
    throw new Error(`corrupt or unsupported ${format.toUpperCase()} (${msg})`);
  }
  return options.orientation === false ? raster : applyOrientation(raster, orientation);
}

/**
 * Decodes encoded image bytes to an upright raster, as {@link decodeImage} does for JPEG and PNG
 * (pure JavaScript, in Node and browsers), and in Node with the optional `sharp` package installed
 * (`npm install sharp`) also:
 *
 * - WebP, AVIF, TIFF, GIF (first frame) and HEIF (AVIF-coded; prebuilt sharp has no HEVC decoder
 *   for most HEIC photos), EXIF orientation applied;
 * - photos over the pixel limit (`maxPixels`, default {@link MAX_IMAGE_PIXELS}), of any of these
 *   formats, shrunk on load to fit the limit instead of refused, with memory bounded by the result.
 *
 * Without sharp (or with `FER_CNN_LSTM_SHARP=0`) the other formats are refused naming the format
 * and the fix ("WebP image: … npm install sharp to read WebP").
 * @throws Error naming the problem — callers add the file.
 */
export async function decodeImageAsync(bytes: Uint8Array, options: DecodeOptions = {}): Promise<Raster> {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const format = detectFormat(bytes);
  if (format === 'jpeg' || format === 'png') {
    const limit = maxImagePixels(options.maxPixels);
    const dims = imageDimensions(bytes);
    if (dims && dims.width * dims.height > limit && options.orientation !== false) {
      const sharp = await loadSharp();
      if (sharp) return decodeWithSharp(sharp, bytes, format, limit);
    }
    return decodeImage(bytes, options);
  }
  if (format && SHARP_FORMATS.includes(format)) {
    const sharp = await loadSharp();
    if (sharp) return decodeWithSharp(sharp, bytes, format, maxImagePixels(options.maxPixels));
  }
  return decodeImage(bytes, options);
}
