/**
 * Seeded augmentation of image batches: rotation, zoom, shift and horizontal flip, composed into
 * one affine warp per image (`tf.image.transform`, bilinear), so it runs on every backend and
 * costs one pass; then, optionally, photometric changes that faces cut from other photos show
 * (low resolution, blur, gamma, contrast, brightness, sensor noise; see `photometric.ts`) and
 * random erasing of one rectangle per image.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { Random } from '../util/random.js';
import { checkPhotometricOptions, hasPhotometric, photometric, type PhotometricOptions } from './photometric.js';

/** Options of {@link augment}. Zero or absent fields leave that transform out. */
export interface AugmentOptions extends PhotometricOptions {
  /** Maximum rotation in degrees; each image turns by a uniform angle in `[-rotation, rotation]`. */
  rotation?: number;
  /** Zoom range: each image is scaled by a uniform factor in `[1 - zoom, 1 + zoom]`. */
  zoom?: number;
  /**
   * Zoom range `[min, max]` drawn log-uniformly, in place of `zoom` when given: factors below 1
   * shrink the face inside the frame, as a detector's looser crops do (e.g. `[0.67, 1.1]` for
   * crops up to 1.5× wider than FER-2013's). Default: absent (`zoom` applies).
   */
  zoomRange?: readonly [number, number];
  /** Maximum shift as a fraction of the side, per axis, uniform in `[-shift, shift]`. */
  shift?: number;
  /** Flip each image horizontally with probability ½. */
  flip?: boolean;
  /**
   * Random erasing (Zhong et al., 2020): the probability that an image gets one rectangle,
   * 2–33% of its area with an aspect ratio in [0.3, 3.3] (log-uniform), filled with uniform
   * noise between that image's darkest and brightest value. Applied after the warp. Default 0.
   */
  erasing?: number;
  /** How pixels outside the image are filled. Default `'nearest'`. */
  fillMode?: 'nearest' | 'reflect' | 'constant' | 'wrap';
  /** Seed. Default 0. */
  seed?: number;
}

/** The seed's recipe (rotation ±10°, zoom ±10%, horizontal flip). */
export const DEFAULT_AUGMENTATION: Readonly<AugmentOptions> = Object.freeze({ rotation: 10, zoom: 0.1, flip: true });

/**
 * The 8 projective-transform parameters (output → input mapping, as `tf.image.transform` takes
 * them) for each of `n` images of `width × height`.
 */
export function augmentTransforms(n: number, width: number, height: number, options: AugmentOptions): Float32Array {
  const random = new Random(options.seed ?? 0);
  const out = new Float32Array(n * 8);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let i = 0; i < n; i++) {
    const theta = options.rotation ? random.uniform(-options.rotation, options.rotation) * Math.PI / 180 : 0;
    const scale = options.zoomRange
      ? Math.exp(random.uniform(Math.log(options.zoomRange[0]), Math.log(options.zoomRange[1])))
      : options.zoom ? random.uniform(1 - options.zoom, 1 + options.zoom) : 1;
    const tx = options.shift ? random.uniform(-options.shift, options.shift) * width : 0;
    const ty = options.shift ? random.uniform(-options.shift, options.shift) * height : 0;
    const flip = options.flip ? random.next() < 0.5 : false;
    // input = A · (output − c) + c + t, with A = R(θ) · F / scale
    const cos = Math.cos(theta) / scale;
    const sin = Math.sin(theta) / scale;
    const f = flip ? -1 : 1;
    const a00 = cos * f, a01 = -sin, a10 = sin * f, a11 = cos;
    const o = i * 8;
    out[o] = a00;
    out[o + 1] = a01;
    out[o + 2] = cx - a00 * cx - a01 * cy + tx;
    out[o + 3] = a10;
    out[o + 4] = a11;
    out[o + 5] = cy - a10 * cx - a11 * cy + ty;
  }
  return out;
}

/** Area range of an erased rectangle, as a fraction of the image (torchvision's defaults). */
const ERASE_AREA: readonly [number, number] = [0.02, 0.33];
/** Aspect-ratio range (height / width) of an erased rectangle, drawn log-uniformly. */
const ERASE_ASPECT: readonly [number, number] = [0.3, 1 / 0.3];

/**
 * The rectangle each of `n` images has erased, `[top, left, height, width]` rows (all 0 for an
 * image left whole), drawn from `options.seed` on a stream of its own, so that adding erasing
 * leaves the geometric draws of a seed unchanged.
 */
export function erasingRects(n: number, width: number, height: number, options: AugmentOptions): Int32Array {
  const out = new Int32Array(n * 4);
  const p = options.erasing ?? 0;
  if (!(p > 0)) return out;
  const random = new Random(((options.seed ?? 0) ^ 0x5bd1e995) >>> 0);
  const [lo, hi] = [Math.log(ERASE_ASPECT[0]), Math.log(ERASE_ASPECT[1])];
  for (let i = 0; i < n; i++) {
    if (random.next() >= p) continue;
    // as torchvision's RandomErasing: up to 10 tries for a rectangle that fits
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = random.uniform(ERASE_AREA[0], ERASE_AREA[1]) * width * height;
      const aspect = Math.exp(random.uniform(lo, hi));
      const eh = Math.round(Math.sqrt(area * aspect));
      const ew = Math.round(Math.sqrt(area / aspect));
      if (eh < 1 || ew < 1 || eh > height || ew > width) continue;
      out.set([random.int(height - eh + 1), random.int(width - ew + 1), eh, ew], i * 4);
      break;
    }
  }
  return out;
}

