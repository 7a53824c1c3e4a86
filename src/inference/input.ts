/**
 * Prediction input: any image the user has (a file, encoded bytes, a tensor, pixel data, a browser
 * image or canvas) → the model's `[n, size, size, 1]` float32 input in [0, 1], converted exactly as
 * {@link FerDataset} converts training images (BT.601 luma, area-average downscale, bilinear
 * upscale, rounded to 8 bits), so a face predicts the same whether it came from a file or a tensor.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { decodeImageAsync } from '../data/decode.js';
import { toGraySquare, type Raster } from '../data/image.js';
import { isNode } from '../util/env.js';

/** Bad prediction input: names the input (and its index in an array) and what was expected. */
export class ImageInputError extends Error {
  /** Index of the offending element when the input was an array. */
  readonly index?: number;

  constructor(message: string, index?: number) {
    super(index === undefined ? message : `input[${index}]: ${message}`);
    this.name = 'ImageInputError';
    this.index = index;
  }
}

/**
 * Raw pixels, like the browser's `ImageData`: `width × height` pixels, `data` interleaved 8-bit
 * samples. The channel count is `channels` when given, else inferred from `data.length`
 * (`w·h` gray, `3·w·h` RGB, `4·w·h` RGBA — `ImageData` is always RGBA). Alpha is ignored.
 */
export interface ImageDataLike {
  width: number;
  height: number;
  data: ArrayLike<number>;
  channels?: number;
}

/** Browser image sources, read with `tf.browser.fromPixels` (browsers only). */
export type BrowserImageSource = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | OffscreenCanvas;

/**
 * One image (or, for a 4-D tensor, a batch of images) as accepted by the prediction functions:
 *
 * - a **string**: a file path (Node), or an `http(s):`, `data:`, `blob:` or `file:` URL (any
 *   other string is fetched as a relative URL in browsers); the file must be JPEG or PNG (in
 *   Node with the optional `sharp` installed also WebP, AVIF, HEIF, TIFF or GIF), whatever its
 *   name; EXIF orientation is applied;
 * - a **URL** object (same rules);
 * - **encoded bytes** of such an image: `Uint8Array`, Node `Buffer` or `ArrayBuffer`;
 * - a **`tf.Tensor`** `[h, w]`, `[h, w, c]` or `[n, h, w, c]` with `c` = 1 (gray), 3 (RGB) or 4
 *   (RGBA), pixel values **0–255** whatever the dtype — the convention of `tf.browser.fromPixels`
 *   (int32 0–255). Pass `tensorRange: '0-1'` for float tensors already scaled to [0, 1]. Values
 *   are clamped and rounded to 8 bits, as if the tensor had been saved as an image;
 * - an {@link ImageDataLike} (`ImageData`, a decoded `{ width, height, data }`);
 * - in browsers, a {@link BrowserImageSource}.
 *
 * Any size and colour is accepted: colour becomes BT.601 gray and the image is resized (squashed,
 * not cropped — crop the face first) to the model's side.
 */
export type ImageInput = string | URL | Uint8Array | ArrayBuffer | tf.Tensor | ImageDataLike | BrowserImageSource;

/** What the prediction functions take: one {@link ImageInput} or an array of them (a batch). */
export type ModelInput = ImageInput | readonly ImageInput[];

/** Options of {@link toModelInput} and {@link toGrayImages}. */
export interface InputOptions {
  /** Side of the square model input in pixels. Default 48. */
  size?: number;
  /**
   * Value range of tensor inputs: `'0-255'` (default, as `tf.browser.fromPixels` gives) or
   * `'0-1'` (float tensors already divided by 255). Other inputs are always 8-bit.
   */
  tensorRange?: '0-255' | '0-1';
  /**
   * The most elongated image taken as a face crop, as long side ÷ short side: a face crop is
   * about square, and a 10 × 10000 strip squashed to the model's square is no face, so inputs
   * past it are refused (crop the face first, or detect faces in full photos). Default
   * {@link MAX_FACE_ASPECT} (4, i.e. 4:1); `Infinity` turns the check off.
   */
  maxAspect?: number;
}

/** The default {@link InputOptions.maxAspect}: images more elongated than 4:1 are not taken as face crops. */
export const MAX_FACE_ASPECT = 4;

/**
 * Refuses a raster too elongated to be a face crop (long side ÷ short side over `maxAspect`).
 * @param name how the error names the input (a path, or a description of it).
 * @throws ImageInputError naming the input, its size and the limit.
 */
