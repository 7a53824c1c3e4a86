import { describe, expect, it } from 'vitest';
import { trainingCurvesSvg } from '../../src/viz/curves.js';
import type { EpochLog } from '../../src/training/checkpoint.js';
import { parseXml, type XmlElement } from './xml.js';

function history(n: number, withVal = true): EpochLog[] {
  return Array.from({ length: n }, (_, i) => ({
    epoch: i + 1, loss: 1.8 * Math.exp(-i / 8) + 0.3, accuracy: 0.25 + 0.5 * (1 - Math.exp(-i / 6)),
    ...(withVal ? { valLoss: 1.7 * Math.exp(-i / 10) + 0.6, valAccuracy: 0.3 + 0.35 * (1 - Math.exp(-i / 5)) } : {}),
    learningRate: 1e-3, seconds: 10, imagesPerSecond: 1000,
  }));
}

const polylines = (els: XmlElement[]) => Object.fromEntries(
  els.filter((e) => e.name === 'polyline').map((e) => [e.attrs['data-series'], e.attrs.points.trim().split(/\s+/)]),
);

describe('trainingCurvesSvg', () => {
  it('draws four curves with one point per epoch, legend and axes', () => {
    const { elements, texts } = parseXml(trainingCurvesSvg(history(30), { title: 'Run A' }));
    const lines = polylines(elements);
    expect(Object.keys(lines).sort()).toEqual(['accuracy-train', 'accuracy-validation', 'loss-train', 'loss-validation']);
    for (const pts of Object.values(lines)) {
      expect(pts).toHaveLength(30);
      for (const p of pts) expect(p).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
    }
    expect(texts).toEqual(expect.arrayContaining(['Loss', 'Accuracy', 'Epoch', 'train', 'validation', 'Run A']));
    expect(texts.filter((t) => /^\d+%$/.test(t)).length).toBeGreaterThanOrEqual(3); // accuracy ticks
    expect(texts).toContain('30'); // last epoch tick
  });

  it('draws later epochs further right and lower loss lower on the page', () => {
    const { elements } = parseXml(trainingCurvesSvg(history(10)));
    const pts = polylines(elements)['loss-train'].map((p) => p.split(',').map(Number));
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i][0]).toBeGreaterThan(pts[i - 1][0]);
      expect(pts[i][1]).toBeGreaterThan(pts[i - 1][1]); // loss falls → y grows downwards
    }
  });

  it('skips missing and NaN validation values', () => {
    const h = history(8);
    h[2].valLoss = Number.NaN;
    delete h[5].valLoss;
    h[3].valAccuracy = undefined;
    const lines = polylines(parseXml(trainingCurvesSvg(h)).elements);
    expect(lines['loss-train']).toHaveLength(8);
    expect(lines['loss-validation']).toHaveLength(6);
    expect(lines['accuracy-validation']).toHaveLength(7);
  });

  it('draws only training curves without validation', () => {
    const svg = trainingCurvesSvg(history(5, false));
    const { elements, texts } = parseXml(svg);
    expect(Object.keys(polylines(elements)).sort()).toEqual(['accuracy-train', 'loss-train']);
    expect(texts).not.toContain('validation');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('handles a single epoch', () => {
    const svg = trainingCurvesSvg(history(1));
    const { elements, texts } = parseXml(svg);
    const lines = polylines(elements);
    expect(lines['loss-train']).toHaveLength(1);
    expect(elements.filter((e) => e.name === 'circle')).toHaveLength(4);
    expect(texts).toContain('1');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('sorts by epoch and marks the best validation epoch', () => {
    const h = history(6).reverse();
    const { elements, texts } = parseXml(trainingCurvesSvg(h));
    const xs = polylines(elements)['loss-train'].map((p) => Number(p.split(',')[0]));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(texts).toContain('best: 6');
  });

  it('rejects an empty history or an entry without epoch', () => {
    expect(() => trainingCurvesSvg([])).toThrow(/empty/);
    expect(() => trainingCurvesSvg([{ loss: 1 } as unknown as EpochLog])).toThrow(/history\[0\]/);
  });
});
