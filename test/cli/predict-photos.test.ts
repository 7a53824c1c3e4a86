/**
 * `fer-cnn-lstm predict` answers about faces by default: a face crop (square, ≤ 96 px) as it is, a
 * photo's most prominent face, a photo without a face gets "no face found" and exit 1 (a
 * `no-face` row in folder runs); `--crop` classifies whole images.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { setBackend } from '../../src/backends/select.js';
import { loadModel } from '../../src/model/io.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { classifyEmotion as classifyWhole } from '../../src/inference/predict.js';
import { ASTRONAUT, compose } from '../detection/fixtures.js';
import { gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string, model: string, noFace: string, crop: string, pair: string;

/** A w×h textured gray PNG without a face. */
function texture(w: number, h: number): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    const v = 110 + ((i * 7919) % 37);
    p.data[i * 4] = p.data[i * 4 + 1] = p.data[i * 4 + 2] = v;
    p.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(p);
}

beforeAll(async () => {
  await setBackend('wasm');
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  noFace = put(dir, 'wall.png', texture(320, 240));
  crop = put(dir, 'crop.png', png(gray(3)));
  const { image } = compose(900, 420, [{ x: 480, y: 40, scale: 0.6, mirror: true }, { x: 0, y: 0, scale: 0.8 }]);
  const p = new PNG({ width: image.width, height: image.height });
  p.data = Buffer.from(image.data);
  pair = put(dir, 'pair.png', PNG.sync.write(p));
});

describe('fer-cnn-lstm predict (faces by default)', () => {
  it('a photo: the answer of its face, with faceCount, box and faceScore in --json', async () => {
    const r = await runCli(['predict', ASTRONAUT, '--json', '--weights', model]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [o] = lines(r.stdout).map((l) => JSON.parse(l));
    const m = await loadModel(model);
    const [face] = await detectEmotions(ASTRONAUT, { model: m });
    expect(o.faceCount).toBe(1);
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(o.box[k]).toBeCloseTo(face.box[k], 3);
    expect(o.faceScore).toBeCloseTo(face.faceScore, 4);
    expect(o.emotion).toBe(face.emotion);
    for (const e of Object.keys(face.scores)) expect(o.scores[e]).toBeCloseTo(face.scores[e as keyof typeof face.scores], 6);
    m.dispose();
  });

  it('several faces: the most prominent one (the larger copy on the left), with the count', async () => {
    const r = await runCli(['predict', pair, '--json', '--weights', model]);
    expect(r.code).toBe(0);
    const [o] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(o.faceCount).toBe(2);
    expect(o.box.x).toBeLessThan(450);
  });

  it('a face crop (48×48) is classified as it is; --crop classifies a whole photo', async () => {
    const m = await loadModel(model);
    const r = await runCli(['predict', crop, '--json', '--weights', model]);
    expect(r.code).toBe(0);
    const [o] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(o.faceCount).toBeUndefined();
    expect(o.emotion).toBe((await classifyWhole(crop, { model: m })).emotion);
    const w = await runCli(['predict', ASTRONAUT, '--crop', '--json', '--weights', model]);
    expect(w.code).toBe(0);
    const [whole] = lines(w.stdout).map((l) => JSON.parse(l));
    expect(whole.box).toBeUndefined();
    const expected = await classifyWhole(ASTRONAUT, { model: m });
    for (const e of Object.keys(expected.scores)) expect(whole.scores[e]).toBeCloseTo(expected.scores[e as keyof typeof expected.scores], 6);
    m.dispose();
  });

  it('a photo without a face: one "no face found" line on stderr, no answer, exit 1; the others are answered', async () => {
    const r = await runCli(['predict', noFace, '--weights', model]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${noFace}: no face found (pass --crop to classify the whole image as a face)`]);
    const both = await runCli(['predict', noFace, crop, '--weights', model]);
    expect(both.code).toBe(1);
    expect(lines(both.stdout)).toHaveLength(1);
    expect(lines(both.stdout)[0]).toMatch(new RegExp(`^${crop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(lines(both.stderr)).toEqual([`fer-cnn-lstm: ${noFace}: no face found (pass --crop to classify the whole image as a face)`]);
    const whole = await runCli(['predict', noFace, '--crop', '--weights', model]);
    expect(whole.code).toBe(0);
  });

  it('a folder run: a no-face row for the faceless photo, the photo row is its face, CSV columns unchanged', async () => {
    const folder = join(dir, 'mixed');
    put(folder, 'a-astronaut.png', readFileSync(ASTRONAUT));
    put(folder, 'b-wall.png', readFileSync(noFace));
    put(folder, 'c-crop.png', readFileSync(crop));
    const out = join(dir, 'mixed.jsonl');
    const r = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '1']);
    expect(r.code).toBe(0);
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l));
    expect(rows.map((row) => [row.file.split('/').pop(), row.status])).toEqual([['a-astronaut.png', 'ok'], ['b-wall.png', 'no-face'], ['c-crop.png', 'ok']]);
    expect(rows[0].faceCount).toBe(1);
    expect(rows[0].box.x).toBeGreaterThan(162);
    expect(rows[1].emotion).toBeUndefined();
    expect(rows[2].faceCount).toBeUndefined();
    const csvOut = join(dir, 'mixed.csv');
    expect((await runCli(['predict', folder, '--weights', model, '--out', csvOut, '--workers', '1'])).code).toBe(0);
    const csvLines = lines(readFileSync(csvOut, 'utf8'));
    expect(csvLines[0].split(',')[0]).toBe('file');
    expect(csvLines[2]).toMatch(/b-wall\.png,,,(,){7}no-face,$/);
    // --crop: every image whole, no no-face rows
    const cropOut = join(dir, 'crop.jsonl');
    expect((await runCli(['predict', folder, '--crop', '--weights', model, '--out', cropOut, '--workers', '1'])).code).toBe(0);
    expect(lines(readFileSync(cropOut, 'utf8')).map((l) => JSON.parse(l).status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('--annotate out.png: the photo with the answered face\'s box and label drawn on it (every face with --faces)', async () => {
    const out = join(dir, 'annotated.png');
    const r = await runCli(['predict', ASTRONAUT, '--json', '--annotate', out, '--weights', model]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [o] = lines(r.stdout).map((l) => JSON.parse(l));
    const drawn = PNG.sync.read(readFileSync(out));
    const orig = PNG.sync.read(readFileSync(ASTRONAUT));
    expect([drawn.width, drawn.height]).toEqual([orig.width, orig.height]);
    const at = (p: PNG, x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3));
    const { EMOTION_RGB } = await import('../../src/viz/annotate.js');
    const mid = Math.round(o.box.y + o.box.height / 2);
    expect(at(drawn, Math.round(o.box.x) + 1, mid)).toEqual([...EMOTION_RGB[o.emotion]]);
    expect(at(drawn, 5, 500)).toEqual(at(orig, 5, 500));
    const pairOut = join(dir, 'pair-annotated.png');
    const f = await runCli(['predict', pair, '--faces', '--json', '--annotate', pairOut, '--weights', model]);
    expect(f.code).toBe(0);
    const faces = JSON.parse(lines(f.stdout)[0]).faces as { box: { x: number; y: number; height: number }; emotion: string }[];
    const p2 = PNG.sync.read(readFileSync(pairOut));
    for (const face of faces) expect(at(p2, Math.round(face.box.x) + 1, Math.round(face.box.y + face.box.height / 2))).toEqual([...EMOTION_RGB[face.emotion]]);
    const two = await runCli(['predict', ASTRONAUT, crop, '--annotate', out, '--weights', model]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--annotate draws on one image, got 2/);
  });

});
