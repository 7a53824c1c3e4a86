/**
 * The class prior at inference: the shipped models learned FER-2013's class frequencies (few
 * Disgust faces, many Happy ones); for faces balanced across emotions (lab studies, posed sets)
 * the probabilities can be re-weighted to another prior.
 *
 * @packageDocumentation
 */
import { EMOTIONS, type Emotion } from '../emotions.js';

/** Images per emotion in FER-2013's training split (28,709 images): the class prior the shipped models learned. */
export const FER2013_TRAIN_COUNTS: Readonly<Record<Emotion, number>> = Object.freeze({
  Angry: 3995, Disgust: 436, Fear: 4097, Happy: 7215, Sad: 4830, Surprise: 3171, Neutral: 4965,
} as Record<Emotion, number>);

/**
 * The class prior that probabilities are given for. `'training'`: the model's own (the class
 * frequencies of its training data; the probabilities are left as the model gives them).
 * `'uniform'`: every class equally likely beforehand: each probability is divided by its class's
 * training frequency ({@link FER2013_TRAIN_COUNTS}) and the row renormalised, for faces balanced
 * across emotions. A number τ in [0, 1]: part way, dividing by the training frequency to the
 * power τ (0 = `'training'`, 1 = `'uniform'`). An array: the expected frequency of each class
 * (in class order, any positive scale) in the images to classify.
 */
export type ClassPrior = 'training' | 'uniform' | number | readonly number[];

/**
 * The factor each class's probability is multiplied by (before renormalising) to go from the
 * training prior to `prior`, or `undefined` for `'training'` (no change).
 *
 * @throws RangeError for a malformed prior, or one other than `'training'` for classes other than the 7 FER-2013 emotions.
 */
export function priorFactors(prior: ClassPrior | undefined, classes: readonly string[]): Float64Array | undefined {
  if (prior === undefined || prior === 'training' || prior === 0) return undefined;
  const bad = () => new RangeError(`classPrior must be 'training', 'uniform', a number in 0–1 or ${classes.length} positive numbers, got ${JSON.stringify(prior)}`);
  if (!(prior === 'uniform' || (typeof prior === 'number' && prior > 0 && prior <= 1) || Array.isArray(prior))) throw bad();
  const fer = classes.length === EMOTIONS.length && classes.every((c, i) => c === EMOTIONS[i]);
  if (!fer) throw new RangeError(`classPrior ${JSON.stringify(prior)} needs the training class frequencies, known only for the ${EMOTIONS.length} FER-2013 emotions in their order (got classes ${classes.join(', ')})`);
  const train = EMOTIONS.map((e) => FER2013_TRAIN_COUNTS[e]);
  if (Array.isArray(prior)) {
    const target = prior as readonly number[];
    if (target.length !== classes.length || !target.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) throw bad();
    return Float64Array.from(target, (t, i) => t / train[i]);
  }
  const tau = prior === 'uniform' ? 1 : prior as number;
  return Float64Array.from(train, (n) => n ** -tau);
}

/** Re-weights each `k`-class row of `probs` in place by `factors` and renormalises it. */
export function applyPrior(probs: Float32Array, k: number, factors: Float64Array | undefined): Float32Array {
  if (!factors) return probs;
  for (let r = 0; r < probs.length / k; r++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += probs[r * k + j] * factors[j];
    if (!(sum > 0)) continue;
    for (let j = 0; j < k; j++) probs[r * k + j] = (probs[r * k + j] * factors[j]) / sum;
  }
  return probs;
}

/** A short name of a prior, for model identities (`training`, `uniform`, `tau=0.5`, `[…]`). */
export function priorName(prior: ClassPrior | undefined): string {
  if (prior === undefined || prior === 'training' || prior === 0) return 'training';
  if (typeof prior === 'string') return prior;
  return typeof prior === 'number' ? `tau=${prior}` : `[${prior.join(',')}]`;
}
