import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
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
    const perBlock = DEFAULT_CNN_LSTM_OPTIONS.convsPerBlock;
    expect(convs).toHaveLength(1 + (Array.isArray(perBlock) ? perBlock.reduce((a, b) => a + b, 0) : DEFAULT_CNN_LSTM_OPTIONS.filters.length * perBlock));
    // the strided stem sees the full 48×48 image; the LSTM reads the unpooled last map's 6 rows
    expect((m.getLayer('stem_conv').output as { shape: number[] }).shape).toEqual([null, 24, 24, 32]);
    expect((m.getLayer('lstm').input as { shape: number[] }).shape).toEqual([null, 6, 6 * 128]);
    expect(names.indexOf('MaxPooling2D')).toBeGreaterThan(names.indexOf('Conv2D'));
    expect(names.indexOf('LSTM')).toBeGreaterThan(names.lastIndexOf('MaxPooling2D'));
    expect(names.at(-1)).toBe('Dense');
    const p = tf.tidy(() => m.predict(tf.randomUniform([2, 48, 48, 1])) as tf.Tensor);
    const rows = p.arraySync() as number[][];
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    p.dispose();
  });

  it.each(['rows', 'columns', 'cells'] as const)('reads the feature map as a sequence of %s', (sequence) => {
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 0, sequence, seed: 1, stemFilters: 0, poolLastBlock: true });
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
    const plain = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, seed: 4, standardize: false });
    const c = (plain.predict(x) as tf.Tensor).dataSync();
    const d = (plain.predict(tf.add(tf.mul(x, 1.7), 0.1)) as tf.Tensor).dataSync();
    expect(Math.max(...Array.from(c, (v, i) => Math.abs(v - d[i])))).toBeGreaterThan(1e-4);
  });

  it('has a learned stem: strided (default) or conv + max pool, or none', () => {
    const strided = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1 });
    expect(strided.getLayer('stem_conv').getConfig()).toMatchObject({ strides: [2, 2], filters: 32 });
    expect(strided.layers.some((l) => l.name === 'stem_pool')).toBe(false);
    const pooled = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1, stemStride: 1, stemFilters: 8 });
    expect((pooled.getLayer('stem_pool').output as { shape: number[] }).shape).toEqual([null, 24, 24, 8]);
    const none = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1, stemFilters: 0 });
    expect((none.getLayer('block1_conv1').input as { shape: number[] }).shape).toEqual([null, 48, 48, 1]);
    expect(() => buildCnnLstm({ stemStride: 3 as never })).toThrow(/stemStride/);
  });

  it('adds residual shortcuts (projected when the width changes)', () => {
    const m = buildCnnLstm({ filters: [32, 8], lstmUnits: 4, seed: 1, residual: true });
    expect(m.getLayer('block1_add').getClassName()).toBe('Add');
    expect(m.layers.some((l) => l.name === 'block1_shortcut')).toBe(false); // 32 → 32: identity
    expect(m.getLayer('block2_shortcut').getConfig()).toMatchObject({ kernelSize: [1, 1], filters: 8 });
  });

  it('takes one depth for every block or one per block', () => {
    const convNames = (m: ReturnType<typeof buildCnnLstm>) => m.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name);
    expect(convNames(buildCnnLstm({ filters: [4, 8], convsPerBlock: [1, 3], lstmUnits: 4, seed: 1 })))
      .toEqual(['stem_conv', 'block1_conv1', 'block2_conv1', 'block2_conv2', 'block2_conv3']);
    expect(convNames(buildCnnLstm({ filters: [4, 8], convsPerBlock: 2, lstmUnits: 4, seed: 1 })))
      .toEqual(['stem_conv', 'block1_conv1', 'block1_conv2', 'block2_conv1', 'block2_conv2']);
    expect(() => buildCnnLstm({ filters: [4, 8], convsPerBlock: [2] })).toThrow(/convsPerBlock has 1 entries for 2 blocks/);
    expect(() => buildCnnLstm({ filters: [4, 8], convsPerBlock: [2, 0] })).toThrow(/convsPerBlock must be ≥ 1/);
  });

  it('pools the last block only when asked, and can use sigmoid LSTM gates', () => {
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 4, seed: 1, poolLastBlock: true, lstmGates: 'sigmoid' });
    expect((m.getLayer('lstm').input as { shape: number[] }).shape).toEqual([null, 6, 6 * 8]);
    expect(m.getLayer('lstm').getConfig()).toMatchObject({ recurrentActivation: 'sigmoid' });
    expect(buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 1 }).getLayer('lstm').getConfig()).toMatchObject({ recurrentActivation: 'hardSigmoid' });
  });

  it('rejects the options 0.2 removed with a message that says why', () => {
    expect(() => buildCnnLstm({ blurSigma: 3 } as never)).toThrow(/blurSigma was removed in 0\.2: the inference blur/);
    expect(() => buildCnnLstm({ downsample: 2 } as never)).toThrow(/downsample was removed in 0\.2.*stemStride/);
    expect(() => buildCnnLstm({ filterz: [4] } as never)).toThrow(/unknown option filterz/);
  });

  it('is reproducible with a seed', () => {
    const a = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 7 }).getWeights().map((w) => w.dataSync());
    const b = buildCnnLstm({ filters: [4], lstmUnits: 4, seed: 7 }).getWeights().map((w) => w.dataSync());
    a.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b[i])));
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => buildCnnLstm({ filters: [] })).toThrow(/filters/);
    expect(() => buildCnnLstm({ filters: [4, 4, 4, 4, 4, 4, 4] })).toThrow(/poolings shrink/);
    expect(() => buildCnnLstm({ filters: 4 as never })).toThrow(/filters must be an array/);
    expect(() => buildCnnLstm({ sequence: 'diagonal' as never })).toThrow(/sequence/);
    expect(() => buildCnnLstm({ dropout: 1 })).toThrow(/dropout/);
    expect(() => buildCnnLstm({ numClasses: 1 })).toThrow(/numClasses/);
    expect(() => buildCnnLstm({ filters: [4, 4, 4, 4], poolLastBlock: true })).toThrow(/at least 2 steps.*1×1 feature map/);
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

  it('refuses to load a model whose weights hold NaN, naming the file and the weight', async () => {
    const m = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 3 });
    const dense = m.getLayer('emotion');
    const [k, b] = dense.getWeights();
    dense.setWeights([tf.fill(k.shape, Number.NaN), b]);
    const dir = join(mkdtempSync(join(tmpdir(), 'fer-nan-')), 'm');
    await saveModel(m, dir);
    await expect(loadModel(dir)).rejects.toThrow(/m: weight emotion\/kernel.*non-finite/);
  });

  it('names the file when a model cannot be loaded', async () => {
    await expect(loadModel(join(tmpdir(), 'no-such-model-dir'))).rejects.toThrow(/model\.json: no such file/);
  });
});
