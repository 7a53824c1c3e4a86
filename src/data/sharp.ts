/**
 * Decoding with the optional `sharp` package (Node only, loaded on first use when the user has
 * installed it): WebP, AVIF, HEIF, TIFF and GIF, and photos over the pixel limit shrunk on load
 * (libvips decodes JPEG and WebP at 1/2, 1/4 or 1/8 scale directly, and streams the others), so
 * memory stays bounded by the size of the result. EXIF orientation is applied.
 *
 * @packageDocumentation
 */
import type { DetectedFormat } from './formats.js';
import { FORMAT_NAMES } from './formats.js';
import type { Raster } from './image.js';

/**
 * The most pixels `sharp` is asked to open (its own default, 16383 × 16383, the largest WebP):
 * larger images are refused by sharp from their header. Within it, images over the decode pixel
 * limit are shrunk on load to fit that limit.
 */
export const SHARP_MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

/** Seconds one sharp decode may take before it is abandoned with an error. */
export const SHARP_TIMEOUT_SECONDS = 60;

/** The part of sharp's API used here (sharp is an optional peer dependency: no type import). */
interface SharpPipeline {
  metadata(): Promise<{ width?: number; height?: number; orientation?: number }>;
  rotate(): SharpPipeline;
  resize(options: { width: number; height: number; fit: 'inside'; withoutEnlargement: boolean }): SharpPipeline;
  toColourspace(space: string): SharpPipeline;
  timeout(options: { seconds: number }): SharpPipeline;
  raw(options?: { depth?: string }): SharpPipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Uint8Array, options?: { limitInputPixels?: number; failOn?: string }) => SharpPipeline;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
let loading: Promise<SharpFactory | undefined> | undefined;

/**
 * The `sharp` function when the package is installed (Node only), else `undefined`. Setting the
 * environment variable `FER_CNN_LSTM_SHARP=0` makes it `undefined` even when installed (JPEG and
 * PNG only, decoded in pure JavaScript as in browsers).
 */
export function loadSharp(): Promise<SharpFactory | undefined> {
  if (!isNode || process.env.FER_CNN_LSTM_SHARP === '0') return Promise.resolve(undefined);
  loading ??= (async () => {
    try {
      // optional peer: present only when the user installed it
      const spec = 'sharp';
      const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as { default?: SharpFactory } & SharpFactory;
      return typeof mod.default === 'function' ? mod.default : typeof mod === 'function' ? mod : undefined;
    } catch {
      return undefined;
    }
  })();
  return loading;
}

/** The side lengths of `width × height` scaled down to at most `maxPixels`. */
export function fitPixels(width: number, height: number, maxPixels: number): { width: number; height: number } {
  if (width * height <= maxPixels) return { width, height };
  const scale = Math.sqrt(maxPixels / (width * height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/**
 * Decodes `bytes` (of `format`) with sharp: upright (EXIF orientation applied), the first frame of
 * an animation, 8-bit sRGB, shrunk on load to at most `maxPixels` pixels.
 * @throws Error naming the format and what sharp said.
 */
export async function decodeWithSharp(sharp: SharpFactory, bytes: Uint8Array, format: DetectedFormat, maxPixels: number): Promise<Raster> {
  const name = FORMAT_NAMES[format];
  try {
    const open = () => sharp(bytes, { limitInputPixels: SHARP_MAX_INPUT_PIXELS, failOn: 'error' });
    const meta = await open().metadata();
    let pipeline = open().rotate().timeout({ seconds: SHARP_TIMEOUT_SECONDS });
    if (meta.width && meta.height && meta.width * meta.height > maxPixels) {
      const swap = (meta.orientation ?? 1) >= 5;
      const fit = fitPixels(swap ? meta.height : meta.width, swap ? meta.width : meta.height, maxPixels);
      pipeline = pipeline.resize({ ...fit, fit: 'inside', withoutEnlargement: true });
    }
    const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels as Raster['channels'], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    // libvips lists what it tried, one line each: the last line says what failed
    const msg = String((e as Error).message ?? e).trim().split(/\s*\n\s*/).pop() ?? '';
    if (format === 'heif' && /compression|codec|unsupported|plugin|hevc/i.test(msg)) {
      throw new Error(`${name} image: the installed sharp cannot decode it (${msg}); prebuilt sharp reads AVIF but not HEVC-coded HEIC: convert it to JPEG`);
    }
    if (/pixel limit/i.test(msg)) throw new Error(`too large: ${name} image over ${(SHARP_MAX_INPUT_PIXELS / 1e6).toFixed(0)} MP (${msg})`);
    throw new Error(`corrupt or unsupported ${name} (${msg})`);
  }
}
