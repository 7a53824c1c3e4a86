/**
 * `fer-cnn-lstm/training`: the training engine under `train()` — backend set-up, the wasm
 * gradient kernels, the fused batch norm, learning-rate schedules, optimizers, checkpoints,
 * batch-norm statistics re-estimated after weight averaging, the dataset and its splits,
 * augmentation details, images as model input tensors, and evaluation metrics.
 *
 * @module fer-cnn-lstm/training
 */
export { train, TrainingError, type TrainOptions, type TrainResult, type BatchProgress, type EpochLog } from './train.js';
export { selectBackend, setBackend, activeBackend, preferredBackends, type BackendName } from '../backends/select.js';
export { registerChainedOps } from '../backends/chained-ops.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, type WasmTrainingKernel } from '../backends/wasm-kernels.js';
export { useFastBatchNorm, batchNormTraining } from './fast-batchnorm.js';
export { scheduledRate, type LearningRateSchedule } from './schedule.js';
export type { OptimizerConfig } from './optimizer.js';
export { deepenModel, type DeepenOptions, type DeepenResult } from './deepen.js';
export {
  parseRecipe, RecipeError, stageKind, stageInputs, releaseTargets,
  type Recipe, type RecipeStage, type TrainStage, type AverageStage, type DeepenStage, type TrainRecipe, type TrainLeg, type StageRef,
} from './recipe.js';
export { reproduce, stagePath, StaleStageError, type ReproduceOptions, type ReproduceResult, type StageReport } from './reproduce.js';
export { recomputeBatchNorm, type BatchNormRecompute } from './batch-norm-stats.js';
export { readCheckpointState, type CheckpointState } from './checkpoint.js';
export { FerDataset, type LoadOptions, type LoadSummary, type BatchOptions, type TensorBatch } from '../data/fer-dataset.js';
export {
  toModelInput, toGrayImages, grayToTensor, MAX_FACE_ASPECT,
  type ModelInput, type ImageInput, type InputOptions, type GrayImages,
} from '../inference/input.js';
export { SPLITS, parseSplitFilter, type Split, type SplitFilter } from '../data/splits.js';
export { augment, augmentTransforms, DEFAULT_AUGMENTATION, type AugmentOptions } from '../data/augment.js';
export { evaluate, type EvaluateOptions } from '../evaluation/evaluate.js';
export { confusionMatrix, metricsFromConfusion, type ClassMetrics, type EvaluationResult } from '../evaluation/metrics.js';
