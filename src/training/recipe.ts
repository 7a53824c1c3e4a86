/**
 * The reproduce recipe: how a released model is made from the images, as data — a chain of stages,
 * each a training run (with its parent, its teacher and the epochs it keeps), a weight average of
 * earlier stages' outputs, or a deepening — and its validation, so that a bad recipe is refused
 * before anything runs, with one line naming the stage and the key.
 *
 * @packageDocumentation
 */
import type { CnnLstmOptions } from '../model/cnn-lstm.js';
import type { TrainOptions } from './train.js';
import { checkTeacherBlend, checkTrainRecipe, TRAIN_RECIPE_KEYS } from './train-recipe-check.js';

/**
 * A reference to an earlier stage's model: `"<stage>"` for an average or a deepening, or
 * `"<stage>/epoch-N"` for an epoch that a training stage keeps (`keepEpochs`). Training stages are
 * always named with their epoch, so a replay picks the same weights whatever the validation says.
 */
export type StageRef = string;

/**
 * What a training stage trains with: the options of `train()` that a replay must repeat (the
 * shared ones documented, with their defaults, in {@link TrainOptions}).
 */
export interface TrainRecipe extends Pick<TrainOptions, 'batchSize' | 'learningRate' | 'optimizer' | 'schedule' | 'labelSmoothing' | 'classWeights' | 'augment' | 'mixup' | 'cutmix' | 'seed'> {
  /** `buildCnnLstm` options of a stage trained from scratch (no `from`). Default: the `buildCnnLstm` defaults. */
  model?: CnnLstmOptions;
  /** Epochs in total. Required. With `legs`, the last leg's `epochs`. */
  epochs: number;
  /**
   * Gradient worker threads. Each worker computes batch-norm statistics and draws augmentation on
   * its own shard, so the number changes the result: a replay uses the recorded one. Default: the
   * number of CPU cores (the `reproduce` option `workers` overrides it).
   */
  workers?: number;
}

/**
 * One leg of a training stage whose planned length changed as it ran (`--resume --epochs N`): the
 * run is trained with `epochs` as its total (which sets the cosine schedule's length) and stopped
 * after epoch `stopAfter`; the next leg resumes it with its own total.
 */
export interface TrainLeg {
  /** The run's total epochs in this leg. */
  epochs: number;
  /** The last epoch of this leg. Default (and, on the last leg, required to be) `epochs`. */
  stopAfter?: number;
}

/** A training run. */
export interface TrainStage {
  /** The stage's name: its folder under `<out>/stages/`, and how later stages refer to it. */
  name: string;
  /** Free text for the reader (ignored). */
  note?: string;
  /** The model it starts from (weights only, a new optimizer state). Default: a new `buildCnnLstm(train.model)`. */
  from?: StageRef;
  /** Distillation: the teacher model, its weight in the targets (default 0.5) and its TTA (default `'flip'`). */
  teacher?: { model: StageRef; weight?: number; tta?: 'flip' | 'ten-crop' | false };
  train: TrainRecipe;
  /** Epochs whose weights later stages use, as `<name>/epoch-N`. Required (may be empty only for a stage nothing uses). */
  keepEpochs: number[];
  /** The legs of a run whose planned length changed; default one leg of `train.epochs`. */
  legs?: TrainLeg[];
}

/** A weight average (every weight the plain mean) of earlier stages' models, of one architecture. */
export interface AverageStage {
  /** The stage's name: its folder under `<out>/stages/`, and how later stages refer to it. */
  name: string;
  /** Free text for the reader (ignored). */
  note?: string;
  average: StageRef[];
}

