/**
 * watchFaces: each frame of a live source gets its faces found, tracked and smoothed (here an
 * ImageData-like source read again at each frame, in Node; in browsers a <video>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import type { tfl } from '../../src/backends/tf.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { EmotionSmoother } from '../../src/video/smoothing.js';
import { watchFaces } from '../../src/video/watch-faces.js';
import type { VideoFrameResult } from '../../src/video/analyze.js';
import { astronaut } from '../detection/fixtures.js';

let model: tfl.LayersModel;
beforeAll(async () => {
  await setBackend('wasm');
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
});
afterAll(() => model?.dispose());

describe('watchFaces', () => {
  it('reports each frame\'s faces with a stable id, the detector\'s answer as raw and the smoothed one; stop() ends it', async () => {
    const source = { ...astronaut(), channels: 4 };
    const frames: VideoFrameResult[] = [];
    const errors: unknown[] = [];
    let watch: ReturnType<typeof watchFaces>;
    const three = new Promise<void>((resolve) => {
      watch = watchFaces(source, (f) => { frames.push(f); if (frames.length === 3) { watch.stop(); resolve(); } }, { model, fps: 20, alpha: 0.5, onError: (e) => errors.push(e) });
    });
    await three;
    await watch!.done;
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.frame)).toEqual([0, 1, 2]);
    const [expected] = await detectEmotions(source, { model });
    const smoother = new EmotionSmoother({ alpha: 0.5 });
    for (const f of frames) {
      expect(f.faces).toHaveLength(1);
      expect(f.faces[0].id).toBe(1);
      expect(f.faces[0].box).toEqual(expected.box);
      expect(f.faces[0].raw.scores).toEqual(expected.scores);
      expect(f.faces[0].smoothed).toEqual(smoother.update(expected.scores));
    }
    expect(frames[2].time).toBeGreaterThan(frames[0].time);
  });

  it('a faceless frame has no faces; bad options fail at once', async () => {
    const blank = { width: 200, height: 150, data: new Uint8Array(200 * 150).fill(90), channels: 1 };
    const got = await new Promise<VideoFrameResult>((resolve) => {
      const w = watchFaces(blank, (f) => { w.stop(); resolve(f); }, { model, fps: 20 });
    });
    expect(got.faces).toEqual([]);
    expect(() => watchFaces(blank, () => {}, { fps: 0 })).toThrow(RangeError);
    expect(() => watchFaces(blank, () => {}, { alpha: 2 })).toThrow(RangeError);
  });
});
