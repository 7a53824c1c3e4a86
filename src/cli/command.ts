/**
 * What every CLI command provides, and the steps they share: starting the backend, loading and
 * checking a model, loading a dataset. TensorFlow.js and the library modules are imported when a
 * command runs, not when the CLI starts, so that `--help` and usage errors are quick.
 *
 * @packageDocumentation
 */
import type { tfl } from '../backends/tf.js';
import type { FerDataset } from '../data/fer-dataset.js';
import type { WeightPrecision } from '../model/quantize.js';
import type { ModelVariant } from '../inference/variants.js';
import type { EmotionClassifier } from '../inference/classifier.js';
import type { TtaMode } from '../inference/tta.js';
import { EMOTIONS } from '../emotions.js';
import { stringOption, UsageError, type OptionSpecs, type ParsedArgs } from './args.js';
import { attachSource, oneLine, SourceError, withSource } from './errors.js';

/** A CLI command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Its options (the global ones are added). */
  options: OptionSpecs;
  /** Whether it takes positional arguments. */
  positionals: boolean;
  /** Runs it; resolves to the exit code. */
  run(args: ParsedArgs): Promise<number>;
}

/** The help lines of the global options, appended to every command's help. */
export const GLOBAL_HELP = `Global options:
  --backend <name>   TensorFlow.js backend: wasm (default in Node), cpu, tensorflow (needs @tensorflow/tfjs-node)
  --verbose          show stack traces and TensorFlow.js warnings
  -h, --help         show this help`;

/** Backend names `--backend` accepts. */
const BACKENDS = ['wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'];

