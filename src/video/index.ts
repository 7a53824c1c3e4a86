/**
 * `fer-cnn-lstm/video`: emotions over time — smoothing a stream of classifications, classifying
 * an (async) iterable of frames, watching a `<video>` element, and (Node, with the system's
 * ffmpeg) analysing video files: faces tracked across frames, timeline CSV rows and SVG plots.
 *
 * The folder's own API; the `fer-cnn-lstm/video` entry (src/video.ts) adds the timeline plot.
 *
 * @packageDocumentation
 */
export {
  EmotionSmoother, DEFAULT_SMOOTHING, resolveSmoothingOptions,
  type SmoothingOptions, type SmoothingMethod, type ResolvedSmoothingOptions,
} from './smoothing.js';
export { classifyStream, watchVideo, type StreamOptions, type StreamResult, type WatchVideoOptions, type VideoWatch } from './stream.js';
export { classifyEmotion, type Classification, type SingleImageInput } from '../inference/predict.js';
export type { ImageInput } from '../inference/input.js';
export { analyzeVideo, videoInfo, type AnalyzeVideoOptions, type VideoFace, type VideoFrameResult } from './analyze.js';
export { decodeFrames, probeVideo, findFfmpeg, FfmpegMissingError, type DecodeOptions, type VideoFrame, type VideoInfo, type FfmpegPrograms } from './ffmpeg.js';
export { FaceTracker, type TrackerOptions } from './tracker.js';
export { TIMELINE_CSV_HEADER, timelineCsvRows, TimelineCollector, type TimelineSeries } from './timeline.js';
export { VideoSummaryCollector, summaryLines, type FaceSummary } from './summary.js';
export { watchFaces, type WatchFacesOptions } from './watch-faces.js';
export { DEFAULT_VIDEO_OPTIONS } from './defaults.js';
export { openVideoWriter, toRgba, type VideoWriter } from './encode.js';
