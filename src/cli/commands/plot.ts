/**
 * `fer-cnn-lstm plot confusion|curves|samples`: SVG plots of an evaluation's confusion matrix,
 * a training run's curves, or a grid of faces with the model's predictions.
 *
 * @packageDocumentation
 */
import { tf } from '../../backends/tf.js';
import type { FerDataset } from '../../data/fer-dataset.js';
import { parseSplitFilter, type SplitFilter } from '../../data/splits.js';
import { EMOTIONS } from '../../emotions.js';
import { classifyEmotion } from '../../inference/predict.js';
import { readCheckpointState, type EpochLog } from '../../training/checkpoint.js';
import { Random } from '../../util/random.js';
import { confusionMatrixSvg } from '../../viz/confusion.js';
import { trainingCurvesSvg } from '../../viz/curves.js';
import { predictionGridSvg, type PredictionSample } from '../../viz/samples.js';
import { flag, intOption, numberOption, parseCommandArgs, requiredString, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, loadCliModel, loadDataset, startBackend, type Command } from '../command.js';
import { EXIT, SourceError, withSource } from '../errors.js';
import { out, quietTfjs } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm plot <confusion|curves|samples> [options]

Draws an SVG plot (self-contained; open it in a browser).

  plot confusion --from <evaluate.json> [--out file.svg]
      the confusion matrix of "fer-cnn-lstm evaluate --json > evaluate.json", as row percentages
  plot curves --from <history.json|checkpoint dir> [--out file.svg]
      loss and accuracy per epoch (train and validation) of a "fer-cnn-lstm train" run
  plot samples --data <dir|csv> [--split test] [--weights path] [--count 24] [--out file.svg]
      a grid of faces with the predicted emotion and confidence (green: right, red: wrong)

Options:
  --out <file.svg>     where to write the SVG (default: stdout)
  --title <text>       title above the plot
  --from <file|dir>    confusion: the evaluate JSON; curves: history.json, checkpoint.json,
                       a train --json result, or the checkpoint folder
  --counts             confusion: print raw counts instead of row percentages
  --cell-size <px>     confusion: side of one cell (default 64)
  --data <dir|csv>     samples: a folder of labelled faces or the Kaggle fer2013.csv
  --split <name>       samples: test (default when present), PublicTest, PrivateTest, Training, train, all
  --weights <path>     samples: model folder or model.json (default: the shipped pretrained weights)
  --count <n>          samples: number of faces (default 24)
  --seed <n>           samples: which faces are picked (default 42)
  --columns <n>        samples: faces per row (default 6)
  --scale <x>          samples: magnification (default 2)

