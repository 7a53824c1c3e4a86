import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { FaceDetector } from '../../src/detection/detector.js';
import { detectorModelHandler, FaceDetectorMissingError, graphModelFileHandler, resolveDetectorModel } from '../../src/detection/model-files.js';
import { ASTRONAUT } from './fixtures.js';
import { REPO } from '../browser/helpers.js';

describe('a missing detector', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fer-detector-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the detector shipped in the package by default (no other package needed)', async () => {
    await setBackend('wasm');
    const model = await resolveDetectorModel();
    expect(model).toBe(join(REPO, 'weights', 'face-detector', 'blazeface.json'));
    const detector = await FaceDetector.load();
    expect(detector.inputSize).toBe(256);
    detector.dispose();
  });

  it('the shipped detector is found without @vladmandic/human: the package does not name it but as a devDependency', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(pkg.peerDependencies?.['@vladmandic/human']).toBeUndefined();
    expect(pkg.dependencies?.['@vladmandic/human']).toBeUndefined();
    expect(pkg.peerDependenciesMeta?.['@vladmandic/human']).toBeUndefined();
    const sources = readdirSync(join(REPO, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(50);
    for (const f of sources) expect(readFileSync(join(REPO, 'src', f), 'utf8'), f).not.toMatch(/['"]@vladmandic\/human/);
  });

  it('says where it looked when the shipped files are missing', async () => {
    const err = await resolveDetectorModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceDetectorMissingError);
    expect((err as Error).message).toContain(`${join(dir, 'face-detector', 'blazeface.json')} does not exist`);
    mkdirSync(join(dir, 'face-detector'), { recursive: true });
    writeFileSync(join(dir, 'face-detector', 'blazeface.json'), '{}');
    await expect(resolveDetectorModel(dir)).rejects.toThrow(`${join(dir, 'face-detector', 'blazeface.bin')} does not exist`);
    await expect(FaceDetector.load(undefined, dir)).rejects.toThrow(/face detector's model was not found.*reinstall fer-cnn-lstm, or pass `detector`/);
  });

  it('names the file when an explicit detector path is wrong', async () => {
    await setBackend('wasm');
    const missing = join(dir, 'nope', 'blazeface.json');
    await expect(detectEmotions(ASTRONAUT, { detector: missing })).rejects.toThrow(`cannot load the face detector from ${missing}: ${missing}: no such file`);
  });

  it('names the file when model.json is not JSON, or a weight file is missing', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"modelTopology": ');
    await expect(graphModelFileHandler(bad).load!()).rejects.toThrow(`${bad}: not a tfjs model.json`);
    const noWeights = join(dir, 'no-weights.json');
    writeFileSync(noWeights, JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }));
    await expect(graphModelFileHandler(noWeights).load!()).rejects.toThrow(`${join(dir, 'w.bin')}: cannot read the model's weights`);
  });
});

describe('detectorModelHandler', () => {
  it('reads paths and file: URLs from disk and passes web URLs and handlers on', async () => {
    const handler = { load: async () => ({}) };
    expect(await detectorModelHandler(handler)).toBe(handler);
    expect(await detectorModelHandler('https://example.com/blazeface.json')).toBe('https://example.com/blazeface.json');
    for (const local of ['/models/blazeface.json', 'file:///models/blazeface.json']) {
      const h = await detectorModelHandler(local);
      expect(typeof h).toBe('object');
      await expect((h as { load(): Promise<unknown> }).load()).rejects.toThrow('/models/blazeface.json: no such file');
    }
  });
});
