/**
 * `fer-cnn-lstm/detection`: the face detector under `detectEmotions` (BlazeFace), FER-2013
 * framing and crops, boxes, the tiled scan for small faces, and image decoding.
 *
 * @module fer-cnn-lstm/detection
 */
export * from './detection/index.js';
