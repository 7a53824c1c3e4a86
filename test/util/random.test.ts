import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/random.js';

function stats(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length };
}

describe('Random', () => {
  it('normal() has mean 0 and variance 1', () => {
    const r = new Random(1);
    const { mean, variance } = stats(Array.from({ length: 20000 }, () => r.normal()));
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });

  it('gamma(k) has mean k and variance k, below and above shape 1', () => {
    for (const k of [0.3, 1, 2.5]) {
      const r = new Random(7);
      const xs = Array.from({ length: 20000 }, () => r.gamma(k));
      expect(xs.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
      const { mean, variance } = stats(xs);
      expect(Math.abs(mean - k) / k, `mean of gamma(${k})`).toBeLessThan(0.04);
      expect(Math.abs(variance - k) / k, `variance of gamma(${k})`).toBeLessThan(0.1);
    }
    expect(() => new Random(1).gamma(0)).toThrow(/shape must be > 0/);
  });

  it('beta(a, a) lies in [0, 1] with mean 1/2 and variance 1 / (4(2a + 1))', () => {
    for (const a of [0.2, 1, 4]) {
      const r = new Random(3);
      const xs = Array.from({ length: 20000 }, () => r.beta(a, a));
      expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
      const { mean, variance } = stats(xs);
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(variance - 1 / (4 * (2 * a + 1))) / (1 / (4 * (2 * a + 1)))).toBeLessThan(0.06);
    }
  });

  it('is deterministic per seed', () => {
    const a = new Random(9), b = new Random(9);
    expect(Array.from({ length: 5 }, () => a.beta(0.4, 0.4))).toEqual(Array.from({ length: 5 }, () => b.beta(0.4, 0.4)));
  });
});
