/**
 * `train()`: the training loop — Adam, cross-entropy, augmentation, schedules, validation,
 * early stopping, resumable checkpoints, and data-parallel gradients over worker threads.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { checkAugmentOptions, DEFAULT_AUGMENTATION, type AugmentOptions } from '../data/augment.js';
import type { FerDataset } from '../data/fer-dataset.js';
import { SPLITS, splitCodes, type SplitFilter } from '../data/splits.js';
import { argmaxRows, confusionMatrix, metricsFromConfusion } from '../evaluation/metrics.js';
import { Random } from '../util/random.js';
import { readCheckpointState, restoreCheckpoint, saveCheckpoint, type EpochLog } from './checkpoint.js';
import { LocalExecutor, WorkerExecutor, readWeights, writeWeights, type GradientExecutor } from './executor.js';
import { useFastBatchNorm } from './fast-batchnorm.js';
import { trainableVariables, type ShardRequest } from './loss.js';
import { EmotionClassifier } from '../inference/classifier.js';
import { PlateauState, scheduledRate, type LearningRateSchedule } from './schedule.js';
import { checkOptimizerConfig, createOptimizer, type OptimizerConfig } from './optimizer.js';
import type { TtaMode } from '../inference/tta.js';
import { readTeacherTargets, teacherKey, writeTeacherTargets } from './teacher-cache.js';
import { coreCount } from '../util/env.js';

export type { EpochLog } from './checkpoint.js';

/** Progress after each batch. */
export interface BatchProgress {
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  batches: number;
  /** Running mean loss and accuracy of this epoch. */
  loss: number;
  accuracy: number;
  learningRate: number;
  imagesPerSecond: number;
  /** Estimated seconds left in this epoch. */
  etaSeconds: number;
}

