/**
 * Issue 13.9: face boxes stay inside the photo; `minFaceSize` has a sensible minimum.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { clampBox } from '../../src/detection/boxes.js';
import { loadFaceDetector } from '../../src/detection/detector.js';
import { MIN_FACE_SIZE, scanWindows } from '../../src/detection/scan.js';
import { astronaut } from './fixtures.js';

beforeAll(async () => {
  await setBackend('wasm');
});

describe('clampBox', () => {
  it('keeps the part of a box inside the image', () => {
    expect(clampBox({ x: -16, y: 74, width: 102, height: 102 }, 322, 512)).toEqual({ x: 0, y: 74, width: 86, height: 102 });
    expect(clampBox({ x: 300, y: 480, width: 50, height: 50 }, 322, 512)).toEqual({ x: 300, y: 480, width: 22, height: 32 });
    expect(clampBox({ x: 10, y: 10, width: 5, height: 5 }, 100, 100)).toEqual({ x: 10, y: 10, width: 5, height: 5 });
    expect(clampBox({ x: -50, y: 0, width: 20, height: 20 }, 100, 100).width).toBe(0);
  });
});

describe('face at the edge of a photo', () => {
  it('gets a box inside the photo (the detector\'s own box reaches past the left edge)', async () => {
    const a = astronaut();
    const x0 = 190, w = a.width - x0; // cut the astronaut's face at the left edge
    const data = new Uint8Array(w * a.height * 4);
    for (let y = 0; y < a.height; y++) data.set(a.data.subarray((y * a.width + x0) * 4, (y * a.width + a.width) * 4), y * w * 4);
    const faces = await (await loadFaceDetector()).detect({ width: w, height: a.height, channels: 4, data });
    expect(faces.length).toBeGreaterThan(0);
    for (const { box } of faces) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(w);
      expect(box.y + box.height).toBeLessThanOrEqual(a.height);
    }
    expect(faces[0].box.x).toBe(0);
  });
});

describe('minFaceSize', () => {
  it(`must be at least ${MIN_FACE_SIZE} px: a RangeError below, a handful of windows at the minimum`, () => {
    expect(MIN_FACE_SIZE).toBe(20);
    for (const s of [1, 5, 19.9]) expect(() => scanWindows(512, 512, s)).toThrow(/minFaceSize must be at least 20 pixels/);
    expect(scanWindows(512, 512, 20).length).toBeLessThanOrEqual(10);
  });
});
