import { describe, expect, it } from 'vitest';
import { gaussianBlurPixels, gaussianKernel } from '../../src/data/blur.js';

describe('gaussianKernel', () => {
  it('is normalised, symmetric, peaked, of radius ceil(3σ)', () => {
    const k = gaussianKernel(3);
    expect(k.length).toBe(19);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(k[9]).toBeGreaterThan(k[8]);
    expect(k[0]).toBeCloseTo(k[18], 7);
    expect(() => gaussianKernel(0)).toThrow(/sigma/);
  });
});

describe('gaussianBlurPixels', () => {
  it('keeps constant images constant and softens an edge', () => {
    const size = 16;
    const flat = new Uint8Array(size * size).fill(90);
    expect(Array.from(gaussianBlurPixels(flat, size, 2))).toEqual(Array.from(flat));
    const step = Uint8Array.from({ length: size * size }, (_, i) => (i % size < 8 ? 0 : 200));
    const out = gaussianBlurPixels(step, size, 1.5);
    expect(out[8 * size + 7]).toBeGreaterThan(0);
    expect(out[8 * size + 8]).toBeLessThan(200);
    expect(out[8 * size + 8]).toBeGreaterThan(out[8 * size + 7]);
    expect(out[8 * size]).toBe(0); // far from the edge, unchanged
  });

  it('blurs each image of a batch on its own', () => {
    const size = 8;
    const two = new Uint8Array(2 * size * size);
    two.fill(255, size * size);
    const out = gaussianBlurPixels(two, size, 1);
    expect(Math.max(...out.subarray(0, size * size))).toBe(0);
    expect(Math.min(...out.subarray(size * size))).toBe(255);
  });

  it('returns a copy for sigma 0 and rejects bad input', () => {
    const px = new Uint8Array(16).fill(3);
    const copy = gaussianBlurPixels(px, 4, 0);
    expect(copy).not.toBe(px);
    expect(Array.from(copy)).toEqual(Array.from(px));
    expect(() => gaussianBlurPixels(new Uint8Array(15), 4, 1)).toThrow(/4×4/);
    expect(() => gaussianBlurPixels(px, 4, -1)).toThrow(/sigma/);
  });
});
