/**
 * `fer-cnn-lstm enqueue <folder|image...> --redis redis://host:port`: adds one job per image to the
 * emotion queue (ids derived from the images: enqueueing again adds nothing new), and with
 * `--wait` collects the results as the workers finish them.
 *
 * @packageDocumentation
 */
import { DEFAULT_DETECT_OPTIONS, FACE_CROP_MAX_SIDE } from '../../detection/defaults.js';
import { MIN_FACE_SIZE } from '../../detection/scan.js';
import type { JobOutcome } from '../../queue/producer.js';
import { flag, intOption, numberOption, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { redisOption } from '../redis-option.js';
import { applyVariantOption, classPriorOption, GLOBAL_HELP, precisionOption, type Command } from '../command.js';
import type { ModelVariant } from '../../inference/variants.js';
import { EXIT, PROGRAM, SourceError } from '../errors.js';
import { formatPrediction } from '../output.js';
import { out } from '../quiet.js';
import { clip } from '../../util/text.js';

const HELP = `Usage: fer-cnn-lstm enqueue <folder|image...> --redis <url> [options]

Adds one job per image (JPEG, PNG; WebP, AVIF, TIFF, GIF with sharp; folders are searched, subfolders included) to a BullMQ queue
in Redis, for "fer-cnn-lstm worker" processes on any machines. Job ids are derived from the image's
content and the options, so enqueueing the same images again adds no new jobs, and with --wait
collects the results that are already there.

Options:
  --redis <url>            Redis: redis://[user:password@]host:port[/db] (rediss:// for TLS);
                           default: the REDIS_URL environment variable (keeps a password out of ps)
  --queue <name>           queue name (default fer-emotions)
  --paths                  send each file's absolute path, not its bytes: the workers read the
                           files themselves (they must see them at the same path: shared storage);
                           job ids then come from the paths, so a changed file is not asked again;
                           the workers must allow the folder (worker --allow-paths <dir>)
  --attempts <n>           tries per job when a worker fails (default 3; unreadable images are
                           not retried, jobs of a crashed worker are put back without using one)
  --retry-failed           put the jobs of these images that failed before back in the queue
                           (otherwise enqueueing again keeps, and --wait reports, the old failure)
  --wait                   wait for the results and print one line per image, as predict does
  --out <file>             with --wait: write the results to <file>, one JSON object per line:
                             {"file","jobId","emotion","confidence","scores"}  (or "faces":[...])
                             {"file","jobId","error"}                          (a failed job)
  --json                   JSON lines on stdout (with --wait the results, else {"file","jobId"})
  --timeout <s>            with --wait: give up after s seconds (exit 1; the jobs stay queued)
  --redis-timeout <s>      with --wait: give up when Redis has not answered for s seconds (default 60;
                           exit 1, the jobs stay queued); a lost connection is reported when it happens

What the workers answer (with the model they run: give the options their workers were started with):
  --weights <path>         the workers' model folder or model.json (default: the shipped weights)
  --variant <v>            the workers' shipped model: default or accurate
  --precision <p>          the workers' precision of the shipped weights (default float32)
  --class-prior <p>        the workers' class prior: training (default), uniform or τ in 0–1
  --faces                  every face of each photo (boxes, emotions)
  --crop                   classify each whole image as a face (default: a face crop, square and at
                           most ${FACE_CROP_MAX_SIDE} px, as it is; any other image's most prominent face, with its box)
  --tta                    average each image with its mirror image
  --min-face-score <n>     detection: ignore faces scored below n, 0–1 (default ${DEFAULT_DETECT_OPTIONS.minFaceScore})
  --max-faces <n>          detection: at most n faces per photo (default ${DEFAULT_DETECT_OPTIONS.maxFaces})
  --min-face-size <px>     detection: also scan in tiles for faces down to px pixels

With --wait the exit code is 1 if any job failed. Interrupted, the jobs stay in the queue: run the
same command again to collect their results.

Needs the optional packages: npm install bullmq ioredis

${GLOBAL_HELP}`;

/** The JSON object of one image's outcome. */
function outcomeJson(file: string, o: JobOutcome): string {
  if (!o.ok) return JSON.stringify({ file, jobId: o.jobId, error: o.reason });
  return JSON.stringify({ file, jobId: o.jobId, ...Object.fromEntries(Object.entries(o.result ?? {}).filter(([k]) => k !== 'name')) });
}

/** The readable line(s) of one image's outcome (null for a failure: it goes to stderr). */
function outcomeText(file: string, o: JobOutcome): string | null {
  if (!o.ok) return null;
  const r = o.result;
  if ('faces' in r) {
    if (r.faces.length === 0) return `${file}: no face found`;
    return r.faces.map((f, i) => formatPrediction(`${file} face ${i + 1} box ${[f.box.x, f.box.y, f.box.width, f.box.height].map((v) => Math.round(v)).join(',')}`, f)).join('\n');
  }
  if ('noFace' in r) return `${file}: no face found`;
  return formatPrediction(file, r);
}

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('enqueue needs at least one image file or folder');
  const redis = await redisOption(args);
  const { describeConnection, DEFAULT_QUEUE } = await import('../../queue/connection.js');
  const queue = stringOption(args.values, 'queue') ?? DEFAULT_QUEUE;
  const wait = flag(args.values, 'wait');
  const json = flag(args.values, 'json');
  const outFile = stringOption(args.values, 'out');
  if (outFile !== undefined && !wait) throw new UsageError('--out needs --wait');
  const timeout = numberOption(args.values, 'timeout', 0);
  const redisTimeout = numberOption(args.values, 'redis-timeout', 0.1);
  if (redisTimeout !== undefined && !wait) throw new UsageError('--redis-timeout needs --wait');
  if (timeout !== undefined && !wait) throw new UsageError('--timeout needs --wait');
  const attempts = intOption(args.values, 'attempts', 1, 100);
  const faces = flag(args.values, 'faces');
  const crop = flag(args.values, 'crop');
  if (faces && crop) throw new UsageError('--crop (the whole image is the face) and --faces (find every face) exclude each other');
  const answer = {
    faces: faces || undefined,
    crop: crop || undefined,
    tta: flag(args.values, 'tta') || undefined,
    minFaceScore: numberOption(args.values, 'min-face-score', 0, 1, true),
    maxFaces: intOption(args.values, 'max-faces', 1),
    minFaceSize: numberOption(args.values, 'min-face-size', MIN_FACE_SIZE),
  };
  const faceOnly = (['min-face-score', 'max-faces', 'min-face-size'] as const).find((o) => args.values[o] !== undefined);
  if (faceOnly && crop) throw new UsageError(`--${faceOnly} cannot be used with --crop (which detects no face)`);
  // the model the workers must run: part of each job's id (see worker --help)
  await applyVariantOption(args);
  const { emotionClassifierId } = await import('../../inference/classifier.js');
  const model = await emotionClassifierId({
    weights: stringOption(args.values, 'weights'), variant: stringOption(args.values, 'variant') as ModelVariant | undefined,
    precision: precisionOption(args), classPrior: classPriorOption(args),
  });

  if (outFile !== undefined) {
    // before anything is enqueued or opened for writing: the output must not be one of the images
    const { refuseOutputIsInput } = await import('../../util/output-file.js');
    const { isImageName } = await import('../../data/image-files.js');
    await refuseOutputIsInput(outFile, { inputs: args.positionals, recursive: true, listed: isImageName })
      .catch((e: Error) => { throw new SourceError(e.message, { cause: e }); });
  }
  const { listImageFiles, MissingPathError } = await import('../../queue/files.js');
  let files: string[];
  try {
    const { unreadableNameWarning } = await import('../../data/image-files.js');
    files = await listImageFiles(args.positionals, { onUnreadableName: (dir, raw) => process.stderr.write(`${PROGRAM}: ${unreadableNameWarning(dir, raw)}\n`) });
  } catch (e) {
    if (e instanceof MissingPathError) throw new SourceError(e.message);
    throw e;
  }
  if (files.length === 0) throw new SourceError(`${args.positionals.join(', ')}: no .jpg, .jpeg or .png files`);

  const { enqueueImages, collectResults } = await import('../../queue/producer.js');
  const { QueueDependencyError } = await import('../../queue/deps.js');
  const where = `queue ${queue} at ${describeConnection(redis)}`;
  let jobs: Awaited<ReturnType<typeof enqueueImages>>;
  try {
    jobs = await enqueueImages(files, { connection: redis, queue, attempts, retryFailed: flag(args.values, 'retry-failed'), send: flag(args.values, 'paths') ? 'path' : 'bytes', ...answer, model });
  } catch (e) {
    if (e instanceof QueueDependencyError) throw new SourceError(e.message, { cause: e });
    throw e;
  }
  const filesOf = new Map<string, string[]>();
  for (const j of jobs) filesOf.set(j.jobId, [...(filesOf.get(j.jobId) ?? []), j.name]);
  const retried = new Set(jobs.filter((j) => j.retried).map((j) => j.jobId)).size;
  process.stderr.write(`${PROGRAM}: enqueued ${files.length} image${files.length === 1 ? '' : 's'} as ${filesOf.size} job${filesOf.size === 1 ? '' : 's'} on ${where}${retried ? ` (${retried} failed before: retried)` : ''}\n`);
  if (!wait) {
    if (json) for (const j of jobs) out(JSON.stringify({ file: j.name, jobId: j.jobId }));
    return EXIT.ok;
  }

  let sink: import('../../util/output-file.js').OutputSink | undefined;
  if (outFile !== undefined) {
    const { openOutput } = await import('../../util/output-file.js');
    sink = await openOutput(outFile).catch((e: Error) => { throw new SourceError(e.message, { cause: e }); });
  }
  const tty = process.stderr.isTTY === true;
  let lastShown = 0;
  let lastConnectionError = 0;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted: the jobs stay in the queue; run the same command again to collect their results'));
  process.on('SIGINT', onSigint);
  let done = 0;
  let failed = 0;
  let collected = false;
  try {
    for await (const o of collectResults(filesOf.keys(), {
      connection: redis, queue, signal: controller.signal, timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      redisTimeoutMs: redisTimeout === undefined ? undefined : redisTimeout * 1000,
      onConnectionError: (e) => {
        if (Date.now() - lastConnectionError < 10_000) return;
        lastConnectionError = Date.now();
        if (tty) process.stderr.write('\r\x1b[K');
        process.stderr.write(`${PROGRAM}: Redis at ${describeConnection(redis)} is not answering (${clip(e.message, 200)}); waiting up to ${redisTimeout ?? 60} s for it\n`);
      },
      onProgress: (p) => {
        if (!tty || Date.now() - lastShown < 200) return;
        lastShown = Date.now();
        process.stderr.write(`\r${p.done}/${p.total} jobs done${p.failed ? ` (${p.failed} failed)` : ''}`);
      },
    })) {
      done++;
      if (!o.ok) failed++;
      for (const file of filesOf.get(o.jobId) ?? [o.jobId]) {
        if (sink) await sink.write(outcomeJson(file, o) + '\n').catch((e: Error) => { throw new SourceError(`${e.message}; the jobs stay in the queue: run the same command again to collect their results`, { cause: e }); });
        else if (json) out(outcomeJson(file, o));
        else {
          const text = outcomeText(file, o);
          if (text !== null) out(text);
        }
        if (!o.ok) {
          if (tty) process.stderr.write('\r\x1b[K');
          const reason = clip(o.reason, 500); // written by a worker, or by anyone who can reach Redis
          process.stderr.write(`${PROGRAM}: ${reason.includes(file) ? reason : `${file}: ${reason}`}\n`);
        }
      }
    }
    collected = true;
  } finally {
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write('\r\x1b[K');
    if (sink) await sink.close().catch((e: Error) => { if (collected) throw new SourceError(e.message, { cause: e }); });
  }
  process.stderr.write(`${PROGRAM}: ${filesOf.size} job${filesOf.size === 1 ? '' : 's'} finished: ${done - failed} answered, ${failed} failed${outFile ? ` (results in ${outFile})` : ''}\n`);
  return failed > 0 ? EXIT.failure : EXIT.ok;
}

/** The `enqueue` command. */
export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: 'add image jobs to the BullMQ queue in Redis (and with --wait, collect the results)',
  help: HELP,
  options: {
    redis: { type: 'string' },
    queue: { type: 'string' },
    paths: { type: 'boolean' },
    attempts: { type: 'string' },
    'retry-failed': { type: 'boolean' },
    wait: { type: 'boolean' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    'redis-timeout': { type: 'string' },
    faces: { type: 'boolean' },
    crop: { type: 'boolean' },
    tta: { type: 'boolean' },
    weights: { type: 'string' },
    variant: { type: 'string' },
    precision: { type: 'string' },
    'class-prior': { type: 'string' },
    'min-face-score': { type: 'string' },
    'max-faces': { type: 'string' },
    'min-face-size': { type: 'string' },
  },
  positionals: true,
  run,
};
