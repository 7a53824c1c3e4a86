/**
 * A model compiled into a plain function of tfjs-core ops for inference: what `model.predict`
 * computes, without tfjs-layers' per-call machinery (input checks, batch slicing, the symbolic
 * graph walk) and with an LSTM that runs fewer, larger kernels.
 *
 * At batch 1 most of a prediction's time is per-op overhead, not arithmetic: the stock LSTM layer
 * runs ~25 small kernels per time step. Here the input projection of every step is one matrix
 * product before the loop, the gates are reordered to `[i, f, o, g]` so one clip (hard sigmoid)
 * and one tanh cover them, and the hard sigmoid's `0.2·z + 0.5` is folded into the weights, so a
 * step is ~11 kernels. The convolutions are those of {@link foldBatchNorm}'s model (batch norm and
 * ReLU fused into them).
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';

/** A compiled model: `forward` maps `[n, h, w, c]` to the model's output; `dispose` frees its tensors. */
export interface CompiledModel {
  forward(x: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

type Op = (inputs: tf.Tensor[]) => tf.Tensor;
type Config = Record<string, unknown>;

/** Why a layer cannot be compiled: {@link compileModel} then returns undefined. */
class Unsupported extends Error {}

function unsupported(why: string): never {
  throw new Unsupported(why);
}

function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1] ?? a[0]];
}

function activationOp(name: unknown): ((x: tf.Tensor) => tf.Tensor) | undefined {
  switch (name) {
    case undefined: case null: case 'linear': return undefined;
    case 'relu': return (x) => tf.relu(x);
    case 'relu6': return (x) => tf.relu6(x);
    case 'elu': return (x) => tf.elu(x);
    case 'tanh': return (x) => tf.tanh(x);
    case 'sigmoid': return (x) => tf.sigmoid(x);
    case 'softmax': return (x) => tf.softmax(x);
    default: return unsupported(`activation ${String(name)}`);
  }
}

/** The activation a fused kernel can apply itself. */
function fusedActivation(name: unknown): 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'linear' | undefined {
  return name === 'relu' || name === 'relu6' || name === 'elu' || name === 'sigmoid' ? name : name === 'linear' || name == null ? 'linear' : undefined;
}

function channelsLast(config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') unsupported('channelsFirst data');
}

/**
 * Compiles a layer into an op, keeping (in `kept`) the tensors it holds. Throws {@link Unsupported}
 * for a layer or setting it does not handle.
 */
function compileLayer(layer: tfl.layers.Layer, kept: tf.Tensor[]): Op {
  const config = layer.getConfig() as Config;
  const keep = <T extends tf.Tensor>(t: T): T => { kept.push(tf.keep(t)); return t; };
  const weights = () => layer.getWeights().map((w) => keep(w.clone()));
  const one = (f: (x: tf.Tensor) => tf.Tensor): Op => (xs) => f(xs[0]);
  switch (layer.getClassName()) {
    case 'InputLayer':
    case 'Dropout':
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
    case 'AlphaDropout':
      return one((x) => x);
    case 'FerStandardize': {
      const epsilon = config.epsilon as number;
      return one((x) => {
        const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
        const { mean, variance } = tf.moments(x, axes, true);
        return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
      });
    }
    case 'Conv2D': {
      channelsLast(config);
      if (pair(config.dilationRate ?? 1).some((d) => d !== 1)) unsupported('dilated convolution');
      const [filter, bias] = weights() as [tf.Tensor4D, tf.Tensor1D?];
      const strides = pair(config.strides);
      const pad = config.padding as 'same' | 'valid';
      const fused = fusedActivation(config.activation);
      const after = fused ? undefined : activationOp(config.activation);
      return one((x) => {
        const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides, pad, bias: config.useBias ? bias : undefined, activation: fused ?? 'linear' });
        return after ? after(y) : y;
      });
    }
    case 'BatchNormalization': {
      const axis = config.axis as number | number[];
      if (!(axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1) || axis === 3)) unsupported('batch norm on another axis');
      const ws = weights();
      let i = 0;
      const gamma = config.scale !== false ? ws[i++] : undefined;
      const beta = config.center !== false ? ws[i++] : undefined;
      const mean = ws[i++];
      const variance = ws[i++];
      const epsilon = config.epsilon as number;
      return one((x) => tf.batchNorm(x, mean, variance, beta, gamma, epsilon));
    }
    case 'Activation': {
      const f = activationOp(config.activation);
      return one((x) => (f ? f(x) : x));
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      channelsLast(config);
      const poolSize = pair(config.poolSize);
      const strides = pair(config.strides ?? config.poolSize);
      const pad = config.padding as 'same' | 'valid';
      const pool = layer.getClassName() === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
      return one((x) => pool(x as tf.Tensor4D, poolSize, strides, pad));
    }
    case 'GlobalAveragePooling2D':
      channelsLast(config);
      return one((x) => tf.mean(x, [1, 2]));
    case 'Add':
      return (xs) => (xs.length === 2 ? tf.add(xs[0], xs[1]) : tf.addN(xs));
    case 'Permute': {
      const dims = config.dims as number[];
      return one((x) => tf.transpose(x, [0, ...dims]));
    }
    case 'Reshape': {
      const target = config.targetShape as number[];
      return one((x) => tf.reshape(x, [x.shape[0], ...target]));
    }
    case 'Flatten':
      return one((x) => tf.reshape(x, [x.shape[0], -1]));
    case 'Dense': {
      if ((layer.input as tfl.SymbolicTensor).shape.length !== 2) unsupported('dense layer on a sequence');
      const [kernel, bias] = weights() as [tf.Tensor2D, tf.Tensor1D?];
      const fused = fusedActivation(config.activation);
      const after = fused ? undefined : activationOp(config.activation);
      return one((x) => {
        const y = tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel, bias: config.useBias ? bias : undefined, activation: fused ?? 'linear' });
        return after ? after(y) : y;
      });
    }
    case 'LSTM':
      return compileLstm(config, layer.getWeights(), keep);
    default:
      return unsupported(`layer ${layer.getClassName()}`);
  }
}

