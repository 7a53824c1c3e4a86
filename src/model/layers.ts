/**
 * The library's own Keras-style layers, serialized with the model (`class_name` below) and
 * registered with tfjs-layers by {@link registerCustomLayers} before any model is built or loaded.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';

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
 * Stands in for the `FerGaussianBlur` layer of models saved by fer-cnn-lstm 0.1, so that loading
 * one fails with a message that says why instead of tfjs' "Unknown layer". That inference-only blur
 * existed for a blurred copy of the FER-2013 training images and was removed in 0.2.
 */
class RemovedGaussianBlur extends tfl.layers.Layer {
  static className = 'FerGaussianBlur';
  constructor() {
    super({});
    throw new Error('this model was saved by fer-cnn-lstm 0.1 and has a FerGaussianBlur layer (an inference blur fitted to a '
      + 'blurred copy of the FER-2013 training images), which 0.2 removed: use the 0.2 shipped weights, retrain with 0.2, '
      + 'or run it with fer-cnn-lstm@0.1');
  }
}

let registered = false;

/**
 * Registers the library's layers with tfjs-layers' serialization (idempotent). Called by
 * `buildCnnLstm`, `loadModel` and the training workers, so saved models load in every entry point
 * and bundle (no reliance on module side effects that bundlers may drop).
 */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(RemovedGaussianBlur);
  tf.serialization.registerClass(Standardize);
  registered = true;
}