/** A model made deeper without changing what it computes (Net2DeeperNet), see `deepenModel`. */
export interface DeepenStage {
  /** The stage's name: its folder under `<out>/stages/`, and how later stages refer to it. */
  name: string;
  /** Free text for the reader (ignored). */
  note?: string;
  deepen: StageRef;
  /** Convolutions per block of the deeper model, e.g. `[2, 3, 3]`. */
  convsPerBlock: number | number[];
  /** The source's other `buildCnnLstm` options. Default: the `buildCnnLstm` defaults. */
  model?: Omit<CnnLstmOptions, 'convsPerBlock'>;
  /** Training images (a seeded sample) on which the new batch norms are measured. Default 4096. */
  images?: number;
}

/** A stage of a {@link Recipe}. */
export type RecipeStage = TrainStage | AverageStage | DeepenStage;

/** The recipe `fer-cnn-lstm reproduce` replays. */
export interface Recipe {
  /** Free text, for the reader. */
  description?: string;
  /** The stages, in the order they run; each uses only earlier ones. */
  stages: RecipeStage[];
  /**
   * What goes to `<out>/weights`: a stage reference (the default variant), or an object of
   * variant folders to references (`{"default": "soup", "accurate": "deep/epoch-22"}`: `"default"`
   * is `<out>/weights`, any other name `<out>/weights/<name>`). Default: the last stage.
   */
  release?: StageRef | Record<string, StageRef>;
}

/** A recipe that cannot run: the message names the stage and the key. */
export class RecipeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipeError';
  }
}

/** The kind of a stage. */
export function stageKind(stage: RecipeStage): 'train' | 'average' | 'deepen' {
  return 'train' in stage ? 'train' : 'average' in stage ? 'average' : 'deepen';
}

