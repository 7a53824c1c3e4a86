/**
 * `fer-cnn-lstm evaluate --data <dir|csv>`: accuracy, macro-F1, per-class metrics and the
 * confusion matrix of a model on a labelled dataset.
 *
 * @packageDocumentation
 */
import type { FerDataset } from '../../data/fer-dataset.js';
import { parseSplitFilter, type SplitFilter } from '../../data/splits.js';
import { flag, intOption, requiredString, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { applyVariantOption, classPriorOption, GLOBAL_HELP, loadCliClassifier, loadDataset, precisionOption, startBackend, stderrProgress, type Command } from '../command.js';
import { EXIT, SourceError, withSource } from '../errors.js';
import { formatEvaluation } from '../output.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm evaluate --data <dir|csv> [options]

Scores a model on labelled faces: accuracy, macro-F1, precision/recall/F1 per emotion and the
confusion matrix.

Options:
  --data <dir|csv>     a folder (train/<emotion>/*.jpg, test/<emotion>/*.jpg, or <emotion>/*.png)
                       or the Kaggle fer2013.csv (emotion,pixels,Usage)
  --split <name>       test (default: PublicTest + PrivateTest), PublicTest, PrivateTest, Training,
                       train or all. Data without test images (e.g. <emotion>/ folders only) is
                       evaluated whole unless --split is given
  --weights <path>     model folder or model.json (default: the shipped pretrained weights)
  --tta                average each image with its mirror image; without --tta/--no-tta the
                       shipped variant's own setting (the default model: the mirror where the
                       first view is unsure)
  --no-tta             one view per image
  --precision <p>      stored precision of the shipped weights: float32 (default), float16 or uint8;
                       not with --weights
  --variant <v>        shipped model: default, or accurate (deeper, scored with its flip TTA); not
                       with --weights
  --class-prior <p>    training (default: the model's FER-2013 class frequencies) or uniform (for
                       data balanced across emotions: lab studies, posed sets), or τ in 0–1 (part way)
  --batch-size <n>     images per forward pass (default 256)
  --json               print the result as JSON (the last line of stdout):
                       {"accuracy","macroF1","count","perClass","confusion"}

Progress goes to stderr: a live line on a terminal, else a plain line every 5 seconds.
An empty dataset or split (e.g. a CSV with only its header row) is an error, not "accuracy 0%".

${GLOBAL_HELP}`;

/** The split to evaluate: `--split`, else `test` when the data has test images, else all of it. */
function chooseSplit(data: FerDataset, requested: string | undefined, source: string): { split: SplitFilter; note?: string } {
  const counts = data.splitCounts();
  const present = Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ') || 'none';
  if (requested === undefined) {
    if ((counts.PublicTest ?? 0) + (counts.PrivateTest ?? 0) > 0) return { split: 'test' };
    return { split: 'all', note: `${source} has no test split (${present}): evaluating all ${data.length} images` };
  }
  const split = parseSplitFilter(requested);
  if (!split) throw new UsageError(`--split must be test, PublicTest, PrivateTest, Training, train or all, got "${requested}"`);
  if (data.filter(split).length === 0) throw new SourceError(`${source}: no images in split "${requested}" (present: ${present})`);
  return { split };
}

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (use --data <dir|csv>)`);
  const source = requiredString(args.values, 'data');
  await applyVariantOption(args);
  const json = flag(args.values, 'json');
  const batchSize = intOption(args.values, 'batch-size', 1);
  classPriorOption(args); // usage errors before the data is loaded
  const requested = stringOption(args.values, 'split');
  if (requested !== undefined && !parseSplitFilter(requested)) {
    throw new UsageError(`--split must be test, PublicTest, PrivateTest, Training, train or all, got "${requested}"`);
  }
  precisionOption(args); // usage errors before the data is loaded
  await startBackend(args);
  const data = await loadDataset(source);
  const { split, note } = chooseSplit(data, requested, source);
  if (note) process.stderr.write(`note: ${note}\n`);
  const { classifier, location } = await loadCliClassifier(args);
  const tta = classifier.tta;
  const { evaluate } = await import('../../evaluation/evaluate.js');
  const progress = stderrProgress('evaluating');
  let result;
  try {
    result = await withSource(location, () => evaluate(classifier, data, { split, batchSize, onProgress: progress.update }));
  } finally {
    progress.done();
  }
  if (json) {
    out(JSON.stringify(result));
  } else {
    const title = `${source} (${split === 'all' ? 'all images' : `split ${split}`}${tta ? `, ${tta === 'flip' ? 'flip' : tta} TTA` : ''}), model ${location}`;
    for (const line of formatEvaluation(result, title)) out(line);
  }
  return EXIT.ok;
}

/** The `evaluate` command. */
export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'score a model on a labelled dataset (folder or CSV)',
  help: HELP,
  options: {
    data: { type: 'string' },
    split: { type: 'string' },
    weights: { type: 'string' },
    tta: { type: 'boolean' },
    'no-tta': { type: 'boolean' },
    precision: { type: 'string' },
    variant: { type: 'string' },
    'class-prior': { type: 'string' },
    'batch-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: false,
  run,
};
