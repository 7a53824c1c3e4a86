/**
 * Eye alignment: the crop of a tilted face is turned upright by the roll of its eye line.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { cropRaster, eyeRoll, rotatedCropRaster } from '../../src/detection/crop.js';
import { detectFaceCrops } from '../../src/detection/detect-emotions.js';
import { toGraySquare, type Raster } from '../../src/data/image.js';
import { astronaut } from './fixtures.js';

beforeAll(async () => { await setBackend('wasm'); });

/** `img` turned by `degrees` clockwise about its centre (bilinear, edges repeated), same size. */
function rotate(img: Raster, degrees: number): Raster {
  const a = (degrees * Math.PI) / 180;
  // the inverse: output pixel → source, rotating by −a
  return rotatedCropRaster(img, { x: 0, y: 0, width: img.width, height: img.height }, -a);
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

describe('eyeRoll and rotatedCropRaster', () => {
  it('eyeRoll is the angle of the right-eye → left-eye line, positive clockwise', () => {
    expect(eyeRoll([[10, 10], [20, 10]])).toBe(0);
    expect(eyeRoll([[10, 10], [20, 20]])).toBeCloseTo(Math.PI / 4, 10);
    expect(eyeRoll([[10, 20], [20, 10]])).toBeCloseTo(-Math.PI / 4, 10);
    expect(eyeRoll([])).toBe(0);
  });

  it('angle 0 is the plain crop; a quarter turn reads the region rotated', () => {
    const img: Raster = { width: 4, height: 4, channels: 1, data: Uint8Array.from({ length: 16 }, (_, i) => i * 10) };
    const region = { x: 0, y: 0, width: 4, height: 4 };
    expect(rotatedCropRaster(img, region, 0)).toEqual(cropRaster(img, region));
    const q = rotatedCropRaster(img, region, Math.PI / 2);
    // output (x, y) reads source (centre + R(90°)(dx, dy)) = (cx − dy, cy + dx): output row 0 is source column 3, top to bottom
    expect(Array.from(q.data.subarray(0, 4))).toEqual([30, 70, 110, 150].map((v) => Math.round(v)));
  });
});

describe('aligned face crops', () => {
  it('a face tilted by ±20° is found with that roll and cropped upright: closer to the upright crop than without alignment', async () => {
    const a = astronaut();
    const upright: Raster = { width: a.width, height: a.height, channels: 4, data: a.data };
    const [ref] = await detectFaceCrops(upright, { align: false });
    const refGray = toGraySquare(ref.pixels, 48).pixels;
    for (const degrees of [20, -20]) {
      const tilted = rotate(upright, degrees);
      const [aligned] = await detectFaceCrops(tilted);
      const [plain] = await detectFaceCrops(tilted, { align: false });
      expect(aligned.roll - ref.roll).toBeGreaterThan(degrees - 6);
      expect(aligned.roll - ref.roll).toBeLessThan(degrees + 6);
      const dAligned = meanAbsDiff(toGraySquare(aligned.pixels, 48).pixels, refGray);
      const dPlain = meanAbsDiff(toGraySquare(plain.pixels, 48).pixels, refGray);
      expect(dAligned, `${degrees}°`).toBeLessThan(dPlain * 0.7);
    }
  });
});