/** Options of {@link train}. Defaults follow the seed recipe (Adam, cross-entropy, 50 epochs, batch 64, rotation + zoom + flip). */
export interface TrainOptions {
  /** Epochs to train (in total, counting resumed ones). Default 50. */
  epochs?: number;
  /** Images per step. Default 64. */
  batchSize?: number;
  /** Base learning rate of the optimizer. Default 1e-3. */
  learningRate?: number;
  /** The optimizer: `{ type: 'adam' }` (default) or `{ type: 'sgd', momentum?: 0.9, nesterov?: true }`. */
  optimizer?: OptimizerConfig;
  /** Learning-rate schedule. Default constant. */
  schedule?: LearningRateSchedule;
  /** Label smoothing ε in [0, 1). Default 0. */
  labelSmoothing?: number;
  /** Loss weight per class (in class order), or `'balanced'` (n / (k · count)). Default none. */
  classWeights?: number[] | 'balanced';
  /** Augmentation of training batches, or false. Default {@link DEFAULT_AUGMENTATION}. */
  augment?: AugmentOptions | false;
  /**
   * Mixup (Zhang et al., 2018): α of the Beta(α, α) weight with which each batch shard blends every
   * image, and its loss, with another image of the shard (after augmentation); 0.2–0.4 is usual.
   * Default 0 (off). Training accuracy then counts the label with the larger weight.
   */
  mixup?: number;
  /**
   * CutMix (Yun et al., 2019): α of the Beta(α, α) draw by which each batch shard pastes a box of
   * another image of the shard into every image (after augmentation; the box covers 1 − λ of the
   * area), the loss weighted by the areas; 1 is usual. Not with `mixup`. Default 0 (off). Training
   * accuracy then counts the label with the larger weight.
   */
  cutmix?: number;
  /**
   * Knowledge distillation (Hinton et al., 2015): a teacher model whose class probabilities for each
   * training image (computed once, before the first epoch, on the images as they are, with test-time
   * augmentation `tta`, default `'flip'`) blend into the targets: `(1 − weight) · smoothed label +
   * weight · teacher` (weight default 0.5). The teacher must take this model's input and name the
   * same classes; it can be larger (e.g. a model trained on a GPU) or this model's own best weights.
   */
  teacher?: { model: tfl.LayersModel; weight?: number; tta?: TtaMode };
  /**
   * Validation data: a dataset, a split of the training dataset, or false. Default: `'PublicTest'`
   * when the dataset has it.
   */
  validation?: FerDataset | SplitFilter | false;
  /**
   * Hold out this fraction (0 < f < 1) of the training images as the validation data, stratified
   * by class and seeded with `seed` (the same images on every run and resume). Overrides
   * `validation`. When neither is given and the dataset has no PublicTest images apart from the
   * training images (a CSV without `Training` rows, a `test/` folder, `<emotion>/` folders), 10% is
   * held out this way: training never validates on its own images.
   */
  validationSplit?: number;
  /** Images trained on when the dataset has several splits. Default `'train'`. */
  trainSplit?: SplitFilter;
  /** Average validation predictions with the horizontally flipped image. Default false. */
  validationTta?: boolean;
  /** Stop after this many epochs without a better validation accuracy. Default: no early stopping. */
  earlyStoppingPatience?: number;
  /** Put the best weights (by validation accuracy) back into the model at the end. Default true. */
  restoreBest?: boolean;
  /** Seed of shuffling and augmentation. Default 42. */
  seed?: number;
  /**
   * Gradient workers (Node `worker_threads`, each with its own wasm backend). 0 computes in this
   * thread on the active backend. Default: the number of CPU cores in Node, 0 elsewhere.
   */
  workers?: number;
  /** Backend of the workers. Default `'wasm'`. */
  workerBackend?: string;
  /** Use the fused batch-norm gradient. Default true. */
  fastBatchNorm?: boolean;
  /** Folder for checkpoints (Node). Every epoch is saved there, and `best/` holds the best model. */
  checkpointDir?: string;
  /**
   * Epochs (1-based) whose weights stay in `checkpointDir` as `epoch-N/` (a loadable model, with its
   * optimizer state) after later epochs are saved, e.g. `[11, 12]` to average the last two. Needs
   * `checkpointDir`. Default none: only the latest epoch's folder and `best/` are kept.
   */
  keepEpochs?: readonly number[];
  /** Continue from the checkpoint in `checkpointDir`. Default false. */
  resume?: boolean;
  /** Free-form configuration recorded in the checkpoint. */
  config?: Record<string, unknown>;
  /** Called after each batch. */
  onBatchEnd?: (p: BatchProgress) => void | Promise<void>;
  /** Called after each epoch (after its checkpoint is written). */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /** Stops training at the next batch boundary (the last finished epoch's checkpoint is kept). */
  signal?: AbortSignal;
}

/** What {@link train} returns. */
export interface TrainResult {
  history: EpochLog[];
  /** Epoch (1-based) with the best validation accuracy, 0 without validation. */
  bestEpoch: number;
  bestValAccuracy: number;
  /** Why training ended. */
  stopReason: 'completed' | 'early-stopping' | 'aborted';
}

/** Training failed: NaN loss, or a worker error. The last good checkpoint stays on disk. */
export class TrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingError';
  }
}

function balancedWeights(ds: FerDataset): number[] {
  const counts = new Array<number>(ds.classes.length).fill(0);
  for (const l of ds.labels) counts[l]++;
  const k = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? ds.length / (k * c) : 0));
}

/** Seed of an epoch's shuffle and augmentation (so that a resumed run draws the same numbers). */
function epochRandom(seed: number, epoch: number): Random {
  return new Random((seed * 1000003 + epoch * 7919) >>> 0);
}

/**
 * Checks {@link TrainOptions.keepEpochs}: distinct integers in [1, epochs].
 * @throws RangeError naming the first bad entry.
 */
export function checkKeepEpochs(keep: readonly number[], epochs: number): void {
  if (!Array.isArray(keep)) throw new RangeError(`keepEpochs must be an array of epoch numbers, got ${JSON.stringify(keep)}`);
  for (const e of keep) {
    if (!Number.isInteger(e) || e < 1 || e > epochs) throw new RangeError(`keepEpochs: ${JSON.stringify(e)} is not an epoch of this run (integers 1 to ${epochs})`);
  }
  if (new Set(keep).size !== keep.length) throw new RangeError(`keepEpochs lists an epoch twice: ${keep.join(', ')}`);
}

