/**
 * The training loop: memory stability, checkpoints and resume, non-finite losses, abort, and
 * fine-tuning with a custom class list. Tiny models, tiny datasets, in-process gradients
 * (`workers: 0`) on wasm.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { loadModel } from '../../src/model/io.js';
import { readCheckpointState, restoreCheckpoint } from '../../src/training/checkpoint.js';
import { readWeights } from '../../src/training/executor.js';
import { readTeacherTargets, teacherKey } from '../../src/training/teacher-cache.js';
import { train, TrainingError, type EpochLog } from '../../src/training/train.js';
import { modelProbabilities, patternedDataset, tinyModel } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fer-train-test-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  await setBackend('wasm');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = { batchSize: 8, workers: 0, seed: 7, validation: false } as const;

describe('memory', () => {
  it.each([true, false])('holds the same number of tensors after epochs 1, 2 and 3 (batch norm, augmentation, fastBatchNorm %s)', async (fastBatchNorm) => {
    const model = tinyModel({ batchNorm: true, dropout: 0.2, convDropout: 0.1 });
    const ds = patternedDataset(20);
    const counts: number[] = [];
    const result = await train(model, ds, {
      ...base, epochs: 3, validation: patternedDataset(6, { seed: 9 }), fastBatchNorm,
      onEpochEnd: () => { counts.push(tf.memory().numTensors); },
    });
    expect(result.history).toHaveLength(3);
    expect(counts).toHaveLength(3);
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
  });
});

describe('checkpoints and resume', () => {
  it('resumes a 1-epoch run to 2 epochs, keeping the saved history and replacing epoch-1/ by epoch-2/', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    const val = patternedDataset(7, { seed: 11 });
    const first = await train(tinyModel(), ds, { ...base, epochs: 1, validation: val, checkpointDir: dir });
    expect(first.history).toHaveLength(1);
    const saved = await readCheckpointState(dir);
    expect(saved?.epoch).toBe(1);
    expect(saved?.folder).toBe('epoch-1');
    expect(existsSync(join(dir, 'epoch-1', 'model.json'))).toBe(true);
    expect(existsSync(join(dir, 'epoch-1', 'optimizer.bin'))).toBe(true);
    expect(existsSync(join(dir, 'best', 'model.json'))).toBe(true);
    // Adam's state (iterations + 2 slots per trainable weight) is part of the checkpoint
    expect(saved!.optimizer.length).toBeGreaterThan(0);

    const model = tinyModel({ seed: 99 }); // different initial weights: resume must overwrite them
    const epochsSeen: number[] = [];
    const second = await train(model, ds, {
      ...base, epochs: 2, validation: val, checkpointDir: dir, resume: true,
      onEpochEnd: (log) => { epochsSeen.push(log.epoch); },
    });
    expect(epochsSeen).toEqual([2]); // epoch 1 was not trained again
    expect(second.history).toHaveLength(2);
    expect(second.history[0]).toEqual(first.history[0]);
    expect(second.history[1].epoch).toBe(2);
    const state = await readCheckpointState(dir);
    expect(state?.epoch).toBe(2);
    expect(state?.folder).toBe('epoch-2');
    expect(state?.history).toEqual(second.history);
    expect(readdirSync(dir).filter((e) => e.startsWith('epoch-'))).toEqual(['epoch-2']);
    expect(existsSync(join(dir, 'best', 'model.json'))).toBe(true);
    const best = await loadModel(join(dir, 'best'));
    expect(best.outputs[0].shape).toEqual([null, 7]);
    best.dispose();
  });

  it('a resumed run continues from the saved weights, like an uninterrupted run', async () => {
    const ds = patternedDataset(16);
    const opts = { ...base, augment: false as const };
    const straight = tinyModel({ batchNorm: false });
    await train(straight, ds, { ...opts, epochs: 2 });

    const dir = tempDir();
    await train(tinyModel({ batchNorm: false }), ds, { ...opts, epochs: 1, checkpointDir: dir });
    const resumed = tinyModel({ batchNorm: false, seed: 1234 });
    await train(resumed, ds, { ...opts, epochs: 2, checkpointDir: dir, resume: true });

    const a = readWeights(straight.weights), b = readWeights(resumed.weights);
    let worst = 0;
    a.forEach((w, j) => w.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b[j][i])); }));
    expect(worst).toBeLessThan(1e-5);
  });

  it('keeps the finished epoch\'s checkpoint when the run dies after it (onEpochEnd throws in epoch 2)', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    await expect(train(tinyModel(), ds, {
      ...base, epochs: 3, checkpointDir: dir,
      onEpochEnd: (log) => { if (log.epoch === 2) throw new Error('killed after epoch 2'); },
    })).rejects.toThrow('killed after epoch 2');
    // onEpochEnd runs after the epoch's checkpoint is written: epoch 2 is kept
    const state = await readCheckpointState(dir);
    expect(state?.epoch).toBe(2);
    expect(state?.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(readdirSync(dir).filter((e) => e.startsWith('epoch-'))).toEqual(['epoch-2']);
    // and it is complete: it restores into a fresh model and resuming trains only epoch 3
    const model = tinyModel();
    const opt = tf.train.adam(1e-3);
    await restoreCheckpoint(dir, state!, model, opt);
    opt.dispose();
    const seen: number[] = [];
    const r = await train(model, ds, { ...base, epochs: 3, checkpointDir: dir, resume: true, onEpochEnd: (l) => { seen.push(l.epoch); } });
    expect(seen).toEqual([3]);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
  });

  it('resume without a checkpoint in the folder starts from epoch 1', async () => {
    const dir = tempDir();
    const r = await train(tinyModel(), patternedDataset(8), { ...base, epochs: 1, checkpointDir: dir, resume: true });
    expect(r.history.map((h) => h.epoch)).toEqual([1]);
  });

  it('resume without checkpointDir is a RangeError', async () => {
    await expect(train(tinyModel(), patternedDataset(8), { ...base, epochs: 1, resume: true })).rejects.toThrow(RangeError);
  });
});

describe('non-finite loss', () => {
  it('rejects with a TrainingError naming the epoch and batch; the previous checkpoint stays readable', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16); // 2 batches of 8 per epoch
    await train(tinyModel(), ds, { ...base, epochs: 1, checkpointDir: dir });
    // epoch 2 of the resumed run has a NaN class weight: its first batch's loss is NaN
    const logs: EpochLog[] = [];
    const failure = await train(tinyModel(), ds, {
      ...base, epochs: 3, checkpointDir: dir, resume: true, classWeights: [NaN, NaN, NaN, NaN, NaN, NaN, NaN],
      onEpochEnd: (l) => { logs.push(l); },
    }).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingError);
    const message = (failure as Error).message;
    expect(message).toMatch(/NaN/);
    expect(message).toMatch(/epoch 2, batch 1/);
    expect(message).toContain(dir);
    expect(message).toMatch(/checkpoint \(epoch 1\)/);
    expect(logs).toEqual([]);

    const state = await readCheckpointState(dir);
    expect(state?.epoch).toBe(1);
    const fresh = tinyModel({ seed: 5 });
    const opt = tf.train.adam(1e-3);
    await restoreCheckpoint(dir, state!, fresh, opt);
    opt.dispose();
    expect(readWeights(fresh.weights).every((w) => w.every(Number.isFinite))).toBe(true);
  });

  it('a NaN class weight fails the very first batch', async () => {
    await expect(train(tinyModel(), patternedDataset(8), {
      ...base, epochs: 1, classWeights: [NaN, 1, 1, 1, 1, 1, 1],
    })).rejects.toThrow(/epoch 1, batch 1/);
  });

  // KNOWN BUG (reported to the lead): a failure in the first epoch of a fresh run points to "the
  // last good checkpoint (epoch 0)", which does not exist. Remove `.fails` once train.ts only
  // mentions a checkpoint when one was written (epoch > 0).
  it('does not point to a checkpoint that was never written', async () => {
    const dir = tempDir();
    const err = await train(tinyModel(), patternedDataset(8), {
      ...base, epochs: 1, checkpointDir: dir, classWeights: [NaN, 1, 1, 1, 1, 1, 1],
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).not.toMatch(/epoch 0/);
  });

  // KNOWN BUG (reported to the lead): on wasm, tf.clipByValue maps NaN to the lower bound, so the
  // clipped log in crossEntropySum turns NaN probabilities into a finite loss (-log 1e-7) and
  // diverged (NaN) weights are never detected. Remove `.fails` once src/training/loss.ts
  // propagates NaN probabilities into the loss.
  it('detects NaN weights (a diverged model) at the next batch', async () => {
    const dir = tempDir();
    const model = tinyModel();
    const ds = patternedDataset(16);
    const failure = await train(model, ds, {
      ...base, epochs: 3, checkpointDir: dir,
      // poison the classifier after the first batch of epoch 2: batch 2's outputs are NaN
      onBatchEnd: (p) => {
        if (p.epoch === 2 && p.batch === 1) {
          const layer = model.getLayer('emotion');
          const [kernel, bias] = layer.getWeights();
          layer.setWeights([tf.fill(kernel.shape, NaN), bias]);
        }
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingError);
    expect((failure as Error).message).toMatch(/epoch 2, batch 2/);
    expect((await readCheckpointState(dir))?.epoch).toBe(1);
  });
});

describe('abort', () => {
  it('stops at the next batch with stopReason "aborted"; history holds only finished epochs', async () => {
    const controller = new AbortController();
    const dir = tempDir();
    const batches: string[] = [];
    const r = await train(tinyModel(), patternedDataset(24), {
      ...base, epochs: 3, signal: controller.signal, checkpointDir: dir,
      onBatchEnd: (p) => {
        batches.push(`${p.epoch}.${p.batch}`);
        if (p.epoch === 2 && p.batch === 1) controller.abort();
      },
    });
    expect(r.stopReason).toBe('aborted');
    expect(r.history.map((h) => h.epoch)).toEqual([1]);
    expect(batches).toEqual(['1.1', '1.2', '1.3', '2.1']);
    expect((await readCheckpointState(dir))?.epoch).toBe(1);
  });

  it('an already aborted signal trains nothing', async () => {
    const r = await train(tinyModel(), patternedDataset(8), { ...base, epochs: 2, signal: AbortSignal.abort() });
    expect(r.stopReason).toBe('aborted');
    expect(r.history).toEqual([]);
  });
});

describe('custom class lists', () => {
  const classes = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

  it('trains an 8-class model on an 8-class dataset', async () => {
    const ds = patternedDataset(16, { classes });
    expect(ds.classes).toEqual(classes);
    const model = tinyModel({ numClasses: 8 });
    const r = await train(model, ds, { ...base, epochs: 1, validation: patternedDataset(8, { classes, seed: 2 }) });
    expect(r.history).toHaveLength(1);
    expect(Number.isFinite(r.history[0].loss)).toBe(true);
    expect(r.history[0].valAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.bestEpoch).toBe(1);
  });

  it('rejects a model whose outputs do not match the dataset classes with a clear RangeError', async () => {
    const ds = patternedDataset(8, { classes });
    const err = await train(tinyModel(), ds, { ...base, epochs: 1 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/7 outputs.*8 classes/);
  });

  it('rejects images of the wrong size with a RangeError', async () => {
    await expect(train(tinyModel(), patternedDataset(8, { size: 20 }), { ...base, epochs: 1 })).rejects.toThrow(/16×16×1.*20×20/);
  });
});

describe('mixup and random erasing', () => {
  it('train with both: finite loss, recorded in the checkpoint; a mixup α that is not ≥ 0 or a bad erasing is a RangeError', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    const r = await train(tinyModel(), ds, {
      ...base, epochs: 1, validation: false, checkpointDir: dir, mixup: 0.4, augment: { flip: true, erasing: 0.5 },
    });
    expect(Number.isFinite(r.history[0].loss)).toBe(true);
    const state = await readCheckpointState(dir);
    expect(state?.config).toMatchObject({ mixup: 0.4, augment: { flip: true, erasing: 0.5 } });
    for (const mixup of [-1, NaN, Infinity]) {
      await expect(train(tinyModel(), ds, { ...base, epochs: 1, mixup })).rejects.toThrow(/mixup must be a finite number ≥ 0/);
    }
    await expect(train(tinyModel(), ds, { ...base, epochs: 1, augment: { erasing: 2 } })).rejects.toThrow(/erasing must be a probability in \[0, 1\], got 2/);
  });

  it('train with cutmix: finite loss, recorded in the checkpoint; a bad α, or cutmix with mixup, is a RangeError', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    const r = await train(tinyModel(), ds, { ...base, epochs: 1, validation: false, checkpointDir: dir, cutmix: 1 });
    expect(Number.isFinite(r.history[0].loss)).toBe(true);
    expect((await readCheckpointState(dir))?.config).toMatchObject({ cutmix: 1 });
    await expect(train(tinyModel(), ds, { ...base, epochs: 1, cutmix: -0.5 })).rejects.toThrow(/cutmix must be a finite number ≥ 0/);
    await expect(train(tinyModel(), ds, { ...base, epochs: 1, cutmix: 1, mixup: 0.2 })).rejects.toThrow('mixup and cutmix cannot both be on (got mixup 0.2, cutmix 1): choose one');
  });
});

describe('distillation', () => {
  it('trains towards a teacher, records it, and checks that the teacher fits', async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    const opts = { ...base, augment: false as const, epochs: 1 };
    const teacher = tinyModel({ seed: 5 });
    const plain = tinyModel();
    await train(plain, ds, opts);
    const taught = tinyModel();
    const r = await train(taught, ds, { ...opts, checkpointDir: dir, teacher: { model: teacher, weight: 0.8 } });
    expect(Number.isFinite(r.history[0].loss)).toBe(true);
    expect((await readCheckpointState(dir))?.config).toMatchObject({ teacher: { weight: 0.8, tta: 'flip' } });
    const a = readWeights(plain.weights), b = readWeights(taught.weights);
    expect(Math.max(...a.flatMap((w, j) => [...w].map((x, i) => Math.abs(x - b[j][i]))))).toBeGreaterThan(1e-4);
    await expect(train(tinyModel(), ds, { ...opts, teacher: { model: teacher, weight: 0 } })).rejects.toThrow(/teacher weight must be in \(0, 1\], got 0/);
    await expect(train(tinyModel(), ds, { ...opts, teacher: { model: tinyModel({ inputSize: 20 }) } })).rejects.toThrow(/teacher takes 20×20×1 images but the dataset holds 16×16×1/);
    const threeClasses = tinyModel({ numClasses: 3 });
    await expect(train(tinyModel(), ds, { ...opts, teacher: { model: threeClasses } })).rejects.toThrow(/teacher has 3 outputs but the model being trained has 7/);
  });

  it("keeps the teacher's predictions in the checkpoint folder: a resumed run reuses them, another teacher replaces them", async () => {
    const dir = tempDir();
    const ds = patternedDataset(16);
    const opts = { ...base, augment: false as const, checkpointDir: dir };
    const teacher = tinyModel({ seed: 5 });
    await train(tinyModel(), ds, { ...opts, epochs: 1, teacher: { model: teacher } });
    const bin = join(dir, 'teacher-targets.bin');
    const cached = await readTeacherTargets(dir, teacherKey(teacher, ds, 'flip'), 16, 7);
    expect(cached).toEqual(modelProbabilities(teacher, ds.images, 256, 'flip'));
    const written = statSync(bin).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await train(tinyModel(), ds, { ...opts, epochs: 2, resume: true, teacher: { model: teacher } });
    expect(statSync(bin).mtimeMs).toBe(written);
    const other = tinyModel({ seed: 6 });
    await train(tinyModel(), ds, { ...opts, epochs: 3, resume: true, teacher: { model: other } });
    expect(statSync(bin).mtimeMs).toBeGreaterThan(written);
    expect(await readTeacherTargets(dir, teacherKey(teacher, ds, 'flip'), 16, 7)).toBeUndefined();
    expect(await readTeacherTargets(dir, teacherKey(other, ds, 'flip'), 16, 7)).toEqual(modelProbabilities(other, ds.images, 256, 'flip'));
  });
});

