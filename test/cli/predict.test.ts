import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { gray, jpg, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let model: string;
let a: string, b: string, bad: string;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  a = put(dir, 'faces/a.png', png(gray(1)));
  b = put(dir, 'faces/b.jpg', jpg(gray(2)));
  bad = put(dir, 'faces/broken.png', 'this is not an image');
});

describe('fer-cnn-lstm predict', () => {
  it('--json prints one object per image with file, emotion, confidence and scores summing to 1', async () => {
    const r = await runCli(['predict', a, b, '--weights', model, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout).map((l) => JSON.parse(l));
    expect(out.map((o) => o.file)).toEqual([a, b]);
    for (const o of out) {
      expect(Object.keys(o).sort()).toEqual(['confidence', 'emotion', 'file', 'scores']);
      expect(EMOTIONS).toContain(o.emotion);
      expect(Object.keys(o.scores)).toEqual([...EMOTIONS]);
      const sum = Object.values(o.scores as Record<string, number>).reduce((x, y) => x + y, 0);
      expect(sum).toBeCloseTo(1, 5);
      expect(o.confidence).toBe(Math.max(...Object.values(o.scores as Record<string, number>)));
      expect(o.scores[o.emotion]).toBe(o.confidence);
    }
  });

  it('keeps stdout and stderr free of the tfjs banner on the cpu backend', async () => {
    const r = await runCli(['predict', a, '--weights', model, '--json', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toHaveLength(1);
    expect(JSON.parse(r.stdout).file).toBe(a);
  });

  it('prints a readable line per image without --json, and --tta works', async () => {
    const r = await runCli(['predict', a, '--weights', model, '--tta']);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(new RegExp(`^${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (${EMOTIONS.join('|')}) \\d+\\.\\d%`));
  });

  it('answers the good files of a batch and reports each bad one on its own stderr line', async () => {
    const missing = join(dir, 'faces/missing.png');
    const r = await runCli(['predict', a, bad, missing, b, '--weights', model, '--json']);
    expect(r.code).not.toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l).file)).toEqual([a, b]);
    const errs = lines(r.stderr);
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(/^fer-cnn-lstm: .*broken\.png: /);
    expect(errs[1]).toMatch(/^fer-cnn-lstm: .*missing\.png: no such file/);
    expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m); // no stack trace
  });

  it('fails with one line for a missing path', async () => {
    const r = await runCli(['predict', join(dir, 'nope.jpg'), '--weights', model]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${join(dir, 'nope.jpg')}: no such file`]);
  });

  it('rejects weights of another input shape, another output shape, or a corrupt model.json', async () => {
    const small = await saveTinyModel(join(dir, 'model32'), { inputSize: 32 });
    const five = await saveTinyModel(join(dir, 'model5'), { numClasses: 5 });
    const corrupt = join(dir, 'corrupt');
    put(dir, 'corrupt/model.json', '{"modelTopology": ');
    for (const [weights, problem] of [[small, /input \[null, 32, 32, 1\].*expected \[null, 48, 48, 1\]/], [five, /outputs \[null, 5\].*expected \[null, 7\]/], [corrupt, /model\.json/]] as const) {
      const r = await runCli(['predict', a, '--weights', weights]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const errs = lines(r.stderr);
      expect(errs).toHaveLength(1);
      expect(errs[0]).toContain(`fer-cnn-lstm: ${weights}`);
      expect(errs[0]).toMatch(problem);
    }
  });

  it('is a usage error (exit 2) without images', async () => {
    const r = await runCli(['predict', '--weights', model]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/at least one image/);
  });
});
