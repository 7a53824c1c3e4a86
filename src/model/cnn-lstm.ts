/**
 * The CNN-LSTM architecture: a weight-free input canonicalization (per-image standardization, a
 * Gaussian blur applied only at inference, 2× average pooling) → convolution blocks, each ending in
 * max pooling → the feature map read as a sequence → LSTM → dense → softmax.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { NUM_EMOTIONS } from '../emotions.js';
import { GaussianBlur, registerCustomLayers, Standardize } from './layers.js';

/** How the last feature map (`H × W × C`) becomes the LSTM's input sequence. */
export type SequenceMode =
  /** `H` steps of `W·C` features: the LSTM reads the face top to bottom. */
  | 'rows'
  /** `W` steps of `H·C` features: left to right. */
  | 'columns'
  /** `H·W` steps of `C` features: cell by cell in raster order. */
  | 'cells';

/** Options of {@link buildCnnLstm}. Every field is optional; the defaults are the shipped model's. */
export interface CnnLstmOptions {
  /** Input image size in pixels (square, grayscale). Default 48. */
  inputSize?: number;
  /** Number of output classes. Default 7 (the FER-2013 emotions). */
  numClasses?: number;
  /** Filters of each convolution block; one max-pool (2×2) ends each block. Default `[32, 64, 128]`. */
  filters?: number[];
  /** Convolutions (3×3, same padding) per block. Default 2. */
  convsPerBlock?: number;
  /** Batch normalization after each convolution. Default true. */
  batchNorm?: boolean;
  /** How the feature map becomes a sequence. Default `'rows'`. */
  sequence?: SequenceMode;
  /** LSTM units. Default 128. */
  lstmUnits?: number;
  /** Wrap the LSTM in a bidirectional layer (outputs concatenated). Default false. */
  bidirectional?: boolean;
  /** Units of the dense layer after the LSTM (0 = none). Default 128. */
  denseUnits?: number;
  /** Dropout rate after each convolution block. Default 0 (the GPU sweep of docs/experiments.md §4: lower dropout trained better). */
  convDropout?: number;
  /** Dropout rate before the classifier. Default 0.2. */
  dropout?: number;
  /** L2 weight decay on conv and dense kernels (0 = none). Default 0. */
  l2?: number;
  /**
   * Standardize each image (zero mean, unit variance over its pixels) inside the model, so that
   * brightness and contrast do not matter. Default true.
   */
  standardize?: boolean;
  /**
   * Gaussian blur (σ in pixels, 0 = none) applied inside the model before the convolutions, as a
   * fixed layer without weights. It makes sharp inputs look like the low-detail images the model
   * was trained on: the FER-2013 training copy used for the shipped model is close to its test
   * images blurred with σ ≈ 3.4 (see docs/experiments.md §1). Default 3.4 for 48-pixel inputs,
   * scaled with `inputSize`.
   */
  blurSigma?: number;
  /**
   * Apply the blur only at inference (predict, evaluate) and not while training: right when the
   * training images are already blurred (as in the shipped model's training copy), so that both
   * reach the convolutions alike. Set false to blur in training too, or `blurSigma: 0` for
   * training on sharp images. Default true.
   */
  blurOnlyAtInference?: boolean;
  /**
   * Fixed average pooling (factor × factor) after the canonicalization, before the convolutions:
   * the convolutions then work at `inputSize / downsample` pixels. Blurred faces carry no detail
   * finer than a few pixels, so 2 costs no information and quarters the compute. Default 2.
   */
  downsample?: number;
  /** Seed for weight initialisation (reproducible models). Default: unseeded. */
  seed?: number;
  /** Model name. Default `'fer_cnn_lstm'`. */
  name?: string;
}

/** The defaults of {@link CnnLstmOptions}, resolved. */
export const DEFAULT_CNN_LSTM_OPTIONS: Readonly<Required<Omit<CnnLstmOptions, 'seed'>>> = Object.freeze({
  inputSize: 48,
  numClasses: NUM_EMOTIONS,
  filters: [32, 64, 128],
  convsPerBlock: 2,
  batchNorm: true,
  sequence: 'rows',
  lstmUnits: 128,
  bidirectional: false,
  denseUnits: 128,
  convDropout: 0,
  dropout: 0.2,
  l2: 0,
  standardize: true,
  blurSigma: 3.4,
  blurOnlyAtInference: true,
  downsample: 2,
  name: 'fer_cnn_lstm',
});

function check(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(`buildCnnLstm: ${msg}`);
}

/**
 * Builds the CNN-LSTM (untrained). Input: `[batch, size, size, 1]` grayscale in [0, 1];
 * output: `[batch, numClasses]` class probabilities.
 *
 * @example
 * ```ts
 * const model = buildCnnLstm({ filters: [32, 64], lstmUnits: 64 });
 * model.summary();
 * ```
 */
