/**
 * `analyzeVideo`: the emotions of a video file over time — frames decoded with ffmpeg at a chosen
 * rate, faces found in each (or the whole frame taken as one face), tracked from frame to frame,
 * classified, and smoothed per face.
 *
 * @packageDocumentation
 */
import type { Box } from '../detection/boxes.js';
import type { DetectOptions } from '../detection/detector.js';
import type { Emotion } from '../emotions.js';
import type { Classification, PredictOptions } from '../inference/predict.js';
import { checkFaceMode, isFaceCrop, type FaceMode } from '../detection/photo.js';
import { decodeFrames, probeVideo, type VideoInfo } from './ffmpeg.js';
import { EmotionSmoother, resolveSmoothingOptions, type SmoothingOptions } from './smoothing.js';
import { FaceTracker, type TrackerOptions } from './tracker.js';
import { DEFAULT_VIDEO_OPTIONS } from './defaults.js';

/** Options of {@link analyzeVideo}. */
export interface AnalyzeVideoOptions extends PredictOptions<Emotion>, SmoothingOptions, DetectOptions, Omit<TrackerOptions, 'firstId'> {
  /** Frames analysed per second of video. Default 5 ({@link DEFAULT_VIDEO_OPTIONS}). */
  fps?: number;
  /**
   * Find the faces of each frame (BlazeFace, shipped in the package) and track them (ids from 1):
   * `'auto'` (default, {@link DEFAULT_VIDEO_OPTIONS}) does so unless the frames themselves are face crops (square, at most 96 px,
   * see `isFaceCrop`); `true` or `'detect'` always; `false` or `'crop'` never: each whole frame is
   * one face crop, id 0.
   */
  faces?: boolean | FaceMode;
  /** The face detector's `blazeface.json` (with `faces`). */
  detector?: string;
  /** Stops the analysis (ffmpeg is stopped); the iterator throws the signal's reason. */
  signal?: AbortSignal;
  /** Attach each decoded frame's pixels to its result (`image`), e.g. to draw the faces on it. Default false. */
  keepFrames?: boolean;
}

/** One face of one frame. */
export interface VideoFace {
  /** Its track id: the same while the face stays in view; 0 for the whole frame (without `faces`). */
  id: number;
  /** Where it is, frame pixels (the whole frame without `faces`). */
  box: Box;
  /** The detector's confidence (with `faces`). */
  faceScore?: number;
  /** This frame's own classification. */
  raw: Classification<Emotion>;
  /** The classification smoothed over this face's frames so far ({@link EmotionSmoother}). */
  smoothed: Classification<Emotion>;
}

/** One analysed frame. */
export interface VideoFrameResult {
  /** 0-based index among the analysed frames. */
  frame: number;
  /** Seconds from the start. */
  time: number;
  /** Its faces (none when no face was found). */
  faces: VideoFace[];
  /** The decoded frame (gray or RGB pixels), with `keepFrames`. */
  image?: { width: number; height: number; channels: 1 | 3; data: Uint8Array };
}

/** `ffprobe`'s facts about the video (size, duration, frame rate). */
export function videoInfo(file: string): Promise<VideoInfo> {
  return probeVideo(file);
}

/**
 * Analyses a video file frame by frame and yields, per analysed frame, its faces with their track
 * id, box, raw and smoothed classification. Frames are decoded by the system's `ffmpeg` (see
 * {@link decodeFrames}) at `fps`; by default (`faces: 'auto'`) each frame goes through
 * `detectEmotions` and the faces are tracked by box overlap ({@link FaceTracker}), each track
 * smoothed on its own; with `faces: false` (or frames that are face crops, square and at most
 * 96 px), each whole frame is classified as one face (id 0).
 *
 * @example
 * ```ts
 * import { analyzeVideo } from 'fer-cnn-lstm/video';
 * for await (const { time, faces } of analyzeVideo('interview.mp4', { fps: 5 })) {
 *   for (const f of faces) console.log(time.toFixed(1), f.id, f.smoothed.emotion);
 * }
 * ```
 * @throws FfmpegMissingError when ffmpeg is not installed; RangeError for bad options; Error naming
 *   the file when it cannot be decoded; FaceDetectorMissingError when the shipped detector's files are missing.
 */
export async function* analyzeVideo(file: string, options: AnalyzeVideoOptions = {}): AsyncGenerator<VideoFrameResult, void, undefined> {
  const { fps = DEFAULT_VIDEO_OPTIONS.fps, faces: facesOption = DEFAULT_VIDEO_OPTIONS.faces, signal, keepFrames = false, iouThreshold, maxMissed, method, alpha, window, hysteresis, ...rest } = options;
  const mode = facesOption === true ? 'detect' : facesOption === false ? 'crop' : checkFaceMode(facesOption);
  const smoothing = resolveSmoothingOptions({ method, alpha, window, hysteresis });
  const tracker = new FaceTracker({ iouThreshold, maxMissed });
  // the classifier (given, or loaded once here) answers every frame, with its own TTA unless `tta` says otherwise
  const { EmotionClassifier } = await import('../inference/classifier.js');
  const classifier = rest.classifier ?? await EmotionClassifier.shared<Emotion>(rest);
  const predict = { ...rest, classifier };
  const smoothers = new Map<number, EmotionSmoother<Emotion>>();
  const smooth = (id: number, scores: Record<Emotion, number>) => {
    let s = smoothers.get(id);
    if (!s) { s = new EmotionSmoother<Emotion>(smoothing); smoothers.set(id, s); }
    return s.update(scores);
  };
  let detect: typeof import('../detection/detect-emotions.js').detectEmotions | undefined;
  if (mode !== 'crop') {
    const { loadFaceDetector } = await import('../detection/detector.js');
    await loadFaceDetector(options.detector); // a missing detector fails before decoding
    detect = (await import('../detection/detect-emotions.js')).detectEmotions;
  }
  const { classifyEmotion } = await import('../inference/predict.js');
  for await (const frame of decodeFrames(file, { fps, pixels: mode === 'crop' ? 'gray' : 'rgb', signal })) {
    const image = { width: frame.width, height: frame.height, data: frame.data, channels: frame.channels };
    let found: VideoFace[];
    if (detect && !(mode === 'auto' && isFaceCrop(frame.width, frame.height))) {
      const detected = await detect(image, predict);
      const ids = tracker.update(detected.map((f) => f.box));
      for (const id of tracker.ended) smoothers.delete(id);
      found = detected.map((f, i) => {
        const raw: Classification<Emotion> = { emotion: f.emotion, confidence: f.confidence, scores: f.scores };
        return { id: ids[i], box: f.box, faceScore: f.faceScore, raw, smoothed: smooth(ids[i], f.scores) };
      });
    } else {
      const raw = await classifyEmotion(image, predict);
      found = [{ id: 0, box: { x: 0, y: 0, width: frame.width, height: frame.height }, raw, smoothed: smooth(0, raw.scores) }];
    }
    yield { frame: frame.index, time: frame.time, faces: found, ...(keepFrames ? { image } : {}) };
  }
}