/**
 * The LSTM's last hidden state (Keras semantics: gates `i, f, c̃, o`, zero initial state), from
 * `[n, steps, features]`.
 */
function compileLstm(config: Config, raw: tf.Tensor[], keep: <T extends tf.Tensor>(t: T) => T): Op {
  if (config.returnSequences || config.returnState || config.goBackwards || config.stateful) unsupported('LSTM that returns sequences or state, runs backwards or is stateful');
  if (config.activation !== 'tanh') unsupported(`LSTM activation ${String(config.activation)}`);
  const gates = config.recurrentActivation;
  const hard = gates === 'hard_sigmoid' || gates === 'hardSigmoid';
  if (!hard && gates !== 'sigmoid') unsupported(`LSTM gate activation ${String(gates)}`);
  const u = config.units as number;
  const [kernel, recurrent, bias] = raw as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D?];
  // columns [i, f, c̃, o] → [i, f, o, c̃]; a hard sigmoid's 0.2·z + 0.5 goes into the i, f, o columns
  const [w, r, b] = tf.tidy(() => {
    const scale = tf.concat([tf.fill([3 * u], hard ? 0.2 : 1), tf.ones([u])]);
    const shift = tf.concat([tf.fill([3 * u], hard ? 0.5 : 0), tf.zeros([u])]);
    const reorder = (t: tf.Tensor, axis: number) => {
      const [i, f, g, o] = tf.split(t, 4, axis);
      return tf.concat([i, f, o, g], axis);
    };
    return [
      tf.mul(reorder(kernel, 1), scale),
      tf.mul(reorder(recurrent, 1), scale),
      tf.add(tf.mul(bias ? reorder(bias, 0) : tf.zeros([4 * u]), scale), shift),
    ];
  });
  keep(w); keep(r); keep(b);
  const gate = hard ? (z: tf.Tensor) => tf.clipByValue(z, 0, 1) : (z: tf.Tensor) => tf.sigmoid(z);
  return ([x]) => {
    const [n, steps, features] = x.shape;
    const projected = tf.fused.matMul({ a: tf.reshape(x, [n * steps, features]) as tf.Tensor2D, b: w, bias: b });
    const inputs = tf.unstack(tf.reshape(projected, [n, steps, 4 * u]), 1);
    let h: tf.Tensor | undefined;
    let c: tf.Tensor | undefined;
    for (const z0 of inputs) {
      const z = h ? tf.add(tf.matMul(h, r), z0) : z0;
      const [s, g] = tf.split(z, [3 * u, u], 1);
      const [i, f, o] = tf.split(gate(s), 3, 1);
      const ig = tf.mul(i, tf.tanh(g));
      c = c ? tf.add(tf.mul(f, c), ig) : ig;
      h = tf.mul(o, tf.tanh(c));
    }
    return h ?? tf.zeros([n, u]);
  };
}

/**
 * Compiles `model` (single input, single output) into a {@link CompiledModel} that computes what
 * `model.predict` computes, or returns undefined when a layer is not one it knows (the caller then
 * uses `model.predict`). The compiled model holds copies of the weights: it does not follow later
 * changes to `model` and must be disposed on its own.
 */
export function compileModel(model: tfl.LayersModel): CompiledModel | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const kept: tf.Tensor[] = [];
  const dispose = () => kept.forEach((t) => t.dispose());
  const steps: { name: string; inputs: string[]; op: Op }[] = [];
  try {
    for (const layer of model.layers) {
      const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tfl.layers.Layer[] }[] }).inboundNodes;
      if (nodes.length !== 1) unsupported(`layer ${layer.name} used more than once`);
      steps.push({ name: layer.name, inputs: nodes[0].inboundLayers.map((l) => l.name), op: compileLayer(layer, kept) });
    }
  } catch (e) {
    dispose();
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  // a Sequential model's layers do not include its input layer
  const inputName = model.inputs[0].sourceLayer.name;
  const outputName = model.outputs[0].sourceLayer.name;
  return {
    forward(x: tf.Tensor4D): tf.Tensor {
      return tf.tidy(() => {
        const values = new Map<string, tf.Tensor>([[inputName, x]]);
        for (const step of steps) {
          const xs = step.name === inputName ? [x] : step.inputs.map((name) => values.get(name)!);
          values.set(step.name, step.op(xs));
        }
        return values.get(outputName)!;
      });
    },
    dispose,
  };
}
