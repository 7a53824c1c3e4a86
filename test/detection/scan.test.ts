import { describe, expect, it } from 'vitest';
import { fitInput, letterbox, scanWindows } from '../../src/detection/scan.js';

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

/** The direct definition: each output pixel averages the source area it covers (black outside), or samples bilinearly when enlarging. */
function reference(img: { width: number; height: number; channels: number; data: Uint8Array }, size: number | { width: number; height: number }, win: { x: number; y: number; side: number }): number[] {
  const { width, height, channels, data } = img;
  const { width: outW, height: outH } = typeof size === 'number' ? { width: size, height: size } : size;
  const step = win.side / Math.max(outW, outH);
  const at = (x: number, y: number, c: number): number => data[(y * width + x) * channels + (channels >= 3 ? c : 0)];
  const out: number[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const px = [0, 0, 0];
      if (step > 1) {
        const x0 = win.x + ox * step, x1 = x0 + step, y0 = win.y + oy * step, y1 = y0 + step;
        for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
          const ay = Math.min(y + 1, y1) - Math.max(y, y0);
          for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
            const a = (Math.min(x + 1, x1) - Math.max(x, x0)) * ay;
            if (a > 0 && ay > 0) for (let c = 0; c < 3; c++) px[c] += at(x, y, c) * a;
          }
        }
        for (let c = 0; c < 3; c++) px[c] /= step * step;
      } else {
        const cx = win.x + (ox + 0.5) * step, cy = win.y + (oy + 0.5) * step;
        if (cx >= 0 && cx < width && cy >= 0 && cy < height) {
          const fx = Math.min(width - 1, Math.max(0, cx - 0.5)), fy = Math.min(height - 1, Math.max(0, cy - 0.5));
          const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(width - 1, x0 + 1), y1 = Math.min(height - 1, y0 + 1);
          const ax = fx - x0, ay = fy - y0;
          for (let c = 0; c < 3; c++) px[c] = (at(x0, y0, c) * (1 - ax) + at(x1, y0, c) * ax) * (1 - ay) + (at(x0, y1, c) * (1 - ax) + at(x1, y1, c) * ax) * ay;
        }
      }
      out.push(...px.map((v) => v / 127.5 - 1));
    }
  }
  return out;
}

describe('letterbox against the direct definition', () => {
  it('matches it on random images and windows (shrinking by fractional steps, enlarging, windows past every edge)', () => {
    let seed = 5;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 40; trial++) {
      const width = 1 + Math.floor(rand() * 90), height = 1 + Math.floor(rand() * 90);
      const channels = [1, 3, 4][trial % 3];
      const data = new Uint8Array(width * height * channels).map(() => Math.floor(rand() * 256));
      const img = { width, height, channels: channels as 1 | 3 | 4, data };
      // square inputs, and inputs with one side shorter (the window's side spans the longer)
      const long = 4 + Math.floor(rand() * 20), short = 1 + Math.floor(rand() * long);
      const size = trial % 2 === 0 ? long : trial % 4 === 1 ? { width: long, height: short } : { width: short, height: long };
      const side = 1 + rand() * 120;
      const win = { x: (rand() - 0.3) * width, y: (rand() - 0.3) * height, side };
      const got = Array.from(letterbox(img, size, win));
      const want = reference(img, size, win);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i]), `trial ${trial} value ${i}`).toBeLessThan(1e-4);
    }
  });
});

describe('fitInput', () => {
  it('keeps the photo\'s aspect ratio, the longer side at the given size, the shorter rounded up to a multiple of 32', () => {
    expect(fitInput(640, 480, 256)).toEqual({ width: 256, height: 192 });
    expect(fitInput(480, 640, 256)).toEqual({ width: 192, height: 256 });
    expect(fitInput(512, 512, 256)).toEqual({ width: 256, height: 256 });
    expect(fitInput(1920, 1080, 256)).toEqual({ width: 256, height: 160 }); // 144 → 160
    expect(fitInput(1000, 10, 256)).toEqual({ width: 256, height: 32 });
  });

  it('shows the whole photo: a letterbox of the photo into it has no black rows beyond the rounding', () => {
    const img = { width: 64, height: 48, channels: 1 as const, data: new Uint8Array(64 * 48).fill(255) };
    const shape = fitInput(64, 48, 64); // 64 × 64: 48 rounds up to 64
    expect(shape).toEqual({ width: 64, height: 64 });
    const out = letterbox(img, { width: 64, height: 48 });
    expect(out.length).toBe(64 * 48 * 3);
    expect(out.every((v) => v === 1)).toBe(true);
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
