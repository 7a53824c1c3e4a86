import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { csvField, csvHeader, formatOf, formatResult, readResumeState } from '../../src/batch/output.js';
import type { FileResult } from '../../src/batch/predict-files.js';
import { tempDir } from '../cli/fixtures.js';

const scores = Object.fromEntries(EMOTIONS.map((e, i) => [e, i === 3 ? 0.7 : 0.05])) as Record<(typeof EMOTIONS)[number], number>;
const ok = (file: string, index = 0): FileResult => ({ file, index, status: 'ok', emotion: 'Happy' as never, confidence: 0.7, scores });
const face = (file: string, n: number): FileResult => ({
  file, index: 0, status: 'ok',
  faces: Array.from({ length: n }, (_, i) => ({ emotion: 'Happy' as never, confidence: 0.7, scores, box: { x: 10.123, y: 20, width: 30, height: 30 + i }, crop: { x: 0, y: 0, width: 40, height: 40 }, faceScore: 0.9 })),
});
const err = (file: string): FileResult => ({ file, index: 0, status: 'error', error: `${file}: not a JPEG or PNG image` });

describe('result rows', () => {
  it('CSV: header and one row per file with the 7 scores, status and error; quoting', () => {
    expect(csvHeader(false)).toEqual(['file', 'emotion', 'confidence', ...EMOTIONS, 'status', 'error']);
    expect(formatResult(ok('a.png'), 'csv', false)).toBe(`a.png,Happy,0.7,${EMOTIONS.map((e) => scores[e]).join(',')},ok,\n`);
    expect(formatResult(err('b,"c".png'), 'csv', false)).toBe(`"b,""c"".png",,,,,,,,,,error,"b,""c"".png: not a JPEG or PNG image"\n`);
    expect(csvField(' lead')).toBe('" lead"');
  });

  it('CSV with faces: one row per face with its box; a photo without faces is one no-face row', () => {
    const rows = formatResult(face('g.jpg', 2), 'csv', true).trimEnd().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[0].split(',').slice(0, 9)).toEqual(['g.jpg', '1', '10.12', '20', '30', '30', '0.9', 'Happy', '0.7']);
    expect(rows[1].split(',')[1]).toBe('2');
    expect(rows[0].split(',')).toHaveLength(csvHeader(true).length);
    expect(formatResult(face('none.jpg', 0), 'csv', true)).toBe(`none.jpg${','.repeat(16)}no-face,\n`);
  });

  it('JSON lines: an object per row', () => {
    expect(JSON.parse(formatResult(ok('a.png'), 'jsonl', false))).toEqual({ file: 'a.png', emotion: 'Happy', confidence: 0.7, scores, status: 'ok' });
    expect(JSON.parse(formatResult(err('b.png'), 'jsonl', false))).toEqual({ file: 'b.png', status: 'error', error: 'b.png: not a JPEG or PNG image' });
    const f = formatResult(face('g.jpg', 1), 'jsonl', true).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(f).toEqual([{ file: 'g.jpg', face: 1, box: { x: 10.12, y: 20, width: 30, height: 30 }, faceScore: 0.9, emotion: 'Happy', confidence: 0.7, scores, status: 'ok' }]);
    const blank = { ...ok('blank.png'), lowContrast: true as const };
    expect(JSON.parse(formatResult(blank, 'jsonl', false)).lowContrast).toBe(true); // a blank image is flagged, as by predict --json
    expect(formatResult(blank, 'csv', false)).toBe(formatResult(ok('blank.png'), 'csv', false));
    expect(formatOf('x.CSV')).toBe('csv');
    expect(formatOf('x.jsonl')).toBe('jsonl');
  });
});

describe('readResumeState', () => {
  const dir = tempDir('fer-resume-');

  it('marks every file done except the last, which is cut off with a truncated line after it', async () => {
    const path = join(dir, 'r.csv');
    const complete = csvHeader(true).join(',') + '\n' + formatResult(ok('"q".png'), 'csv', true) + formatResult(face('g.jpg', 2), 'csv', true) + formatResult(face('h.jpg', 2), 'csv', true);
    writeFileSync(path, complete + 'i.jpg,1,3,4,5,6,0.9,Ha');
    const s = await readResumeState(path, 'csv', csvHeader(true));
    expect([...s.done]).toEqual(['"q".png', 'g.jpg']);
    expect(s.hasHeader).toBe(true);
    expect(s.rows).toBe(3);
    const kept = readFileSync(path).subarray(0, s.keepBytes).toString();
    expect(kept).toBe(csvHeader(true).join(',') + '\n' + formatResult(ok('"q".png'), 'csv', true) + formatResult(face('g.jpg', 2), 'csv', true));
  });

  it('handles JSON lines, an empty or missing file, a header only; rejects a header of other options and foreign lines', async () => {
    const path = join(dir, 'r.jsonl');
    writeFileSync(path, formatResult(ok('a.png'), 'jsonl', false) + formatResult(err('b.png'), 'jsonl', false) + formatResult(ok('c.png'), 'jsonl', false) + '{"file":"d.p');
    const s = await readResumeState(path, 'jsonl');
    expect([...s.done]).toEqual(['a.png', 'b.png']);
    expect(readFileSync(path).subarray(0, s.keepBytes).toString().trimEnd().split('\n')).toHaveLength(2);
    expect(await readResumeState(join(dir, 'none.csv'), 'csv', csvHeader(false))).toMatchObject({ keepBytes: 0, hasHeader: false, rows: 0 });
    const headerOnly = join(dir, 'h.csv');
    writeFileSync(headerOnly, csvHeader(false).join(',') + '\n');
    expect(await readResumeState(headerOnly, 'csv', csvHeader(false))).toMatchObject({ keepBytes: csvHeader(false).join(',').length + 1, hasHeader: true });
    await expect(readResumeState(headerOnly, 'csv', csvHeader(true))).rejects.toThrow(/header.*--faces/);
    const foreign = join(dir, 'f.jsonl');
    writeFileSync(foreign, '{"x":1}\n');
    await expect(readResumeState(foreign, 'jsonl')).rejects.toThrow(/line 1: not a result row/);
  });

  it('reads a big output in pieces (records split across read chunks)', async () => {
    const path = join(dir, 'big.csv');
    const files = Array.from({ length: 5000 }, (_, i) => `dir/with,comma/${i}.png`);
    writeFileSync(path, csvHeader(false).join(',') + '\n' + files.map((f) => formatResult(ok(f), 'csv', false)).join(''));
    const s = await readResumeState(path, 'csv', csvHeader(false));
    expect(s.done.size).toBe(4999);
    expect(s.done.has(files[4998])).toBe(true);
    expect(s.done.has(files[4999])).toBe(false);
  });
});
