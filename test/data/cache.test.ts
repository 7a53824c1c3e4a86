/**
 * Issue 13.7: the decoded-dataset cache is keyed by content (relative names, sizes, mtimes) and
 * bounded (the N most recently used datasets), and can be cleared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheKeep, clearCache, DEFAULT_CACHE_KEEP, listCache, pruneCache, readCache, writeCache } from '../../src/data/cache.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import type { DecodedImages } from '../../src/data/directory.js';
import { gray, png, put } from '../cli/fixtures.js';

const dirs: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fer-cache-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.FER_CNN_LSTM_CACHE_KEEP;
});

function decoded(n: number): DecodedImages {
  return { images: new Uint8Array(n * 4).fill(7), labels: new Uint8Array(n), splits: new Uint8Array(n), sources: Array.from({ length: n }, (_, i) => `#${i}`), resized: 0, colour: 0, skipped: [] };
}

describe('dataset cache', () => {
  it('keeps only the most recently used datasets (reading one counts as a use)', () => {
    const dir = temp();
    const t = Date.now() / 1000;
    for (let k = 0; k < 3; k++) {
      writeCache(dir, `a${k}`, decoded(2), 4);
      utimesSync(join(dir, `a${k}.bin`), t - 100 + k, t - 100 + k);
    }
    expect(readCache(dir, 'a0')?.labels.length).toBe(2); // a0 is now the most recent
    process.env.FER_CNN_LSTM_CACHE_KEEP = '2';
    expect(cacheKeep()).toBe(2);
    const removed = pruneCache(dir);
    expect(removed.map((e) => e.file)).toEqual([join(dir, 'a1.bin')]);
    expect(readdirSync(dir).sort()).toEqual(['a0.bin', 'a2.bin']);
    // writes prune too
    writeCache(dir, 'b0', decoded(1), 4);
    expect(listCache(dir)).toHaveLength(2);
    expect(existsSync(join(dir, 'b0.bin'))).toBe(true);
  });

  it('defaults to 4 datasets, and clearCache removes all', () => {
    const dir = temp();
    expect(DEFAULT_CACHE_KEEP).toBe(4);
    for (let k = 0; k < 6; k++) writeCache(dir, `c${k}`, decoded(1), 4);
    expect(listCache(dir)).toHaveLength(4);
    writeFileSync(join(dir, 'README'), 'not a cache file');
    expect(clearCache(dir)).toHaveLength(4);
    expect(readdirSync(dir)).toEqual(['README']);
  });

  it('the same files at another path hit the same cache entry (keyed by content, not by path)', async () => {
    const cacheDir = temp();
    const root = temp();
    const a = join(root, 'a');
    put(a, 'happy/x.png', png(gray(1)));
    put(a, 'sad/y.png', png(gray(2)));
    const first = await FerDataset.fromDirectory(a, { cacheDir });
    expect(first.summary.cached).toBe(false);
    const b = join(root, 'b');
    cpSync(a, b, { recursive: true, preserveTimestamps: true });
    const second = await FerDataset.fromDirectory(b, { cacheDir });
    expect(second.summary.cached).toBe(true);
    expect(listCache(cacheDir)).toHaveLength(1);
    expect(Array.from(second.images)).toEqual(Array.from(first.images));
  });
});