export function checkFaceAspect(r: Raster, name: string, maxAspect = MAX_FACE_ASPECT): void {
  const long = Math.max(r.width, r.height), short = Math.min(r.width, r.height);
  if (long / short <= maxAspect) return;
  const ratio = long / short >= 10 ? Math.round(long / short) : Number((long / short).toFixed(2));
  throw new ImageInputError(`${name}: ${r.width}×${r.height} pixels (aspect ${ratio}:1) cannot be a face crop, `
    + `the limit is ${maxAspect}:1 — crop the face first, or detect faces in the full photo (detectEmotions, predict --faces)`);
}

/** Converted input: `count` gray images of `size × size` bytes, and whether the input was a batch. */
export interface GrayImages {
  /** `count × size × size` bytes, row-major. */
  pixels: Uint8Array;
  count: number;
  size: number;
  /** True when the input was an array or a 4-D tensor (predictions come back as an array). */
  batch: boolean;
}

const TENSOR_SHAPES = 'expected [h,w], [h,w,c] or [n,h,w,c] with c = 1, 3 or 4';
const ACCEPTED =
  'expected a file path or URL, JPEG/PNG bytes, a tf.Tensor, ImageData-like { width, height, data }, ' +
  'an HTML image/canvas/video element, ImageBitmap or OffscreenCanvas, or an array of these';


/** True for a `tf.Tensor`, also one made by another copy of tfjs-core. */
export function isTensor(x: unknown): x is tf.Tensor {
  if (x instanceof tf.Tensor) return true;
  const t = x as { shape?: unknown; dtype?: unknown; data?: unknown; dataId?: unknown } | null;
  return typeof t === 'object' && t !== null && Array.isArray(t.shape) && typeof t.dtype === 'string'
    && typeof t.data === 'function' && t.dataId !== undefined;
}

/** True for a batch input: an array, or a 4-D tensor. */
export function isBatchInput(input: ModelInput): boolean {
  return Array.isArray(input) || (isTensor(input) && input.rank === 4);
}

function isImageDataLike(x: unknown): x is ImageDataLike {
  const o = x as ImageDataLike | null;
  return typeof o === 'object' && o !== null && typeof o.width === 'number' && typeof o.height === 'number'
    && typeof o.data === 'object' && o.data !== null && typeof (o.data as ArrayLike<number>).length === 'number';
}

function isInstance(x: unknown, ctor: string): boolean {
  const C = (globalThis as Record<string, unknown>)[ctor];
  return typeof C === 'function' && x instanceof (C as new () => unknown);
}

const BROWSER_SOURCES = ['HTMLImageElement', 'HTMLCanvasElement', 'HTMLVideoElement', 'ImageBitmap', 'OffscreenCanvas'];

/** A short description of an input for error messages. */
export function describeInput(x: unknown): string {
  if (typeof x === 'string') return x.length > 80 ? `"${x.slice(0, 77)}..."` : `"${x}"`;
  if (x instanceof URL) return x.href;
  if (isTensor(x)) return `tensor of shape [${x.shape.join(',')}] (${x.dtype})`;
  if (x instanceof Uint8Array) return `byte array (${x.length} bytes)`;
  if (x instanceof ArrayBuffer) return `ArrayBuffer (${x.byteLength} bytes)`;
  if (x === null) return 'null';
  if (Array.isArray(x)) return `array of ${x.length}`;
  if (typeof x === 'object') {
    const name = (x as object).constructor?.name;
    return name && name !== 'Object' ? `${name} object` : 'object';
  }
  return typeof x;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
}

/**
 * Decodes an encoded image, upright (EXIF orientation applied): JPEG and PNG, and in Node with the
 * optional `sharp` installed WebP, AVIF, HEIF, TIFF and GIF (see `decodeImageAsync`); errors name `name`.
 */
export async function decodeBytes(bytes: Uint8Array, name: string): Promise<Raster> {
  try {
    return await decodeImageAsync(bytes);
  } catch (e) {
    throw new ImageInputError(`${name}: ${(e as Error).message}`);
  }
}

async function readLocation(location: string): Promise<Raster> {
  if (/^file:/i.test(location) && isNode) {
    const { fileURLToPath } = await import('node:url');
    return readPath(fileURLToPath(location), location);
  }
  if (/^(https?|data|blob):/i.test(location) || !isNode) {
    let bytes: Uint8Array;
    try {
      const res = await fetch(location);
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new ImageInputError(`${shortName(location)}: cannot fetch (${(e as Error).message})`);
    }
    return decodeBytes(bytes, shortName(location));
  }
  return readPath(location, location);
}

function shortName(location: string): string {
  return location.length > 80 ? `${location.slice(0, 77)}...` : location;
}

async function readPath(path: string, name: string): Promise<Raster> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileReadError(e, name);
  }
  return decodeBytes(bytes, name);
}

