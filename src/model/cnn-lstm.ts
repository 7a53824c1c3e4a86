/**
 * The CNN-LSTM architecture: per-image standardization (weight-free) → a learned strided stem at
 * the full 48×48 resolution → convolution blocks with max pooling → the feature map read as a
 * sequence of rows → LSTM → dense → softmax.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { NUM_EMOTIONS } from '../emotions.js';
import { registerCustomLayers, Standardize } from './layers.js';

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
  /**
   * Convolutions (3×3, same padding) per block: one number for every block, or one per block
   * (`[2, 2, 3]`: a third convolution in the last block only). Default 2.
   */
  convsPerBlock?: number | number[];
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
   * Filters of a learned stem: one 3×3 convolution (+ batch norm + ReLU) at the full input
   * resolution, then halving it (2×2 max pool after a stride-1 conv, or a stride-2 conv), so that
   * the blocks work at half resolution but see the fine detail first. 0 = no stem (the blocks
   * then start at the full resolution). Default 32.
   */
  stemFilters?: number;
  /** Stride of the stem convolution: 1 (conv, then 2×2 max pool) or 2 (strided conv, a quarter of the cost). Default 2. */
  stemStride?: 1 | 2;
  /** Residual blocks: the block's input (1×1-projected when the width changes) is added before the last ReLU. Default false. */
  residual?: boolean;
  /**
   * Max-pool after the last block too. `false` keeps its full map, so the LSTM reads twice as many
   * (and finer) rows: 6 steps for the default 48×48 input. Default false.
   */
  poolLastBlock?: boolean;
  /** The LSTM's gate activation: tfjs' default `'hardSigmoid'` or the smooth `'sigmoid'`. Default `'hardSigmoid'`. */
  lstmGates?: 'hardSigmoid' | 'sigmoid';
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
  stemFilters: 32,
  stemStride: 2,
  residual: false,
  poolLastBlock: false,
  lstmGates: 'hardSigmoid',
  name: 'fer_cnn_lstm',
});

function check(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(`buildCnnLstm: ${msg}`);
}

