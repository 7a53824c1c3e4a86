/**
 * predict/evaluate --variant: `accurate` runs the shipped deeper model with its flip TTA, exactly
 * what `--weights weights/accurate --tta` runs; bad values and --weights are usage errors.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvText, gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

const accurate = resolve('weights', 'accurate');
const hasAccurate = existsSync(join(accurate, 'model.json'));
let dir: string;
let model: string;
let face: string;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  face = put(dir, 'face.png', png(gray(3)));
});

describe('--variant', () => {
  it('bad values and --weights are usage errors', async () => {
    const bad = await runCli(['predict', face, '--variant', 'fastest']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--variant must be default or accurate, got "fastest"/);
    const both = await runCli(['predict', face, '--variant', 'accurate', '--weights', model]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--variant selects one of the shipped models: it cannot be combined with --weights/);
    const contradiction = await runCli(['predict', face, '--weights', model, '--tta', '--no-tta']);
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toMatch(/--tta and --no-tta contradict each other/);
  });

  it('own weights run one view unless --tta asks for the mirror', async () => {
    const plain = await runCli(['predict', face, '--weights', model, '--json']);
    const off = await runCli(['predict', face, '--weights', model, '--no-tta', '--json']);
    const flip = await runCli(['predict', face, '--weights', model, '--tta', '--json']);
    expect(JSON.parse(off.stdout).scores).toEqual(JSON.parse(plain.stdout).scores);
    expect(JSON.parse(flip.stdout).scores).not.toEqual(JSON.parse(plain.stdout).scores);
  });

  it.skipIf(!hasAccurate)('--no-tta runs the accurate variant on one view', async () => {
    const a = await runCli(['predict', face, '--variant', 'accurate', '--no-tta', '--json']);
    const plain = await runCli(['predict', face, '--weights', accurate, '--json']);
    expect(JSON.parse(a.stdout).scores).toEqual(JSON.parse(plain.stdout).scores);
  });

  it.skipIf(!hasAccurate)('predict --variant accurate is --weights weights/accurate --tta (also with --precision)', async () => {
    const a = await runCli(['predict', face, '--variant', 'accurate', '--json']);
    expect(a.stderr).toBe('');
    const b = await runCli(['predict', face, '--weights', accurate, '--tta', '--json']);
    const plain = await runCli(['predict', face, '--weights', accurate, '--json']);
    expect(JSON.parse(a.stdout).scores).toEqual(JSON.parse(b.stdout).scores);
    expect(JSON.parse(a.stdout).scores).not.toEqual(JSON.parse(plain.stdout).scores);
    const q = await runCli(['predict', face, '--variant', 'accurate', '--precision', 'uint8', '--json']);
    const qb = await runCli(['predict', face, '--weights', join(accurate, 'uint8'), '--tta', '--json']);
    expect(JSON.parse(q.stdout).scores).toEqual(JSON.parse(qb.stdout).scores);
  });

  it.skipIf(!hasAccurate)('evaluate --variant accurate scores the accurate model with flip TTA', async () => {
    const csv = put(dir, 'fer.csv', csvText(Array.from({ length: 6 }, (_, i) => ({ label: i % 7, pixels: gray(i), usage: 'PublicTest' }))));
    const a = await runCli(['evaluate', '--data', csv, '--variant', 'accurate', '--json']);
    expect(a.code).toBe(0);
    const b = await runCli(['evaluate', '--data', csv, '--weights', accurate, '--tta', '--json']);
    expect(JSON.parse(lines(a.stdout).at(-1)!)).toEqual(JSON.parse(lines(b.stdout).at(-1)!));
  });
});
