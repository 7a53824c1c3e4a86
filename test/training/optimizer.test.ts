/**
 * The optimizers of `train()`: SGD with Nesterov momentum next to Adam, its learning rate set by
 * the schedule, checked configurations, and resume that refuses another optimizer's state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { readCheckpointState } from '../../src/training/checkpoint.js';
import { readWeights } from '../../src/training/executor.js';
import { checkOptimizerConfig, createOptimizer } from '../../src/training/optimizer.js';
import { train } from '../../src/training/train.js';
import { patternedDataset, tinyModel } from './helpers.js';

const dirs: string[] = [];
beforeAll(async () => {
  await setBackend('wasm');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('createOptimizer', () => {
  it('sgd: Nesterov momentum steps, at the learning rate last set', () => {
    const v = tf.variable(tf.tensor1d([1, 2]), true, 'w');
    const { optimizer, setLearningRate } = createOptimizer({ type: 'sgd', momentum: 0.9 }, 0.1);
    const step = () => tf.tidy(() => optimizer.applyGradients({ w: tf.tensor1d([1, -1]) }));
    step();
    // accumulation a = g; Nesterov: w -= lr · (g + 0.9 a) = 0.1 · 1.9 g
    expect([...v.dataSync()].map((x) => +x.toFixed(5))).toEqual([0.81, 2.19]);
    setLearningRate(0.01);
    step();
    // a = 0.9 · 1 + 1 = 1.9; w -= 0.01 · (1 + 0.9 · 1.9) = 0.0271 per unit of g
    expect([...v.dataSync()].map((x) => +x.toFixed(5))).toEqual([0.7829, 2.2171]);
    optimizer.dispose();
    v.dispose();
  });

  it('sgd without Nesterov and adam follow their own rules', () => {
    const v = tf.variable(tf.tensor1d([1]), true, 'u');
    const sgd = createOptimizer({ type: 'sgd', momentum: 0.5, nesterov: false }, 0.1);
    tf.tidy(() => sgd.optimizer.applyGradients({ u: tf.tensor1d([2]) }));
    tf.tidy(() => sgd.optimizer.applyGradients({ u: tf.tensor1d([2]) }));
    // a1 = 2 → w = 0.8; a2 = 0.5 · 2 + 2 = 3 → w = 0.5
    expect(v.dataSync()[0]).toBeCloseTo(0.5, 5);
    sgd.optimizer.dispose();
    const adam = createOptimizer({ type: 'adam' }, 0.1);
    adam.setLearningRate(0.01);
    tf.tidy(() => adam.optimizer.applyGradients({ u: tf.tensor1d([2]) }));
    // Adam's first step is lr · sign(g) (bias-corrected m / √v = 1)
    expect(v.dataSync()[0]).toBeCloseTo(0.49, 4);
    adam.optimizer.dispose();
    v.dispose();
  });


  it.each([
    [{ type: 'rmsprop' }, /type must be "adam" or "sgd", got "rmsprop"/],
    [{ type: 'sgd', momentum: 1 }, /momentum must be a number in \[0, 1\), got 1/],
    [{ type: 'sgd', nesterov: 'yes' }, /nesterov must be true or false/],
    [{ type: 'sgd', decay: 0.1 }, /unknown key "decay"/],
    [{ type: 'adam', momentum: 0.9 }, /adam takes no "momentum"/],
    [null, /optimizer must be/],
  ])('rejects %j', (config, message) => {
    expect(() => checkOptimizerConfig(config as never)).toThrow(message);
  });
});

describe('train with sgd', () => {
  const base = { batchSize: 8, workers: 0, seed: 7, validation: false, augment: false } as const;
  const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'fer-opt-test-')); dirs.push(d); return d; };

  it('records the optimizer, resumes like an uninterrupted run, and refuses to resume with Adam', async () => {
    const ds = patternedDataset(16);
    const opts = { ...base, optimizer: { type: 'sgd' as const }, learningRate: 0.05 };
    const straight = tinyModel({ batchNorm: false });
    await train(straight, ds, { ...opts, epochs: 2 });

    const dir = tempDir();
    await train(tinyModel({ batchNorm: false }), ds, { ...opts, epochs: 1, checkpointDir: dir });
    expect((await readCheckpointState(dir))!.config?.optimizer).toEqual({ type: 'sgd' });
    await expect(train(tinyModel({ batchNorm: false }), ds, { ...base, epochs: 2, checkpointDir: dir, resume: true }))
      .rejects.toThrow(/optimizer state \(momentum\) is not this optimizer's \(Adam: m, v\)/);
    const resumed = tinyModel({ batchNorm: false, seed: 1234 });
    await train(resumed, ds, { ...opts, epochs: 2, checkpointDir: dir, resume: true });
    const a = readWeights(straight.weights), b = readWeights(resumed.weights);
    let worst = 0;
    a.forEach((w, j) => w.forEach((x, i) => { worst = Math.max(worst, Math.abs(x - b[j][i])); }));
    expect(worst).toBeLessThan(1e-5);
    // and SGD is not Adam: the same run with Adam ends elsewhere
    const adam = tinyModel({ batchNorm: false });
    await train(adam, ds, { ...base, learningRate: 0.05, epochs: 2 });
    const c = readWeights(adam.weights);
    expect(Math.max(...c.flatMap((w, j) => [...w].map((x, i) => Math.abs(x - a[j][i]))))).toBeGreaterThan(1e-3);
  });

  it('rejects a bad optimizer before training', async () => {
    await expect(train(tinyModel(), patternedDataset(8), { ...base, epochs: 1, optimizer: { type: 'sgd', momentum: -0.1 } }))
      .rejects.toThrow(/momentum must be a number in \[0, 1\), got -0\.1/);
  });
});
