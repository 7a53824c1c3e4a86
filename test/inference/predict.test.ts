import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS, Emotion } from '../../src/emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';
import { classifyEmotion, predictEmotion, type Classification } from '../../src/inference/predict.js';
import { clearModelCache, loadEmotionModel } from '../../src/inference/weights.js';
import { toModelInput } from '../../src/inference/input.js';
import { encodePng, pattern } from './fixtures.js';

let dir: string;
let weights: string;
let png: Buffer;
let pngPath: string;
let face: tf.Tensor3D; // 48×48×1, values 0–255, not left-right symmetric

function expectValid(c: Classification, classes: readonly string[] = EMOTIONS): void {
  expect(Object.keys(c.scores)).toEqual([...classes]);
  const values = Object.values(c.scores) as number[];
  expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
  const best = Math.max(...values);
  expect(c.confidence).toBe(best);
  expect(c.scores[c.emotion as keyof typeof c.scores]).toBe(best);
  expect(classes[values.indexOf(best)]).toBe(c.emotion);
}

beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-predict-'));
  weights = join(dir, 'model');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  await saveModel(model, weights);
  model.dispose();
  png = encodePng(64, 64, pattern(64, 64));
  pngPath = join(dir, 'face.png');
  writeFileSync(pngPath, png);
  face = tf.tidy(() => tf.mul(tf.randomUniform([48, 48, 1], 0, 1, 'float32', 7), 255) as tf.Tensor3D);
});

afterAll(async () => {
  face.dispose();
  await clearModelCache();
  rmSync(dir, { recursive: true, force: true });
});

