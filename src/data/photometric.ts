/**
 * Photometric augmentation: the changes a face cut from someone's photo shows against a FER-2013
 * crop, drawn per image from a seed — a low-resolution source scaled up, defocus blur, exposure
 * (gamma, brightness), contrast, and sensor noise. {@link augment} applies it after the geometric
 * warp; each option left out (or 0) leaves its transform out.
 *
 * Resolution and blur are drawn from a few fixed levels so that a whole batch is processed with
 * one resize or convolution per level, whatever the batch size.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { Random } from '../util/random.js';

/** The photometric part of {@link AugmentOptions}. Zero or absent fields leave that transform out. */
export interface PhotometricOptions {
  /**
   * Largest downscale factor (≥ 1): half the images are shrunk by a factor drawn from 1.5, 2, 2.5,
   * 3 and 4 (those ≤ this value) and scaled back up, as a face from a small or distant source is.
   * Default: off.
   */
  lowResolution?: number;
  /**
   * Largest Gaussian blur σ in pixels: half the images are blurred by a σ drawn from 0.5, 0.8, 1.2,
   * 1.6, 2 and 2.5 (those ≤ this value), as an out-of-focus or moving face is. Default: off.
   */
  blur?: number;
  /** Gamma range: each image's γ is drawn log-uniformly in `[1 / (1 + gamma), 1 + gamma]`. Default: off. */
  gamma?: number;
  /** Contrast range: each image is stretched about its mean by a factor in `[1 - contrast, 1 + contrast]`. Default: off. */
  contrast?: number;
  /** Brightness range: each image is shifted by up to `± brightness` of white. Default: off. */
  brightness?: number;
  /** Largest noise level: each image gets Gaussian noise of σ uniform in `[0, noise]` of white. Default: off. */
  noise?: number;
  /**
   * The value of white in the batch, for the photometric transforms (they clip to `[0, white]`).
   * Default: 1 for float32 batches (images in [0, 1], as training feeds them), 255 for integer ones.
   */
  white?: number;
}

/** Downscale factors that {@link PhotometricOptions.lowResolution} draws from. */
export const LOW_RESOLUTION_LEVELS: readonly number[] = [1.5, 2, 2.5, 3, 4];
/** Blur σ (pixels) that {@link PhotometricOptions.blur} draws from. */
export const BLUR_LEVELS: readonly number[] = [0.5, 0.8, 1.2, 1.6, 2, 2.5];

const KEYS = ['lowResolution', 'blur', 'gamma', 'contrast', 'brightness', 'noise'] as const;

/** Whether any photometric transform is enabled. */
export function hasPhotometric(options: PhotometricOptions): boolean {
  return KEYS.some((k) => Boolean(options[k]));
}

