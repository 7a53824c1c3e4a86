import { describe, expect, it } from 'vitest';
import { letterbox, scanWindows } from '../../src/detection/scan.js';

describe('letterbox', () => {
  it('letterboxes to a square in [-1, 1], padding the short side', () => {
    const img = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8).fill(255) };
    expect(Array.from(letterbox(img, 2))).toEqual([1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1]);
  });

  it('samples a window, area-averaging when shrinking, black outside the image', () => {
    // 4×2 RGB: left half red, right half blue
    const data = new Uint8Array(4 * 2 * 3);
    for (let i = 0; i < 8; i++) data.set(i % 4 < 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const img = { width: 4, height: 2, channels: 3 as const, data };
    // window x 1..5, y -1..3 at 2×2: each output pixel averages a 2×2 source box
    const out = Array.from(letterbox(img, 2, { x: 1, y: -1, side: 4 }));
    const v = (a: number): number => a / 127.5 - 1;
    expect(out.slice(0, 3).map((x) => +x.toFixed(4))).toEqual([v(255 / 4), -1, v(255 / 4)].map((x) => +x.toFixed(4)));
    expect(out.slice(3, 6).map((x) => +x.toFixed(4))).toEqual([-1, -1, v(255 / 4)].map((x) => +x.toFixed(4)));
    // enlarging: a 1×1 window inside the red half is red everywhere
    expect(Array.from(letterbox(img, 2, { x: 0, y: 0, side: 1 }))).toEqual([1, -1, -1, 1, -1, -1, 1, -1, -1, 1, -1, -1]);
  });
});

describe('scanWindows', () => {
  it('is the whole photo without minFaceSize, or when it is large enough', () => {
    expect(scanWindows(640, 480)).toEqual([[0, 0, 640]]);
    expect(scanWindows(640, 480, 30)).toEqual([[0, 0, 640]]); // 640 / 22 = 29 px already found whole
  });

  it('adds half-size tiles overlapping by half, covering the photo, per level', () => {
    const w = scanWindows(1000, 300, 30);
    expect(w[0]).toEqual([0, 0, 1000]);
    expect(w.slice(1)).toEqual([[0, 0, 500], [250, 0, 500], [500, 0, 500]]);
    const square = scanWindows(1600, 1600, 20);
    expect(square.filter(([, , s]) => s === 800)).toHaveLength(9);
    expect(square.filter(([, , s]) => s === 400)).toHaveLength(49);
    for (const [x, y, s] of square) expect(x + s <= 1600 && y + s <= 1600).toBe(true);
    expect(() => scanWindows(10, 10, 0)).toThrow(/minFaceSize must be a positive number/);
  });
});
