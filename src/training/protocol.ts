/**
 * Messages between the trainer and its gradient workers.
 *
 * @packageDocumentation
 */
import type { ShardRequest } from './loss.js';
import type { TtaMode } from '../inference/tta.js';

/** Sent once: the model to rebuild and the backend to run it on. */
export interface InitMessage {
  type: 'init';
  /** `model.toJSON()` of the model being trained. */
  topology: string;
  backend: string;
  fastBatchNorm: boolean;
}

/** Compute the gradients of one shard with these weights (all of `model.weights`, in order). */
export interface StepMessage {
  type: 'step';
  id: number;
  weights: Float32Array[];
  shard: ShardRequest;
}

/** Predict class probabilities for pixels with these weights. */
export interface PredictMessage {
  type: 'predict';
  id: number;
  weights: Float32Array[];
  pixels: Uint8Array;
  size: number;
  tta: TtaMode;
}

export type WorkerRequest = InitMessage | StepMessage | PredictMessage;

/** A shard's result: gradients in `trainableWeights` order and the updated non-trainable weights. */
export interface ShardResult {
  grads: Float32Array[];
  /** Non-trainable weights (batch-norm moving statistics) after this shard's update, in `nonTrainableWeights` order. */
  nonTrainable: Float32Array[];
  lossSum: number;
  correct: number;
  count: number;
}

export type WorkerResponse =
  | { type: 'ready'; backend: string }
  | { type: 'step'; id: number; result: ShardResult }
  | { type: 'predict'; id: number; probs: Float32Array }
  | { type: 'error'; id?: number; message: string; stack?: string };
