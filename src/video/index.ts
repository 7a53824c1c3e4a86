/**
 * `fer-cnn-lstm/video`: emotions over time — smoothing a stream of classifications, classifying
 * an (async) iterable of frames, and watching a `<video>` element.
 *
 * @module fer-cnn-lstm/video
 */
export {
  EmotionSmoother, DEFAULT_SMOOTHING, resolveSmoothingOptions,
  type SmoothingOptions, type SmoothingMethod, type ResolvedSmoothingOptions,
} from './smoothing.js';
export { classifyStream, watchVideo, type StreamOptions, type StreamResult, type WatchVideoOptions, type VideoWatch } from './stream.js';
export { classifyEmotion, type Classification, type SingleImageInput } from '../inference/predict.js';
export type { ImageInput } from '../inference/input.js';