const TOP_KEYS = ['description', 'stages', 'release'];
const STAGE_KEYS = { train: ['name', 'note', 'from', 'teacher', 'train', 'keepEpochs', 'legs'], average: ['name', 'note', 'average'], deepen: ['name', 'note', 'deepen', 'convsPerBlock', 'model', 'images'] };
const TRAIN_KEYS = [...TRAIN_RECIPE_KEYS, 'workers'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** The stage's name and the output it is referenced by. */
interface Known {
  kind: 'train' | 'average' | 'deepen';
  keep: number[];
}

/**
 * Checks a parsed recipe and returns it typed. Every stage must use only earlier stages, name
 * training stages' models by a kept epoch, and hold only known keys with values of the right type
 * and range.
 *
 * @param source Named first in error messages (e.g. the recipe's file).
 * @throws RecipeError with one line: `<source>: stage "<name>": "<key>" …`.
 */
export function parseRecipe(value: unknown, source = 'recipe'): Recipe {
  const fail = (where: string, message: string): never => { throw new RecipeError(`${source}: ${where}${message}`); };
  if (!isObject(value)) fail('', `expected a JSON object {"stages": [...], "release": ...}, got ${show(value)}`);
  const top = value as Record<string, unknown>;
  const extra = Object.keys(top).find((k) => !TOP_KEYS.includes(k));
  if (extra !== undefined) fail('', `unknown key "${extra}" (expected ${TOP_KEYS.join(', ')})`);
  if (top.description !== undefined && typeof top.description !== 'string') fail('', `"description" must be a string`);
  if (!Array.isArray(top.stages) || top.stages.length === 0) fail('', `"stages" must be a non-empty array of stages`);
  const known = new Map<string, Known>();
  const stages = top.stages as unknown[];
  const ref = (where: string, key: string, r: unknown): void => {
    if (typeof r !== 'string') fail(where, `"${key}" must name an earlier stage ("<stage>" or "<stage>/epoch-N"), got ${show(r)}`);
    const m = /^([^/]+)(?:\/epoch-(\d+))?$/.exec(r as string);
    const stage = m ? known.get(m[1]) : undefined;
    if (!m || !stage) fail(where, `"${key}": ${show(r)} is not an earlier stage (known: ${[...known.keys()].join(', ') || 'none'})`);
    if (stage!.kind === 'train' && m![2] === undefined) fail(where, `"${key}": ${show(r)} is a training stage: name the epoch, "${m![1]}/epoch-N" with N in its keepEpochs (${stage!.keep.join(', ') || 'none'})`);
    if (stage!.kind !== 'train' && m![2] !== undefined) fail(where, `"${key}": ${show(r)}: stage "${m![1]}" is ${stage!.kind === 'average' ? 'an average' : 'a deepening'}, name it "${m![1]}" without an epoch`);
    if (m![2] !== undefined && !stage!.keep.includes(Number(m![2]))) fail(where, `"${key}": ${show(r)}: epoch ${m![2]} is not in stage "${m![1]}"'s keepEpochs (${stage!.keep.join(', ') || 'none'})`);
  };
  stages.forEach((s, i) => {
    const at = `stage ${i + 1}`;
    if (!isObject(s)) fail(`${at}: `, `expected an object with "name" and one of "train", "average", "deepen", got ${show(s)}`);
    const stage = s as Record<string, unknown>;
    if (typeof stage.name !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(stage.name)) fail(`${at}: `, `"name" must be letters, digits, ".", "_" or "-" (a folder name), got ${show(stage.name)}`);
    const name = stage.name as string;
    const where = `stage "${name}": `;
    if (name === 'weights') fail(where, `"name": "weights" is the release folder; choose another name`);
    if (known.has(name)) fail(where, `"name": a stage of this name comes earlier`);
    const kinds = (['train', 'average', 'deepen'] as const).filter((k) => k in stage);
    if (stage.note !== undefined && typeof stage.note !== 'string') fail(where, `"note" must be a string, got ${show(stage.note)}`);
    if (kinds.length !== 1) fail(where, kinds.length === 0 ? 'needs one of "train", "average" or "deepen"' : `has both "${kinds[0]}" and "${kinds[1]}": a stage does one thing`);
    const kind = kinds[0];
    const unknown = Object.keys(stage).find((k) => !STAGE_KEYS[kind].includes(k));
    if (unknown !== undefined) fail(where, `unknown key "${unknown}" for a ${kind} stage (expected ${STAGE_KEYS[kind].join(', ')})`);
    if (kind === 'train') {
      checkTrainStage(stage, (m) => fail(where, m), (k, r) => ref(where, k, r));
      known.set(name, { kind, keep: stage.keepEpochs as number[] });
    } else if (kind === 'average') {
      if (!Array.isArray(stage.average) || stage.average.length < 2) fail(where, `"average" must list at least 2 models, got ${show(stage.average)}`);
      (stage.average as unknown[]).forEach((r, j) => ref(where, `average[${j}]`, r));
      known.set(name, { kind, keep: [] });
    } else {
      ref(where, 'deepen', stage.deepen);
      const c = stage.convsPerBlock;
      if (!(isInt(c, 1) || (Array.isArray(c) && c.length > 0 && c.every((x) => isInt(x, 1))))) fail(where, `"convsPerBlock" must be a positive integer or an array of them (e.g. [2, 3, 3]), got ${show(c)}`);
      if (stage.model !== undefined && !isObject(stage.model)) fail(where, `"model" must be an object of buildCnnLstm options, got ${show(stage.model)}`);
      if (isObject(stage.model) && 'convsPerBlock' in stage.model) fail(where, `"model.convsPerBlock": give it as the stage's "convsPerBlock"`);
      if (stage.images !== undefined && !isInt(stage.images, 1)) fail(where, `"images" must be a positive integer, got ${show(stage.images)}`);
      known.set(name, { kind, keep: [] });
    }
  });
  const release = top.release ?? (stages[stages.length - 1] as { name: string }).name;
  if (isObject(release)) {
    if (Object.keys(release).length === 0) fail('', `"release" names no variant`);
    for (const [variant, r] of Object.entries(release)) {
      if (!/^[a-z][\w-]*$/.test(variant)) fail('', `"release": variant ${show(variant)} must be a lower-case folder name`);
      ref('', `release.${variant}`, r);
    }
  } else {
    ref('', 'release', release);
  }
  return value as unknown as Recipe;
}

/** Checks a training stage's keys; `fail` throws with the stage named, `ref` checks a reference. */
function checkTrainStage(stage: Record<string, unknown>, fail: (message: string) => never, ref: (key: string, r: unknown) => void): void {
  if (stage.from !== undefined) ref('from', stage.from);
  if (stage.teacher !== undefined) {
    const t = stage.teacher;
    if (!isObject(t)) fail(`"teacher" must be an object {"model", "weight", "tta"}, got ${show(t)}`);
    const { model, weight, tta, ...rest } = t as Record<string, unknown>;
    if (Object.keys(rest).length > 0) fail(`unknown key "teacher.${Object.keys(rest)[0]}" (expected model, weight, tta)`);
    ref('teacher.model', model);
    checkTeacherBlend({ weight, tta }, (key, message) => fail(`"teacher.${key}" ${message}`));
  }
  if (!isObject(stage.train)) fail(`"train" must be an object of training options, got ${show(stage.train)}`);
  const t = stage.train as Record<string, unknown>;
  checkTrainRecipe(t, { keys: TRAIN_KEYS, prefix: 'train.', epochsRequired: true, fail });
  if (t.model !== undefined && stage.from !== undefined) fail(`"train.model": a stage that starts "from" a model takes its architecture; drop "train.model" or "from"`);
  const epochs = t.epochs as number;
  const keep = stage.keepEpochs;
  if (!Array.isArray(keep)) fail(`"keepEpochs" must be an array of the epochs later stages use (e.g. [11, 12]), got ${show(keep)}`);
  for (const e of keep as unknown[]) if (!isInt(e, 1) || (e as number) > epochs) fail(`"keepEpochs": ${show(e)} is not an epoch of this run (integers 1 to ${epochs})`);
  if (new Set(keep as number[]).size !== (keep as number[]).length) fail(`"keepEpochs" lists an epoch twice`);
  if (stage.legs !== undefined) {
    const legs = stage.legs;
    if (!Array.isArray(legs) || legs.length === 0) fail(`"legs" must be a non-empty array of {"epochs", "stopAfter"}, got ${show(legs)}`);
    let done = 0;
    (legs as unknown[]).forEach((leg, j) => {
      const at = `"legs[${j}]`;
      if (!isObject(leg)) fail(`${at}" must be an object {"epochs", "stopAfter"}, got ${show(leg)}`);
      const { epochs: total, stopAfter, ...rest } = leg as Record<string, unknown>;
      if (Object.keys(rest).length > 0) fail(`unknown key ${at}.${Object.keys(rest)[0]}" (expected epochs, stopAfter)`);
      if (!isInt(total, 1)) fail(`${at}.epochs" must be a positive integer, got ${show(total)}`);
      const stop = stopAfter ?? total;
      if (!isInt(stop, done + 1) || (stop as number) > (total as number)) fail(`${at}.stopAfter" must be an epoch after ${done} and at most ${show(total)}, got ${show(stopAfter)}`);
      const last = j === (legs as unknown[]).length - 1;
      if (last && (stop !== epochs || total !== epochs)) fail(`${at}": the last leg must run to "train.epochs" (${epochs}), got epochs ${show(total)}, stopAfter ${show(stop)}`);
      done = stop as number;
    });
  }
}

/** The stages each stage's model is made from (its `from`, `teacher`, averaged or deepened models). */
export function stageInputs(stage: RecipeStage): StageRef[] {
  if ('average' in stage) return [...stage.average];
  if ('deepen' in stage) return [stage.deepen];
  return [...(stage.from ? [stage.from] : []), ...(stage.teacher ? [stage.teacher.model] : [])];
}

/** The release as variant → reference (`default` is `<out>/weights`). */
export function releaseTargets(recipe: Recipe): Record<string, StageRef> {
  const r = recipe.release ?? recipe.stages[recipe.stages.length - 1].name;
  return typeof r === 'string' ? { default: r } : { ...r };
}
