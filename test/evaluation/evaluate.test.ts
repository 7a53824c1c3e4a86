import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf, tfl } from '../../src/backends/tf.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import { EmotionClassifier } from '../../src/inference/classifier.js';
import { argmaxRows, confusionMatrix } from '../../src/evaluation/metrics.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { Random } from '../../src/util/random.js';

const SIZE = 4;
const PX = SIZE * SIZE;
const CLASSES = ['left', 'right', 'dark'] as const;

/**
 * A fixed linear softmax model over 4×4 images: "left" scores the left half's brightness,
 * "right" the right half's, "dark" a constant. Left-right asymmetric, so flip TTA matters.
 */
function tinyModel(inputSize = SIZE, classes = 3): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [inputSize, inputSize, 1] }),
      tfl.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  const w = new Float32Array(inputSize * inputSize * classes);
  for (let y = 0; y < inputSize; y++) {
    for (let x = 0; x < inputSize; x++) {
      const p = y * inputSize + x;
      if (x < inputSize / 2) w[p * classes] = 1.2;
      else w[p * classes + 1] = 0.9 + 0.05 * y;
    }
  }
  const bias = new Float32Array(classes);
  bias[2] = 3;
  m.layers[1].setWeights([tf.tensor2d(w, [inputSize * inputSize, classes]), tf.tensor1d(bias)]);
  return m;
}

/** 24 pseudo-random 4×4 images with labels and splits. */
function tinyDataset(): FerDataset {
  const n = 24;
  const images = new Uint8Array(n * PX);
  const random = new Random(7);
  for (let i = 0; i < images.length; i++) images[i] = random.int(256);
  const labels = Array.from({ length: n }, (_, i) => (i * 5) % 3);
  const splits = Array.from({ length: n }, (_, i) => (i < 14 ? 0 : i < 20 ? 1 : 2));
  return FerDataset.fromArrays(images, labels, { size: SIZE, classes: CLASSES, splits });
}

/** Reference: predictions computed here with model.predict directly. */
function referencePredictions(model: tfl.LayersModel, d: FerDataset, tta: boolean): Uint8Array {
  const probs = tf.tidy(() => {
    const x = tf.div(tf.tensor4d(Float32Array.from(d.images), [d.length, SIZE, SIZE, 1]), 255);
    const p = model.predict(x) as tf.Tensor;
    return tta ? tf.div(tf.add(p, model.predict(tf.reverse(x, 2)) as tf.Tensor), 2) : p;
  });
  const out = argmaxRows(probs.dataSync(), CLASSES.length);
  probs.dispose();
  return out;
}

let model: tfl.LayersModel;
let data: FerDataset;
beforeAll(async () => {
  await setBackend('cpu');
  model = tinyModel();
  data = tinyDataset();
});
afterAll(() => model.dispose());

