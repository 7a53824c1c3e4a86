/** averageWeights: the plain mean of every weight (batch-norm statistics included), inputs unchanged, architectures checked. */
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';
import { averageWeights } from '../../src/model/average.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';

const tiny = (seed: number, filters = [4, 8]) => buildCnnLstm({ inputSize: 16, filters, convsPerBlock: 1, stemFilters: 4, lstmUnits: 8, denseUnits: 8, seed });

beforeAll(async () => {
  await setBackend('wasm');
});

describe('averageWeights', () => {
  it('gives a new model whose every weight is the mean of the models\' weights', async () => {
    const models = [tiny(1), tiny(2), tiny(3)];
    // batch-norm moving statistics differ too
    models.forEach((m, i) => m.getLayer('stem_conv_bn').setWeights(m.getLayer('stem_conv_bn').getWeights().map((w) => tf.add(w, i))));
    const before = models.map((m) => m.getWeights().map((w) => Array.from(w.dataSync())));
    const avg = await averageWeights(models);
    expect(models).not.toContain(avg);
    const got = avg.getWeights().map((w) => w.dataSync());
    expect(got).toHaveLength(before[0].length);
    got.forEach((w, j) => {
      for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo((before[0][j][i] + before[1][j][i] + before[2][j][i]) / 3, 5);
    });
    // the inputs are unchanged
    expect(models.map((m) => m.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(before);
    for (const m of [...models, avg]) m.dispose();
  });

  it('refuses models of another architecture, naming which', async () => {
    const [a, b] = [tiny(1), tiny(2, [4, 6])];
    await expect(averageWeights([a, b])).rejects.toThrow('averageWeights: model 2 is not the architecture of model 1 (its layers or weight shapes differ)');
    await expect(averageWeights([])).rejects.toThrow('averageWeights: no models to average');
    a.dispose();
    b.dispose();
  });
});
