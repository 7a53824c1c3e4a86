/**
 * One shard's loss with mixup and cutmix: the blended images against the blended labels, as
 * {@link mixupDraw} and {@link cutmixDraw} draw them.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { crossEntropySum, cutmixDraw, mixupDraw, pixelsToTensor, shardGradients, type ShardRequest } from '../../src/training/loss.js';
import { onWasmWithoutLeaks, patternedDataset, SIZE, tinyModel } from './helpers.js';

onWasmWithoutLeaks();

describe('mixupDraw', () => {
  it('draws λ in [0, 1] and a permutation, the same for the same seed', () => {
    const a = mixupDraw(16, 0.4, 3);
    expect(a.lambda).toBeGreaterThanOrEqual(0);
    expect(a.lambda).toBeLessThanOrEqual(1);
    expect([...a.perm].sort((x, y) => x - y)).toEqual([...Array(16).keys()]);
    expect(mixupDraw(16, 0.4, 3)).toEqual(a);
    expect(mixupDraw(16, 0.4, 4).perm).not.toEqual(a.perm);
  });
});

describe('shardGradients with mixup', () => {
  it("is the λ-weighted loss of both labels on the blended images; accuracy counts the heavier label", () => {
    const data = patternedDataset(12);
    const pixels = new Uint8Array(12 * SIZE * SIZE);
    for (let i = 0; i < 12; i++) pixels.set(data.image(i), i * SIZE * SIZE);
    const labels = Uint8Array.from(data.labels);
    const model = tinyModel();
    const req: ShardRequest = { pixels, labels, size: SIZE, numClasses: 7, labelSmoothing: 0.1, batchSize: 12, mixup: { alpha: 0.4, seed: 11 } };
    const g = shardGradients(model, req);
    const { lambda, perm } = mixupDraw(12, 0.4, 11);
    expect(lambda).toBeGreaterThan(0.01);
    expect(lambda).toBeLessThan(0.99);
    const [expected, expectedCorrect] = tf.tidy(() => {
      const xs = pixelsToTensor(pixels, SIZE);
      const p = tf.tensor1d(perm, 'int32');
      const mixed = tf.add(tf.mul(xs, lambda), tf.mul(tf.gather(xs, p), 1 - lambda));
      const probs = model.apply(mixed, { training: true }) as tf.Tensor;
      const y = tf.tensor1d(Int32Array.from(labels), 'int32');
      const yp = tf.gather(y, p) as tf.Tensor1D;
      const loss = tf.add(tf.mul(crossEntropySum(probs, y, 7, 0.1), lambda), tf.mul(crossEntropySum(probs, yp, 7, 0.1), 1 - lambda));
      const heavier = lambda >= 0.5 ? y : yp;
      return [loss.dataSync()[0], tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), heavier), 'int32')).dataSync()[0]];
    });
    expect(g.lossSum).toBeCloseTo(expected, 3);
    expect(g.correct).toBe(expectedCorrect);
    const plain = shardGradients(model, { ...req, mixup: undefined });
    expect(Math.abs(plain.lossSum - g.lossSum)).toBeGreaterThan(1e-3);
    tf.dispose([...g.grads, ...plain.grads]);
    model.dispose();
  });
});

describe('cutmixDraw', () => {
  it('draws a box inside the image whose share of the area is 1 − λ, and a permutation, the same for the same seed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const { lambda, perm, box } = cutmixDraw(8, 1, seed, 48);
      expect(box.x0).toBeGreaterThanOrEqual(0);
      expect(box.y0).toBeGreaterThanOrEqual(0);
      expect(box.x1).toBeLessThanOrEqual(48);
      expect(box.y1).toBeLessThanOrEqual(48);
      expect(box.x1).toBeGreaterThanOrEqual(box.x0);
      expect(box.y1).toBeGreaterThanOrEqual(box.y0);
      expect(lambda).toBeCloseTo(1 - ((box.x1 - box.x0) * (box.y1 - box.y0)) / (48 * 48), 12);
      expect([...perm].sort((x, y) => x - y)).toEqual([...Array(8).keys()]);
      expect(cutmixDraw(8, 1, seed, 48)).toEqual({ lambda, perm, box });
    }
  });
});

describe('shardGradients with cutmix', () => {
  it("pastes the partner's box into each image and weighs both labels by area; accuracy counts the heavier label", () => {
    const data = patternedDataset(12);
    const pixels = new Uint8Array(12 * SIZE * SIZE);
    for (let i = 0; i < 12; i++) pixels.set(data.image(i), i * SIZE * SIZE);
    const labels = Uint8Array.from(data.labels);
    const model = tinyModel({ dropout: 0 });
    let seed = 0;
    while (!(cutmixDraw(12, 1, seed, SIZE).lambda > 0.05 && cutmixDraw(12, 1, seed, SIZE).lambda < 0.95)) seed++;
    const req: ShardRequest = { pixels, labels, size: SIZE, numClasses: 7, labelSmoothing: 0.1, batchSize: 12, cutmix: { alpha: 1, seed } };
    const g = shardGradients(model, req);
    const { lambda, perm, box } = cutmixDraw(12, 1, seed, SIZE);
    const [expected, expectedCorrect] = tf.tidy(() => {
      // the pasted images, built pixel by pixel
      const mixed = new Float32Array(12 * SIZE * SIZE);
      for (let i = 0; i < 12; i++) {
        for (let y = 0; y < SIZE; y++) {
          for (let x = 0; x < SIZE; x++) {
            const inBox = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
            mixed[(i * SIZE + y) * SIZE + x] = pixels[((inBox ? perm[i] : i) * SIZE + y) * SIZE + x] / 255;
          }
        }
      }
      const probs = model.apply(tf.tensor4d(mixed, [12, SIZE, SIZE, 1]), { training: true }) as tf.Tensor;
      const y = tf.tensor1d(Int32Array.from(labels), 'int32');
      const yp = tf.gather(y, tf.tensor1d(perm, 'int32')) as tf.Tensor1D;
      const loss = tf.add(tf.mul(crossEntropySum(probs, y, 7, 0.1), lambda), tf.mul(crossEntropySum(probs, yp, 7, 0.1), 1 - lambda));
      const heavier = lambda >= 0.5 ? y : yp;
      return [loss.dataSync()[0], tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), heavier), 'int32')).dataSync()[0]];
    });
    expect(g.lossSum).toBeCloseTo(expected, 3);
    expect(g.correct).toBe(expectedCorrect);
    const plain = shardGradients(model, { ...req, cutmix: undefined });
    expect(Math.abs(plain.lossSum - g.lossSum)).toBeGreaterThan(1e-3);
    tf.dispose([...g.grads, ...plain.grads]);
    model.dispose();
  });
});

describe('distillation targets', () => {
  const shard = () => {
    const data = patternedDataset(10);
    const pixels = new Uint8Array(10 * SIZE * SIZE);
    for (let i = 0; i < 10; i++) pixels.set(data.image(i), i * SIZE * SIZE);
    return { pixels, labels: Uint8Array.from(data.labels) };
  };

  it('a teacher that gives the labels themselves, at any weight, is the plain loss; another teacher blends in', () => {
    const { pixels, labels } = shard();
    const model = tinyModel({ dropout: 0 });
    const req: ShardRequest = { pixels, labels, size: SIZE, numClasses: 7, labelSmoothing: 0, batchSize: 10 };
    const oneHot = new Float32Array(10 * 7);
    labels.forEach((l, i) => { oneHot[i * 7 + l] = 1; });
    const plain = shardGradients(model, req);
    const same = shardGradients(model, { ...req, soft: { probs: oneHot, weight: 0.7 } });
    expect(same.lossSum).toBeCloseTo(plain.lossSum, 4);
    // a uniform teacher at weight w is label smoothing with ε = w
    const uniform = shardGradients(model, { ...req, soft: { probs: new Float32Array(70).fill(1 / 7), weight: 0.3 } });
    const smoothed = shardGradients(model, { ...req, labelSmoothing: 0.3 });
    expect(uniform.lossSum).toBeCloseTo(smoothed.lossSum, 4);
    expect(Math.abs(uniform.lossSum - plain.lossSum)).toBeGreaterThan(1e-2);
    tf.dispose([...plain.grads, ...same.grads, ...uniform.grads, ...smoothed.grads]);
    model.dispose();
  });

  it('with mixup, each image of a pair brings its own teacher row', () => {
    const { pixels, labels } = shard();
    const model = tinyModel({ dropout: 0 });
    const uniform = new Float32Array(70).fill(1 / 7);
    const req: ShardRequest = { pixels, labels, size: SIZE, numClasses: 7, labelSmoothing: 0, batchSize: 10, mixup: { alpha: 0.4, seed: 3 } };
    const a = shardGradients(model, { ...req, soft: { probs: uniform, weight: 0.3 } });
    const b = shardGradients(model, { ...req, labelSmoothing: 0.3 });
    expect(a.lossSum).toBeCloseTo(b.lossSum, 4);
    tf.dispose([...a.grads, ...b.grads]);
    model.dispose();
  });
});
