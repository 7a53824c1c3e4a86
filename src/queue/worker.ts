/**
 * `createEmotionWorker`: a BullMQ worker that classifies the images of an emotion queue. Each job
 * is one image ({@link EmotionJobData}); its result is the classification, or the faces of a
 * photo with `faces`. Images that cannot be read fail their job at once (BullMQ's
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
import { describeConnection, DEFAULT_QUEUE, toConnectionOptions, withTimeout, type RedisConnection } from './connection.js';
import { loadBullmq, type QueueImporters } from './deps.js';
import type { EmotionJobData, EmotionJobResult, JobFace } from './job.js';

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
} as const;

/** Options of {@link createEmotionWorker}. */
export interface EmotionWorkerOptions {
  /** Redis: a `redis://host:port` URL, or BullMQ connection options. */
  connection: RedisConnection;
  /** The queue name. Default `fer-emotions`. */
  queue?: string;
  /** Jobs run at once (their images share forward passes). Default 4. */
  concurrency?: number;
  /** Find the faces of each photo first, for jobs that don't say (`data.faces`). Default false. */
  faces?: boolean;
  /**
   * Classify whole images (no detection), for jobs that say neither `faces` nor `crop`. Default
   * false: a face crop (square, at most 96 px) as it is, any other image's most prominent face.
   */
  crop?: boolean;
  /** A loaded model to use (default: `weights`, else the shipped one). */
  model?: tfl.LayersModel;
  /** Weights to load instead of the shipped ones: a folder or `model.json`. */
  weights?: string;
  /** Precision of the shipped weights (`'float32'`, `'float16'`, `'uint8'`). */
  precision?: WeightPrecision;
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
  /** @internal how bullmq is imported (tests). */
  importers?: QueueImporters;
}

/** Job data that holds no image (or several): the job fails at once. */
export class JobDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobDataError';
  }
}

/** A job's image as `predictEmotion` input. @throws JobDataError when the data holds no (or several) images, or bad options. */
function jobImage(data: EmotionJobData | undefined): string | Uint8Array {
  const given = data && typeof data === 'object' ? (['path', 'url', 'base64'] as const).filter((k) => typeof data[k] === 'string' && data[k] !== '') : [];
  if (!data || given.length !== 1) {
    throw new JobDataError(`job data needs exactly one image: "path", "url" or "base64"${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`);
  }
  const bad = (key: string, what: string) => new JobDataError(`job data "${key}" must be ${what}, got ${JSON.stringify(data[key as keyof EmotionJobData])}`);
  for (const key of ['faces', 'crop', 'tta'] as const) if (data[key] !== undefined && typeof data[key] !== 'boolean') throw bad(key, 'true or false');
  const num = (key: 'minFaceScore' | 'maxFaces' | 'minFaceSize', ok: (v: number) => boolean, what: string) => {
    const v = data[key];
    if (v !== undefined && (typeof v !== 'number' || !ok(v))) throw bad(key, what);
  };
  num('minFaceScore', (v) => v >= 0 && v <= 1, 'a number in 0–1');
  num('maxFaces', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  num('minFaceSize', (v) => Number.isFinite(v) && v >= 1, 'a number ≥ 1 (pixels)');
  if (data.base64 !== undefined && given[0] === 'base64') return new Uint8Array(Buffer.from(data.base64, 'base64'));
  return (data.path ?? data.url)!;
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || (e instanceof Error ? e.name : 'unknown error');
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

  constructor(private readonly model: tfl.LayersModel, private readonly maxBatch: number) {}

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
    const { classifyEmotion } = await import('../inference/predict.js');
    for (const [tta, list] of [...this.pending]) {
      this.pending.delete(tta);
      for (let i = 0; i < list.length; i += this.maxBatch) {
        const chunk = list.slice(i, i + this.maxBatch);
        try {
          const out = await classifyEmotion(chunk.map((p) => p.image), { model: this.model, tta, batchSize: this.maxBatch });
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

  const { loadEmotionModel } = await import('../inference/weights.js');
  const { toRasters, ImageInputError } = await import('../inference/input.js');
  const { toGraySquare } = await import('../data/image.js');
  const { isFaceCrop, mostProminent } = await import('../detection/photo.js');
  const { detectFaceCrops } = await import('../detection/detect-emotions.js');
  const model = options.model ?? await loadEmotionModel({ weights: options.weights, precision: options.precision, backend: options.backend });
  // a job without `tta` gets what predictEmotion gives: the shipped default model's own TTA, none for other models
  const { resolveTta } = await import('../inference/predict.js');
  const defaultTta = resolveTta({ model: options.model, weights: options.weights });
  const shape = model.inputs[0]?.shape ?? [];
  const side = shape[1] ?? 48;
  if ((model.outputs[0]?.shape ?? [])[1] !== EMOTIONS.length) throw new Error(`the model has ${model.outputs[0]?.shape[1]} outputs: the queue worker needs the ${EMOTIONS.length} FER-2013 emotions`);
  if (options.faces) {
    const { loadFaceDetector } = await import('../detection/detector.js');
    await loadFaceDetector(options.detector);
  }
  const batcher = new Batcher(model, Math.max(concurrency, 1));
  // compile the kernels now, not on the first job
  await batcher.classify({ width: side, height: side, channels: 1, data: new Uint8Array(side * side) }, false);

  /** The error a job fails with: input errors are final (UnrecoverableError), others retried. */
  const jobError = (e: unknown, data: EmotionJobData | undefined): Error => {
    let msg = oneLine(e);
    const name = typeof data?.name === 'string' ? data.name : undefined;
    if (name && !msg.includes(name)) msg = `${name}: ${msg}`;
    const finalError = (e instanceof ImageInputError && !/cannot fetch/.test(e.message)) || e instanceof JobDataError;
    return finalError ? new UnrecoverableError(msg) : new Error(msg, { cause: e });
  };

  const processJob = async (job: Job<EmotionJobData, EmotionJobResult>): Promise<EmotionJobResult> => {
    const data = job.data;
    try {
      const image = jobImage(data);
      const name = typeof data.name === 'string' ? { name: data.name } : {};
      const tta: TtaMode = data.tta === true ? 'flip' : data.tta === false ? false : defaultTta;
      if (data.faces ?? options.faces ?? false) {
        const { detectEmotions } = await import('../detection/detect-emotions.js');
        const found = await detectEmotions(image, {
          model, tta, detector: options.detector,
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
    } catch (e) {
      throw jobError(e, data);
    }
  };

  const worker = new Worker<EmotionJobData, EmotionJobResult>(queue, processJob, {
    connection, concurrency, lockDuration, stalledInterval, maxStalledCount, autorun: true,
    ...(options.name ? { name: options.name } : {}),
  });
  const lastSaid = new Map<string, number>();
  worker.on('error', (e: Error) => {
    if (options.onError) { options.onError(e); return; }
    const msg = oneLine(e);
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
