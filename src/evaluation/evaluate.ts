/**
 * Evaluates a trained model on a {@link FerDataset}: accuracy, macro-F1, per-class metrics and the
 * confusion matrix, optionally with horizontal-flip test-time augmentation.
 *
 * @packageDocumentation
 */
import { tfl } from '../backends/tf.js';
import { ensureBackend } from '../inference/backend.js';
import type { FerDataset } from '../data/fer-dataset.js';
import type { SplitFilter } from '../data/splits.js';
import { EmotionClassifier } from '../inference/classifier.js';
import type { ClassPrior } from '../inference/prior.js';
import { ttaViews, type TtaMode } from '../inference/tta.js';
import { argmaxRows, confusionMatrix, metricsFromConfusion, type EvaluationResult } from './metrics.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Evaluate only this split (`'PublicTest'`, `'test'`, …). Default: every image of the dataset. */
  split?: SplitFilter;
  /**
   * Test-time augmentation: `true`/`'flip'` averages each image with its mirror, `'ten-crop'` over 5 crops
   * and their mirrors (see {@link TtaMode}). Default: an {@link EmotionClassifier}'s own TTA, false for a model.
   */
  tta?: TtaMode;
  /**
   * The class prior the predictions are made for (see {@link ClassPrior}; `'uniform'` for a test
   * set balanced across emotions). Default: an {@link EmotionClassifier}'s own, else `'training'`.
   */
  classPrior?: ClassPrior;
  /** Images per forward pass. Default 256. */
  batchSize?: number;
  /**
   * Called after each forward pass with the images done so far and the total (for progress
   * displays); the event loop gets a turn between passes.
   */
  onProgress?: (done: number, total: number) => void;
}

/** The `[size, classes]` a model expects and produces, checked against a dataset. */
function checkCompatible(model: tfl.LayersModel, dataset: FerDataset): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new RangeError(`evaluate: expected a model with one input and one output, got ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  const [, h, w, c] = inShape;
  if (inShape.length !== 4 || h !== dataset.size || w !== dataset.size || (c !== null && c !== 1)) {
    throw new RangeError(
      `evaluate: the model takes input of shape [${inShape.map((d) => d ?? 'null').join(', ')}] but the dataset holds `
      + `${dataset.size}×${dataset.size} gray images (expected [null, ${dataset.size}, ${dataset.size}, 1])`,
    );
  }
  const k = dataset.classes.length;
  if (outShape.length !== 2 || outShape[1] !== k) {
    throw new RangeError(
      `evaluate: the model outputs shape [${outShape.map((d) => d ?? 'null').join(', ')}] but the dataset has ${k} classes `
      + `(${dataset.classes.join(', ')}); expected [null, ${k}]`,
    );
  }
}

/**
 * Runs `model` (a model, or an {@link EmotionClassifier} with its TTA and class prior) on the dataset's images (or one split of them) and scores its top-1 predictions.
 * The confusion matrix has rows = true class and columns = predicted class, both in
 * `dataset.classes` order.
 *
 * @throws RangeError when the model's output classes or input size do not match the dataset, or
 *   `batchSize` is not a positive integer. An empty selection gives `count: 0` (the CLI refuses it).
 *
 * @example
 * ```ts
 * const data = await FerDataset.fromDirectory('fer2013');
 * const result = await evaluate(model, data, { split: 'PublicTest', tta: true });
 * console.log(result.accuracy, result.perClass.Happy.f1);
 * ```
 */
export async function evaluate(model: tfl.LayersModel | EmotionClassifier<string>, dataset: FerDataset, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`evaluate: batchSize must be a positive integer, got ${batchSize}`);
  const given = model instanceof EmotionClassifier ? model : undefined;
  checkCompatible(given ? given.model : model as tfl.LayersModel, dataset);
  ttaViews(options.tta);
  await ensureBackend();
  // a model gets a classifier of its own for this run (freed after); a classifier is used as given
  const classifier = given && (options.classPrior === undefined || options.classPrior === given.classPrior) ? given
    : EmotionClassifier.fromModel<string>(given ? given.model : model as tfl.LayersModel, {
      classes: dataset.classes, classPrior: options.classPrior ?? given?.classPrior, tta: given?.tta,
    });
  try {
    return await score(classifier, dataset, options.tta ?? classifier.tta, batchSize, options);
  } finally {
    if (classifier !== given) classifier.dispose();
  }
}

async function score(classifier: EmotionClassifier<string>, dataset: FerDataset, tta: TtaMode, batchSize: number, options: EvaluateOptions): Promise<EvaluationResult> {
  const data = options.split ? dataset.filter(options.split) : dataset;
  const k = data.classes.length;
  const px = data.size * data.size;
  const probs = new Float32Array(data.length * k);
  for (let s = 0; s < data.length; s += batchSize) {
    const e = Math.min(data.length, s + batchSize);
    probs.set(classifier.probabilities(data.images.subarray(s * px, e * px), { tta, batchSize }), s * k);
    if (options.onProgress) {
      options.onProgress(e, data.length);
      await new Promise<void>((r) => setTimeout(r, 0));
    }
  }
  const predicted = argmaxRows(probs, k);
  return metricsFromConfusion(confusionMatrix(data.labels, predicted, k), data.classes);
}
