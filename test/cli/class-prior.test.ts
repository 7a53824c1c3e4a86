/** `predict --class-prior` and `evaluate --class-prior` (the built CLI). */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let model: string;
let face: string;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  face = put(dir, 'flat/disgust/a.png', png(gray(5)));
  put(dir, 'flat/happy/b.png', png(gray(6)));
});

describe('--class-prior', () => {
  it('predict --class-prior uniform answers as classifyEmotion({ classPrior: "uniform" })', async () => {
    const r = await runCli(['predict', face, '--weights', model, '--json', '--class-prior', 'uniform']);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(lines(r.stdout)[0]) as { scores: Record<string, number> };
    const want = await classifyEmotion(face, { weights: model, classPrior: 'uniform' });
    const trained = await classifyEmotion(face, { weights: model });
    for (const e of EMOTIONS) expect(got.scores[e]).toBeCloseTo(want.scores[e], 4);
    expect(Math.abs(got.scores.Disgust - trained.scores.Disgust)).toBeGreaterThan(1e-3);
  });

  it('predict --class-prior 0.5 answers as classifyEmotion({ classPrior: 0.5 }), between training and uniform', async () => {
    const r = await runCli(['predict', face, '--weights', model, '--json', '--class-prior', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(lines(r.stdout)[0]) as { scores: Record<string, number> };
    const half = await classifyEmotion(face, { weights: model, classPrior: 0.5 });
    for (const [e, p] of Object.entries(half.scores)) expect(got.scores[e]).toBeCloseTo(p, 5);
  });

  it('evaluate --class-prior uniform runs; a bad value is one usage line', async () => {
    const ok = await runCli(['evaluate', '--data', join(dir, 'flat'), '--weights', model, '--json', '--class-prior', 'uniform']);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(['predict', face, '--weights', model, '--class-prior', 'balanced']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)[0]).toBe('fer-cnn-lstm: --class-prior must be training, uniform or a number in 0–1, got "balanced" (see --help)');
    const over = await runCli(['predict', face, '--weights', model, '--class-prior', '1.5']);
    expect(over.code).toBe(2);
    expect(lines(over.stderr)[0]).toMatch(/--class-prior must be training, uniform or a number in 0–1, got "1\.5"/);
  });
});
