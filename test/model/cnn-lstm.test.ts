import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm, DEFAULT_CNN_LSTM_OPTIONS, gaussianKernel } from '../../src/model/cnn-lstm.js';
import { loadModel, saveModel } from '../../src/model/io.js';

beforeAll(async () => { await setBackend('wasm'); });

describe('buildCnnLstm', () => {
  it('builds the default model: 48×48×1 in, 7 probabilities out, conv → pool → LSTM → dense', () => {
    const m = buildCnnLstm({ seed: 1 });
    expect(m.inputs[0].shape).toEqual([null, 48, 48, 1]);
    expect(m.outputs[0].shape).toEqual([null, 7]);
    const names = m.layers.map((l) => l.getClassName());
    const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D' && !l.name.startsWith('blur_'));
    expect(convs).toHaveLength(DEFAULT_CNN_LSTM_OPTIONS.filters.length * DEFAULT_CNN_LSTM_OPTIONS.convsPerBlock);
    expect(names.indexOf('MaxPooling2D')).toBeGreaterThan(names.indexOf('Conv2D'));
    expect(names.indexOf('LSTM')).toBeGreaterThan(names.lastIndexOf('MaxPooling2D'));
    expect(names.at(-1)).toBe('Dense');
    const p = tf.tidy(() => m.predict(tf.randomUniform([2, 48, 48, 1])) as tf.Tensor);
    const rows = p.arraySync() as number[][];
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    p.dispose();
  });

  it.each(['rows', 'columns', 'cells'] as const)('reads the feature map as a sequence of %s', (sequence) => {
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 0, sequence, seed: 1 });
    const lstmIn = m.getLayer('lstm').input as { shape: number[] };
    const [steps, features] = sequence === 'rows' ? [12, 12 * 8] : sequence === 'columns' ? [12, 12 * 8] : [144, 8];
    expect(lstmIn.shape).toEqual([null, steps, features]);
  });

  it('supports bidirectional LSTMs, no batch norm, other class counts and input sizes', () => {
    const m = buildCnnLstm({ filters: [4], inputSize: 32, numClasses: 8, bidirectional: true, batchNorm: false, lstmUnits: 5, seed: 2 });
    expect(m.outputs[0].shape).toEqual([null, 8]);
    expect(m.layers.some((l) => l.getClassName() === 'Bidirectional')).toBe(true);
    expect(m.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
  });

  it('standardizes each image: brightness and contrast changes do not change the output', () => {
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, seed: 4 });
    const x = tf.randomUniform([2, 48, 48, 1], 0.2, 0.6, 'float32', 9);
    const a = (m.predict(x) as tf.Tensor).dataSync();
    const b = (m.predict(tf.add(tf.mul(x, 1.7), 0.1)) as tf.Tensor).dataSync();
    // exact up to the normalisation's ε (1e-3, added to the variance)
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 2);
    const plain = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, seed: 4, standardize: false, blurSigma: 0 });
    const c = (plain.predict(x) as tf.Tensor).dataSync();
    const d = (plain.predict(tf.add(tf.mul(x, 1.7), 0.1)) as tf.Tensor).dataSync();
    expect(Math.max(...Array.from(c, (v, i) => Math.abs(v - d[i])))).toBeGreaterThan(1e-4);
  });

  it('blurs with a fixed, normalised Gaussian that training does not change', () => {
    const k = gaussianKernel(3);
    expect(k.length).toBe(19);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(k[9]).toBeGreaterThan(k[8]);
    const m = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1, blurSigma: 3 });
    const bx = m.getLayer('blur_x');
    expect(bx.trainable).toBe(false);
    expect(m.trainableWeights.some((w) => w.name.startsWith('blur_'))).toBe(false);
    expect(Array.from(bx.getWeights()[0].dataSync())).toEqual(Array.from(k));
    // a constant image stays constant away from the borders (the filter sums to 1)
    const probe = tfl.model({ inputs: m.inputs, outputs: m.getLayer('blur_y').output as tfl.SymbolicTensor });
    const img = tf.concat([tf.zeros([1, 48, 24, 1]), tf.ones([1, 48, 24, 1])], 2);
    const out = (probe.predict(img) as tf.Tensor).arraySync() as number[][][][];
    expect(out[0][24][24][0]).toBeGreaterThan(out[0][24][23][0]); // the edge is still there, softened
    // 10+ pixels from the step and from the border, the plateau is flat again
    expect(Math.abs(out[0][24][34][0] - out[0][24][37][0])).toBeLessThan(1e-3);
  });

  it('is reproducible with a seed', () => {
    const a = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 7 }).getWeights().map((w) => w.dataSync());
    const b = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 7 }).getWeights().map((w) => w.dataSync());
    a.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b[i])));
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => buildCnnLstm({ filters: [] })).toThrow(/filters/);
    expect(() => buildCnnLstm({ filters: [4, 4, 4, 4, 4, 4, 4] })).toThrow(/pooling blocks/);
    expect(() => buildCnnLstm({ sequence: 'diagonal' as never })).toThrow(/sequence/);
    expect(() => buildCnnLstm({ dropout: 1 })).toThrow(/dropout/);
    expect(() => buildCnnLstm({ numClasses: 1 })).toThrow(/numClasses/);
  });

  it('saves and loads in the tfjs layers format with identical predictions', async () => {
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 5, seed: 3 });
    const dir = join(mkdtempSync(join(tmpdir(), 'fer-model-')), 'm');
    await saveModel(m, dir, { note: 'round-trip' });
    const l = await loadModel(dir);
    const x = tf.randomUniform([3, 48, 48, 1], 0, 1, 'float32', 5);
    const a = (m.predict(x) as tf.Tensor).dataSync();
    const b = (l.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(l.layers.map((x) => x.name)).toEqual(m.layers.map((x) => x.name));
  });

  it('names the file when a model cannot be loaded', async () => {
    await expect(loadModel(join(tmpdir(), 'no-such-model-dir'))).rejects.toThrow(/model\.json: no such file/);
  });
});
