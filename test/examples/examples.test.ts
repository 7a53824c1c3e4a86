/**
 * Runs every example in `examples/` as a child process (through tsx, as `npx tsx examples/x.ts`
 * would) and checks its exit code and output. The examples that need the shipped weights run with
 * them when `weights/model.json` exists; they also run with a small model of our own passed as
 * their `[model-folder]` argument, so that they are checked either way.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS } from '../../src/emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HAS_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json'));
const TIMEOUT = 180_000;

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs `examples/<name>.ts` with tsx and collects its output. */
function runExample(name: string, args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', `${name}.ts`), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** Fails with the example's output (trimmed) when it did not exit with 0. */
function expectSuccess(r: Run): void {
  if (r.code !== 0) throw new Error(`exit code ${r.code}\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-2000)}`);
}

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

let dir: string;
let tinyModel: string;

beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-examples-'));
  tinyModel = join(dir, 'tiny');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  await saveModel(model, tinyModel);
  model.dispose();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('examples with a model folder of our own', () => {
  it('predict.ts prints the emotion, confidence and scores', async () => checkPredict(await runExample('predict', [tinyModel])), TIMEOUT);
  it('evaluate-csv.ts prints the evaluate() result', async () => checkEvaluate(await runExample('evaluate-csv', [tinyModel])), TIMEOUT);
  it('stream.ts prints raw and smoothed labels for every frame', async () => checkStream(await runExample('stream', [tinyModel])), TIMEOUT);
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
    const full = join(dir, 'full');
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
