/**
 * `fer-cnn-lstm average --out <dir> <model> <model>...`: the weight average of saved models of one
 * architecture (stochastic weight averaging, a model soup), optionally with its batch-norm
 * statistics re-estimated on training images.
 *
 * @packageDocumentation
 */
import type { tfl } from '../../backends/tf.js';
import { intOption, requiredString, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, loadDataset, loadModelFrom, startBackend, type Command } from '../command.js';
import { EXIT, oneLine, SourceError } from '../errors.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm average --out <dir> <model> <model> [...] [options]

Averages the weights of saved models of one architecture (the same layers and weight shapes):
stochastic weight averaging over a run's last epochs (train --keep-epochs), or a "model soup" of
fine-tunes of one start. Every weight, batch-norm moving statistics included, becomes the plain mean;
the result has the size and speed of one model. Writes <dir>/model.json and weights.bin, with the
models averaged in its metadata.

Options:
  --out <dir>          output folder
  --bn-data <dir>      then re-estimate every batch-norm layer's moving statistics on training images
                       of this dataset (folder or CSV); with it, one model is enough
  --bn-images <n>      how many (a seeded random subset; default 8192)
  --bn-config <file>   augment them as this training recipe's "augment" says (default: as they are)

${GLOBAL_HELP}`;

async function run(args: ParsedArgs): Promise<number> {
  const v = args.values;
  const outDir = requiredString(v, 'out');
  const bnData = stringOption(v, 'bn-data');
  const bnImages = intOption(v, 'bn-images', 1) ?? 8192;
  const bnConfig = stringOption(v, 'bn-config');
  const paths = args.positionals;
  if (paths.length < (bnData ? 1 : 2)) throw new UsageError(bnData ? 'name the model to re-estimate' : `name at least 2 models to average (got ${paths.length})`);
  if (!bnData && (stringOption(v, 'bn-images') !== undefined || bnConfig)) throw new UsageError('--bn-images and --bn-config go with --bn-data');
  let augmentOptions: import('../../data/augment.js').AugmentOptions | undefined;
  if (bnConfig) {
    const { readFile } = await import('node:fs/promises');
    const { checkAugmentOptions } = await import('../../data/augment.js');
    try {
      augmentOptions = (JSON.parse(await readFile(bnConfig, 'utf8')) as { augment?: typeof augmentOptions }).augment;
      if (augmentOptions) checkAugmentOptions(augmentOptions);
    } catch (e) {
      throw new SourceError(`${bnConfig}: ${oneLine(e)}`);
    }
  }
  await startBackend(args);
  const { loadModel, saveModel } = await import('../../model/io.js');
  const { averageWeights } = await import('../../model/average.js');
  const models: tfl.LayersModel[] = [];
  for (const p of paths) models.push(await loadModelFrom(p, () => loadModel(p)));
  let averaged: tfl.LayersModel;
  try {
    averaged = await averageWeights(models);
  } catch (e) {
    // name the model by its path
    const m = /model (\d+) is not the architecture of model 1/.exec((e as Error).message);
    if (m) throw new SourceError(`${paths[Number(m[1]) - 1]}: not the architecture of ${paths[0]} (its layers or weight shapes differ)`);
    throw e;
  }
  let batchNorm: Record<string, unknown> | undefined;
  if (bnData) {
    const { Random } = await import('../../util/random.js');
    const { recomputeBatchNorm } = await import('../../training/batch-norm-stats.js');
    const { augment } = await import('../../data/augment.js');
    const data = await loadDataset(bnData);
    const train = data.filter('Training').length > 0 ? data.filter('Training') : data;
    const pick = new Random(1).shuffle(Int32Array.from({ length: train.length }, (_, i) => i)).subarray(0, Math.min(bnImages, train.length));
    const sub = train.subset(pick);
    let seed = 1;
    const r = recomputeBatchNorm(averaged, sub.images, sub.size, augmentOptions ? { transform: (x) => augment(x, { ...augmentOptions, seed: seed++ }) } : {});
    batchNorm = { layers: r.layers.length, images: r.images, augment: augmentOptions ?? null, data: bnData };
  }
  const made = { averageOf: paths, ...(batchNorm ? { batchNormRecomputed: batchNorm } : {}) };
  await saveModel(averaged, outDir, made);
  out(JSON.stringify({ out: outDir, ...made }));
  return EXIT.ok;
}

/** The `average` command. */
export const averageCommand: Command = {
  name: 'average',
  summary: 'average the weights of saved models of one architecture (weight averaging, model soups)',
  help: HELP,
  options: {
    out: { type: 'string' },
    'bn-data': { type: 'string' },
    'bn-images': { type: 'string' },
    'bn-config': { type: 'string' },
  },
  positionals: true,
  run,
};
