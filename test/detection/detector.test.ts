import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { iou, weightedNms, type DetectedFace } from '../../src/detection/boxes.js';
import { FaceDetector, flexibleBlazeFace, loadFaceDetector, REFINE_INPUT, REFINE_WINDOW } from '../../src/detection/detector.js';
import { readModelArtifacts } from '../../src/model/io.js';
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
    // the first looks run on one copy of the model, the second looks on another (see FaceDetector)
    type Model = { execute: (x: unknown, outputs: unknown) => unknown };
    const { model, second } = detector as unknown as { model: Model; second: Model };
    const execute = model.execute.bind(model), executeSecond = second.execute.bind(second);
    model.execute = (x: unknown, outputs: unknown) => { runs++; return execute(x, outputs); };
    second.execute = (x: unknown, outputs: unknown) => { runs++; return executeSecond(x, outputs); };
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
      second.execute = executeSecond;
    }
  });

  it('sees a landscape photo at its aspect ratio (256×192 for 4:3): the faces and scores of the square 256×256 letterbox, at three quarters of its pixels', async () => {
    const run = (detector as unknown as { run: (img: unknown, minScore: number, window?: unknown, shape?: unknown) => Promise<DetectedFace[]> }).run.bind(detector);
    const model = (detector as unknown as { model: { execute: (x: { shape: number[] }, outputs: unknown) => unknown } }).model;
    const execute = model.execute.bind(model);
    const shapes: number[][] = [];
    model.execute = (x: { shape: number[] }, outputs: unknown) => { shapes.push(x.shape); return execute(x, outputs); };
    try {
      for (const placements of [[{ x: 40, y: 60, scale: 0.5 }], [{ x: 300, y: 20, scale: 0.7 }, { x: 20, y: 200, scale: 0.35, mirror: true }]]) {
        const img = { ...compose(640, 480, placements).image, channels: 4 as const };
        const wide = weightedNms(await run(img, 0.5), 0.3, 10);
        const square = weightedNms(await run(img, 0.5, undefined, { width: 256, height: 256 }), 0.3, 10);
        expect(wide).toHaveLength(placements.length);
        expect(square).toHaveLength(placements.length);
        for (const [i, f] of wide.entries()) {
          expect(iou(f.box, square[i].box)).toBeGreaterThan(0.97);
          expect(Math.abs(f.score - square[i].score)).toBeLessThan(0.02);
        }
      }
      expect(shapes[0]).toEqual([1, 192, 256, 3]);
      expect(shapes[1]).toEqual([1, 256, 256, 3]);
      // detect() with its defaults (refine 'auto') takes its first look the same way; tiles of a tiled scan are square
      shapes.length = 0;
      const photo = { ...compose(640, 480, [{ x: 40, y: 60, scale: 0.5 }]).image, channels: 4 as const };
      await detector.detect(photo);
      expect(shapes[0]).toEqual([1, 192, 256, 3]);
      shapes.length = 0;
      await detector.detect(photo, { minFaceSize: 20 });
      expect(shapes[0]).toEqual([1, 192, 256, 3]);
      expect(shapes.slice(1).every((t) => t[1] === 256 && t[2] === 256)).toBe(true);
      expect(shapes.length).toBeGreaterThan(1);
    } finally {
      model.execute = execute;
    }
  });

  it('takes the second look at REFINE_INPUT² with a window of REFINE_WINDOW face sides: the face as large as at 256×256 with a window of 5, the same box and score', async () => {
    const run = (detector as unknown as { run: (img: unknown, minScore: number, window?: unknown, shape?: unknown) => Promise<DetectedFace[]> }).run.bind(detector);
    // the astronaut at 0.3× on a wide canvas: a face the first look sees at about 1/30 of the photo
    const { image, faces: [placed] } = compose(1600, 600, [{ x: 900, y: 200, scale: 0.3 }]);
    const img = { ...image, channels: 4 as const };
    const [first] = weightedNms(await run(img, 0.2), 0.3, 5);
    const look = async (windowSides: number, input: number) => {
      const side = Math.max(first.box.width, first.box.height) * windowSides;
      const window = { x: first.box.x + first.box.width / 2 - side / 2, y: first.box.y + first.box.height / 2 - side / 2, side };
      return weightedNms(await run(img, 0.25, window, { width: input, height: input }), 0.3, 1)[0];
    };
    expect(REFINE_INPUT / REFINE_WINDOW).toBeCloseTo(256 / 5, 5);
    const small = await look(REFINE_WINDOW, REFINE_INPUT), large = await look(5, 256);
    expect(iou(small.box, large.box)).toBeGreaterThan(0.9);
    expect(Math.abs(small.score - large.score)).toBeLessThan(0.05);
    expect(small.score).toBeGreaterThan(0.8);
    expect(iou(small.box, placed)).toBeGreaterThan(0.2);
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

describe('flexibleBlazeFace', () => {
  type Node = { name: string; op: string; input?: string[]; attr?: { shape?: { shape?: { dim?: { size?: string }[] } } } };
  const nodesOf = (a: { modelTopology?: unknown }): Node[] => (a.modelTopology as { node: Node[] }).node;

  it('frees the input\'s height and width, names the four heads before the reshapes, and leaves the given artifacts as they were', async () => {
    const original = await readModelArtifacts(await resolveDetectorModel());
    const before = JSON.stringify(original.modelTopology);
    const { artifacts, heads, inputSize } = flexibleBlazeFace(original);
    expect(inputSize).toBe(256);
    expect(heads).toHaveLength(4);
    expect(heads.every((h) => nodesOf(artifacts).some((n) => n.name === h && n.op === '_FusedConv2D'))).toBe(true);
    expect(nodesOf(artifacts).find((n) => n.op === 'Placeholder')!.attr!.shape!.shape!.dim!.map((d) => d.size)).toEqual(['1', '-1', '-1', '3']);
    expect(JSON.stringify(original.modelTopology)).toBe(before);
  });

  it('refuses a graph that is not BlazeFace\'s, naming what is off', async () => {
    const original = await readModelArtifacts(await resolveDetectorModel());
    const nodes = nodesOf(original);
    const noReshape = { ...original, modelTopology: { node: nodes.filter((n) => n.op !== 'Reshape') } };
    expect(() => flexibleBlazeFace(noReshape)).toThrow("the face detector's graph has 0 reshaped outputs: expected BlazeFace's four");
    const odd = nodes.map((n) => (n.op === 'Placeholder' ? { ...n, attr: { shape: { shape: { dim: [{ size: '1' }, { size: '100' }, { size: '100' }, { size: '3' }] } } } } : n));
    expect(() => flexibleBlazeFace({ ...original, modelTopology: { node: odd } })).toThrow("the face detector's input is [1,100,100,3]: expected a BlazeFace model with input [1, size, size, 3]");
  });
});
