import { beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { applyTemperature, calibration, fitTemperature, setTemperature } from '../../src/evaluation/calibration.js';
import { Random } from '../../src/util/random.js';

beforeAll(async () => { await setBackend('wasm'); });

/** n predictions of k classes whose true logits are scaled by `sharpness`, labels drawn from softmax(logits). */
function synthetic(n: number, k: number, sharpness: number, seed = 1): { probs: Float32Array; labels: Uint8Array } {
  const r = new Random(seed);
  const logits = new Float64Array(n * k);
  for (let i = 0; i < logits.length; i++) logits[i] = 2 * (r.next() - 0.5) * 3;
  const labels = new Uint8Array(n);
  const probs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    // true distribution: softmax(logits); the "model" reports softmax(logits · sharpness)
    let z = 0, zs = 0;
    const row = logits.subarray(i * k, (i + 1) * k);
    const p = Array.from(row, (v) => Math.exp(v));
    p.forEach((v) => { z += v; });
    let u = r.next() * z, label = 0;
    while (label < k - 1 && u > p[label]) { u -= p[label]; label++; }
    labels[i] = label;
    const q = Array.from(row, (v) => Math.exp(v * sharpness));
    q.forEach((v) => { zs += v; });
    q.forEach((v, j) => { probs[i * k + j] = v / zs; });
  }
  return { probs, labels };
}

describe('calibration', () => {
  it('measures ECE: zero for perfectly calibrated bins, large for overconfident ones', () => {
    // 4 predictions at confidence 0.75, 3 right: perfectly calibrated
    const probs = new Float32Array([0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25]);
    expect(calibration(probs, [0, 0, 0, 1], 2, 10).ece).toBeCloseTo(0, 6);
    // same confidence, half right: ECE 0.25
    const half = calibration(probs, [0, 0, 1, 1], 2, 10);
    expect(half.ece).toBeCloseTo(0.25, 6);
    const bin = half.bins.find((b) => b.count > 0)!;
    expect(bin).toMatchObject({ lower: 0.7, count: 4, accuracy: 0.5 });
    expect(bin.confidence).toBeCloseTo(0.75, 6);
    expect(half.nll).toBeCloseTo(-(2 * Math.log(0.75) + 2 * Math.log(0.25)) / 4, 5);
  });

  it('fits the temperature that undoes over- and under-confidence', () => {
    const over = synthetic(4000, 5, 2.5);
    const t = fitTemperature(over.probs, over.labels, 5);
    expect(t).toBeGreaterThan(2.1);
    expect(t).toBeLessThan(2.9);
    const before = calibration(over.probs, over.labels, 5).ece;
    const after = calibration(applyTemperature(over.probs, 5, t), over.labels, 5).ece;
    expect(after).toBeLessThan(before / 3);
    const under = synthetic(4000, 5, 0.5, 2);
    expect(fitTemperature(under.probs, under.labels, 5)).toBeLessThan(0.6);
  });

  it('applyTemperature keeps the top class and normalises rows', () => {
    const p = new Float32Array([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
    const q = applyTemperature(p, 3, 2);
    expect(q[0] + q[1] + q[2]).toBeCloseTo(1, 6);
    expect(q[0]).toBeLessThan(0.7);
    expect(q[0]).toBeGreaterThan(q[1]);
    expect(q[5]).toBeGreaterThan(q[4]);
    expect(() => applyTemperature(p, 3, 0)).toThrow(/temperature/);
  });

  it('rejects mismatched shapes with the sizes', () => {
    expect(() => calibration(new Float32Array(5), [0, 1], 3)).toThrow(/5 probabilities for 2 labels × 3 classes/);
    expect(() => fitTemperature(new Float32Array(0), [], 3)).toThrow(/no predictions/);
  });

  it('setTemperature bakes T into the softmax layer: softmax(logits / T), same top class', () => {
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 5 });
    const x = tf.randomUniform([4, 48, 48, 1], 0, 1, 'float32', 3);
    const before = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    setTemperature(model, 2);
    const after = (model.predict(x) as tf.Tensor).dataSync();
    const expected = applyTemperature(before, 7, 2);
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeCloseTo(expected[i], 5);
    const noSoftmax = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2] })] });
    expect(() => setTemperature(noSoftmax as never, 2)).toThrow(/not a softmax Dense layer/);
  });
});