/** The error for a file that cannot be read (missing, a folder…), naming it. */
export function fileReadError(e: unknown, name: string): ImageInputError {
  const code = (e as NodeJS.ErrnoException).code;
  // a name that was not valid UTF-8 reached us with U+FFFD in it: the real file may well exist
  const why = code === 'ENOENT' && name.includes('\uFFFD') ? 'no such file under this name, which holds bytes that are not valid UTF-8 (shown as \uFFFD): rename the file to read it'
    : code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an image file' : (e as Error).message;
  return new ImageInputError(`${name}: ${why}`);
}

/** How many values are NaN or ±Infinity (they would otherwise become 0 or 255 silently). */
function countNonFinite(values: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad++;
  return bad;
}

function rasterFromImageData(img: ImageDataLike): Raster {
  const { width, height, data } = img;
  const name = `image data ${width}×${height}`;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageInputError(`${name}: width and height must be positive integers`);
  }
  const px = width * height;
  const channels = img.channels ?? data.length / px;
  if (![1, 2, 3, 4].includes(channels) || data.length !== px * channels) {
    throw new ImageInputError(img.channels === undefined
      ? `${name} holds ${data.length} values: expected ${px} (gray), ${3 * px} (RGB) or ${4 * px} (RGBA)`
      : `${name} with ${img.channels} channels holds ${data.length} values: expected ${px * img.channels} (channels 1–4)`);
  }
  const typed8 = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
  const bad = typed8 ? 0 : countNonFinite(data);
  if (bad > 0) {
    throw new ImageInputError(`${name} (${channels} channel${channels === 1 ? '' : 's'}) holds ${bad} non-finite value${bad === 1 ? '' : 's'} (NaN or Infinity) of ${data.length}: expected pixel values 0–255`);
  }
  const bytes = typed8 ? data : Uint8ClampedArray.from(data);
  return { width, height, channels: channels as Raster['channels'], data: bytes };
}