${GLOBAL_HELP}`;

const KINDS = ['confusion', 'curves', 'samples'] as const;

async function readJson(path: string): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  const text = await withSource(path, () => readFile(path, 'utf8'));
  try {
    return JSON.parse(text);
  } catch {
    // `evaluate --json` / `train --json` put the JSON on the last stdout line: accept a captured stdout
    const last = text.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last);
    } catch (e) {
      throw new SourceError(`${path}: not JSON (${(e as Error).message})`);
    }
  }
}

/** The confusion matrix and class names of an evaluate result. */
function confusionFrom(json: unknown, source: string): { confusion: number[][]; classes: string[] } {
  const o = json as { confusion?: unknown; classes?: unknown; perClass?: Record<string, unknown> };
  if (!o || typeof o !== 'object' || !Array.isArray(o.confusion)) {
    throw new SourceError(`${source}: no "confusion" matrix (expected the output of "fer-cnn-lstm evaluate --json")`);
  }
  const confusion = o.confusion as number[][];
  const k = confusion.length;
  let classes: string[];
  if (Array.isArray(o.classes) && o.classes.length === k) classes = o.classes.map(String);
  else if (o.perClass && Object.keys(o.perClass).length === k) classes = Object.keys(o.perClass);
  else if (k === EMOTIONS.length) classes = [...EMOTIONS];
  else classes = Array.from({ length: k }, (_, i) => `class ${i}`);
  return { confusion, classes };
}

/** The epoch history of a file (an array, or an object with `history`) or a checkpoint folder. */
async function historyFrom(path: string): Promise<EpochLog[]> {
  const { stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const info = await withSource(path, () => stat(path));
  let history: unknown;
  let source = path;
  if (info.isDirectory()) {
    const state = await withSource(join(path, 'checkpoint.json'), () => readCheckpointState(path));
    if (state) {
      history = state.history;
      source = join(path, 'checkpoint.json');
    } else {
      source = join(path, 'history.json');
      history = await readJson(source).catch((e) => {
        throw new SourceError(`${path}: no checkpoint.json or history.json (${(e as Error).message})`);
      });
    }
  } else {
    history = await readJson(path);
  }
  if (history && typeof history === 'object' && !Array.isArray(history)) history = (history as { history?: unknown }).history;
  if (!Array.isArray(history)) throw new SourceError(`${source}: no epoch history (expected an array of epochs or an object with "history")`);
  if (history.length === 0) throw new SourceError(`${source}: the history is empty (no finished epoch yet)`);
  history.forEach((h, i) => {
    if (!h || typeof (h as EpochLog).epoch !== 'number') throw new SourceError(`${source}: history[${i}] has no "epoch"`);
  });
  return history as EpochLog[];
}

/** `--split`, else `test` when the data has test images, else all of it. */
function chooseSplit(data: FerDataset, requested: string | undefined, source: string): SplitFilter {
  const counts = data.splitCounts();
  if (requested === undefined) return (counts.PublicTest ?? 0) + (counts.PrivateTest ?? 0) > 0 ? 'test' : 'all';
  const split = parseSplitFilter(requested);
  if (!split) throw new UsageError(`--split must be test, PublicTest, PrivateTest, Training, train or all, got "${requested}"`);
  if (data.filter(split).length === 0) {
    const present = Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ') || 'none';
    throw new SourceError(`${source}: no images in split "${requested}" (present: ${present})`);
  }
  return split;
}

/** `count` distinct indices of `[0, n)`, seeded, in ascending order. */
function pick(n: number, count: number, seed: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const rnd = new Random(seed);
  const m = Math.min(count, n);
  for (let i = 0; i < m; i++) {
    const j = i + rnd.int(n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, m).sort((a, b) => a - b);
}

async function samplesSvg(args: ParsedArgs, title: string | undefined): Promise<string> {
  const v = args.values;
  const source = requiredString(v, 'data');
  const count = intOption(v, 'count', 1, 1000) ?? 24;
  const seed = intOption(v, 'seed', 0) ?? 42;
  const columns = intOption(v, 'columns', 1, 100);
  const scale = numberOption(v, 'scale', 0.25, 16, true);
  const requested = stringOption(v, 'split');
  if (requested !== undefined && !parseSplitFilter(requested)) {
    throw new UsageError(`--split must be test, PublicTest, PrivateTest, Training, train or all, got "${requested}"`);
  }
  await startBackend(args);
  const all = await loadDataset(source);
  const data = all.filter(chooseSplit(all, requested, source));
  if (data.length === 0) throw new SourceError(`${source}: no images`);
  const { model, location } = await loadCliModel(stringOption(v, 'weights'));
  const chosen = pick(data.length, count, seed);
  const s = data.size;
  const pixels = new Int32Array(chosen.length * s * s);
  chosen.forEach((i, n) => pixels.set(data.image(i), n * s * s));
  const x = tf.tensor4d(pixels, [chosen.length, s, s, 1], 'int32');
  let preds: Awaited<ReturnType<typeof classifyEmotion>>;
  try {
    preds = await withSource(location, () => classifyEmotion(x, { model }));
  } finally {
    x.dispose();
  }
  const samples: PredictionSample[] = chosen.map((i, n) => ({
    pixels: data.image(i), size: s, label: data.classes[data.labels[i]], predicted: preds[n].emotion, confidence: preds[n].confidence,
  }));
  const right = samples.filter((p) => p.label === p.predicted).length;
  process.stderr.write(`${right}/${samples.length} of the shown faces predicted right\n`);
  return predictionGridSvg(samples, { columns, scale, title });
}

async function run(args: ParsedArgs): Promise<number> {
  const [kind, ...extra] = args.positionals;
  if (kind === undefined) throw new UsageError(`what to plot? expected ${KINDS.join(', ')}`);
  if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown plot "${kind}" (expected ${KINDS.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const v = args.values;
  const title = stringOption(v, 'title');
  const outPath = stringOption(v, 'out');
  let svg: string;
  if (kind === 'confusion') {
    const from = requiredString(v, 'from');
    const { confusion, classes } = confusionFrom(await readJson(from), from);
    const cellSize = intOption(v, 'cell-size', 8, 1000);
    svg = await withSource(from, () => confusionMatrixSvg(confusion, classes, { normalize: !flag(v, 'counts'), title, cellSize }));
  } else if (kind === 'curves') {
    const from = requiredString(v, 'from');
    const history = await historyFrom(from);
    svg = await withSource(from, () => trainingCurvesSvg(history, { title }));
  } else {
    svg = await samplesSvg(args, title);
  }
  if (outPath === undefined || outPath === '-') {
    process.stdout.write(svg);
  } else {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await withSource(outPath, async () => {
      await mkdir(dirname(outPath), { recursive: true });
      await writeFile(outPath, svg);
    });
    out(`wrote ${outPath}`);
  }
  return EXIT.ok;
}

/** The `plot` command (for the CLI dispatcher). */
export const plot: Command = {
  name: 'plot',
  summary: 'draw an SVG: confusion matrix, training curves, or faces with predictions',
  help: HELP,
  options: {
    from: { type: 'string' },
    out: { type: 'string' },
    title: { type: 'string' },
    counts: { type: 'boolean' },
    'cell-size': { type: 'string' },
    data: { type: 'string' },
    split: { type: 'string' },
    weights: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    columns: { type: 'string' },
    scale: { type: 'string' },
  },
  positionals: true,
  run,
};

/**
 * Runs `fer-cnn-lstm plot …` with the arguments after `plot` (e.g. `['confusion', '--from',
 * 'eval.json', '--out', 'cm.svg']`); resolves to the exit code. Errors are thrown as
 * {@link UsageError} (exit 2) or {@link SourceError} (exit 1) for the dispatcher to report.
 */
export async function plotCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, plot.options, true);
  if (args.values.help === true) { out(HELP); return EXIT.ok; }
  quietTfjs(args.values.verbose === true);
  return run(args);
}
