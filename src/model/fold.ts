/**
 * Inference-time folding of batch normalization into the convolution before it (and of a ReLU
 * after it into the convolution's fused activation): the same function with fewer, fused ops; and
 * {@link InferencePass}, the folded and compiled forward pass that prediction runs.
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

/** What a pass derives from its model: freed by {@link InferencePass.dispose} (holds no reference to the model). */
interface Derived {
  /** The folded copy, when it is not the model itself. */
  folded?: tfl.LayersModel;
  /** {@link compileModel}'s function of the folded model, once asked for; null where it does not apply. */
  compiled?: CompiledModel | null;
  /** The identity of each weight value of the model when this was derived. */
  data: unknown[];
}

function release(d: Derived): void {
  d.compiled?.dispose();
  d.folded?.dispose();
  d.compiled = undefined;
  d.folded = undefined;
}

/** Frees the derived copies of passes whose model was garbage-collected (see {@link InferencePass.freeWhenCollected}). */
const collected = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Derived>(release) : undefined;

/** The identity of each weight's current value: training or `setWeights` gives a weight a new one. */
function weightData(model: tfl.LayersModel): unknown[] {
  return model.weights.map((w) => (w.read() as unknown as { dataId: unknown }).dataId);
}

/**
 * The forward pass that prediction runs for one model: {@link foldBatchNorm}'s copy of it,
 * compiled by {@link compileModel} (the same numbers as `model.predict`, with far fewer kernels
 * per call: at batch 1 about half the time), or the folded model's `predict` where compiling does
 * not apply. Made on first use and remade when any of the model's weights has changed since
 * (training, `setWeights`); the model itself is used where folding does not apply or fails (an
 * unusual custom architecture), so prediction never depends on it.
 *
 * The pass owns what it derives (not the model): free it with {@link InferencePass.dispose}.
 *
 * @example
 * ```ts
 * const pass = new InferencePass(model);
 * const probs = tf.tidy(() => pass.forward(x));
 * pass.dispose(); // the folded and compiled copies; `model` is untouched
 * ```
 */
export class InferencePass {
  private derived: Derived = { data: [] };
  private fresh = false;
  private disposed = false;

  /** @param model the model to run (not copied: later weight changes are followed). */
  constructor(readonly model: tfl.LayersModel) {}

  /** Brings the derived copies up to date with the model's weights. */
  private refresh(): Derived {
    if (this.disposed) throw new Error('this inference pass was disposed');
    const data = weightData(this.model);
    const d = this.derived;
    if (this.fresh && d.data.length === data.length && d.data.every((v, i) => v === data[i])) return d;
    release(d);
    let folded: tfl.LayersModel;
    try {
      folded = foldBatchNorm(this.model);
    } catch {
      folded = this.model;
    }
    d.folded = folded === this.model ? undefined : folded;
    d.data = data;
    this.fresh = true;
    return d;
  }

  /** The model that prediction runs: the batch-norm-folded copy (or the model itself where folding does not apply). */
  get inferenceModel(): tfl.LayersModel {
    return this.refresh().folded ?? this.model;
  }

  /** Runs the folded, compiled model on `x`. Call inside `tf.tidy` (or dispose the result). */
  forward(x: tf.Tensor4D): tf.Tensor {
    const d = this.refresh();
    const folded = d.folded ?? this.model;
    if (d.compiled === undefined) {
      try {
        d.compiled = compileModel(folded) ?? null;
      } catch {
        d.compiled = null;
      }
    }
    return d.compiled ? d.compiled.forward(x) : folded.predict(x) as tf.Tensor;
  }

  /**
   * Also frees the derived copies once the model is garbage-collected (for passes cached beside a
   * model that the caller owns and disposes). Returns this pass.
   */
  freeWhenCollected(): this {
    collected?.register(this.model, this.derived, this.derived);
    return this;
  }

  /** Frees the folded and compiled copies (not the model). Later calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    collected?.unregister(this.derived);
    release(this.derived);
  }
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
