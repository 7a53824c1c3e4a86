import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm, DEFAULT_CNN_LSTM_OPTIONS } from '../../src/model/cnn-lstm.js';
import { loadModel, saveModel } from '../../src/model/io.js';

beforeAll(async () => { await setBackend('wasm'); });

describe('buildCnnLstm', () => {
  it('builds the default model: 48×48×1 in, 7 probabilities out, conv → pool → LSTM → dense', () => {
    const m = buildCnnLstm({ seed: 1 });
    expect(m.inputs[0].shape).toEqual([null, 48, 48, 1]);
    expect(m.outputs[0].shape).toEqual([null, 7]);
    const names = m.layers.map((l) => l.getClassName());
    const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D');
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
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 0, sequence, seed: 1, downsample: 1 });
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

  it('blurs only at inference by default, with a layer that has no weights', () => {
    const m = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1 });
    const blur = m.getLayer('blur');
    expect(blur.getClassName()).toBe('FerGaussianBlur');
    expect(blur.getConfig()).toMatchObject({ sigma: DEFAULT_CNN_LSTM_OPTIONS.blurSigma, inferenceOnly: true });
    expect(blur.getWeights()).toHaveLength(0);
    const always = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1, blurOnlyAtInference: false });
    expect(always.getLayer('blur').getConfig()).toMatchObject({ inferenceOnly: false });
    expect(() => buildCnnLstm({ blurSigma: 0 }).getLayer('blur')).toThrow();
  });

  it('scales the default blur with the input size', () => {
    const m = buildCnnLstm({ filters: [4], lstmUnits: 4, inputSize: 96, seed: 1 });
    expect(m.getLayer('blur').getConfig().sigma).toBeCloseTo(DEFAULT_CNN_LSTM_OPTIONS.blurSigma * 2, 6);
  });

  it('downsamples with fixed average pooling before the convolutions', () => {
    const m = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1, downsample: 2 });
    expect((m.getLayer('block1_conv1').input as { shape: number[] }).shape).toEqual([null, 24, 24, 1]);
    const full = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1, downsample: 1 });
    expect(full.layers.some((l) => l.name === 'downsample')).toBe(false);
    expect(() => buildCnnLstm({ downsample: 5 })).toThrow(/downsample/);
    expect(() => buildCnnLstm({ downsample: 0 })).toThrow(/downsample/);
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
    expect(() => buildCnnLstm({ filters: [4, 4, 4, 4], downsample: 2 })).toThrow(/at least 2 steps.*1×1 feature map/);
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
