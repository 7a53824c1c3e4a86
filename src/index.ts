/**
 * fer-cnn-lstm — facial emotion recognition (the 7 FER-2013 classes) with a CNN-LSTM on
 * TensorFlow.js: a pretrained model, a dataset loader, augmentation, training, evaluation and a CLI.
 *
 * This root entry holds what an application needs (the 0.2 API). The rest lives in subpath
 * entries: `fer-cnn-lstm/model` (custom layers, rebuilding, quantization, input tensors),
 * `fer-cnn-lstm/training` (the training engine: wasm kernels, fast batch norm, schedules,
 * checkpoints, metrics), `fer-cnn-lstm/detection` (the face detector, crops, boxes, scanning),
 * `fer-cnn-lstm/video` (smoothing, streams, `<video>` elements) and `fer-cnn-lstm/viz` (SVG and
 * PNG plots).
 *
 * The browser build of this entry (the `browser` export condition, which Vite and webpack pick)
 * has no `node:` imports: file paths, dataset folders, caches and worker threads need Node.
 *
 * @module fer-cnn-lstm
 */
export { selectBackend, setBackend, type BackendName } from './backends/select.js';

export { Emotion, EMOTIONS, NUM_EMOTIONS, isEmotion, emotionFromIndex, emotionToIndex, parseEmotion } from './emotions.js';

export {
  LOW_CONTRAST_STD, type PredictOptions, type Classification, type SingleImageInput, type BatchInput,
} from './inference/predict.js';
export {
  EmotionClassifier, loadEmotionClassifier, emotionClassifierId,
  type EmotionClassifierOptions, type ClassifyOptions,
} from './inference/classifier.js';
export { FER2013_TRAIN_COUNTS, type ClassPrior } from './inference/prior.js';
export { SHIPPED_VARIANTS, type ShippedVariant } from './inference/variants.js';
// the face-aware entry points: every answer is about a face (src/detection/photo.ts)
export {
  predictEmotion, classifyEmotion, NoFaceError, FACE_CROP_MAX_SIDE,
  type FaceMode, type PhotoOptions, type PhotoClassification,
} from './detection/photo.js';
export { DEFAULT_PHOTO_OPTIONS } from './detection/defaults.js';
export type { TtaMode } from './inference/tta.js';
export { AUTO_TTA_CONFIDENCE } from './inference/tta.js';
export { ImageInputError, type ImageInput, type ModelInput, type ImageDataLike, type BrowserImageSource } from './inference/input.js';
export { detectEmotions, type DetectEmotionsOptions, type FaceEmotion } from './detection/detect-emotions.js';
export { FaceDetectorMissingError } from './detection/model-files.js';
export type { Box } from './detection/boxes.js';

export {
  loadEmotionModel, shippedModelInfo, shippedWeightsLocation, clearModelCache, MODEL_VARIANTS, VARIANT_TTA,
  type ModelSource, type ModelVariant, type ShippedModelInfo,
} from './inference/weights.js';
export { loadModel, saveModel } from './model/io.js';
export type { WeightPrecision } from './model/quantize.js';

export { buildCnnLstm, type CnnLstmOptions, type SequenceMode } from './model/cnn-lstm.js';
export { FerDataset, type LoadOptions, type LoadSummary, type BatchOptions, type TensorBatch } from './data/fer-dataset.js';
export { FerDataError } from './data/errors.js';
export type { Split, SplitFilter } from './data/splits.js';
export { augment, type AugmentOptions } from './data/augment.js';
export { train, TrainingError, type TrainOptions, type TrainResult, type BatchProgress, type EpochLog } from './training/train.js';
export type { LearningRateSchedule } from './training/schedule.js';
export type { OptimizerConfig } from './training/optimizer.js';
export { evaluate, type EvaluateOptions } from './evaluation/evaluate.js';
export type { ClassMetrics, EvaluationResult } from './evaluation/metrics.js';
