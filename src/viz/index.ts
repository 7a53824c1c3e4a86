/**
 * The viz folder's API, exported by the `fer-cnn-lstm/viz` entry (src/viz.ts).
 *
 * `fer-cnn-lstm/viz`: plots as SVG strings (confusion matrix, training curves, a grid of
 * predictions) and a small PNG encoder.
 *
 * @packageDocumentation
 */
export { confusionMatrixSvg, type ConfusionMatrixSvgOptions } from './confusion.js';
export { trainingCurvesSvg, type TrainingCurvesSvgOptions, type CurvePoint } from './curves.js';
export { predictionGridSvg, type PredictionGridSvgOptions, type PredictionSample } from './samples.js';
export { encodePng, pngDataUri, type PngChannels } from './png.js';
export { reliabilityDiagramSvg, type ReliabilityDiagramSvgOptions, type ReliabilitySeries } from './reliability.js';
