/**
 * `fer-cnn-lstm/viz`: plots as SVG strings (confusion matrix, training curves, a grid of
 * predictions) and a small PNG encoder.
 *
 * @module fer-cnn-lstm/viz
 */
export * from './viz/index.js';
