/**
 * Video files: ffmpeg decoding (frame count, times, pixels), analyzeVideo per frame (whole frame
 * = classifyEmotion on the decoded frame, smoothed as EmotionSmoother; with faces, one tracked
 * face whose box follows the pan), the timeline CSV rows, and the clear error without ffmpeg.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { setBackend } from '../../src/backends/select.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { loadEmotionModel } from '../../src/inference/weights.js';
import { decodeFrames, findFfmpeg, probeVideo, FfmpegMissingError, type VideoFrame } from '../../src/video/ffmpeg.js';
import { analyzeVideo, type VideoFrameResult } from '../../src/video/analyze.js';
import { EmotionSmoother } from '../../src/video/smoothing.js';
import { TIMELINE_CSV_HEADER, TimelineCollector, timelineCsvRows } from '../../src/video/timeline.js';
import { saveTinyModel, tempDir } from '../cli/fixtures.js';
import { HAS_FFMPEG, makeTestVideo } from './make-video.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('without ffmpeg', () => {
  const saved = process.env.FFMPEG_PATH;
  afterEach(() => { if (saved === undefined) delete process.env.FFMPEG_PATH; else process.env.FFMPEG_PATH = saved; });

  it('fails with FfmpegMissingError saying how to install it', async () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    await expect(findFfmpeg()).rejects.toThrow(FfmpegMissingError);
    await expect(collect(decodeFrames('any.mp4'))).rejects.toThrow(/ffmpeg was not found.*apt-get install ffmpeg/);
  });
});

describe.skipIf(!HAS_FFMPEG)('video files (ffmpeg)', () => {
  let video: string;
  let weights: string;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('fer-video-');
    video = makeTestVideo(dir);
    weights = await saveTinyModel(join(dir, 'model'));
    await setBackend('wasm');
  });

  it('probes and decodes frames at the asked rate, gray or RGB, one frame at a time', async () => {
    expect(await probeVideo(video)).toMatchObject({ width: 256, height: 256, fps: 10 });
    expect((await probeVideo(video)).duration).toBeCloseTo(2, 1);
    const gray = await collect(decodeFrames(video, { fps: 5 }));
    expect(gray).toHaveLength(10);
    expect(gray.map((f) => f.time)).toEqual(Array.from({ length: 10 }, (_, i) => i / 5));
    expect(gray[0]).toMatchObject({ width: 256, height: 256, channels: 1 });
    expect(gray[0].data.length).toBe(256 * 256);
    const mean = gray[0].data.reduce((a, b) => a + b, 0) / gray[0].data.length;
    expect(mean).toBeGreaterThan(30); // a real picture, not black
    expect(mean).toBeLessThan(220);
    let rgb: VideoFrame | undefined;
    for await (const f of decodeFrames(video, { fps: 2, pixels: 'rgb' })) { rgb = f; break; } // breaking out stops ffmpeg
    expect(rgb!.channels).toBe(3);
    expect(rgb!.data.length).toBe(256 * 256 * 3);
    await expect(collect(decodeFrames(join(dir, 'missing.mp4')))).rejects.toThrow(/missing\.mp4: no such file/);
    const notVideo = join(dir, 'model', 'model.json');
    await expect(collect(decodeFrames(notVideo))).rejects.toThrow(/model\.json/);
    await expect(collect(decodeFrames(video, { fps: 0 }))).rejects.toThrow(RangeError);
  });

  it('whole frames (faces: false): face 0, raw = classifyEmotion of the frame, smoothed = EmotionSmoother', async () => {
    const frames = await collect(analyzeVideo(video, { fps: 5, weights, alpha: 0.5, faces: false }));
    expect(frames.map((f) => f.frame)).toEqual([...Array(10).keys()]);
    const decoded = await collect(decodeFrames(video, { fps: 5 }));
    const model = await loadEmotionModel({ weights });
    const smoother = new EmotionSmoother({ alpha: 0.5 });
    for (const [i, f] of frames.entries()) {
      expect(f.faces).toHaveLength(1);
      const face = f.faces[0];
      expect(face.id).toBe(0);
      expect(face.box).toEqual({ x: 0, y: 0, width: 256, height: 256 });
      const d = decoded[i];
      const expected = await classifyEmotion({ width: d.width, height: d.height, data: d.data, channels: 1 }, { model });
      for (const e of EMOTIONS) expect(face.raw.scores[e]).toBeCloseTo(expected.scores[e], 6);
      const s = smoother.update(expected.scores);
      expect(face.smoothed.emotion).toBe(s.emotion);
      for (const e of EMOTIONS) expect(face.smoothed.scores[e]).toBeCloseTo(s.scores[e], 6);
    }
    const rows = frames.map(timelineCsvRows).join('').trimEnd().split('\n');
    expect(rows).toHaveLength(10);
    expect(rows[3].split(',')).toHaveLength(TIMELINE_CSV_HEADER.length);
    expect(rows[3].split(',').slice(0, 8)).toEqual(['0.6', '3', '0', '0', '0', '256', '256', '']);
  });

  it('by default (faces: auto), the astronaut is one face, tracked with the same id while the camera pans', async () => {
    const frames: VideoFrameResult[] = await collect(analyzeVideo(video, { fps: 5, weights }));
    expect(frames).toHaveLength(10);
    for (const f of frames) {
      expect(f.faces).toHaveLength(1);
      expect(f.faces[0].id).toBe(1);
      expect(f.faces[0].faceScore).toBeGreaterThan(0.5);
    }
    // the pan moves the face left by about 30 px/s × 1.8 s
    const dx = frames[9].faces[0].box.x - frames[0].faces[0].box.x;
    expect(dx).toBeLessThan(-30);
    expect(dx).toBeGreaterThan(-80);
    const collector = new TimelineCollector();
    frames.forEach((f) => collector.add(f));
    const series = collector.result();
    expect(series.map((s) => s.label)).toEqual(['face 1']);
    expect(series[0].times).toHaveLength(10);
    // faces: true / 'detect' give the same faces
    const detected = await collect(analyzeVideo(video, { fps: 5, weights, faces: 'detect' }));
    expect(detected.map((f) => f.faces.map((x) => x.box))).toEqual(frames.map((f) => f.faces.map((x) => x.box)));
  });
});
