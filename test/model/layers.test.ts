import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { gaussianBlurPixels } from '../../src/data/blur.js';
import { GaussianBlur, registerCustomLayers, setBlurInTraining, Standardize } from '../../src/model/layers.js';
import { loadModel, saveModel } from '../../src/model/io.js';

beforeAll(async () => { await setBackend('wasm'); registerCustomLayers(); });

/** A one-layer model around a GaussianBlur. */
function blurModel(sigma: number, inferenceOnly: boolean, size = 24): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 1] });
  const out = new GaussianBlur({ sigma, inferenceOnly, name: 'blur' }).apply(input) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('GaussianBlur layer', () => {
  it('matches the plain-TypeScript blur of the same images (symmetric borders)', () => {
    const size = 24;
    const bytes = Uint8Array.from({ length: 2 * size * size }, (_, i) => (i * 37 + (i >> 5) * 11) % 256);
    const expected = gaussianBlurPixels(bytes, size, 2);
    const x = tf.div(tf.tensor4d(Array.from(bytes), [2, size, size, 1]), 1);
    const got = (blurModel(2, false).predict(x) as tf.Tensor).dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-3); // the TypeScript blur rounds to bytes
  });

  it('keeps a constant image constant everywhere, borders included', () => {
    const out = (blurModel(3, false).predict(tf.fill([1, 24, 24, 1], 0.7)) as tf.Tensor).dataSync();
    for (const v of out) expect(v).toBeCloseTo(0.7, 5);
  });

  it('blurs at inference and passes images through unchanged in training mode when inferenceOnly', () => {
    const m = blurModel(2, true);
    const x = tf.randomUniform([1, 24, 24, 1], 0, 1, 'float32', 3);
    const trained = (m.apply(x, { training: true }) as tf.Tensor).dataSync();
    expect(Array.from(trained)).toEqual(Array.from(x.dataSync()));
    const inferred = (m.predict(x) as tf.Tensor).dataSync();
    const diff = Array.from(inferred, (v, i) => Math.abs(v - x.dataSync()[i]));
    expect(Math.max(...diff)).toBeGreaterThan(0.05);
    // not inferenceOnly: blurred in training mode too
    const both = blurModel(2, false);
    expect(Array.from((both.apply(x, { training: true }) as tf.Tensor).dataSync())).toEqual(Array.from(inferred));
  });

  it('setBlurInTraining switches the training-mode blur on and off', () => {
    const m = blurModel(2, true);
    const x = tf.randomUniform([1, 24, 24, 1], 0, 1, 'float32', 5);
    expect(setBlurInTraining(m, true)).toBe(1);
    expect(Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
    setBlurInTraining(m, false);
    expect(Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    const input = tfl.input({ shape: [4, 4, 1] });
    expect(setBlurInTraining(tfl.model({ inputs: input, outputs: input }), true)).toBe(0);
  });

  it('round-trips through save and load with its configuration', async () => {
    const m = blurModel(1.5, true);
    const dir = join(mkdtempSync(join(tmpdir(), 'fer-blur-')), 'm');
    await saveModel(m, dir);
    const l = await loadModel(dir);
    expect(l.getLayer('blur').getConfig()).toMatchObject({ sigma: 1.5, inferenceOnly: true });
    const x = tf.randomUniform([1, 24, 24, 1], 0, 1, 'float32', 4);
    expect(Array.from((l.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
  });

  it('rejects a bad sigma and images smaller than the kernel', () => {
    expect(() => new GaussianBlur({ sigma: 0 })).toThrow(/sigma/);
    expect(() => new GaussianBlur({ sigma: Number.NaN })).toThrow(/sigma/);
    expect(() => blurModel(3, false, 8).predict(tf.zeros([1, 8, 8, 1]))).toThrow(/larger than 9px/);
  });
});

describe('Standardize layer', () => {
  const wrap = (layer: tfl.layers.Layer) => {
    const input = tfl.input({ shape: [12, 12, 1] });
    return tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  };

  it('gives each image zero mean and unit variance, like LayerNormalization over [1, 2, 3]', () => {
    const x = tf.add(tf.mul(tf.randomUniform([3, 12, 12, 1], 0, 1, 'float32', 8), tf.tensor4d([1, 5, 0.1], [3, 1, 1, 1])), 2);
    const ours = wrap(new Standardize()).predict(x) as tf.Tensor;
    const ref = wrap(tfl.layers.layerNormalization({ axis: [1, 2, 3], epsilon: 1e-3 })).predict(x) as tf.Tensor;
    const a = ours.dataSync();
    const b = ref.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    const { mean, variance } = tf.moments(ours, [1, 2, 3]);
    for (const m of mean.dataSync()) expect(m).toBeCloseTo(0, 4);
    expect(variance.dataSync()[1]).toBeCloseTo(1, 2); // image 1 has variance ≈ 2 ≫ ε
  });

  it('round-trips through save and load and rejects a bad epsilon', async () => {
    const m = wrap(new Standardize({ epsilon: 1e-4, name: 'standardize' }));
    const dir = join(mkdtempSync(join(tmpdir(), 'fer-std-')), 'm');
    await saveModel(m, dir);
    const l = await loadModel(dir);
    expect(l.getLayer('standardize').getConfig()).toMatchObject({ epsilon: 1e-4 });
    expect(() => new Standardize({ epsilon: 0 })).toThrow(/epsilon/);
  });
});
