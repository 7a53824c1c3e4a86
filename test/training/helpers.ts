/**
 * Shared fixtures of the training tests: tiny models and patterned datasets that train in seconds.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { buildCnnLstm, type CnnLstmOptions } from '../../src/model/cnn-lstm.js';
import { Random } from '../../src/util/random.js';
import { EmotionClassifier } from '../../src/inference/classifier.js';

/** Side of the test images. */
export const SIZE = 16;

/** A tiny CNN-LSTM on {@link SIZE}px images (a few hundred weights). */
export function tinyModel(options: CnnLstmOptions = {}) {
  return buildCnnLstm({
    inputSize: SIZE, filters: [4, 8], convsPerBlock: 1, lstmUnits: 8, denseUnits: 8,
    dropout: 0, convDropout: 0, seed: 1, ...options,
  });
}

/**
 * `n` images whose class is visible (a bright band at a class-dependent row) plus noise, so a
 * model can learn something; labels cycle through the classes.
 */
export function patternedDataset(n: number, options: { classes?: string[]; seed?: number; size?: number } = {}): FerDataset {
  const size = options.size ?? SIZE;
  const k = options.classes?.length ?? 7;
  const rng = new Random(options.seed ?? 5);
  const images = new Uint8Array(n * size * size);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % k;
    labels[i] = label;
    const row = Math.floor(((label + 0.5) * size) / k);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const band = Math.abs(y - row) <= 1 ? 160 : 0;
        images[(i * size + y) * size + x] = Math.min(255, band + rng.int(90));
      }
    }
  }
  return FerDataset.fromArrays(images, labels, { classes: options.classes, size });
}

/** Runs the file's tests on wasm and checks, after the last one, that they left no tensor behind. */
export function onWasmWithoutLeaks(): void {
  let before = 0;
  beforeAll(async () => {
    await setBackend('wasm');
    before = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(before);
  });
}

/** A model's class probabilities for raw gray pixels, as prediction computes them (the classifier is freed after). */
export function modelProbabilities(model: import('../../src/backends/tf.js').tfl.LayersModel, pixels: Uint8Array, batchSize = 256, tta: import('../../src/inference/tta.js').TtaMode = false): Float32Array {
  const classifier = EmotionClassifier.fromModel<string>(model);
  try {
    return classifier.probabilities(pixels, { batchSize, tta });
  } finally {
    classifier.dispose();
  }
}
