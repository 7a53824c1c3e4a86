/**
 * A tiny FER-2013-like folder dataset and a tiny recipe with every stage kind (training with legs
 * and kept epochs, distillation, averages, a deepening, a release of two variants), so that a whole
 * `reproduce` runs in seconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { EMOTIONS } from '../../src/emotions.js';
import { Random } from '../../src/util/random.js';

/** Writes `train/<emotion>/` (`perClass` images each) and `test/<emotion>/` (2 each) of 48×48 gray PNGs whose class shows as a bright band. */
export function writeTinyFer(dir: string, perClass = 5): string {
  const rng = new Random(3);
  for (const [split, n] of [['train', perClass], ['test', 2]] as const) {
    EMOTIONS.forEach((emotion, label) => {
      const folder = join(dir, split, emotion.toLowerCase());
      mkdirSync(folder, { recursive: true });
      for (let i = 0; i < n; i++) {
        const png = new PNG({ width: 48, height: 48 });
        const row = Math.floor(((label + 0.5) * 48) / EMOTIONS.length);
        for (let p = 0; p < 48 * 48; p++) {
          const v = Math.min(255, (Math.abs(Math.floor(p / 48) - row) <= 3 ? 150 : 0) + rng.int(100));
          png.data[p * 4] = png.data[p * 4 + 1] = png.data[p * 4 + 2] = v;
          png.data[p * 4 + 3] = 255;
        }
        writeFileSync(join(folder, `${split === 'test' ? 'PublicTest' : 'Training'}_${label}_${i}.png`), PNG.sync.write(png));
      }
    });
  }
  return dir;
}

/** Tiny `buildCnnLstm` options (48×48 input, a few thousand weights). */
export const TINY_MODEL = { filters: [4, 8], stemFilters: 4, lstmUnits: 8, denseUnits: 8, dropout: 0, seed: 1 };

const train = { batchSize: 16, learningRate: 0.01, schedule: { type: 'cosine', minLr: 0.001 }, labelSmoothing: 0.1, augment: { rotation: 10, flip: true }, seed: 3, workers: 0 };

/** The tiny recipe: the shipped chain's stage kinds, 1–2 epochs each. */
export function tinyRecipe(): Record<string, unknown> {
  return {
    description: 'tiny test recipe',
    stages: [
      // planned as 3 epochs, stopped after 1 and resumed as 2 (the cosine then ends at epoch 2)
      { name: 'a', train: { ...train, model: { ...TINY_MODEL, convsPerBlock: 1 }, epochs: 2 }, legs: [{ epochs: 3, stopAfter: 1 }, { epochs: 2 }], keepEpochs: [1, 2] },
      { name: 'b', from: 'a/epoch-2', train: { ...train, epochs: 1, seed: 5 }, keepEpochs: [1] },
      { name: 'soup', average: ['a/epoch-1', 'a/epoch-2', 'b/epoch-1'] },
      { name: 'deep', deepen: 'soup', convsPerBlock: [1, 2], model: TINY_MODEL, images: 32 },
      { name: 'c', from: 'deep', teacher: { model: 'soup', weight: 0.5, tta: 'flip' }, train: { ...train, epochs: 1 }, keepEpochs: [1] },
      { name: 'd', from: 'soup', teacher: { model: 'c/epoch-1', weight: 0.7, tta: 'ten-crop' }, train: { ...train, epochs: 1, seed: 7 }, keepEpochs: [1] },
      { name: 'final', average: ['soup', 'd/epoch-1'] },
    ],
    release: { default: 'final', accurate: 'c/epoch-1' },
  };
}
