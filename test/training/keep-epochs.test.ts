/**
 * `keepEpochs`: a run keeps the named epochs' weights as `epoch-N/` (loadable models, across a
 * resume), instead of snapshots copied by hand while it runs.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { loadModel } from '../../src/model/io.js';
import { readCheckpointState } from '../../src/training/checkpoint.js';
import { readWeights } from '../../src/training/executor.js';
import { train } from '../../src/training/train.js';
import { patternedDataset, tinyModel } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fer-keep-test-'));
  dirs.push(d);
  return d;
}
beforeAll(async () => {
  await setBackend('wasm');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = { batchSize: 8, workers: 0, seed: 7, validation: false } as const;

describe('keepEpochs', () => {
  it('keeps epoch-1 and epoch-2 of a 3-epoch run, through a resume, with the weights of those epochs', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    const model = tinyModel();
    let afterTwo: Float32Array[] = [];
    await train(model, ds, { ...base, epochs: 2, checkpointDir: dir, keepEpochs: [1, 2], onEpochEnd: (l) => { if (l.epoch === 2) afterTwo = readWeights(model.weights); } });
    expect(readdirSync(dir).filter((e) => e.startsWith('epoch-')).sort()).toEqual(['epoch-1', 'epoch-2']);
    await train(model, ds, { ...base, epochs: 3, checkpointDir: dir, resume: true, keepEpochs: [1, 2] });
    expect(readdirSync(dir).filter((e) => e.startsWith('epoch-')).sort()).toEqual(['epoch-1', 'epoch-2', 'epoch-3']);
    const kept = await loadModel(join(dir, 'epoch-2'));
    const saved = readWeights(kept.weights);
    expect(saved.map((w) => Array.from(w))).toEqual(afterTwo.map((w) => Array.from(w)));
    kept.dispose();
    expect((await readCheckpointState(dir))?.config?.keepEpochs).toEqual([1, 2]);
  });

  it('without keepEpochs only the latest epoch stays', async () => {
    const dir = tempDir();
    await train(tinyModel(), patternedDataset(16), { ...base, epochs: 2, checkpointDir: dir });
    expect(existsSync(join(dir, 'epoch-1'))).toBe(false);
    expect(existsSync(join(dir, 'epoch-2'))).toBe(true);
  });

  it.each([
    [[0], /keepEpochs: 0 is not an epoch of this run \(integers 1 to 2\)/],
    [[3], /keepEpochs: 3 is not an epoch/],
    [[1.5], /keepEpochs: 1.5 is not an epoch/],
    [[1, 1], /keepEpochs lists an epoch twice/],
  ])('refuses keepEpochs %j before training', async (keep, message) => {
    await expect(train(tinyModel(), patternedDataset(8), { ...base, epochs: 2, checkpointDir: tempDir(), keepEpochs: keep })).rejects.toThrow(message);
  });

  it('refuses keepEpochs without a checkpoint folder', async () => {
    await expect(train(tinyModel(), patternedDataset(8), { ...base, epochs: 2, keepEpochs: [1] })).rejects.toThrow(/keepEpochs needs checkpointDir/);
  });
});
