/**
 * `fer-cnn-lstm/training`: the training engine under `train()` — backend set-up, the wasm
 * gradient kernels, the fused batch norm, learning-rate schedules, optimizers, checkpoints,
 * batch-norm statistics re-estimated after weight averaging, the dataset and its splits,
 * augmentation details, images as model input tensors, and evaluation metrics.
 *
 * @module fer-cnn-lstm/training
 */
export * from './training/index.js';
export { selectBackend, setBackend, activeBackend, preferredBackends, type BackendName } from './backends/select.js';
export { registerChainedOps } from './backends/chained-ops.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, type WasmTrainingKernel } from './backends/wasm-kernels.js';
export { FerDataset, type LoadOptions, type LoadSummary, type BatchOptions, type TensorBatch } from './data/fer-dataset.js';
export {
  toModelInput, toGrayImages, grayToTensor, MAX_FACE_ASPECT,
  type ModelInput, type ImageInput, type InputOptions, type GrayImages,
} from './inference/input.js';
export { SPLITS, parseSplitFilter, type Split, type SplitFilter } from './data/splits.js';
export { augment, augmentTransforms, DEFAULT_AUGMENTATION, type AugmentOptions } from './data/augment.js';
export { evaluate, type EvaluateOptions } from './evaluation/evaluate.js';
export { confusionMatrix, metricsFromConfusion, type ClassMetrics, type EvaluationResult } from './evaluation/metrics.js';
