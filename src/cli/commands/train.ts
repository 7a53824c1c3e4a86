/**
 * `fer-cnn-lstm train --data <dir|csv> --out <dir>`: trains the CNN-LSTM (or fine-tunes a saved
 * model) with live progress, a checkpoint and `history.json` after every epoch, the best model in
 * `<out>/best`, `--resume`, and a clean stop on Ctrl-C.
 *
 * @packageDocumentation
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { tfl } from '../../backends/tf.js';
import { parseSplitFilter, type SplitFilter } from '../../data/splits.js';
import type { BatchProgress, EpochLog, TrainResult } from '../../training/train.js';
import { flag, intOption, numberOption, positiveNumberOption, requiredString, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { checkEmotionModel, GLOBAL_HELP, loadDataset, loadModelFrom, startBackend, type Command } from '../command.js';
import { attachSource, EXIT, oneLine, PROGRAM, SourceError, withSource } from '../errors.js';
import { epochLine, progressLine } from '../output.js';
import { out } from '../quiet.js';
import { writeJsonAtomic } from '../../util/atomic-write.js';

const HELP = `Usage: fer-cnn-lstm train --data <dir|csv> --out <dir> [options]

Trains the CNN-LSTM on labelled faces (Adam by default, or SGD with Nesterov momentum; cross-entropy,
rotation/zoom/flip augmentation).
After every epoch a checkpoint and <out>/history.json are written, and the best model by
validation accuracy is saved to <out>/best (use it with --weights). Ctrl-C stops after the
current batch; finished epochs are kept and --resume continues.

Options:
  --data <dir|csv>        training data: a folder (train/<emotion>/, test/<emotion>/ or <emotion>/)
                          or the Kaggle fer2013.csv
  --out <dir>             checkpoint folder
  --epochs <n>            epochs in total, counting resumed ones (default 50)
  --batch-size <n>        images per step (default 64)
  --workers <n>           gradient worker threads; 0 trains in this thread (default: CPU cores)
  --resume                continue from the checkpoint in --out
  --val-split <f|name>    validation data: a fraction such as 0.1 (a stratified, seeded holdout of
                          the training images), or a split: PublicTest, PrivateTest, test, or none.
                          Default: PublicTest when the data has it besides the training images, else
                          a stratified 10% of the training images (said in the output) — training
                          never validates on the images it trains on
  --lr <x>                learning rate (default 0.001)
  --label-smoothing <x>   label smoothing in [0, 1) (default 0)
  --patience <n>          stop after n epochs without a better validation accuracy
  --seed <n>              seed of shuffling and augmentation (default 42)
  --config <file.json>    recipe: {"model": buildCnnLstm options, "learningRate", "optimizer"
                          ({"type": "adam"} or {"type": "sgd", "momentum": 0.9, "nesterov": true}), "schedule",
                          "labelSmoothing", "classWeights", "augment", "mixup", "cutmix", "teacher", "batchSize", "seed",
                          "epochs", "keepEpochs"};
                          with --resume, the recipe recorded in the checkpoint is reused
                          (flags override the file, the file overrides the checkpoint)
  --from <weights>        start from a saved model (fine-tuning): a folder or model.json
  --freeze-conv           with --from: keep the convolution and batch-norm layers fixed
  --keep-epochs <list>    keep these epochs' weights as <out>/epoch-N (e.g. 11,12, to average them
                          later with "fer-cnn-lstm average"); recipe "keepEpochs": [11, 12].
                          Default: only the latest epoch and <out>/best are kept
  --teacher <weights>     distil from a saved model: its predictions of the training images (flip
                          TTA) blend into the targets, half and half (recipe "teacher": {"weights",
                          "weight", "tta"} sets the blend and the TTA)
  --json                  progress on stderr; the last stdout line is
                          {"history","bestEpoch","bestValAccuracy","stopReason"}

${GLOBAL_HELP}`;

/** Layer classes frozen by `--freeze-conv`. */
const CONV_LAYERS = new Set(['Conv1D', 'Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'BatchNormalization']);

/** Sets `trainable = false` on the convolution and batch-norm layers; returns how many. */
function freezeConv(model: tfl.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    if (CONV_LAYERS.has(layer.getClassName())) { layer.trainable = false; n++; }
  }
  return n;
}

/** A training recipe, from `--config` or recorded in a checkpoint. */
interface Recipe {
  model?: Record<string, unknown>;
  learningRate?: number;
  schedule?: import('../../training/schedule.js').LearningRateSchedule;
  labelSmoothing?: number;
  classWeights?: number[] | 'balanced';
  augment?: import('../../data/augment.js').AugmentOptions | false;
  mixup?: number;
  cutmix?: number;
  optimizer?: import('../../training/optimizer.js').OptimizerConfig;
  /** Distillation: the teacher's saved model (a folder or model.json), its weight in the targets, its TTA. */
  teacher?: { weights?: string; weight?: number; tta?: 'flip' | 'ten-crop' | false };
  batchSize?: number;
  seed?: number;
  epochs?: number;
  /** Epochs whose weights stay as `<out>/epoch-N`. */
  keepEpochs?: number[];
}

/** The keys of a `--config` recipe: the training options both recipes take, and the CLI's own. */
const RECIPE_KEYS = ['model', 'learningRate', 'optimizer', 'schedule', 'labelSmoothing', 'classWeights', 'augment', 'mixup', 'cutmix', 'teacher', 'batchSize', 'seed', 'epochs', 'keepEpochs'] as const;

/** Reads `--config`: a JSON recipe, its keys and values checked (`checkTrainRecipe`, as the reproduce recipe's `train`). */
async function readRecipe(file: string): Promise<Recipe> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a JSON recipe' : oneLine(e)}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SourceError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SourceError(`${file}: expected a JSON object`);
  const { checkTeacherBlend, checkTrainRecipe } = await import('../../training/train-recipe-check.js');
  const fail = (message: string): never => { throw new SourceError(`${file}: ${message}`); };
  checkTrainRecipe(value as Record<string, unknown>, { keys: RECIPE_KEYS, prefix: '', fail });
  const { teacher } = value as { teacher?: unknown };
  if (teacher !== undefined) {
    // `{"weights": path, "weight": (0, 1], "tta": "flip" | "ten-crop" | false}`
    if (typeof teacher !== 'object' || teacher === null || Array.isArray(teacher)) fail(`"teacher": must be an object {"weights", "weight", "tta"}, got ${JSON.stringify(teacher)}`);
    const { weights, weight, tta, ...rest } = teacher as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) fail(`"teacher": unknown key "${extra[0]}" (expected weights, weight, tta)`);
    if (weights !== undefined && typeof weights !== 'string') fail(`"teacher": "weights" must be the path of a saved model, got ${JSON.stringify(weights)}`);
    checkTeacherBlend({ weight, tta }, (key, message) => fail(`"teacher": "${key}" ${message}`));
  }
  return value as Recipe;
}

