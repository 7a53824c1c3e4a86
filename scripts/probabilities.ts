/**
 * Class probabilities of a model for raw gray pixels, as prediction computes them (the folded,
 * compiled forward pass of an `EmotionClassifier`), freed after use. Shared by the scripts.
 */
import type { tfl } from '../src/backends/tf.js';
import { EmotionClassifier } from '../src/inference/classifier.js';
import type { TtaMode } from '../src/inference/tta.js';

/** `n × k` probabilities of `pixels` (`n × size × size` gray bytes; `size` must be the model's). */
export function modelProbabilities(model: tfl.LayersModel, pixels: Uint8Array, size: number, batchSize = 256, tta: TtaMode = false): Float32Array {
  const classifier = EmotionClassifier.fromModel<string>(model);
  try {
    if (classifier.inputSize !== size) throw new RangeError(`the model takes ${classifier.inputSize}×${classifier.inputSize} images, got ${size}×${size}`);
    return classifier.probabilities(pixels, { batchSize, tta });
  } finally {
    classifier.dispose();
  }
}
