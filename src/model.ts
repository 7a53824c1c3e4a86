/**
 * `fer-cnn-lstm/model`: the model's building blocks beyond `buildCnnLstm` — the library's
 * TensorFlow.js instances, its custom layers, rebuilding a trained model with other options,
 * saving and loading, weight quantization, inference-time batch-norm folding and compiling, and confidence
 * calibration (temperature scaling).
 *
 * @module fer-cnn-lstm/model
 */
export * from './model/index.js';
export {
  calibration, fitTemperature, applyTemperature, setTemperature,
  type Calibration, type ReliabilityBin,
} from './evaluation/calibration.js';
