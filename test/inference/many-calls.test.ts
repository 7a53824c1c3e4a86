/**
 * 2,000 concurrent calls of the root `classifyEmotion` (faces by default, the shipped model and
 * its default TTA): every call answers, and the tensor count is the same after them as after the
 * first (no tensor kept per call).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS } from '../../src/emotions.js';
import { classifyEmotion } from '../../src/detection/photo.js';

/** A 48×48 gray face-sized image (a face crop by the faces: 'auto' rule), different per seed. */
function crop(seed: number) {
  const data = new Uint8Array(48 * 48);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + (i >> 5) * 13) % 256;
  return { width: 48, height: 48, channels: 1 as const, data };
}

beforeAll(async () => {
  await setBackend('wasm');
});

describe('many concurrent calls', () => {
  it('2,000 concurrent classifyEmotion calls all answer, and leave no tensor behind', async () => {
    await classifyEmotion(crop(0)); // loads and compiles the model once
    const before = tf.memory().numTensors;
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => classifyEmotion(crop(i))));
    expect(results).toHaveLength(2000);
    for (const r of results) expect(EMOTIONS).toContain(r.emotion);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
