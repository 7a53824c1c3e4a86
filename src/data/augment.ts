/**
 * Seeded geometric augmentation of image batches: rotation, zoom, shift and horizontal flip,
 * composed into one affine warp per image (`tf.image.transform`, bilinear), so it runs on every
 * backend and costs one pass.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { Random } from '../util/random.js';

/** Options of {@link augment}. Zero or absent fields leave that transform out. */
export interface AugmentOptions {
  /** Maximum rotation in degrees; each image turns by a uniform angle in `[-rotation, rotation]`. */
  rotation?: number;
  /** Zoom range: each image is scaled by a uniform factor in `[1 - zoom, 1 + zoom]`. */
  zoom?: number;
  /** Maximum shift as a fraction of the side, per axis, uniform in `[-shift, shift]`. */
  shift?: number;
  /** Flip each image horizontally with probability ½. */
  flip?: boolean;
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
    const scale = options.zoom ? random.uniform(1 - options.zoom, 1 + options.zoom) : 1;
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

/**
 * Augments a batch `[n, h, w, c]` (any dtype is kept): each image gets its own random rotation,
 * zoom, shift and flip drawn from `options.seed`. With no transform enabled it returns an exact
 * copy.
 *
 * @example
 * ```ts
 * const augmented = augment(xs, { rotation: 10, zoom: 0.1, flip: true, seed: 7 });
 * ```
 */
export function augment<T extends tf.Tensor4D>(batch: T, options: AugmentOptions = DEFAULT_AUGMENTATION): T {
  if (batch.rank !== 4) throw new RangeError(`augment expects a [n, height, width, channels] batch, got shape [${batch.shape}]`);
  for (const k of ['rotation', 'zoom', 'shift'] as const) {
    const v = options[k];
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new RangeError(`augment: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (options.zoom !== undefined && options.zoom >= 1) throw new RangeError(`augment: zoom must be < 1, got ${options.zoom}`);
  const [n, h, w] = batch.shape;
  if (!options.rotation && !options.zoom && !options.shift && !options.flip) return batch.clone();
  return tf.tidy(() => {
    const transforms = tf.tensor2d(augmentTransforms(n, w, h, options), [n, 8]);
    const input = batch.dtype === 'float32' ? batch : tf.cast(batch, 'float32');
    const warped = warp(input as tf.Tensor4D, transforms, options.fillMode ?? 'nearest');
    return (batch.dtype === 'float32' ? warped : tf.cast(tf.round(warped), batch.dtype)) as T;
  });
}
