import { describe, expect, it } from 'vitest';
import { Emotion, EMOTIONS, NUM_EMOTIONS, emotionFromIndex, emotionToIndex, isEmotion, parseEmotion } from '../src/emotions.js';

describe('emotions', () => {
  it('lists the 7 FER-2013 classes in label order', () => {
    expect(NUM_EMOTIONS).toBe(7);
    expect([...EMOTIONS]).toEqual(['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral']);
    expect(Object.values(Emotion)).toEqual([...EMOTIONS]);
    expect(Object.isFrozen(EMOTIONS)).toBe(true);
  });

  it('maps indices to emotions and back', () => {
    for (let i = 0; i < NUM_EMOTIONS; i++) {
      expect(emotionToIndex(emotionFromIndex(i))).toBe(i);
    }
    expect(emotionFromIndex(0)).toBe(Emotion.Angry);
    expect(emotionFromIndex(3)).toBe(Emotion.Happy);
    expect(emotionFromIndex(6)).toBe(Emotion.Neutral);
    expect(emotionToIndex(Emotion.Surprise)).toBe(5);
  });

  it('rejects bad indices and non-emotions', () => {
    for (const bad of [-1, 7, 1.5, NaN, Infinity]) expect(() => emotionFromIndex(bad)).toThrow(RangeError);
    expect(() => emotionFromIndex(7)).toThrow(/0–6/);
    expect(() => emotionToIndex('Contempt' as Emotion)).toThrow(/Contempt/);
  });

  it('isEmotion is a case-sensitive type guard', () => {
    for (const e of EMOTIONS) expect(isEmotion(e)).toBe(true);
    for (const bad of ['happy', 'HAPPY', 'Contempt', '', 3, null, undefined, {}]) expect(isEmotion(bad)).toBe(false);
    const v: unknown = 'Sad';
    if (isEmotion(v)) expect(emotionToIndex(v)).toBe(4);
    else throw new Error('Sad should be an emotion');
  });

  it('parseEmotion is case-insensitive and trims', () => {
    expect(parseEmotion('happy')).toBe(Emotion.Happy);
    expect(parseEmotion('HAPPY')).toBe(Emotion.Happy);
    expect(parseEmotion(' Surprise\n')).toBe(Emotion.Surprise);
    for (const e of EMOTIONS) {
      expect(parseEmotion(e.toLowerCase())).toBe(e);
      expect(parseEmotion(e.toUpperCase())).toBe(e);
    }
    expect(parseEmotion('contempt')).toBeUndefined();
    expect(parseEmotion('')).toBeUndefined();
    expect(parseEmotion('happy!')).toBeUndefined();
  });
});
