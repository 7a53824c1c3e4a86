/**
 * Measures how much fine detail the FER-2013 Training and PublicTest images carry, and how much
 * Gaussian blur / average-pooling brings PublicTest down to Training's level (docs/experiments.md §1).
 *
 *   npx tsx scripts/measure-data-gap.ts [--data ../shared/datasets/fer2013]
 */
import { parseArgs } from 'node:util';
import { tf } from '../src/backends/tf.js';
import { setBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { GaussianBlur, registerCustomLayers } from '../src/model/layers.js';

const { values } = parseArgs({ options: { data: { type: 'string', default: '../shared/datasets/fer2013' } } });
await setBackend('wasm');
registerCustomLayers();
const all = await FerDataset.fromDirectory(values.data!);
/** Variance of horizontal neighbour differences: the energy of fine detail. */
const detail = (x: tf.Tensor4D) => tf.tidy(() => tf.moments(tf.sub(tf.slice(x, [0, 0, 1, 0], [-1, -1, 47, -1]), tf.slice(x, [0, 0, 0, 0], [-1, -1, 47, -1]))).variance.dataSync()[0]);
const standardize = (x: tf.Tensor4D) => tf.tidy(() => { const m = tf.moments(x, [1, 2, 3], true); return tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, 1e-6))) as tf.Tensor4D; });
/** The blur of the model's `FerGaussianBlur` layer (symmetric borders). */
const gaussian = (x: tf.Tensor4D, sigma: number) => new GaussianBlur({ sigma }).apply(x) as tf.Tensor4D;
for (const split of ['Training', 'PublicTest'] as const) {
  const d = all.filter(split);
  const { xs } = d.toTensors(Array.from({ length: 1000 }, (_, i) => Math.floor((i * d.length) / 1000)));
  const row: Record<string, string> = {
    pixelVariance: tf.moments(xs).variance.dataSync()[0].toFixed(4),
    detail: detail(xs).toExponential(2),
    detailStandardized: detail(standardize(xs)).toExponential(2),
  };
  for (const s of [1, 2, 3, 4]) row[`gaussian${s}`] = detail(standardize(gaussian(xs, s))).toExponential(2);
  for (const k of [4, 8]) row[`avgPool${k}`] = detail(standardize(tf.image.resizeBilinear(tf.avgPool(xs, k, k, 'valid'), [48, 48]) as tf.Tensor4D)).toExponential(2);
  console.log(split, JSON.stringify(row));
}