/** The recipe a checkpoint was trained with (recorded by train() in checkpoint.json). */
async function recordedRecipe(outDir: string): Promise<Recipe> {
  const { readCheckpointState } = await import('../../training/checkpoint.js');
  const state = await readCheckpointState(outDir).catch(() => undefined);
  const c = (state?.config ?? {}) as Recipe;
  return Object.fromEntries(RECIPE_KEYS.filter((k) => c[k] !== undefined).map((k) => [k, c[k]])) as Recipe;
}

/**
 * The command to record for this run: the one given, less `--resume`. A resumed run keeps the
 * `--from`, `--config` and `--teacher` of the command recorded before when this one does not repeat them, so
 * that the checkpoint still says where the run started and with which recipe (the model card's
 * lineage follows `--from`).
 */
async function commandToRecord(rawArgs: readonly string[], outDir: string, resume: boolean): Promise<string> {
  let command = resumeHint(rawArgs).replace(/ --resume$/, '');
  if (!resume) return command;
  const { readCheckpointState } = await import('../../training/checkpoint.js');
  const recorded = (await readCheckpointState(outDir).catch(() => undefined))?.config?.command;
  if (typeof recorded !== 'string') return command;
  for (const option of ['--from', '--config', '--teacher']) {
    const before = new RegExp(`${option}\\s+(\\S+)`).exec(recorded)?.[1];
    if (before !== undefined && !rawArgs.includes(option)) command += ` ${option} ${before}`;
  }
  return command;
}

