/**
 * Issue 13.7: progress of evaluate and long predicts on stderr — a live line on a terminal, a
 * plain line now and then otherwise.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stderrProgress } from '../../src/cli/command.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => { writes.push(s); return true; } } as never };
}

afterEach(() => { vi.useRealTimers(); });

describe('stderrProgress', () => {
  it('writes a plain line at most every `every` seconds when stderr is not a terminal', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { writes, stream } = fakeStream(false);
    const p = stderrProgress('evaluating', 5, stream);
    p.update(100, 1000);
    expect(writes).toEqual([]); // not yet 5 s
    vi.setSystemTime(6000);
    p.update(600, 1000);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^evaluating: 600\/1000 images \(60%\), 100 img\/s, ETA 4s\n$/);
    vi.setSystemTime(7000);
    p.update(700, 1000);
    expect(writes).toHaveLength(1);
    vi.setSystemTime(12000);
    p.update(1000, 1000); // the end: no line (the result follows)
    expect(writes).toHaveLength(1);
    p.done();
    expect(writes).toHaveLength(1);
  });

  it('rewrites one live line on a terminal and clears it when done', () => {
    const { writes, stream } = fakeStream(true);
    const p = stderrProgress('predicting', 10, stream);
    p.update(64, 640);
    p.update(128, 640);
    expect(writes).toHaveLength(2);
    for (const w of writes) expect(w).toMatch(/^\rpredicting: \d+\/640 images .*\x1b\[K$/);
    p.done();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});
