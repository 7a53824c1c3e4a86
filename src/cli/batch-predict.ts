/**
 * `fer-cnn-lstm predict <folder|files…> --out results.csv|.jsonl [--recursive] [--faces]
 * [--workers N] [--resume]`: batch prediction on a pool of worker threads, streaming one row per
 * file (per face) to the output as results come, with a progress display on stderr. Called by
 * the `predict` command when a folder is given or one of the batch options is used.
 *
 * @packageDocumentation
 */
import { flag, intOption, numberOption, stringOption, UsageError, type ParsedArgs } from './args.js';
import { EXIT, SourceError, errorLine } from './errors.js';
import { formatPrediction } from './output.js';
import { classPriorOption, ttaOption } from './command.js';
import type { ModelVariant } from '../inference/variants.js';
import type { WeightPrecision } from '../model/quantize.js';
import { countImageFiles, listImageFiles } from '../batch/files.js';
import { csvHeader, formatOf, formatResult, readResumeState, type OutputFormat } from '../batch/output.js';
import { defaultWorkers, predictFiles, type FileResult } from '../batch/predict-files.js';
import { ProgressDisplay } from '../batch/progress.js';
import { lockOutput, openOutput, OutputFileError, refuseOutputIsInput } from '../util/output-file.js';

export { BATCH_HELP } from './batch-help.js';

/** The options that make `predict` a batch run (besides a folder among the inputs). */
export const BATCH_OPTIONS = ['out', 'workers', 'recursive', 'resume'] as const;

/** Whether `predict` with these arguments is a batch run. */
export async function isBatchRun(args: ParsedArgs): Promise<boolean> {
  if (BATCH_OPTIONS.some((o) => args.values[o] !== undefined)) return true;
  const { stat } = await import('node:fs/promises');
  for (const p of args.positionals) if ((await stat(p).catch(() => undefined))?.isDirectory()) return true;
  return false;
}

interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

