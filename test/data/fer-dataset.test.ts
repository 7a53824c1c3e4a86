import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';
import { FerDataError } from '../../src/data/errors.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { parseSplitFilter, SPLITS } from '../../src/data/splits.js';
import { EMOTIONS } from '../../src/emotions.js';

const SIZE = 4;
const PX = SIZE * SIZE;
// 10 images: image i is filled with value 10·i, label i % 7, splits T T T T T P P Q Q T
const N = 10;
const LABELS = Array.from({ length: N }, (_, i) => i % 7);
const SPLIT_CODES = [0, 0, 0, 0, 0, 1, 1, 2, 2, 0];

function dataset(classes?: readonly string[]): FerDataset {
  const images = new Uint8Array(N * PX);
  for (let i = 0; i < N; i++) images.fill(10 * i, i * PX, (i + 1) * PX);
  return FerDataset.fromArrays(images, LABELS, { size: SIZE, splits: SPLIT_CODES, classes });
}

/** The image index of each batch row (images are constant 10·i). */
async function batchIndices(b: { xs: tf.Tensor4D }): Promise<number[]> {
  const v = await b.xs.data();
  return Array.from({ length: b.xs.shape[0] }, (_, k) => Math.round((v[k * PX] * 255) / 10));
}

beforeAll(async () => {
  await setBackend('cpu');
});

describe('FerDataset basics', () => {
  it('validates its arrays', () => {
    expect(() => FerDataset.fromArrays(new Uint8Array(10), [0], { size: 4 })).toThrow(FerDataError);
    expect(() => FerDataset.fromArrays(new Uint8Array(10), [0], { size: 4 })).toThrow(/expected 1 × 16/);
    expect(() => FerDataset.fromArrays(new Uint8Array(16), [7], { size: 4 })).toThrow(/label 7 of image 0 is not an integer in 0–6/);
    // values a Uint8Array would silently wrap
    for (const bad of [263, -1, 1.5]) expect(() => FerDataset.fromArrays(new Uint8Array(16), [bad], { size: 4 })).toThrow(FerDataError);
    expect(() => new FerDataset({ images: new Uint8Array(16), labels: Uint8Array.of(7), size: 4 })).toThrow(/label 7 of image 0 is not below 7 classes/);
    expect(() => FerDataset.fromArrays(new Uint8Array(32), [0, 1], { size: 4, splits: [0] })).toThrow(/1 split codes for 2 images/);
    expect(() => FerDataset.fromArrays(new Uint8Array(16), [0], { size: 4, splits: [3] })).toThrow(/split code 3 of image 0/);
    expect(() => new FerDataset({ images: new Uint8Array(16), labels: Uint8Array.of(0), size: 4, sources: [] })).toThrow(/0 sources for 1 images/);
  });

  it('counts classes and splits', () => {
    const d = dataset();
    expect(d.length).toBe(N);
    expect(d.classCounts()).toEqual({ Angry: 2, Disgust: 2, Fear: 2, Happy: 1, Sad: 1, Surprise: 1, Neutral: 1 });
    expect(d.splitCounts()).toEqual({ Training: 6, PublicTest: 2, PrivateTest: 2 });
    expect(d.splitOf(7)).toBe('PrivateTest');
    expect([...d.image(3)]).toEqual(new Array(PX).fill(30));
  });
});