/** Activates the backend named by `--backend` (or the best available). */
export async function startBackend(args: ParsedArgs): Promise<string> {
  const name = stringOption(args.values, 'backend');
  const { selectBackend, setBackend } = await import('../backends/select.js');
  if (name === undefined) return selectBackend();
  if (!BACKENDS.includes(name)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${name}"`);
  try {
    return await setBackend(name);
  } catch (e) {
    let msg = oneLine(e);
    if (!msg.includes(`"${name}"`)) msg = `backend "${name}": ${msg}`;
    if (name === 'tensorflow') msg = msg.replace('(is its package installed?)', '(npm install @tensorflow/tfjs-node)');
    throw new SourceError(msg, { cause: e });
  }
}

/** Precisions `--precision` accepts (the stored variants of the shipped weights). */
const PRECISIONS: readonly WeightPrecision[] = ['float32', 'float16', 'uint8'];

/**
 * `--precision float32|float16|uint8`: which stored precision of the shipped weights to load
 * (undefined when absent). A usage error with `--weights` (own weights have one precision).
 */
export function precisionOption(args: ParsedArgs): WeightPrecision | undefined {
  const p = stringOption(args.values, 'precision');
  if (p === undefined) return undefined;
  if (!(PRECISIONS as readonly string[]).includes(p)) throw new UsageError(`--precision must be one of ${PRECISIONS.join(', ')}, got "${p}"`);
  if (stringOption(args.values, 'weights') !== undefined) throw new UsageError('--precision selects a variant of the shipped weights: it cannot be combined with --weights');
  return p as WeightPrecision;
}

/**
 * Checks `--variant default|accurate` (which shipped model; a usage error with `--weights`) and
 * `--tta`/`--no-tta` (which contradict each other). The classifier that a command loads with
 * {@link loadCliClassifier} then runs the variant with its own TTA unless `--tta` or `--no-tta`
 * says otherwise ({@link ttaOption}).
 */
export async function applyVariantOption(args: ParsedArgs): Promise<void> {
  const variant = stringOption(args.values, 'variant') ?? 'default';
  if (args.values.tta === true && args.values['no-tta'] === true) throw new UsageError('--tta and --no-tta contradict each other');
  const own = stringOption(args.values, 'weights') !== undefined;
  const { MODEL_VARIANTS } = await import('../inference/variants.js');
  if (!(MODEL_VARIANTS as readonly string[]).includes(variant)) throw new UsageError(`--variant must be ${MODEL_VARIANTS.join(' or ')}, got "${variant}"`);
  if (own && args.values.variant !== undefined) throw new UsageError('--variant selects one of the shipped models: it cannot be combined with --weights');
}

/** The test-time augmentation that `--tta` (the flip) or `--no-tta` asks for; undefined: the model's own. */
export function ttaOption(args: ParsedArgs): TtaMode | undefined {
  return args.values.tta === true ? 'flip' : args.values['no-tta'] === true ? false : undefined;
}

/**
 * `--class-prior training|uniform|τ`: the class prior of the answers (undefined when absent); τ, a
 * number in 0–1, divides by the training frequencies to the power τ (part way to uniform).
 */
export function classPriorOption(args: ParsedArgs): 'training' | 'uniform' | number | undefined {
  const p = stringOption(args.values, 'class-prior');
  if (p === undefined) return undefined;
  if (p === 'training' || p === 'uniform') return p;
  const tau = /^(0|1|0?\.\d+|1\.0*)$/.test(p) ? Number(p) : NaN;
  if (!(tau >= 0 && tau <= 1)) throw new UsageError(`--class-prior must be training, uniform or a number in 0–1, got "${p}"`);
  return tau;
}

/**
 * Loads the classifier that the model options of a command name (`--weights`, `--variant`,
 * `--precision`, `--tta`/`--no-tta`, `--class-prior`), checks its shapes, and says where its
 * weights are (for messages). Errors name the weights location.
 */
export async function loadCliClassifier(args: ParsedArgs): Promise<{ classifier: EmotionClassifier; location: string }> {
  await applyVariantOption(args);
  const weights = stringOption(args.values, 'weights');
  const precision = precisionOption(args);
  const variant = (stringOption(args.values, 'variant') ?? 'default') as ModelVariant;
  const { shippedWeightsLocation } = await import('../inference/weights.js');
  const { shippedSubdir } = await import('../inference/variants.js');
  const root = weights ?? (await shippedWeightsLocation());
  if (root === undefined) {
    throw new SourceError('weights/model.json: the shipped weights are not installed with this copy of fer-cnn-lstm; pass --weights <folder or model.json>');
  }
  const { join } = await import('node:path');
  const sub = weights === undefined ? shippedSubdir(variant, precision ?? 'float32') : '';
  const location = sub ? join(root, sub) : root;
  const { EmotionClassifier } = await import('../inference/classifier.js');
  const { loadEmotionModel } = await import('../inference/weights.js');
  const options = { weights, variant, precision, tta: ttaOption(args), classPrior: classPriorOption(args) };
  // the model (cached) first, to name its location and shapes in errors; the classifier then takes it from the cache
  checkEmotionModel(await loadModelFrom(location, () => loadEmotionModel(options)), location);
  return { classifier: await EmotionClassifier.shared(options), location };
}

/** Model input side and classes the CLI expects. */
const SIZE = 48;

/**
 * Checks that a model takes `[null, 48, 48, 1]` gray faces and outputs the 7 emotions.
 * @throws SourceError naming `source` and the shapes found.
 */
export function checkEmotionModel(model: tfl.LayersModel, source: string): void {
  const ins = model.inputs.map((i) => i.shape);
  const outs = model.outputs.map((o) => o.shape);
  const show = (s: (number | null)[][]) => (s.length === 1 ? `[${s[0].map((d) => d ?? 'null').join(', ')}]` : `${s.length} tensors`);
  const [, h, w, c] = ins[0] ?? [];
  if (ins.length !== 1 || ins[0].length !== 4 || h !== SIZE || w !== SIZE || c !== 1) {
    throw new SourceError(`${source}: the model takes input ${show(ins)}, expected [null, ${SIZE}, ${SIZE}, 1] (48×48 gray faces)`);
  }
  if (outs.length !== 1 || outs[0].length !== 2 || outs[0][1] !== EMOTIONS.length) {
    throw new SourceError(`${source}: the model outputs ${show(outs)}, expected [null, ${EMOTIONS.length}] (the ${EMOTIONS.length} emotions)`);
  }
}

/**
 * Loads the model of `--weights` (a folder or `model.json`), or the shipped one, and checks its
 * shapes. Errors name the weights location.
 */
export async function loadCliModel(weights: string | undefined, precision?: WeightPrecision): Promise<{ model: tfl.LayersModel; location: string }> {
  const { loadEmotionModel, shippedWeightsLocation } = await import('../inference/weights.js');
  const root = weights ?? (await shippedWeightsLocation());
  if (root === undefined) {
    throw new SourceError('weights/model.json: the shipped weights are not installed with this copy of fer-cnn-lstm; pass --weights <folder or model.json>');
  }
  const { join } = await import('node:path');
  const location = weights === undefined && precision && precision !== 'float32' ? join(root, precision) : root;
  const model = await loadModelFrom(location, () => loadEmotionModel({ weights, precision }));
  checkEmotionModel(model, location);
  return { model, location };
}

/**
 * Runs a model load; failures become one {@link SourceError} naming `location`. TensorFlow.js's
 * own messages for a malformed model (`Cannot read properties of undefined …`, a weight of the
 * wrong size) are labelled as such.
 */
export async function loadModelFrom(location: string, load: () => Promise<tfl.LayersModel>): Promise<tfl.LayersModel> {
  const { assertFiniteWeights, notALayersModel } = await import('../inference/weights.js');
  let model: tfl.LayersModel;
  try {
    model = await load();
  } catch (e) {
    const why = await notALayersModel(location);
    if (why) throw new SourceError(why, { cause: e });
    const msg = oneLine(e);
    if (msg.includes(location) || /no such file|not a tfjs model\.json/.test(msg)) throw attachSource(location, e);
    throw new SourceError(`${location}: not a usable tfjs layers model (${msg})`, { cause: e });
  }
  try {
    assertFiniteWeights(model, location);
  } catch (e) {
    model.dispose();
    throw attachSource(location, e);
  }
  return model;
}

/** Loads `--data`: a `.csv` file with {@link FerDataset.fromCsv}, else a folder with {@link FerDataset.fromDirectory}. */
export async function loadDataset(data: string): Promise<FerDataset> {
  const { FerDataset } = await import('../data/fer-dataset.js');
  const dataset = await withSource(data, () => (/\.csv$/i.test(data) ? FerDataset.fromCsv(data) : FerDataset.fromDirectory(data)));
  // a header-only CSV or folders without images: an "accuracy 0.00%" or an empty training run would mean nothing
  if (dataset.length === 0) throw new SourceError(`${data}: no images in ${data}${/\.csv$/i.test(data) ? ' (only the header row?)' : ''}`);
  return dataset;
}

/**
 * Progress of a long job on stderr: a live `\r` line on a terminal, else a plain line every
 * `every` seconds (so that logs show it is alive without filling up). `done()` clears the live line.
 */
export function stderrProgress(label: string, every = 5, stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr): { update(done: number, total: number): void; done(): void } {
  const tty = stream.isTTY === true;
  const t0 = Date.now();
  let last = t0, shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      const secs = (now - t0) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const eta = rate > 0 ? Math.round((total - done) / rate) : undefined;
      const line = `${label}: ${done}/${total} images (${Math.round((100 * done) / total)}%)${rate > 0 ? `, ${Math.round(rate)} img/s` : ''}${eta !== undefined && done < total ? `, ETA ${eta}s` : ''}`;
      if (tty) { stream.write(`\r${line}\x1b[K`); shown = true; }
      else if (now - last >= every * 1000 && done < total) { stream.write(line + '\n'); last = now; }
    },
    done() {
      if (shown) { stream.write('\r\x1b[K'); shown = false; }
    },
  };
}