async function rastersFromTensor(t: tf.Tensor, range: '0-255' | '0-1'): Promise<Raster[]> {
  const shape = t.shape as number[];
  const c = shape.length === 2 ? 1 : shape[shape.length - 1];
  if (shape.length < 2 || shape.length > 4 || ![1, 3, 4].includes(c)) {
    throw new ImageInputError(`tensor of shape [${shape.join(',')}] is not an image: ${TENSOR_SHAPES}`);
  }
  const n = shape.length === 4 ? shape[0] : 1;
  const [h, w]: number[] = shape.length === 4 ? [shape[1], shape[2]] : [shape[0], shape[1]];
  if (h < 1 || w < 1) throw new ImageInputError(`tensor of shape [${shape.join(',')}] has no pixels: ${TENSOR_SHAPES}`);
  if (t.dtype === 'string' || t.dtype === 'complex64') {
    throw new ImageInputError(`tensor of shape [${shape.join(',')}] has dtype ${t.dtype}: expected numeric pixel values`);
  }
  if (t.isDisposed) throw new ImageInputError(`tensor of shape [${shape.join(',')}] is disposed`);
  const values = (await t.data()) as ArrayLike<number>;
  const bad = countNonFinite(values);
  if (bad > 0) {
    throw new ImageInputError(`tensor of shape [${shape.join(',')}] (${t.dtype}) holds ${bad} non-finite value${bad === 1 ? '' : 's'} (NaN or Infinity) of ${values.length}: expected pixel values ${range === '0-1' ? '0–1' : '0–255'}`);
  }
  const scale = range === '0-1' ? 255 : 1;
  // Uint8ClampedArray clamps to 0–255 and rounds, as saving to an 8-bit image would.
  const bytes = new Uint8ClampedArray(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = values[i] * scale;
  const per = h * w * c;
  const out: Raster[] = [];
  for (let k = 0; k < n; k++) {
    out.push({ width: w, height: h, channels: c as 1 | 3 | 4, data: bytes.subarray(k * per, (k + 1) * per) });
  }
  return out;
}

async function rasterFromBrowserSource(src: BrowserImageSource, name: string): Promise<Raster> {
  if (isInstance(src, 'HTMLImageElement')) {
    const img = src as HTMLImageElement;
    if (!img.complete && typeof img.decode === 'function') {
      try { await img.decode(); } catch { /* reported below */ }
    }
    if (!img.naturalWidth) throw new ImageInputError(`${name} (${img.src || 'no src'}): the image has not loaded or failed to load`);
  }
  if (isInstance(src, 'HTMLVideoElement') && (src as HTMLVideoElement).readyState < 2) {
    throw new ImageInputError(`${name}: the video has no frame yet (readyState ${(src as HTMLVideoElement).readyState}); wait for 'loadeddata'`);
  }
  let t: tf.Tensor3D;
  try {
    t = tf.browser.fromPixels(src as Parameters<typeof tf.browser.fromPixels>[0], 3);
  } catch (e) {
    throw new ImageInputError(`${name}: cannot read its pixels (${(e as Error).message})`);
  }
  try {
    const [h, w] = t.shape;
    const data = Uint8ClampedArray.from((await t.data()) as ArrayLike<number>);
    return { width: w, height: h, channels: 3, data };
  } finally {
    t.dispose();
  }
}

/**
 * Reads one {@link ImageInput} into full-size rasters (one per image; a 4-D tensor gives several),
 * without the gray conversion and resizing of {@link toGrayImages}.
 *
 * @throws ImageInputError naming the input when it is not an image.
 */
export async function toRasters(input: ImageInput, options: InputOptions = {}): Promise<Raster[]> {
  if (typeof input === 'string') return [await readLocation(input)];
  if (input instanceof URL) return [await readLocation(input.href)];
  if (isTensor(input)) return rastersFromTensor(input, options.tensorRange ?? '0-255');
  if (input instanceof Uint8Array) return [await decodeBytes(input, `encoded image (${input.length} bytes)`)];
  if (input instanceof ArrayBuffer) return [await decodeBytes(new Uint8Array(input), `encoded image (${input.byteLength} bytes)`)];
  if (isImageDataLike(input)) return [rasterFromImageData(input)];
  const browser = BROWSER_SOURCES.find((c) => isInstance(input, c));
  if (browser) return [await rasterFromBrowserSource(input as BrowserImageSource, browser)];
  throw new ImageInputError(`${describeInput(input)} is not an image: ${ACCEPTED}`);
}

/**
 * Converts input to `size × size` 8-bit gray images, exactly as {@link FerDataset} converts
 * training images. An array (or a 4-D tensor) gives a batch; arrays may mix kinds of input.
 *
 * @throws ImageInputError naming the input (and its index in an array) when it is not an image.
 */
export async function toGrayImages(input: ModelInput, options: InputOptions = {}): Promise<GrayImages> {
  const size = options.size ?? 48;
  checkSize(size);
  const maxAspect = options.maxAspect ?? MAX_FACE_ASPECT;
  if (!(maxAspect >= 1)) throw new RangeError(`maxAspect must be at least 1, got ${maxAspect}`);
  const batch = isBatchInput(input);
  const items: readonly ImageInput[] = Array.isArray(input) ? input : [input as ImageInput];
  const images: Uint8Array[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let rasters: Raster[];
    try {
      if (Array.isArray(item)) throw new ImageInputError(`${describeInput(item)} is not an image: nested arrays are not accepted (pass one flat array)`);
      rasters = await toRasters(item, options);
    } catch (e) {
      if (Array.isArray(input) && e instanceof ImageInputError) throw new ImageInputError(e.message, i);
      throw e;
    }
    for (const r of rasters) {
      try {
        checkFaceAspect(r, typeof item === 'string' ? shortName(item) : describeInput(item), maxAspect);
      } catch (e) {
        throw Array.isArray(input) && e instanceof ImageInputError ? new ImageInputError(e.message, i) : e;
      }
      images.push(toGraySquare(r, size).pixels);
    }
  }
  const px = size * size;
  const pixels = new Uint8Array(images.length * px);
  images.forEach((img, k) => pixels.set(img, k * px));
  return { pixels, count: images.length, size, batch };
}

/** Packs gray bytes (`n × size × size`) into the model's `[n, size, size, 1]` float32 input in [0, 1]. */
export function grayToTensor(pixels: Uint8Array, size: number): tf.Tensor4D {
  const n = pixels.length / (size * size);
  if (!Number.isInteger(n)) throw new RangeError(`${pixels.length} bytes are not a whole number of ${size}×${size} images`);
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  return tf.tensor4d(x, [n, size, size, 1]);
}

/**
 * Converts any {@link ModelInput} to the model's input: a `[n, size, size, 1]` float32 tensor in
 * [0, 1] (the caller disposes it), identical to what {@link FerDataset.toTensors} gives for the
 * same image file. A single image gives `n = 1`.
 *
 * @example
 * ```ts
 * const x = await toModelInput(['a.jpg', 'b.png']); // shape [2, 48, 48, 1]
 * ```
 * @throws ImageInputError naming the input when it is not an image.
 */
export async function toModelInput(input: ModelInput, options: InputOptions = {}): Promise<tf.Tensor4D> {
  const { pixels, size } = await toGrayImages(input, options);
  return grayToTensor(pixels, size);
}
