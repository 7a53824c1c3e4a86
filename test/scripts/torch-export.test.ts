/**
 * The PyTorch → tfjs weight import (scripts/gpu/torch-export.ts): fixtures written by
 * `scripts/gpu/train_torch.py --export-only` (test/scripts/fixtures/torch-export/make-fixtures.sh: seeded tiny
 * models with perturbed batch-norm statistics and biases, synthetic check images) must load into
 * `buildCnnLstm` and give PyTorch's probabilities. Covers the 0.2 default architecture (strided stem at 48 px,
 * unpooled last block, rows), residual blocks with identity and projection shortcuts, a stride-1 stem with
 * its pool, no batch norm, cells, sigmoid gates on an odd input size, no stem, columns, bidirectional, no dense layer,
 * a depth per block (`convsPerBlock: [1, 3]`), and exports of the 0.1 script (format 1).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backends/select.js';
import {
  checkAgainstTorch, modelFromTorchExport, optionsFromTorchExport, TORCH_EXPORT_FORMAT_V1, type EncodedArray, type TorchExport,
} from '../../scripts/gpu/torch-export.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/torch-export/${name}.json`, import.meta.url), 'utf8')) as TorchExport;

const floats = (a: EncodedArray) => {
  const bytes = Buffer.from(a.data, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

beforeAll(async () => { await selectBackend('cpu'); });

/** What each fixture must hold, so that a regenerated fixture cannot silently lose what it is there to cover. */
const FIXTURES: Record<string, { options: Record<string, unknown>; layers: string[]; absent?: string[] }> = {
  default: {
    options: { inputSize: 48, stemFilters: 4, stemStride: 2, poolLastBlock: false, residual: false, sequence: 'rows', lstmGates: 'hardSigmoid' },
    layers: ['stem_conv', 'stem_conv_bn', 'block1_conv1', 'block1_conv2_bn', 'block2_conv2', 'lstm', 'dense', 'emotion'],
    absent: ['block1_shortcut', 'block2_shortcut'],
  },
  residual: {
    options: { residual: true, poolLastBlock: true, stemFilters: 4, filters: [4, 8], batchNorm: true },
    layers: ['block2_shortcut', 'block2_shortcut_bn'],
    absent: ['block1_shortcut'], // 4 → 4: the identity
  },
  'stem1-cells-nobn': {
    options: { stemStride: 1, batchNorm: false, residual: true, sequence: 'cells' },
    layers: ['stem_conv', 'block1_shortcut', 'block2_shortcut'],
    absent: ['stem_conv_bn', 'block1_shortcut_bn'],
  },
  'sigmoid-odd': { options: { lstmGates: 'sigmoid', inputSize: 23, stemStride: 2 }, layers: ['stem_conv', 'lstm'] },
  'columns-bilstm': {
    options: { sequence: 'columns', bidirectional: true, stemFilters: 0, poolLastBlock: true, denseUnits: 0 },
    layers: ['bilstm', 'emotion'],
    absent: ['stem_conv', 'dense', 'lstm'],
  },
  'per-block-depth': {
    options: { convsPerBlock: [1, 3], residual: true, filters: [4, 8] },
    layers: ['block1_conv1', 'block2_conv3', 'block2_conv3_bn', 'block2_shortcut'],
    absent: ['block1_conv2', 'block2_conv4'],
  },
};

