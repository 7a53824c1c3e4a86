import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf, tfl } from '../../src/backends/tf.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { ferCropBox } from '../../src/detection/crop.js';
import { EMOTIONS, isEmotion } from '../../src/emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { ImageInputError } from '../../src/inference/input.js';
import { encodePng } from '../inference/fixtures.js';
import { ASTRONAUT, ASTRONAUT_FACE, ROOT, compose } from './fixtures.js';

const HAS_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json'));
const center = (b: { x: number; y: number; width: number; height: number }): [number, number] => [b.x + b.width / 2, b.y + b.height / 2];

let model: tfl.LayersModel;
beforeAll(async () => {
  await setBackend('wasm');
  // a tiny untrained emotion model: these tests check detection and plumbing, not accuracy
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
});
afterAll(() => model?.dispose());

function expectValidEmotion(f: { emotion: string; confidence: number; scores: Record<string, number> }): void {
  expect(isEmotion(f.emotion)).toBe(true);
  expect(Object.keys(f.scores)).toEqual([...EMOTIONS]);
  const sum = Object.values(f.scores).reduce((a, b) => a + b, 0);
  expect(sum).toBeCloseTo(1, 4);
  expect(f.confidence).toBe(Math.max(...Object.values(f.scores)));
  expect(f.scores[f.emotion as keyof typeof f.scores]).toBe(f.confidence);
}

describe('detectEmotions', () => {
  it('frames the astronaut like its FER-style face crop (x 162–291, y 62–191)', async () => {
    const faces = await detectEmotions(ASTRONAUT, { model });
    expect(faces).toHaveLength(1);
    const [f] = faces;
    expectValidEmotion(f);
    expect(f.faceScore).toBeGreaterThan(0.7);
    expect(f.crop).toEqual(ferCropBox(f.box));
    const [cx, cy] = center(f.crop), [rx, ry] = center(ASTRONAUT_FACE);
    expect(Math.abs(cx - rx)).toBeLessThan(6);
    expect(Math.abs(cy - ry)).toBeLessThan(6);
    expect(Math.abs(f.crop.width - ASTRONAUT_FACE.width) / ASTRONAUT_FACE.width).toBeLessThan(0.06);
  });

  it('finds every face of a composed photo: three astronauts, one mirrored, at three scales', async () => {
    const { image, faces: expected } = compose(1200, 520, [
      { x: 0, y: 0, scale: 1 }, { x: 520, y: 100, scale: 0.8, mirror: true }, { x: 940, y: 180, scale: 0.5 },
    ]);
    const png = encodePng(image.width, image.height, image.data);
    for (const input of [png, { width: image.width, height: image.height, data: image.data }]) {
      const faces = await detectEmotions(input, { model });
      expect(faces).toHaveLength(3);
      const byX = [...faces].sort((a, b) => a.box.x - b.box.x);
      byX.forEach((f, i) => {
        const ref = expected[i];
        const [cx, cy] = center(f.crop), [rx, ry] = center(ref);
        expect(Math.abs(cx - rx) / ref.width, `face ${i} x`).toBeLessThan(0.1);
        expect(Math.abs(cy - ry) / ref.width, `face ${i} y`).toBeLessThan(0.1);
        expect(Math.abs(f.crop.width - ref.width) / ref.width, `face ${i} size`).toBeLessThan(0.12);
        expect(f.faceScore).toBeGreaterThanOrEqual(0.5);
        expectValidEmotion(f);
      });
      // best detection first
      expect(faces.map((f) => f.faceScore)).toEqual([...faces.map((f) => f.faceScore)].sort((a, b) => b - a));
    }
  });

  it('honours maxFaces and minFaceScore', async () => {
    const { image } = compose(900, 420, [{ x: 0, y: 0, scale: 0.8 }, { x: 420, y: 60, scale: 0.7, mirror: true }]);
    const input = { width: image.width, height: image.height, data: image.data };
    const all = await detectEmotions(input, { model });
    expect(all).toHaveLength(2);
    const one = await detectEmotions(input, { model, maxFaces: 1 });
    expect(one).toHaveLength(1);
    expect(one[0].faceScore).toBe(all[0].faceScore);
    expect(await detectEmotions(input, { model, minFaceScore: 1 })).toEqual([]);
  });

  it('returns no faces for a photo without any, and checks the framing anyway', async () => {
    const blank = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(90) };
    expect(await detectEmotions(blank, { model })).toEqual([]);
    await expect(detectEmotions(blank, { model, framing: { scale: -1 } })).rejects.toThrow(/framing.scale must be a positive number/);
  });

  it('applies a framing override to the crop', async () => {
    const [f] = await detectEmotions(ASTRONAUT, { model, framing: { scale: 2, offsetY: -0.1 } });
    expect(f.crop.width).toBeCloseTo(2 * Math.max(f.box.width, f.box.height));
    expect(center(f.crop)[1]).toBeCloseTo(center(f.box)[1] - 0.1 * f.box.height);
  });

  it('accepts a tensor and rejects a batch', async () => {
    const { image } = compose(512, 512, [{ x: 0, y: 0, scale: 1 }]);
    const rgba = tf.tensor3d(image.data, [512, 512, 4], 'int32');
    const faces = await detectEmotions(rgba, { model });
    rgba.dispose();
    expect(faces).toHaveLength(1);
    expect(Math.abs(center(faces[0].crop)[0] - center(ASTRONAUT_FACE)[0])).toBeLessThan(6);
    const t = tf.zeros([2, 8, 8, 3]);
    await expect(detectEmotions(t as tf.Tensor, { model })).rejects.toThrow(ImageInputError);
    await expect(detectEmotions(t as tf.Tensor, { model })).rejects.toThrow(/holds 2 images: detectEmotions takes one image/);
    await expect(detectEmotions([ASTRONAUT] as unknown as string, { model })).rejects.toThrow(/takes one image/);
    t.dispose();
  });

  it.skipIf(!HAS_WEIGHTS)(HAS_WEIGHTS ? 'classifies with the shipped weights by default' : 'classifies with the shipped weights (skipped: weights/model.json is absent)', async () => {
    const faces = await detectEmotions(ASTRONAUT);
    expect(faces).toHaveLength(1);
    expectValidEmotion(faces[0]);
  });
});