/** Loads the starting model: the checkpoint's (resume), `--from`, or a new CNN-LSTM. */
async function startingModel(outDir: string, resume: boolean, from: string | undefined, log: (s: string) => void, modelOptions?: Record<string, unknown>): Promise<{ model: tfl.LayersModel; bestValAccuracy: number }> {
  const { loadModel } = await import('../../model/io.js');
  const { readCheckpointState } = await import('../../training/checkpoint.js');
  if (resume) {
    const state = await withSource(join(outDir, 'checkpoint.json'), () => readCheckpointState(outDir));
    if (state) {
      const where = join(outDir, state.folder);
      const model = await loadModelFrom(where, () => loadModel(where));
      checkEmotionModel(model, where);
      log(`resuming from ${where} (${state.epoch} epoch${state.epoch === 1 ? '' : 's'} done)${from ? '; --from is ignored' : ''}`);
      return { model, bestValAccuracy: state.bestValAccuracy };
    }
    log(`no checkpoint in ${outDir}: starting a new run`);
  }
  if (from) {
    const model = await loadModelFrom(from, () => loadModel(from));
    checkEmotionModel(model, from);
    return { model, bestValAccuracy: -1 };
  }
  const { buildCnnLstm } = await import('../../model/cnn-lstm.js');
  return { model: buildCnnLstm(modelOptions), bestValAccuracy: -1 };
}

/** Reports batch progress: `\r` updates on a terminal, a plain line every 20 batches otherwise. */
function progressReporter(stream: NodeJS.WriteStream, epochs: number): { batch(p: BatchProgress): void; clear(): void } {
  const tty = stream.isTTY === true;
  let shown = false;
  return {
    batch(p) {
      const line = progressLine(p, epochs);
      if (tty) { stream.write(`\r${line}\x1b[K`); shown = true; }
      else if (p.batch % 20 === 0 || p.batch === p.batches) stream.write(line + '\n');
    },
    clear() {
      if (shown) { stream.write('\r\x1b[K'); shown = false; }
    },
  };
}

/** Parses `--keep-epochs 11,12` (range checks come with the epoch count). */
function keepEpochsOption(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !/^\d+$/.test(p));
  if (bad !== undefined) throw new UsageError(`--keep-epochs must be epoch numbers separated by commas (e.g. 11,12), got "${value}"`);
  return parts.map(Number);
}

