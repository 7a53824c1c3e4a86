/**
 * A photo stored sideways with EXIF Orientation 6 (as phones store portraits) is classified as it
 * is displayed: the same scores as the upright image, through file paths and bytes alike.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { decodeImage } from '../../src/data/decode.js';
import { toGraySquare } from '../../src/data/image.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { grayPng, withJpegOrientation, grayJpeg } from '../data/image-fixtures.js';

const HAPPY = join(__dirname, '../../../shared/datasets/fer2013/test/happy');

/** `gray` (w × h) turned 90° counter-clockwise: what a camera stores for a portrait shown with Orientation 6. */
function storedForOrientation6(gray: Uint8Array, w: number, h: number): Uint8Array {
  // displayed (x, y) comes from stored (y, h' - 1 - x) where the stored image is h wide and w high
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(w - 1 - x) * h + y] = gray[y * w + x];
  return out;
}

let dir: string;
beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-orient-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EXIF orientation in prediction', () => {
  it('classifies a face stored with Orientation 6 exactly as the upright face (PNG, by path and by bytes)', async () => {
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 3 });
    const w = 40, h = 56;
    const face = new Uint8Array(w * h);
    for (let i = 0; i < face.length; i++) face[i] = ((i % w) * 5 + Math.floor(i / w) * 2 + (i % 7) * 9) % 256;
    const upright = grayPng(w, h, face);
    const sideways = grayPng(h, w, storedForOrientation6(face, w, h), 6);
    writeFileSync(join(dir, 'upright.png'), upright);
    writeFileSync(join(dir, 'sideways.png'), sideways);
    const [a, b, c] = await classifyEmotion([join(dir, 'upright.png'), join(dir, 'sideways.png'), sideways], { model });
    expect(b.scores).toEqual(a.scores);
    expect(c.scores).toEqual(a.scores);
  });

  const happy = existsSync(HAPPY) ? readdirSync(HAPPY).filter((f) => f.endsWith('.jpg')).sort().slice(0, 8) : [];
  it.skipIf(happy.length === 0)('real FER-2013 faces saved sideways with Orientation 6 keep their label and confidence (shipped model; needs ../shared/datasets)', async () => {
    const upright: Buffer[] = [], sideways: Buffer[] = [];
    for (const f of happy) {
      const img = decodeImage(readFileSync(join(HAPPY, f)));
      const gray = toGraySquare(img, 48).pixels;
      upright.push(grayJpeg(48, 48, gray));
      sideways.push(withJpegOrientation(grayJpeg(48, 48, storedForOrientation6(gray, 48, 48)), 6));
    }
    const a = await classifyEmotion(upright);
    const b = await classifyEmotion(sideways);
    for (let i = 0; i < happy.length; i++) {
      expect(b[i].emotion).toBe(a[i].emotion);
      expect(Math.abs(b[i].confidence - a[i].confidence)).toBeLessThan(0.05); // only JPEG re-encoding differs
    }
  });
});
