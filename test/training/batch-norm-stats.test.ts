/**
 * Batch-norm statistics re-estimated from data: after {@link recomputeBatchNorm}, inference
 * normalises each layer with the statistics of the data itself, so it gives what training mode
 * gives on that data as one batch.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { recomputeBatchNorm } from '../../src/training/batch-norm-stats.js';
import { pixelsToTensor } from '../../src/training/loss.js';
import { onWasmWithoutLeaks, patternedDataset, SIZE, tinyModel } from './helpers.js';

onWasmWithoutLeaks();

describe('recomputeBatchNorm', () => {
  it('makes inference equal training mode on the data as one batch, in batches of any size', () => {
    const data = patternedDataset(40);
    const model = tinyModel();
    const x = pixelsToTensor(data.images, SIZE);
    const training = tf.tidy(() => (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][]);
    const stale = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
    const r = recomputeBatchNorm(model, data.images, SIZE, { batchSize: 7 });
    const after = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
    x.dispose();
    expect(r.images).toBe(40);
    expect(r.layers.length).toBeGreaterThan(0);
    expect(r.layers.every((name) => name.endsWith('_bn'))).toBe(true);
    const diff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
    // the untouched moving statistics (mean 0, variance 1) normalise differently: the check can fail
    expect(diff(stale, training)).toBeGreaterThan(1e-3);
    expect(diff(after, training)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('applies the transform to every batch first', () => {
    const data = patternedDataset(16);
    const mirrored = new Uint8Array(data.images.length);
    for (let i = 0; i < data.images.length; i++) mirrored[i] = data.images[i - (i % SIZE) + SIZE - 1 - (i % SIZE)];
    const [viaTransform, viaPixels, plain] = [tinyModel(), tinyModel(), tinyModel()];
    recomputeBatchNorm(viaTransform, data.images, SIZE, { transform: (x) => tf.reverse(x, 2) });
    recomputeBatchNorm(viaPixels, mirrored, SIZE);
    recomputeBatchNorm(plain, data.images, SIZE);
    const stats = (m: typeof plain) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization')
      .flatMap((l) => l.getWeights().slice(2).flatMap((w) => [...w.dataSync()]));
    const [a, b, c] = [viaTransform, viaPixels, plain].map(stats);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i])))).toBeGreaterThan(1e-4);
    [viaTransform, viaPixels, plain].forEach((m) => m.dispose());
  });

  it('names the bad input', () => {
    const model = tinyModel();
    expect(() => recomputeBatchNorm(model, new Uint8Array(SIZE * SIZE + 3), SIZE)).toThrow(/not a whole number .* 16×16 images/);
    expect(() => recomputeBatchNorm(model, new Uint8Array(0), SIZE)).toThrow(/16×16/);
    model.dispose();
  });
});
