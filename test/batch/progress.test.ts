import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from '../../src/batch/progress.js';
import { countImageFiles, listImageFiles } from '../../src/batch/files.js';
import { put, tempDir } from '../cli/fixtures.js';
import { join } from 'node:path';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (t: string) => { writes.push(t); return true; } } };
}

describe('ProgressDisplay', () => {
  it('on a terminal redraws one line (bar, count, rate, ETA) at most every 100 ms', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const p = new ProgressDisplay(stream, { now: () => t });
    p.setTotal(1000);
    t = 1000; p.update(100, 0);
    t = 1050; p.update(105, 0); // too soon: not drawn
    t = 2000; p.update(200, 3);
    p.finish();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/^\r\x1b\[K\[██░{18}\]  100\/1,000 files \(10\.0%\)  100 files\/s  ETA 9s$/);
    expect(writes[1]).toContain('200/1,000 files (20.0%)  100 files/s  ETA 8s  3 failed');
    expect(writes[2].endsWith('\n')).toBe(true);
  });

  it('elsewhere prints a plain line every interval (the first after one) and at the end; counts skipped files', () => {
    let t = 0;
    const { writes, stream } = fakeStream(false);
    const p = new ProgressDisplay(stream, { now: () => t, interval: 10 });
    p.setSkipped(50);
    t = 500; p.update(5, 0);
    t = 5000; p.update(50, 0);
    t = 12_000; p.update(120, 1);
    p.finish();
    expect(writes).toEqual([
      // nothing at 0.5 s and 5 s: the first plain line comes after one interval
      '170 files  10.0 files/s  12s  1 failed  50 skipped (already in the output)\n',
      '170 files  10.0 files/s  12s  1 failed  50 skipped (already in the output)\n',
    ]);
  });
});

describe('listImageFiles', () => {
  it('lists image files sorted, subfolders only with recursive; other paths as given', async () => {
    const dir = tempDir('fer-list-');
    for (const f of ['b.png', 'a.JPG', 'notes.txt', 'sub/c.jpeg', 'sub/deeper/d.png', 'z/e.png']) put(dir, f, 'x');
    const all: string[] = [];
    for await (const f of listImageFiles([dir, join(dir, 'notes.txt'), join(dir, 'missing.png')], { recursive: true })) all.push(f);
    expect(all).toEqual(['a.JPG', 'b.png', 'sub/c.jpeg', 'sub/deeper/d.png', 'z/e.png', 'notes.txt', 'missing.png'].map((f) => join(dir, f)));
    expect(await countImageFiles([dir])).toBe(2);
    expect(await countImageFiles([dir], { recursive: true })).toBe(5);
  });
});
