/**
 * fer-cnn-lstm — facial emotion recognition (the 7 FER-2013 classes) with a CNN-LSTM on
 * TensorFlow.js: a pretrained model, a dataset loader, augmentation, a fast training engine for
 * the wasm backend, evaluation and a CLI.
 *
 * @packageDocumentation
 */
export { tf, tfl } from './backends/tf.js';
export { registerChainedOps } from './backends/chained-ops.js';
export { selectBackend, setBackend, activeBackend, preferredBackends, type BackendName } from './backends/select.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, type WasmTrainingKernel } from './backends/wasm-kernels.js';

export { Emotion, EMOTIONS, NUM_EMOTIONS, isEmotion, emotionFromIndex, emotionToIndex, parseEmotion } from './emotions.js';

export { buildCnnLstm, DEFAULT_CNN_LSTM_OPTIONS, type CnnLstmOptions, type SequenceMode } from './model/cnn-lstm.js';
export { loadModel, saveModel, fileSystemHandler } from './model/io.js';
export { rebuildCnnLstm } from './model/rebuild.js';
export { GaussianBlur, Standardize, registerCustomLayers, setBlurInTraining, type GaussianBlurArgs, type StandardizeArgs } from './model/layers.js';
export { gaussianBlurPixels, gaussianKernel } from './data/blur.js';

export { FerDataset, type LoadOptions, type LoadSummary, type BatchOptions, type TensorBatch } from './data/fer-dataset.js';
export { FerDataError } from './data/errors.js';
export { augment, augmentTransforms, DEFAULT_AUGMENTATION, type AugmentOptions } from './data/augment.js';
export { SPLITS, parseSplitFilter, type Split, type SplitFilter } from './data/splits.js';
export { decodeImage, sniffFormat, type ImageFormat } from './data/decode.js';
export { toGraySquare, type Raster } from './data/image.js';

export { train, TrainingError, type TrainOptions, type TrainResult, type BatchProgress, type EpochLog } from './training/train.js';
export type { LearningRateSchedule } from './training/schedule.js';
export { useFastBatchNorm, batchNormTraining } from './training/fast-batchnorm.js';

export { confusionMatrix, metricsFromConfusion, type ClassMetrics, type EvaluationResult } from './evaluation/metrics.js';
export { evaluate, type EvaluateOptions } from './evaluation/evaluate.js';

export { confusionMatrixSvg, type ConfusionMatrixSvgOptions } from './viz/confusion.js';
export { trainingCurvesSvg, type TrainingCurvesSvgOptions, type CurvePoint } from './viz/curves.js';
export { predictionGridSvg, type PredictionGridSvgOptions, type PredictionSample } from './viz/samples.js';
export { encodePng, pngDataUri, type PngChannels } from './viz/png.js';

export { predictEmotion, classifyEmotion, type PredictOptions, type Classification, type SingleImageInput, type BatchInput } from './inference/predict.js';
export { loadEmotionModel, shippedModelInfo, shippedWeightsLocation, clearModelCache, type ModelSource, type ShippedModelInfo } from './inference/weights.js';
export {
  toModelInput, toGrayImages, grayToTensor, ImageInputError,
  type ImageInput, type ModelInput, type ImageDataLike, type BrowserImageSource, type InputOptions, type GrayImages,
} from './inference/input.js';
export { quantizeArtifacts, toFloat16Bits, type WeightPrecision } from './model/quantize.js';

export {
  EmotionSmoother, DEFAULT_SMOOTHING, resolveSmoothingOptions,
  type SmoothingOptions, type SmoothingMethod, type ResolvedSmoothingOptions,
} from './video/smoothing.js';
export { classifyStream, watchVideo, type StreamOptions, type StreamResult, type WatchVideoOptions, type VideoWatch } from './video/stream.js';

export { detectEmotions, type DetectEmotionsOptions, type FaceEmotion } from './detection/detect-emotions.js';
export { FaceDetector, loadFaceDetector, type DetectOptions } from './detection/detector.js';
export {
  resolveDetectorModel, FaceDetectorMissingError, DETECTOR_PACKAGE, type DetectorSource, type ModuleResolver,
} from './detection/model-files.js';
export { scanWindows, MIN_FACE_FRACTION } from './detection/scan.js';
export type { Box, DetectedFace } from './detection/boxes.js';
export { FER_FRAMING, ferCropBox, cropRaster, type Framing } from './detection/crop.js';
