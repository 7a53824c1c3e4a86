import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { AUTO_TTA_CONFIDENCE, predictWithTta, ttaViews } from '../../src/inference/tta.js';

beforeAll(async () => { await setBackend('wasm'); });

describe('test-time augmentation', () => {
  it('counts the views of each mode and rejects unknown ones', () => {
    expect([false, undefined, true, 'flip', 'auto', 'ten-crop'].map((m) => ttaViews(m as never))).toEqual([1, 1, 2, 2, 2, 10]);
    expect(() => ttaViews('five' as never)).toThrow(/tta must be false, true, 'flip', 'auto' or 'ten-crop', got "five"/);
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

  it("'auto' adds the mirror only for the images whose first view is unsure, and runs it on those only", () => {
    // a 3-class "model" whose class-0 probability is the image's left-half mean and the rest split evenly:
    // sure (0.9) for image 0, unsure (top 0.35) for image 1
    const seen: number[][] = [];
    const predict = (x: tf.Tensor4D) => {
      seen.push(x.shape);
      const [, , w] = x.shape;
      const left = tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, -1, w / 2, -1]), [1, 2, 3]);
      const rest = tf.div(tf.sub(1, left), 2);
      return tf.stack([left, rest, rest], 1);
    };
    const halves = (l: number, r: number) => tf.concat([tf.fill([1, 4, 2, 1], l), tf.fill([1, 4, 2, 1], r)], 2);
    const x = tf.concat([halves(0.9, 0.5), halves(0.3, 0.9), halves(0.95, 0.1)], 0) as tf.Tensor4D;
    expect(0.3).toBeLessThan(AUTO_TTA_CONFIDENCE);
    const out = predictWithTta(predict, x, 'auto').arraySync() as number[][];
    expect(seen).toEqual([[3, 4, 4, 1], [1, 4, 4, 1]]); // all three, then the mirror of the unsure one only
    expect(out[0][0]).toBeCloseTo(0.9, 5); // sure: its own view
    expect(out[1][0]).toBeCloseTo((0.3 + 0.9) / 2, 5); // unsure: averaged with its mirror (left half 0.9)
    expect(out[1][1]).toBeCloseTo((0.35 + 0.05) / 2, 5);
    expect(out[2][0]).toBeCloseTo(0.95, 5);
    seen.length = 0;
    const sure = predictWithTta(predict, tf.slice(x, 0, 1) as tf.Tensor4D, 'auto').arraySync() as number[][];
    expect(seen).toEqual([[1, 4, 4, 1]]); // no second call
    expect(sure[0][0]).toBeCloseTo(0.9, 5);
  });
});
