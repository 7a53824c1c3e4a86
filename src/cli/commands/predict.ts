/**
 * `fer-cnn-lstm predict <image...>`: the emotion of each image, one line (or JSON object) per
 * image. A bad file gets an error line on stderr and the others are still answered.
 *
 * @packageDocumentation
 */
import type { Classification } from '../../inference/predict.js';
import { flag, intOption, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, loadCliModel, startBackend, type Command } from '../command.js';
import { attachSource, errorLine, EXIT } from '../errors.js';
import { formatPrediction } from '../output.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm predict <image...> [options]

Predicts the facial emotion of each image (JPEG or PNG, any size; colour is converted to gray and
the image resized to 48×48 — crop the face first).

Options:
  --weights <path>     model folder or model.json (default: the shipped pretrained weights)
  --tta                average each image with its mirror image (slower, a little more accurate)
  --json               one JSON object per image and line: {"file","emotion","confidence","scores"}
  --batch-size <n>     images per forward pass (default 64)

A file that cannot be read gets one error line on stderr; the exit code is then 1.

${GLOBAL_HELP}`;

/** The JSON line of one answer. */
function jsonLine(file: string, c: Classification): string {
  return JSON.stringify({ file, emotion: c.emotion, confidence: c.confidence, scores: c.scores });
}

async function run(args: ParsedArgs): Promise<number> {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('predict needs at least one image file');
  const json = flag(args.values, 'json');
  const tta = flag(args.values, 'tta');
  const batchSize = intOption(args.values, 'batch-size', 1) ?? 64;
  await startBackend(args);
  const { classifyEmotion } = await import('../../inference/predict.js');
  const { model } = await loadCliModel(stringOption(args.values, 'weights'));
  let failed = 0;
  const answer = (file: string, c: Classification) => out(json ? jsonLine(file, c) : formatPrediction(file, c));
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    let results: Classification[] | undefined;
    try {
      // the whole chunk in one pass; if any file is bad, fall back to one at a time to say which
      results = await classifyEmotion(chunk, { model, tta, batchSize });
    } catch {
      results = undefined;
    }
    if (results) {
      chunk.forEach((f, i) => answer(f, results![i]));
      continue;
    }
    for (const file of chunk) {
      try {
        answer(file, await classifyEmotion(file, { model, tta }));
      } catch (e) {
        failed++;
        process.stderr.write(errorLine(attachSource(file, e)) + '\n');
      }
    }
  }
  return failed > 0 ? EXIT.failure : EXIT.ok;
}

/** The `predict` command. */
export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict the emotion of face images',
  help: HELP,
  options: {
    weights: { type: 'string' },
    tta: { type: 'boolean' },
    json: { type: 'boolean' },
    'batch-size': { type: 'string' },
  },
  positionals: true,
  run,
};