/** Fills each image's rectangle from {@link erasingRects} with noise in that image's value range. */
function erase(images: tf.Tensor4D, options: AugmentOptions): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  const rects = erasingRects(n, w, h, options);
  if (rects.every((v) => v === 0)) return images;
  const mask = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const [top, left, eh, ew] = rects.subarray(i * 4, i * 4 + 4);
    for (let y = top; y < top + eh; y++) mask.fill(1, (i * h + y) * w + left, (i * h + y) * w + left + ew);
  }
  const random = new Random(((options.seed ?? 0) ^ 0x27d4eb2d) >>> 0);
  const noise = new Float32Array(n * h * w * c);
  for (let i = 0; i < noise.length; i++) noise[i] = random.next();
  return tf.tidy(() => {
    const m = tf.tensor4d(mask, [n, h, w, 1]);
    const lo = tf.min(images, [1, 2, 3], true);
    const hi = tf.max(images, [1, 2, 3], true);
    const fill = tf.add(lo, tf.mul(tf.tensor4d(noise, [n, h, w, c]), tf.sub(hi, lo)));
    return tf.add(tf.mul(images, tf.sub(1, m)), tf.mul(fill, m)) as tf.Tensor4D;
  });
}

/**
 * `tf.image.transform` (bilinear), one image at a time on the cpu backend: its `Transform` kernel
 * (tfjs-backend-cpu 4.x) returns after the first image of a batch and leaves the others at the
 * fill value.
 */
function warp(input: tf.Tensor4D, transforms: tf.Tensor2D, fillMode: NonNullable<AugmentOptions['fillMode']>): tf.Tensor4D {
  const n = input.shape[0];
  if (n <= 1 || tf.getBackend() !== 'cpu') return tf.image.transform(input, transforms, 'bilinear', fillMode);
  const images = tf.split(input, n, 0);
  const rows = tf.split(transforms, n, 0);
  return tf.concat(images.map((img, i) => tf.image.transform(img as tf.Tensor4D, rows[i] as tf.Tensor2D, 'bilinear', fillMode)), 0);
}

/** Throws a RangeError naming the first option of `options` that {@link augment} cannot use. */
export function checkAugmentOptions(options: AugmentOptions): void {
  for (const k of ['rotation', 'zoom', 'shift'] as const) {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new RangeError(`augment: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (options.zoom !== undefined && options.zoom >= 1) throw new RangeError(`augment: zoom must be < 1, got ${options.zoom}`);
  const zr = options.zoomRange;
  if (zr !== undefined && !(Array.isArray(zr) && zr.length === 2 && zr.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0) && zr[0] <= zr[1])) {
    throw new RangeError(`augment: zoomRange must be [min, max] with 0 < min ≤ max, got ${JSON.stringify(zr)}`);
  }
  checkPhotometricOptions(options);
  const p = options.erasing;
  if (p !== undefined && !(typeof p === 'number' && p >= 0 && p <= 1)) throw new RangeError(`augment: erasing must be a probability in [0, 1], got ${p}`);
}

/**
 * Augments a batch `[n, h, w, c]` (any dtype is kept): each image gets its own random rotation,
 * zoom, shift and flip drawn from `options.seed`, and with `erasing` possibly an erased
 * rectangle. With no transform enabled it returns an exact copy.
 *
 * @example
 * ```ts
 * const augmented = augment(xs, { rotation: 10, zoom: 0.1, flip: true, seed: 7 });
 * ```
 */
export function augment<T extends tf.Tensor4D>(batch: T, options: AugmentOptions = DEFAULT_AUGMENTATION): T {
  if (batch.rank !== 4) throw new RangeError(`augment expects a [n, height, width, channels] batch, got shape [${batch.shape}]`);
  checkAugmentOptions(options);
  const p = options.erasing;
  const [n, h, w] = batch.shape;
  const geometric = Boolean(options.rotation || options.zoom || options.zoomRange || options.shift || options.flip);
  const tone = hasPhotometric(options);
  if (!geometric && !p && !tone) return batch.clone();
  return tf.tidy(() => {
    let out = (batch.dtype === 'float32' ? batch : tf.cast(batch, 'float32')) as tf.Tensor4D;
    if (geometric) out = warp(out, tf.tensor2d(augmentTransforms(n, w, h, options), [n, 8]), options.fillMode ?? 'nearest');
    if (tone) out = photometric(out, options, options.white ?? (batch.dtype === 'float32' ? 1 : 255));
    if (p) out = erase(out, options);
    if (out === batch) return batch.clone(); // nothing erased, no warp: still a new tensor
    return (batch.dtype === 'float32' ? out : tf.cast(tf.round(out), batch.dtype)) as T;
  });
}
