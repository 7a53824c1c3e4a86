/**
 * `fer-cnn-lstm worker --redis redis://host:port`: takes emotion jobs from a BullMQ queue in
 * Redis until stopped (SIGTERM or Ctrl-C: the running jobs finish, then exit 0). One line per
 * finished job on stdout, one per failed job on stderr.
 *
 * @packageDocumentation
 */
import { FACE_CROP_MAX_SIDE } from '../../detection/defaults.js';
import type { EmotionJobData, EmotionJobResult } from '../../queue/job.js';
import { flag, intOption, numberOption, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { redisOption } from '../redis-option.js';
import { GLOBAL_HELP, startBackend, type Command } from '../command.js';
import { EXIT, PROGRAM, SourceError } from '../errors.js';
import { formatPrediction } from '../output.js';
import { out } from '../quiet.js';
import { clip } from '../../util/text.js';

const HELP = `Usage: fer-cnn-lstm worker --redis <url> [options]

Takes emotion jobs from a BullMQ queue in Redis and answers them, until stopped. Start one (or
more) on every machine; jobs come from "fer-cnn-lstm enqueue" or the enqueueImages() API. Each job
is one image (a path on this machine, a URL, or the bytes); its result is the emotion, confidence
and scores of its face — a face crop (square, at most ${FACE_CROP_MAX_SIDE} px) as it is, else the most prominent face
the detector finds, with its box ("no face found" when there is none) — or, with --faces or when the
job asks, every face with its box. An image that cannot be
read fails its job at once, with the one-line error as its reason (not retried).

What a worker reads: by default only the image bytes carried in the job (enqueue without --paths,
base64 or data: URLs). Path jobs (enqueue --paths) are read only from the folders given with
--allow-paths, URL jobs fetched only under the prefixes given with --allow-urls (every redirect
too); any other path or URL — and a missing file, a folder, a FIFO, an unreachable address, an
HTTP error — fails with one and the same reason, so jobs cannot probe this machine or its network.
Every input is capped at --max-input-bytes and every job at --job-timeout.

Options:
  --redis <url>            Redis: redis://[user:password@]host:port[/db] (rediss:// for TLS);
                           default: the REDIS_URL environment variable (keeps a password out of ps)
  --queue <name>           queue name (default fer-emotions)
  --concurrency <n>        jobs at once; their images share forward passes (default 4)
  --faces                  find every face of each photo first, for jobs that don't say (enqueue
                           --faces says so in the job); give all workers of a queue the same choice
  --crop                   classify whole images (no detection), for jobs that say neither
  --weights <path>         model folder or model.json (default: the shipped pretrained weights)
  --variant <v>            shipped model: default, or accurate; not with --weights
  --precision <p>          stored precision of the shipped weights: float32 (default), float16 or uint8
  --class-prior <p>        training (default), uniform (faces balanced across emotions), or τ in 0–1
                           (part way)
  --detector <path>        the face detector's blazeface.json, for jobs that ask for faces
                           (default: the one shipped in the package)
  --allow-paths <dir>      read path jobs (and file: URLs) from regular files under <dir>, symlinks
                           resolved; repeat for more folders (default: path jobs are refused)
  --allow-urls <prefix>    fetch URL jobs that start with <prefix>, e.g. https://images.example.com/;
                           repeat for more (default: URL jobs other than data: are refused)
  --max-input-bytes <n>    largest image a job may bring or name, in bytes (default 20971520: 20 MB)
  --job-timeout <s>        a job still running after s seconds fails, not retried (default 60);
                           reading one input gets at most 30 s of it
  --lock-duration <ms>     a job's lock, renewed at half of it while the job runs (default 30000)
  --stalled-interval <ms>  how often to look for jobs of dead workers (default 30000)
  --max-stalled <n>        times a job may lose its worker before it fails (default 2)
  --name <name>            this worker's name, stored in its jobs (default: host:pid)
  --quiet                  no line per job

A worker that dies holds its jobs no longer: after --lock-duration another worker's check (every
--stalled-interval) puts them back in the queue, so a job lost with its worker is answered within
about lock-duration + stalled-interval. SIGTERM or Ctrl-C: no new jobs, the running ones finish,
exit 0; a second signal stops at once (the running jobs are then put back by the other workers).

Jobs that don't ask for --tta get the shipped variant's own setting, as predict does (none with
--weights). Each job names the model that must answer it (enqueue --weights/--variant/--precision/
--class-prior, the enqueueImages() option "model"): a worker running another model fails it
instead of answering. Its model id is printed at start.

Needs the optional packages: npm install bullmq ioredis

${GLOBAL_HELP}`;

/** A result with its name made safe for one log line. */
function safeName(r: EmotionJobResult): EmotionJobResult {
  return typeof r.name === 'string' ? { ...r, name: clip(r.name) } : r;
}

/** The values of a repeatable option (`--allow-paths a --allow-paths b`). */
function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  if (list.some((x) => x === '')) throw new UsageError(`--${name} needs a value`);
  return list;
}

