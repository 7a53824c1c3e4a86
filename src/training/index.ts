/**
 * The training folder's API: `train()` and its engine — the fused batch norm, learning-rate
 * schedules, optimizers, checkpoints, batch-norm statistics re-estimated after weight averaging.
 * The `fer-cnn-lstm/training` entry (src/training.ts) adds what training uses from the layers below.
 *
 * @packageDocumentation
 */
export { train, TrainingError, type TrainOptions, type TrainResult, type BatchProgress, type EpochLog } from './train.js';
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