describe('split filters', () => {
  const cases: [string, number[]][] = [
    ['Training', [0, 1, 2, 3, 4, 9]],
    ['PublicTest', [5, 6]],
    ['PrivateTest', [7, 8]],
    ['train', [0, 1, 2, 3, 4, 9]],
    ['test', [5, 6, 7, 8]],
    ['all', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ];
  for (const [filter, expected] of cases) {
    it(`${filter} selects images ${expected.join(',')}`, () => {
      const d = dataset();
      const f = d.filter(filter as Parameters<FerDataset['filter']>[0]);
      expect(f.length).toBe(expected.length);
      expect([...f.labels]).toEqual(expected.map((i) => LABELS[i]));
      expect(Array.from({ length: f.length }, (_, k) => f.image(k)[0])).toEqual(expected.map((i) => 10 * i));
      expect(f.summary.count).toBe(expected.length);
      expect(f.classes).toBe(d.classes);
    });
  }

  it('rejects an unknown split', () => {
    expect(() => dataset().filter('validation' as never)).toThrow(/unknown split "validation"/);
  });

  it('parseSplitFilter accepts names case-insensitively', () => {
    expect(parseSplitFilter('publictest')).toBe('PublicTest');
    expect(parseSplitFilter(' TRAIN ')).toBe('train');
    expect(parseSplitFilter('All')).toBe('all');
    expect(parseSplitFilter('val')).toBeUndefined();
    expect(SPLITS).toEqual(['Training', 'PublicTest', 'PrivateTest']);
  });
});

describe('subset', () => {
  it('takes images in the given order, with repeats, keeping labels, splits and sources', () => {
    const d = dataset();
    const s = d.subset([8, 2, 2, 0]);
    expect(s.length).toBe(4);
    expect(Array.from({ length: 4 }, (_, k) => s.image(k)[0])).toEqual([80, 20, 20, 0]);
    expect([...s.labels]).toEqual([1, 2, 2, 0]);
    expect([...s.splitCodes]).toEqual([2, 0, 0, 0]);
    expect(s.sources).toEqual(['#8', '#2', '#2', '#0']);
    // a copy: changing the subset leaves the original alone
    s.images[0] = 255;
    expect(d.image(8)[0]).toBe(80);
    expect(d.subset([]).length).toBe(0);
  });

  it('rejects out-of-range indices', () => {
    const d = dataset();
    expect(() => d.subset([0, 10])).toThrow(/image index 10 is out of range \(dataset of 10 images\)/);
    expect(() => d.subset([-1])).toThrow(RangeError);
    expect(() => d.toTensors([1.5])).toThrow(/image index 1.5 is out of range/);
  });
});

describe('toTensors', () => {
  it('gives [n, size, size, 1] in [0, 1] and one-hot labels', async () => {
    const d = dataset();
    const { xs, ys } = d.toTensors([3, 9]);
    expect(xs.shape).toEqual([2, SIZE, SIZE, 1]);
    expect(xs.dtype).toBe('float32');
    expect(ys.shape).toEqual([2, 7]);
    expect(ys.dtype).toBe('float32');
    const x = await xs.data();
    expect(x[0]).toBeCloseTo(30 / 255, 6);
    expect(x[PX + 5]).toBeCloseTo(90 / 255, 6);
    expect(await ys.array()).toEqual([[0, 0, 0, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0]]);
    xs.dispose(); ys.dispose();
  });

  it('defaults to every image and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const { xs, ys } = dataset().toTensors();
    expect(xs.shape[0]).toBe(N);
    expect(ys.shape[0]).toBe(N);
    xs.dispose(); ys.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses the class count of a custom class list', async () => {
    const classes = [...EMOTIONS, 'Contempt'];
    const images = new Uint8Array(2 * PX);
    const d = FerDataset.fromArrays(images, [7, 0], { size: SIZE, classes });
    expect(d.classCounts().Contempt).toBe(1);
    const { xs, ys } = d.toTensors();
    expect(ys.shape).toEqual([2, 8]);
    expect((await ys.array())[0][7]).toBe(1);
    xs.dispose(); ys.dispose();
  });
});

describe('batches', () => {
  async function epoch(d: FerDataset, batchSize: number, options: Parameters<FerDataset['batches']>[1]): Promise<number[][]> {
    const out: number[][] = [];
    for (const b of d.batches(batchSize, options)) {
      out.push(await batchIndices(b));
      const labels = await tf.argMax(b.ys, 1).data();
      expect(Array.from(labels)).toEqual(out[out.length - 1].map((i) => LABELS[i]));
      b.xs.dispose(); b.ys.dispose();
    }
    return out;
  }

  it('covers every image once, in order without shuffle', async () => {
    const b = await epoch(dataset(), 4, { shuffle: false });
    expect(b).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('drops the remainder when asked', async () => {
    const b = await epoch(dataset(), 4, { shuffle: false, dropRemainder: true });
    expect(b).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(await epoch(dataset(), 5, { dropRemainder: true })).toHaveLength(2);
  });

  it('shuffles deterministically per seed', async () => {
    const d = dataset();
    const a = await epoch(d, 3, { seed: 7 });
    const again = await epoch(d, 3, { seed: 7 });
    const other = await epoch(d, 3, { seed: 8 });
    expect(again).toEqual(a);
    expect(other.flat()).not.toEqual(a.flat());
    expect([...a.flat()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...other.flat()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a.map((b) => b.length)).toEqual([3, 3, 3, 1]);
  });

  it('augments deterministically per seed and keeps shapes', async () => {
    const d = dataset();
    const run = async (seed: number) => {
      const out: number[][] = [];
      for (const b of d.batches(4, { seed, augment: { rotation: 20, flip: true } })) {
        expect(b.xs.shape).toEqual([b.ys.shape[0], SIZE, SIZE, 1]);
        out.push(Array.from(await b.xs.data()));
        b.xs.dispose(); b.ys.dispose();
      }
      return out;
    };
    expect(await run(3)).toEqual(await run(3));
  });

  it('rejects a bad batch size', () => {
    expect(() => dataset().batches(0).next()).toThrow(/batchSize must be a positive integer/);
    expect(() => dataset().batches(2.5).next()).toThrow(RangeError);
  });
});
