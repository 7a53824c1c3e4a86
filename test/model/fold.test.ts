import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { foldBatchNorm } from '../../src/model/fold.js';

beforeAll(async () => { await setBackend('wasm'); });

/** Gives every batch norm non-trivial statistics, so that folding has something to get wrong. */
function randomizeBatchNorm(model: tfl.LayersModel, seed: number): void {
  for (const l of model.layers.filter((x) => x.getClassName() === 'BatchNormalization')) {
    const ws = l.getWeights();
    l.setWeights(ws.map((w, i) => tf.randomUniform(w.shape, i === 3 ? 0.2 : -0.5, i === 3 ? 2 : 1.5, 'float32', seed++)));
  }
}

describe('foldBatchNorm', () => {
  it.each([
    ['the default model', {}],
    ['residual blocks with projections', { filters: [8, 16], residual: true }],
    ['a conv + pool stem, pooled last block', { filters: [8], stemStride: 1 as const, poolLastBlock: true }],
  ])('gives the same probabilities as %s, with no batch-norm layers and fused ReLUs', (_name, options) => {
    const model = buildCnnLstm({ seed: 3, ...options });
    randomizeBatchNorm(model, 10);
    const folded = foldBatchNorm(model);
    expect(folded.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    expect(folded.layers.length).toBeLessThan(model.layers.length);
    const x = tf.randomUniform([5, 48, 48, 1], 0, 1, 'float32', 2);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (folded.predict(x) as tf.Tensor).dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(true); // the original is untouched
  });

  it('keeps the ReLU separate where a residual sum comes first', () => {
    const folded = foldBatchNorm(buildCnnLstm({ filters: [8], residual: true, seed: 1 }));
    expect(folded.getLayer('block1_conv1').getConfig()).toMatchObject({ activation: 'relu', useBias: true });
    expect(folded.getLayer('block1_conv2').getConfig()).toMatchObject({ activation: 'linear', useBias: true });
    expect(folded.getLayer('block1_conv2_relu').getClassName()).toBe('Activation');
  });

  it('returns a model without batch norm as it is', () => {
    const m = buildCnnLstm({ filters: [4], batchNorm: false, seed: 1 });
    expect(foldBatchNorm(m)).toBe(m);
  });
});

describe('InferencePass.inferenceModel', () => {
  it('folds once per model and refolds after the weights change', async () => {
    const { InferencePass } = await import('../../src/model/fold.js');
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 2 });
    const pass = new InferencePass(model);
    const a = pass.inferenceModel;
    expect(a).not.toBe(model);
    expect(pass.inferenceModel).toBe(a);
    randomizeBatchNorm(model, 30);
    const b = pass.inferenceModel;
    expect(b).not.toBe(a);
    const x = tf.randomUniform([2, 48, 48, 1], 0, 1, 'float32', 7);
    const want = (model.predict(x) as tf.Tensor).dataSync();
    const got = (b.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  it('frees the folded copy when the pass is disposed, and leaves model.dispose alone', async () => {
    const { InferencePass } = await import('../../src/model/fold.js');
    const start = tf.memory().numTensors;
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 3 });
    const dispose = model.dispose;
    const own = tf.memory().numTensors;
    const pass = new InferencePass(model);
    void pass.inferenceModel;
    expect(tf.memory().numTensors).toBeGreaterThan(own);
    tf.tidy(() => randomizeBatchNorm(model, 31));
    void pass.inferenceModel; // refolded: the old copy is freed, a new one kept
    pass.dispose();
    expect(tf.memory().numTensors).toBe(own);
    expect(model.dispose).toBe(dispose);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