/** Throws a RangeError naming the first photometric option that is not usable. */
export function checkPhotometricOptions(options: PhotometricOptions): void {
  for (const k of KEYS) {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new RangeError(`augment: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (options.lowResolution && options.lowResolution < 1) throw new RangeError(`augment: lowResolution is a downscale factor ≥ 1 (or 0 for off), got ${options.lowResolution}`);
  if (options.white !== undefined && !(typeof options.white === 'number' && options.white > 0 && Number.isFinite(options.white))) throw new RangeError(`augment: white must be a positive number, got ${options.white}`);
  if (options.contrast !== undefined && options.contrast >= 1) throw new RangeError(`augment: contrast must be < 1, got ${options.contrast}`);
}

/** Per-image draws of one batch: a level index per image (−1: untouched) and the tone parameters. */
export interface PhotometricDraws {
  lowResolution: Int32Array;
  blur: Int32Array;
  gamma: Float32Array;
  contrast: Float32Array;
  brightness: Float32Array;
  noise: Float32Array;
}

function levelDraws(random: Random, n: number, max: number | undefined, levels: readonly number[]): Int32Array {
  const out = new Int32Array(n).fill(-1);
  const usable = max ? levels.filter((l) => l <= max).length : 0;
  for (let i = 0; i < n; i++) {
    if (usable > 0 && random.next() < 0.5) out[i] = random.int(usable);
  }
  return out;
}

/**
 * The draws for `n` images from `seed`, on a stream of their own, so that adding photometric
 * options leaves the geometric and erasing draws of a seed unchanged.
 */
export function photometricDraws(n: number, options: PhotometricOptions, seed: number): PhotometricDraws {
  const random = new Random(((seed ^ 0x68e31da4) >>> 0));
  const lowResolution = levelDraws(random, n, options.lowResolution, LOW_RESOLUTION_LEVELS);
  const blur = levelDraws(random, n, options.blur, BLUR_LEVELS);
  const gamma = new Float32Array(n).fill(1);
  const contrast = new Float32Array(n).fill(1);
  const brightness = new Float32Array(n);
  const noise = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (options.gamma) gamma[i] = Math.exp(random.uniform(-Math.log1p(options.gamma), Math.log1p(options.gamma)));
    if (options.contrast) contrast[i] = random.uniform(1 - options.contrast, 1 + options.contrast);
    if (options.brightness) brightness[i] = random.uniform(-options.brightness, options.brightness);
    if (options.noise) noise[i] = random.uniform(0, options.noise);
  }
  return { lowResolution, blur, gamma, contrast, brightness, noise };
}

/** Bilinear resampling of one `h × w` plane (pixel centres aligned, as `tf.image.resizeBilinear` with half-pixel centres). */
function resizePlane(src: Float32Array, h: number, w: number, nh: number, nw: number): Float32Array {
  const out = new Float32Array(nh * nw);
  const sy = h / nh, sx = w / nw;
  for (let y = 0; y < nh; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), dy = fy - y0;
    for (let x = 0; x < nw; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), dx = fx - x0;
      const top = src[y0 * w + x0] * (1 - dx) + src[y0 * w + x1] * dx;
      const bottom = src[y1 * w + x0] * (1 - dx) + src[y1 * w + x1] * dx;
      out[y * nw + x] = top * (1 - dy) + bottom * dy;
    }
  }
  return out;
}

/** Normalised Gaussian taps of σ, radius ⌈2.5σ⌉. */
function gaussianTaps(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const k = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

/** Separable Gaussian blur of one plane, in place; taps past the border are dropped and the rest renormalised. */
function blurPlane(p: Float32Array, h: number, w: number, sigma: number): void {
  const taps = gaussianTaps(sigma);
  const r = (taps.length - 1) / 2;
  const tmp = new Float32Array(p.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0, z = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) { acc += p[y * w + k] * taps[k - x + r]; z += taps[k - x + r]; }
      tmp[y * w + x] = acc / z;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      let acc = 0, z = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) { acc += tmp[k * w + x] * taps[k - y + r]; z += taps[k - y + r]; }
      p[y * w + x] = acc / z;
    }
  }
}

/**
 * Applies the photometric transforms in place to `n` images of `h × w × c` (interleaved channels)
 * whose white is `white`; the result is clipped to `[0, white]`. Plain loops over a few thousand
 * pixels per image: cheaper than a chain of broadcast ops on the wasm backend, and the same
 * numbers on every backend.
 */
export function photometricPixels(data: Float32Array, shape: readonly [number, number, number, number], options: PhotometricOptions & { seed?: number }, white: number): void {
  const [n, h, w, c] = shape;
  const d = photometricDraws(n, options, options.seed ?? 0);
  const noise = new Random((((options.seed ?? 0) ^ 0x1b873593) >>> 0));
  const plane = new Float32Array(h * w);
  for (let i = 0; i < n; i++) {
    const base = i * h * w * c;
    const f = d.lowResolution[i] >= 0 ? LOW_RESOLUTION_LEVELS[d.lowResolution[i]] : 0;
    const sigma = d.blur[i] >= 0 ? BLUR_LEVELS[d.blur[i]] : 0;
    if (f || sigma) {
      for (let ch = 0; ch < c; ch++) {
        for (let j = 0; j < h * w; j++) plane[j] = data[base + j * c + ch];
        let p: Float32Array = plane;
        if (f) {
          const [sh, sw] = [Math.max(1, Math.round(h / f)), Math.max(1, Math.round(w / f))];
          p = resizePlane(resizePlane(p, h, w, sh, sw), sh, sw, h, w);
        }
        if (sigma) blurPlane(p, h, w, sigma);
        for (let j = 0; j < h * w; j++) data[base + j * c + ch] = p[j];
      }
    }
    const end = base + h * w * c;
    if (options.gamma) for (let j = base; j < end; j++) data[j] = white * Math.pow(Math.min(1, Math.max(0, data[j] / white)), d.gamma[i]);
    if (options.contrast) {
      let mean = 0;
      for (let j = base; j < end; j++) mean += data[j];
      mean /= end - base;
      for (let j = base; j < end; j++) data[j] = mean + (data[j] - mean) * d.contrast[i];
    }
    if (options.brightness) for (let j = base; j < end; j++) data[j] += d.brightness[i] * white;
    const sd = d.noise[i] * white;
    if (sd > 0) {
      // Box–Muller, both values of each pair
      for (let j = base; j < end; j += 2) {
        const r = Math.sqrt(-2 * Math.log(1 - noise.next())) * sd;
        const a = 2 * Math.PI * noise.next();
        data[j] += r * Math.cos(a);
        if (j + 1 < end) data[j + 1] += r * Math.sin(a);
      }
    }
    for (let j = base; j < end; j++) data[j] = Math.min(white, Math.max(0, data[j]));
  }
}

/** {@link photometricPixels} on a float batch tensor; returns a new tensor. */
export function photometric(x: tf.Tensor4D, options: PhotometricOptions & { seed?: number }, white: number): tf.Tensor4D {
  const data = Float32Array.from(x.dataSync());
  photometricPixels(data, x.shape, options, white);
  return tf.tensor4d(data, x.shape);
}
