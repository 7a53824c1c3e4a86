/**
 * Streaming classification: `classifyStream` classifies a sequence of frames and smooths the
 * labels over time; `watchVideo` does it live on a browser `<video>` (a webcam, a file).
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import { classifyEmotion, type Classification, type PredictOptions, type SingleImageInput } from '../inference/predict.js';
import { ImageInputError, describeInput, isBatchInput } from '../inference/input.js';
import { EmotionSmoother, SMOOTHING_KEYS, resolveSmoothingOptions, type SmoothingOptions } from './smoothing.js';

/** Options of {@link classifyStream}: prediction options and smoothing options together. */
export type StreamOptions<C extends string = Emotion> = PredictOptions<C> & SmoothingOptions;

/** One frame's answer from {@link classifyStream} and {@link watchVideo}. */
export interface StreamResult<C extends string = Emotion> {
  /** 0-based index of the frame in the stream (of the classified frames, for {@link watchVideo}). */
  frame: number;
  /** This frame's own classification. */
  raw: Classification<C>;
  /** The classification smoothed over the frames so far (see {@link EmotionSmoother}). */
  smoothed: Classification<C>;
}

/** Splits stream options into smoothing options and prediction options. */
function splitOptions<C extends string>(options: StreamOptions<C>): { smoothing: SmoothingOptions; predict: PredictOptions<C> } {
  const smoothing: Record<string, unknown> = {};
  const predict: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) ((SMOOTHING_KEYS as readonly string[]).includes(k) ? smoothing : predict)[k] = v;
  return { smoothing: smoothing as SmoothingOptions, predict: predict as PredictOptions<C> };
}

async function* stream<C extends string>(
  frames: AsyncIterable<SingleImageInput> | Iterable<SingleImageInput>,
  smoother: EmotionSmoother<C>,
  predict: PredictOptions<C>,
): AsyncGenerator<StreamResult<C>, void, undefined> {
  let frame = 0;
  for await (const input of frames) {
    if (isBatchInput(input)) {
      throw new ImageInputError(`frame ${frame}: expected one image per frame, got ${describeInput(input)} (a batch)`);
    }
    let raw: Classification<C>;
    try {
      raw = await classifyEmotion<C>(input, predict);
    } catch (e) {
      if (e instanceof ImageInputError) throw new ImageInputError(`frame ${frame}: ${e.message}`);
      throw e;
    }
    yield { frame, raw, smoothed: smoother.update(raw.scores) };
    frame++;
  }
}

/**
 * Classifies a stream of frames one by one with {@link classifyEmotion} and smooths the result
 * over time with an {@link EmotionSmoother}, yielding `{ frame, raw, smoothed }` per frame.
 * Frames are single images of any {@link ImageInput} kind (tensors stay owned by the caller),
 * from an array, a generator or an async source (a decoder, a camera). The model is loaded once
 * (the shipped one unless `model` or `weights` is given).
 *
 * @example
 * ```ts
 * for await (const { frame, raw, smoothed } of classifyStream(frames, { method: 'ema', alpha: 0.3 })) {
 *   console.log(frame, raw.emotion, smoothed.emotion);
 * }
 * ```
 * @throws RangeError at once for bad smoothing options; while iterating, ImageInputError naming
 *   the frame for a frame that is not one image, and the errors of {@link classifyEmotion}.
 */
export function classifyStream<C extends string = Emotion>(
  frames: AsyncIterable<SingleImageInput> | Iterable<SingleImageInput>,
  options: StreamOptions<C> = {},
): AsyncGenerator<StreamResult<C>, void, undefined> {
  const isIterable = frames !== null && typeof frames === 'object'
    && (typeof (frames as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (frames as Iterable<unknown>)[Symbol.iterator] === 'function');
  if (!isIterable) throw new TypeError(`classifyStream: frames must be an iterable or async iterable of images, got ${describeInput(frames)}`);
  const { smoothing, predict } = splitOptions(options);
  return stream(frames, new EmotionSmoother<C>(smoothing), predict);
}

/** Options of {@link watchVideo}. */
export interface WatchVideoOptions<C extends string = Emotion> extends PredictOptions<C>, SmoothingOptions {
  /** Frames classified per second at most. Default 10. */
  fps?: number;
  /**
   * Called when classifying (or `onResult`) throws; watching stops. Default: logs the error
   * with `console.error`.
   */
  onError?: (error: unknown) => void;
}

/** A running {@link watchVideo}. */
export interface VideoWatch {
  /** Stops watching (no more `onResult` calls). */
  stop(): void;
  /** Settles once watching has ended (after `stop()` or an error). */
  readonly done: Promise<void>;
}

/** Milliseconds from a monotonic clock where there is one. */
export const now = (): number => (typeof performance !== 'undefined' && typeof performance.now === 'function' ? performance.now() : Date.now());

/** Waits `ms` (with `setTimeout`), then for the next animation frame where there is one. */
export function nextTick(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const go = () => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => resolve()) : resolve());
    if (ms > 0) setTimeout(go, ms);
    else go();
  });
}

/**
 * The video element itself, yielded at most `fps` times per second while it has a frame
 * (`readyState ≥ 2`), until `stopped()` is true. Paced with `setTimeout` and
 * `requestAnimationFrame` (so it pauses in hidden tabs).
 */
export async function* videoFrames(video: HTMLVideoElement, fps: number, stopped: () => boolean): AsyncGenerator<HTMLVideoElement, void, undefined> {
  const interval = 1000 / fps;
  let last = -Infinity;
  while (!stopped()) {
    await nextTick(last + interval - now());
    if (stopped()) return;
    last = now();
    if ((video.readyState ?? 0) < 2) continue; // no frame yet (HAVE_CURRENT_DATA = 2)
    yield video;
  }
}

/**
 * Classifies a playing `<video>` (a webcam stream, a file) live, in the browser: up to `fps`
 * frames per second go through {@link classifyStream}, and `onResult` gets each frame's raw and
 * smoothed classification. Frames before the video has data are skipped. Returns a handle whose
 * `stop()` ends it.
 *
 * @example
 * ```ts
 * video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
 * await video.play();
 * const watch = watchVideo(video, ({ smoothed }) => { label.textContent = smoothed.emotion; }, { fps: 8 });
 * // later: watch.stop();
 * ```
 * @throws RangeError at once for a bad `fps` or smoothing option.
 */
export function watchVideo<C extends string = Emotion>(
  video: HTMLVideoElement,
  onResult: (result: StreamResult<C>) => void,
  options: WatchVideoOptions<C> = {},
): VideoWatch {
  const { fps = 10, onError, ...rest } = options;
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps <= 0) throw new RangeError(`watchVideo: fps must be a positive number, got ${String(fps)}`);
  if (typeof video !== 'object' || video === null) throw new TypeError(`watchVideo: expected a video element, got ${describeInput(video)}`);
  if (typeof onResult !== 'function') throw new TypeError('watchVideo: onResult must be a function');
  resolveSmoothingOptions(rest);
  let stopped = false;
  const results = classifyStream<C>(videoFrames(video, fps, () => stopped), rest as StreamOptions<C>);
  const done = (async () => {
    try {
      for await (const r of results) {
        if (stopped) break;
        onResult(r);
      }
    } catch (e) {
      stopped = true;
      (onError ?? ((err: unknown) => console.error('watchVideo stopped:', err)))(e);
    }
  })();
  return { stop: () => { stopped = true; }, done };
}
