/**
 * Test-time augmentation: the views of a batch that a model's probabilities are averaged over.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';

/**
 * Test-time augmentation. `false` (none), `true` or `'flip'` (the image and its mirror: 2 views),
 * `'ten-crop'` (4 corner crops and the centre crop of 90% of the side, each resized back to the
 * input size, and their mirrors: 10 views, 10× the work).
 */
export type TtaMode = boolean | 'flip' | 'ten-crop';

/** The number of views a mode averages (1 = no augmentation). */
export function ttaViews(mode: TtaMode | undefined): number {
  if (mode === 'ten-crop') return 10;
  if (mode === true || mode === 'flip') return 2;
  if (mode === false || mode === undefined) return 1;
  throw new RangeError(`tta must be false, true, 'flip' or 'ten-crop', got ${JSON.stringify(mode)}`);
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
 * Averages `predict` over the views of `x` (`[n, h, w, c]`) that `mode` names. Call inside `tf.tidy`.
 */
export function predictWithTta(predict: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D, mode: TtaMode | undefined): tf.Tensor {
  const views = ttaViews(mode);
  if (views === 1) return predict(x);
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
