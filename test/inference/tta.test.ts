import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { predictWithTta, ttaViews } from '../../src/inference/tta.js';

beforeAll(async () => { await setBackend('wasm'); });

describe('test-time augmentation', () => {
  it('counts the views of each mode and rejects unknown ones', () => {
    expect([false, undefined, true, 'flip', 'ten-crop'].map((m) => ttaViews(m as never))).toEqual([1, 1, 2, 2, 10]);
    expect(() => ttaViews('five' as never)).toThrow(/tta must be false, true, 'flip' or 'ten-crop', got "five"/);
  });

  it('averages the model over the views: mirrors for flip, 5 crops and their mirrors for ten-crop', () => {
    // a "model" that reports the mean of the left and right halves: mirror-sensitive, crop-sensitive
    const seen: number[][] = [];
    const predict = (x: tf.Tensor4D) => {
      seen.push(x.shape);
      const [, , w] = x.shape;
      const left = tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, -1, w / 2, -1]), [1, 2, 3]);
      const right = tf.mean(tf.slice(x, [0, 0, w / 2, 0], [-1, -1, w / 2, -1]), [1, 2, 3]);
      return tf.stack([left, right], 1);
    };
    const ramp = tf.tidy(() => tf.tile(tf.reshape(tf.linspace(0, 1, 20), [1, 1, 20, 1]), [2, 20, 1, 1])) as tf.Tensor4D;
    const plain = (predictWithTta(predict, ramp, false).arraySync() as number[][])[0];
    expect(plain[0]).toBeLessThan(plain[1]);
    seen.length = 0;
    const flip = predictWithTta(predict, ramp, 'flip').arraySync() as number[][];
    expect(flip).toHaveLength(2);
    expect(flip[0][0]).toBeCloseTo(flip[0][1], 5); // the mirror swaps the halves
    expect(seen).toEqual([[4, 20, 20, 1]]); // the images and their mirrors in one call
    seen.length = 0;
    const crops = (predictWithTta(predict, ramp, 'ten-crop').arraySync() as number[][])[0];
    expect(seen).toHaveLength(5); // 5 crops, each with its mirror in one call
    for (const s of seen) expect(s).toEqual([4, 20, 20, 1]); // each crop resized back to the input size
    expect(crops[0]).toBeCloseTo(crops[1], 5);
    expect(crops[0]).toBeCloseTo(0.5, 1);
  });
});
