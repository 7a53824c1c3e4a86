import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plotCommand } from '../../../src/cli/commands/plot.js';
import { UsageError } from '../../../src/cli/args.js';
import { SourceError } from '../../../src/cli/errors.js';
import { parseXml } from '../../viz/xml.js';
import { csvText, gray, put, saveTinyModel, tempDir } from '../fixtures.js';

const evaluation = {
  accuracy: 0.6, macroF1: 0.5, count: 10,
  perClass: { a: { precision: 1, recall: 1, f1: 1, support: 5 }, b: { precision: 0.5, recall: 0.2, f1: 0.3, support: 5 } },
  confusion: [[5, 0], [4, 1]],
};

const epochs = [1, 2, 3].map((epoch) => ({ epoch, loss: 2 / epoch, accuracy: 0.2 * epoch, valLoss: 2.1 / epoch, valAccuracy: 0.18 * epoch, learningRate: 1e-3, seconds: 1, imagesPerSecond: 10 }));

describe('plot command', () => {
  it('plots a confusion matrix from evaluate --json output (also a captured stdout)', async () => {
    const dir = tempDir();
    const from = put(dir, 'eval.json', `note: something\n${JSON.stringify(evaluation)}\n`);
    const out = join(dir, 'sub', 'cm.svg');
    expect(await plotCommand(['confusion', '--from', from, '--out', out, '--title', 'T'])).toBe(0);
    const { elements, texts } = parseXml(readFileSync(out, 'utf8'));
    expect(elements.filter((e) => e.attrs.class === 'cell')).toHaveLength(4);
    expect(texts).toEqual(expect.arrayContaining(['a', 'b', 'T', '80.0%']));
    await plotCommand(['confusion', '--from', from, '--out', out, '--counts']);
    expect(parseXml(readFileSync(out, 'utf8')).texts).toContain('4');
  });

  it('plots curves from history.json, a checkpoint folder, or a train --json result', async () => {
    const dir = tempDir();
    const out = join(dir, 'c.svg');
    const count = () => parseXml(readFileSync(out, 'utf8')).elements.filter((e) => e.name === 'polyline').map((e) => e.attrs.points.split(' ').length);
    put(dir, 'run/history.json', JSON.stringify(epochs));
    expect(await plotCommand(['curves', '--from', join(dir, 'run'), '--out', out])).toBe(0);
    expect(count()).toEqual([3, 3, 3, 3]);
    put(dir, 'ckpt/checkpoint.json', JSON.stringify({ version: 1, epoch: 2, folder: 'epoch-2', history: epochs.slice(0, 2) }));
    await plotCommand(['curves', '--from', join(dir, 'ckpt'), '--out', out]);
    expect(count()).toEqual([2, 2, 2, 2]);
    const result = put(dir, 'result.json', JSON.stringify({ history: epochs.map(({ valLoss, valAccuracy, ...r }) => r), bestEpoch: 0 }));
    await plotCommand(['curves', '--from', result, '--out', out]);
    expect(count()).toEqual([3, 3]);
  });

  it('reports usage and input errors clearly', async () => {
    const dir = tempDir();
    await expect(plotCommand([])).rejects.toBeInstanceOf(UsageError);
    await expect(plotCommand(['pie'])).rejects.toThrow(/unknown plot "pie"/);
    await expect(plotCommand(['confusion'])).rejects.toThrow(/--from is required/);
    await expect(plotCommand(['confusion', '--bogus'])).rejects.toBeInstanceOf(UsageError);
    const bad = put(dir, 'bad.json', '{"accuracy": 1}');
    await expect(plotCommand(['confusion', '--from', bad])).rejects.toThrow(/bad\.json: no "confusion"/);
    const notJson = put(dir, 'x.json', 'nope');
    await expect(plotCommand(['curves', '--from', notJson])).rejects.toBeInstanceOf(SourceError);
    await expect(plotCommand(['curves', '--from', join(dir, 'missing.json')])).rejects.toThrow(/missing\.json/);
    const empty = put(dir, 'empty.json', '[]');
    await expect(plotCommand(['curves', '--from', empty])).rejects.toThrow(/empty/);
    const skew = put(dir, 'skew.json', JSON.stringify({ confusion: [[1, 2], [3]] }));
    await expect(plotCommand(['confusion', '--from', skew])).rejects.toThrow(/skew\.json.*row 1/);
  });

  it('plots faces with predictions of a model', async () => {
    const dir = tempDir();
    const weights = await saveTinyModel(join(dir, 'model'));
    const csv = put(dir, 'fer.csv', csvText(Array.from({ length: 12 }, (_, i) => ({ label: i % 7, pixels: gray(i), usage: i < 4 ? 'Training' : 'PublicTest' }))));
    const out = join(dir, 'grid.svg');
    expect(await plotCommand(['samples', '--data', csv, '--weights', weights, '--count', '5', '--backend', 'cpu', '--out', out])).toBe(0);
    const { elements, texts } = parseXml(readFileSync(out, 'utf8'));
    expect(elements.filter((e) => e.name === 'image')).toHaveLength(5);
    expect(texts.filter((t) => /^\w+ \(\d+%\)$/.test(t))).toHaveLength(5);
    // the whole test split has 8 images: --count beyond it shows all of them
    await plotCommand(['samples', '--data', csv, '--weights', weights, '--count', '50', '--backend', 'cpu', '--out', out]);
    expect(parseXml(readFileSync(out, 'utf8')).elements.filter((e) => e.name === 'image')).toHaveLength(8);
    await expect(plotCommand(['samples', '--data', csv, '--weights', weights, '--split', 'PrivateTest', '--backend', 'cpu'])).rejects.toThrow(/no images in split/);
  });
});
