/**
 * `createEmotionWorker`: a BullMQ worker that classifies the images of an emotion queue. Each job
 * is one image ({@link EmotionJobData}); its result is the classification, or the faces of a
 * photo with `faces`. A worker reads only the image bytes in a job unless it allows paths
 * (`allowPaths`) or URLs (`allowUrls`); every input is capped in bytes and time, every job in time
 * (see {@link InputPolicy}). Images that cannot be read fail their job at once (BullMQ's
 * `UnrecoverableError`: not retried, the one-line message is the job's failed reason); any other
 * failure is retried as the job's `attempts` allow. A worker that dies (killed, out of memory, the
 * machine lost) holds its jobs' locks no longer: after `lockDuration` another worker's stalled-job
 * check (every `stalledInterval`) puts them back in the queue.
 *
 * Concurrent jobs are classified together: the images of the jobs that are waiting for the model
 * go through it in one forward pass.
 *
 * @packageDocumentation
 */
import type { Job, Worker } from 'bullmq';
import type { tfl } from '../backends/tf.js';
import { EMOTIONS, type Emotion } from '../emotions.js';
import type { WeightPrecision } from '../model/quantize.js';
import type { TtaMode } from '../inference/tta.js';
import type { EmotionClassifier } from '../inference/classifier.js';
import type { ClassPrior } from '../inference/prior.js';
import type { ModelVariant } from '../inference/variants.js';
import { describeConnection, DEFAULT_QUEUE, toConnectionOptions, withTimeout, type RedisConnection } from './connection.js';
import { loadBullmq, type QueueImporters } from './deps.js';
import type { EmotionJobData, EmotionJobResult, JobFace } from './job.js';
import { oneLine, clip } from '../util/text.js';
import { checkJobData, JobDataError, tolerateUnreadableData } from './job-data.js';
import { InputRefusedError, readJobInput, resolvePolicy, type InputPolicy } from './input-policy.js';

/** Defaults of {@link EmotionWorkerOptions}. */
export const WORKER_DEFAULTS = {
  concurrency: 4,
  /** A job's lock lasts 30 s and is renewed every 15 s while it runs: a dead worker's jobs go back after at most this. */
  lockDuration: 30_000,
  /** Every worker looks for jobs whose lock expired this often. */
  stalledInterval: 30_000,
  /** A job put back this many times (it killed its workers each time) fails as "stalled more than allowable limit". */
  maxStalledCount: 2,
  /** How long to wait for Redis at start. */
  connectTimeoutMs: 15_000,
  /** Longest one job may take (reading, detecting, classifying) before it fails for good. */
  jobTimeoutMs: 60_000,
} as const;

/** Options of {@link createEmotionWorker}. */
export interface EmotionWorkerOptions extends InputPolicy {
  /** Redis: a `redis://host:port` URL, or BullMQ connection options. */
  connection: RedisConnection;
  /** The queue name. Default `fer-emotions`. */
  queue?: string;
  /** Jobs run at once (their images share forward passes). Default 4. */
  concurrency?: number;
  /** Find the faces of each photo first, for jobs that don't say (`data.faces`). Default false. */
  faces?: boolean;
  /**
   * The classifier that answers (see `EmotionClassifier.load`): its model, TTA (for jobs that
   * don't say) and class prior; its `id` is checked against each job's `model`. Default: one
   * loaded from `model`, `weights`, `variant`, `precision`, `tta` and `classPrior`.
   */
  classifier?: EmotionClassifier;
  /**
   * Classify whole images (no detection), for jobs that say neither `faces` nor `crop`. Default
   * false: a face crop (square, at most 96 px) as it is, any other image's most prominent face.
   */
  crop?: boolean;
  /** A loaded model to use (default: `weights`, else the shipped one). Ignored with `classifier`. */
  model?: tfl.LayersModel;
  /** Weights to load instead of the shipped ones: a folder or `model.json`. Ignored with `classifier`. */
  weights?: string;
  /** Which shipped model (`'default'` or `'accurate'`), with its own TTA. Default `'default'`. Ignored with `classifier`, `model` or `weights`. */
  variant?: ModelVariant;
  /** Precision of the shipped weights (`'float32'`, `'float16'`, `'uint8'`). Default `'float32'`. Ignored with `classifier`. */
  precision?: WeightPrecision;
  /** TTA for jobs that don't say. Default: the shipped variant's own, none for `model` or `weights`. Ignored with `classifier`. */
  tta?: TtaMode;
  /** The class prior of the answers (see `ClassPrior`). Default `'training'`. Ignored with `classifier`. */
  classPrior?: ClassPrior;
  /** TensorFlow.js backend. Default: the best available. */
  backend?: string;
  /** The face detector's `blazeface.json` (default: the one shipped in the package). */
  detector?: string;
  /** Milliseconds a job's lock lasts (renewed at half of it while the job runs). Default 30000. */
  lockDuration?: number;
  /** Milliseconds between stalled-job checks. Default 30000. */
  stalledInterval?: number;
  /** Times a job may be put back after its worker died before it fails. Default 2. */
  maxStalledCount?: number;
  /** This worker's name (stored as the jobs' `processedBy`). */
  name?: string;
  /** Connection and worker errors (default: printed on stderr, at most once per 5 s each). */
  onError?: (error: Error) => void;
  /** Milliseconds to wait for Redis at start before failing. Default 15000. */
  connectTimeoutMs?: number;
  /** Milliseconds one job may take before it fails for good (not retried). Default 60000. */
  jobTimeoutMs?: number;
  /** @internal how bullmq is imported (tests). */
  importers?: QueueImporters;
}

