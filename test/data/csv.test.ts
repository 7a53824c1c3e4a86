import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFerCsv } from '../../src/data/csv.js';
import { FerDataError } from '../../src/data/errors.js';
import { FerDataset } from '../../src/data/fer-dataset.js';

const PX = 48 * 48;

/** Deterministic pixels for row `seed`. */
function pixels(seed: number, n = PX): number[] {
  return Array.from({ length: n }, (_, i) => (i * 7 + seed * 31) % 256);
}

function csv(rows: [label: number | string, px: number[] | string, usage?: string][], header = 'emotion,pixels,Usage'): string {
  const withUsage = header.toLowerCase().includes('usage');
  const lines = rows.map(([l, p, u]) => [l, Array.isArray(p) ? p.join(' ') : p, ...(withUsage ? [u ?? 'Training'] : [])].join(','));
  return [header, ...lines].join('\n') + '\n';
}

/** Expects `fn` to throw a FerDataError whose message matches every pattern. */
function expectDataError(fn: () => unknown, row: number | undefined, ...patterns: RegExp[]): FerDataError {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(FerDataError);
  const e = err as FerDataError;
  if (row !== undefined) expect(e.row).toBe(row);
  for (const p of patterns) expect(e.message).toMatch(p);
  return e;
}

const tmp = mkdtempSync(join(tmpdir(), 'fer-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseFerCsv', () => {
  const text = csv([[0, pixels(0), 'Training'], [3, pixels(1), 'PublicTest'], [6, pixels(2), 'PrivateTest']]);

  it('parses labels, pixels, splits and row numbers', () => {
    const d = parseFerCsv(text);
    expect([...d.labels]).toEqual([0, 3, 6]);
    expect([...d.splits]).toEqual([0, 1, 2]);
    expect(d.rows).toEqual([2, 3, 4]);
    expect(d.images.length).toBe(3 * PX);
    expect([...d.images.subarray(PX, 2 * PX)]).toEqual(pixels(1));
  });

  it('accepts CRLF, a BOM, blank lines, case-insensitive Usage and a missing Usage column', () => {
    const crlf = '\uFEFF' + text.replace(/\n/g, '\r\n') + '\r\n\r\n';
    const d = parseFerCsv(crlf);
    expect([...d.labels]).toEqual([0, 3, 6]);
    const lower = parseFerCsv(csv([[1, pixels(3), 'publictest']]));
    expect([...lower.splits]).toEqual([1]);
    const noUsage = parseFerCsv(csv([[2, pixels(4)], [5, pixels(5)]], 'emotion,pixels'));
    expect([...noUsage.splits]).toEqual([0, 0]);
    expect([...noUsage.labels]).toEqual([2, 5]);
  });

  it('accepts double-quoted cells', () => {
    const quoted = `"emotion","pixels","Usage"\n"4","${pixels(2).join(' ')}","PrivateTest"\n`;
    const d = parseFerCsv(quoted);
    expect([...d.labels]).toEqual([4]);
    expect([...d.splits]).toEqual([2]);
    expect([...d.images]).toEqual(pixels(2));
  });

  it('supports another image size and class count', () => {
    const d = parseFerCsv(csv([[7, pixels(0, 16)]]), { size: 4, numClasses: 8 });
    expect([...d.labels]).toEqual([7]);
    expect(d.images.length).toBe(16);
  });

  it('names source and row for a wrong pixel count', () => {
    const bad = csv([[0, pixels(0)], [1, pixels(1, PX - 1)]]);
    const e = expectDataError(() => parseFerCsv(bad, { source: 'faces.csv' }), 3, /^faces\.csv, row 3: /, /expected 2304 pixels/, /got 2303/);
    expect(e.source).toBe('faces.csv');
  });

  it('rejects bad labels', () => {
    for (const label of ['7', '-1', 'x', '1.5', '']) {
      expectDataError(() => parseFerCsv(csv([[0, pixels(0)], [label, pixels(1)]]), { source: 'f.csv' }), 3, /f\.csv, row 3/, /bad label/);
    }
  });

  it('rejects bad pixel values', () => {
    const p = pixels(0);
    p[10] = 256;
    expectDataError(() => parseFerCsv(csv([[0, p]])), 2, /pixel 10 is "256"/);
  });

  it('rejects an unknown Usage', () => {
    expectDataError(() => parseFerCsv(csv([[0, pixels(0), 'Training'], [0, pixels(0), 'Validation']]), { source: 'f.csv' }), 3, /unknown Usage "Validation"/);
  });

  it('rejects a missing header', () => {
    const noHeader = csv([[0, pixels(0), 'Training']]).split('\n').slice(1).join('\n');
    expectDataError(() => parseFerCsv(noHeader, { source: 'f.csv' }), 1, /f\.csv, row 1/, /header/);
  });

  it('rejects rows with too few columns', () => {
    expectDataError(() => parseFerCsv('emotion,pixels,Usage\n3\n'), 2, /expected 3 columns, got 1/);
  });
});

describe('FerDataset.fromCsv', () => {
  const text = csv([[0, pixels(0), 'Training'], [4, pixels(1), 'Training'], [5, pixels(2), 'PublicTest'], [1, pixels(3), 'PrivateTest']]);

  it('reads CSV text', async () => {
    const d = await FerDataset.fromCsv(text);
    expect(d.length).toBe(4);
    expect([...d.labels]).toEqual([0, 4, 5, 1]);
    expect(d.splitOf(2)).toBe('PublicTest');
    expect(d.sources).toEqual(['row 2', 'row 3', 'row 4', 'row 5']);
    expect([...d.image(3)]).toEqual(pixels(3));
    expect(d.summary.count).toBe(4);
    expect(d.summary.cached).toBe(false);
  });

  it('reads a file path and gives the same dataset as the text', async () => {
    const file = join(tmp, 'fer2013.csv');
    writeFileSync(file, text);
    const a = await FerDataset.fromCsv(file);
    const b = await FerDataset.fromCsv(text);
    expect(a.images).toEqual(b.images);
    expect(a.labels).toEqual(b.labels);
    expect(a.splitCodes).toEqual(b.splitCodes);
  });

  it('names the file and row in errors from a path', async () => {
    const file = join(tmp, 'bad.csv');
    writeFileSync(file, csv([[0, pixels(0)], [0, pixels(0)], [0, pixels(0, 100)]]));
    await expect(FerDataset.fromCsv(file)).rejects.toThrow(`${file}, row 4: expected 2304 pixels`);
    await expect(FerDataset.fromCsv(file)).rejects.toBeInstanceOf(FerDataError);
  });

  it('reports a missing file', async () => {
    const file = join(tmp, 'nope.csv');
    await expect(FerDataset.fromCsv(file)).rejects.toThrow(`${file}: no such file`);
  });

  it('checks labels against a custom class list', async () => {
    const classes = ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral', 'Contempt'];
    const d = await FerDataset.fromCsv(csv([[7, pixels(0)]]), { classes });
    expect(d.classCounts().Contempt).toBe(1);
    await expect(FerDataset.fromCsv(csv([[7, pixels(0)]]))).rejects.toThrow(/bad label "7"/);
  });
});
