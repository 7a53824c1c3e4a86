/**
 * predictFiles: the worker pool gives each file exactly what classifyEmotion gives it, in input
 * order; bad files are error results, not the end; inputs are pulled only as fast as results are
 * taken (backpressure); AbortSignal and onProgress work; a model that cannot load ends the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { loadEmotionModel } from '../../src/inference/weights.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { setBackend } from '../../src/backends/select.js';
import { predictFiles, type BatchProgress, type FileResult } from '../../src/batch/index.js';
import { gray, jpg, png, put, saveTinyModel, tempDir } from '../cli/fixtures.js';

let dir: string;
let weights: string;
let good: string[];
let bad: string;
let missing: string;

beforeAll(async () => {
  dir = tempDir('fer-batch-');
  weights = await saveTinyModel(join(dir, 'model'));
  good = Array.from({ length: 7 }, (_, i) => put(dir, `faces/f${i}.${i % 2 ? 'jpg' : 'png'}`, i % 2 ? jpg(gray(i + 1, 40 + i * 8)) : png(gray(i + 1))));
  bad = put(dir, 'faces/broken.png', 'not an image at all');
  missing = join(dir, 'faces/missing.jpg');
  await setBackend('wasm');
});

async function collect(it: AsyncIterable<FileResult>): Promise<FileResult[]> {
  const out: FileResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function expectSameAsClassifyEmotion(results: FileResult[], files: string[]): Promise<void> {
  const model = await loadEmotionModel({ weights });
  for (const [i, r] of results.entries()) {
    expect(r.file).toBe(files[i]);
    expect(r.index).toBe(i);
    if (r.status !== 'ok' || 'faces' in r) throw new Error(`expected a classification for ${r.file}, got ${JSON.stringify(r)}`);
    const expected = await classifyEmotion(files[i], { model });
    expect(r.emotion).toBe(expected.emotion);
    expect(Object.keys(r.scores)).toEqual([...EMOTIONS]);
    for (const e of EMOTIONS) expect(r.scores[e]).toBeCloseTo(expected.scores[e], 6);
    expect(r.confidence).toBeCloseTo(expected.confidence, 6);
  }
}

describe('predictFiles', () => {
  it('on 2 workers: every file as classifyEmotion classifies it, in input order; bad and missing files are error results', async () => {
    const files = [good[0], bad, ...good.slice(1, 4), missing, ...good.slice(4)];
    const progress: BatchProgress[] = [];
    const results = await collect(predictFiles(files, { workers: 2, weights, chunkSize: 3, onProgress: (p) => progress.push(p) }));
    expect(results.map((r) => r.file)).toEqual(files);
    expect(results.map((r) => r.status)).toEqual(files.map((f) => (f === bad || f === missing ? 'error' : 'ok')));
    const errors = results.filter((r) => r.status === 'error');
    expect(errors[0]).toMatchObject({ file: bad, index: 1 });
    expect(errors[0].status === 'error' && errors[0].error).toContain('broken.png');
    expect(errors[1].status === 'error' && errors[1].error).toMatch(/missing\.jpg/);
    const ok = results.filter((r) => r.status === 'ok');
    await expectSameAsClassifyEmotion(ok.map((r, i) => ({ ...r, index: i })), ok.map((r) => r.file));
    expect(progress.map((p) => p.done)).toEqual(files.map((_, i) => i + 1));
    expect(progress.at(-1)!.failed).toBe(2);
    expect(progress.at(-1)!.filesPerSecond).toBeGreaterThan(0);
  });

  it('in this thread (workers: 0, a loaded model) gives the same answers', async () => {
    const model = await loadEmotionModel({ weights });
    const results = await collect(predictFiles(good, { workers: 0, model, chunkSize: 4 }));
    await expectSameAsClassifyEmotion(results, good);
  });

  it('pulls inputs only as fast as results are taken (at most maxInFlight × chunkSize ahead)', async () => {
    let pulled = 0;
    function* source() {
      for (let i = 0; i < 40; i++) { pulled++; yield good[i % good.length]; }
    }
    const model = await loadEmotionModel({ weights });
    let taken = 0;
    let maxAhead = 0;
    for await (const r of predictFiles(source(), { workers: 0, model, chunkSize: 2, maxInFlight: 3 })) {
      expect(r.status).toBe('ok');
      taken++;
      maxAhead = Math.max(maxAhead, pulled - taken);
      if (taken === 1) expect(pulled).toBe(6);
      await new Promise((res) => setTimeout(res, 1)); // a slow consumer
    }
    expect(taken).toBe(40);
    expect(maxAhead).toBeLessThanOrEqual(6);
  });

  it('stops on AbortSignal: the loop throws the AbortError and the workers are stopped', async () => {
    const controller = new AbortController();
    const many = Array.from({ length: 400 }, (_, i) => good[i % good.length]);
    let seen = 0;
    const started = Date.now();
    await expect((async () => {
      for await (const _ of predictFiles(many, { workers: 1, weights, chunkSize: 4, signal: controller.signal })) {
        seen++;
        if (seen === 4) controller.abort();
      }
    })()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(4);
    expect(Date.now() - started).toBeLessThan(60_000);
    // an already aborted signal fails at once
    await expect(collect(predictFiles(good, { workers: 0, signal: AbortSignal.abort() }))).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ends with one error when the model cannot be loaded (not one error per file), and checks its options', async () => {
    await expect(collect(predictFiles(good, { workers: 1, weights: join(dir, 'no-such-model') }))).rejects.toThrow(/cannot load the model.*no-such-model/);
    await expect(collect(predictFiles(good, { workers: -1 }))).rejects.toThrow(RangeError);
    await expect(collect(predictFiles(good, { workers: 0, chunkSize: 0 }))).rejects.toThrow(/chunkSize/);
    await expect(collect(predictFiles(good[0] as unknown as string[], { workers: 0 }))).rejects.toThrow(/not one string/);
  });

  it('with faces: each photo gives what detectEmotions gives (box, score, emotion), a face-less image gives none', async () => {
    const photo = resolve('examples/images/astronaut.png');
    const results = await collect(predictFiles([photo, good[0]], { workers: 1, weights, faces: true }));
    expect(results).toHaveLength(2);
    const [a, b] = results;
    if (a.status !== 'ok' || !('faces' in a) || b.status !== 'ok' || !('faces' in b)) throw new Error(JSON.stringify(results));
    const expected = await detectEmotions(photo, { model: await loadEmotionModel({ weights }) });
    expect(a.faces).toHaveLength(expected.length);
    expect(a.faces.length).toBeGreaterThan(0);
    a.faces.forEach((f, i) => {
      expect(f.emotion).toBe(expected[i].emotion);
      expect(f.faceScore).toBeCloseTo(expected[i].faceScore, 4);
      for (const k of ['x', 'y', 'width', 'height'] as const) expect(f.box[k]).toBeCloseTo(expected[i].box[k], 2);
      for (const e of EMOTIONS) expect(f.scores[e]).toBeCloseTo(expected[i].scores[e], 5);
    });
    expect(b.faces).toEqual([]);
  });
});
