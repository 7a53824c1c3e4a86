/**
 * The library's own Keras-style layers, serialized with the model (`class_name` below) and
 * registered with tfjs-layers by {@link registerCustomLayers} before any model is built or loaded.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { gaussianKernel } from '../data/blur.js';

/** Configuration of {@link GaussianBlur}. */
export interface GaussianBlurArgs {
  /** Standard deviation in pixels (> 0). */
  sigma: number;
  /**
   * Blur only at inference (`predict`, `evaluate`), pass images through unchanged while training.
   * For training images that are already blurred (the FER-2013 copy the shipped model learned
   * from, docs/experiments.md §1): test and user images are then blurred to match them. Default false.
   */
  inferenceOnly?: boolean;
  /** Layer name. */
  name?: string;
}

/**
 * A fixed separable Gaussian blur of single- or multi-channel images (symmetric padding at the
 * borders), with no weights: the kernel is rebuilt from `sigma` when the model is loaded.
 */
export class GaussianBlur extends tfl.layers.Layer {
  /** Name under which the layer is serialized. */
  static className = 'FerGaussianBlur';
  /** Standard deviation in pixels. */
  readonly sigma: number;
  /** Whether the blur is skipped in training mode (see {@link setBlurInTraining}). */
  inferenceOnly: boolean;

  constructor(args: GaussianBlurArgs) {
    super({ name: args.name, trainable: false });
    if (!(args.sigma > 0) || !Number.isFinite(args.sigma)) throw new RangeError(`GaussianBlur: sigma must be a positive number, got ${args.sigma}`);
    this.sigma = args.sigma;
    this.inferenceOnly = args.inferenceOnly ?? false;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    if (this.inferenceOnly && kwargs?.training) return x;
    return tf.tidy(() => {
      const k = gaussianKernel(this.sigma);
      const r = (k.length - 1) / 2;
      const [, h, w, c] = x.shape;
      if (r >= h || r >= w) throw new RangeError(`GaussianBlur: σ ${this.sigma} needs images larger than ${r}px, got ${h}×${w}`);
      const kx = tf.tensor4d(Array.from(k).flatMap((v) => Array(c).fill(v)), [1, k.length, c, 1]);
      const ky = tf.tensor4d(Array.from(k).flatMap((v) => Array(c).fill(v)), [k.length, 1, c, 1]);
      const padded = tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'symmetric') as tf.Tensor4D;
      return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, kx, 1, 'valid'), ky, 1, 'valid');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sigma: this.sigma, inferenceOnly: this.inferenceOnly };
  }
}

/** Configuration of {@link Standardize}. */
export interface StandardizeArgs {
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  /** Layer name. */
  name?: string;
}

/**
 * Per-image standardization: each image (all pixels and channels) is shifted to zero mean and
 * scaled to unit variance, so brightness and contrast do not matter. No weights. Unlike
 * tfjs-layers' `LayerNormalization` it broadcasts its statistics instead of tiling them to the
 * image size (about 5% of a training step on wasm).
 */
export class Standardize extends tfl.layers.Layer {
  /** Name under which the layer is serialized. */
  static className = 'FerStandardize';
  /** Added to the variance before the square root. */
  readonly epsilon: number;

  constructor(args: StandardizeArgs = {}) {
    super({ name: args.name, trainable: false });
    const epsilon = args.epsilon ?? 1e-3;
    if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`Standardize: epsilon must be a positive number, got ${epsilon}`);
    this.epsilon = epsilon;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
      const { mean, variance } = tf.moments(x, axes, true);
      return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/**
 * Turns the training-mode blur of every {@link GaussianBlur} layer of `model` on or off (saved with
 * the model). Fine-tuning the shipped model on sharp faces of your own wants it on: the training
 * images are then blurred like the inputs the model sees at inference, and like the blurred FER-2013
 * copy it was pretrained on.
 *
 * @returns the number of blur layers changed (0: the model has none).
 */
export function setBlurInTraining(model: tfl.LayersModel, enabled: boolean): number {
  const layers = model.layers.filter((l): l is GaussianBlur => l instanceof GaussianBlur);
  for (const layer of layers) layer.inferenceOnly = !enabled;
  return layers.length;
}

let registered = false;

/**
 * Registers the library's layers with tfjs-layers' serialization (idempotent). Called by
 * `buildCnnLstm`, `loadModel` and the training workers, so saved models load in every entry point
 * and bundle (no reliance on module side effects that bundlers may drop).
 */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(GaussianBlur);
  tf.serialization.registerClass(Standardize);
  registered = true;
}
