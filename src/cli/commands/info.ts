/**
 * `fer-cnn-lstm info`: package version, active backend, TensorFlow.js version, and where the
 * shipped weights are with their recorded accuracy.
 *
 * @packageDocumentation
 */
import type { ShippedModelInfo } from '../../inference/weights.js';
import { flag, UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, startBackend, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { pct } from '../output.js';
import { packageInfo } from '../package-info.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm info [--json]

Shows the package version, the TensorFlow.js backend in use, the TensorFlow.js version, and the
shipped weights with their recorded PublicTest accuracy (and CK+ accuracy, evaluation only, when
recorded).

Options:
  --json               print it as one JSON object

${GLOBAL_HELP}`;

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const backend = await startBackend(args);
  const { tf, tfl } = await import('../../backends/tf.js');
  const { shippedModelInfo, shippedWeightsLocation } = await import('../../inference/weights.js');
  const location = await shippedWeightsLocation();
  let meta: ShippedModelInfo | undefined;
  let metaError: string | undefined;
  try {
    meta = await shippedModelInfo();
  } catch (e) {
    metaError = (e as Error).message;
  }
  // CK+ (faces from another dataset), measured for information only; absent from older metadata
  const ckplus = meta?.crossDataset?.ckplus;
  const info = {
    name: packageInfo().name,
    version: packageInfo().version,
    backend,
    tfjs: { core: tf.version_core, layers: tfl.version_layers },
    node: process.version,
    weights: {
      location: location ?? null,
      publicTestAccuracy: meta?.publicTestAccuracy ?? null,
      tta: meta ? meta.tta ?? false : null,
      macroF1: meta?.macroF1 ?? null,
      epochs: meta?.epochs ?? null,
      calibration: meta?.calibration ? {
        temperature: meta.calibration.temperature, eceBefore: meta.calibration.eceBefore, eceAfter: meta.calibration.eceAfter,
      } : null,
      date: meta?.date ?? null,
      ckplus: ckplus ? {
        count: ckplus.count, accuracy: ckplus.accuracy, macroF1: ckplus.macroF1, accuracyUniformPrior: ckplus.accuracyUniformPrior,
        publicTestAccuracyUniformPrior: ckplus.publicTestAccuracyUniformPrior, evaluationOnly: true,
      } : null,
      ...(metaError ? { error: metaError } : {}),
    },
  };
  if (flag(args.values, 'json')) {
    out(JSON.stringify(info));
    return EXIT.ok;
  }
  const w = info.weights;
  const accuracy = w.publicTestAccuracy !== null
    ? `${pct(w.publicTestAccuracy, 2)} on FER-2013 PublicTest${w.tta ? ` (${w.tta === true ? 'flip' : w.tta} TTA, as predict runs it)` : ''}${w.macroF1 !== null ? `, macro-F1 ${w.macroF1.toFixed(3)}` : ''}`
      + `${w.epochs !== null ? `, ${w.epochs} epochs` : ''}${w.date ? `, trained ${w.date.slice(0, 10)}` : ''}`
    : metaError ?? 'not recorded';
  for (const [key, value] of [
    ['fer-cnn-lstm', info.version],
    ['backend', info.backend],
    ['tfjs', `core ${info.tfjs.core}, layers ${info.tfjs.layers}`],
    ['node', info.node],
    ['weights', w.location ?? 'not found (pass --weights to predict/evaluate)'],
    ['accuracy', accuracy],
    ...(w.ckplus ? [['CK+', `${pct(w.ckplus.accuracy, 2)} (evaluation only, ${w.ckplus.count} faces; classPrior 'uniform': ${pct(w.ckplus.accuracyUniformPrior, 2)})`]] : []),
    ...(w.calibration ? [['calibration', `temperature ${w.calibration.temperature.toFixed(3)} (fitted on PublicTest), ECE ${pct(w.calibration.eceBefore, 1)} → ${pct(w.calibration.eceAfter, 1)}`]] : []),
  ]) out(`${key.padEnd(14)}${value}`);
  return EXIT.ok;
}

/** The `info` command. */
export const infoCommand: Command = {
  name: 'info',
  summary: 'show version, backend and shipped-weights details',
  help: HELP,
  options: { json: { type: 'boolean' } },
  positionals: false,
  run,
};
