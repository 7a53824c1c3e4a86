import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { registerCustomLayers, Standardize } from '../../src/model/layers.js';
import { loadModel, saveModel } from '../../src/model/io.js';

beforeAll(async () => { await setBackend('wasm'); registerCustomLayers(); });

describe('models saved by 0.1 with the removed FerGaussianBlur layer', () => {
  it('fail to load with a message that names the file and says why', async () => {
    // a 0.1-style model.json: a FerGaussianBlur layer (no weights) where 0.2 has none
    const input = tfl.input({ shape: [12, 12, 1] });
    const m = tfl.model({ inputs: input, outputs: new Standardize({ name: 'blur' }).apply(input) as tfl.SymbolicTensor });
    const dir = join(mkdtempSync(join(tmpdir(), 'fer-v01-')), 'm');
    await saveModel(m, dir);
    const file = join(dir, 'model.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"FerStandardize"', '"FerGaussianBlur"').replace('"epsilon":0.001', '"sigma":3.4,"inferenceOnly":true'));
    await expect(loadModel(dir)).rejects.toThrow(/m: this model was saved by fer-cnn-lstm 0\.1 and has a FerGaussianBlur layer.*removed/);
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
