/**
 * Test-time augmentation: the views of a batch that a model's probabilities are averaged over.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';

/**
 * Test-time augmentation. `false` (none), `true` or `'flip'` (the image and its mirror: 2 views),
 * `'auto'` (the mirror only where the first view is unsure: its top probability below
 * {@link AUTO_TTA_CONFIDENCE}; between 1 and 2 views, the accuracy of `'flip'` at a fraction of its
 * extra cost), `'ten-crop'` (4 corner crops and the centre crop of 90% of the side, each resized
 * back to the input size, and their mirrors: 10 views, 10× the work).
 */
export type TtaMode = boolean | 'flip' | 'auto' | 'ten-crop';

/**
 * `tta: 'auto'` adds the mirror image for an image whose first view gives no class at least this
 * probability (the model's output must be probabilities, as the shipped models' are). Chosen on
 * FER-2013 PublicTest for the shipped default model (docs/experiments.md §6, "Flip TTA where the
 * model is unsure").
 */
export const AUTO_TTA_CONFIDENCE = 0.5;

/** The largest number of views a mode averages (1 = no augmentation; `'auto'`: 1 or 2 per image). */
export function ttaViews(mode: TtaMode | undefined): number {
  if (mode === 'ten-crop') return 10;
  if (mode === true || mode === 'flip' || mode === 'auto') return 2;
  if (mode === false || mode === undefined) return 1;
  throw new RangeError(`tta must be false, true, 'flip', 'auto' or 'ten-crop', got ${JSON.stringify(mode)}`);
}

/** Fraction of the side that each ten-crop view keeps. */
export const TEN_CROP_FRACTION = 0.9;

/**
 * The sum of `predict` over `x` and its mirror, in one call on a batch of twice the size (at batch 1,
 * two calls cost 2.6× one view, most of it per-call overhead).
 */
function predictWithMirror(predict: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D): tf.Tensor {
  const n = x.shape[0];
  const both = predict(tf.concat([x, tf.reverse(x, 2)], 0));
  const [a, b] = tf.split(both, [n, n], 0);
  return tf.add(a, b);
}

/**
 * `predict(x)`, with the mirror image's prediction averaged in for the rows whose largest value is
 * below {@link AUTO_TTA_CONFIDENCE} (run on those images only). Reads the first view's values.
 */
function predictWithMirrorWhereUnsure(predict: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D): tf.Tensor {
  const first = predict(x);
  const [n, k] = first.shape;
  const values = first.dataSync();
  const unsure: number[] = [];
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let j = 0; j < k; j++) top = Math.max(top, values[i * k + j]);
    if (!(top >= AUTO_TTA_CONFIDENCE)) unsure.push(i);
  }
  if (unsure.length === 0) return first;
  const some = unsure.length === n ? x : tf.gather(x, tf.tensor1d(unsure, 'int32'));
  const mirrored = predict(tf.reverse(some, 2)).dataSync();
  const out = Float32Array.from(values);
  unsure.forEach((row, r) => {
    for (let j = 0; j < k; j++) out[row * k + j] = (values[row * k + j] + mirrored[r * k + j]) / 2;
  });
  return tf.tensor2d(out, [n, k]);
}

/**
 * Averages `predict` over the views of `x` (`[n, h, w, c]`) that `mode` names. Call inside `tf.tidy`.
 */
export function predictWithTta(predict: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D, mode: TtaMode | undefined): tf.Tensor {
  const views = ttaViews(mode);
  if (views === 1) return predict(x);
  if (mode === 'auto') return predictWithMirrorWhereUnsure(predict, x);
  if (views === 2) return tf.div(predictWithMirror(predict, x), 2);
  const [n, h, w] = x.shape;
  const f = TEN_CROP_FRACTION;
  const m = 1 - f;
  // boxes [y1, x1, y2, x2] in normalised coordinates: 4 corners and the centre
  const corners = [[0, 0], [0, m], [m, 0], [m, m], [m / 2, m / 2]];
  let sum: tf.Tensor | undefined;
  for (const [y0, x0] of corners) {
    const boxes = tf.tensor2d(Array.from({ length: n }, () => [y0, x0, y0 + f, x0 + f]), [n, 4]);
    const indices = tf.tensor1d(Array.from({ length: n }, (_, i) => i), 'int32');
    const crop = tf.image.cropAndResize(x, boxes, indices, [h, w], 'bilinear');
    const p = predictWithMirror(predict, crop);
    sum = sum ? tf.add(sum, p) : p;
  }
  return tf.div(sum!, views);
}
