/**
 * The model folder's API: the library's TensorFlow.js instances, its custom layers, rebuilding,
 * saving and loading, weight quantization, batch-norm folding and compiling. The
 * `fer-cnn-lstm/model` entry (src/model.ts) adds confidence calibration.
 *
 * @packageDocumentation
 */
export { tf, tfl } from '../backends/tf.js';
export { buildCnnLstm, DEFAULT_CNN_LSTM_OPTIONS, type CnnLstmOptions, type SequenceMode } from './cnn-lstm.js';
export { rebuildCnnLstm } from './rebuild.js';
export { Standardize, registerCustomLayers, type StandardizeArgs } from './layers.js';
export { loadModel, saveModel, fileSystemHandler } from './io.js';
export { averageWeights } from './average.js';
export { quantizeArtifacts, toFloat16Bits, type WeightPrecision } from './quantize.js';
export { foldBatchNorm, InferencePass } from './fold.js';
export { compileModel, type CompiledModel } from './compile.js';
