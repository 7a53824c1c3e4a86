/**
 * The checks of a recipe's training options, written once for both recipes: `fer-cnn-lstm train
 * --config <file.json>` (the options at the top of the file) and the `train` section of each
 * training stage of a reproduce recipe (`parseRecipe`). Each caller names the file (and the
 * stage) in the errors; the fields are named as the recipe spells them (`"mixup"`, `"train.mixup"`).
 *
 * @packageDocumentation
 */
import { checkAugmentOptions, type AugmentOptions } from '../data/augment.js';
import { DEFAULT_CNN_LSTM_OPTIONS } from '../model/cnn-lstm.js';
import { checkOptimizerConfig, type OptimizerConfig } from './optimizer.js';

/** The training options both recipes take (each adds its own: `teacher`, `keepEpochs`, `workers`). */
export const TRAIN_RECIPE_KEYS = ['model', 'epochs', 'batchSize', 'learningRate', 'optimizer', 'schedule', 'labelSmoothing', 'classWeights', 'augment', 'mixup', 'cutmix', 'seed'] as const;

/** The keys of each learning-rate schedule type. */
const SCHEDULE_KEYS: Record<string, string[]> = {
  constant: [], cosine: ['warmupEpochs', 'minLr'], onecycle: ['maxLr', 'pctStart', 'finalDivFactor'], plateau: ['factor', 'patience', 'minLr'],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** How {@link checkTrainRecipe} reports. */
export interface TrainRecipeCheck {
  /** The keys the recipe may hold; any other is refused. */
  keys: readonly string[];
  /** Put before every field's name in the messages: `'train.'` for `"train.mixup"`, `''` for `"mixup"`. */
  prefix: string;
  /** Whether `epochs` must be given. Default false. */
  epochsRequired?: boolean;
  /** Throws an error with `message`, prefixed with the file (and the stage) it is about. */
  fail: (message: string) => never;
}

/** What the value of a buildCnnLstm option must be, from the type of its default. */
function expectedType(def: unknown): string {
  if (Array.isArray(def)) return 'an array of numbers';
  return typeof def === 'number' ? 'a number' : typeof def === 'boolean' ? 'true or false' : `a ${typeof def}`;
}

/**
 * Checks a recipe's training options `t`: only known keys, each with a value of the right type
 * and range (`model`: an object whose known `buildCnnLstm` options have their default's type;
 * `buildCnnLstm` checks their ranges). Keys absent are not checked (train() has defaults), except
 * `epochs` with `epochsRequired`.
 *
 * @throws whatever `check.fail` throws, with one line naming the field: `"train.mixup" must be …`.
 */
export function checkTrainRecipe(t: Record<string, unknown>, check: TrainRecipeCheck): void {
  const { keys, prefix: p, fail } = check;
  const unknown = Object.keys(t).find((k) => !keys.includes(k));
  if (unknown !== undefined) fail(`unknown key "${p}${unknown}" (expected ${keys.join(', ')})`);
  if ((check.epochsRequired || t.epochs !== undefined) && !isInt(t.epochs, 1)) fail(`"${p}epochs" must be a positive integer, got ${show(t.epochs)}`);
  if (t.model !== undefined) {
    if (!isObject(t.model)) fail(`"${p}model" must be an object of buildCnnLstm options, got ${show(t.model)}`);
    const defaults = DEFAULT_CNN_LSTM_OPTIONS as Record<string, unknown>;
    for (const [key, v] of Object.entries(t.model as Record<string, unknown>)) {
      const def = key === 'seed' ? 0 : defaults[key];
      if (def === undefined) continue; // unknown or removed options: buildCnnLstm names them
      const ok = Array.isArray(def)
        ? Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))
        : typeof def === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === typeof def;
      if (!ok) fail(`"${p}model.${key}" must be ${expectedType(def)}, got ${show(v)}`);
    }
  }
  if (t.batchSize !== undefined && !isInt(t.batchSize, 1)) fail(`"${p}batchSize" must be a positive integer, got ${show(t.batchSize)}`);
  if (t.workers !== undefined && !isInt(t.workers, 0)) fail(`"${p}workers" must be an integer ≥ 0, got ${show(t.workers)}`);
  if (t.seed !== undefined && !isInt(t.seed, 0)) fail(`"${p}seed" must be an integer ≥ 0, got ${show(t.seed)}`);
  if (t.learningRate !== undefined && !(typeof t.learningRate === 'number' && t.learningRate > 0 && Number.isFinite(t.learningRate))) fail(`"${p}learningRate" must be a positive number, got ${show(t.learningRate)}`);
  if (t.labelSmoothing !== undefined && !(typeof t.labelSmoothing === 'number' && t.labelSmoothing >= 0 && t.labelSmoothing < 1)) fail(`"${p}labelSmoothing" must be a number in [0, 1), got ${show(t.labelSmoothing)}`);
  if (t.mixup !== undefined && !(typeof t.mixup === 'number' && Number.isFinite(t.mixup) && t.mixup >= 0)) fail(`"${p}mixup" must be a number ≥ 0 (the α of Beta(α, α); 0 is off), got ${show(t.mixup)}`);
  if (t.cutmix !== undefined && !(typeof t.cutmix === 'number' && Number.isFinite(t.cutmix) && t.cutmix >= 0)) fail(`"${p}cutmix" must be a number ≥ 0 (the α of Beta(α, α); 0 is off), got ${show(t.cutmix)}`);
  if (typeof t.mixup === 'number' && typeof t.cutmix === 'number' && t.mixup > 0 && t.cutmix > 0) fail(`"${p}mixup" and "${p}cutmix" cannot both be on: choose one`);
  if (t.classWeights !== undefined && t.classWeights !== 'balanced' && !(Array.isArray(t.classWeights) && t.classWeights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0))) {
    fail(`"${p}classWeights" must be "balanced" or an array of numbers ≥ 0, got ${show(t.classWeights)}`);
  }
  if (t.schedule !== undefined) {
    const s = t.schedule;
    if (!isObject(s) || typeof s.type !== 'string' || !(s.type in SCHEDULE_KEYS)) fail(`"${p}schedule" must be an object with "type" ${Object.keys(SCHEDULE_KEYS).join(', ')}, got ${show(s)}`);
    const sch = s as Record<string, unknown>;
    const allowed = SCHEDULE_KEYS[sch.type as string];
    for (const [k, v] of Object.entries(sch)) {
      if (k === 'type') continue;
      if (!allowed.includes(k)) fail(`unknown key "${p}schedule.${k}" for a ${sch.type as string} schedule (expected ${allowed.join(', ') || 'none'})`);
      if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) fail(`"${p}schedule.${k}" must be a number ≥ 0, got ${show(v)}`);
    }
  }
  if (t.optimizer !== undefined) {
    try {
      checkOptimizerConfig(t.optimizer as OptimizerConfig);
    } catch (e) {
      fail(`"${p}optimizer": ${(e as Error).message.replace(/^optimizer:? /, '')}`);
    }
  }
  if (t.augment !== undefined && t.augment !== false) {
    if (!isObject(t.augment)) fail(`"${p}augment" must be an object of augmentation options or false, got ${show(t.augment)}`);
    try {
      checkAugmentOptions(t.augment as AugmentOptions);
    } catch (e) {
      fail(`"${p}augment": ${(e as Error).message.replace(/^augment:? /, '')}`);
    }
  }
}

/**
 * Checks the blend of a recipe's teacher (`weight` in (0, 1], `tta` `"flip"`, `"ten-crop"` or
 * false); the recipes differ in how the teacher's model is named, checked by the caller.
 *
 * @param fail throws with the message, naming the teacher's key (`"teacher.weight"`, `"teacher": "weight"`) before it.
 */
export function checkTeacherBlend(teacher: { weight?: unknown; tta?: unknown }, fail: (key: 'weight' | 'tta', message: string) => never): void {
  const { weight, tta } = teacher;
  if (weight !== undefined && !(typeof weight === 'number' && weight > 0 && weight <= 1)) fail('weight', `must be a number in (0, 1], got ${show(weight)}`);
  if (tta !== undefined && tta !== 'flip' && tta !== 'ten-crop' && tta !== false) fail('tta', `must be "flip", "ten-crop" or false, got ${show(tta)}`);
}
