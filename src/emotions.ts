/**
 * The FER-2013 emotion classes, in label-index order.
 *
 * @packageDocumentation
 */

/** A facial emotion, as labelled in FER-2013. The enum order is the dataset's label index. */
export enum Emotion {
  Angry = 'Angry',
  Disgust = 'Disgust',
  Fear = 'Fear',
  Happy = 'Happy',
  Sad = 'Sad',
  Surprise = 'Surprise',
  Neutral = 'Neutral',
}

/** All emotions in FER-2013 label order: `EMOTIONS[label]` is the emotion of that label. */
export const EMOTIONS: readonly Emotion[] = Object.freeze([
  Emotion.Angry, Emotion.Disgust, Emotion.Fear, Emotion.Happy, Emotion.Sad, Emotion.Surprise, Emotion.Neutral,
]);

/** Number of FER-2013 classes (7). */
export const NUM_EMOTIONS = EMOTIONS.length;

/** True when `value` is one of the {@link Emotion} strings (case-sensitive). */
export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && (EMOTIONS as readonly string[]).includes(value);
}

/**
 * The emotion for a FER-2013 label index (0 = Angry … 6 = Neutral).
 * @throws RangeError when `index` is not an integer in 0–6.
 */
export function emotionFromIndex(index: number): Emotion {
  const e = Number.isInteger(index) ? EMOTIONS[index] : undefined;
  if (e === undefined) throw new RangeError(`Not a FER-2013 label: ${index} (expected an integer 0–6)`);
  return e;
}

/** The FER-2013 label index of an emotion (Angry = 0 … Neutral = 6). */
export function emotionToIndex(emotion: Emotion): number {
  const i = EMOTIONS.indexOf(emotion);
  if (i < 0) throw new RangeError(`Not an emotion: ${String(emotion)}`);
  return i;
}

/**
 * Parses an emotion name case-insensitively (`'happy'`, `'HAPPY'`, `'Happy'`), as the Kaggle
 * folder names spell them. Returns `undefined` for anything else.
 */
export function parseEmotion(name: string): Emotion | undefined {
  const lower = name.trim().toLowerCase();
  return EMOTIONS.find((e) => e.toLowerCase() === lower);
}
