import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/random.js';
import { argmaxRows, confusionMatrix, metricsFromConfusion } from '../../src/evaluation/metrics.js';

describe('confusionMatrix', () => {
  it('counts [true][predicted]', () => {
    const m = confusionMatrix([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
  });

  it('handles classes that never occur', () => {
    expect(confusionMatrix([1, 1], [1, 1], 3)).toEqual([[0, 0, 0], [0, 2, 0], [0, 0, 0]]);
    expect(confusionMatrix([], [], 2)).toEqual([[0, 0], [0, 0]]);
  });

  it('rejects mismatched lengths', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 labels but 1 predictions/);
  });
});

describe('metricsFromConfusion', () => {
  it('matches hand-computed precision, recall, F1 and macro-F1', () => {
    // truth:     a a a a b b b c c c
    // predicted: a a a b b b a c b c
    const truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    const pred = [0, 0, 0, 1, 1, 1, 0, 2, 1, 2];
    const m = confusionMatrix(truth, pred, 3);
    expect(m).toEqual([[3, 1, 0], [1, 2, 0], [0, 1, 2]]);
    const r = metricsFromConfusion(m, ['a', 'b', 'c'] as const);
    expect(r.count).toBe(10);
    expect(r.accuracy).toBeCloseTo(7 / 10, 12);
    // a: tp 3, predicted 4, support 4 → P 3/4, R 3/4, F1 3/4
    expect(r.perClass.a).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    // b: tp 2, predicted 4, support 3 → P 1/2, R 2/3, F1 = 2·(1/2)(2/3)/(7/6) = 4/7
    expect(r.perClass.b.precision).toBeCloseTo(0.5, 12);
    expect(r.perClass.b.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.b.f1).toBeCloseTo(4 / 7, 12);
    expect(r.perClass.b.support).toBe(3);
    // c: tp 2, predicted 2, support 3 → P 1, R 2/3, F1 = 4/5
    expect(r.perClass.c.precision).toBe(1);
    expect(r.perClass.c.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.c.f1).toBeCloseTo(0.8, 12);
    expect(r.macroF1).toBeCloseTo((0.75 + 4 / 7 + 0.8) / 3, 12);
    expect(r.confusion).toBe(m);
  });

  it('perfect predictions give 1 everywhere', () => {
    const truth = [0, 1, 2, 3, 3, 2];
    const r = metricsFromConfusion<string>(confusionMatrix(truth, truth, 4), ['w', 'x', 'y', 'z']);
    expect(r.accuracy).toBe(1);
    expect(r.macroF1).toBe(1);
    for (const c of ['w', 'x', 'y', 'z']) expect(r.perClass[c].f1).toBe(1);
  });

  it('a never-predicted, never-true class scores 0 without NaN', () => {
    const r = metricsFromConfusion(confusionMatrix([0, 0, 1], [0, 1, 1], 3), ['a', 'b', 'c']);
    expect(r.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(Number.isNaN(r.macroF1)).toBe(false);
    // a: P 1, R 1/2 → F1 2/3; b: P 1/2, R 1 → F1 2/3; c: 0
    expect(r.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 0) / 3, 12);
  });

  it('an empty matrix gives accuracy 0 and count 0', () => {
    const r = metricsFromConfusion([[0, 0], [0, 0]], ['a', 'b']);
    expect(r.count).toBe(0);
    expect(r.accuracy).toBe(0);
    expect(r.macroF1).toBe(0);
  });

  it('accuracy is trace / count and supports are the row sums (random case)', () => {
    const random = new Random(12345);
    const rnd = () => random.next();
    const k = 5;
    const truth = Array.from({ length: 200 }, () => Math.floor(rnd() * k));
    const pred = truth.map((t) => (rnd() < 0.6 ? t : Math.floor(rnd() * k)));
    const m = confusionMatrix(truth, pred, k);
    const r = metricsFromConfusion<string>(m, ['a', 'b', 'c', 'd', 'e']);
    const trace = m.reduce((acc, row, i) => acc + row[i], 0);
    expect(r.count).toBe(200);
    expect(r.accuracy).toBeCloseTo(trace / 200, 12);
    expect(r.accuracy).toBeCloseTo(truth.filter((t, i) => t === pred[i]).length / 200, 12);
    ['a', 'b', 'c', 'd', 'e'].forEach((c, i) => {
      expect(r.perClass[c].support).toBe(truth.filter((t) => t === i).length);
      const { precision: p, recall: rc, f1 } = r.perClass[c];
      expect(f1).toBeCloseTo((2 * p * rc) / (p + rc), 12);
    });
  });
});

describe('argmaxRows', () => {
  it('returns the index of the largest score per row (first on ties)', () => {
    const scores = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1]);
    expect([...argmaxRows(scores, 3)]).toEqual([1, 0, 2]);
    expect([...argmaxRows([], 3)]).toEqual([]);
  });
});
