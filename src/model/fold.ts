/**
 * Inference-time folding of batch normalization into the convolution before it (and of a ReLU
 * after it into the convolution's fused activation): the same function with fewer, fused ops.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { compileModel, type CompiledModel } from './compile.js';
import { registerCustomLayers } from './layers.js';

type NodeRef = [string, number, number, Record<string, unknown>];
interface LayerSpec {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inboundNodes: NodeRef[][];
}
interface ModelSpec {
  name: string;
  layers: LayerSpec[];
  inputLayers: [string, number, number][];
  outputLayers: [string, number, number][];
}

/** A convolution that absorbs a batch norm (and maybe a ReLU). */
interface Fold {
  conv: string;
  bn: string;
  hadBias: boolean;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

interface Entry {
  folded: tfl.LayersModel;
  data: unknown[];
  /** {@link compileModel}'s function of `folded`, once asked for; null where it does not apply. */
  compiled?: CompiledModel | null;
}

const cache = new WeakMap<tfl.LayersModel, Entry>();

/** Frees what an entry holds beyond `model` itself. */
function release(model: tfl.LayersModel, entry: Entry): void {
  entry.compiled?.dispose();
  if (entry.folded !== model) entry.folded.dispose();
}

/** The identity of each weight's current value: training or `setWeights` gives a weight a new one. */
function weightData(model: tfl.LayersModel): unknown[] {
  return model.weights.map((w) => (w.read() as unknown as { dataId: unknown }).dataId);
}

/**
 * The model that prediction runs for `model`: {@link foldBatchNorm}'s, made once per model and
 * remade when any of its weights has changed since (training, `setWeights`); `model` itself when
 * folding does not apply or fails (an unusual custom architecture), so prediction never depends on it.
 * The folded copy's tensors are freed with `model.dispose()`.
 */
export function inferenceModel(model: tfl.LayersModel): tfl.LayersModel {
  const data = weightData(model);
  const hit = cache.get(model);
  if (hit && hit.data.length === data.length && hit.data.every((d, i) => d === data[i])) return hit.folded;
  if (hit) release(model, hit);
  let folded: tfl.LayersModel;
  try {
    folded = foldBatchNorm(model);
  } catch {
    folded = model;
  }
  if (!hit) disposeWith(model);
  cache.set(model, { folded, data });
  return folded;
}

/**
 * What prediction calls for `model`: {@link compileModel}'s function of the {@link inferenceModel}
 * (the same numbers as `model.predict`, with far fewer kernels per call: at batch 1 about half the
 * time), or the folded model's `predict` where compiling does not apply. Remade with the folded
 * model when `model`'s weights change; freed with `model.dispose()`. Call inside `tf.tidy` (or
 * dispose the result).
 */
export function inferenceForward(model: tfl.LayersModel): (x: tf.Tensor4D) => tf.Tensor {
  const folded = inferenceModel(model);
  const entry = cache.get(model)!;
  if (entry.compiled === undefined) {
    try {
      entry.compiled = compileModel(folded) ?? null;
    } catch {
      entry.compiled = null;
    }
  }
  const compiled = entry.compiled;
  return compiled ? (x) => compiled.forward(x) : (x) => folded.predict(x) as tf.Tensor;
}

/** Makes `model.dispose()` also dispose its folded copy (tensors are not garbage-collected). */
function disposeWith(model: tfl.LayersModel): void {
  const dispose = model.dispose.bind(model);
  model.dispose = () => {
    const hit = cache.get(model);
    cache.delete(model);
    if (hit) release(model, hit);
    return dispose();
  };
}

/**
 * Returns a new model that computes what `model` computes at inference, with every
 * `Conv2D → BatchNormalization` pair merged into one convolution with a bias
 * (`W·γ/√(σ²+ε)`, `β − μ·γ/√(σ²+ε)`) and a ReLU that directly follows merged into the
 * convolution's activation (tfjs then runs one fused kernel). Other layers keep their weights.
 * Pairs it cannot merge (a convolution with other consumers, a batch norm on another axis) are
 * left as they are. The result is for inference only: it has no batch-norm layers to train.
 * `model` is not changed.
 */
export function foldBatchNorm(model: tfl.LayersModel): tfl.LayersModel {
  registerCustomLayers();
  const spec = JSON.parse(JSON.stringify(model.getConfig())) as ModelSpec;
  const byName = new Map(spec.layers.map((l) => [l.name, l]));
  const consumers = (name: string) => spec.layers.filter((l) => l.inboundNodes.some((node) => node.some((ref) => ref[0] === name)));
  const isOutput = (name: string) => spec.outputLayers.some((o) => o[0] === name);
  const renamed = new Map<string, string>();
  const removed = new Set<string>();
  const folds = new Map<string, Fold>();
  for (const bn of spec.layers.filter((l) => l.className === 'BatchNormalization')) {
    const axis = bn.config.axis as number | number[];
    if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) continue;
    if (bn.inboundNodes.length !== 1 || bn.inboundNodes[0].length !== 1) continue;
    const conv = byName.get(bn.inboundNodes[0][0][0]);
    if (!conv || conv.className !== 'Conv2D' || conv.config.activation !== 'linear' || conv.inboundNodes.length !== 1) continue;
    if (consumers(conv.name).length !== 1 || isOutput(conv.name)) continue;
    folds.set(conv.name, {
      conv: conv.name, bn: bn.name, hadBias: conv.config.useBias === true, epsilon: bn.config.epsilon as number,
      center: bn.config.center !== false, scale: bn.config.scale !== false,
    });
    conv.config.useBias = true;
    removed.add(bn.name);
    renamed.set(bn.name, conv.name);
    const next = consumers(bn.name);
    if (!isOutput(bn.name) && next.length === 1 && next[0].className === 'Activation' && next[0].config.activation === 'relu'
      && next[0].inboundNodes.length === 1 && !isOutput(next[0].name)) {
      conv.config.activation = 'relu';
      removed.add(next[0].name);
      renamed.set(next[0].name, conv.name);
    }
  }
  if (folds.size === 0) return model;
  const resolve = (name: string) => { let n = name; while (renamed.has(n)) n = renamed.get(n)!; return n; };
  spec.layers = spec.layers.filter((l) => !removed.has(l.name));
  for (const l of spec.layers) l.inboundNodes = l.inboundNodes.map((node) => node.map((ref) => [resolve(ref[0]), ref[1], ref[2], ref[3]] as NodeRef));
  spec.outputLayers = spec.outputLayers.map((o) => [resolve(o[0]), o[1], o[2]]);