/** Options of 0.1 that 0.2 removed: they only served a blurred training copy of FER-2013. */
const REMOVED_OPTIONS: Record<string, string> = {
  blurSigma: 'the inference blur was fitted to a blurred copy of the FER-2013 training images and is gone',
  blurOnlyAtInference: 'the inference blur was fitted to a blurred copy of the FER-2013 training images and is gone',
  downsample: 'the fixed average-pool downsampling was fitted to blurred training images; use stemStride (a learned stem) instead',
};

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
  for (const key of Object.keys(options)) {
    if (key in REMOVED_OPTIONS) throw new RangeError(`buildCnnLstm: option ${key} was removed in 0.2: ${REMOVED_OPTIONS[key]}`);
    if (!(key in DEFAULT_CNN_LSTM_OPTIONS) && key !== 'seed') throw new RangeError(`buildCnnLstm: unknown option ${key}`);
  }
  const o = { ...DEFAULT_CNN_LSTM_OPTIONS, ...options };
  check(Number.isInteger(o.inputSize) && o.inputSize >= 4, `inputSize must be an integer ≥ 4, got ${o.inputSize}`);
  check(Number.isInteger(o.numClasses) && o.numClasses >= 2, `numClasses must be an integer ≥ 2, got ${o.numClasses}`);
  check(Array.isArray(o.filters) && o.filters.length >= 1 && o.filters.every((f) => Number.isInteger(f) && f > 0), 'filters must be an array of positive integers');
  check(Number.isInteger(o.stemFilters) && o.stemFilters >= 0, `stemFilters must be an integer ≥ 0, got ${o.stemFilters}`);
  check(o.stemStride === 1 || o.stemStride === 2, `stemStride must be 1 or 2, got ${o.stemStride}`);
  const halvings = o.filters.length - (o.poolLastBlock ? 0 : 1) + (o.stemFilters > 0 ? 1 : 0);
  check(o.inputSize >> halvings >= 1, `${halvings} poolings shrink a ${o.inputSize}px input to nothing`);
  check(o.lstmGates === 'hardSigmoid' || o.lstmGates === 'sigmoid', `lstmGates must be hardSigmoid or sigmoid, got ${o.lstmGates}`);
  const convs = Array.isArray(o.convsPerBlock) ? o.convsPerBlock : o.filters.map(() => o.convsPerBlock as number);
  check(convs.length === o.filters.length, `convsPerBlock has ${convs.length} entries for ${o.filters.length} blocks`);
  check(convs.every((n) => Number.isInteger(n) && n >= 1), 'convsPerBlock must be ≥ 1');
  check(['rows', 'columns', 'cells'].includes(o.sequence), `sequence must be rows, columns or cells, got ${o.sequence}`);
  check(o.lstmUnits > 0, 'lstmUnits must be > 0');
  check(o.dropout >= 0 && o.dropout < 1 && o.convDropout >= 0 && o.convDropout < 1, 'dropout rates must be in [0, 1)');

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
  const convBn = (t: tfl.SymbolicTensor, filters: number, id: string, kernelSize = 3, strides = 1): tfl.SymbolicTensor => {
    let y = tfl.layers.conv2d({
      filters, kernelSize, strides, padding: 'same', useBias: !o.batchNorm, name: id,
      kernelInitializer: init('heNormal'), kernelRegularizer: reg(),
    }).apply(t) as tfl.SymbolicTensor;
    if (o.batchNorm) y = tfl.layers.batchNormalization({ name: `${id}_bn` }).apply(y) as tfl.SymbolicTensor;
    return y;
  };
  const relu = (t: tfl.SymbolicTensor, id: string) =>
    tfl.layers.activation({ activation: 'relu', name: `${id}_relu` }).apply(t) as tfl.SymbolicTensor;

  if (o.stemFilters > 0) {
    x = relu(convBn(x, o.stemFilters, 'stem_conv', 3, o.stemStride), 'stem_conv');
    if (o.stemStride === 1) x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'stem_pool' }).apply(x) as tfl.SymbolicTensor;
  }
  o.filters.forEach((f, b) => {
    const blockInput = x;
    for (let c = 0; c < convs[b]; c++) {
      const id = `block${b + 1}_conv${c + 1}`;
      x = convBn(x, f, id);
      const last = c === convs[b] - 1;
      if (o.residual && last) {
        const inWidth = (blockInput.shape as number[])[3];
        const shortcut = inWidth === f ? blockInput : convBn(blockInput, f, `block${b + 1}_shortcut`, 1);
        x = tfl.layers.add({ name: `block${b + 1}_add` }).apply([x, shortcut]) as tfl.SymbolicTensor;
      }
      x = relu(x, id);
    }
    if (o.poolLastBlock || b < o.filters.length - 1) {
      x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as tfl.SymbolicTensor;
    }
    if (o.convDropout > 0) x = tfl.layers.dropout({ rate: o.convDropout, name: `block${b + 1}_dropout` }).apply(x) as tfl.SymbolicTensor;
  });

  const [, h, w, c] = x.shape as number[];
  if (o.sequence === 'columns') {
    x = tfl.layers.permute({ dims: [2, 1, 3], name: 'to_columns' }).apply(x) as tfl.SymbolicTensor;
  }
  const [steps, features] = o.sequence === 'rows' ? [h, w * c] : o.sequence === 'columns' ? [w, h * c] : [h * w, c];
  check(steps >= 2, `the LSTM needs a sequence of at least 2 steps, but ${o.filters.length} pooling blocks leave a ${h}×${w} feature map `
    + `(${steps} ${o.sequence === 'cells' ? 'cell' : o.sequence === 'rows' ? 'row' : 'column'}): use fewer blocks, poolLastBlock: false or a larger input`);
  x = tfl.layers.reshape({ targetShape: [steps, features], name: `to_sequence_${o.sequence}` }).apply(x) as tfl.SymbolicTensor;

  const lstm = tfl.layers.lstm({
    units: o.lstmUnits, name: 'lstm', recurrentActivation: o.lstmGates,
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
