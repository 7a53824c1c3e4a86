/**
 * Helpers shared by the benchmark scripts: model cost, random FER-sized data, output.
 *
 * @packageDocumentation
 */
import type { tfl } from '../src/backends/tf.js';
import type { CnnLstmOptions } from '../src/model/cnn-lstm.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { Random } from '../src/util/random.js';

/** Parameter count and forward-pass cost of a model. */
export interface ModelCost {
  params: number;
  /** Multiply-adds ×2 of one image's forward pass (conv, dense, LSTM), in millions. */
  mflopsPerImage: number;
}

/**
 * Counts the forward FLOPs of the layers that dominate a CNN-LSTM: convolutions
 * (`2·Ho·Wo·Kh·Kw·Cin·Cout`), dense layers (`2·in·out`) and LSTMs (`steps·2·4·units·(in + units)`).
 * Batch norm, activations and pooling (a few FLOPs per activation) are left out.
 */
export function modelCost(model: tfl.LayersModel): ModelCost {
  let flops = 0;
  const visit = (layer: tfl.layers.Layer) => {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const outShape = (layer.output as tfl.SymbolicTensor).shape;
    if (cls === 'Conv2D') {
      const [kh, kw] = cfg.kernelSize as number[];
      const cin = (layer.input as tfl.SymbolicTensor).shape[3] as number;
      const [, ho, wo, cout] = outShape as number[];
      flops += 2 * ho * wo * kh * kw * cin * cout;
    } else if (cls === 'Dense') {
      const inputs = (layer.input as tfl.SymbolicTensor).shape;
      flops += 2 * (inputs[inputs.length - 1] as number) * (cfg.units as number);
    } else if (cls === 'LSTM') {
      const [, steps, features] = (layer.input as tfl.SymbolicTensor).shape as number[];
      const units = cfg.units as number;
      flops += steps * 2 * 4 * units * (features + units);
    } else if (cls === 'Bidirectional') {
      const [, steps, features] = (layer.input as tfl.SymbolicTensor).shape as number[];
      const units = ((cfg.layer as { config: { units: number } }).config.units);
      flops += 2 * steps * 2 * 4 * units * (features + units);
    }
  };
  for (const layer of model.layers) visit(layer);
  return { params: model.countParams(), mflopsPerImage: Math.round(flops / 1e4) / 100 };
}

/** `n` random 48×48 (or `size`) gray images with random labels of `classes` classes. */
export function randomDataset(n: number, size = 48, classes = 7, seed = 1): FerDataset {
  const rng = new Random(seed);
  const images = new Uint8Array(n * size * size);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Uint8Array.from({ length: n }, () => rng.int(classes));
  return FerDataset.fromArrays(images, labels, { size });
}

/** A positive integer command-line value, or a clear error. */
export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** The median (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Rounds for display. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Prints the machine-readable result as the last line of stdout. */
export function emitJson(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Parses a `--model '<json>'` option (buildCnnLstm options); undefined gives `{}`. */
export function parseModelOption(text: string | undefined): CnnLstmOptions {
  if (text === undefined) return {};
  try {
    const o = JSON.parse(text) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
    return o as CnnLstmOptions;
  } catch (e) {
    throw new RangeError(`--model must be a JSON object of buildCnnLstm options, got ${text} (${(e as Error).message})`);
  }
}
