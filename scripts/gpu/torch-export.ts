/**
 * Reading the weight exports of scripts/gpu/train_torch.py: per tfjs layer name, the layer's weights
 * in its `weights` order and Keras layout, plus a few images with PyTorch's output probabilities.
 *
 * Format 2 (train_torch.py of 0.2) holds `buildCnnLstm` options of 0.2: the stem (`stem_conv`, `stem_conv_bn`),
 * the blocks (`block{b}_conv{c}`, `…_bn`, with `residual` the projection `block{b}_shortcut`, `…_shortcut_bn`;
 * the `block{b}_add` layers have no weights), `lstm` or `bilstm`, `dense`, `emotion`. Format 1 (0.1) described
 * the 0.1 architecture: an inference blur and a fixed average-pool downsampling before stemless blocks that all
 * end in a pool. 0.2 removed both, so a format-1 export loads only where neither was used (`blurSigma: 0`,
 * `downsample: 1`), as the same network in 0.2's terms (`stemFilters: 0, poolLastBlock: true`).
 */
import { tf, type tfl } from '../../src/backends/tf.js';
import { buildCnnLstm, type CnnLstmOptions } from '../../src/model/cnn-lstm.js';
import { modelProbabilities as predictPixels } from '../../src/inference/classifier.js';

export const TORCH_EXPORT_FORMAT = 'fer-cnn-lstm-torch-export/2';
/** Exports of the 0.1 train_torch.py, for the 0.1 architecture. */
export const TORCH_EXPORT_FORMAT_V1 = 'fer-cnn-lstm-torch-export/1';

/** One weight array: shape and little-endian float32 data, base64. */
export interface EncodedArray { shape: number[]; data: string }

/** What train_torch.py writes as weights.json. */
export interface TorchExport {
  format: string;
  /** Format 2: the `buildCnnLstm` options, all of them; format 1: 0.1's, with `blurSigma`, `blurOnlyAtInference`, `downsample`. */
  model: CnnLstmOptions & { name?: string };
  config: Record<string, unknown>;
  bestEpoch: number;
  publicTest: number;
  layers: Record<string, EncodedArray[]>;
  check: { images: string; probabilities: number[][] };
}

function decode(e: EncodedArray, where: string): tf.Tensor {
  const bytes = Buffer.from(e.data, 'base64');
  const n = e.shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== n * 4) throw new RangeError(`${where}: ${bytes.byteLength} bytes for shape [${e.shape}] (expected ${n * 4})`);
  return tf.tensor(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), e.shape);
}

/** The model options of a format-1 export: 0.1's, three of which 0.2 removed. */
type V1Options = CnnLstmOptions & { blurSigma?: number; blurOnlyAtInference?: boolean; downsample?: number };

/**
 * The `buildCnnLstm` options of an export (its `model`, less `name`). A format-1 export is translated to
 * 0.2's options where 0.2 has the same network (no blur, no downsampling), and refused with the reason otherwise.
 */
export function optionsFromTorchExport(exp: TorchExport): CnnLstmOptions {
  const { name: _name, ...model } = exp.model;
  if (exp.format === TORCH_EXPORT_FORMAT) return model;
  if (exp.format !== TORCH_EXPORT_FORMAT_V1) throw new Error(`unknown export format ${JSON.stringify(exp.format)} (expected ${TORCH_EXPORT_FORMAT})`);
  const { blurSigma, blurOnlyAtInference: _inferenceOnly, downsample, ...rest } = model as V1Options;
  const size = rest.inputSize ?? 48;
  const sigma = blurSigma === undefined ? (3.4 * size) / 48 : Number(blurSigma); // 0.1's defaults
  const factor = downsample === undefined ? 2 : Number(downsample);
  const v1 = `this export (${TORCH_EXPORT_FORMAT_V1}) was made by the 0.1 train_torch.py for the 0.1 architecture`;
  const retrain = 'retrain with the current scripts/gpu/train_torch.py, or import it with fer-cnn-lstm@0.1';
  if (sigma > 0) throw new Error(`${v1}, with an inference blur (blurSigma ${sigma}), which 0.2 removed: ${retrain}`);
  if (factor !== 1) throw new Error(`${v1}, with a fixed ${factor}× average-pool downsampling (downsample ${factor}), which 0.2 removed: ${retrain}`);
  for (const key of ['stemFilters', 'stemStride', 'residual', 'poolLastBlock', 'lstmGates']) {
    if (key in rest) throw new Error(`${v1}, but its model has the 0.2 option ${key}`);
  }
  // 0.1 without blur and downsampling: no stem, every block pooled, hard-sigmoid gates, plain blocks
  return { ...rest, stemFilters: 0, poolLastBlock: true, residual: false, lstmGates: 'hardSigmoid' };
}

/** Builds `buildCnnLstm(optionsFromTorchExport(exp))` and sets every layer's weights from the export, checking names and shapes. */
export function modelFromTorchExport(exp: TorchExport): tfl.LayersModel {
  const options = optionsFromTorchExport(exp);
  const model = buildCnnLstm(options);
  const names = new Set(model.layers.map((l) => l.name));
  for (const [name, arrays] of Object.entries(exp.layers)) {
    if (!names.has(name)) throw new Error(`the export has weights for layer ${name}, which buildCnnLstm(${JSON.stringify(options)}) does not have`);
    const layer = model.getLayer(name);
    const expected = layer.getWeights().map((w) => w.shape.join('×'));
    const got = arrays.map((a) => a.shape.join('×'));
    if (expected.join(',') !== got.join(',')) throw new Error(`layer ${name}: the model has weights [${expected}], the export [${got}]`);
    const tensors = arrays.map((a, i) => decode(a, `layer ${name}, weight ${i}`));
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  const missing = model.layers.filter((l) => l.getWeights().length > 0 && !(l.name in exp.layers)).map((l) => l.name);
  if (missing.length > 0) throw new Error(`the export has no weights for layers ${missing.join(', ')}`);
  return model;
}

/** Largest difference between the model's probabilities and PyTorch's on the export's check images. */
export function checkAgainstTorch(model: tfl.LayersModel, exp: TorchExport): number {
  const size = (model.inputs[0].shape as number[])[1];
  const pixels = new Uint8Array(Buffer.from(exp.check.images, 'base64'));
  const ours = predictPixels(model, pixels, size, 64);
  const theirs = exp.check.probabilities.flat();
  if (theirs.length !== ours.length) throw new Error(`the export checks ${theirs.length} probabilities, the model gives ${ours.length}`);
  return theirs.reduce((w, v, i) => Math.max(w, Math.abs(v - ours[i])), 0);
}
