/**
 * The PyTorch → tfjs weight import (scripts/gpu/torch-export.ts): fixtures written by
 * `python3 scripts/gpu/train_torch.py --export-only` (seeded models with perturbed batch-norm statistics
 * and biases, synthetic check images) must load into `buildCnnLstm` and give PyTorch's probabilities.
 * Covers rows / columns / cells, bidirectional, no batch norm, no dense layer, 24 px input without downsampling.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backends/select.js';
import { checkAgainstTorch, modelFromTorchExport, type TorchExport } from '../../scripts/gpu/torch-export.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/torch-export/${name}.json`, import.meta.url), 'utf8')) as TorchExport;

beforeAll(async () => { await selectBackend('cpu'); });

describe('modelFromTorchExport', () => {
  for (const name of ['rows', 'columns-bilstm', 'cells-nobn']) {
    it(`${name}: gives PyTorch's probabilities`, () => {
      const exp = fixture(name);
      const model = modelFromTorchExport(exp);
      const worst = checkAgainstTorch(model, exp);
      expect(worst).toBeLessThan(1e-5);
      // the probabilities are not uniform, so a wrong layout could not pass by accident
      const spread = Math.max(...exp.check.probabilities.map((r) => Math.max(...r) - Math.min(...r)));
      expect(spread).toBeGreaterThan(0.02);
      model.dispose();
    });
  }

  it('detects LSTM gates in another order (the check has teeth)', () => {
    const exp = fixture('rows');
    // i, f, c, o → f, i, c, o in the input kernel: the mistake a PyTorch/Keras gate mapping can make
    const kernel = exp.layers.lstm[0];
    const bytes = Buffer.from(kernel.data, 'base64');
    const w = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const [rows, cols] = kernel.shape;
    const u = cols / 4;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < u; j++) {
        const t = w[r * cols + j];
        w[r * cols + j] = w[r * cols + u + j];
        w[r * cols + u + j] = t;
      }
    }
    kernel.data = Buffer.from(w.buffer).toString('base64');
    const model = modelFromTorchExport(exp);
    expect(checkAgainstTorch(model, exp)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('names the layer whose shapes differ', () => {
    const exp = fixture('rows');
    exp.layers.lstm = exp.layers.lstm.slice(0, 2);
    expect(() => modelFromTorchExport(exp)).toThrow(/layer lstm: the model has weights \[.*\], the export \[.*\]/);
  });

  it('names missing and unknown layers, and an unknown format', () => {
    const missing = fixture('rows');
    delete (missing.layers as Record<string, unknown>).dense;
    expect(() => modelFromTorchExport(missing)).toThrow(/no weights for layers dense/);
    const unknown = fixture('rows');
    unknown.layers.extra = [];
    expect(() => modelFromTorchExport(unknown)).toThrow(/layer extra, which buildCnnLstm/);
    expect(() => modelFromTorchExport({ ...fixture('rows'), format: 'x' })).toThrow(/unknown export format/);
  });
});
