import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { csvText, gray, jpg, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let model: string;

/** The last stdout line, parsed. */
function lastJson(stdout: string): Record<string, unknown> & { count: number; accuracy: number; macroF1: number; confusion: number[][]; perClass: Record<string, { support: number }> } {
  const all = lines(stdout);
  return JSON.parse(all[all.length - 1]);
}

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  // a plain folder of emotion folders (no split information: all of it is evaluated)
  put(dir, 'flat/happy/a.png', png(gray(1)));
  put(dir, 'flat/Happy/../happy/b.jpg', jpg(gray(2)));
  put(dir, 'flat/sad/c.png', png(gray(3)));
  put(dir, 'flat/neutral/d.png', png(gray(4)));
  // the Kaggle layout: train/ and test/
  for (let i = 0; i < 4; i++) put(dir, `kaggle/train/angry/Training_${i}.png`, png(gray(10 + i)));
  for (let i = 0; i < 3; i++) put(dir, `kaggle/test/fear/PublicTest_${i}.png`, png(gray(20 + i)));
  put(dir, 'kaggle/test/surprise/PrivateTest_0.png', png(gray(30)));
  put(dir, 'data.csv', csvText([
    { label: 3, pixels: gray(1), usage: 'Training' },
    { label: 4, pixels: gray(2), usage: 'PublicTest' },
    { label: 6, pixels: gray(3), usage: 'PrivateTest' },
    { label: 0, pixels: gray(4), usage: 'PublicTest' },
  ]));
});

describe('fer-cnn-lstm evaluate', () => {
  it('--json: the last line is the evaluate() object for a folder of emotion folders', async () => {
    const r = await runCli(['evaluate', '--data', join(dir, 'flat'), '--weights', model, '--json']);
    expect(r.code).toBe(0);
    const res = lastJson(r.stdout);
    expect(Object.keys(res).sort()).toEqual(['accuracy', 'confusion', 'count', 'macroF1', 'perClass']);
    expect(res.count).toBe(4);
    expect(Object.keys(res.perClass)).toEqual([...EMOTIONS]);
    expect(res.perClass.Happy.support).toBe(2);
    expect(res.perClass.Sad.support).toBe(1);
    expect(res.confusion).toHaveLength(7);
    expect(res.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(res.accuracy).toBeGreaterThanOrEqual(0);
    expect(res.accuracy).toBeLessThanOrEqual(1);
  });

  it('evaluates the test split by default, and --split picks another', async () => {
    const r = await runCli(['evaluate', '--data', join(dir, 'kaggle'), '--weights', model, '--json']);
    expect(r.code).toBe(0);
    const res = lastJson(r.stdout);
    expect(res.count).toBe(4);
    expect(res.perClass.Fear.support).toBe(3);
    expect(res.perClass.Surprise.support).toBe(1);
    const pub = lastJson((await runCli(['evaluate', '--data', join(dir, 'kaggle'), '--weights', model, '--json', '--split', 'PublicTest'])).stdout);
    expect(pub.count).toBe(3);
    const tr = lastJson((await runCli(['evaluate', '--data', join(dir, 'kaggle'), '--weights', model, '--json', '--split', 'train', '--tta'])).stdout);
    expect(tr.count).toBe(4);
    expect(tr.perClass.Angry.support).toBe(4);
  });

  it('reads a CSV (.csv): the test rows by default', async () => {
    const r = await runCli(['evaluate', '--data', join(dir, 'data.csv'), '--weights', model, '--json']);
    expect(r.code).toBe(0);
    const res = lastJson(r.stdout);
    expect(res.count).toBe(3);
    expect(res.perClass.Sad.support + res.perClass.Neutral.support + res.perClass.Angry.support).toBe(3);
  });

  it('prints a readable table without --json', async () => {
    const r = await runCli(['evaluate', '--data', join(dir, 'data.csv'), '--weights', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/accuracy\s+\d+\.\d\d%/);
    expect(r.stdout).toMatch(/macro-F1\s+\d\.\d{4}/);
    expect(r.stdout).toMatch(/precision\s+recall\s+F1\s+support/);
    expect(r.stdout).toMatch(/confusion matrix/);
    for (const e of EMOTIONS) expect(r.stdout).toContain(e);
  });

  it('names the file and row of a CSV row with the wrong number of pixels, or a bad label', async () => {
    const short = put(dir, 'short.csv', csvText([
      { label: 3, pixels: gray(1), usage: 'PublicTest' },
      { label: 4, pixels: gray(2).subarray(0, 2000), usage: 'PublicTest' },
    ]));
    let r = await runCli(['evaluate', '--data', short, '--weights', model, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${short}, row 3: expected 2304 pixels (48×48), got 2000`]);
    const label = put(dir, 'label.csv', csvText([{ label: 9, pixels: gray(1), usage: 'PublicTest' }]));
    r = await runCli(['evaluate', '--data', label, '--weights', model]);
    expect(r.code).toBe(1);
    const errs = lines(r.stderr);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(new RegExp(`^fer-cnn-lstm: ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, row 2: .*label`));
  });

  it('names an unknown emotion folder', async () => {
    put(dir, 'odd/happy/a.png', png(gray(1)));
    put(dir, 'odd/bored/b.png', png(gray(2)));
    const r = await runCli(['evaluate', '--data', join(dir, 'odd'), '--weights', model]);
    expect(r.code).toBe(1);
    const errs = lines(r.stderr);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^fer-cnn-lstm: .*odd\/bored: unknown emotion folder "bored"/);
  });

  it('names a corrupt image in the data folder, and a missing --data path', async () => {
    put(dir, 'corrupt/happy/a.png', png(gray(1)));
    put(dir, 'corrupt/happy/b.png', 'garbage');
    let r = await runCli(['evaluate', '--data', join(dir, 'corrupt'), '--weights', model]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^fer-cnn-lstm: .*b\.png: /);
    r = await runCli(['evaluate', '--data', join(dir, 'absent'), '--weights', model]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${join(dir, 'absent')}: no such folder`]);
  });

  it('fails on an empty requested split and is a usage error without --data', async () => {
    let r = await runCli(['evaluate', '--data', join(dir, 'kaggle'), '--weights', model, '--split', 'PrivateTest', '--json']);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).count).toBe(1);
    r = await runCli(['evaluate', '--data', join(dir, 'flat'), '--weights', model, '--split', 'PublicTest']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no images in split "PublicTest"/);
    r = await runCli(['evaluate', '--weights', model]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data is required/);
  });
});
