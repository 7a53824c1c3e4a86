import { describe, expect, it } from 'vitest';
import { iou, weightedNms, type DetectedFace } from '../../src/detection/boxes.js';

const face = (x: number, y: number, s: number, score: number): DetectedFace => ({
  box: { x, y, width: s, height: s }, score, landmarks: [[x, y]],
});

describe('iou', () => {
  it('computes intersection over union', () => {
    expect(iou({ x: 0, y: 0, width: 2, height: 2 }, { x: 1, y: 0, width: 2, height: 2 })).toBeCloseTo(2 / 6);
    expect(iou({ x: 0, y: 0, width: 1, height: 1 }, { x: 5, y: 5, width: 1, height: 1 })).toBe(0);
  });
});

describe('weightedNms', () => {
  it('merges overlapping candidates into a score-weighted box and keeps separate faces', () => {
    const kept = weightedNms([face(0, 0, 10, 0.9), face(2, 0, 10, 0.3), face(100, 100, 10, 0.8)], 0.3, 10);
    expect(kept).toHaveLength(2);
    expect(kept[0].score).toBe(0.9);
    expect(kept[0].box.x).toBeCloseTo((0 * 0.9 + 2 * 0.3) / 1.2);
    expect(kept[0].landmarks[0][0]).toBeCloseTo(0.5);
    expect(kept[1].box.x).toBe(100);
    expect(weightedNms([face(0, 0, 10, 0.9), face(100, 100, 10, 0.8)], 0.3, 1)).toHaveLength(1);
  });
});
