/** Issue 13.7: evaluate() reports progress after each forward pass. */
import { describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';

describe('evaluate onProgress', () => {
  it('is called after each batch with the images done and the total, and the result is unchanged', async () => {
    await setBackend('cpu');
    const n = 10;
    const images = new Uint8Array(n * 48 * 48).map((_, i) => (i * 31) % 251);
    const data = FerDataset.fromArrays(images, Array.from({ length: n }, (_, i) => i % 7));
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
    const calls: [number, number][] = [];
    const r = await evaluate(model, data, { batchSize: 4, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([[4, 10], [8, 10], [10, 10]]);
    const plain = await evaluate(model, data, { batchSize: 256 });
    expect(r.confusion).toEqual(plain.confusion);
    model.dispose();
  });
});
