/**
 * The code reads its defaults from src/detection/defaults.ts, not from literals of its own: with
 * that module's constants changed (mocked), the answers without options change with them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { detectFaceCrops } from '../../src/detection/detect-emotions.js';
import { FaceDetector } from '../../src/detection/detector.js';
import { predictEmotion } from '../../src/detection/photo.js';
import { astronaut } from './fixtures.js';

const defaults = vi.hoisted(() => {
  const detect = { minFaceScore: 0.5, maxFaces: 20, iouThreshold: 0.3, refine: 'auto' as unknown };
  return { detect, photo: { ...detect, faces: 'auto' as unknown, align: true as unknown } };
});
vi.mock('../../src/detection/defaults.js', () => ({ DEFAULT_DETECT_OPTIONS: defaults.detect, DEFAULT_PHOTO_OPTIONS: defaults.photo }));

/** Runs `fn` with some of the (mocked) defaults changed. */
async function withDefaults(group: 'detect' | 'photo', change: Record<string, unknown>, fn: () => Promise<void>): Promise<void> {
  const target = defaults[group] as Record<string, unknown>;
  const saved = { ...target };
  Object.assign(target, change);
  try {
    await fn();
  } finally {
    Object.assign(target, saved);
  }
}

describe('the defaults the code reads', () => {
  let detector: FaceDetector;
  const tiny = { width: 2, height: 2, channels: 1 as const, data: new Uint8Array(4) };
  beforeAll(async () => {
    await setBackend('wasm');
    detector = await FaceDetector.load();
  });
  afterAll(() => detector?.dispose());

  it('FaceDetector.detect: each of DEFAULT_DETECT_OPTIONS', async () => {
    await withDefaults('detect', { minFaceScore: 2 }, () => expect(detector.detect(tiny)).rejects.toThrow(/minFaceScore must be in \[0, 1\], got 2/));
    await withDefaults('detect', { maxFaces: 1.5 }, () => expect(detector.detect(tiny)).rejects.toThrow(/maxFaces must be a non-negative integer, got 1.5/));
    await withDefaults('detect', { iouThreshold: 3 }, () => expect(detector.detect(tiny)).rejects.toThrow(/iouThreshold must be in \[0, 1\], got 3/));
    await withDefaults('detect', { refine: 'sometimes' }, () => expect(detector.detect(tiny)).rejects.toThrow(/refine must be true, false or 'auto', got sometimes/));
    // and the values themselves: a portrait's face is found, or not
    const portrait = { ...astronaut(), channels: 4 as const };
    expect(await detector.detect(portrait)).toHaveLength(1);
    await withDefaults('detect', { maxFaces: 0 }, async () => { expect(await detector.detect(portrait)).toEqual([]); });
    await withDefaults('detect', { minFaceScore: 1 }, async () => { expect(await detector.detect(portrait)).toEqual([]); });
  });

  it('detectFaceCrops: align of DEFAULT_PHOTO_OPTIONS', async () => {
    const portrait = { ...astronaut(), channels: 4 as const };
    const [aligned] = await detectFaceCrops(portrait, { align: true });
    const [plain] = await detectFaceCrops(portrait, { align: false });
    expect(plain.pixels).not.toEqual(aligned.pixels);
    expect((await detectFaceCrops(portrait))[0].pixels).toEqual(aligned.pixels);
    await withDefaults('photo', { align: false }, async () => { expect((await detectFaceCrops(portrait))[0].pixels).toEqual(plain.pixels); });
  });

  it('predictEmotion / classifyEmotion: faces of DEFAULT_PHOTO_OPTIONS', async () => {
    await withDefaults('photo', { faces: 'never' }, () => expect(predictEmotion(tiny)).rejects.toThrow(/faces must be auto, detect, crop, got never/));
  });
});
