/**
 * `reproduce()`: replays a {@link Recipe} from the images to a weights folder (Node). Each stage
 * writes `<out>/stages/<name>/`; a finished stage is skipped when the recipe is replayed, an
 * interrupted training stage resumes from its last finished epoch, and a stage whose definition (or
 * an input's) changed since it ran is refused rather than mixed with the new one.
 *
 * @packageDocumentation
 */
import type { tfl } from '../backends/tf.js';
import type { FerDataset } from '../data/fer-dataset.js';
import { applyTemperature, calibration, fitTemperature, setTemperature } from '../evaluation/calibration.js';
import { argmaxRows, confusionMatrix, metricsFromConfusion } from '../evaluation/metrics.js';
import { averageWeights } from '../model/average.js';
import { buildCnnLstm } from '../model/cnn-lstm.js';
import { loadModel, saveModel } from '../model/io.js';
import { Random } from '../util/random.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { readCheckpointState } from './checkpoint.js';
import { deepenModel } from './deepen.js';
import { modelProbabilities as predictPixels } from '../inference/classifier.js';
import { releaseTargets, stageInputs, stageKind, type AverageStage, type DeepenStage, type Recipe, type RecipeStage, type StageRef, type TrainStage } from './recipe.js';
import { selectTrainingData, train, type EpochLog } from './train.js';

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  /** Output folder: `stages/<name>/` per stage, `weights/` the release. Required. */
  out: string;
  /**
   * Gradient workers of every training stage, overriding the recipe's `train.workers`. Default: the
   * recipe's. Another number than the recorded one gives other (equally valid) weights.
   */
  workers?: number;
  /** Called with one line per event (stage started, skipped, epoch finished, …). Default: none. */
  onLog?: (line: string) => void;
  /** Called after each training epoch of any stage. Default: none. */
  onEpochEnd?: (stage: string, log: EpochLog) => void | Promise<void>;
  /** Stops at the next batch boundary; a rerun continues where it stopped. Default: none. */
  signal?: AbortSignal;
}

/** What one stage did in this call. */
export interface StageReport {
  name: string;
  kind: 'train' | 'average' | 'deepen';
  /** `'skipped'`: finished by an earlier call. */
  status: 'done' | 'skipped' | 'interrupted';
  /** Epochs trained in this call (training stages). */
  epochs?: number;
  seconds: number;
}

/** What {@link reproduce} returns. */
export interface ReproduceResult {
  stages: StageReport[];
  /** Variant → folder written (`default` → `<out>/weights`); empty when interrupted. */
  released: Record<string, string>;
  interrupted: boolean;
}

/** A stage folder made by another definition of the stage (or of a stage it uses). */
export class StaleStageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleStageError';
  }
}

/** Node's file system, path and crypto modules, imported when a recipe runs (the module also loads in browsers). */
async function node() {
  const [fs, path, crypto, fsSync] = await Promise.all([import('node:fs/promises'), import('node:path'), import('node:crypto'), import('node:fs')]);
  return { ...fs, join: path.join, createHash: crypto.createHash, existsSync: fsSync.existsSync };
}
let fs: Awaited<ReturnType<typeof node>>;

/** Joins path parts with `/` (the stage folders' paths, before Node's modules are loaded). */
function join(...parts: string[]): string {
  return fs ? fs.join(...parts) : parts.join('/');
}