describe('classifyEmotion / predictEmotion', () => {
  it('classifies one image: scores over the 7 emotions sum to 1, emotion is the argmax', async () => {
    const c = await classifyEmotion(pngPath, { weights });
    expectValid(c);
    const e = await predictEmotion(pngPath, { weights });
    expect(EMOTIONS).toContain(e);
    expect(e).toBe(c.emotion);
  });

  it('gives an array for an array or a 4-D tensor, matching one-by-one results', async () => {
    const inputs = [pngPath, png, face];
    const many = await classifyEmotion(inputs, { weights });
    expect(many).toHaveLength(3);
    for (let i = 0; i < inputs.length; i++) {
      expectValid(many[i]);
      const one = await classifyEmotion(inputs[i], { weights });
      for (const e of EMOTIONS) expect(many[i].scores[e]).toBeCloseTo(one.scores[e], 5);
    }
    // path and bytes of the same file give the same answer
    expect(many[0].scores).toEqual(many[1].scores);

    const batch = tf.stack([face, face]) as tf.Tensor4D;
    const emotions = await predictEmotion(batch, { weights });
    expect(emotions).toEqual([many[2].emotion, many[2].emotion]);
    batch.dispose();

    expect(await predictEmotion([pngPath], { weights })).toEqual([many[0].emotion]);
    expect(await predictEmotion([], { weights })).toEqual([]);
  });

  it('caches the model per weights location', async () => {
    const a = await loadEmotionModel({ weights });
    const b = await loadEmotionModel({ weights });
    expect(a).toBe(b);
  });

  it('caches per IOHandler, and reads file: URLs', async () => {
    const { fileSystemHandler } = await import('../../src/model/io.js');
    const inner = fileSystemHandler(weights);
    let loads = 0;
    const handler = { load: () => { loads++; return inner.load!(); } };
    const a = await loadEmotionModel({ weights: handler });
    const b = await loadEmotionModel({ weights: handler });
    expect(a).toBe(b);
    expect(loads).toBe(1);
    const fromUrl = await classifyEmotion(face, { weights: pathToFileURL(weights) });
    const fromPath = await classifyEmotion(face, { weights });
    expect(fromUrl.scores).toEqual(fromPath.scores);
  });

  it('activates the requested backend', async () => {
    const wasm = await classifyEmotion(face, { weights });
    try {
      const cpu = await classifyEmotion(face, { weights, backend: 'cpu' });
      expect(tf.getBackend()).toBe('cpu');
      for (const e of EMOTIONS) expect(cpu.scores[e]).toBeCloseTo(wasm.scores[e], 4);
    } finally {
      await setBackend('wasm');
    }
  });

  it('accepts a loaded model and agrees with the same weights loaded from disk', async () => {
    const model = await tfl.loadLayersModel((await import('../../src/model/io.js')).fileSystemHandler(weights));
    const fromModel = await classifyEmotion(face, { model });
    const fromWeights = await classifyEmotion(face, { weights });
    for (const e of EMOTIONS) expect(fromModel.scores[e]).toBeCloseTo(fromWeights.scores[e], 6);
    // scores are the model's own softmax output
    const x = await toModelInput(face);
    const y = model.predict(x) as tf.Tensor;
    const expected = Array.from(y.dataSync());
    EMOTIONS.forEach((e, i) => expect(fromModel.scores[e]).toBeCloseTo(expected[i], 5));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('tta averages the image and its mirror image', async () => {
    const mirrored = tf.reverse(face, 1);
    const plain = await classifyEmotion(face, { weights });
    const flipped = await classifyEmotion(mirrored, { weights });
    const tta = await classifyEmotion(face, { weights, tta: true });
    expectValid(tta);
    for (const e of EMOTIONS) expect(tta.scores[e]).toBeCloseTo((plain.scores[e] + flipped.scores[e]) / 2, 5);
    expect(plain.scores).not.toEqual(flipped.scores);
    mirrored.dispose();
  });

  it('leaks no tensors', async () => {
    await classifyEmotion(face, { weights }); // model loaded and cached
    const before = tf.memory().numTensors;
    await classifyEmotion([pngPath, face], { weights, tta: true });
    await predictEmotion(png, { weights });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('supports fine-tuned models with their own classes', async () => {
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 2, numClasses: 3, inputSize: 32 });
    const classes = ['calm', 'tense', 'other'] as const;
    const c = await classifyEmotion(face, { model, classes });
    expectValid(c as Classification<string> as Classification, classes);
    const label: 'calm' | 'tense' | 'other' = await predictEmotion(png, { model, classes });
    expect(classes).toContain(label);
    await expect(classifyEmotion(face, { model })).rejects.toThrow('the model has 3 outputs, not the 7 FER-2013 emotions: pass `classes`');
    await expect(classifyEmotion(face, { model, classes: ['a', 'b'] })).rejects.toThrow('the model has 3 outputs but 2 classes were given');
    model.dispose();
  });

  it('turns a model\'s logits into probabilities with a softmax', async () => {
    const model = tfl.sequential({ layers: [
      tfl.layers.flatten({ inputShape: [48, 48, 1] }),
      tfl.layers.dense({ units: 7, kernelInitializer: tfl.initializers.randomNormal({ stddev: 1, seed: 5 }) }),
    ] });
    const c = await classifyEmotion(face, { model });
    expectValid(c);
    const x = await toModelInput(face);
    const expected = tf.tidy(() => Array.from(tf.softmax(model.predict(x) as tf.Tensor2D).dataSync()));
    EMOTIONS.forEach((e, i) => expect(c.scores[e]).toBeCloseTo(expected[i], 5));
    x.dispose();
    model.dispose();
  });

  it('explains missing weights and bad input', async () => {
    const missing = join(dir, 'nowhere');
    await expect(predictEmotion(face, { weights: missing })).rejects.toThrow(`${join(missing, 'model.json')}: no such file`);
    // a failed load is not cached: once the weights exist, the same location works
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 3 });
    await saveModel(model, missing);
    model.dispose();
    expect(EMOTIONS).toContain(await predictEmotion(face, { weights: missing }));
    await expect(predictEmotion(tf.zeros([5]) as never, { weights })).rejects.toThrow('tensor of shape [5] is not an image');
    await expect(predictEmotion(42 as never, { weights })).rejects.toThrow(/number is not an image/);
  });

  it('typed overloads: single input → one result, array → array', async () => {
    const one: Emotion = await predictEmotion(face, { weights });
    const many: Emotion[] = await predictEmotion([face], { weights });
    const c: Classification = await classifyEmotion(png, { weights });
    expect(typeof one).toBe('string');
    expect(Array.isArray(many)).toBe(true);
    expect(Array.isArray(c)).toBe(false);
  });
});

const shipped = new URL('../../weights/model.json', import.meta.url);
describe.skipIf(!existsSync(shipped))('shipped weights (skipped: weights/model.json is not there yet)', () => {
  it('load lazily once and predict an emotion', async () => {
    const a = await loadEmotionModel();
    const b = await loadEmotionModel();
    expect(a).toBe(b);
    const c = await classifyEmotion(png);
    expectValid(c);
    expect(EMOTIONS).toContain(await predictEmotion(pngPath, { tta: true }));
  });
});
