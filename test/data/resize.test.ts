/**
 * `resizeGray` (computed separably) against the direct definition of its resampling: each output
 * pixel the area-weighted mean of the source pixels its cell covers (when either side shrinks), or
 * the bilinear mix of its four neighbours (when both enlarge).
 */
import { describe, expect, it } from 'vitest';
import { resizeGray } from '../../src/data/image.js';

function reference(plane: Float32Array, width: number, height: number, size: number): number[] {
  const sx = width / size, sy = height / size;
  const out: number[] = [];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      let v: number;
      if (sx > 1 || sy > 1) {
        const x0 = ox * sx, x1 = x0 + sx, y0 = oy * sy, y1 = y0 + sy;
        let acc = 0, wsum = 0;
        for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
          const wy = Math.min(y + 1, y1) - Math.max(y, y0);
          for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
            const wx = Math.min(x + 1, x1) - Math.max(x, x0);
            if (wx > 0 && wy > 0) {
              acc += plane[y * width + x] * wx * wy;
              wsum += wx * wy;
            }
          }
        }
        v = acc / wsum;
      } else {
        const fx = Math.min(width - 1, Math.max(0, (ox + 0.5) * sx - 0.5)), fy = Math.min(height - 1, Math.max(0, (oy + 0.5) * sy - 0.5));
        const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(width - 1, x0 + 1), y1 = Math.min(height - 1, y0 + 1);
        const ax = fx - x0, ay = fy - y0;
        v = (1 - ay) * ((1 - ax) * plane[y0 * width + x0] + ax * plane[y0 * width + x1]) + ay * ((1 - ax) * plane[y1 * width + x0] + ax * plane[y1 * width + x1]);
      }
      out.push(v);
    }
  }
  return out;
}

describe('resizeGray', () => {
  it('equals the direct definition (to rounding) when shrinking, enlarging, and shrinking one side while enlarging the other', () => {
    let seed = 11;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shapes: [number, number, number][] = [[150, 150, 48], [640, 480, 48], [49, 47, 48], [30, 30, 48], [1, 1, 48], [7, 200, 48], [200, 7, 48], [97, 13, 5], [48, 48, 96]];
    for (const [width, height, size] of shapes) {
      const plane = new Float32Array(width * height).map(() => rand() * 255);
      const got = resizeGray(plane, width, height, size);
      const want = reference(plane, width, height, size);
      for (let i = 0; i < want.length; i++) {
        // the same value up to float rounding: only values within 1e-6 of a .5 may round the other way
        expect(Math.abs(got[i] - want[i]), `${width}×${height} → ${size}, pixel ${i}`).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
  });

  it('copies (rounded) at the same size', () => {
    expect(Array.from(resizeGray(Float32Array.from([0.4, 254.6, 10, 11]), 2, 2, 2))).toEqual([0, 255, 10, 11]);
  });
});