describe('modelFromTorchExport', () => {
  for (const [name, want] of Object.entries(FIXTURES)) {
    it(`${name}: gives PyTorch's probabilities`, () => {
      const exp = fixture(name);
      expect(exp.model).toMatchObject(want.options);
      for (const layer of want.layers) expect(exp.layers).toHaveProperty([layer]);
      for (const layer of want.absent ?? []) expect(exp.layers).not.toHaveProperty([layer]);
      const model = modelFromTorchExport(exp);
      if (exp.model.residual) expect(model.layers.some((l) => /^block\d+_add$/.test(l.name))).toBe(true);
      if (exp.model.stemStride === 1) expect(model.getLayer('stem_pool')).toBeDefined();
      const worst = checkAgainstTorch(model, exp);
      expect(worst).toBeLessThan(1e-5);
      // the probabilities are not uniform, so a wrong layout could not pass by accident
      const spread = Math.max(...exp.check.probabilities.map((r) => Math.max(...r) - Math.min(...r)));
      expect(spread).toBeGreaterThan(0.02);
      model.dispose();
    });
  }

  it('detects LSTM gates in another order (the check has teeth)', () => {
    for (const name of ['default', 'columns-bilstm']) {
      const exp = fixture(name);
      // i, f, c, o → f, i, c, o in the input kernel: the mistake a PyTorch/Keras gate mapping can make
      const kernel = (exp.layers.lstm ?? exp.layers.bilstm)[0];
      const w = floats(kernel);
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
    }
  });

  it('detects the wrong gate activation and a missing residual shortcut', () => {
    const gates = fixture('sigmoid-odd');
    gates.model.lstmGates = 'hardSigmoid';
    const hard = modelFromTorchExport(gates);
    expect(checkAgainstTorch(hard, gates)).toBeGreaterThan(1e-3);
    hard.dispose();
    // the same weights without the identity shortcut of block 1 (block 2's projection would be an unknown layer)
    const plain = fixture('stem1-cells-nobn');
    plain.model.residual = false;
    expect(() => modelFromTorchExport(plain)).toThrow(/layer block1_shortcut, which buildCnnLstm/);
  });

  it('names the layer whose shapes differ', () => {
    const exp = fixture('default');
    exp.layers.lstm = exp.layers.lstm.slice(0, 2);
    expect(() => modelFromTorchExport(exp)).toThrow(/layer lstm: the model has weights \[.*\], the export \[.*\]/);
    const stem = fixture('default');
    stem.model.stemFilters = 5;
    expect(() => modelFromTorchExport(stem)).toThrow(/layer stem_conv: the model has weights \[3×3×1×5\], the export \[3×3×1×4\]/);
  });

  it('names missing and unknown layers, and an unknown format', () => {
    const missing = fixture('default');
    delete (missing.layers as Record<string, unknown>).dense;
    expect(() => modelFromTorchExport(missing)).toThrow(/no weights for layers dense/);
    const noShortcut = fixture('residual');
    delete (noShortcut.layers as Record<string, unknown>).block2_shortcut_bn;
    expect(() => modelFromTorchExport(noShortcut)).toThrow(/no weights for layers block2_shortcut_bn$/);
    const unknown = fixture('default');
    unknown.layers.extra = [];
    expect(() => modelFromTorchExport(unknown)).toThrow(/layer extra, which buildCnnLstm/);
    expect(() => modelFromTorchExport({ ...fixture('default'), format: 'x' })).toThrow(/unknown export format/);
  });

  it('refuses the options 0.2 removed', () => {
    const exp = fixture('default');
    (exp.model as Record<string, unknown>).blurSigma = 3.4;
    expect(() => modelFromTorchExport(exp)).toThrow(/option blurSigma was removed in 0.2/);
  });

  it('reads a 0.1 export without blur and downsampling as the same network, and refuses one with either', () => {
    // a 0.1 export (format 1): 0.1's options; no stem and every block pooled, as this fixture in 0.2's terms
    const now = fixture('columns-bilstm');
    expect(now.model).toMatchObject({ stemFilters: 0, poolLastBlock: true, residual: false, lstmGates: 'hardSigmoid' });
    const { stemFilters: _s, stemStride: _t, residual: _r, poolLastBlock: _p, lstmGates: _g, ...rest } = now.model;
    const v1 = (extra: Record<string, unknown>): TorchExport => ({ ...now, format: TORCH_EXPORT_FORMAT_V1, model: { ...rest, ...extra } });
    const old = v1({ blurSigma: 0, blurOnlyAtInference: true, downsample: 1 });
    expect(optionsFromTorchExport(old)).toMatchObject({ stemFilters: 0, poolLastBlock: true, residual: false, lstmGates: 'hardSigmoid' });
    expect(optionsFromTorchExport(old)).not.toHaveProperty('blurSigma');
    const model = modelFromTorchExport(old);
    expect(checkAgainstTorch(model, old)).toBeLessThan(1e-5);
    model.dispose();
    expect(() => modelFromTorchExport(v1({ blurSigma: 0, downsample: 1, stemFilters: 0 }))).toThrow(/has the 0\.2 option stemFilters/);
    expect(() => modelFromTorchExport(v1({ blurSigma: 3.4, downsample: 1 }))).toThrow(/0\.1 train_torch\.py .*inference blur \(blurSigma 3\.4\), which 0\.2 removed/);
    expect(() => modelFromTorchExport(v1({ blurSigma: 0, downsample: 2 }))).toThrow(/downsampling \(downsample 2\), which 0\.2 removed/);
    expect(() => modelFromTorchExport(v1({}))).toThrow(/blurSigma 1\.7/); // 0.1's default: 3.4 at 48 px, scaled
  });
});
