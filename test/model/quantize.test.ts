import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { loadModel, saveModel } from '../../src/model/io.js';
import { toFloat16Bits } from '../../src/model/quantize.js';

beforeAll(async () => { await setBackend('wasm'); });

describe('toFloat16Bits', () => {
  it('encodes exactly representable values, rounds to nearest even, and handles the edges', () => {
    expect(toFloat16Bits(0)).toBe(0);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2.5)).toBe(0xc100);
    expect(toFloat16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(toFloat16Bits(70000)).toBe(0x7c00); // overflow → Inf
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(toFloat16Bits(1e-8)).toBe(0); // underflow
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
  });
});

describe('quantized saving', () => {
  it('float16 halves and uint8 quarters the weights, and both load with small errors', async () => {
    const m = buildCnnLstm({ filters: [4, 8], lstmUnits: 6, denseUnits: 5, seed: 3 });
    const root = mkdtempSync(join(tmpdir(), 'fer-q-'));
    const sizes: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const p of ['float32', 'float16', 'uint8'] as const) {
      await saveModel(m, join(root, p), undefined, p);
      sizes[p] = statSync(join(root, p, 'weights.bin')).size;
      const l = await loadModel(join(root, p));
      errors[p] = Math.max(...m.getWeights().map((w, i) => tf.max(tf.abs(tf.sub(w, l.getWeights()[i]))).dataSync()[0]));
    }
    expect(sizes.float16).toBe(sizes.float32 / 2);
    expect(sizes.uint8).toBe(sizes.float32 / 4);
    expect(errors.float32).toBe(0);
    expect(errors.float16).toBeGreaterThan(0);
    expect(errors.float16).toBeLessThan(1e-3);
    expect(errors.uint8).toBeLessThan(0.02);
  });
});
