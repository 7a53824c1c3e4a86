/**
 * `predictEmotion` and `classifyEmotion`: the emotion of a face image (or of a batch), with the
 * shipped pretrained model or your own.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { EMOTIONS, type Emotion } from '../emotions.js';
import { grayToTensor, toGrayImages, type ImageInput, type InputOptions, type ModelInput } from './input.js';
import { checkVariant, loadEmotionModel, VARIANT_TTA, type ModelSource } from './weights.js';
import { predictWithTta, ttaViews, type TtaMode } from './tta.js';
import { inferenceForward } from '../model/fold.js';

/** Options of {@link predictEmotion} and {@link classifyEmotion}. */
export interface PredictOptions<C extends string = Emotion> extends ModelSource, Pick<InputOptions, 'tensorRange'> {
  /**
   * Test-time augmentation: `true` or `'flip'` also predicts the horizontally flipped image and
   * averages the two (a little more accurate, twice the work); `'auto'` does so only for the images
   * whose first view is unsure (top probability below `AUTO_TTA_CONFIDENCE`, 0.5: on FER-2013 the
   * accuracy of `'flip'` for about a quarter of its extra work); `'ten-crop'` averages 5 crops and
   * their mirrors (10× the work). Default: the shipped `variant`'s ({@link VARIANT_TTA}: `'auto'`
   * for the default model, `'flip'` for `'accurate'`), false for a `model` or `weights` of your own.
   */
  tta?: TtaMode;
  /**
   * Class names in output order, for a fine-tuned model whose classes are not the 7 FER-2013
   * emotions. Default: {@link EMOTIONS}. Must match the model's number of outputs.
   */
  classes?: readonly C[];
  /** Images per forward pass for large batches. Default 64. */
  batchSize?: number;
}

/** The full answer for one image. */
export interface Classification<C extends string = Emotion> {
  /** The most likely class (the highest score). */
  emotion: C;
  /** Its score, 0–1. */
  confidence: number;
  /** Probability of every class (they sum to 1), in class order. */
  scores: Record<C, number>;
  /**
   * Present (and `true`) when the image has almost no contrast: the standard deviation of its
   * 48×48 gray pixels is below {@link LOW_CONTRAST_STD} gray levels (a blank, uniform or
   * nearly black frame). The model standardizes every image, so such an image still gets a label,
   * but the answer says nothing about a face; the CLI prints a warning on stderr.
   */
  lowContrast?: true;
}

/** Gray-level standard deviation (0–255 scale, of the model-sized image) below which an image is flagged {@link Classification.lowContrast}. */
export const LOW_CONTRAST_STD = 2;

/** The standard deviation of each `px`-byte image of `pixels`. */
function pixelStd(pixels: Uint8Array, px: number, i: number): number {
  let sum = 0, sq = 0;
  for (let j = i * px; j < (i + 1) * px; j++) { sum += pixels[j]; sq += pixels[j] * pixels[j]; }
  const mean = sum / px;
  return Math.sqrt(Math.max(0, sq / px - mean * mean));
}

/** A single image: any {@link ImageInput} but an array (a 4-D tensor is a batch). */
export type SingleImageInput = Exclude<ImageInput, tf.Tensor4D>;

/** A batch: an array of images, or a 4-D tensor `[n, h, w, c]`. */
export type BatchInput = readonly ImageInput[] | tf.Tensor4D;

function inputSide(model: tfl.LayersModel): number {
  const shapes = model.inputs.map((i) => i.shape);
  const s = shapes[0];
  if (shapes.length !== 1 || s.length !== 4 || s[3] !== 1 || s[1] === null || s[1] !== s[2]) {
    throw new Error(`the model's input is ${JSON.stringify(shapes.length === 1 ? s : shapes)}: expected one square gray image input [null, size, size, 1]`);
  }
  return s[1];
}

function outputCount(model: tfl.LayersModel): number {
  const shapes = model.outputs.map((o) => o.shape);
  const s = shapes[0];
  if (shapes.length !== 1 || s.length !== 2 || typeof s[1] !== 'number') {
    throw new Error(`the model's output is ${JSON.stringify(shapes.length === 1 ? s : shapes)}: expected one [null, classes] output`);
  }
  return s[1];
}

/** Turns each row into probabilities: rows that already are (non-negative, sum ≈ 1) are renormalised, others (logits) get a softmax. */
function toProbabilities(values: Float32Array, k: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / k; r++) {
    const row = values.subarray(r * k, (r + 1) * k);
    let sum = 0, min = Infinity, max = -Infinity;
    for (const v of row) { sum += v; min = Math.min(min, v); max = Math.max(max, v); }
    if (min >= 0 && Math.abs(sum - 1) < 1e-3) {
      for (let j = 0; j < k; j++) out[r * k + j] = row[j] / sum;
    } else {
      let z = 0;
      for (let j = 0; j < k; j++) { out[r * k + j] = Math.exp(row[j] - max); z += out[r * k + j]; }
      for (let j = 0; j < k; j++) out[r * k + j] /= z;
    }
  }
  return out;
}

/**
 * The test-time augmentation a prediction with `options` runs: `options.tta`, else the shipped
 * variant's own ({@link VARIANT_TTA}), none for a `model` or `weights` of the caller's. (Internal:
 * also used where a model is loaded once and then passed as `model`, e.g. video analysis.)
 */