describe('evaluate', () => {
  it('scores the model’s top-1 predictions consistently', async () => {
    const r = await evaluate(model, data);
    expect(r.count).toBe(data.length);
    const k = CLASSES.length;
    expect(r.confusion).toHaveLength(k);
    for (const row of r.confusion) expect(row).toHaveLength(k);
    const total = r.confusion.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(data.length);
    const trace = r.confusion.reduce((a, row, i) => a + row[i], 0);
    expect(r.accuracy).toBeCloseTo(trace / r.count, 12);
    const counts = data.classCounts();
    CLASSES.forEach((c, i) => {
      const rowSum = r.confusion[i].reduce((a, b) => a + b, 0);
      expect(r.perClass[c].support).toBe(rowSum);
      expect(rowSum).toBe(counts[c]);
    });
    expect(r.macroF1).toBeCloseTo(CLASSES.reduce((a, c) => a + r.perClass[c].f1, 0) / k, 12);
    // the same confusion as predictions made here
    expect(r.confusion).toEqual(confusionMatrix(data.labels, referencePredictions(model, data, false), k));
    // not a degenerate model: it predicts more than one class
    expect(r.confusion.map((_, j) => r.confusion.reduce((a, row) => a + row[j], 0)).filter((v) => v > 0).length).toBeGreaterThan(1);
  });

  it('evaluates one split', async () => {
    for (const [split, n] of [['Training', 14], ['PublicTest', 6], ['PrivateTest', 4], ['test', 10], ['all', 24]] as const) {
      const r = await evaluate(model, data, { split });
      expect(r.count).toBe(n);
      const sub = data.filter(split);
      expect(r.confusion).toEqual(confusionMatrix(sub.labels, referencePredictions(model, sub, false), 3));
    }
  });

  it('gives the same result for any batch size', async () => {
    const a = await evaluate(model, data, { batchSize: 1 });
    const b = await evaluate(model, data, { batchSize: 5 });
    const c = await evaluate(model, data, { batchSize: 1000 });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('flip TTA averages the image and its mirror', async () => {
    const r = await evaluate(model, data, { tta: true, batchSize: 7 });
    expect(r.count).toBe(data.length);
    expect(r.confusion).toEqual(confusionMatrix(data.labels, referencePredictions(model, data, true), 3));
    const plain = referencePredictions(model, data, false);
    const tta = referencePredictions(model, data, true);
    // the fixture is asymmetric, so TTA changes some predictions (the test can tell them apart)
    expect(Array.from(tta)).not.toEqual(Array.from(plain));
  });

  it('handles an empty selection', async () => {
    const empty = data.subset([]);
    const r = await evaluate(model, empty);
    expect(r.count).toBe(0);
    expect(r.accuracy).toBe(0);
    expect(r.confusion).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });

  it('rejects a model whose classes or input size do not match the dataset', async () => {
    const four = tinyModel(SIZE, 4);
    await expect(evaluate(four, data)).rejects.toThrow(/outputs shape \[null, 4\] but the dataset has 3 classes \(left, right, dark\)/);
    const big = tinyModel(8, 3);
    await expect(evaluate(big, data)).rejects.toThrow(/takes input of shape \[null, 8, 8, 1\] but the dataset holds 4×4/);
    await expect(evaluate(model, data, { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    four.dispose();
    big.dispose();
  });

  it('gives the same result on the wasm backend', async () => {
    const onCpu = await evaluate(model, data, { tta: true });
    try {
      await setBackend('wasm');
      const wasmModel = tinyModel();
      const onWasm = await evaluate(wasmModel, data, { tta: true });
      wasmModel.dispose();
      expect(onWasm.confusion).toEqual(onCpu.confusion);
      expect(onWasm.accuracy).toBe(onCpu.accuracy);
    } finally {
      await setBackend('cpu');
    }
  });

  it('works with a (tiny) CNN-LSTM and leaks no tensors', async () => {
    const start = tf.memory().numTensors;
    const cnn = buildCnnLstm({ inputSize: SIZE, numClasses: 3, filters: [2], convsPerBlock: 1, stemFilters: 0, lstmUnits: 3, denseUnits: 0, seed: 1 });
    const own = tf.memory().numTensors;
    const r = await evaluate(cnn, data, { tta: true, batchSize: 10 });
    // the batch-norm-folded, compiled copy that prediction runs is freed after each call
    expect(tf.memory().numTensors).toBe(own);
    await evaluate(cnn, data, { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(own);
    expect(r.count).toBe(24);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(24);
    // a classifier's copy is kept for the next call, and freed with the classifier
    const classifier = EmotionClassifier.fromModel(cnn, { classes: data.classes });
    await evaluate(classifier, data);
    const kept = tf.memory().numTensors;
    expect(kept).toBeGreaterThan(own);
    await evaluate(classifier, data, { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(kept);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(own);
    cnn.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('scores what prediction answers: the batch-norm-folded model', async () => {
    const cnn = buildCnnLstm({ inputSize: SIZE, numClasses: 3, filters: [2], convsPerBlock: 1, stemFilters: 0, lstmUnits: 3, denseUnits: 0, seed: 3 });
    const classifier = EmotionClassifier.fromModel(cnn, { classes: data.classes });
    const folded = classifier.inferenceModel;
    expect(folded).not.toBe(cnn);
    // mark the folded copy: its output bias now picks class 2 for every image; the trained model is unchanged
    const last = folded.layers[folded.layers.length - 1];
    const [kernel, bias] = last.getWeights();
    const marked = [tf.zerosLike(kernel), tf.tensor([0, 0, 50], bias.shape)];
    last.setWeights(marked);
    marked.forEach((t) => t.dispose());
    expect(classifier.inferenceModel).toBe(folded);
    const r = await evaluate(classifier, data);
    expect(r.confusion.map((row) => row[2])).toEqual(r.confusion.map((row) => row.reduce((a, b) => a + b, 0)));
    classifier.dispose();
    cnn.dispose();
  });
});