/** The command that resumes this run. */
function resumeHint(argv: readonly string[]): string {
  const args = argv.filter((a) => a !== '--resume');
  return [PROGRAM, 'train', ...args.map((a) => (/^[\w./:=@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)), '--resume'].join(' ');
}

async function run(args: ParsedArgs, rawArgs: readonly string[]): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const v = args.values;
  const data = requiredString(v, 'data');
  const outDir = requiredString(v, 'out');
  const json = flag(v, 'json');
  const resume = flag(v, 'resume');
  const from = stringOption(v, 'from');
  const configFile = stringOption(v, 'config');
  const recipe: Recipe = {
    ...(resume ? await recordedRecipe(outDir) : {}),
    ...(configFile ? await readRecipe(configFile) : {}),
  };
  const epochs = intOption(v, 'epochs', 1) ?? recipe.epochs ?? 50;
  const keepEpochs = keepEpochsOption(stringOption(v, 'keep-epochs')) ?? recipe.keepEpochs;
  if (keepEpochs) {
    const { checkKeepEpochs } = await import('../../training/train.js');
    try {
      checkKeepEpochs(keepEpochs, epochs);
    } catch (e) {
      const what = (e as Error).message.replace(/^keepEpochs:? /, '');
      if (stringOption(v, 'keep-epochs') !== undefined) throw new UsageError(`--keep-epochs: ${what}`);
      throw new SourceError(`${configFile ?? join(outDir, 'checkpoint.json')}: "keepEpochs": ${what}`);
    }
  }
  const batchSize = intOption(v, 'batch-size', 1) ?? recipe.batchSize;
  const workers = intOption(v, 'workers', 0);
  const patience = intOption(v, 'patience', 1);
  const seed = intOption(v, 'seed', 0) ?? recipe.seed;
  const learningRate = positiveNumberOption(v, 'lr') ?? recipe.learningRate;
  const labelSmoothing = numberOption(v, 'label-smoothing', 0, 1) ?? recipe.labelSmoothing;
  const valName = stringOption(v, 'val-split');
  let validation: SplitFilter | false | undefined;
  let validationSplit: number | undefined;
  if (valName !== undefined && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(valName)) {
    validationSplit = Number(valName);
    if (!(validationSplit > 0 && validationSplit < 1)) throw new UsageError(`--val-split must be a fraction between 0 and 1 (e.g. 0.1) or a split name, got "${valName}"`);
  } else if (valName !== undefined) {
    validation = valName.toLowerCase() === 'none' ? false : parseSplitFilter(valName);
    if (validation === undefined) throw new UsageError(`--val-split must be a fraction such as 0.1, or PublicTest, PrivateTest, test, Training, train, all or none, got "${valName}"`);
  }
  if (flag(v, 'freeze-conv') && !from && !resume) throw new UsageError('--freeze-conv needs --from <weights> (a trained model to fine-tune)');
  const teacherRecipe = recipe.teacher || stringOption(v, 'teacher') ? { ...recipe.teacher, ...(stringOption(v, 'teacher') ? { weights: stringOption(v, 'teacher') } : {}) } : undefined;
  if (teacherRecipe && !teacherRecipe.weights) throw new UsageError(`the recipe's "teacher" names no "weights": give them there or with --teacher <weights>`);

  // with --json, stdout carries only the result: progress and notes go to stderr
  const info = json ? process.stderr : process.stdout;
  const say = (s: string) => info.write(s + '\n');
  await startBackend(args);
  const dataset = await loadDataset(data);
  const { selectTrainingData } = await import('../../training/train.js');
  let selected: ReturnType<typeof selectTrainingData>;
  try {
    selected = selectTrainingData(dataset, { validation, validationSplit, seed });
  } catch (e) {
    throw e instanceof RangeError ? attachSource(data, e) : e;
  }
  say(selected.note);
  const { model, bestValAccuracy: previousBest } = await startingModel(outDir, resume, from, say, recipe.model);
  if (flag(v, 'freeze-conv')) {
    const n = freezeConv(model);
    if (n === 0) throw new SourceError(`${from ?? outDir}: --freeze-conv: the model has no convolution or batch-norm layers`);
    say(`froze ${n} convolution/batch-norm layers`);
  }
  let teacher: { model: tfl.LayersModel; weight?: number; tta?: 'flip' | 'ten-crop' | false } | undefined;
  if (teacherRecipe) {
    const { loadModel } = await import('../../model/io.js');
    const path = teacherRecipe.weights!;
    const teacherModel = await loadModelFrom(path, () => loadModel(path));
    checkEmotionModel(teacherModel, path);
    teacher = { model: teacherModel, weight: teacherRecipe.weight, tta: teacherRecipe.tta };
    say(`distilling from ${path} (weight ${teacherRecipe.weight ?? 0.5}, ${teacherRecipe.tta === false ? 'no' : teacherRecipe.tta ?? 'flip'} TTA): its predictions of ${selected.trainSet.length} training images are computed once and kept in ${join(outDir, 'teacher-targets.bin')}`);
  }
  await mkdir(outDir, { recursive: true });

  const progress = progressReporter(info, epochs);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort();
    progress.clear();
    process.stderr.write(`${PROGRAM}: stopping after this batch (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSigint);

  const { train } = await import('../../training/train.js');
  const { readCheckpointState } = await import('../../training/checkpoint.js');
  const historyFile = join(outDir, 'history.json');
  let bestSoFar = previousBest;
  let result: TrainResult;
  try {
    result = await train(model, selected.trainSet, {
      epochs, batchSize, workers, learningRate, labelSmoothing, validation: selected.valSet ?? false, seed,
      schedule: recipe.schedule, augment: recipe.augment, mixup: recipe.mixup, cutmix: recipe.cutmix, optimizer: recipe.optimizer, classWeights: recipe.classWeights, teacher,
      earlyStoppingPatience: patience,
      keepEpochs,
      checkpointDir: outDir,
      resume,
      signal: controller.signal,
      config: { ...(recipe.model ? { model: recipe.model } : {}), ...(teacherRecipe ? { teacher: { weights: teacherRecipe.weights } } : {}), command: await commandToRecord(rawArgs, outDir, resume) },
      onBatchEnd: (p) => progress.batch(p),
      onEpochEnd: async (log: EpochLog) => {
        progress.clear();
        const best = log.valAccuracy !== undefined && log.valAccuracy > bestSoFar;
        if (best) bestSoFar = log.valAccuracy!;
        say(epochLine(log, epochs, best));
        // the checkpoint (written just before) holds the whole history, resumed epochs included
        const state = await readCheckpointState(outDir);
        await writeJsonAtomic(historyFile, state?.history ?? [log]);
      },
    });
  } catch (e) {
    // a dataset that does not fit (no training images, other classes) names the data; others (NaN loss) speak for themselves
    throw e instanceof RangeError ? attachSource(data, e) : e;
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }

  if (result.bestEpoch === 0 && result.stopReason !== 'aborted' && result.history.length > 0) {
    // no validation data: the last epoch's model is the one to use
    const { saveModel } = await import('../../model/io.js');
    await saveModel(model, join(outDir, 'best'), { epoch: result.history.length, validation: 'none (last epoch)' });
  }
  if (json) out(JSON.stringify({ history: result.history, bestEpoch: result.bestEpoch, bestValAccuracy: result.bestValAccuracy, stopReason: result.stopReason }));
  else if (result.bestEpoch > 0) say(`best validation accuracy ${(result.bestValAccuracy * 100).toFixed(2)}% at epoch ${result.bestEpoch}; model in ${join(outDir, 'best')}`);
  else if (result.history.length > 0) say(`done (no validation split): last epoch's model in ${join(outDir, 'best')}`);
  if (result.stopReason === 'aborted') {
    const done = result.history.length;
    process.stderr.write(`${PROGRAM}: interrupted after ${done} finished epoch${done === 1 ? '' : 's'}; resume with: ${resumeHint(rawArgs)}\n`);
    return EXIT.interrupted;
  }
  if (result.stopReason === 'early-stopping') say(`stopped early: no better validation accuracy for ${patience} epochs`);
  return EXIT.ok;
}

/** The `train` command. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train (or fine-tune) the CNN-LSTM with checkpoints and resume',
  help: HELP,
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    workers: { type: 'string' },
    resume: { type: 'boolean' },
    'val-split': { type: 'string' },
    lr: { type: 'string' },
    'label-smoothing': { type: 'string' },
    patience: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string' },
    config: { type: 'string' },
    'freeze-conv': { type: 'boolean' },
    teacher: { type: 'string' },
    'keep-epochs': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: false,
  run: (args) => run(args, args.raw),
};
