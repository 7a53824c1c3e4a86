/**
 * The root entry's `classifyEmotion` / `predictEmotion` answer about faces: a face crop (square,
 * ≤ 96 px) as it is, a photo through the detector (its most prominent face), no face → NoFaceError.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf, tfl } from '../../src/backends/tf.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { classifyEmotion, FACE_CROP_MAX_SIDE, isFaceCrop, NoFaceError, predictEmotion } from '../../src/detection/photo.js';
import * as root from '../../src/index.js';
import { classifyEmotion as classifyWhole } from '../../src/inference/predict.js';
import { ImageInputError } from '../../src/inference/input.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { encodePng } from '../inference/fixtures.js';
import { ASTRONAUT, ASTRONAUT_FACE, ROOT, compose } from './fixtures.js';

const HAS_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json'));

let model: tfl.LayersModel;
beforeAll(async () => {
  await setBackend('wasm');
  // a tiny untrained emotion model: plumbing, not accuracy
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
});
afterAll(() => model?.dispose());

/** A w×h RGBA image of mid-gray with a faint deterministic texture: no face anywhere. */
function noFace(w: number, h: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const v = 110 + ((i * 7919) % 37);
    data.set([v, v, v, 255], i * 4);
  }
  return { width: w, height: h, data };
}

describe('the face-crop rule (faces: auto)', () => {
  it('is square and at most 96 px', () => {
    expect(FACE_CROP_MAX_SIDE).toBe(96);
    expect(isFaceCrop(48, 48)).toBe(true);
    expect(isFaceCrop(96, 96)).toBe(true);
    expect(isFaceCrop(97, 97)).toBe(false);
    expect(isFaceCrop(48, 47)).toBe(false);
    expect(isFaceCrop(512, 512)).toBe(false);
  });

  it('classifies a 48×48 face crop as it is, the same answer as the whole-image classifier, without face fields', async () => {
    const face = noFace(48, 48);
    const auto = await classifyEmotion(face, { model });
    const whole = await classifyWhole(face, { model });
    expect(auto).toEqual(whole);
    expect(auto.faceCount).toBeUndefined();
    expect(auto.box).toBeUndefined();
  });

  it("'detect' sends even a small square image through the detector; 'crop' never detects", async () => {
    await expect(classifyEmotion(noFace(48, 48), { model, faces: 'detect' })).rejects.toBeInstanceOf(NoFaceError);
    const big = noFace(300, 200);
    expect(await classifyEmotion(big, { model, faces: 'crop' })).toEqual(await classifyWhole(big, { model }));
  });

  it('rejects an unknown faces mode, naming the accepted ones', async () => {
    await expect(classifyEmotion(ASTRONAUT, { model, faces: 'yes' as never })).rejects.toThrow('faces must be auto, detect, crop, got yes');
  });
});

describe('photos', () => {
  it('the root entry exports the face-aware functions and NoFaceError', () => {
    expect(root.classifyEmotion).toBe(classifyEmotion);
    expect(root.predictEmotion).toBe(predictEmotion);
    expect(root.NoFaceError).toBe(NoFaceError);
  });

  it('answers for the face of a portrait (the detector\'s crop), with how many faces and where', async () => {
    const c = await classifyEmotion(ASTRONAUT, { model });
    const [face] = await detectEmotions(ASTRONAUT, { model });
    expect(c.faceCount).toBe(1);
    expect(c.box).toEqual(face.box);
    expect(c.crop).toEqual(face.crop);
    expect(c.faceScore).toBe(face.faceScore);
    expect(c.scores).toEqual(face.scores);
    const f = ASTRONAUT_FACE;
    expect(c.box!.x).toBeGreaterThan(f.x);
    expect(c.box!.x + c.box!.width).toBeLessThan(f.x + f.width);
    // not the whole frame's answer
    expect(c.scores).not.toEqual((await classifyWhole(ASTRONAUT, { model })).scores);
  });

  it.skipIf(!HAS_WEIGHTS)('with the shipped model: the astronaut portrait is Happy (its whole frame reads Angry)', async () => {
    const c = await classifyEmotion(ASTRONAUT);
    expect(c.emotion).toBe('Happy');
    expect(c.confidence).toBeGreaterThan(0.8);
    expect(await predictEmotion(ASTRONAUT)).toBe('Happy');
    expect((await classifyEmotion(ASTRONAUT, { faces: 'crop' })).emotion).not.toBe('Happy');
  });

  it('several faces: answers for the most prominent (largest box × score) and counts them', async () => {
    const { image } = compose(900, 420, [{ x: 480, y: 40, scale: 0.6, mirror: true }, { x: 0, y: 0, scale: 0.8 }]);
    const c = await classifyEmotion(image, { model });
    const all = await detectEmotions(image, { model });
    expect(all).toHaveLength(2);
    expect(c.faceCount).toBe(2);
    const largest = all.reduce((a, b) => (b.box.width * b.box.height * b.faceScore > a.box.width * a.box.height * a.faceScore ? b : a));
    expect(largest.box.x).toBeLessThan(450); // the 0.8× copy on the left
    expect(c.box).toEqual(largest.box);
    expect(c.scores).toEqual(largest.scores);
  });

  it('a photo without a face gets a NoFaceError naming it, not an emotion', async () => {
    const err = await classifyEmotion(noFace(320, 240), { model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFaceError);
    expect((err as Error).message).toBe("object, 320×240 pixels: no face found (pass faces: 'crop' to classify the whole image as a face)");
    await expect(predictEmotion(encodePng(320, 240, noFace(320, 240).data), { model })).rejects.toThrow(/^byte array \(\d+ bytes\), 320×240 pixels: no face found/);
  });

  it('a batch: one answer per image, faces and crops mixed; a faceless image is a NoFaceError with its index', async () => {
    const crop = noFace(48, 48);
    const results = await classifyEmotion([ASTRONAUT, crop], { model });
    expect(results).toHaveLength(2);
    expect(results[0].faceCount).toBe(1);
    expect(results[1].faceCount).toBeUndefined();
    expect(results[1]).toEqual(await classifyWhole(crop, { model }));
    expect(await predictEmotion([ASTRONAUT, crop], { model })).toEqual(results.map((r) => r.emotion));
    const err = await classifyEmotion([crop, noFace(200, 100)], { model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoFaceError);
    expect((err as NoFaceError).index).toBe(1);
    expect((err as Error).message).toMatch(/^input\[1\]: object, 200×100 pixels: no face found/);
  });

  it('a 4-D tensor batch of face crops is classified as it is', async () => {
    const x = tf.randomUniform([3, 48, 48, 1], 0, 255, 'float32', 7) as tf.Tensor4D;
    try {
      expect(await classifyEmotion(x, { model })).toEqual(await classifyWhole(x, { model }));
    } finally {
      x.dispose();
    }
  });

  it('bad input is still an ImageInputError naming it', async () => {
    await expect(classifyEmotion([ASTRONAUT, 42 as never], { model })).rejects.toThrow(ImageInputError);
    await expect(classifyEmotion(join(ROOT, 'nope.png'), { model })).rejects.toThrow(`${join(ROOT, 'nope.png')}: no such file`);
  });
});
