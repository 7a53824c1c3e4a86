import { describe, expect, it } from 'vitest';
import { checkTeacherBlend, checkTrainRecipe, TRAIN_RECIPE_KEYS } from '../../src/training/train-recipe-check.js';

const check = (t: Record<string, unknown>, prefix: string, epochsRequired = false) => () => checkTrainRecipe(t, {
  keys: TRAIN_RECIPE_KEYS, prefix, epochsRequired, fail: (m) => { throw new Error(`f.json: ${m}`); },
});

describe('checkTrainRecipe', () => {
  it('accepts the options train() takes', () => {
    expect(check({ epochs: 3, batchSize: 8, learningRate: 0.01, mixup: 0.2, augment: false, classWeights: 'balanced', model: { filters: [4], lstmUnits: 4 }, schedule: { type: 'cosine', minLr: 0 }, optimizer: { type: 'sgd', momentum: 0.9 } }, 'train.', true)).not.toThrow();
    expect(check({}, '')).not.toThrow();
  });

  it.each([
    [{ lr: 1 }, /^f\.json: unknown key "train\.lr" \(expected model, epochs/],
    [{ mixup: -1 }, /^f\.json: "train\.mixup" must be a number ≥ 0 .*got -1/],
    [{ cutmix: 'x' }, /^f\.json: "train\.cutmix" must be a number ≥ 0 .*got "x"/],
    [{ mixup: 0.2, cutmix: 1 }, /^f\.json: "train\.mixup" and "train\.cutmix" cannot both be on: choose one/],
    [{ model: { lstmUnits: 'x' } }, /"train\.model\.lstmUnits" must be a number, got "x"/],
    [{ augment: true }, /"train\.augment" must be an object of augmentation options or false/],
    [{ augment: { erasing: 3 } }, /"train\.augment": erasing must be a probability in \[0, 1\], got 3/],
    [{ optimizer: { type: 'sgd', momentum: 2 } }, /"train\.optimizer": momentum must be a number in \[0, 1\), got 2/],
    [{ schedule: { type: 'cosine', warmup: 1 } }, /unknown key "train\.schedule\.warmup" for a cosine schedule/],
    [{ epochs: 0 }, /"train\.epochs" must be a positive integer, got 0/],
  ])('refuses %j, naming the file and the field', (t, message) => {
    expect(check(t, 'train.')).toThrow(message);
    // the same rule, fields named as a --config file spells them
    expect(check(t, '')).toThrow(new RegExp(message.source.replace(/train\\\./g, '')));
  });

  it('requires epochs only when told', () => {
    expect(check({}, 'train.', true)).toThrow(/"train\.epochs" must be a positive integer, got undefined/);
  });
});

describe('checkTeacherBlend', () => {
  it('checks the weight and the TTA, naming the key', () => {
    const fail = (key: string, m: string): never => { throw new Error(`${key} ${m}`); };
    expect(() => checkTeacherBlend({ weight: 0.7, tta: 'ten-crop' }, fail)).not.toThrow();
    expect(() => checkTeacherBlend({ weight: 1.5 }, fail)).toThrow('weight must be a number in (0, 1], got 1.5');
    expect(() => checkTeacherBlend({ tta: 'x' }, fail)).toThrow('tta must be "flip", "ten-crop" or false, got "x"');
  });
});