/** The stdout line of a finished job. */
function resultLine(jobId: string, r: EmotionJobResult): string {
  const label = `${jobId}${r.name ? ` ${r.name}` : ''}`;
  if ('faces' in r) {
    if (r.faces.length === 0) return `${label}: no face found`;
    return r.faces.map((f, i) => formatPrediction(`${label} face ${i + 1} box ${[f.box.x, f.box.y, f.box.width, f.box.height].map((v) => Math.round(v)).join(',')}`, f)).join('\n');
  }
  if ('noFace' in r) return `${label}: no face found`;
  return formatPrediction(label, r);
}

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`worker takes no file arguments (got "${args.positionals[0]}")`);
  const redis = await redisOption(args);
  const { describeConnection, DEFAULT_QUEUE } = await import('../../queue/connection.js');
  const queue = stringOption(args.values, 'queue') ?? DEFAULT_QUEUE;
  const concurrency = intOption(args.values, 'concurrency', 1, 1000);
  const lockDuration = intOption(args.values, 'lock-duration', 100);
  const stalledInterval = intOption(args.values, 'stalled-interval', 100);
  const maxStalledCount = intOption(args.values, 'max-stalled', 0);
  const faces = flag(args.values, 'faces');
  const crop = flag(args.values, 'crop');
  if (faces && crop) throw new UsageError('--crop (the whole image is the face) and --faces (find every face) exclude each other');
  const quiet = flag(args.values, 'quiet');
  const detector = stringOption(args.values, 'detector');
  const allowPaths = listOption(args, 'allow-paths');
  const allowUrls = listOption(args, 'allow-urls');
  const maxInputBytes = intOption(args.values, 'max-input-bytes', 1);
  const jobTimeout = numberOption(args.values, 'job-timeout', 0.001);
  const { resolvePolicy } = await import('../../queue/input-policy.js');
  await resolvePolicy({ allowPaths, allowUrls, maxInputBytes }).catch((e: Error) => {
    throw new UsageError(e.message.replace(/^allowPaths/, '--allow-paths').replace(/^allowUrls/, '--allow-urls'));
  });
  const { hostname } = await import('node:os');
  const name = stringOption(args.values, 'name') ?? `${hostname()}:${process.pid}`;

  const { loadBullmq, QueueDependencyError } = await import('../../queue/deps.js');
  // a missing bullmq is one line before any model is loaded
  await loadBullmq('queue worker').catch((e) => { throw e instanceof QueueDependencyError ? new SourceError(e.message, { cause: e }) : e; });
  const backend = await startBackend(args);
  const { loadCliClassifier } = await import('../command.js');
  // the shipped variant with its own TTA, like predict; checks the shapes, names the weights in errors
  const { classifier } = await loadCliClassifier(args);
  const { createEmotionWorker, WORKER_DEFAULTS } = await import('../../queue/worker.js');
  let worker: Awaited<ReturnType<typeof createEmotionWorker>>;
  try {
    worker = await createEmotionWorker({
      connection: redis, queue, concurrency, faces, crop, classifier, detector, lockDuration, stalledInterval, maxStalledCount, name,
      allowPaths, allowUrls, maxInputBytes, jobTimeoutMs: jobTimeout === undefined ? undefined : Math.round(jobTimeout * 1000),
      onError: (e) => process.stderr.write(`${PROGRAM}: redis: ${clip(e.message, 500)}\n`),
    });
  } catch (e) {
    if (e instanceof QueueDependencyError) throw new SourceError(e.message, { cause: e });
    throw e;
  }
  process.stderr.write(`${PROGRAM}: worker ${name} on queue ${queue} at ${describeConnection(redis)} (${backend}, concurrency ${concurrency ?? WORKER_DEFAULTS.concurrency}, `
    + `lock ${(lockDuration ?? WORKER_DEFAULTS.lockDuration) / 1000} s, stalled check every ${(stalledInterval ?? WORKER_DEFAULTS.stalledInterval) / 1000} s${faces ? ', faces' : ''}; `
    + `reads image bytes in jobs${allowPaths ? `, files under ${allowPaths.join(', ')}` : ''}${allowUrls ? `, URLs under ${allowUrls.join(', ')}` : ''}), model ${classifier.id}\n`);

  // job ids, names and reasons come from whoever adds jobs: control characters escaped, long text cut
  worker.on('completed', (job, result) => { if (!quiet) out(resultLine(clip(job.id ?? '?'), safeName(result as EmotionJobResult))); });
  worker.on('failed', (job, err) => {
    if (quiet || !job) return;
    const data = job.data as EmotionJobData;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    const name = typeof data?.name === 'string' ? clip(data.name) : undefined;
    const reason = clip(err.message, 500);
    process.stderr.write(`${PROGRAM}: job ${clip(job.id ?? '?')}${name && !reason.includes(name) ? ` ${name}` : ''}: ${reason}${final ? '' : ` (attempt ${job.attemptsMade}, will be retried)`}\n`);
  });

  await new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        process.stderr.write(`${PROGRAM}: ${signal}: finishing the running jobs, then stopping (again to stop at once)\n`);
        worker.close().then(resolve, resolve);
      } else {
        worker.close(true).then(resolve, resolve);
      }
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    worker.on('closed', () => resolve());
  });
  process.stderr.write(`${PROGRAM}: worker ${name} stopped\n`);
  return EXIT.ok;
}

/** The `worker` command. */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'answer emotion jobs from a BullMQ queue in Redis (run one per machine)',
  help: HELP,
  options: {
    redis: { type: 'string' },
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    faces: { type: 'boolean' },
    crop: { type: 'boolean' },
    weights: { type: 'string' },
    variant: { type: 'string' },
    precision: { type: 'string' },
    'class-prior': { type: 'string' },
    detector: { type: 'string' },
    'allow-paths': { type: 'string', multiple: true },
    'allow-urls': { type: 'string', multiple: true },
    'max-input-bytes': { type: 'string' },
    'job-timeout': { type: 'string' },
    'lock-duration': { type: 'string' },
    'stalled-interval': { type: 'string' },
    'max-stalled': { type: 'string' },
    name: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  positionals: true,
  run,
};
