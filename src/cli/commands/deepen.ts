/**
 * `fer-cnn-lstm deepen --from <model> --convs 2,3,3 --data <dir> --out <dir>`: a trained CNN-LSTM
 * made deeper without changing what it computes (Net2DeeperNet), to train on from there.
 *
 * @packageDocumentation
 */
import { intOption, requiredString, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, loadDataset, loadModelFrom, startBackend, type Command } from '../command.js';
import { EXIT, oneLine, SourceError } from '../errors.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm deepen --from <model> --convs <list> --data <dir|csv> --out <dir> [options]

Makes a trained CNN-LSTM deeper without changing what it computes (Net2DeeperNet): every layer is
copied by name into buildCnnLstm({ convsPerBlock }), each new 3×3 convolution starts as the identity
and its batch norm passes its input through (its statistics measured on training images). The
deeper model is checked against the source and saved with where it came from in its metadata;
train it with "fer-cnn-lstm train --from <out>".

Options:
  --from <model>     the trained model (a folder or model.json)
  --convs <list>     convolutions per block of the deeper model, e.g. 2,3,3 (one number: every block)
  --data <dir|csv>   training images to measure the new batch norms on
  --out <dir>        output folder
  --model <json>     the source's other buildCnnLstm options, when not the defaults, e.g.
                     '{"filters":[32,64,128]}'
  --images <n>       training images measured (a seeded random subset; default 4096)

${GLOBAL_HELP}`;

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const v = args.values;
  const from = requiredString(v, 'from');
  const convsText = requiredString(v, 'convs');
  const data = requiredString(v, 'data');
  const outDir = requiredString(v, 'out');
  const images = intOption(v, 'images', 1) ?? 4096;
  if (!/^\s*\d+(\s*,\s*\d+)*\s*$/.test(convsText)) throw new UsageError(`--convs must be positive integers separated by commas (e.g. 2,3,3), got "${convsText}"`);
  const convs = convsText.split(',').map(Number);
  // one number: every block
  const convsPerBlock = convs.length === 1 ? convs[0] : convs;
  if (convs.some((c) => c < 1)) throw new UsageError(`--convs must be positive integers, got "${convsText}"`);
  let model: Record<string, unknown> = {};
  const modelText = stringOption(v, 'model');
  if (modelText !== undefined) {
    try {
      model = JSON.parse(modelText) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`--model must be a JSON object of buildCnnLstm options (${(e as Error).message})`);
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new UsageError(`--model must be a JSON object of buildCnnLstm options, got ${modelText}`);
  }
  await startBackend(args);
  const { loadModel, saveModel } = await import('../../model/io.js');
  const { deepenModel } = await import('../../training/deepen.js');
  const { Random } = await import('../../util/random.js');
  const source = await loadModelFrom(from, () => loadModel(from));
  const dataset = await loadDataset(data);
  const train = dataset.filter('Training').length > 0 ? dataset.filter('Training') : dataset;
  const pick = new Random(1).shuffle(Int32Array.from({ length: train.length }, (_, i) => i)).subarray(0, Math.min(images, train.length));
  const sample = train.subset(pick);
  let r;
  try {
    r = deepenModel(source, { convsPerBlock, model, images: sample.images, size: sample.size });
  } catch (e) {
    throw new SourceError(`${from}: ${oneLine(e).replace(/^deepenModel: /, '')}`);
  }
  const made = { deepenedFrom: from, convsPerBlock };
  await saveModel(r.model, outDir, made);
  process.stderr.write(`added ${r.added.join(', ')}; on ${r.checked} training images the largest probability difference is ${r.maxDifference.toExponential(2)}, ${r.agree}/${r.checked} answers agree\n`);
  out(JSON.stringify({ out: outDir, ...made }));
  return EXIT.ok;
}

/** The `deepen` command. */
export const deepenCommand: Command = {
  name: 'deepen',
  summary: 'make a trained model deeper without changing its answers (Net2DeeperNet), to train on',
  help: HELP,
  options: {
    from: { type: 'string' },
    convs: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    images: { type: 'string' },
  },
  positionals: false,
  run,
};
