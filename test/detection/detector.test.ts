import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { iou } from '../../src/detection/boxes.js';
import { FaceDetector, loadFaceDetector } from '../../src/detection/detector.js';
import { graphModelFileHandler, resolveDetectorModel } from '../../src/detection/model-files.js';
import { astronaut, compose } from './fixtures.js';

describe('FaceDetector (the model shipped in weights/face-detector/)', () => {
  let detector: FaceDetector;
  beforeAll(async () => {
    await setBackend('wasm');
    detector = await FaceDetector.load();
  });
  afterAll(() => detector?.dispose());

  it('resolves the model inside the package, and loads it from a path, a file: URL or a handler', async () => {
    const path = await resolveDetectorModel();
    expect(path).toMatch(/[/\\]weights[/\\]face-detector[/\\]blazeface\.json$/);
    expect(detector.inputSize).toBe(256);
    const img = { ...astronaut(), channels: 4 as const };
    const expected = await detector.detect(img);
    for (const source of [path, pathToFileURL(path), pathToFileURL(path).href, graphModelFileHandler(path)]) {
      const d = await FaceDetector.load(source);
      expect(await d.detect(img)).toEqual(expected);
      d.dispose();
    }
  });

  it('finds the astronaut\'s face, with eyes above the mouth inside the box', async () => {
    const a = astronaut();
    for (const refine of [true, false]) {
      const faces = await detector.detect({ ...a, channels: 4 }, { refine });
      expect(faces).toHaveLength(1);
      const [f] = faces;
      expect(f.score).toBeGreaterThan(0.7);
      // the reference FER crop is x 162–291, y 62–191: the detector box sits inside it
      expect(f.box.x).toBeGreaterThan(162);
      expect(f.box.x + f.box.width).toBeLessThan(292);
      expect(f.box.width).toBeGreaterThan(90);
      const [rightEye, leftEye, , mouth] = f.landmarks;
      expect(rightEye[0]).toBeLessThan(leftEye[0]);
      expect(mouth[1]).toBeGreaterThan(rightEye[1] + 20);
    }
  });

  it("refine 'auto' (the default) looks twice only at faces the first look is unsure of: too small or too large for the photo, or a low score", async () => {
    const calls = (): number => runs;
    let runs = 0;
    const model = (detector as unknown as { model: { execute: (x: unknown) => unknown } }).model;
    const execute = model.execute.bind(model);
    model.execute = (x: unknown) => { runs++; return execute(x); };
    try {
      // the portrait: the face's box is about a fifth of the photo → one look, the first look's box
      const portrait = { ...astronaut(), channels: 4 as const };
      const once = await detector.detect(portrait, { refine: false });
      runs = 0;
      const first = await detector.detect(portrait);
      expect(calls()).toBe(1);
      expect(first).toHaveLength(1);
      // the same look (its candidates merged from a lower score threshold, hence not to the pixel)
      expect(iou(first[0].box, once[0].box)).toBeGreaterThan(0.95);
      // the same face at 0.4× on a wide canvas: its box is 1/29 of the photo's side → a second look, as refine: true
      const small = { ...compose(1440, 520, [{ x: 600, y: 160, scale: 0.4 }]).image, channels: 4 as const };
      const refined = await detector.detect(small, { refine: true });
      runs = 0;
      const auto = await detector.detect(small);
      expect(calls()).toBeGreaterThan(1); // the first look, then a second at every candidate
      expect(auto).toEqual(refined);
      expect(auto).toHaveLength(1);
      await expect(detector.detect(portrait, { refine: 'sometimes' as never })).rejects.toThrow(/refine must be true, false or 'auto', got sometimes/);
    } finally {
      model.execute = execute;
    }
  });

  it('finds nothing in a blank image and honours maxFaces = 0', async () => {
    const blank = { width: 64, height: 48, channels: 3 as const, data: new Uint8Array(64 * 48 * 3).fill(128) };
    expect(await detector.detect(blank)).toEqual([]);
    expect(await detector.detect({ ...astronaut(), channels: 4 }, { maxFaces: 0 })).toEqual([]);
  });

  it('finds a face too small for the whole-photo look with a tiled scan (minFaceSize)', async () => {
    // a 46 px face on a 1600 px wide photo: 1/35 of its side
    const { image, faces } = compose(1600, 300, [{ x: 20, y: 10, scale: 0.35 }]);
    const img = { ...image, channels: 4 as const };
    expect(await detector.detect(img)).toEqual([]);
    const found = await detector.detect(img, { minFaceSize: 30 });
    expect(found).toHaveLength(1);
    expect(iou(found[0].box, faces[0])).toBeGreaterThan(0.5);
  });

  it('rejects bad options', async () => {
    const img = { width: 2, height: 2, channels: 1 as const, data: new Uint8Array(4) };
    await expect(detector.detect(img, { minFaceScore: 2 })).rejects.toThrow(/minFaceScore must be in \[0, 1\]/);
    await expect(detector.detect(img, { maxFaces: 1.5 })).rejects.toThrow(/maxFaces must be a non-negative integer/);
  });
});

describe('loadFaceDetector', () => {
  beforeAll(async () => { await setBackend('wasm'); });

  it('loads once per location and handler, and does not keep a failed load', async () => {
    const path = await resolveDetectorModel();
    const first = loadFaceDetector(path);
    expect(loadFaceDetector(path)).toBe(first);
    expect((await first).inputSize).toBe(256);
    const handler = graphModelFileHandler(path);
    expect(loadFaceDetector(handler)).toBe(loadFaceDetector(handler));
    (await loadFaceDetector(handler)).dispose();
    const missing = '/nonexistent/blazeface.json';
    const failed = loadFaceDetector(missing);
    await expect(failed).rejects.toThrow('/nonexistent/blazeface.json: no such file');
    const retry = loadFaceDetector(missing);
    expect(retry).not.toBe(failed);
    await expect(retry).rejects.toThrow(/no such file/);
  });
});