function stdoutSink(): Sink {
  return {
    async write(text) {
      if (!process.stdout.write(text)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
    },
    close: async () => {},
  };
}

/** Readable stdout lines of one result (no --out, no --json), as the non-batch `predict` prints them. */
function readable(r: FileResult): string {
  if (r.status === 'error') return '';
  if ('faces' in r) {
    if (r.faces.length === 0) return `${r.file}: no face found\n`;
    return r.faces.map((f, i) => {
      const { x, y, width, height } = f.box;
      return formatPrediction(`${r.file} face ${i + 1} box ${[x, y, width, height].map((v) => Math.round(v)).join(',')}`, f) + '\n';
    }).join('');
  }
  if (r.status === 'no-face') return `${r.file}: no face found\n`;
  return formatPrediction(r.file, r) + '\n';
}

/** Runs `predict` in batch mode; resolves to the exit code (1 when any file failed). */
export async function runBatchPredict(args: ParsedArgs): Promise<number> {
  const inputs = args.positionals;
  if (inputs.length === 0) throw new UsageError('predict needs at least one image file or folder');
  const outPath = stringOption(args.values, 'out');
  const toStdout = outPath === undefined || outPath === '-';
  const resume = flag(args.values, 'resume');
  if (resume && toStdout) throw new UsageError('--resume needs --out <file> (the output to continue)');
  const faces = flag(args.values, 'faces');
  const recursive = flag(args.values, 'recursive');
  const workers = intOption(args.values, 'workers', 1, 1024) ?? (await defaultWorkers());
  const batchSize = intOption(args.values, 'batch-size', 1);
  const format: OutputFormat = toStdout ? 'jsonl' : formatOf(outPath);
  const readableStdout = toStdout && !flag(args.values, 'json');
  const precision = stringOption(args.values, 'precision') as WeightPrecision | undefined;
  const crop = flag(args.values, 'crop');
  const options = {
    workers, faces, crop, signal: undefined as AbortSignal | undefined,
    weights: stringOption(args.values, 'weights'), precision, tta: ttaOption(args),
    variant: stringOption(args.values, 'variant') as ModelVariant | undefined, classPrior: classPriorOption(args),
    backend: stringOption(args.values, 'backend'),
    chunkSize: faces ? undefined : batchSize !== undefined ? Math.min(batchSize, 256) : undefined,
    minFaceScore: numberOption(args.values, 'min-face-score', 0, 1, true),
    maxFaces: intOption(args.values, 'max-faces', 1),
    minFaceSize: numberOption(args.values, 'min-face-size', 1),
    detector: stringOption(args.values, 'detector'),
  };
  if (crop) {
    if (faces) throw new UsageError('--crop (the whole image is the face) and --faces (find every face) exclude each other');
    const faceOnly = ['min-face-score', 'max-faces', 'min-face-size', 'detector'].find((o) => args.values[o] !== undefined);
    if (faceOnly) throw new UsageError(`--${faceOnly} cannot be used with --crop (which detects no face)`);
  }

  const header = csvHeader(faces);
  let done = new Set<string>();
  let append = false, keepBytes = 0, hasHeader = false;
  let sink: Sink;
  if (toStdout) sink = stdoutSink();
  else {
    const { resolve } = await import('node:path');
    const { statSync } = await import('node:fs');
    const asSource = (e: unknown) => (e instanceof OutputFileError ? new SourceError(e.message, { cause: e }) : e);
    // before anything is opened for writing: the output must not be one of the images
    const { isImageName } = await import('../data/image-files.js');
    await refuseOutputIsInput(outPath!, { inputs, recursive, listed: isImageName }).catch((e) => { throw asSource(e); });
    let regular = true;
    try { regular = statSync(outPath!).isFile(); } catch { /* not there yet */ }
    // one writer at a time: a second run on the same output stops here, before reading it
    const release = regular ? await lockOutput(outPath!).catch((e) => { throw asSource(e); }) : () => {};
    try {
      if (resume && regular) {
        const state = await readResumeState(outPath!, format, format === 'csv' ? header : undefined).catch((e: Error) => {
          throw new SourceError(e.message, { cause: e });
        });
        ({ keepBytes, hasHeader } = state);
        // rows are matched by resolved path: the folder may be spelled otherwise this time
        done = new Set([...state.done].map((f) => resolve(f)));
        const { existsSync } = await import('node:fs');
        append = existsSync(outPath!);
      }
      sink = await openOutput(outPath!, { append, keepBytes: append ? keepBytes : undefined, lock: release });
    } catch (e) {
      release();
      throw asSource(e);
    }
  }
  if (format === 'csv' && !hasHeader) await sink.write(header.join(',') + '\n');

  const { resolve: resolvePath } = await import('node:path');
  const progress = new ProgressDisplay(process.stderr);
  let skipped = 0;
  const { unreadableNameWarning } = await import('../data/image-files.js');
  const list = { recursive, onUnreadableName: (dir: string, raw: Buffer) => process.stderr.write(`fer-cnn-lstm: ${unreadableNameWarning(dir, raw)}\n`) };
  void countImageFiles(inputs, list).then((n) => progress.setTotal(n), () => {});
  async function* pending(): AsyncGenerator<string, void, undefined> {
    for await (const f of listImageFiles(inputs, list)) {
      if (done.size > 0 && done.has(resolvePath(f))) { skipped++; progress.setSkipped(skipped); continue; }
      yield f;
    }
  }

  const controller = new AbortController();
  options.signal = controller.signal;
  let interrupted = false;
  const onSigint = () => { interrupted = true; controller.abort(); };
  process.once('SIGINT', onSigint);
  let count = 0, failed = 0;
  try {
    for await (const r of predictFiles(pending(), options)) {
      count++;
      if (r.status === 'error') {
        failed++;
        if (toStdout) process.stderr.write((progress.isTty ? '\r\x1b[K' : '') + errorLine(new SourceError(r.error)) + '\n');
      }
      if (readableStdout) {
        const text = readable(r);
        if (text) await sink.write(text);
      } else await sink.write(formatResult(r, format, faces));
      progress.update(count, failed);
    }
  } catch (e) {
    controller.abort();
    if (!interrupted) throw e instanceof SourceError ? e : new SourceError((e as Error).message, { cause: e });
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
    await sink.close().catch((e) => { throw new SourceError((e as Error).message, { cause: e }); });
  }
  if (!interrupted && count === 0 && skipped === 0) {
    // as enqueue does: an empty folder is a mistake to name, not a silent success
    throw new SourceError(`${inputs.join(', ')}: no .jpg, .jpeg or .png files${recursive ? '' : ' (subfolders are searched with --recursive)'}`);
  }
  if (resume && done.size > 0 && skipped === 0) {
    process.stderr.write(`fer-cnn-lstm: warning: none of the ${done.size} files already in ${outPath} is among this run's inputs: every file was done again (is it the output of another folder?)\n`);
  }
  if (interrupted) {
    process.stderr.write(`interrupted after ${count} files${toStdout ? '' : `; continue with the same command and --resume (${outPath} keeps every finished row)`}\n`);
    return EXIT.interrupted;
  }
  return failed > 0 ? EXIT.failure : EXIT.ok;
}
