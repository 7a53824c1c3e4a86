/**
 * `fer-cnn-lstm/model`: the model's building blocks beyond `buildCnnLstm` — the library's
 * TensorFlow.js instances, its custom layers, rebuilding a trained model with other options,
 * saving and loading, weight quantization, inference-time batch-norm folding and compiling, and confidence
 * calibration (temperature scaling).
 *
 * @module fer-cnn-lstm/model
 */
export { tf, tfl } from '../backends/tf.js';
export { buildCnnLstm, DEFAULT_CNN_LSTM_OPTIONS, type CnnLstmOptions, type SequenceMode } from './cnn-lstm.js';
export { rebuildCnnLstm } from './rebuild.js';
export { Standardize, registerCustomLayers, type StandardizeArgs } from './layers.js';
export { loadModel, saveModel, fileSystemHandler } from './io.js';
export { quantizeArtifacts, toFloat16Bits, type WeightPrecision } from './quantize.js';
export { foldBatchNorm, InferencePass } from './fold.js';
export { compileModel, type CompiledModel } from './compile.js';
export {
  calibration, fitTemperature, applyTemperature, setTemperature,
  type Calibration, type ReliabilityBin,
} from '../evaluation/calibration.js';
