/**
 * `watchFaces`: the faces of a playing `<video>` (a webcam stream, a file) live, in the browser —
 * each frame's faces found (BlazeFace, shipped in the package), tracked from frame to frame,
 * classified, and smoothed per face. `watchVideo` classifies the whole frame instead.
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import type { Classification } from '../inference/predict.js';
import { describeInput, toRasters, type ImageInput } from '../inference/input.js';
import { detectEmotionsInRaster, type DetectEmotionsOptions } from '../detection/detect-emotions.js';
import type { VideoFace, VideoFrameResult } from './analyze.js';
import { EmotionSmoother, resolveSmoothingOptions, type SmoothingOptions } from './smoothing.js';
import { FaceTracker, type TrackerOptions } from './tracker.js';
import { nextTick, now, type VideoWatch } from './stream.js';
import { DEFAULT_VIDEO_OPTIONS } from './defaults.js';

/** Options of {@link watchFaces}: detection, the emotion model, smoothing and tracking. */
export interface WatchFacesOptions extends DetectEmotionsOptions<Emotion>, SmoothingOptions, Omit<TrackerOptions, 'firstId'> {
  /** Frames analysed per second at most. Default 5 ({@link DEFAULT_VIDEO_OPTIONS}). */
  fps?: number;
  /** Called when a frame cannot be analysed (or `onFrame` throws); watching stops. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * Watches a video element (or any image source read again at each frame: a canvas, an
 * `ImageData`-like object) and calls `onFrame` with each analysed frame's faces: their track id
 * (the same while a face stays in view), box, raw and smoothed classification — as
 * `analyzeVideo` gives them for files. A frame without a face gives `faces: []` and its faces'
 * tracks end after `maxMissed` such frames. Frames before a video has data are skipped.
 *
 * @example
 * ```ts
 * video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
 * await video.play();
 * const watch = watchFaces(video, ({ faces }) => {
 *   ctx.drawImage(video, 0, 0);
 *   drawEmotions(canvas, faces.map((f) => ({ box: f.box, ...f.smoothed })));
 * }, { fps: 5, weights, detector });
 * // later: watch.stop();
 * ```
 * @throws RangeError at once for a bad `fps`, smoothing or tracking option.
 */
export function watchFaces(source: ImageInput, onFrame: (frame: VideoFrameResult) => void, options: WatchFacesOptions = {}): VideoWatch {
  const { fps = DEFAULT_VIDEO_OPTIONS.fps, onError, method, alpha, window, hysteresis, iouThreshold, maxMissed, ...detect } = options;
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps <= 0) throw new RangeError(`watchFaces: fps must be a positive number, got ${String(fps)}`);
  if (typeof source !== 'object' || source === null) throw new TypeError(`watchFaces: expected a video element or an image source, got ${describeInput(source)}`);
  if (typeof onFrame !== 'function') throw new TypeError('watchFaces: onFrame must be a function');
  const smoothing = resolveSmoothingOptions({ method, alpha, window, hysteresis });
  const tracker = new FaceTracker({ iouThreshold, maxMissed: maxMissed ?? Math.max(1, Math.round(fps)) });
  const smoothers = new Map<number, EmotionSmoother<Emotion>>();
  let stopped = false;
  const start = now();
  const done = (async () => {
    let frame = 0, last = -Infinity;
    try {
      while (!stopped) {
        await nextTick(last + 1000 / fps - now());
        if (stopped) return;
        last = now();
        const readyState = (source as { readyState?: number }).readyState;
        if (readyState !== undefined && readyState < 2) continue; // a video without a frame yet
        const [raster] = await toRasters(source, { tensorRange: detect.tensorRange });
        const found = await detectEmotionsInRaster(raster, detect);
        const ids = tracker.update(found.map((f) => f.box));
        for (const id of tracker.ended) smoothers.delete(id);
        const faces: VideoFace[] = found.map((f, i) => {
          let s = smoothers.get(ids[i]);
          if (!s) { s = new EmotionSmoother<Emotion>(smoothing); smoothers.set(ids[i], s); }
          const raw: Classification<Emotion> = { emotion: f.emotion, confidence: f.confidence, scores: f.scores };
          return { id: ids[i], box: f.box, faceScore: f.faceScore, raw, smoothed: s.update(f.scores) };
        });
        if (stopped) return;
        onFrame({ frame: frame++, time: (last - start) / 1000, faces });
      }
    } catch (e) {
      stopped = true;
      (onError ?? ((err: unknown) => console.error('watchFaces stopped:', err)))(e);
    }
  })();
  return { stop: () => { stopped = true; }, done };
}
