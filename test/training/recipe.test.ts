/**
 * The recipe: configs/default.json (the shipped weights' chain) is a valid recipe of the recorded
 * stages, and bad recipes are refused with one line naming the stage and the key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecipe, releaseTargets, stageKind, type TrainStage } from '../../src/training/recipe.js';
import { tinyRecipe } from './recipe-fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('configs/default.json', () => {
  const recipe = parseRecipe(JSON.parse(readFileSync(join(ROOT, 'configs', 'default.json'), 'utf8')), 'configs/default.json');
  const stage = (name: string) => recipe.stages.find((s) => s.name === name)!;

  it('chains the recorded runs, averages and the deepening, and releases both variants', () => {
    expect(recipe.stages.map((s) => `${s.name}:${stageKind(s)}`)).toEqual([
      'scratch:train', 'tune1:train', 'soup1:average', 'tune2:train', 'soup2:average', 'distil1:train', 'soup3:average', 'distil2:train', 'soup4:average',
      'deep-start:deepen', 'deep:train', 'distil3:train', 'distil4:train', 'distil5:train', 'default:average',
    ]);
    expect(releaseTargets(recipe)).toEqual({ default: 'default', accurate: 'deep/epoch-22' });
    expect(stage('default')).toMatchObject({ average: ['distil4/epoch-11', 'distil4/epoch-12', 'distil5/epoch-11', 'distil5/epoch-12'] });
    expect(stage('deep-start')).toMatchObject({ deepen: 'soup4', convsPerBlock: [2, 3, 3] });
    expect(stage('deep')).toMatchObject({ from: 'deep-start', teacher: { model: 'soup4', weight: 0.5, tta: 'flip' } });
    for (const s of ['distil3', 'distil4', 'distil5']) expect(stage(s)).toMatchObject({ teacher: { model: 'deep/epoch-22', weight: 0.7, tta: 'ten-crop' } });
  });

  it('records every training run with 2 workers, its seed, its epochs and where its length changed', () => {
    const runs = recipe.stages.filter((s): s is TrainStage => stageKind(s) === 'train');
    expect(runs.map((s) => [s.name, s.train.epochs, s.train.seed, s.keepEpochs])).toEqual([
      ['scratch', 29, 42, [28]], ['tune1', 14, 7, [14]], ['tune2', 20, 11, [12]], ['distil1', 10, 13, [8]], ['distil2', 12, 17, [7, 12]],
      ['deep', 24, 19, [22]], ['distil3', 12, 23, [12]], ['distil4', 12, 29, [11, 12]], ['distil5', 12, 31, [11, 12]],
    ]);
    expect(runs.every((s) => s.train.workers === 2 && s.train.batchSize === 64)).toBe(true);
    expect((stage('scratch') as TrainStage).legs?.map((l) => l.stopAfter ?? l.epochs)).toEqual([1, 2, 4, 7, 10, 13, 27, 29]);
  });
});

describe('parseRecipe', () => {
  it('accepts the tiny recipe', () => {
    expect(parseRecipe(tinyRecipe()).stages).toHaveLength(7);
  });

  it.each([
    [[], /^r\.json: expected a JSON object/],
    [{ stages: [] }, /^r\.json: "stages" must be a non-empty array/],
    [{ stages: [{ name: 'x', average: ['a', 'b'] }], extra: 1 }, /^r\.json: unknown key "extra"/],
    [{ stages: [{ name: 'x' }] }, /^r\.json: stage "x": needs one of "train", "average" or "deepen"/],
    [{ stages: [{ name: 'x', train: { epochs: 1 }, keepEpochs: [1], average: [] }] }, /stage "x": has both "train" and "average"/],
    [{ stages: [{ name: '../x', train: { epochs: 1 }, keepEpochs: [1] }] }, /stage 1: "name" must be letters/],
    [{ stages: [{ name: 'x', train: { epochs: 0 }, keepEpochs: [] }] }, /stage "x": "train.epochs" must be a positive integer, got 0/],
    [{ stages: [{ name: 'x', train: { epochs: 2 } }] }, /stage "x": "keepEpochs" must be an array/],
    [{ stages: [{ name: 'x', train: { epochs: 2, schedule: { type: 'cosine', warmup: 1 } }, keepEpochs: [2] }] }, /stage "x": unknown key "train.schedule.warmup" for a cosine schedule/],
    [{ stages: [{ name: 'x', train: { epochs: 2, optimizer: { type: 'rmsprop' } }, keepEpochs: [2] }] }, /stage "x": "train.optimizer": /],
    [{ stages: [{ name: 'x', train: { epochs: 2 }, keepEpochs: [2] }] }, /release": "x" is a training stage: name the epoch, "x\/epoch-N"/],
    [{ stages: [{ name: 'x', train: { epochs: 2 }, keepEpochs: [2], legs: [{ epochs: 3, stopAfter: 2 }, { epochs: 2 }] }] }, /stage "x": "legs\[1\].stopAfter" must be an epoch after 2 and at most 2/],
    [{ stages: [{ name: 'x', train: { epochs: 2 }, keepEpochs: [2] }, { name: 'y', deepen: 'x/epoch-2', convsPerBlock: [2, 0] }] }, /stage "y": "convsPerBlock" must be a positive integer or an array of them/],
    [{ stages: [{ name: 'x', train: { epochs: 2 }, keepEpochs: [2] }, { name: 'y', average: ['x/epoch-2'] }] }, /stage "y": "average" must list at least 2 models/],
    [{ stages: [{ name: 'x', train: { epochs: 2 }, keepEpochs: [2] }, { name: 'y', from: 'x/epoch-2', train: { epochs: 1, model: {} }, keepEpochs: [1] }] }, /stage "y": "train.model": a stage that starts "from" a model takes its architecture/],
  ])('refuses %j with one line', (recipe, message) => {
    expect(() => parseRecipe(recipe, 'r.json')).toThrow(message);
  });
});
