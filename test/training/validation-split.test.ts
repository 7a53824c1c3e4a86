/**
 * Issue 13.1: training never validates on its own images. A dataset without a separate
 * PublicTest split gets a stratified, seeded holdout (10% by default, `validationSplit` to choose).
 */
import { describe, expect, it } from 'vitest';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { DEFAULT_VALIDATION_SPLIT, selectTrainingData } from '../../src/training/train.js';

/** fer2013.csv text: `perClass[c]` rows of class c, all with the given Usage. */
function csv(perClass: number[], usage: (i: number) => string): string {
  const rows = ['emotion,pixels,Usage'];
  let i = 0;
  perClass.forEach((n, c) => {
    for (let k = 0; k < n; k++, i++) rows.push(`${c},${Array.from({ length: 2304 }, (_, j) => (i * 13 + j) % 256).join(' ')},${usage(i)}`);
  });
  return rows.join('\n') + '\n';
}

const sourcesOf = (d: FerDataset | undefined) => new Set(d?.sources ?? []);

describe('selectTrainingData', () => {
  it('a PublicTest-only CSV: holds out a stratified 10% instead of validating on the training images', async () => {
    const data = await FerDataset.fromCsv(csv([40, 10, 30], () => 'PublicTest'));
    const s = selectTrainingData(data);
    expect(s.source).toBe('holdout');
    expect(s.note).toMatch(/^validating on a stratified 10% of the training images \(8 of 80\) \(no PublicTest split found\)$/);
    expect(DEFAULT_VALIDATION_SPLIT).toBe(0.1);
    const train = sourcesOf(s.trainSet), val = sourcesOf(s.valSet);
    expect(train.size + val.size).toBe(80);
    for (const v of val) expect(train.has(v)).toBe(false); // disjoint
    expect(s.valSet!.classCounts()).toEqual({ Angry: 4, Disgust: 1, Fear: 3, Happy: 0, Sad: 0, Surprise: 0, Neutral: 0 }); // stratified
  });

  it('is seeded: the same seed gives the same holdout (resume), another seed another one', async () => {
    const data = await FerDataset.fromCsv(csv([40, 40], () => 'Training'));
    const a = selectTrainingData(data, { seed: 1 }), b = selectTrainingData(data, { seed: 1 }), c = selectTrainingData(data, { seed: 2 });
    expect(a.valSet!.sources).toEqual(b.valSet!.sources);
    expect(a.valSet!.sources).not.toEqual(c.valSet!.sources);
  });

  it('validationSplit chooses the fraction, and rejects one outside (0, 1) or one that holds out nothing', async () => {
    const data = await FerDataset.fromCsv(csv([20, 20], () => 'Training'));
    const s = selectTrainingData(data, { validationSplit: 0.25 });
    expect(s.valSet!.length).toBe(10);
    expect(s.trainSet.length).toBe(30);
    expect(s.note).toMatch(/stratified 25% of the training images/);
    for (const f of [0, 1, -0.1, NaN]) expect(() => selectTrainingData(data, { validationSplit: f })).toThrow(RangeError);
    const tiny = await FerDataset.fromCsv(csv([1, 1], () => 'Training'));
    expect(() => selectTrainingData(tiny, { validationSplit: 0.1 })).toThrow(/holds out no image/);
    // by default a dataset too small to hold out from trains without validation, and says so
    expect(selectTrainingData(tiny)).toMatchObject({ source: 'none', note: expect.stringMatching(/too few training images/) });
  });

  it('a Training + PublicTest dataset still validates on PublicTest', async () => {
    const data = await FerDataset.fromCsv(csv([10, 10], (i) => (i % 5 === 0 ? 'PublicTest' : 'Training')));
    const s = selectTrainingData(data);
    expect(s.source).toBe('split');
    expect(s.valSet!.length).toBe(4);
    expect(s.trainSet.length).toBe(16);
  });

  it('refuses a validation split that is also the training data', async () => {
    const data = await FerDataset.fromCsv(csv([10, 10], () => 'PublicTest'));
    expect(() => selectTrainingData(data, { validation: 'PublicTest' })).toThrow(/validation split PublicTest is also the training data/);
    const both = await FerDataset.fromCsv(csv([10, 10], (i) => (i % 2 ? 'PublicTest' : 'Training')));
    expect(() => selectTrainingData(both, { validation: 'PublicTest', trainSplit: 'all' })).toThrow(/also the training data/);
  });
});
