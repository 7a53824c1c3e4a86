/**
 * `fer-cnn-lstm/video`: emotions over time — smoothing a stream of classifications, classifying
 * an (async) iterable of frames, watching a `<video>` element, and (Node, with the system's
 * ffmpeg) analysing video files: faces tracked across frames, timeline CSV rows and SVG plots.
 *
 * @module fer-cnn-lstm/video
 */
export * from './video/index.js';
export { timelineSvg, EMOTION_COLORS, type TimelineSvgOptions } from './viz/timeline.js';
