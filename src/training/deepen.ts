/**
 * Net2DeeperNet (Chen et al., 2016) for the CNN-LSTM: a trained model made deeper without changing
 * what it computes, so that training can go on from it with more capacity instead of from scratch.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { buildCnnLstm, type CnnLstmOptions } from '../model/cnn-lstm.js';
import { modelProbabilities as predictPixels } from '../inference/classifier.js';

/** Options of {@link deepenModel}. */
export interface DeepenOptions {
  /** Convolutions per block of the deeper model, e.g. `[2, 3, 3]`. Required. */
  convsPerBlock: number | number[];
  /**
   * The source's other `buildCnnLstm` options (filters, stem, …): they must describe its
   * architecture. Default: the `buildCnnLstm` defaults.
   */
  model?: Omit<CnnLstmOptions, 'convsPerBlock'>;
  /**
   * Gray images (`n × size × size` bytes, e.g. a seeded sample of the training images) on which
   * each new batch norm's input statistics are measured and the deeper model is checked against
   * the source (on the first 512). Required, at least one image.
   */
  images: Uint8Array;
  /** Side of `images` in pixels. Default: the model's input size. */
  size?: number;
  /** Largest difference of a class probability allowed between the source and the deeper model. Default 1e-2. */
  tolerance?: number;
}

/** What {@link deepenModel} returns. */
export interface DeepenResult {
  /** The deeper model (a new one; the source is unchanged). */
  model: tfl.LayersModel;
  /** Names of the layers added (convolutions and their batch norms). */
  added: string[];
  /** Largest class-probability difference from the source on the checked images. */
  maxDifference: number;
  /** Images checked, and on how many the top class is the same. */
  checked: number;
  agree: number;
}

/**
 * Copies every layer of `source` by name into `buildCnnLstm({ ...model, convsPerBlock })`. Each new
 * convolution follows a ReLU of the same width, so it starts as the identity (a 3×3 kernel with 1 at
 * the centre of its own channel); its batch norm passes its input through in training mode too
 * (γ = the input's standard deviation, β = its mean per channel, measured on `images`, the moving
 * statistics the same). Then checks that the deeper model computes what the source does.
 *
 * @throws RangeError when a layer's weights do not fit (the options describe another architecture),
 *   a new convolution changes the width, nothing is added, `images` is not whole images, or the deeper
 *   model's probabilities differ from the source's by more than `tolerance`.
 */
export function deepenModel(source: tfl.LayersModel, options: DeepenOptions): DeepenResult {
  const [, inputSize] = source.inputs[0].shape as number[];
  const size = options.size ?? inputSize;
  const px = size * size;
  const n = options.images.length / px;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`deepenModel: ${options.images.length} bytes are not a whole number (≥ 1) of ${size}×${size} images`);
  const target = buildCnnLstm({ ...options.model, convsPerBlock: options.convsPerBlock });
  const fail = (message: string): never => {
    target.dispose();
    throw new RangeError(`deepenModel: ${message}`);
  };
  const sourceNames = new Set(source.layers.map((l) => l.name));
  const added: string[] = [];
  for (const layer of target.layers) {
    if (sourceNames.has(layer.name)) {
      const weights = source.getLayer(layer.name).getWeights();
      const shapes = layer.getWeights().map((w) => w.shape.join('×'));
      if (weights.map((w) => w.shape.join('×')).join() !== shapes.join()) {
        fail(`layer ${layer.name} has weights ${weights.map((w) => w.shape.join('×')).join(', ') || 'none'} in the source but ${shapes.join(', ') || 'none'} in the deeper model: only the number of convolutions may differ`);
      }
      layer.setWeights(weights);
    } else if (layer.getClassName() === 'Conv2D') {
      const [kh, kw, cin, cout] = layer.getWeights()[0].shape;
      if (cin !== cout) fail(`new layer ${layer.name} maps ${cin} to ${cout} channels: it cannot start as the identity`);
      const kernel = new Float32Array(kh * kw * cin * cout);
      const centre = (Math.floor(kh / 2) * kw + Math.floor(kw / 2)) * cin * cout;
      for (let c = 0; c < cin; c++) kernel[centre + c * cout + c] = 1;
      const bias = layer.getWeights().slice(1);
      tf.tidy(() => layer.setWeights([tf.tensor4d(kernel, [kh, kw, cin, cout]), ...bias.map((b) => tf.zerosLike(b))]));
      added.push(layer.name);
    } else if (layer.getClassName() === 'BatchNormalization') {
      // the input of the convolution before it, which the identity kernel passes through
      const conv = target.getLayer(layer.name.replace(/_bn$/, ''));
      const probe = tfl.model({ inputs: target.inputs, outputs: conv.input as tfl.SymbolicTensor });
      const features = (conv.input as tfl.SymbolicTensor).shape[3] as number;
      const sum = new Float64Array(features);
      const sq = new Float64Array(features);
      let count = 0;
      for (let s = 0; s < n; s += 256) {
        const e = Math.min(n, s + 256);
        const values = tf.tidy(() => {
          const x = tf.div(tf.tensor4d(options.images.subarray(s * px, e * px), [e - s, size, size, 1], 'float32'), 255);
          return (probe.predict(x) as tf.Tensor).dataSync() as Float32Array;
        });
        for (let i = 0; i < values.length; i++) {
          sum[i % features] += values[i];
          sq[i % features] += values[i] * values[i];
        }
        count += values.length / features;
      }
      const epsilon = (layer.getConfig() as { epsilon: number }).epsilon;
      const mean = Float32Array.from(sum, (v) => v / count);
      const variance = Float32Array.from(sq, (v, i) => Math.max(0, v / count - mean[i] ** 2));
      const gamma = Float32Array.from(variance, (v) => Math.sqrt(v + epsilon));
      tf.tidy(() => layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(mean), tf.tensor1d(mean), tf.tensor1d(variance)]));
      added.push(layer.name);
    } else if (layer.getWeights().length > 0) {
      fail(`the deeper model's layer ${layer.name} (${layer.getClassName()}) is not in the source`);
    }
  }
  if (added.length === 0) fail(`convsPerBlock ${JSON.stringify(options.convsPerBlock)} adds no convolution to the source`);

  // the deeper model must compute what the source did (up to float rounding)
  const checked = Math.min(n, 512);
  const check = options.images.subarray(0, checked * px);
  const a = predictPixels(source, check, size, 256, false);
  const b = predictPixels(target, check, size, 256, false);
  const k = a.length / checked;
  let maxDifference = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) maxDifference = Math.max(maxDifference, Math.abs(a[i] - b[i]));
  const argmax = (p: Float32Array, i: number) => { let m = 0; for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + m]) m = j; return m; };
  for (let i = 0; i < checked; i++) if (argmax(a, i) === argmax(b, i)) agree++;
  const tolerance = options.tolerance ?? 1e-2;
  if (!(maxDifference <= tolerance)) fail(`the deeper model does not compute what the source does (a class probability differs by ${maxDifference.toExponential(2)} > ${tolerance})`);
  return { model: target, added, maxDifference, checked, agree };
}
