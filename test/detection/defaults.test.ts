/**
 * The named defaults of face detection and photos (src/detection/defaults.ts): their values, where
 * they are exported, that the code's defaults are theirs, and that the CLI's help states them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { DEFAULT_DETECT_OPTIONS, DEFAULT_PHOTO_OPTIONS, FACE_CROP_MAX_SIDE } from '../../src/detection/defaults.js';
import { detectFaceCrops } from '../../src/detection/detect-emotions.js';
import { loadFaceDetector } from '../../src/detection/detector.js';
import * as detection from '../../src/detection.js';
import * as root from '../../src/index.js';
import { predictCommand } from '../../src/cli/commands/predict.js';
import { videoCommand } from '../../src/cli/commands/video.js';
import { enqueueCommand } from '../../src/cli/commands/enqueue.js';
import { workerCommand } from '../../src/cli/commands/worker.js';
import { astronaut, compose } from './fixtures.js';

describe('DEFAULT_DETECT_OPTIONS and DEFAULT_PHOTO_OPTIONS', () => {
  it('hold the documented defaults, frozen', () => {
    expect(DEFAULT_DETECT_OPTIONS).toEqual({ minFaceScore: 0.5, maxFaces: 20, iouThreshold: 0.3, refine: 'auto' });
    expect(DEFAULT_PHOTO_OPTIONS).toEqual({ ...DEFAULT_DETECT_OPTIONS, faces: 'auto', align: true });
    expect(Object.isFrozen(DEFAULT_DETECT_OPTIONS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PHOTO_OPTIONS)).toBe(true);
  });

  it('are exported by fer-cnn-lstm/detection; the photo defaults also by the root entry', () => {
    expect(detection.DEFAULT_DETECT_OPTIONS).toBe(DEFAULT_DETECT_OPTIONS);
    expect(detection.DEFAULT_PHOTO_OPTIONS).toBe(DEFAULT_PHOTO_OPTIONS);
    expect(root.DEFAULT_PHOTO_OPTIONS).toBe(DEFAULT_PHOTO_OPTIONS);
  });

  it("FACE_CROP_MAX_SIDE is the size the CLI help gives for a face crop, and the root's", () => {
    expect(root.FACE_CROP_MAX_SIDE).toBe(FACE_CROP_MAX_SIDE);
    for (const command of [predictCommand, videoCommand, enqueueCommand, workerCommand]) {
      expect(command.help.replace(/\s+/g, ' '), command.name).toContain(`at most ${FACE_CROP_MAX_SIDE} px`);
    }
  });

  it("are the CLI help's defaults of --min-face-score and --max-faces", () => {
    for (const command of [predictCommand, videoCommand, enqueueCommand]) {
      expect(command.help, command.name).toMatch(new RegExp(`--min-face-score <n> .*\\(default ${DEFAULT_DETECT_OPTIONS.minFaceScore}\\)`));
      expect(command.help, command.name).toMatch(new RegExp(`--max-faces <n> .*\\(default ${DEFAULT_DETECT_OPTIONS.maxFaces}\\)`));
    }
  });
});

describe('the code without options answers as with the defaults spelled out', () => {
  beforeAll(async () => { await setBackend('wasm'); });

  it('FaceDetector.detect', async () => {
    const detector = await loadFaceDetector();
    // two faces, one small enough for the second look of refine: 'auto'
    const img = { ...compose(1024, 400, [{ x: 40, y: 20, scale: 0.6 }, { x: 600, y: 100, scale: 0.3, mirror: true }]).image, channels: 4 as const };
    const plain = await detector.detect(img);
    expect(plain).toHaveLength(2);
    expect(await detector.detect(img, { ...DEFAULT_DETECT_OPTIONS })).toEqual(plain);
  });

  it('detectFaceCrops (align)', async () => {
    const portrait = { ...astronaut(), channels: 4 as const };
    const [plain] = await detectFaceCrops(portrait);
    expect((await detectFaceCrops(portrait, { ...DEFAULT_PHOTO_OPTIONS }))[0]).toEqual(plain);
  });
});
