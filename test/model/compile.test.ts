import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm, type CnnLstmOptions } from '../../src/model/cnn-lstm.js';
import { compileModel } from '../../src/model/compile.js';
import { foldBatchNorm, InferencePass } from '../../src/model/fold.js';

beforeAll(async () => { await setBackend('wasm'); });

/** Non-trivial batch-norm statistics and LSTM biases, so that a wrong gate order or fold shows. */
function randomize(model: tfl.LayersModel, seed: number): void {
  for (const l of model.layers) {
    const name = l.getClassName();
    if (name !== 'BatchNormalization' && name !== 'LSTM') continue;
    l.setWeights(l.getWeights().map((w, i) => name === 'LSTM'
      ? tf.randomUniform(w.shape, -0.3, 0.3, 'float32', seed++)
      : tf.randomUniform(w.shape, i === 3 ? 0.2 : -0.5, i === 3 ? 2 : 1.5, 'float32', seed++)));
  }
}

function worstDifference(a: tf.Tensor, b: tf.Tensor): number {
  expect(b.shape).toEqual(a.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

describe('compileModel', () => {
  it.each<[string, CnnLstmOptions]>([
    ['the default model', {}],
    ['smooth sigmoid LSTM gates', { filters: [8, 16], lstmGates: 'sigmoid' }],
    ['residual blocks', { filters: [8, 16], residual: true }],
    ['columns as the sequence', { filters: [8, 16], sequence: 'columns' }],
    ['cells as the sequence, no dense layer', { filters: [8], sequence: 'cells', denseUnits: 0, poolLastBlock: true }],
    ['a conv + pool stem, depth per block', { filters: [8, 16], stemStride: 1, convsPerBlock: [1, 3] }],
    ['no batch norm, no standardization', { filters: [8], batchNorm: false, standardize: false }],
  ])('computes what predict computes for %s, folded or not', (_name, options) => {
    const model = buildCnnLstm({ seed: 5, ...options });
    randomize(model, 20);
    const x = tf.randomUniform([3, 48, 48, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    for (const m of [model, foldBatchNorm(model)]) {
      const compiled = compileModel(m);
      expect(compiled).toBeDefined();
      const expected = m.predict(x) as tf.Tensor;
      const got = compiled!.forward(x);
      expect(worstDifference(expected, got)).toBeLessThan(2e-6);
      // one image and a batch give the same rows
      expect(worstDifference(tf.slice(expected, 1, 1), compiled!.forward(tf.slice(x, 1, 1)))).toBeLessThan(2e-6);
      compiled!.dispose();
    }
  });

  it('compiles a Sequential model (whose layers do not list its input layer)', () => {
    const model = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const compiled = compileModel(model)!;
    expect(worstDifference(model.predict(x) as tf.Tensor, compiled.forward(x))).toBeLessThan(2e-6);
    compiled.dispose();
  });

  it('leaves to predict what it does not know (a bidirectional LSTM)', () => {
    const model = buildCnnLstm({ filters: [8], bidirectional: true, seed: 1 });
    expect(compileModel(model)).toBeUndefined();
  });

  it('holds its own copies of the weights and frees them on dispose, leaking nothing per call', () => {
    const model = buildCnnLstm({ filters: [8, 16], seed: 2 });
    const before = tf.memory().numTensors;
    const compiled = compileModel(model)!;
    const held = tf.memory().numTensors - before;
    expect(held).toBeGreaterThan(0);
    const x = tf.zeros([2, 48, 48, 1]) as tf.Tensor4D;
    const y = compiled.forward(x);
    expect(tf.memory().numTensors).toBe(before + held + 2); // x and y only
    tf.dispose([x, y]);
    compiled.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('InferencePass', () => {
  it('follows new weights and frees its folded and compiled copies on dispose, not the model', () => {
    const model = buildCnnLstm({ filters: [8], seed: 3 });
    const pass = new InferencePass(model);
    const x = tf.randomUniform([2, 48, 48, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const first = pass.forward(x).dataSync();
    expect(worstDifference(model.predict(x) as tf.Tensor, tf.tensor(first, [2, 7]))).toBeLessThan(2e-6);
    const lstm = model.layers.find((l) => l.getClassName() === 'LSTM')!;
    lstm.setWeights(lstm.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.5, 0.5, 'float32', 30 + i)));
    const second = pass.forward(x);
    expect(worstDifference(model.predict(x) as tf.Tensor, second)).toBeLessThan(2e-6);
    expect(worstDifference(tf.tensor(first, [2, 7]), second)).toBeGreaterThan(1e-4);
    const before = tf.memory().numTensors;
    pass.dispose();
    // the folded copy's and the compiled copy's tensors are freed; the model's stay
    expect(tf.memory().numTensors).toBeLessThan(before - model.weights.length);
    expect(() => pass.forward(x)).toThrow('this inference pass was disposed');
    expect((model.predict(x) as tf.Tensor).shape).toEqual([2, 7]);
    model.dispose();
  });
});