/** The folder of a stage reference (`name` or `name/epoch-N`). */
export function stagePath(out: string, ref: StageRef): string {
  return join(out, 'stages', ...ref.split('/'));
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: unreadable (${(e as Error).message})`);
  }
}

/** What `stage.json` in a stage's folder records. */
interface StageRecord {
  /** Hash of the stage's definition and of the stages it uses, recursively. */
  key: string;
  stage: RecipeStage;
  done?: { date: string; seconds: number; [k: string]: unknown };
}

/** Each stage's key: a hash of its definition and of its inputs' keys, so that a change upstream makes it stale too. */
function stageKeys(recipe: Recipe): Map<string, string> {
  const keys = new Map<string, string>();
  for (const stage of recipe.stages) {
    const inputs = stageInputs(stage).map((r) => keys.get(r.split('/')[0]));
    keys.set(stage.name, fs.createHash('sha256').update(JSON.stringify({ stage, inputs })).digest('hex').slice(0, 16));
  }
  return keys;
}

/** Loads a referenced model, naming the reference when it is missing. */
async function loadRef(out: string, ref: StageRef): Promise<tfl.LayersModel> {
  const path = stagePath(out, ref);
  try {
    return await loadModel(path);
  } catch (e) {
    throw new Error(`${path} (${ref}): cannot load the model (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Replays `recipe` on `dataset` (the FER-2013 folder: Training and PublicTest images; validation on
 * PublicTest as the recorded runs did) into `options.out`, then releases the model(s) named by
 * `recipe.release` to `<out>/weights` (the package's `weights/` layout: float32 `model.json` +
 * `weights.bin`, `float16/`, `uint8/`, `metadata.json`), with a softmax temperature fitted on the
 * validation images baked in. The recipe should come from {@link parseRecipe}.
 *
 * @throws StaleStageError when a stage folder was made by another definition of it; RangeError
 *   from `train()` when the data does not fit the model; Error when a model cannot be loaded.
 */
export async function reproduce(recipe: Recipe, dataset: FerDataset, options: ReproduceOptions): Promise<ReproduceResult> {
  fs ??= await node();
  const { mkdir, rm, rename } = fs;
  const log = options.onLog ?? (() => {});
  const keys = stageKeys(recipe);
  const reports: StageReport[] = [];
  await mkdir(join(options.out, 'stages'), { recursive: true });
  for (const stage of recipe.stages) {
    const dir = stagePath(options.out, stage.name);
    const recordFile = join(dir, 'stage.json');
    const key = keys.get(stage.name)!;
    const record = await readJson<StageRecord>(recordFile);
    if (record && record.key !== key) {
      throw new StaleStageError(`${dir}: made by another definition of stage "${stage.name}" or of a stage it uses; remove the folder (and the later stages') or reproduce into another --out`);
    }
    const kind = stageKind(stage);
    if (record?.done) {
      log(`stage ${stage.name} (${kind}): done before, skipped`);
      reports.push({ name: stage.name, kind, status: 'skipped', seconds: 0 });
      continue;
    }
    const t0 = performance.now();
    let report: StageReport;
    if (kind === 'train') {
      await mkdir(dir, { recursive: true });
      if (!record) await writeJsonAtomic(recordFile, { key, stage } satisfies StageRecord);
      report = await trainStage(stage as TrainStage, dataset, dir, options, log);
    } else {
      // averages and deepenings are written whole to a temporary folder, then renamed
      const tmp = `${dir}.partial`;
      await rm(tmp, { recursive: true, force: true });
      const made = kind === 'average' ? await averageStage(stage as AverageStage, options.out, tmp) : await deepenStage(stage as DeepenStage, dataset, options.out, tmp);
      log(`stage ${stage.name} (${kind}): ${made}`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      report = { name: stage.name, kind, status: 'done', seconds: 0 };
    }
    report.seconds = (performance.now() - t0) / 1000;
    reports.push(report);
    if (report.status === 'interrupted') return { stages: reports, released: {}, interrupted: true };
    await writeJsonAtomic(recordFile, { key, stage, done: { date: new Date().toISOString(), seconds: report.seconds } } satisfies StageRecord);
  }
  const released: Record<string, string> = {};
  for (const [variant, ref] of Object.entries(releaseTargets(recipe))) {
    const folder = variant === 'default' ? join(options.out, 'weights') : join(options.out, 'weights', variant);
    await release(recipe, ref, dataset, options.out, folder, log);
    released[variant] = folder;
  }
  return { stages: reports, released, interrupted: false };
}

/** Runs (or resumes) a training stage, leg by leg. */
async function trainStage(stage: TrainStage, dataset: FerDataset, dir: string, options: ReproduceOptions, log: (line: string) => void): Promise<StageReport> {
  const t = stage.train;
  const legs = stage.legs ?? [{ epochs: t.epochs }];
  const state = await readCheckpointState(dir);
  const done = state?.epoch ?? 0;
  let model: tfl.LayersModel;
  if (state) {
    model = await loadModel(join(dir, state.folder));
    log(`stage ${stage.name} (train): resuming after epoch ${done} of ${t.epochs}`);
  } else if (stage.from) {
    model = await loadRef(options.out, stage.from);
    log(`stage ${stage.name} (train): ${t.epochs} epochs from ${stage.from}${stage.teacher ? `, distilled from ${stage.teacher.model}` : ''}`);
  } else {
    model = buildCnnLstm(t.model);
    log(`stage ${stage.name} (train): ${t.epochs} epochs from scratch`);
  }
  const teacherModel = stage.teacher ? await loadRef(options.out, stage.teacher.model) : undefined;
  let trained = 0;
  try {
    for (const leg of legs) {
      const stopAfter = leg.stopAfter ?? leg.epochs;
      const current = (await readCheckpointState(dir))?.epoch ?? 0;
      if (current >= stopAfter) continue;
      const legStop = new AbortController();
      const onAbort = () => legStop.abort();
      options.signal?.addEventListener('abort', onAbort);
      if (options.signal?.aborted) legStop.abort();
      try {
        const result = await train(model, dataset, {
          epochs: leg.epochs, batchSize: t.batchSize, learningRate: t.learningRate, optimizer: t.optimizer, schedule: t.schedule,
          labelSmoothing: t.labelSmoothing, classWeights: t.classWeights, augment: t.augment, mixup: t.mixup, cutmix: t.cutmix, seed: t.seed,
          workers: options.workers ?? t.workers,
          teacher: teacherModel ? { model: teacherModel, weight: stage.teacher!.weight, tta: stage.teacher!.tta } : undefined,
          keepEpochs: stage.keepEpochs.filter((e) => e <= leg.epochs),
          checkpointDir: dir, resume: true, restoreBest: false, signal: legStop.signal,
          config: { stage: stage.name, ...(stage.from ? { from: stage.from } : {}), ...(t.model ? { model: t.model } : {}), ...(stage.teacher ? { teacher: { weights: stage.teacher.model } } : {}) },
          onEpochEnd: async (l) => {
            trained++;
            log(`stage ${stage.name}: epoch ${l.epoch}/${t.epochs}${leg.epochs !== t.epochs ? ` (planned as ${leg.epochs})` : ''}, loss ${l.loss.toFixed(4)}${l.valAccuracy !== undefined ? `, validation accuracy ${(l.valAccuracy * 100).toFixed(2)}%` : ''}, ${l.seconds.toFixed(1)} s`);
            await options.onEpochEnd?.(stage.name, l);
            if (l.epoch === stopAfter && stopAfter < leg.epochs) legStop.abort();
          },
        });
        if (result.stopReason === 'aborted' && options.signal?.aborted) {
          log(`stage ${stage.name}: interrupted after epoch ${(await readCheckpointState(dir))?.epoch ?? 0}; rerun to continue`);
          return { name: stage.name, kind: 'train', status: 'interrupted', epochs: trained, seconds: 0 };
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    }
  } finally {
    model.dispose();
    teacherModel?.dispose();
  }
  const missing = stage.keepEpochs.find((e) => !fs.existsSync(join(dir, `epoch-${e}`, 'model.json')));
  if (missing !== undefined) throw new Error(`${join(dir, `epoch-${missing}`)}: stage ${stage.name} finished without keeping epoch ${missing}`);
  return { name: stage.name, kind: 'train', status: 'done', epochs: trained, seconds: 0 };
}

async function averageStage(stage: AverageStage, out: string, dir: string): Promise<string> {
  const models: tfl.LayersModel[] = [];
  try {
    for (const ref of stage.average) models.push(await loadRef(out, ref));
    let averaged: tfl.LayersModel;
    try {
      averaged = await averageWeights(models);
    } catch (e) {
      throw new RangeError(`stage ${stage.name}: ${(e as Error).message.replace(/model (\d+)/g, (_, i: string) => stage.average[Number(i) - 1])}`);
    }
    await saveModel(averaged, dir, { averageOf: stage.average, stage: stage.name });
    averaged.dispose();
    return `the weight average of ${stage.average.join(', ')}`;
  } finally {
    for (const m of models) m.dispose();
  }
}

/** The first `n` of a seeded shuffle of the Training images (the sample the deepening measures on). */
function trainingSample(dataset: FerDataset, n: number): FerDataset {
  const trainSet = selectTrainingData(dataset, {}).trainSet;
  const pick = new Random(1).shuffle(Int32Array.from({ length: trainSet.length }, (_, i) => i)).subarray(0, Math.min(n, trainSet.length));
  return trainSet.subset(pick);
}

async function deepenStage(stage: DeepenStage, dataset: FerDataset, out: string, dir: string): Promise<string> {
  const source = await loadRef(out, stage.deepen);
  try {
    const sample = trainingSample(dataset, stage.images ?? 4096);
    let r: ReturnType<typeof deepenModel>;
    try {
      r = deepenModel(source, { convsPerBlock: stage.convsPerBlock, model: stage.model, images: sample.images, size: sample.size });
    } catch (e) {
      throw new RangeError(`stage ${stage.name}: ${(e as Error).message}`);
    }
    await saveModel(r.model, dir, { deepenedFrom: stage.deepen, convsPerBlock: stage.convsPerBlock, stage: stage.name });
    r.model.dispose();
    return `${stage.deepen} deepened to ${JSON.stringify(stage.convsPerBlock)} convolutions per block (added ${r.added.length} layers; on ${r.checked} training images the largest probability difference is ${r.maxDifference.toExponential(2)}, ${r.agree}/${r.checked} answers agree)`;
  } finally {
    source.dispose();
  }
}

/**
 * Writes the model `ref` names to `folder` as the package ships weights: a softmax temperature
 * fitted on the validation images (PublicTest) baked in, float32 + `float16/` + `uint8/`, and
 * `metadata.json` (one-view validation accuracy and macro-F1, the calibration, the recipe).
 */
async function release(recipe: Recipe, ref: StageRef, dataset: FerDataset, out: string, folder: string, log: (line: string) => void): Promise<void> {
  const { mkdir, rm, rename } = fs;
  const model = await loadRef(out, ref);
  try {
    const { valSet, note } = selectTrainingData(dataset, {});
    const k = (model.outputs[0].shape as number[])[1];
    const metadata: Record<string, unknown> = { madeBy: 'fer-cnn-lstm reproduce', stage: ref, date: new Date().toISOString(), recipe };
    if (valSet) {
      const probs = predictPixels(model, valSet.images, valSet.size, 256, false);
      const temperature = fitTemperature(probs, valSet.labels, k);
      const before = calibration(probs, valSet.labels, k);
      const tempered = applyTemperature(probs, k, temperature);
      const after = calibration(tempered, valSet.labels, k);
      setTemperature(model, temperature);
      const m = metricsFromConfusion(confusionMatrix(valSet.labels, argmaxRows(tempered, k), k), valSet.classes);
      Object.assign(metadata, {
        tta: false, validation: note, publicTestAccuracy: m.accuracy, macroF1: m.macroF1, perClass: m.perClass,
        calibration: { temperature, eceBefore: before.ece, eceAfter: after.ece, fittedOn: 'the validation images' },
      });
      log(`release ${ref} → ${folder}: validation accuracy ${(m.accuracy * 100).toFixed(2)}% (one view), temperature ${temperature.toFixed(3)}`);
    } else {
      log(`release ${ref} → ${folder}: no validation images, so no calibration and no accuracy in metadata.json`);
    }
    const tmp = `${folder}.partial`;
    await rm(tmp, { recursive: true, force: true });
    await saveModel(model, tmp, { stage: ref });
    await saveModel(model, join(tmp, 'float16'), { stage: ref }, 'float16');
    await saveModel(model, join(tmp, 'uint8'), { stage: ref }, 'uint8');
    await writeJsonAtomic(join(tmp, 'metadata.json'), metadata);
    // keep variants released into this folder by an earlier target (weights/accurate inside weights/)
    await mkdir(folder, { recursive: true });
    for (const f of ['model.json', 'weights.bin', 'metadata.json', 'float16', 'uint8']) {
      await rm(join(folder, f), { recursive: true, force: true });
      await rename(join(tmp, f), join(folder, f));
    }
    await rm(tmp, { recursive: true, force: true });
  } finally {
    model.dispose();
  }
}
