/**
 * Issue 13.2: no confident label for garbage. Non-finite pixel values are rejected naming the
 * input and its shape; weights holding NaN are rejected at load; a uniform image is flagged
 * `lowContrast`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { classifyEmotion, LOW_CONTRAST_STD } from '../../src/inference/predict.js';
import { ImageInputError } from '../../src/inference/input.js';
import { assertFiniteWeights } from '../../src/inference/weights.js';

let model: ReturnType<typeof buildCnnLstm>;

beforeAll(async () => {
  await setBackend('cpu');
  model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
});

function face(): Uint8Array {
  const px = new Uint8Array(48 * 48);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + (i >> 4) * 11) % 256;
  return px;
}

describe('non-finite input', () => {
  it('rejects a tensor holding NaN or Infinity, naming its shape', async () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const values = new Float32Array(48 * 48).fill(100);
      values[5] = bad;
      const t = tf.tensor3d(values, [48, 48, 1]);
      await expect(classifyEmotion(t, { model })).rejects.toThrow(ImageInputError);
      const before = tf.memory().numTensors; // after a first call (one-time set-up allocates)
      await expect(classifyEmotion(t, { model })).rejects.toThrow(/tensor of shape \[48,48,1\] \(float32\) holds 1 non-finite value/);
      expect(tf.memory().numTensors).toBe(before); // no leak on the error path
      t.dispose();
    }
  });

  it('names the batch element of an array input', async () => {
    const good = tf.tensor2d(Array.from(face()), [48, 48]);
    const bad = tf.tensor2d(new Float32Array(48 * 48).fill(NaN), [48, 48]);
    await expect(classifyEmotion([good, bad], { model })).rejects.toThrow(/^input\[1\]: tensor of shape \[48,48\] \(float32\) holds 2304 non-finite values/);
    tf.dispose([good, bad]);
  });

  it('rejects ImageData-like input with NaN values in a plain array', async () => {
    const data = Array.from(face(), Number);
    data[0] = NaN;
    await expect(classifyEmotion({ width: 48, height: 48, data }, { model })).rejects.toThrow(/image data 48×48 \(1 channel\) holds 1 non-finite value/);
  });
});

describe('weights', () => {
  it('assertFiniteWeights names the weight that holds NaN', () => {
    const m = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 2 });
    expect(() => assertFiniteWeights(m, 'mine')).not.toThrow();
    const w = m.weights[0];
    const v = w.read().dataSync().slice();
    v[0] = NaN;
    m.layers.find((l) => l.weights.includes(w as never))!.setWeights(
      m.layers.find((l) => l.weights.includes(w as never))!.getWeights().map((t, i) => (i === 0 ? tf.tensor(v, t.shape) : t)),
    );
    expect(() => assertFiniteWeights(m, 'mine')).toThrow(/^mine: weight .* holds 1 non-finite value/);
    m.dispose();
  });
});

describe('lowContrast', () => {
  it('flags a uniform grey image and leaves a textured one unflagged', async () => {
    const grey = { width: 48, height: 48, data: new Uint8Array(48 * 48).fill(128) };
    const [flat, textured] = await classifyEmotion([grey, { width: 48, height: 48, data: face() }], { model });
    expect(flat.lowContrast).toBe(true);
    expect(textured.lowContrast).toBeUndefined();
    expect(LOW_CONTRAST_STD).toBeGreaterThan(0);
    // nearly uniform: ±1 grey level of noise is still no contrast
    const noisy = new Uint8Array(48 * 48).map((_, i) => 128 + (i % 3) - 1);
    expect((await classifyEmotion({ width: 48, height: 48, data: noisy }, { model })).lowContrast).toBe(true);
  });
});