export { JobDataError } from './job-data.js';

/** A job that ran past the worker's `jobTimeoutMs`. */
class JobTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobTimeoutError';
  }
}


/** A pending forward pass of one image. */
interface Pending {
  image: { width: number; height: number; data: Uint8Array; channels: 1 };
  resolve: (r: { emotion: Emotion; confidence: number; scores: Record<Emotion, number>; lowContrast?: true }) => void;
  reject: (e: unknown) => void;
}

/** Collects the images of concurrent jobs and classifies them in one pass (per `tta` setting). */
class Batcher {
  private readonly pending = new Map<TtaMode, Pending[]>();
  private scheduled = false;

  constructor(private readonly classifier: EmotionClassifier, private readonly maxBatch: number) {}

  classify(image: Pending['image'], tta: TtaMode): Promise<Parameters<Pending['resolve']>[0]> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(tta) ?? [];
      list.push({ image, resolve, reject });
      this.pending.set(tta, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    for (const [tta, list] of [...this.pending]) {
      this.pending.delete(tta);
      for (let i = 0; i < list.length; i += this.maxBatch) {
        const chunk = list.slice(i, i + this.maxBatch);
        try {
          const out = await this.classifier.classify(chunk.map((p) => p.image), { tta, batchSize: this.maxBatch });
          chunk.forEach((p, k) => p.resolve(out[k]));
        } catch (e) {
          chunk.forEach((p) => p.reject(e));
        }
      }
    }
    this.scheduled = false;
    if (this.pending.size > 0) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }
}

function positive(name: string, v: number | undefined, fallback: number, min = 1): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  return n;
}

/**
 * Starts a worker on the emotion queue: loads the model (and the face detector with `faces`),
 * connects to Redis and takes jobs until `worker.close()`. `close()` lets the running jobs
 * finish; `close(true)` stops at once and leaves them to the stalled-job check of the other
 * workers.
 *
 * @example
 * ```ts
 * const worker = await createEmotionWorker({ connection: 'redis://127.0.0.1:6379', concurrency: 4 });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 * @throws QueueDependencyError when `bullmq` or `ioredis` is not installed; Error when Redis cannot be reached in time.
 */
