import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS } from '../../src/emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { ImageInputError } from '../../src/inference/input.js';
import { EmotionSmoother } from '../../src/video/smoothing.js';
import { classifyStream, videoFrames, watchVideo, type StreamResult } from '../../src/video/stream.js';

let model: tfl.LayersModel;
let frames: tf.Tensor3D[];

beforeAll(async () => {
  await setBackend('wasm');
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  frames = Array.from({ length: 5 }, (_, i) => tf.tidy(() => tf.mul(tf.randomUniform([48, 48, 1], 0, 1, 'float32', 100 + i), 255) as tf.Tensor3D));
});

afterAll(() => {
  for (const f of frames) f.dispose();
  model.dispose();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('classifyStream', () => {
  it('yields every frame in order, raw as classifyEmotion and smoothed as EmotionSmoother', async () => {
    const results = await collect(classifyStream(frames, { model, method: 'ema', alpha: 0.5 }));
    expect(results.map((r) => r.frame)).toEqual([0, 1, 2, 3, 4]);
    const smoother = new EmotionSmoother({ method: 'ema', alpha: 0.5 });
    for (let i = 0; i < frames.length; i++) {
      const expected = await classifyEmotion(frames[i], { model });
      expect(results[i].raw.emotion).toBe(expected.emotion);
      for (const e of EMOTIONS) expect(results[i].raw.scores[e]).toBeCloseTo(expected.scores[e], 6);
      const smoothed = smoother.update(expected.scores);
      expect(results[i].smoothed.emotion).toBe(smoothed.emotion);
      for (const e of EMOTIONS) expect(results[i].smoothed.scores[e]).toBeCloseTo(smoothed.scores[e], 6);
    }
    for (const f of frames) expect(f.isDisposed).toBe(false); // the caller's tensors are left alone
  });

  it('reads async iterables', async () => {
    async function* source() {
      for (const f of frames.slice(0, 3)) {
        await new Promise((r) => setTimeout(r, 1));
        yield f;
      }
    }
    const results = await collect(classifyStream(source(), { model, method: 'window', window: 2 }));
    expect(results.map((r) => r.frame)).toEqual([0, 1, 2]);
  });

  it('passes class names through to the prediction', async () => {
    const classes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
    const [r] = await collect(classifyStream(frames.slice(0, 1), { model, classes }));
    expect(Object.keys(r.smoothed.scores)).toEqual([...classes]);
    expect(classes).toContain(r.smoothed.emotion);
  });

  it('rejects bad options at once and bad frames by index', async () => {
    expect(() => classifyStream(frames, { model, alpha: 2 })).toThrow(/alpha/);
    expect(() => classifyStream(42 as unknown as tf.Tensor[], { model })).toThrow(/frames must be an iterable/);
    const batch = tf.zeros([2, 48, 48, 1]) as tf.Tensor4D;
    try {
      await expect(collect(classifyStream([frames[0], batch], { model }))).rejects.toThrow(/frame 1: expected one image per frame/);
      await expect(collect(classifyStream([frames[0], { nope: 1 } as never], { model }))).rejects.toThrow(ImageInputError);
      await expect(collect(classifyStream([frames[0], { nope: 1 } as never], { model }))).rejects.toThrow(/^frame 1: /);
    } finally {
      batch.dispose();
    }
  });
});

/** A stand-in for a `<video>` in Node: image data with a `readyState`. */
function fakeVideo(readyState: number) {
  return { readyState, width: 48, height: 48, data: new Uint8Array(48 * 48).map((_, i) => (i * 37) % 256) };
}

describe('videoFrames', () => {
  it('yields the video only once it has data, until stopped', async () => {
    const video = fakeVideo(0);
    let stopped = false;
    let ticks = 0;
    const seen: unknown[] = [];
    const it = videoFrames(video as unknown as HTMLVideoElement, 1000, () => {
      ticks++;
      if (ticks === 5) video.readyState = 4; // data arrives after a few polls
      return stopped;
    });
    for await (const v of it) {
      seen.push(v);
      if (seen.length === 3) stopped = true;
    }
    expect(seen).toHaveLength(3);
    expect(seen.every((v) => v === video)).toBe(true);
    expect(ticks).toBeGreaterThan(5);
  });
});

describe('watchVideo', () => {
  it('calls onResult for successive frames until stop()', async () => {
    const video = fakeVideo(4);
    const results: StreamResult[] = [];
    let watch!: ReturnType<typeof watchVideo>;
    await new Promise<void>((resolve) => {
      watch = watchVideo(video as unknown as HTMLVideoElement, (r) => {
        results.push(r);
        if (results.length === 3) { watch.stop(); resolve(); }
      }, { model, fps: 500, method: 'window', window: 2 });
    });
    await watch.done;
    expect(results.map((r) => r.frame)).toEqual([0, 1, 2]);
    expect(results[0].smoothed.emotion).toBe(results[0].raw.emotion);
  });

  it('reports errors through onError and stops', async () => {
    const errors: unknown[] = [];
    const notImage = { readyState: 4 } as unknown as HTMLVideoElement;
    const watch = watchVideo(notImage, () => { throw new Error('unreachable'); }, { model, fps: 500, onError: (e) => errors.push(e) });
    await watch.done;
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/frame 0: .*not an image/);
  });

  it('rejects bad arguments at once', () => {
    const video = fakeVideo(4) as unknown as HTMLVideoElement;
    expect(() => watchVideo(video, () => {}, { model, fps: 0 })).toThrow(/fps must be a positive number/);
    expect(() => watchVideo(video, () => {}, { model, window: -1 })).toThrow(/window/);
    expect(() => watchVideo(video, undefined as never, { model })).toThrow(/onResult must be a function/);
  });
});
