/**
 * Re-estimates the moving statistics of every batch-norm layer from data. A weight average (SWA,
 * a model soup) averages the moving means and variances too, but the averaged convolutions produce
 * activations with other statistics, so the averaged model normalises with the wrong ones
 * (Izmailov et al., 2018, §3.2, recompute them with one pass over the training data).
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { pixelsToTensor } from './loss.js';

/** What {@link recomputeBatchNorm} did. */
export interface BatchNormRecompute {
  /** Batch-norm layers updated, in network order. */
  layers: string[];
  /** Images their statistics were measured on. */
  images: number;
}

/**
 * Sets each batch-norm layer's moving mean and variance to the exact per-channel mean and
 * (population) variance of its input over `pixels` (`n × size × size` gray bytes), layer by layer
 * in network order, so each layer sees its input as normalised by the already updated layers before
 * it. Changes `model` in place. `transform` (e.g. the training augmentation) is applied to each batch
 * of inputs in [0, 1] first.
 * @throws RangeError when `pixels` does not hold whole `size × size` images or holds none.
 */
export function recomputeBatchNorm(
  model: tfl.LayersModel, pixels: Uint8Array, size: number,
  options: { batchSize?: number; transform?: (x: tf.Tensor4D) => tf.Tensor4D } = {},
): BatchNormRecompute {
  const px = size * size;
  const n = pixels.length / px;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`recomputeBatchNorm: ${pixels.length} bytes are not a whole number (≥ 1) of ${size}×${size} images`);
  const batchSize = options.batchSize ?? 256;
  const updated: string[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const probe = tfl.model({ inputs: model.inputs, outputs: layer.input as tfl.SymbolicTensor });
    let sum: tf.Tensor1D | undefined;
    let sumSq: tf.Tensor1D | undefined;
    let count = 0;
    for (let s = 0; s < n; s += batchSize) {
      const e = Math.min(n, s + batchSize);
      const [bs, bq, m] = tf.tidy(() => {
        let x = pixelsToTensor(pixels.subarray(s * px, e * px), size);
        if (options.transform) x = options.transform(x);
        const a = probe.predict(x) as tf.Tensor;
        const axes = a.shape.slice(0, -1).map((_, i) => i);
        const m = a.size / a.shape[a.shape.length - 1];
        return [tf.sum(a, axes) as tf.Tensor1D, tf.sum(tf.square(a), axes) as tf.Tensor1D, m] as const;
      });
      count += m;
      if (sum && sumSq) {
        const [ns, nq] = [tf.add(sum, bs) as tf.Tensor1D, tf.add(sumSq, bq) as tf.Tensor1D];
        tf.dispose([sum, sumSq, bs, bq]);
        [sum, sumSq] = [ns, nq];
      } else {
        [sum, sumSq] = [bs, bq];
      }
    }
    const weights = layer.getWeights();
    const names = layer.weights.map((w) => w.originalName.split('/').pop());
    const iMean = names.indexOf('moving_mean');
    const iVar = names.indexOf('moving_variance');
    const [mean, variance] = tf.tidy(() => {
      const mean = tf.div(sum!, count);
      return [mean, tf.relu(tf.sub(tf.div(sumSq!, count), tf.square(mean)))];
    });
    tf.dispose([sum!, sumSq!]);
    const next = weights.slice();
    next[iMean] = mean;
    next[iVar] = variance;
    layer.setWeights(next);
    tf.dispose([mean, variance]);
    updated.push(layer.name);
  }
  return { layers: updated, images: n };
}
