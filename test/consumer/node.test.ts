/**
 * The package in a Node app: `npm pack`, the tarball installed into a fresh app in a temp folder,
 * then what a Node user runs — the `bin` (one image with the shipped weights; a folder on 2 worker
 * threads; an epoch of training on 2 gradient workers), and the library through `import` and
 * `require`, which must agree with the repository's own answer. The CLI and the workers are
 * CommonJS files of their own (tsup.config.ts), so this is where a worker entry missing from the
 * package would show.
 *
 * Needs `npm run build` first (skipped with a message otherwise).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../browser/helpers.js';
import { installTarball, missingBuild, npmPack } from './consumer.js';

const run = promisify(execFile);
const IMAGE = join(REPO, 'examples', 'images', 'astronaut-face.png');

const skip = missingBuild();
if (skip) console.warn(`[consumer node] skipped: ${skip}`);

describe.skipIf(skip !== undefined)(skip ? `consumer Node app — SKIPPED: ${skip}` : 'a fresh Node app that installs the packed tarball', () => {
  let tmp: string;
  let app: string;
  let bin: string;

  /** Runs `node <args>` in the app folder. */
  const node = (args: string[]) => run(process.execPath, args, { cwd: app, env: { ...process.env, NODE_OPTIONS: '', FER_CNN_LSTM_CACHE: join(tmp, 'cache') } });

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-consumer-node-'));
    const packed = await npmPack({ destination: tmp });
    app = join(tmp, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-node-app', private: true }, null, 2));
    await installTarball(join(tmp, packed.filename), app);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'fer-cnn-lstm', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    bin = join(app, 'node_modules', 'fer-cnn-lstm', pkg.bin['fer-cnn-lstm']);
    cpSync(IMAGE, join(app, 'photos', 'face.png'), { recursive: true });
    cpSync(IMAGE, join(app, 'photos', 'face-copy.png'));
    for (const [i, e] of ['happy', 'sad', 'happy', 'sad'].entries()) {
      cpSync(IMAGE, join(app, 'faces', 'train', e, `Training_${i}.png`), { recursive: true });
      cpSync(IMAGE, join(app, 'faces', 'test', e, `PublicTest_${i}.png`), { recursive: true });
    }
  }, 120_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the bin answers one image with the shipped weights, as import() and require() of the library do', async () => {
    const cli = JSON.parse((await node([bin, 'predict', join(app, 'photos', 'face.png'), '--json'])).stdout) as { emotion: string; confidence: number };
    const script = (get: string) => `const { classifyEmotion } = ${get};
      classifyEmotion(${JSON.stringify(join(app, 'photos', 'face.png'))}).then((r) => console.log(JSON.stringify(r)));`;
    const esm = JSON.parse((await node(['--input-type=module', '-e', script("await import('fer-cnn-lstm')")])).stdout) as typeof cli;
    const cjs = JSON.parse((await node(['-e', script("require('fer-cnn-lstm')")])).stdout) as typeof cli;
    const { classifyEmotion } = await import('../../src/index.js');
    const here = await classifyEmotion(IMAGE);
    for (const r of [cli, esm, cjs]) {
      expect(r.emotion).toBe(here.emotion);
      expect(r.confidence).toBeCloseTo(here.confidence, 5);
    }
  }, 120_000);

  it('detects the face of a full photo with the detector shipped in the package (@vladmandic/human not installed)', async () => {
    const photo = join(REPO, 'examples', 'images', 'astronaut.png');
    const script = `let human = 'installed';
      try { require.resolve('@vladmandic/human'); } catch { human = 'absent'; }
      const { detectEmotions } = require('fer-cnn-lstm');
      detectEmotions(${JSON.stringify(photo)}).then((faces) => console.log(JSON.stringify({ human, faces: faces.map((f) => f.box) })));`;
    const r = JSON.parse((await node(['-e', script])).stdout) as { human: string; faces: { x: number; width: number }[] };
    expect(r.human).toBe('absent');
    expect(r.faces).toHaveLength(1);
    // the astronaut's face box lies inside its reference crop x 162–291
    expect(r.faces[0].x).toBeGreaterThan(162);
    expect(r.faces[0].x + r.faces[0].width).toBeLessThan(292);
  }, 120_000);

  it("the library's TensorFlow.js is the app's own (one engine, through import and require alike)", async () => {
    const esm = `import * as tf from '@tensorflow/tfjs-core';
      const { tf: ours } = await import('fer-cnn-lstm/model');
      console.log(JSON.stringify({ same: ours.engine() === tf.engine(), version: ours.version_core }));`;
    const cjs = `const tf = require('@tensorflow/tfjs-core'); const { tf: ours } = require('fer-cnn-lstm/model');
      console.log(JSON.stringify({ same: ours.engine() === tf.engine(), version: ours.version_core }));`;
    for (const r of [await node(['--input-type=module', '-e', esm]), await node(['-e', cjs])]) {
      expect(JSON.parse(r.stdout)).toEqual({ same: true, version: expect.stringMatching(/^4\./) });
    }
  }, 120_000);

  it('the bin classifies a folder on 2 worker threads (the batch worker ships)', async () => {
    const out = join(app, 'r.jsonl');
    await node([bin, 'predict', join(app, 'photos'), '--workers', '2', '--out', out]);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; emotion: string });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === 'ok' && r.emotion === rows[0].emotion)).toBe(true);
  }, 120_000);

  it('the bin trains an epoch on 2 gradient workers (the training worker ships)', async () => {
    const out = join(app, 'run');
    const model = JSON.stringify({ model: { filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 } });
    writeFileSync(join(app, 'tiny.json'), model);
    await node([bin, 'train', '--data', join(app, 'faces'), '--out', out, '--config', join(app, 'tiny.json'), '--epochs', '1', '--workers', '2', '--batch-size', '4']);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { epoch: number; loss: number }[];
    expect(history.map((h) => h.epoch)).toEqual([1]);
    expect(Number.isFinite(history[0].loss)).toBe(true);
  }, 180_000);
});
