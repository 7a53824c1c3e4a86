import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { FaceDetector } from '../../src/detection/detector.js';
import { detectorModelHandler, FaceDetectorMissingError, graphModelFileHandler, resolveDetectorModel } from '../../src/detection/model-files.js';
import { ASTRONAUT } from './fixtures.js';

describe('a missing detector', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fer-detector-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says which package to install when @vladmandic/human cannot be resolved', async () => {
    const notInstalled = (s: string): string => { throw Object.assign(new Error(`Cannot find module '${s}'`), { code: 'MODULE_NOT_FOUND' }); };
    const err = await resolveDetectorModel(notInstalled).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceDetectorMissingError);
    expect((err as Error).message).toMatch(/optional package @vladmandic\/human.*not installed.*npm install @vladmandic\/human/);
    await expect(FaceDetector.load(undefined, notInstalled)).rejects.toThrow(/npm install @vladmandic\/human/);
  });

  it('says so when the package is there without its model file', async () => {
    const root = join(dir, 'node_modules', '@vladmandic', 'human');
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: '@vladmandic/human' }));
    const entry = join(root, 'dist', 'human.node.js');
    writeFileSync(entry, '');
    await expect(resolveDetectorModel((s) => { if (s.endsWith('package.json')) throw new Error('not exported'); return entry; }))
      .rejects.toThrow(/models\/blazeface\.json is missing.*npm install @vladmandic\/human/);
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
