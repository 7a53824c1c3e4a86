/**
 * EmotionClassifier: a model loaded once with its TTA, classes and class prior; the same answers
 * as classifyEmotion; its id; dispose frees what it loaded and nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS } from '../../src/emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';
import { EmotionClassifier, emotionClassifierId, loadEmotionClassifier } from '../../src/inference/classifier.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { clearModelCache } from '../../src/inference/weights.js';
import { SHIPPED_VARIANTS } from '../../src/inference/variants.js';

let dir: string;
let weights: string;
const face = () => {
  const px = new Uint8Array(48 * 48);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + (i >> 4) * 11) % 256;
  return px;
};

beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-classifier-'));
  weights = join(dir, 'model');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  await saveModel(model, weights);
  model.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EmotionClassifier', () => {
  it('loads once, answers as classifyEmotion does, and dispose frees everything it loaded', async () => {
    const start = tf.memory().numTensors;
    const classifier = await EmotionClassifier.load({ weights });
    expect(classifier.tta).toBe(false);
    expect(classifier.classes).toEqual(EMOTIONS);
    expect(classifier.inputSize).toBe(48);
    expect(classifier.id).toBe(`${resolve(weights)} tta=false prior=training`);
    expect(classifier.id).toBe(await emotionClassifierId({ weights }));
    const image = { width: 48, height: 48, data: face(), channels: 1 as const };
    const mine = await classifier.classify(image, { tta: 'flip' });
    const theirs = await classifyEmotion(image, { weights, tta: 'flip' });
    for (const e of EMOTIONS) expect(mine.scores[e]).toBeCloseTo(theirs.scores[e], 6);
    const probs = classifier.probabilities(face(), { tta: 'flip' });
    EMOTIONS.forEach((e, j) => expect(probs[j]).toBeCloseTo(mine.scores[e], 6));
    expect(await classifier.predict([image, image], { tta: 'flip' })).toEqual([mine.emotion, mine.emotion]);
    const during = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await classifier.classify(image);
    expect(tf.memory().numTensors).toBe(during); // no tensor per call
    classifier.dispose();
    await clearModelCache(); // classifyEmotion's cached model, and its forward pass
    expect(tf.memory().numTensors).toBe(start);
    await expect(classifier.classify(image)).rejects.toThrow(/the emotion classifier \(.* tta=false prior=training\) was disposed/);
  });

  it('fromModel neither copies nor disposes the model, and follows its new weights', async () => {
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 2 });
    const own = tf.memory().numTensors;
    const classifier = EmotionClassifier.fromModel(model);
    const a = classifier.probabilities(face());
    const dense = model.layers[model.layers.length - 1];
    tf.tidy(() => dense.setWeights(dense.getWeights().map((w, i) => tf.randomUniform(w.shape, -2, 2, 'float32', 40 + i))));
    const b = classifier.probabilities(face());
    expect(Array.from(b)).not.toEqual(Array.from(a));
    const want = tf.tidy(() => (model.predict(tf.div(tf.tensor4d(Float32Array.from(face()), [1, 48, 48, 1]), 255)) as tf.Tensor).dataSync());
    want.forEach((v, j) => expect(b[j]).toBeCloseTo(v, 5));
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(own);
    // load({ model }) too: its forward pass is freed with it, the model is left as it is
    const loaded = await EmotionClassifier.load({ model });
    loaded.probabilities(face());
    expect(tf.memory().numTensors).toBeGreaterThan(own);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(own);
    expect(classifier.id).toMatch(/^model:.*#\d+ tta=false prior=training$/);
    model.dispose();
  });

  it('runs a shipped variant with its own TTA, from the one table', async () => {
    expect(await emotionClassifierId()).toBe(`shipped:default/float32 tta=${SHIPPED_VARIANTS.default.tta} prior=training`);
    expect(await emotionClassifierId({ variant: 'accurate', precision: 'uint8' })).toBe(`shipped:accurate/uint8 tta=${SHIPPED_VARIANTS.accurate.tta} prior=training`);
    expect(await emotionClassifierId({ variant: 'accurate', tta: false, classPrior: 'uniform' })).toBe('shipped:accurate/float32 tta=false prior=uniform');
  });

  it('refuses bad options with one clear line', async () => {
    await expect(loadEmotionClassifier({ weights, tta: 'twice' as never })).rejects.toThrow(/tta must be false, true, 'flip', 'auto' or 'ten-crop', got "twice"/);
    await expect(loadEmotionClassifier({ variant: 'fastest' as never })).rejects.toThrow('variant must be default or accurate, got fastest');
    await expect(loadEmotionClassifier({ weights, batchSize: 0 })).rejects.toThrow('batchSize must be a positive integer, got 0');
    await expect(loadEmotionClassifier({ weights, classes: ['a', 'b'] })).rejects.toThrow('the model has 7 outputs but 2 classes were given');
    const classifier = await loadEmotionClassifier({ weights });
    expect(() => classifier.probabilities(new Uint8Array(100))).toThrow('100 bytes are not a whole number of 48×48 images');
    classifier.dispose();
  });
});