export function buildCnnLstm(options: CnnLstmOptions = {}): tfl.LayersModel {
  registerCustomLayers();
  const o = { ...DEFAULT_CNN_LSTM_OPTIONS, ...options };
  if (options.blurSigma === undefined) o.blurSigma = (DEFAULT_CNN_LSTM_OPTIONS.blurSigma * o.inputSize) / 48;
  check(Number.isInteger(o.inputSize) && o.inputSize >= 4, `inputSize must be an integer ≥ 4, got ${o.inputSize}`);
  check(Number.isInteger(o.numClasses) && o.numClasses >= 2, `numClasses must be an integer ≥ 2, got ${o.numClasses}`);
  check(o.filters.length >= 1 && o.filters.every((f) => Number.isInteger(f) && f > 0), 'filters must be positive integers');
  check(Number.isInteger(o.downsample) && o.downsample >= 1 && o.inputSize % o.downsample === 0,
    `downsample must be an integer ≥ 1 that divides inputSize ${o.inputSize}, got ${o.downsample}`);
  check((o.inputSize / o.downsample) >> o.filters.length >= 1,
    `${o.filters.length} pooling blocks shrink a ${o.inputSize / o.downsample}px input to nothing`);
  check(Number.isInteger(o.convsPerBlock) && o.convsPerBlock >= 1, 'convsPerBlock must be ≥ 1');
  check(['rows', 'columns', 'cells'].includes(o.sequence), `sequence must be rows, columns or cells, got ${o.sequence}`);
  check(o.lstmUnits > 0, 'lstmUnits must be > 0');
  check(o.dropout >= 0 && o.dropout < 1 && o.convDropout >= 0 && o.convDropout < 1, 'dropout rates must be in [0, 1)');
  check(Number.isFinite(o.blurSigma) && o.blurSigma >= 0 && o.blurSigma <= o.inputSize / 6, `blurSigma must be in [0, ${o.inputSize / 6}], got ${o.blurSigma}`);

  let seed = o.seed;
  const init = (kind: 'heNormal' | 'glorotUniform' | 'orthogonal') => {
    const s = seed === undefined ? undefined : seed++;
    if (kind === 'heNormal') return tfl.initializers.heNormal({ seed: s });
    if (kind === 'glorotUniform') return tfl.initializers.glorotUniform({ seed: s });
    return tfl.initializers.orthogonal({ seed: s, gain: 1 });
  };
  const reg = o.l2 > 0 ? () => tfl.regularizers.l2({ l2: o.l2 }) : () => undefined;

  const input = tfl.input({ shape: [o.inputSize, o.inputSize, 1], name: 'image' });
  let x: tfl.SymbolicTensor = input;
  if (o.standardize) {
    x = new Standardize({ name: 'standardize' }).apply(x) as tfl.SymbolicTensor;
  }
  if (o.blurSigma > 0) {
    x = new GaussianBlur({ sigma: o.blurSigma, inferenceOnly: o.blurOnlyAtInference, name: 'blur' }).apply(x) as tfl.SymbolicTensor;
  }
  if (o.downsample > 1) {
    x = tfl.layers.averagePooling2d({ poolSize: o.downsample, strides: o.downsample, name: 'downsample' }).apply(x) as tfl.SymbolicTensor;
  }
  o.filters.forEach((f, b) => {
    for (let c = 0; c < o.convsPerBlock; c++) {
      const id = `block${b + 1}_conv${c + 1}`;
      x = tfl.layers.conv2d({
        filters: f, kernelSize: 3, padding: 'same', useBias: !o.batchNorm, name: id,
        kernelInitializer: init('heNormal'), kernelRegularizer: reg(),
      }).apply(x) as tfl.SymbolicTensor;
      if (o.batchNorm) x = tfl.layers.batchNormalization({ name: `${id}_bn` }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.activation({ activation: 'relu', name: `${id}_relu` }).apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as tfl.SymbolicTensor;
    if (o.convDropout > 0) x = tfl.layers.dropout({ rate: o.convDropout, name: `block${b + 1}_dropout` }).apply(x) as tfl.SymbolicTensor;
  });

  const [, h, w, c] = x.shape as number[];
  if (o.sequence === 'columns') {
    x = tfl.layers.permute({ dims: [2, 1, 3], name: 'to_columns' }).apply(x) as tfl.SymbolicTensor;
  }
  const [steps, features] = o.sequence === 'rows' ? [h, w * c] : o.sequence === 'columns' ? [w, h * c] : [h * w, c];
  check(steps >= 2, `the LSTM needs a sequence of at least 2 steps, but ${o.filters.length} pooling blocks leave a ${h}×${w} feature map `
    + `(${steps} ${o.sequence === 'cells' ? 'cell' : o.sequence === 'rows' ? 'row' : 'column'}): use fewer blocks, a smaller downsample or a larger input`);
  x = tfl.layers.reshape({ targetShape: [steps, features], name: `to_sequence_${o.sequence}` }).apply(x) as tfl.SymbolicTensor;

  const lstm = tfl.layers.lstm({
    units: o.lstmUnits, name: 'lstm',
    kernelInitializer: init('glorotUniform'), recurrentInitializer: init('orthogonal'),
  });
  x = (o.bidirectional
    ? tfl.layers.bidirectional({ layer: lstm, mergeMode: 'concat', name: 'bilstm' }).apply(x)
    : lstm.apply(x)) as tfl.SymbolicTensor;

  if (o.denseUnits > 0) {
    x = tfl.layers.dense({
      units: o.denseUnits, activation: 'relu', name: 'dense',
      kernelInitializer: init('heNormal'), kernelRegularizer: reg(),
    }).apply(x) as tfl.SymbolicTensor;
  }
  if (o.dropout > 0) x = tfl.layers.dropout({ rate: o.dropout, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({
    units: o.numClasses, activation: 'softmax', name: 'emotion',
    kernelInitializer: init('glorotUniform'),
  }).apply(x) as tfl.SymbolicTensor;

  return tfl.model({ inputs: input, outputs: output, name: o.name });
}
