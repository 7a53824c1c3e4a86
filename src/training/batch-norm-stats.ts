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
    let sum: Float64Array | undefined;
    let sumSq: Float64Array | undefined;
    // values per channel in one image: the positions of a feature map (1 after a dense layer)
    const positions = (probe.outputs[0].shape as number[]).slice(1, -1).reduce((a, b) => a * b, 1);
    let count = 0;
    for (let s = 0; s < n; s += batchSize) {
      const e = Math.min(n, s + batchSize);
      const moments = tf.tidy(() => {
        let x = pixelsToTensor(pixels.subarray(s * px, e * px), size);
        if (options.transform) x = options.transform(x);
        const a = probe.predict(x) as tf.Tensor;
        const axes = a.shape.slice(0, -1).map((_, i) => i);
        return [tf.sum(a, axes), tf.sum(tf.square(a), axes)];
      });
      const [bs, bq] = moments.map((t) => t.dataSync());
      tf.dispose(moments);
      sum ??= new Float64Array(bs.length);
      sumSq ??= new Float64Array(bs.length);
      for (let c = 0; c < bs.length; c++) { sum[c] += bs[c]; sumSq[c] += bq[c]; }
      count += (e - s) * positions;
    }
    const weights = layer.getWeights();
    const names = layer.weights.map((w) => w.originalName.split('/').pop());
    const iMean = names.indexOf('moving_mean');
    const iVar = names.indexOf('moving_variance');
    const meanValues = sum!.map((v) => v / count);
    const mean = tf.tensor1d(Float32Array.from(meanValues));
    const variance = tf.tensor1d(Float32Array.from(sumSq!, (q, c) => Math.max(0, q / count - meanValues[c] ** 2)));
    const next = weights.slice();
    next[iMean] = mean;
    next[iVar] = variance;
    layer.setWeights(next);
    tf.dispose([mean, variance]);
    updated.push(layer.name);
  }
  return { layers: updated, images: n };
}
