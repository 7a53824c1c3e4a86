import { describe, expect, it } from 'vitest';
import { confusionMatrixSvg } from '../../src/viz/confusion.js';
import { EMOTIONS } from '../../src/emotions.js';
import { parseXml } from './xml.js';

const matrix7 = [
  [300, 5, 40, 20, 60, 10, 32],
  [10, 40, 5, 2, 4, 1, 3],
  [50, 3, 250, 20, 90, 50, 33],
  [15, 0, 12, 800, 20, 15, 33],
  [60, 2, 70, 30, 400, 8, 83],
  [10, 1, 30, 20, 8, 330, 16],
  [30, 1, 40, 40, 90, 10, 396],
];

describe('confusionMatrixSvg', () => {
  it('is well-formed XML with k² cells and every class name on both axes', () => {
    const svg = confusionMatrixSvg(matrix7, EMOTIONS, { title: 'Test <set> & more' });
    const { elements, texts } = parseXml(svg);
    const cells = elements.filter((e) => e.name === 'rect' && e.attrs.class === 'cell');
    expect(cells).toHaveLength(49);
    for (const name of EMOTIONS) expect(texts.filter((t) => t === name)).toHaveLength(2); // row and column label
    expect(texts).toContain('True');
    expect(texts).toContain('Predicted');
    expect(texts).toContain('Test <set> & more');
  });

  it('normalised rows sum to 100 %, and the printed percentages match', () => {
    const { elements, texts } = parseXml(confusionMatrixSvg(matrix7, EMOTIONS));
    const cells = elements.filter((e) => e.attrs.class === 'cell');
    for (const cls of EMOTIONS) {
      const row = cells.filter((c) => c.attrs['data-true'] === cls);
      expect(row).toHaveLength(7);
      expect(row.reduce((s, c) => s + Number(c.attrs['data-fraction']), 0)).toBeCloseTo(1, 9);
    }
    const happy = cells.find((c) => c.attrs['data-true'] === 'Happy' && c.attrs['data-predicted'] === 'Happy')!;
    expect(happy.attrs['data-count']).toBe('800');
    expect(texts).toContain(`${((800 / 895) * 100).toFixed(1)}%`);
    expect(texts).toContain('(800)');
    const percents = texts.filter((t) => /^\d+(\.\d)?%$/.test(t));
    expect(percents.length).toBeGreaterThanOrEqual(49);
  });

  it('colours darker for larger values', () => {
    const { elements } = parseXml(confusionMatrixSvg([[9, 1], [5, 5]], ['a', 'b']));
    const fill = (t: string, p: string) => elements.find((e) => e.attrs['data-true'] === t && e.attrs['data-predicted'] === p)!.attrs.fill;
    const lum = (hex: string) => [1, 3, 5].reduce((s, i) => s + parseInt(hex.slice(i, i + 2), 16), 0);
    expect(lum(fill('a', 'a'))).toBeLessThan(lum(fill('b', 'a')));
    expect(lum(fill('b', 'a'))).toBeLessThan(lum(fill('a', 'b')));
    expect(fill('b', 'a')).toBe(fill('b', 'b'));
  });

  it('prints raw counts without normalisation, and handles an empty row', () => {
    const { elements, texts } = parseXml(confusionMatrixSvg([[3, 1], [0, 0]], ['x & y', 'z'], { normalize: false, cellSize: 40 }));
    expect(elements.filter((e) => e.attrs.class === 'cell')).toHaveLength(4);
    expect(texts).toEqual(expect.arrayContaining(['3', '1', '0', 'x & y', 'z']));
    expect(texts.some((t) => t.endsWith('%') && t !== '0%' && !/^\d+%$/.test(t))).toBe(false);
    const empty = parseXml(confusionMatrixSvg([[3, 1], [0, 0]], ['a', 'b'])).elements.filter((e) => e.attrs['data-true'] === 'b');
    expect(empty.map((e) => e.attrs['data-fraction'])).toEqual(['0', '0']);
  });

  it('rejects a matrix that does not match the classes', () => {
    expect(() => confusionMatrixSvg([[1, 2]], ['a', 'b'])).toThrow(/2×2/);
    expect(() => confusionMatrixSvg([[1, 2], [3]], ['a', 'b'])).toThrow(/row 1 \(b\)/);
    expect(() => confusionMatrixSvg([[1, -2], [3, 4]], ['a', 'b'])).toThrow(/\[0\]\[1\]/);
    expect(() => confusionMatrixSvg([[1, Number.NaN], [3, 4]], ['a', 'b'])).toThrow(/NaN/);
    expect(() => confusionMatrixSvg([], [])).toThrow(/no classes/);
    expect(() => confusionMatrixSvg([[1]], ['a'], { cellSize: 0 })).toThrow(/cellSize/);
  });
});
