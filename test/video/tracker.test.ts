import { describe, expect, it } from 'vitest';
import { FaceTracker } from '../../src/video/tracker.js';

const box = (x: number, y = 0, s = 100) => ({ x, y, width: s, height: s });

describe('FaceTracker', () => {
  it('keeps ids while boxes overlap, whatever their order; new faces get new ids', () => {
    const t = new FaceTracker();
    expect(t.update([box(0), box(300)])).toEqual([1, 2]);
    expect(t.update([box(310), box(10)])).toEqual([2, 1]);
    expect(t.update([box(20), box(600), box(320)])).toEqual([1, 3, 2]);
  });

  it('matches the best overlap first and never gives one id twice', () => {
    const t = new FaceTracker({ iouThreshold: 0.1 });
    t.update([box(0)]);
    // both overlap track 1; the closer one keeps it
    expect(t.update([box(60), box(5)])).toEqual([2, 1]);
  });

  it('a face unseen for more than maxMissed frames gets a new id; within it, the same', () => {
    const t = new FaceTracker({ maxMissed: 2 });
    expect(t.update([box(0)])).toEqual([1]);
    t.update([]);
    t.update([]);
    expect(t.update([box(5)])).toEqual([1]);
    t.update([]); t.update([]); t.update([]);
    expect(t.ended).toEqual([1]);
    expect(t.update([box(5)])).toEqual([2]);
    expect(() => new FaceTracker({ iouThreshold: 0 })).toThrow(RangeError);
    expect(() => new FaceTracker({ maxMissed: -1 })).toThrow(RangeError);
  });
});
