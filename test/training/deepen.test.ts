/** deepenModel (Net2DeeperNet): the deeper model has the new layers and computes what the source does. */
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { deepenModel } from '../../src/training/deepen.js';
import { modelProbabilities as predictPixels } from '../../src/inference/classifier.js';
import { patternedDataset, SIZE } from './helpers.js';

const options = { inputSize: SIZE, filters: [4, 8], stemFilters: 4, lstmUnits: 8, denseUnits: 8 };

beforeAll(async () => {
  await setBackend('wasm');
});

describe('deepenModel', () => {
  it('adds a convolution and its batch norm to the last block without changing the answers', () => {
    const source = buildCnnLstm({ ...options, convsPerBlock: 1, seed: 4 });
    // trained-looking batch-norm statistics, so that the new batch norm's must be measured
    for (const l of source.layers) if (l.getClassName() === 'BatchNormalization') l.setWeights(l.getWeights().map((w, i) => (i === 3 ? tf.mul(w, 3) : tf.add(w, 0.2))));
    const data = patternedDataset(40);
    const r = deepenModel(source, { convsPerBlock: [1, 2], model: options, images: data.images });
    expect(r.added).toEqual(['block2_conv2', 'block2_conv2_bn']);
    expect(r.model.layers.length).toBe(source.layers.length + 3);
    const a = predictPixels(source, data.images, SIZE);
    const b = predictPixels(r.model, data.images, SIZE);
    const worst = a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i])), 0);
    expect(worst).toBeLessThan(1e-4);
    expect(r.maxDifference).toBeLessThan(1e-4);
    expect(r.agree).toBe(r.checked);
    source.dispose();
    r.model.dispose();
  });

  it('refuses options that describe another architecture, and a deepening that adds nothing', () => {
    const source = buildCnnLstm({ ...options, convsPerBlock: 1, seed: 4 });
    const images = patternedDataset(8).images;
    expect(() => deepenModel(source, { convsPerBlock: 2, model: { ...options, filters: [4, 6] }, images })).toThrow(/deepenModel: layer block2_conv1 has weights .* in the source but .* in the deeper model/);
    expect(() => deepenModel(source, { convsPerBlock: 1, model: options, images })).toThrow('deepenModel: convsPerBlock 1 adds no convolution to the source');
    expect(() => deepenModel(source, { convsPerBlock: 2, model: options, images: new Uint8Array(10) })).toThrow(/not a whole number/);
    source.dispose();
  });
});
