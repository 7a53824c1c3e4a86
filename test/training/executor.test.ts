/**
 * Data-parallel gradients: the sum of the shard gradients computed by worker threads equals the
 * gradient of the whole batch computed in one piece.
 *
 * Equivalence is only claimed for models WITHOUT batch normalization: with batch norm every shard
 * normalizes with its own batch statistics ("ghost batch norm"), which changes the function being
 * differentiated, so the shard sum legitimately differs from the one-piece gradient. The models
 * here also have no dropout, so a training-mode pass is deterministic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { LocalExecutor, WorkerExecutor, readWeights } from '../../src/training/executor.js';
import type { ShardRequest } from '../../src/training/loss.js';
import { readTeacherTargets, teacherKey } from '../../src/training/teacher-cache.js';
import type { ShardResult } from '../../src/training/protocol.js';
import { train } from '../../src/training/train.js';
import { modelProbabilities, patternedDataset, SIZE, tinyModel } from './helpers.js';

const NO_BN = { batchNorm: false, dropout: 0, convDropout: 0, seed: 1 } as const;

function shard(ds: ReturnType<typeof patternedDataset>, s: number, e: number, batchSize: number, numClasses = 7): ShardRequest {
  const px = ds.size * ds.size;
  return {
    pixels: ds.images.slice(s * px, e * px), labels: ds.labels.slice(s, e), size: ds.size, numClasses,
    labelSmoothing: 0.1, classWeights: [1, 2, 0.5, 1, 1.5, 1, 0.8], batchSize,
  };
}

/** Sum of the shards' gradients, per variable. */
function summed(results: ShardResult[]): Float32Array[] {
  return results[0].grads.map((_, j) => {
    const acc = new Float32Array(results[0].grads[j].length);
    for (const r of results) r.grads[j].forEach((v, i) => { acc[i] += v; });
    return acc;
  });
}

function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((arr, j) => {
    let scale = 0;
    for (const v of b[j]) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < arr.length; i++) worst = Math.max(worst, Math.abs(arr[i] - b[j][i]) / (scale + 1e-12));
  });
  return worst;
}

beforeAll(async () => {
  await setBackend('wasm');
});

describe('WorkerExecutor (2 worker threads) vs LocalExecutor', () => {
  let workers: WorkerExecutor | undefined;
  afterAll(async () => { await workers?.close(); });

  it('summed shard gradients, losses and counts equal the one-piece batch (model without batch norm)', async () => {
    const model = tinyModel({ ...NO_BN, filters: [4, 8], convsPerBlock: 2 });
    const ds = patternedDataset(12);
    const n = ds.length;
    const local = await new LocalExecutor(model).step(undefined, [shard(ds, 0, n, n)]);
    workers = await WorkerExecutor.start(model, 2);
    expect(workers.parallelism).toBe(2);
    const parallel = await workers.step(readWeights(model.weights), [shard(ds, 0, 5, n), shard(ds, 5, n, n)]);

    expect(parallel.map((r) => r.count)).toEqual([5, n - 5]);
    expect(parallel[0].count + parallel[1].count).toBe(local[0].count);
    expect(parallel[0].lossSum + parallel[1].lossSum).toBeCloseTo(local[0].lossSum, 4);
    expect(parallel[0].correct + parallel[1].correct).toBe(local[0].correct);
    const a = summed(parallel), b = summed(local);
    expect(a.length).toBe(model.trainableWeights.length);
    // gradients are not all zero (the comparison means something)
    expect(b.some((g) => g.some((v) => Math.abs(v) > 1e-6))).toBe(true);
    expect(maxRelDiff(a, b)).toBeLessThan(1e-4);
    // the averaged gradient train() applies: sum over shards / batch size
    const avg = a.map((g) => g.map((v) => v / n));
    const ref = b.map((g) => g.map((v) => v / n));
    expect(maxRelDiff(avg, ref)).toBeLessThan(1e-4);
  });

  it('a failing shard rejects with the worker\'s message, and the workers stay usable', async () => {
    const model = tinyModel(NO_BN);
    const ds = patternedDataset(4);
    const ex = await WorkerExecutor.start(model, 2);
    try {
      const weights = readWeights(model.weights);
      const bad = { ...shard(ds, 0, 2, 4), pixels: new Uint8Array(10) }; // not a whole image
      await expect(ex.step(weights, [shard(ds, 0, 2, 4), bad])).rejects.toThrow(/gradient worker/);
      const ok = await ex.step(weights, [shard(ds, 0, 2, 4), shard(ds, 2, 4, 4)]);
      expect(ok.map((r) => r.count)).toEqual([2, 2]);
      await expect(ex.step(weights, [shard(ds, 0, 1, 4), shard(ds, 1, 2, 4), shard(ds, 2, 3, 4)])).rejects.toThrow(/3 shards for 2 workers/);
    } finally {
      await ex.close();
    }
  });

  it('predictions from workers equal the in-process predictions, with and without TTA', async () => {
    const model = tinyModel(NO_BN);
    const ds = patternedDataset(9);
    const ex = await WorkerExecutor.start(model, 2);
    try {
      const views: number[][] = [];
      for (const tta of [false, 'flip', 'ten-crop'] as const) {
        const fromWorkers = await ex.predict(readWeights(model.weights), ds.images, SIZE, tta);
        const here = await new LocalExecutor(model).predict(undefined, ds.images, SIZE, tta);
        expect(fromWorkers.length).toBe(9 * 7);
        fromWorkers.forEach((v, i) => expect(v).toBeCloseTo(here[i], 5));
        views.push(Array.from(here));
      }
      // the modes differ (each one was really applied in the workers)
      expect(views[1]).not.toEqual(views[0]);
      expect(views[2]).not.toEqual(views[1]);
    } finally {
      await ex.close();
    }
  });
});

