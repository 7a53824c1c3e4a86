import { describe, expect, it } from 'vitest';
import { cropRaster, ferCropBox, FER_FRAMING } from '../../src/detection/crop.js';
import type { Raster } from '../../src/data/image.js';

describe('ferCropBox', () => {
  it('makes a square 1.25× the box, centred, 0.01 box heights lower (the measured FER framing)', () => {
    expect(FER_FRAMING).toEqual({ scale: 1.25, offsetX: 0, offsetY: 0.01 });
    const c = ferCropBox({ x: 100, y: 50, width: 80, height: 80 });
    expect(c.width).toBeCloseTo(100);
    expect(c.height).toBeCloseTo(100);
    expect(c.x + c.width / 2).toBeCloseTo(140);
    expect(c.y + c.height / 2).toBeCloseTo(90 + 0.8);
  });

  it('uses the larger side of a non-square box and applies offsets in box units', () => {
    const c = ferCropBox({ x: 0, y: 0, width: 40, height: 100 }, { scale: 2, offsetX: 0.5, offsetY: -0.1 });
    expect(c.width).toBeCloseTo(200);
    expect(c.height).toBeCloseTo(200);
    expect(c.x + c.width / 2).toBeCloseTo(20 + 0.5 * 40);
    expect(c.y + c.height / 2).toBeCloseTo(50 - 0.1 * 100);
  });

  it('maps the astronaut detector box onto the reference face crop (x 162–291, y 62–191)', () => {
    // BlazeFace's refined box on examples/images/astronaut.png (measured, see docs/face-detection.md)
    const c = ferCropBox({ x: 172.2, y: 73.1, width: 103.9, height: 103.9 });
    expect(Math.abs(c.x - 162)).toBeLessThan(4);
    expect(Math.abs(c.y - 62)).toBeLessThan(4);
    expect(Math.abs(c.width - 130)).toBeLessThan(2);
  });

  it('rejects bad framing and empty boxes', () => {
    expect(() => ferCropBox({ x: 0, y: 0, width: 10, height: 10 }, { scale: 0 })).toThrow(/framing.scale must be a positive number/);
    expect(() => ferCropBox({ x: 0, y: 0, width: 10, height: 10 }, { offsetX: NaN })).toThrow(/offsets must be finite/);
    expect(() => ferCropBox({ x: 0, y: 0, width: 0, height: 10 })).toThrow(/positive size/);
  });
});

describe('cropRaster', () => {
  const img: Raster = { width: 3, height: 2, channels: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };

  it('copies the rounded region', () => {
    const r = cropRaster(img, { x: 0.6, y: -0.2, width: 2, height: 2 });
    expect([r.width, r.height, r.channels]).toEqual([2, 2, 1]);
    expect([...r.data]).toEqual([2, 3, 5, 6]);
  });

  it('repeats the edge pixels outside the image', () => {
    const r = cropRaster(img, { x: -1, y: -1, width: 5, height: 4 });
    expect([r.width, r.height]).toEqual([5, 4]);
    expect([...r.data]).toEqual([1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6]);
  });

  it('keeps every channel', () => {
    const rgb: Raster = { width: 2, height: 1, channels: 3, data: Uint8Array.from([10, 20, 30, 40, 50, 60]) };
    expect([...cropRaster(rgb, { x: 1, y: 0, width: 1, height: 1 }).data]).toEqual([40, 50, 60]);
  });
});