  // fastWeightInit: no initializers run (every weight is set below)
  const folded = tfl.LayersModel.fromConfig(tfl.LayersModel, spec as unknown as tf.serialization.ConfigDict, {}, true) as tfl.LayersModel;
  for (const layer of folded.layers) {
    const source = model.getLayer(layer.name);
    const fold = folds.get(layer.name);
    if (!fold) {
      if (layer.weights.length > 0) layer.setWeights(source.getWeights());
      continue;
    }
    const weights = tf.tidy(() => {
      const [kernel, bias] = source.getWeights();
      const bnWeights = model.getLayer(fold.bn).getWeights();
      let i = 0;
      const gamma = fold.scale ? bnWeights[i++] : undefined;
      const beta = fold.center ? bnWeights[i++] : undefined;
      const mean = bnWeights[i++];
      const variance = bnWeights[i++];
      const inv = tf.rsqrt(tf.add(variance, fold.epsilon));
      const factor = gamma ? tf.mul(gamma, inv) : inv;
      const shifted = tf.sub(fold.hadBias ? bias : tf.zerosLike(mean), mean);
      const newBias = beta ? tf.add(tf.mul(shifted, factor), beta) : tf.mul(shifted, factor);
      return [tf.mul(kernel, factor), newBias];
    });
    layer.setWeights(weights);
    weights.forEach((w) => w.dispose());
  }
  return folded;
}
