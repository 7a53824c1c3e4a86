/**
 * `predictEmotion` and `classifyEmotion`: the emotion of a face image (or of a batch), with the
 * shipped pretrained model or your own — thin wrappers over a cached {@link EmotionClassifier}.
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import type { InputOptions, ModelInput } from './input.js';
import { EmotionClassifier, type BatchInput, type Classification, type EmotionClassifierOptions, type SingleImageInput } from './classifier.js';

export { LOW_CONTRAST_STD, type BatchInput, type Classification, type SingleImageInput } from './classifier.js';

/**
 * Options of {@link predictEmotion} and {@link classifyEmotion}: which model (loaded once and
 * cached) and how it answers — those of {@link EmotionClassifier.load} — and how tensor input is read.
 */
export interface PredictOptions<C extends string = Emotion> extends EmotionClassifierOptions<C>, Pick<InputOptions, 'tensorRange'> {
  /**
   * A loaded classifier to answer with (see {@link EmotionClassifier.load}): its model, classes,
   * class prior and default TTA; the options that choose a model (`model`, `weights`, `variant`,
   * `precision`, `classes`, `classPrior`) are then ignored, `tta` and `batchSize` still apply to
   * the call. Default: a classifier of those options, loaded once and cached.
   */
  classifier?: EmotionClassifier<C>;
}

async function run<C extends string>(input: ModelInput, options: PredictOptions<C>) {
  const classifier = options.classifier ?? await EmotionClassifier.shared<C>(options);
  const call = options.classifier ? { tta: options.tta, batchSize: options.batchSize } : {};
  const results = await classifier.classify(input, { ...call, tensorRange: options.tensorRange });
  return { results: Array.isArray(results) ? results : [results], batch: Array.isArray(results) };
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
