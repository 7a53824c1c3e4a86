/**
 * Issue 13.1 (CLI): `train` on data without a separate PublicTest split holds out a stratified
 * 10% and says so; `--val-split <fraction>` chooses the fraction; a validation split that is the
 * training data is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { csvText, gray, put, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let publicOnly: string;
let cfg: string;
const LIGHT = ['--workers', '0', '--batch-size', '8', '--epochs', '1'];

beforeAll(() => {
  dir = tempDir();
  // no Training rows: before issue 13 this trained on PublicTest and validated on the same images
  publicOnly = put(dir, 'public.csv', csvText(Array.from({ length: 20 }, (_, i) => ({ label: i % 2 ? 3 : 4, pixels: gray(i), usage: 'PublicTest' }))));
  cfg = put(dir, 'tiny.json', JSON.stringify({ model: { filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 } }));
});

describe('fer-cnn-lstm train validation data', () => {
  it('holds out a stratified 10% when there is no separate PublicTest split, and says so', async () => {
    const r = await runCli(['train', '--data', publicOnly, '--out', join(dir, 'a'), '--config', cfg, ...LIGHT]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toBe('validating on a stratified 10% of the training images (2 of 20) (no PublicTest split found)');
    expect(r.stdout).toMatch(/val_acc/);
  });

  it('--val-split 0.25 holds out 25%; --val-split PublicTest on PublicTest-only data is refused', async () => {
    const r = await runCli(['train', '--data', publicOnly, '--out', join(dir, 'b'), '--config', cfg, '--val-split', '0.25', '--json', ...LIGHT]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/validating on a stratified 25% of the training images \(6 of 20\)/);
    const bad = await runCli(['train', '--data', publicOnly, '--out', join(dir, 'c'), '--config', cfg, '--val-split', 'PublicTest', ...LIGHT]);
    expect(bad.code).toBe(1);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toMatch(/public\.csv: the validation split PublicTest is also the training data/);
    const range = await runCli(['train', '--data', publicOnly, '--out', join(dir, 'd'), '--val-split', '1.5', ...LIGHT]);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--val-split must be a fraction between 0 and 1/);
  });
});
