/**
 * reproduce(): an interrupted replay continues where it stopped (mid-stage, between legs) and ends
 * with the weights of an uninterrupted one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { loadModel } from '../../src/model/io.js';
import { parseRecipe } from '../../src/training/recipe.js';
import { reproduce } from '../../src/training/reproduce.js';
import { tinyRecipe, writeTinyFer } from './recipe-fixtures.js';

let dir: string;
let data: FerDataset;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fer-reproduce-lib-'));
  await setBackend('wasm');
  data = await FerDataset.fromDirectory(writeTinyFer(join(dir, 'fer')), { cache: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tiny recipe's first two training stages, released from b. */
function shortRecipe() {
  const r = tinyRecipe() as { stages: unknown[]; release: unknown };
  return parseRecipe({ stages: r.stages.slice(0, 2), release: 'b/epoch-1' });
}

const weightsOf = async (path: string) => {
  const m = await loadModel(path);
  const w = m.getWeights().map((t) => Array.from(t.dataSync()));
  m.dispose();
  return w;
};

describe('reproduce', () => {
  it('stops at an abort after epoch 1 of stage a, then resumes it and ends with the weights of an uninterrupted replay', async () => {
    const straight = join(dir, 'straight');
    const r0 = await reproduce(shortRecipe(), data, { out: straight });
    expect(r0.interrupted).toBe(false);

    const out = join(dir, 'interrupted');
    const controller = new AbortController();
    const r1 = await reproduce(shortRecipe(), data, {
      out, signal: controller.signal,
      onEpochEnd: (stage, log) => { if (stage === 'a' && log.epoch === 1) controller.abort(); },
    });
    expect(r1.interrupted).toBe(true);
    expect(r1.stages).toEqual([expect.objectContaining({ name: 'a', status: 'interrupted', epochs: 1 })]);
    expect(existsSync(join(out, 'weights'))).toBe(false);
    expect(existsSync(join(out, 'stages', 'b'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'stages', 'a', 'stage.json'), 'utf8')).done).toBeUndefined();

    const lines: string[] = [];
    const r2 = await reproduce(shortRecipe(), data, { out, onLog: (l) => lines.push(l) });
    expect(r2.interrupted).toBe(false);
    expect(lines).toContain('stage a (train): resuming after epoch 1 of 2');
    expect(r2.stages.map((s) => [s.name, s.status, s.epochs])).toEqual([['a', 'done', 1], ['b', 'done', 1]]);
    expect(await weightsOf(join(out, 'stages', 'a', 'epoch-2'))).toEqual(await weightsOf(join(straight, 'stages', 'a', 'epoch-2')));
    expect(await weightsOf(join(out, 'weights'))).toEqual(await weightsOf(join(straight, 'weights')));
  }, 60_000);
});
