/**
 * Reading the weight exports of scripts/gpu/train_torch.py: per tfjs layer name, the layer's weights
 * in its `weights` order and Keras layout, plus a few images with PyTorch's output probabilities.
 */
import { tf, type tfl } from '../../src/backends/tf.js';
import { buildCnnLstm, type CnnLstmOptions } from '../../src/model/cnn-lstm.js';
import { predictPixels } from '../../src/training/loss.js';

export const TORCH_EXPORT_FORMAT = 'fer-cnn-lstm-torch-export/1';

/** One weight array: shape and little-endian float32 data, base64. */
export interface EncodedArray { shape: number[]; data: string }

/** What train_torch.py writes as weights.json. */
export interface TorchExport {
  format: string;
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

/** Builds `buildCnnLstm(exp.model)` and sets every layer's weights from the export, checking names and shapes. */
export function modelFromTorchExport(exp: TorchExport): tfl.LayersModel {
  if (exp.format !== TORCH_EXPORT_FORMAT) throw new Error(`unknown export format ${JSON.stringify(exp.format)} (expected ${TORCH_EXPORT_FORMAT})`);
  const { name: _name, ...options } = exp.model;
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