export async function createEmotionWorker(options: EmotionWorkerOptions): Promise<Worker<EmotionJobData, EmotionJobResult>> {
  const { UnrecoverableError, Worker } = await loadBullmq('queue worker', options.importers);
  const queue = options.queue ?? DEFAULT_QUEUE;
  const concurrency = positive('concurrency', options.concurrency, WORKER_DEFAULTS.concurrency);
  const lockDuration = positive('lockDuration', options.lockDuration, WORKER_DEFAULTS.lockDuration, 100);
  const stalledInterval = positive('stalledInterval', options.stalledInterval, WORKER_DEFAULTS.stalledInterval, 100);
  const maxStalledCount = positive('maxStalledCount', options.maxStalledCount, WORKER_DEFAULTS.maxStalledCount, 0);
  const connection = toConnectionOptions(options.connection);
  const jobTimeoutMs = positive('jobTimeoutMs', options.jobTimeoutMs, WORKER_DEFAULTS.jobTimeoutMs, 1);
  const policy = await resolvePolicy(options);

  const { EmotionClassifier } = await import('../inference/classifier.js');
  const { toRasters, ImageInputError } = await import('../inference/input.js');
  const { toGraySquare } = await import('../data/image.js');
  const { isFaceCrop, mostProminent } = await import('../detection/photo.js');
  const { detectFaceCrops } = await import('../detection/detect-emotions.js');
  // a job without `tta` gets what predictEmotion gives: the classifier's own TTA (the shipped variant's, none for other models)
  const classifier = options.classifier ?? await EmotionClassifier.shared({
    model: options.model, weights: options.weights, variant: options.variant, precision: options.precision,
    backend: options.backend, tta: options.tta, classPrior: options.classPrior,
  });
  const model = classifier.model;
  const defaultTta = classifier.tta;
  const shape = model.inputs[0]?.shape ?? [];
  const side = shape[1] ?? 48;
  if ((model.outputs[0]?.shape ?? [])[1] !== EMOTIONS.length) throw new Error(`the model has ${model.outputs[0]?.shape[1]} outputs: the queue worker needs the ${EMOTIONS.length} FER-2013 emotions`);
  if (options.faces) {
    const { loadFaceDetector } = await import('../detection/detector.js');
    await loadFaceDetector(options.detector);
  }
  const batcher = new Batcher(classifier, Math.max(concurrency, 1));
  // compile the kernels now, not on the first job
  await batcher.classify({ width: side, height: side, channels: 1, data: new Uint8Array(side * side) }, false);

  /** The error a job fails with: input errors are final (UnrecoverableError), others retried. Control characters escaped, long text cut. */
  const jobError = (e: unknown, data: EmotionJobData | undefined): Error => {
    let msg = clip(oneLine(e), 500);
    const name = typeof data?.name === 'string' ? clip(data.name, 200) : undefined;
    if (name && !msg.includes(name)) msg = `${name}: ${msg}`;
    const finalError = (e instanceof ImageInputError && !/cannot fetch/.test(e.message)) || e instanceof JobDataError || e instanceof InputRefusedError || e instanceof JobTimeoutError;
    return finalError ? new UnrecoverableError(msg) : new Error(msg, { cause: e });
  };

  const runJob = async (data: EmotionJobData, signal: AbortSignal): Promise<EmotionJobResult> => {
    const input = checkJobData(data);
    if (data.model !== undefined && data.model !== classifier.id) {
      // its id says which model's answer it holds: another model's would be served as this one's
      throw new JobDataError(`job is for the model "${clip(data.model)}" but this worker runs "${classifier.id}": enqueue it with this worker's model, or start a worker with that model`);
    }
    const image = await readJobInput(input, policy, signal);
    const name = typeof data.name === 'string' ? { name: data.name } : {};
    const tta: TtaMode = data.tta === true ? 'flip' : data.tta === false ? false : defaultTta;
    if (data.faces ?? options.faces ?? false) {
      const { detectEmotions } = await import('../detection/detect-emotions.js');
      const found = await detectEmotions(image, {
        classifier, tta, detector: options.detector,
        minFaceScore: data.minFaceScore, maxFaces: data.maxFaces, minFaceSize: data.minFaceSize,
      });
      const faces: JobFace[] = found.map((f) => ({ box: f.box, emotion: f.emotion, confidence: f.confidence, scores: f.scores, faceScore: f.faceScore }));
      return { ...name, faces };
    }
    const rasters = await toRasters(image);
    if (rasters.length !== 1) throw new ImageInputError(`holds ${rasters.length} images, expected one`);
    let [face] = rasters;
    let found: { faceCount: number; box: JobFace['box']; faceScore: number } | undefined;
    if (!(data.crop ?? options.crop ?? false) && !isFaceCrop(face.width, face.height)) {
      // a photo: its most prominent face, as the root classifyEmotion answers
      const faces = await detectFaceCrops(face, {
        detector: options.detector, minFaceScore: data.minFaceScore, maxFaces: data.maxFaces, minFaceSize: data.minFaceSize,
      });
      if (faces.length === 0) return { ...name, noFace: true as const };
      const best = mostProminent(faces);
      face = best.pixels;
      found = { faceCount: faces.length, box: best.face.box, faceScore: best.face.score };
    }
    const gray = toGraySquare(face, side).pixels;
    const c = await batcher.classify({ width: side, height: side, channels: 1, data: gray }, tta);
    return { ...name, emotion: c.emotion, confidence: c.confidence, scores: c.scores, ...(c.lowContrast ? { lowContrast: true as const } : {}), ...found };
  };

  const processJob = async (job: Job<EmotionJobData, EmotionJobResult>): Promise<EmotionJobResult> => {
    const data = job.data;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        runJob(data, controller.signal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new JobTimeoutError(`job took longer than this worker's limit of ${jobTimeoutMs / 1000} s`));
          }, jobTimeoutMs);
        }),
      ]);
    } catch (e) {
      throw jobError(e, data);
    } finally {
      clearTimeout(timer);
    }
  };

  // a job whose stored data is not JSON fails for good instead of staying active
  const TolerantWorker = tolerateUnreadableData(Worker);
  const worker = new TolerantWorker<EmotionJobData, EmotionJobResult>(queue, processJob, {
    connection, concurrency, lockDuration, stalledInterval, maxStalledCount, autorun: true,
    ...(options.name ? { name: options.name } : {}),
  });
  const lastSaid = new Map<string, number>();
  worker.on('error', (e: Error) => {
    if (options.onError) { options.onError(e); return; }
    const msg = clip(oneLine(e), 500);
    const now = Date.now();
    if ((lastSaid.get(msg) ?? 0) > now - 5000) return;
    lastSaid.set(msg, now);
    process.stderr.write(`fer-cnn-lstm queue worker: ${msg}\n`);
  });
  const timeout = options.connectTimeoutMs ?? WORKER_DEFAULTS.connectTimeoutMs;
  try {
    await withTimeout(worker.waitUntilReady(), timeout, `cannot reach Redis at ${describeConnection(options.connection)} (waited ${timeout / 1000} s)`);
  } catch (e) {
    await worker.close(true).catch(() => undefined);
    throw e;
  }
  return worker;
}
