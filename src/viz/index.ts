/**
 * The viz folder's API, exported by the `fer-cnn-lstm/viz` entry (src/viz.ts).
 *
 * `fer-cnn-lstm/viz`: plots as SVG strings (confusion matrix, training curves, a grid of
 * predictions), a small PNG encoder, and faces drawn on photos (`annotateImage`, pure JS) and on
 * canvases (`drawEmotions`).
 *
 * @packageDocumentation
 */
export { confusionMatrixSvg, type ConfusionMatrixSvgOptions } from './confusion.js';
export { trainingCurvesSvg, type TrainingCurvesSvgOptions, type CurvePoint } from './curves.js';
export { predictionGridSvg, type PredictionGridSvgOptions, type PredictionSample } from './samples.js';
export { encodePng, pngDataUri, type PngChannels } from './png.js';
export { reliabilityDiagramSvg, type ReliabilityDiagramSvgOptions, type ReliabilitySeries } from './reliability.js';
export { annotateImage, emotionLabel, EMOTION_RGB, type FaceAnnotation, type RgbaImage } from './annotate.js';
export { drawEmotions, type DrawableFace, type DrawEmotionsOptions, type Context2DLike } from './draw-emotions.js';