export function resolveTta(options: ModelSource & { tta?: TtaMode }): TtaMode {
  return options.tta ?? (options.model || options.weights !== undefined ? false : VARIANT_TTA[checkVariant(options.variant ?? 'default')]);
}

/** `predict` over `x` in slices of at most `batchSize` images, concatenated. Call inside `tf.tidy`. */
function inBatches(predict: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D, batchSize: number): tf.Tensor {
  const n = x.shape[0];
  if (n <= batchSize) return predict(x);
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < n; s += batchSize) parts.push(predict(tf.slice(x, s, Math.min(batchSize, n - s))));
  return tf.concat(parts, 0);
}

/** Runs the model on `[n, s, s, 1]` input (with the views of `tta` averaged), returning `n × k` raw outputs. */
async function forward(model: tfl.LayersModel, x: tf.Tensor4D, tta: TtaMode, batchSize: number): Promise<Float32Array> {
  const predict = inferenceForward(model);
  const y = tf.tidy(() => predictWithTta((v) => inBatches(predict, v, batchSize), x, tta));
  try {
    return (await y.data()) as Float32Array;
  } finally {
    y.dispose();
  }
}

async function run<C extends string>(input: ModelInput, options: PredictOptions<C>): Promise<{ results: Classification<C>[]; batch: boolean }> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  ttaViews(options.tta);
  // the shipped variant's own TTA, unless the caller chose one or brought its own model
  const tta = resolveTta(options);
  // folding and compiling (in forward) keep the model's input and output shapes
  const model = await loadEmotionModel(options);
  const size = inputSide(model);
  const k = outputCount(model);
  const classes = (options.classes ?? EMOTIONS) as readonly C[];
  if (classes.length !== k) {
    throw new Error(options.classes
      ? `the model has ${k} outputs but ${classes.length} classes were given`
      : `the model has ${k} outputs, not the ${EMOTIONS.length} FER-2013 emotions: pass \`classes\` (${k} names in output order)`);
  }
  const { pixels, count, batch } = await toGrayImages(input, { size, tensorRange: options.tensorRange });
  if (count === 0) return { results: [], batch };
  const x = grayToTensor(pixels, size);
  let raw: Float32Array;
  try {
    raw = await forward(model, x, tta, batchSize);
  } finally {
    x.dispose();
  }
  const probs = toProbabilities(raw, k);
  const results: Classification<C>[] = [];
  for (let i = 0; i < count; i++) {
    const scores = {} as Record<C, number>;
    let best = 0;
    for (let j = 0; j < k; j++) {
      scores[classes[j]] = probs[i * k + j];
      if (probs[i * k + j] > probs[i * k + best]) best = j;
    }
    const result: Classification<C> = { emotion: classes[best], confidence: probs[i * k + best], scores };
    if (pixelStd(pixels, size * size, i) < LOW_CONTRAST_STD) result.lowContrast = true;
    results.push(result);
  }
  return { results, batch };
}

/**
 * Classifies the facial emotion of an image (or a batch): the most likely emotion, its
 * confidence and every class's probability. Uses the shipped pretrained model unless `model` or
 * `weights` is given; the model is loaded once. The image should be a face, roughly cropped as in
 * FER-2013; any size and colour is accepted (see {@link ImageInput}).
 *
 * @example
 * ```ts
 * const { emotion, confidence, scores } = await classifyEmotion('face.jpg');
 * const many = await classifyEmotion(['a.png', 'b.png'], { tta: true });
 * ```
 * @throws ImageInputError for input that is not an image; Error when the model cannot be loaded.
 */
export function classifyEmotion<C extends string = Emotion>(input: BatchInput, options?: PredictOptions<C>): Promise<Classification<C>[]>;
export function classifyEmotion<C extends string = Emotion>(input: SingleImageInput, options?: PredictOptions<C>): Promise<Classification<C>>;
export function classifyEmotion<C extends string = Emotion>(input: ModelInput, options?: PredictOptions<C>): Promise<Classification<C> | Classification<C>[]>;
export async function classifyEmotion<C extends string = Emotion>(input: ModelInput, options: PredictOptions<C> = {}): Promise<Classification<C> | Classification<C>[]> {
  const { results, batch } = await run(input, options);
  return batch ? results : results[0];
}

/**
 * The facial emotion of an image (or one per image of a batch: an array or a 4-D tensor).
 * Shorthand for {@link classifyEmotion}`(…).emotion`.
 *
 * @example
 * ```ts
 * const emotion = await predictEmotion('face.jpg');        // Emotion.Happy
 * const emotions = await predictEmotion([buffer, tensor]); // [Emotion.Sad, Emotion.Neutral]
 * ```
 */
export function predictEmotion<C extends string = Emotion>(input: BatchInput, options?: PredictOptions<C>): Promise<C[]>;
export function predictEmotion<C extends string = Emotion>(input: SingleImageInput, options?: PredictOptions<C>): Promise<C>;
export function predictEmotion<C extends string = Emotion>(input: ModelInput, options?: PredictOptions<C>): Promise<C | C[]>;
export async function predictEmotion<C extends string = Emotion>(input: ModelInput, options: PredictOptions<C> = {}): Promise<C | C[]> {
  const { results, batch } = await run(input, options);
  return batch ? results.map((r) => r.emotion) : results[0].emotion;
}
