import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { rebuildCnnLstm } from '../../src/model/rebuild.js';

beforeAll(async () => { await setBackend('wasm'); });

const OPTIONS = { filters: [4, 8], lstmUnits: 6, denseUnits: 5, seed: 3 };

describe('rebuildCnnLstm', () => {
  it('keeps the weights and predictions, and changes weight-free options', () => {
    const trained = buildCnnLstm({ ...OPTIONS, seed: 11 });
    const same = rebuildCnnLstm(trained, OPTIONS);
    const x = tf.randomUniform([2, 48, 48, 1], 0, 1, 'float32', 1);
    expect(Array.from((same.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((trained.predict(x) as tf.Tensor).dataSync()));
    const noDropout = rebuildCnnLstm(trained, { ...OPTIONS, dropout: 0 });
    expect(noDropout.layers.some((l) => l.name === 'dropout')).toBe(false);
    expect(Array.from((noDropout.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((trained.predict(x) as tf.Tensor).dataSync()));
    noDropout.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(trained.getWeights()[i].dataSync())));
  });

  it('names the layer when the options describe another architecture', () => {
    const trained = buildCnnLstm(OPTIONS);
    expect(() => rebuildCnnLstm(trained, { ...OPTIONS, filters: [4, 16] })).toThrow(/layer block2_conv1 has weights/);
    expect(() => rebuildCnnLstm(trained, { ...OPTIONS, filters: [4, 8, 8] })).toThrow(/no layer block3_conv1/);
  });
});
