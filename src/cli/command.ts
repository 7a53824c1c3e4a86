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
import type { ModelVariant } from '../inference/weights.js';
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
 * `--variant default|accurate`: which shipped model, with its TTA (`VARIANT_TTA` of src/inference/weights.ts) unless
 * `--tta` or `--no-tta` says otherwise. `accurate` becomes what it means, `--weights <shipped
 * weights>/accurate[/<precision>]`, so that every path of a command (one image, faces, folders)
 * runs it; afterwards {@link ttaOption} gives the mode to run. A usage error with
 * `--weights` (own weights run with `--tta` only when asked).
 */
export async function applyVariantOption(args: ParsedArgs): Promise<void> {
  const variant = stringOption(args.values, 'variant') ?? 'default';
  if (args.values.tta === true && args.values['no-tta'] === true) throw new UsageError('--tta and --no-tta contradict each other');
  const own = stringOption(args.values, 'weights') !== undefined;
  const { MODEL_VARIANTS, VARIANT_TTA, shippedSubdir, shippedWeightsLocation } = await import('../inference/weights.js');
  if (!(MODEL_VARIANTS as readonly string[]).includes(variant)) throw new UsageError(`--variant must be ${MODEL_VARIANTS.join(' or ')}, got "${variant}"`);
  if (own && args.values.variant !== undefined) throw new UsageError('--variant selects one of the shipped models: it cannot be combined with --weights');
  const chosen = args.values.tta === true ? true : args.values['no-tta'] === true ? false : undefined;
  delete args.values['no-tta'];
  // the CLI's --tta is the flip; a shipped variant's own mode ('auto') is kept as a string for ttaOption
  const mode: TtaMode = chosen ?? (own ? false : VARIANT_TTA[variant as ModelVariant]);
  args.values.tta = mode === 'flip' ? true : mode;
  if (variant === 'default') return;
  const precision = precisionOption(args) ?? 'float32';
  const root = await shippedWeightsLocation();
  if (root === undefined) throw new SourceError('weights/model.json: the shipped weights are not installed with this copy of fer-cnn-lstm');
  const { join } = await import('node:path');
  args.values.weights = join(root, shippedSubdir(variant as ModelVariant, precision));
  delete args.values.precision;
}

/** The test-time augmentation a command runs, as {@link applyVariantOption} resolved it. */
export function ttaOption(args: ParsedArgs): TtaMode {
  const v = args.values.tta;
  return v === true ? 'flip' : v === 'auto' || v === 'ten-crop' ? v : false;
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
