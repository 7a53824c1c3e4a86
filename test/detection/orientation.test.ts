/**
 * EXIF orientation before detection and classification: the astronaut portrait stored sideways
 * with Orientation 6 (as a phone stores a portrait) is found at the same place in the displayed
 * image, with the same emotion scores, as the upright file; the shipped model answers the
 * sideways face crop as the upright one (Happy), not as a face lying on its side.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import type { tfl } from '../../src/backends/tf.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { encodePng } from '../inference/fixtures.js';
import { turnCounterClockwise, withPngOrientation } from '../data/image-fixtures.js';
import { astronaut, ASTRONAUT_FACE, ROOT } from './fixtures.js';

const HAS_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json'));
let model: tfl.LayersModel;
beforeAll(async () => {
  await setBackend('wasm');
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
});
afterAll(() => model?.dispose());

/** The astronaut (or its region `crop`) as PNG bytes stored sideways with Orientation 6. */
function sideways(crop?: { x: number; y: number; width: number; height: number }): { upright: Buffer; stored: Buffer } {
  const a = astronaut();
  const r = crop ?? { x: 0, y: 0, width: a.width, height: a.height };
  const data = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) data.set(a.data.subarray(((r.y + y) * a.width + r.x) * 4, ((r.y + y) * a.width + r.x + r.width) * 4), y * r.width * 4);
  return {
    upright: encodePng(r.width, r.height, data),
    stored: withPngOrientation(encodePng(r.height, r.width, turnCounterClockwise(data, r.width, r.height)), 6),
  };
}

describe('EXIF orientation before detection', () => {
  it('finds the face of a portrait stored with Orientation 6 at its displayed place, with the same scores', async () => {
    // a non-square part of the photo, so that a sideways read would also give the wrong size
    const { upright, stored } = sideways({ x: 60, y: 0, width: 380, height: 480 });
    const [a] = await detectEmotions(upright, { model });
    const faces = await detectEmotions(stored, { model });
    expect(faces).toHaveLength(1);
    expect(faces[0].box).toEqual(a.box);
    expect(faces[0].scores).toEqual(a.scores);
    expect(Math.abs(a.box.x + 60 - ASTRONAUT_FACE.x)).toBeLessThan(15);
  });

  it.skipIf(!HAS_WEIGHTS)('the shipped model answers the sideways-stored face crop as the upright one (Happy)', async () => {
    const { upright, stored } = sideways(ASTRONAUT_FACE);
    const [a, b] = await classifyEmotion([upright, stored]);
    expect(a.emotion).toBe('Happy');
    expect(b.scores).toEqual(a.scores);
  });
});
