/**
 * End to end: the gradients of a whole CNN-LSTM training step on wasm (with this package's
 * kernels and the fused batch norm) equal the stock cpu backend's, for the same weights and batch.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { useFastBatchNorm } from '../../src/training/fast-batchnorm.js';
import { shardGradients } from '../../src/training/loss.js';

async function gradientsOn(backend: string, fast: boolean, weights: Float32Array[], pixels: Uint8Array, labels: Uint8Array) {
  await setBackend(backend);
  const model = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 5, dropout: 0, convDropout: 0, seed: 11 });
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.weights[i].shape as number[])));
  if (fast) useFastBatchNorm(model);
  const g = shardGradients(model, { pixels, labels, size: 48, numClasses: 7, labelSmoothing: 0.1, batchSize: labels.length });
  const out = { grads: g.grads.map((t) => t.dataSync().slice() as Float32Array), loss: g.lossSum };
  tf.dispose(g.grads);
  model.dispose();
  return out;
}

describe('a training step on wasm equals the cpu backend', () => {
  it('same loss and gradients for every weight (conv, batch norm, pooling, LSTM, dense)', async () => {
    await setBackend('cpu');
    const ref = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 5, dropout: 0, convDropout: 0, seed: 11 });
    const weights = ref.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    ref.dispose();
    const n = 6;
    const pixels = new Uint8Array(n * 48 * 48);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + (i >> 7) * 11) % 256;
    const labels = Uint8Array.from([0, 3, 6, 3, 2, 5]);
    const cpu = await gradientsOn('cpu', false, weights, pixels, labels);
    const wasm = await gradientsOn('wasm', true, weights, pixels, labels);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 3);
    expect(wasm.grads).toHaveLength(cpu.grads.length);
    cpu.grads.forEach((g, i) => {
      const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
      let worst = 0;
      for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j] - wasm.grads[i][j]));
      expect(worst / scale, `weight ${i}`).toBeLessThan(2e-3);
    });
  });
});
