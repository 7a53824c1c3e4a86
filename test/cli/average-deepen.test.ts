/**
 * The CLI verbs around training runs: `train --keep-epochs`, `average` and `deepen`, with the built
 * CLI on a generated folder dataset and tiny models.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { loadModel, saveModel } from '../../src/model/io.js';
import { TINY_MODEL, writeTinyFer } from '../training/recipe-fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let data: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fer-cli-average-'));
  data = writeTinyFer(join(dir, 'fer'), 2);
  await setBackend('wasm');
  for (const [name, seed, filters] of [['m1', 1, [4, 8]], ['m2', 2, [4, 8]], ['other', 3, [4, 6]]] as const) {
    const m = buildCnnLstm({ ...TINY_MODEL, filters: [...filters], convsPerBlock: 1, seed });
    await saveModel(m, join(dir, name));
    m.dispose();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train --keep-epochs', () => {
  it('keeps epoch-1 and epoch-2 of a 3-epoch run', async () => {
    const config = join(dir, 'tiny.json');
    writeFileSync(config, JSON.stringify({ model: { ...TINY_MODEL, convsPerBlock: 1 }, batchSize: 16 }));
    const out = join(dir, 'run');
    const r = await runCli(['train', '--data', data, '--out', out, '--config', config, '--epochs', '3', '--workers', '0', '--keep-epochs', '1,2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).filter((e) => e.startsWith('epoch-')).sort()).toEqual(['epoch-1', 'epoch-2', 'epoch-3']);
  }, 60_000);

  it.each([
    [['--keep-epochs', '4'], '--keep-epochs: 4 is not an epoch of this run (integers 1 to 3)'],
    [['--keep-epochs', '1,x'], '--keep-epochs must be epoch numbers separated by commas (e.g. 11,12), got "1,x"'],
  ])('refuses %j with a usage error', async (flags, message) => {
    const r = await runCli(['train', '--data', data, '--out', join(dir, 'bad'), '--epochs', '3', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  }, 30_000);
});

describe('average', () => {
  it('writes the weight average of the models, naming them in its metadata', async () => {
    const out = join(dir, 'avg');
    const r = await runCli(['average', '--out', out, join(dir, 'm1'), join(dir, 'm2')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(lines(r.stdout).pop()!)).toEqual({ out, averageOf: [join(dir, 'm1'), join(dir, 'm2')] });
    const [a, b, avg] = await Promise.all(['m1', 'm2', 'avg'].map((f) => loadModel(join(dir, f))));
    const [wa, wb, wv] = [a, b, avg].map((m) => m.getLayer('stem_conv').getWeights()[0].dataSync());
    for (let i = 0; i < wa.length; i++) expect(wv[i]).toBeCloseTo((wa[i] + wb[i]) / 2, 6);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.averageOf).toHaveLength(2);
    for (const m of [a, b, avg]) m.dispose();
  }, 30_000);

  it('refuses models of another architecture with one line naming it, and a single model', async () => {
    const r = await runCli(['average', '--out', join(dir, 'x'), join(dir, 'm1'), join(dir, 'other')]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${join(dir, 'other')}: not the architecture of ${join(dir, 'm1')} (its layers or weight shapes differ)`]);
    const one = await runCli(['average', '--out', join(dir, 'x'), join(dir, 'm1')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('name at least 2 models to average (got 1)');
  }, 30_000);
});

describe('deepen', () => {
  it('writes a deeper model that answers as the source does', async () => {
    const out = join(dir, 'deep');
    const r = await runCli(['deepen', '--from', join(dir, 'm1'), '--convs', '1,2', '--model', JSON.stringify(TINY_MODEL), '--data', data, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^added block2_conv2, block2_conv2_bn; on 14 training images the largest probability difference is /);
    const [src, deep] = await Promise.all([loadModel(join(dir, 'm1')), loadModel(out)]);
    expect(deep.layers.length).toBe(src.layers.length + 3);
    src.dispose();
    deep.dispose();
  }, 30_000);

  it('refuses options that describe another architecture with one line', async () => {
    const r = await runCli(['deepen', '--from', join(dir, 'm1'), '--convs', '2', '--data', data, '--out', join(dir, 'deep2')]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^fer-cnn-lstm: .*m1: layer \w+ has weights .* in the source but .* in the deeper model: only the number of convolutions may differ/);
  }, 30_000);
});
