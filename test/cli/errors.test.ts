/**
 * Issue 13.6 (and the CLI side of 13.2): every failure is one line that names the file, row or
 * option and says what was expected — no raw ENOENT, no tfjs internals, no "ambiguous" for a
 * negative number, no "accuracy 0.00%" for an empty dataset.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvText, gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let model: string;
let face: string;
let data: string;

const STACK = /^\s+at .*:\d+:\d+\)?$/m;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  face = put(dir, 'face.png', png(gray(1)));
  data = put(dir, 'fer.csv', csvText(Array.from({ length: 8 }, (_, i) => ({ label: i % 2 ? 3 : 4, pixels: gray(i), usage: i < 6 ? 'Training' : 'PublicTest' }))));
});

/** One error line on stderr and no stack trace. */
function oneErrorLine(stderr: string): string {
  const errs = lines(stderr);
  expect(errs, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(STACK);
  return errs[0];
}

describe('CLI error messages', () => {
  it('--batch-size -1 says what is allowed (not "ambiguous")', async () => {
    const r = await runCli(['predict', face, '--weights', model, '--batch-size', '-1']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/--batch-size must be an integer ≥ 1, got "-1"/);
  });

  it('--lr 0 and --lr -1 say "must be a positive number"', async () => {
    for (const lr of ['0', '-1']) {
      const r = await runCli(['train', '--data', data, '--out', join(dir, 'lr'), '--lr', lr, '--workers', '0']);
      expect(r.code).toBe(2);
      const line = oneErrorLine(r.stderr);
      expect(line).toMatch(new RegExp(`--lr must be a positive number, got "${lr}"`));
      expect(line).not.toMatch(/5e-324/);
    }
  });

  it('a missing --config is "no such file" naming it, not a raw ENOENT', async () => {
    const cfg = join(dir, 'nope.json');
    const r = await runCli(['train', '--data', data, '--out', join(dir, 'nocfg'), '--config', cfg, '--workers', '0']);
    expect(r.code).toBe(1);
    const line = oneErrorLine(r.stderr);
    expect(line).toBe(`fer-cnn-lstm: ${cfg}: no such file`);
  });

  it('a --config whose model value has the wrong type names the key and the file', async () => {
    const cfg = put(dir, 'bad-model.json', JSON.stringify({ model: { filters: 32 } }));
    const r = await runCli(['train', '--data', data, '--out', join(dir, 'badcfg'), '--config', cfg, '--workers', '0']);
    expect(r.code).toBe(1);
    const line = oneErrorLine(r.stderr);
    expect(line).toContain(cfg);
    expect(line).toMatch(/"model\.filters" must be an array of numbers, got 32/);
    expect(line).not.toMatch(/is not a function/);
    const cfg2 = put(dir, 'bad-model2.json', JSON.stringify({ model: 'big' }));
    const r2 = await runCli(['train', '--data', data, '--out', join(dir, 'badcfg2'), '--config', cfg2, '--workers', '0']);
    expect(r2.code).toBe(1);
    expect(oneErrorLine(r2.stderr)).toMatch(/"model" must be an object/);
  });

  it('a model.json that is not a layers model names the file and says what was expected', async () => {
    const graph = join(dir, 'graph');
    put(dir, 'graph/model.json', JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    const other = join(dir, 'other');
    put(dir, 'other/model.json', JSON.stringify({ hello: 1 }));
    for (const w of [graph, other]) {
      const r = await runCli(['predict', face, '--weights', w]);
      expect(r.code).toBe(1);
      const line = oneErrorLine(r.stderr);
      expect(line).toContain(join(w, 'model.json'));
      expect(line).toMatch(/expected a tfjs layers model/);
      expect(line).not.toMatch(/reading 'model_config'|className/);
    }
  });

  it('weights of the right size but random bytes are rejected at load (no "NaN%")', async () => {
    const noisy = join(dir, 'noisy');
    await saveTinyModel(noisy);
    const bin = join(noisy, 'weights.bin');
    const bytes = readFileSync(bin);
    // float32 NaN patterns: the file keeps its size, every weight is NaN
    for (let i = 0; i + 3 < bytes.length; i += 4) bytes.writeUInt32LE(0x7fc00000 + (i % 1000), i);
    writeFileSync(bin, bytes);
    const r = await runCli(['predict', face, '--weights', noisy]);
    expect(r.stdout).not.toMatch(/NaN/);
    expect(r.code).toBe(1);
    const line = oneErrorLine(r.stderr);
    expect(line).toContain(noisy);
    expect(line).toMatch(/non-finite/);
  });

  it('--verbose shows the stack of a predict error; without it there is none', async () => {
    const bad = put(dir, 'broken.png', 'not an image');
    const quiet = await runCli(['predict', bad, '--weights', model]);
    expect(quiet.code).toBe(1);
    oneErrorLine(quiet.stderr);
    const loud = await runCli(['predict', bad, '--weights', model, '--verbose']);
    expect(loud.code).toBe(1);
    expect(loud.stderr).toMatch(/broken\.png: not a JPEG or PNG/);
    expect(loud.stderr).toMatch(STACK);
  });

  it('an empty file is "empty file", not "not a JPEG or PNG"', async () => {
    const empty = put(dir, 'empty.jpg', '');
    const r = await runCli(['predict', empty, '--weights', model]);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/empty\.jpg: empty file/);
  });

  it('evaluate on a header-only CSV or an empty folder is an error "no images in …", not accuracy 0.00%', async () => {
    const header = put(dir, 'header.csv', 'emotion,pixels,Usage\n');
    const r = await runCli(['evaluate', '--data', header, '--weights', model]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/accuracy/);
    expect(oneErrorLine(r.stderr)).toMatch(new RegExp(`no images in ${header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const emptyDir = join(dir, 'emptyset');
    put(dir, 'emptyset/happy/readme.txt', 'no images here');
    const r2 = await runCli(['evaluate', '--data', emptyDir, '--weights', model]);
    expect(r2.code).toBe(1);
    expect(oneErrorLine(r2.stderr)).toMatch(/no images in/);
  });

  it('a truncated optimizer.bin on train --resume names the file', async () => {
    const out = join(dir, 'run');
    const cfg = put(dir, 'tiny.json', JSON.stringify({ model: { filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 } }));
    let r = await runCli(['train', '--data', data, '--out', out, '--config', cfg, '--epochs', '1', '--workers', '0', '--batch-size', '4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const state = JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')) as { folder: string };
    const opt = join(out, state.folder, 'optimizer.bin');
    truncateSync(opt, 10);
    r = await runCli(['train', '--data', data, '--out', out, '--epochs', '2', '--resume', '--workers', '0', '--batch-size', '4']);
    expect(r.code).toBe(1);
    const line = oneErrorLine(r.stderr);
    expect(line).toContain(opt);
    expect(line).toMatch(/holds 10 bytes, expected \d+/);
  });
});
