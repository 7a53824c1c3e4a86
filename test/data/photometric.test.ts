import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';
import { augment, augmentTransforms, checkAugmentOptions } from '../../src/data/augment.js';
import { BLUR_LEVELS, LOW_RESOLUTION_LEVELS, photometricDraws } from '../../src/data/photometric.js';

const N = 16, S = 24;

/** A batch of checkerboards in [0, 1]: sharp edges that blur and low resolution must soften. */
function boards(n = N): tf.Tensor4D {
  const v = new Float32Array(n * S * S);
  for (let i = 0; i < n; i++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) v[(i * S + y) * S + x] = ((x >> 1) + (y >> 1)) % 2 ? 0.9 : 0.1;
  return tf.tensor4d(v, [n, S, S, 1]);
}

/** Mean absolute difference between horizontal neighbours, per image: how sharp it is. */
function sharpness(t: tf.Tensor4D): number[] {
  return tf.tidy(() => Array.from(tf.mean(tf.abs(tf.sub(tf.slice(t, [0, 0, 1, 0], [-1, -1, S - 1, -1]), tf.slice(t, [0, 0, 0, 0], [-1, -1, S - 1, -1]))), [1, 2, 3]).dataSync()));
}

let before = 0;
beforeAll(async () => {
  await setBackend('cpu');
  before = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('photometric augmentation', () => {
  it('blurs about half the images and leaves the others exactly as they were', () => {
    const x = boards();
    const y = augment(x, { blur: 2.5, seed: 3 });
    const draws = photometricDraws(N, { blur: 2.5 }, 3).blur;
    const [sx, sy] = [sharpness(x), sharpness(y)];
    const same = tf.tidy(() => Array.from(tf.max(tf.abs(tf.sub(x, y)), [1, 2, 3]).dataSync()));
    let blurred = 0;
    for (let i = 0; i < N; i++) {
      if (draws[i] < 0) expect(same[i]).toBe(0);
      else {
        blurred++;
        expect(sy[i]).toBeLessThan(sx[i] * 0.9);
      }
    }
    expect(blurred).toBeGreaterThan(2);
    expect(blurred).toBeLessThan(N - 2);
    tf.dispose([x, y]);
  });

  it('low resolution loses the fine pattern, only at the levels allowed', () => {
    const draws = photometricDraws(400, { lowResolution: 2 }, 5).lowResolution;
    const allowed = LOW_RESOLUTION_LEVELS.filter((l) => l <= 2).length;
    expect(Math.max(...draws)).toBe(allowed - 1);
    expect(draws.filter((d) => d >= 0).length).toBeGreaterThan(150);
    const x = boards();
    const y = augment(x, { lowResolution: 4, seed: 9 });
    const d = photometricDraws(N, { lowResolution: 4 }, 9).lowResolution;
    const [sx, sy] = [sharpness(x), sharpness(y)];
    for (let i = 0; i < N; i++) if (d[i] >= 0) expect(sy[i]).toBeLessThan(sx[i]);
    tf.dispose([x, y]);
  });

  it('gamma, contrast, brightness and noise keep values inside [0, white] and change every image', () => {
    const x = boards();
    const y = augment(x, { gamma: 0.5, contrast: 0.4, brightness: 0.2, noise: 0.05, seed: 1 });
    const [lo, hi] = tf.tidy(() => [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    const diff = tf.tidy(() => Array.from(tf.max(tf.abs(tf.sub(x, y)), [1, 2, 3]).dataSync()));
    expect(diff.every((v) => v > 0)).toBe(true);
    tf.dispose([x, y]);
  });

  it('integer batches use 255 as white and keep their dtype', () => {
    const x = tf.tidy(() => tf.cast(tf.mul(boards(), 255), 'int32') as tf.Tensor4D);
    const y = augment(x, { brightness: 0.3, seed: 2 });
    expect(y.dtype).toBe('int32');
    const hi = tf.tidy(() => tf.max(y).dataSync()[0]);
    expect(hi).toBeLessThanOrEqual(255);
    expect(hi).toBeGreaterThan(1);
    tf.dispose([x, y]);
  });

  it('is reproducible from the seed, and adding it leaves the geometric draws of a seed unchanged', () => {
    const x = boards();
    const a = augment(x, { blur: 2, noise: 0.05, gamma: 0.3, rotation: 10, seed: 11 });
    const b = augment(x, { blur: 2, noise: 0.05, gamma: 0.3, rotation: 10, seed: 11 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(augmentTransforms(N, S, S, { rotation: 10, blur: 2, seed: 11 }))).toEqual(Array.from(augmentTransforms(N, S, S, { rotation: 10, seed: 11 })));
    tf.dispose([x, a, b]);
  });

  it('zoomRange draws factors inside the range (wider framing shrinks the face)', () => {
    const t = augmentTransforms(200, S, S, { zoomRange: [0.67, 1.1], seed: 4 });
    for (let i = 0; i < 200; i++) {
      const scale = 1 / Math.hypot(t[i * 8 + 1], t[i * 8 + 4]);
      expect(scale).toBeGreaterThanOrEqual(0.67 - 1e-6);
      expect(scale).toBeLessThanOrEqual(1.1 + 1e-6);
    }
  });

  it('names the option that cannot be used', () => {
    expect(() => checkAugmentOptions({ blur: -1 })).toThrow(/blur must be a finite number ≥ 0/);
    expect(() => checkAugmentOptions({ lowResolution: 0.5 })).toThrow(/lowResolution is a downscale factor ≥ 1/);
    expect(() => checkAugmentOptions({ contrast: 1.5 })).toThrow(/contrast must be < 1/);
    expect(() => checkAugmentOptions({ zoomRange: [1.2, 0.8] as [number, number] })).toThrow(/zoomRange must be \[min, max\]/);
    expect(() => checkAugmentOptions({ white: 0 })).toThrow(/white must be a positive number/);
    expect(BLUR_LEVELS.length).toBeGreaterThan(0);
  });
});
