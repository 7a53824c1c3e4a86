/**
 * Runs every example in `examples/` as a child process (through tsx, as `npx tsx examples/x.ts`
 * would) and checks its exit code and output. The examples that need the shipped weights run with
 * them when `weights/model.json` exists; they also run with a small model of our own passed as
 * their `[model-folder]` argument, so that they are checked either way.
 */
import { join, dirname } from 'node:path';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';
import { describe, expect, it } from 'vitest';
import { expectSuccess, HAS_WEIGHTS, runExample, TIMEOUT, useTinyModel, type Run } from './harness.js';
import { EMOTIONS } from '../../src/emotions.js';

const EMOTION_RE = `(${EMOTIONS.join('|')})`;

function checkPredict(r: Run): void {
  expectSuccess(r);
  expect(r.stdout).toMatch(new RegExp(`^emotion: ${EMOTION_RE}$`, 'm'));
  expect(r.stdout).toMatch(/^confidence: (0\.\d{3}|1\.000)$/m);
  for (const e of EMOTIONS) expect(r.stdout).toMatch(new RegExp(`^ {2}${e} +\\d\\.\\d{3}`, 'm'));
}

function checkEvaluate(r: Run): void {
  expectSuccess(r);
  expect(r.stdout).toContain('loaded 12 images');
  expect(r.stdout).toContain('evaluate() on PublicTest:');
  expect(r.stdout).toMatch(/accuracy: (0|1|0\.\d+)/);
  expect(r.stdout).toContain('count: 8');
  expect(r.stdout).toContain('confusion:');
}

function checkStream(r: Run): void {
  expectSuccess(r);
  const frames = [...r.stdout.matchAll(new RegExp(`^frame +(\\d+): raw ${EMOTION_RE} +\\d\\.\\d\\d +smoothed ${EMOTION_RE} +\\d\\.\\d\\d$`, 'gm'))];
  expect(frames.map((m) => Number(m[1]))).toEqual(Array.from({ length: 12 }, (_, i) => i));
}

function checkFineTune(r: Run): void {
  expectSuccess(r);
  expect(r.stdout).toContain('dataset: 32 images');
  expect(r.stdout).toContain('Contempt: 4');
  expect(r.stdout).toContain('history:');
  expect(r.stdout).toMatch(/│ 0 +│ 1 +│ [\d.]+ +│/);
  expect(r.stdout).toMatch(/│ 1 +│ 2 +│ [\d.]+ +│/);
}

const tinyModel = useTinyModel();

describe('examples with a model folder of our own', () => {
  it('predict.ts prints the emotion, confidence and scores', async () => checkPredict(await runExample('predict', [tinyModel()])), TIMEOUT);
  it('evaluate-csv.ts prints the evaluate() result', async () => checkEvaluate(await runExample('evaluate-csv', [tinyModel()])), TIMEOUT);
  it('stream.ts prints raw and smoothed labels for every frame', async () => checkStream(await runExample('stream', [tinyModel()])), TIMEOUT);
});

describe('fine-tune.ts', () => {
  it(`fine-tunes ${HAS_WEIGHTS ? 'the shipped weights' : 'from scratch (no shipped weights)'} into 8 classes`, async () => {
    const r = await runExample('fine-tune');
    checkFineTune(r);
    if (HAS_WEIGHTS) {
      expect(r.stdout).toMatch(/copied [1-9]\d* pretrained layers; frozen: [1-9]\d* convolution and batch-norm layers/);
    } else {
      expect(r.stdout).toContain('no shipped weights');
    }
  }, TIMEOUT);

  it.skipIf(HAS_WEIGHTS)('copies and freezes pretrained layers from a model folder (the shipped weights are absent)', async () => {
    const full = join(dirname(tinyModel()), 'full');
    const model = buildCnnLstm({ seed: 3 }); // the shipped architecture
    await saveModel(model, full);
    const r = await runExample('fine-tune', [full]);
    checkFineTune(r);
    // every layer with weights but the classifier is copied; the fixed input layers and the conv blocks end up frozen
    const withWeights = model.layers.filter((l) => l.weights.length > 0);
    const frozen = withWeights.filter((l) => !l.trainable || /^block\d+_/.test(l.name)).length;
    expect(r.stdout).toContain(`copied ${withWeights.length - 1} pretrained layers; frozen: ${frozen} convolution and batch-norm layers`);
    expect(r.stdout).toContain('trainable weights: 7'); // LSTM (3) + dense (2) + new classifier (2)
  }, TIMEOUT);
});

describe.skipIf(!HAS_WEIGHTS)(HAS_WEIGHTS ? 'examples with the shipped weights' : 'examples with the shipped weights (skipped: weights/model.json is absent)', () => {
  it('predict.ts', async () => checkPredict(await runExample('predict')), TIMEOUT);
  it('evaluate-csv.ts', async () => checkEvaluate(await runExample('evaluate-csv')), TIMEOUT);
  it('stream.ts', async () => checkStream(await runExample('stream')), TIMEOUT);
});

describe.skipIf(HAS_WEIGHTS)('examples without the shipped weights', () => {
  it.each(['predict', 'evaluate-csv', 'stream'])('%s.ts exits with 1 and says the weights are missing', async (name) => {
    const r = await runExample(name);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The shipped weights (weights/model.json) are missing');
  }, TIMEOUT);
});
