/**
 * The class prior at inference: 'uniform' divides each probability by its class's FER-2013
 * training frequency and renormalises; classifyEmotion, evaluate() and the CLI take it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS } from '../../src/emotions.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { applyPrior, FER2013_TRAIN_COUNTS, priorFactors } from '../../src/inference/prior.js';

let dir: string;
let weights: string;
const image = () => {
  const px = new Uint8Array(48 * 48);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + (i >> 4) * 11) % 256;
  return { width: 48, height: 48, data: px, channels: 1 as const };
};
const counts = EMOTIONS.map((e) => FER2013_TRAIN_COUNTS[e]);

beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-prior-'));
  weights = join(dir, 'model');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  await saveModel(model, weights);
  model.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('class prior', () => {
  it('uniform: each probability divided by its training count, renormalised', () => {
    expect(counts).toEqual([3995, 436, 4097, 7215, 4830, 3171, 4965]);
    const p = Float32Array.from([0.1, 0.1, 0.1, 0.3, 0.2, 0.1, 0.1]);
    const want = Array.from(p, (v, j) => v / counts[j]);
    const z = want.reduce((a, b) => a + b, 0);
    const got = applyPrior(Float32Array.from(p), 7, priorFactors('uniform', EMOTIONS));
    want.forEach((v, j) => expect(got[j]).toBeCloseTo(v / z, 6));
    expect(priorFactors('training', EMOTIONS)).toBeUndefined();
    expect(priorFactors(undefined, EMOTIONS)).toBeUndefined();
    // τ = 1 is uniform; an array is the expected frequency of each class
    expect(Array.from(priorFactors(1, EMOTIONS)!)).toEqual(Array.from(priorFactors('uniform', EMOTIONS)!));
    Array.from(priorFactors([1, 1, 1, 1, 1, 1, 1], EMOTIONS)!).forEach((f, j) => expect(f * counts[j]).toBeCloseTo(1, 12));
  });

  it('refuses a malformed prior, or one for classes whose training frequencies are unknown', () => {
    expect(() => priorFactors('balanced' as never, EMOTIONS)).toThrow(`classPrior must be 'training', 'uniform', a number in 0–1 or 7 positive numbers, got "balanced"`);
    expect(() => priorFactors([1, 2], EMOTIONS)).toThrow(/got \[1,2\]/);
    expect(() => priorFactors(1.5, EMOTIONS)).toThrow(/got 1.5/);
    expect(() => priorFactors('uniform', ['calm', 'tense'])).toThrow('classPrior "uniform" needs the training class frequencies, known only for the 7 FER-2013 emotions in their order (got classes calm, tense)');
  });

  it('classifyEmotion({ classPrior: "uniform" }) re-weights the training answer', async () => {
    const trained = await classifyEmotion(image(), { weights });
    const uniform = await classifyEmotion(image(), { weights, classPrior: 'uniform' });
    const want = EMOTIONS.map((e, j) => trained.scores[e] / counts[j]);
    const z = want.reduce((a, b) => a + b, 0);
    EMOTIONS.forEach((e, j) => expect(uniform.scores[e]).toBeCloseTo(want[j] / z, 6));
    expect(uniform.scores.Disgust).toBeGreaterThan(trained.scores.Disgust); // the rarest class gains most
    expect(uniform.confidence).toBe(Math.max(...Object.values(uniform.scores)));
    const explicit = await classifyEmotion(image(), { weights, classPrior: 'training' });
    expect(explicit.scores).toEqual(trained.scores);
  });

  it('evaluate() scores with the prior it is given', async () => {
    const n = 6;
    const px = new Uint8Array(n * 48 * 48);
    for (let i = 0; i < n; i++) px.set(image().data.map((v) => (v + 40 * i) % 256), i * 48 * 48);
    const data = new FerDataset({ images: px, labels: new Uint8Array(n).fill(1), classes: EMOTIONS, size: 48 });
    const { loadModel } = await import('../../src/model/io.js');
    const model = await loadModel(weights);
    const plain = await evaluate(model, data);
    // a prior that expects almost only Disgust: every image is called Disgust, all right
    const disgust = await evaluate(model, data, { classPrior: [1e-6, 1, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6] });
    expect(disgust.accuracy).toBe(1);
    expect(plain.accuracy).toBeLessThan(1);
    model.dispose();
  });
});