/** The default held-out fraction when the dataset has no separate validation split. */
export const DEFAULT_VALIDATION_SPLIT = 0.1;

/** The training and validation images {@link train} uses, and a sentence saying where validation comes from. */
export interface TrainingData {
  trainSet: FerDataset;
  valSet?: FerDataset;
  /** `'split'` (a split of the dataset, e.g. PublicTest), `'dataset'` (a dataset given as `validation`), `'holdout'` (a held-out fraction), `'none'`. */
  source: 'split' | 'dataset' | 'holdout' | 'none';
  /** Says where validation comes from, e.g. "validating on a stratified 10% of the training images (no PublicTest split found)". */
  note: string;
}

/** Splits `data` into a stratified, seeded holdout of `fraction` per class (classes keep at least one training image). */
function stratifiedHoldout(data: FerDataset, fraction: number, seed: number): { train: number[]; val: number[] } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < data.length; i++) {
    const l = data.labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const random = new Random((seed * 2654435761 + 97) >>> 0);
  const train: number[] = [], val: number[] = [];
  for (const [, idx] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    random.shuffle(idx);
    const take = Math.min(idx.length - 1, Math.round(fraction * idx.length));
    val.push(...idx.slice(0, take));
    train.push(...idx.slice(take));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

/**
 * The images {@link train} trains and validates on, for these options (see
 * {@link TrainOptions.validation} and {@link TrainOptions.validationSplit}). Never validates on
 * training images.
 * @throws RangeError when `validationSplit` is not in (0, 1) or holds out nothing, or the
 *   `validation` split is also the training data.
 */
export function selectTrainingData(dataset: FerDataset, options: Pick<TrainOptions, 'validation' | 'validationSplit' | 'trainSplit' | 'seed'> = {}): TrainingData {
  const seed = options.seed ?? 42;
  const splits = dataset.splitCounts();
  const multiSplit = Object.keys(splits).length > 1;
  const trainSplit = options.trainSplit ?? 'train';
  const trainSet = multiSplit ? dataset.filter(trainSplit) : dataset;
  const pct = (f: number) => `${+(f * 100).toFixed(2)}%`;
  const holdout = (fraction: number, why: string, required: boolean): TrainingData => {
    const { train: t, val: v } = stratifiedHoldout(trainSet, fraction, seed);
    if (v.length === 0) {
      if (required) throw new RangeError(`validationSplit ${fraction} holds out no image of the ${trainSet.length} training images (each class keeps at least one)`);
      return { trainSet, source: 'none', note: `not validating: too few training images (${trainSet.length}) to hold out ${pct(fraction)}${why}` };
    }
    return { trainSet: trainSet.subset(t), valSet: trainSet.subset(v), source: 'holdout', note: `validating on a stratified ${pct(fraction)} of the training images (${v.length} of ${trainSet.length})${why}` };
  };
  if (options.validationSplit !== undefined) {
    const f = options.validationSplit;
    if (!(f > 0 && f < 1)) throw new RangeError(`validationSplit must be a fraction in (0, 1), got ${f}`);
    return holdout(f, '', true);
  }
  const v = options.validation;
  if (v === false) return { trainSet, source: 'none', note: 'not validating (validation: false)' };
  if (v !== undefined && typeof v !== 'string') return { trainSet, valSet: v.length > 0 ? v : undefined, source: v.length > 0 ? 'dataset' : 'none', note: `validating on the given dataset (${v.length} images)` };
  if (typeof v === 'string') {
    const overlap = !multiSplit || splitCodes(v).some((c) => splitCodes(trainSplit).includes(c));
    const valSet = dataset.filter(v);
    if (valSet.length === 0) return { trainSet, source: 'none', note: `not validating: no images in split ${v}` };
    if (overlap) throw new RangeError(`the validation split ${v} is also the training data (${trainSet.length} images${multiSplit ? '' : ' of one split'}): hold out a fraction of it instead (validationSplit, CLI --val-split 0.1)`);
    return { trainSet, valSet, source: 'split', note: `validating on ${v} (${valSet.length} images)` };
  }
  if (multiSplit && splits.PublicTest && !splitCodes(trainSplit).includes(SPLITS.indexOf('PublicTest'))) {
    return { trainSet, valSet: dataset.filter('PublicTest'), source: 'split', note: `validating on PublicTest (${splits.PublicTest} images)` };
  }
  return holdout(DEFAULT_VALIDATION_SPLIT, ' (no PublicTest split found)', false);
}

/** The teacher's class probabilities for `pixels`, in this thread. */
function teacherProbabilities(teacher: tfl.LayersModel, pixels: Uint8Array, tta: TtaMode): Float32Array {
  const classifier = EmotionClassifier.fromModel<string>(teacher, { tta });
  try {
    return classifier.probabilities(pixels, { batchSize: 256 });
  } finally {
    classifier.dispose();
  }
}

/** The teacher's class probabilities for every image of `trainSet` (`n × numClasses`), after checking that it fits. */
async function teacherTargets(teacher: tfl.LayersModel, trainSet: FerDataset, numClasses: number, tta: TtaMode, workers: Workers): Promise<Float32Array> {
  const [, h, w, c] = teacher.inputs[0].shape as number[];
  const k = (teacher.outputs[0].shape as number[])[1];
  if (h !== trainSet.size || w !== trainSet.size || c !== 1) throw new RangeError(`the teacher takes ${h}×${w}×${c} images but the dataset holds ${trainSet.size}×${trainSet.size}×1`);
  if (k !== numClasses) throw new RangeError(`the teacher has ${k} outputs but the model being trained has ${numClasses}`);
  const probs = workers.count > 0
    ? await predictInWorkers(teacher, trainSet.images, trainSet.size, tta, workers)
    : teacherProbabilities(teacher, trainSet.images, tta);
  for (let i = 0; i < probs.length; i++) {
    if (!Number.isFinite(probs[i])) throw new RangeError(`the teacher's output for training image ${Math.floor(i / k)} (${trainSet.sources[Math.floor(i / k)]}) is ${probs[i]}: not a usable target`);
  }
  return probs;
}

/** How many gradient workers a run has, and their backend. */
interface Workers {
  count: number;
  backend: string;
}

/**
 * `model`'s predictions of `pixels`, split over a pool of `workers.count` threads started for it and
 * stopped after (the teacher is another model than the gradient workers hold; ten-crop TTA of 28,709
 * images is 14 min on one core).
 */
async function predictInWorkers(model: tfl.LayersModel, pixels: Uint8Array, size: number, tta: TtaMode, workers: Workers): Promise<Float32Array> {
  const pool = await WorkerExecutor.start(model, workers.count, workers.backend, false);
  try {
    return await pool.predict(readWeights(model.weights), pixels, size, tta);
  } finally {
    await pool.close();
  }
}

/** {@link teacherTargets}, read from and kept in `checkpointDir` when there is one (a resumed run reuses them). */
async function cachedTeacherTargets(teacher: tfl.LayersModel, trainSet: FerDataset, numClasses: number, tta: TtaMode, workers: Workers, checkpointDir?: string): Promise<Float32Array> {
  if (!checkpointDir) return teacherTargets(teacher, trainSet, numClasses, tta, workers);
  const key = teacherKey(teacher, trainSet, tta);
  const cached = await readTeacherTargets(checkpointDir, key, trainSet.length, numClasses);
  if (cached) return cached;
  const probs = await teacherTargets(teacher, trainSet, numClasses, tta, workers);
  await writeTeacherTargets(checkpointDir, key, probs, numClasses);
  return probs;
}

/**
 * Trains `model` on `dataset` and returns the history. Keeps the best weights by validation
 * accuracy; with `checkpointDir`, saves every epoch and can `resume`.
 *
 * @example
 * ```ts
 * const data = await FerDataset.fromDirectory('fer2013');
 * const model = buildCnnLstm();
 * const { history } = await train(model, data, { epochs: 30, checkpointDir: 'runs/a' });
 * ```
 */
export async function train(model: tfl.LayersModel, dataset: FerDataset, options: TrainOptions = {}): Promise<TrainResult> {
  const epochs = options.epochs ?? 50;
  const batchSize = options.batchSize ?? 64;
  const baseLr = options.learningRate ?? 1e-3;
  const schedule = options.schedule ?? { type: 'constant' };
  const seed = options.seed ?? 42;
  const labelSmoothing = options.labelSmoothing ?? 0;
  const augment = options.augment === false ? undefined : options.augment ?? DEFAULT_AUGMENTATION;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new RangeError(`labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  if (augment) checkAugmentOptions(augment);
  const mixup = options.mixup ?? 0;
  if (!(typeof mixup === 'number' && Number.isFinite(mixup) && mixup >= 0)) throw new RangeError(`mixup must be a finite number ≥ 0 (the α of Beta(α, α); 0 is off), got ${mixup}`);
  const cutmix = options.cutmix ?? 0;
  if (!(typeof cutmix === 'number' && Number.isFinite(cutmix) && cutmix >= 0)) throw new RangeError(`cutmix must be a finite number ≥ 0 (the α of Beta(α, α); 0 is off), got ${cutmix}`);
  if (mixup > 0 && cutmix > 0) throw new RangeError(`mixup and cutmix cannot both be on (got mixup ${mixup}, cutmix ${cutmix}): choose one`);
  if (options.optimizer) checkOptimizerConfig(options.optimizer);
  const teacherWeight = options.teacher ? options.teacher.weight ?? 0.5 : 0;
  if (options.teacher && !(teacherWeight > 0 && teacherWeight <= 1)) throw new RangeError(`teacher weight must be in (0, 1], got ${teacherWeight}`);
  const keepEpochs = options.keepEpochs ?? [];
  checkKeepEpochs(keepEpochs, epochs);
  if (keepEpochs.length > 0 && !options.checkpointDir) throw new RangeError('keepEpochs needs checkpointDir (the folder the kept epochs are saved in)');
  const numClasses = (model.outputs[0].shape as number[])[1];
  if (numClasses !== dataset.classes.length) {
    throw new RangeError(`the model has ${numClasses} outputs but the dataset has ${dataset.classes.length} classes (${dataset.classes.join(', ')})`);
  }
  const [, h, w, c] = model.inputs[0].shape as number[];
  if (h !== dataset.size || w !== dataset.size || c !== 1) {
    throw new RangeError(`the model takes ${h}×${w}×${c} images but the dataset holds ${dataset.size}×${dataset.size}×1`);
  }

  // data: never validate on training images (selectTrainingData)
  const { trainSet, valSet } = selectTrainingData(dataset, options);
  if (trainSet.length === 0) throw new RangeError('no training images in the dataset');
  const classWeights = options.classWeights === 'balanced' ? balancedWeights(trainSet) : options.classWeights;
  if (classWeights && classWeights.length !== numClasses) throw new RangeError(`classWeights has ${classWeights.length} entries for ${numClasses} classes`);
  const workers = options.workers ?? (await coreCount());
  const workerBackend = options.workerBackend ?? 'wasm';
  const teacherProbs = options.teacher
    ? await cachedTeacherTargets(options.teacher.model, trainSet, numClasses, options.teacher.tta ?? 'flip', { count: workers, backend: workerBackend }, options.checkpointDir)
    : undefined;

  // engine
  const optimizerConfig = options.optimizer ?? { type: 'adam' };
  const { optimizer, setLearningRate: setLr } = createOptimizer(optimizerConfig, baseLr);
  if (options.fastBatchNorm !== false) useFastBatchNorm(model);
  const executor: GradientExecutor = workers > 0
    ? await WorkerExecutor.start(model, workers, workerBackend, options.fastBatchNorm !== false)
    : new LocalExecutor(model);
  const parallel = workers > 0;
  const vars = trainableVariables(model);

  // state
  let history: EpochLog[] = [];
  let startEpoch = 0;
  let bestEpoch = 0;
  let bestValAccuracy = -1;
  let sinceBest = 0;
  const plateau = new PlateauState(baseLr);
  let bestWeights: Float32Array[] | undefined;
  if (options.resume) {
    if (!options.checkpointDir) throw new RangeError('resume needs checkpointDir');
    const state = await readCheckpointState(options.checkpointDir);
    if (state) {
      // the optimizer's slots are created lazily: one zero step creates them, then they are overwritten
      tf.tidy(() => optimizer.applyGradients(Object.fromEntries(vars.map((v) => [v.name, tf.zerosLike(v)])) as never));
      await restoreCheckpoint(options.checkpointDir, state, model, optimizer);
      history = state.history;
      startEpoch = state.epoch;
      bestEpoch = state.bestEpoch;
      bestValAccuracy = state.bestValAccuracy;
      sinceBest = state.sinceBest;
      plateau.lr = state.lr.value;
      plateau.best = state.lr.plateauBest;
      plateau.wait = state.lr.plateauWait;
    }
  }

  const stepsPerEpoch = Math.ceil(trainSet.length / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const px = dataset.size * dataset.size;
  let stopReason: TrainResult['stopReason'] = 'completed';

  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const t0 = performance.now();
      const random = epochRandom(seed, epoch);
      const order = trainSet.order(true, random);
      let lossSum = 0, correct = 0, seen = 0, lr = plateau.lr;
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (options.signal?.aborted) { stopReason = 'aborted'; break; }
        const idx = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
        const n = idx.length;
        lr = schedule.type === 'plateau' ? plateau.lr : scheduledRate(schedule, baseLr, epoch * stepsPerEpoch + b, totalSteps, stepsPerEpoch);
        setLr(lr);
        // shards: contiguous slices of the batch, one per worker
        const parts = Math.min(executor.parallelism, n);
        const shards: ShardRequest[] = [];
        for (let p = 0; p < parts; p++) {
          const s = Math.floor((p * n) / parts), e = Math.floor(((p + 1) * n) / parts);
          const pixels = new Uint8Array((e - s) * px);
          const labels = new Uint8Array(e - s);
          const soft = teacherProbs ? new Float32Array((e - s) * numClasses) : undefined;
          for (let k = s; k < e; k++) {
            pixels.set(trainSet.image(idx[k]), (k - s) * px);
            labels[k - s] = trainSet.labels[idx[k]];
            soft?.set(teacherProbs!.subarray(idx[k] * numClasses, (idx[k] + 1) * numClasses), (k - s) * numClasses);
          }
          shards.push({
            pixels, labels, size: dataset.size, numClasses, labelSmoothing, classWeights, batchSize: n,
            augment: augment ? { ...augment, seed: random.int(2 ** 31) } : undefined,
            ...(mixup > 0 ? { mixup: { alpha: mixup, seed: random.int(2 ** 31) } } : {}),
            ...(cutmix > 0 ? { cutmix: { alpha: cutmix, seed: random.int(2 ** 31) } } : {}),
            ...(soft ? { soft: { probs: soft, weight: teacherWeight } } : {}),
          });
        }
        let results;
        try {
          results = await executor.step(parallel ? readWeights(model.weights) : undefined, shards);
        } catch (e) {
          throw new TrainingError(`epoch ${epoch + 1}, batch ${b + 1}: ${(e as Error).message}` +
            (options.checkpointDir && epoch > 0 ? `; the last good checkpoint (epoch ${epoch}) is in ${options.checkpointDir}` : ''));
        }
        const stepLoss = results.reduce((a, r) => a + r.lossSum, 0);
        if (!Number.isFinite(stepLoss)) {
          throw new TrainingError(`loss is ${stepLoss} at epoch ${epoch + 1}, batch ${b + 1}: training stopped` +
            (options.checkpointDir && epoch > 0 ? `; the last good checkpoint (epoch ${epoch}) is in ${options.checkpointDir}` : '') +
            '. Try a lower learning rate.');
        }
        // average the summed gradients over the whole batch and apply them
        tf.tidy(() => {
          const named: Record<string, tf.Tensor> = {};
          vars.forEach((v, j) => {
            const acc = new Float32Array(results[0].grads[j].length);
            for (const r of results) { const g = r.grads[j]; for (let i = 0; i < acc.length; i++) acc[i] += g[i]; }
            for (let i = 0; i < acc.length; i++) acc[i] /= n;
            named[v.name] = tf.tensor(acc, v.shape);
          });
          optimizer.applyGradients(named as never);
        });
        if (parallel && model.nonTrainableWeights.length > 0) {
          const avg = results[0].nonTrainable.map((a) => new Float32Array(a.length));
          for (const r of results) r.nonTrainable.forEach((a, j) => { for (let i = 0; i < a.length; i++) avg[j][i] += a[i] * r.count / n; });
          writeWeights(model.nonTrainableWeights, avg);
        }
        lossSum += stepLoss;
        correct += results.reduce((a, r) => a + r.correct, 0);
        seen += n;
        if (options.onBatchEnd) {
          const secs = (performance.now() - t0) / 1000;
          await options.onBatchEnd({
            epoch: epoch + 1, batch: b + 1, batches: stepsPerEpoch, loss: lossSum / seen, accuracy: correct / seen,
            learningRate: lr, imagesPerSecond: seen / secs, etaSeconds: (secs / (b + 1)) * (stepsPerEpoch - b - 1),
          });
        }
      }
      if (stopReason === 'aborted') break;
      const trainSeconds = (performance.now() - t0) / 1000;

      const log: EpochLog = {
        epoch: epoch + 1, loss: lossSum / seen, accuracy: correct / seen, learningRate: lr,
        seconds: 0, imagesPerSecond: seen / trainSeconds,
      };
      if (valSet) {
        const probs = await executor.predict(parallel ? readWeights(model.weights) : undefined, valSet.images, valSet.size, options.validationTta ?? false);
        const predicted = argmaxRows(probs, numClasses);
        const m = metricsFromConfusion(confusionMatrix(valSet.labels, predicted, numClasses), valSet.classes);
        let vl = 0;
        for (let i = 0; i < valSet.length; i++) vl -= Math.log(Math.max(1e-7, probs[i * numClasses + valSet.labels[i]]));
        log.valLoss = vl / valSet.length;
        log.valAccuracy = m.accuracy;
        log.valMacroF1 = m.macroF1;
        if (m.accuracy > bestValAccuracy) {
          bestValAccuracy = m.accuracy;
          bestEpoch = epoch + 1;
          sinceBest = 0;
          bestWeights = readWeights(model.weights);
          if (options.checkpointDir) {
            const { join } = await import('node:path');
            const { saveModel } = await import('../model/io.js');
            await saveModel(model, join(options.checkpointDir, 'best'), { epoch: epoch + 1, valAccuracy: m.accuracy, valMacroF1: m.macroF1 });
          }
        } else {
          sinceBest++;
        }
        if (schedule.type === 'plateau') plateau.update(m.accuracy, schedule);
      }
      log.seconds = (performance.now() - t0) / 1000;
      history.push(log);
      if (options.checkpointDir) {
        await saveCheckpoint(options.checkpointDir, model, optimizer, {
          epoch: epoch + 1, history, bestEpoch, bestValAccuracy, sinceBest,
          lr: { value: plateau.lr, plateauBest: plateau.best, plateauWait: plateau.wait },
          config: { ...options.config, epochs, batchSize, learningRate: baseLr, schedule, labelSmoothing, augment, ...(mixup > 0 ? { mixup } : {}), ...(cutmix > 0 ? { cutmix } : {}), ...(optimizerConfig.type !== 'adam' ? { optimizer: optimizerConfig } : {}),
            ...(options.teacher ? { teacher: { weight: teacherWeight, tta: options.teacher.tta ?? 'flip', ...(options.config?.teacher as object | undefined) } } : {}), seed, workers,
            ...(keepEpochs.length > 0 ? { keepEpochs: [...keepEpochs] } : {}) },
        }, keepEpochs);
      }
      await options.onEpochEnd?.(log);
      if (options.earlyStoppingPatience !== undefined && valSet && sinceBest >= options.earlyStoppingPatience) {
        stopReason = 'early-stopping';
        break;
      }
    }
  } finally {
    await executor.close();
    optimizer.dispose();
  }
  if ((options.restoreBest ?? true) && bestWeights) writeWeights(model.weights, bestWeights);
  return { history, bestEpoch, bestValAccuracy: Math.max(0, bestValAccuracy), stopReason };
}