describe("train(): a teacher's predictions with workers", () => {
  it('are computed by a pool of workers and equal the in-process ones (kept in the checkpoint folder)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fer-teacher-workers-'));
    try {
      const ds = patternedDataset(10);
      const teacher = tinyModel({ seed: 5 });
      const start = vi.spyOn(WorkerExecutor, 'start');
      await train(tinyModel(), ds, {
        epochs: 1, batchSize: 10, workers: 2, augment: false, seed: 3, validation: false, checkpointDir: dir,
        teacher: { model: teacher, tta: 'ten-crop' },
      });
      const cached = await readTeacherTargets(dir, teacherKey(teacher, ds, 'ten-crop'), 10, 7);
      const here = modelProbabilities(teacher, ds.images, 256, 'ten-crop');
      // a pool of 2 workers for the teacher, then the gradient workers for the student
      expect(start.mock.calls.map(([m, count]) => [m === teacher, count])).toEqual([[true, 2], [false, 2]]);
      expect(cached).toBeDefined();
      cached!.forEach((v, i) => expect(v).toBeCloseTo(here[i], 5));
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
      tf.disposeVariables();
    }
  });
});

describe('train(): one step with 1 vs 2 workers', () => {
  it('ends with the same weights (no batch norm, no augmentation, one batch)', async () => {
    const ds = patternedDataset(10);
    const run = async (workers: number) => {
      const model = tinyModel(NO_BN);
      const result = await train(model, ds, {
        epochs: 1, batchSize: 10, workers, augment: false, seed: 3, validation: false, learningRate: 1e-3,
      });
      expect(result.history).toHaveLength(1);
      const w = readWeights(model.weights);
      return { w, loss: result.history[0].loss, initial: readWeights(tinyModel(NO_BN).weights) };
    };
    const one = await run(1);
    const two = await run(2);
    expect(two.loss).toBeCloseTo(one.loss, 5);
    // the step moved the weights (Adam's first step moves each by up to the learning rate)…
    const moved = one.w.some((a, j) => a.some((v, i) => Math.abs(v - one.initial[j][i]) > 1e-4));
    expect(moved).toBe(true);
    // …identically in both runs. Adam's first step is ≈ lr·sign(g): allow a tiny fraction of lr
    // for gradients that are ≈ 0, where float rounding of the sum can matter.
    let worst = 0;
    one.w.forEach((a, j) => a.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - two.w[j][i])); }));
    expect(worst).toBeLessThan(1e-5);
    tf.disposeVariables();
  });
});
