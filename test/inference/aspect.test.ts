/**
 * Inputs classified as face crops must be able to be a face: a 10×10000 strip (answered "Happy
 * 91.6%" before) is refused naming its size and the limit (4:1 by default), whatever the input
 * kind; ordinary crops and moderately non-square images still go through.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { ImageInputError, MAX_FACE_ASPECT, toGrayImages } from '../../src/inference/input.js';
import { grayPng } from '../data/image-fixtures.js';

let dir: string;
let model: ReturnType<typeof buildCnnLstm>;
beforeAll(async () => {
  await setBackend('cpu');
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  dir = mkdtempSync(join(tmpdir(), 'fer-aspect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const strip = (w: number, h: number) => {
  const px = new Uint8Array(w * h);
  for (let i = 0; i < px.length; i++) px[i] = (i * 31) % 256;
  return px;
};

describe('face-crop aspect ratio', () => {
  it('refuses a 10×10000 PNG strip by path, naming the file, its size and the limit', async () => {
    const path = join(dir, 'strip.png');
    writeFileSync(path, grayPng(10, 10000, strip(10, 10000)));
    const e = await classifyEmotion(path, { model }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImageInputError);
    expect((e as Error).message).toBe(`${path}: 10×10000 pixels (aspect 1000:1) cannot be a face crop, the limit is 4:1 — crop the face first, or detect faces in the full photo (detectEmotions, predict --faces)`);
  });

  it('refuses wide tensors and pixel data, with the index in a batch', async () => {
    const t = tf.fill([20, 100, 1], 128);
    await expect(classifyEmotion(t, { model })).rejects.toThrow(/^tensor of shape \[20,100,1\] \(float32\): 100×20 pixels \(aspect 5:1\) cannot be a face crop/);
    const ok = { width: 48, height: 48, data: strip(48, 48) };
    const wide = { width: 300, height: 60, data: strip(300, 60) };
    await expect(classifyEmotion([ok, wide], { model })).rejects.toThrow(/^input\[1\]: object: 300×60 pixels \(aspect 5:1\)/);
    t.dispose();
  });

  it('takes square crops, 4:1 exactly and portrait photos of ordinary shape; maxAspect moves the limit', async () => {
    expect(MAX_FACE_ASPECT).toBe(4);
    for (const [w, h] of [[48, 48], [200, 50], [30, 40], [480, 640]]) {
      const { count } = await toGrayImages({ width: w, height: h, data: strip(w, h) });
      expect(count).toBe(1);
    }
    await expect(toGrayImages({ width: 201, height: 50, data: strip(201, 50) })).rejects.toThrow(/aspect 4\.02:1\) cannot be a face crop/);
    expect((await toGrayImages({ width: 10, height: 1000, data: strip(10, 1000) }, { maxAspect: Infinity })).count).toBe(1);
    await expect(toGrayImages({ width: 30, height: 40, data: strip(30, 40) }, { maxAspect: 0.5 })).rejects.toThrow(RangeError);
  });
});
