/**
 * The producer side of the emotion queue: `enqueueImages` adds one job per image (its id derived
 * from the image and options, so enqueueing the same images again adds nothing), and
 * `collectResults` yields each job's outcome as it finishes, keyed by job id.
 *
 * @packageDocumentation
 */
import { INPUT_DEFAULTS, readLocalImage } from './input-policy.js';
import { resolve as resolvePath } from 'node:path';
import { describeConnection, DEFAULT_QUEUE, toConnectionOptions, withTimeout, type RedisConnection } from './connection.js';
import { loadBullmq, type QueueImporters } from './deps.js';
import { ANSWER_OPTIONS, emotionJobId, type EmotionJobData, type EmotionJobResult } from './job.js';

/** The BullMQ job name of emotion jobs. */
export const JOB_NAME = 'emotion';

/** One image to enqueue: a file path, a URL or bytes (one of them), with an optional name and job id. */
export interface EnqueueImage {
  path?: string;
  url?: string;
  bytes?: Uint8Array;
  /** Shown in results and error messages (default: the path or URL). */
  name?: string;
  /** The job id (default: derived from the image and options, see {@link emotionJobId}). */
  jobId?: string;
}

/** Options shared by {@link enqueueImages} and {@link collectResults}. */
export interface QueueClientOptions {
  /** Redis: a `redis://host:port` URL, or BullMQ connection options. */
  connection: RedisConnection;
  /** The queue name. Default `fer-emotions`. */
  queue?: string;
  /** Milliseconds to wait for Redis before failing. Default 15000. */
  connectTimeoutMs?: number;
  /** @internal how bullmq is imported (tests). */
  importers?: QueueImporters;
}

/** Options of {@link enqueueImages}. */
export interface EnqueueOptions extends QueueClientOptions, Pick<EmotionJobData, typeof ANSWER_OPTIONS[number]> {
  /**
   * How a file is sent: `'bytes'` (default: read here and sent in the job, base64, so any worker
   * on any machine can answer) or `'path'` (only its absolute path: the workers read it, so it must
   * be on storage they share).
   */
  send?: 'bytes' | 'path';
  /** Tries per job (a crashed worker's job is put back without using one). Default 3. */
  attempts?: number;
  /** Milliseconds before the first retry, doubled each time. Default 1000. */
  backoffMs?: number;
  /**
   * Put the jobs of these images that already failed back in the queue (their ids are taken, so
   * otherwise enqueueing again keeps the old failure). Default false.
   */
  retryFailed?: boolean;
  /** Called after each batch of jobs is added. */
  onProgress?: (p: { added: number; total: number }) => void;
}

/** A job added (or found already there) by {@link enqueueImages}. */
export interface EnqueuedJob {
  jobId: string;
  /** The image's name: its path or URL as given, or the given name. */
  name: string;
  /** Set when the job had failed before and `retryFailed` put it back in the queue. */
  retried?: true;
}

/** How one job ended, from {@link collectResults}. */
export type JobOutcome =
  | { jobId: string; name?: string; ok: true; result: EmotionJobResult }
  | { jobId: string; name?: string; ok: false; reason: string };

const ADD_CHUNK = 100;

/**
 * Adds one job per image to the queue. Job ids are derived from each image's content (from its
 * path with `send: 'path'`, from the URL for URLs) and the answer options, unless given: the same
 * image enqueued twice is one job, and enqueueing a folder again adds only its new images.
 * Resolves to the jobs in input order (identical images share a job id).
 *
 * @example
 * ```ts
 * const jobs = await enqueueImages(['a.jpg', 'b.png'], { connection: 'redis://127.0.0.1:6379' });
 * for await (const r of collectResults(jobs.map((j) => j.jobId), { connection: 'redis://127.0.0.1:6379' })) {
 *   console.log(r.jobId, r.ok ? r.result : r.reason);
 * }
 * ```
 * @throws QueueDependencyError when `bullmq` is missing; Error when a file cannot be read or Redis cannot be reached.
 */
export async function enqueueImages(images: Iterable<string | EnqueueImage> | AsyncIterable<string | EnqueueImage>, options: EnqueueOptions): Promise<EnqueuedJob[]> {
  const { Queue } = await loadBullmq('queue producer', options.importers);
  const name = options.queue ?? DEFAULT_QUEUE;
  const attempts = options.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer ≥ 1, got ${options.attempts}`);
  const backoffMs = options.backoffMs ?? 1000;
  const send = options.send ?? 'bytes';
  const answer: Partial<EmotionJobData> = {};
  for (const k of ANSWER_OPTIONS) if (options[k] !== undefined) (answer as Record<string, unknown>)[k] = options[k];
  // the job id names the model that answers: another model's workers neither answer nor reuse it
  answer.model ??= await (await import('../inference/classifier.js')).emotionClassifierId();

  const queue = new Queue<EmotionJobData, EmotionJobResult>(name, { connection: toConnectionOptions(options.connection) });
  queue.on('error', () => undefined); // connection errors surface as failed calls below
  const jobs: EnqueuedJob[] = [];
  try {
    const timeout = options.connectTimeoutMs ?? 15_000;
    await withTimeout(queue.waitUntilReady(), timeout, `cannot reach Redis at ${describeConnection(options.connection)} (waited ${timeout / 1000} s)`);
    let batch: { name: string; data: EmotionJobData; opts: { jobId: string; attempts: number; backoff: { type: 'exponential'; delay: number } } }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await queue.addBulk(batch);
      if (options.retryFailed) {
        const ids = new Set(batch.map((b) => b.opts.jobId));
        const retried = new Set<string>();
        await Promise.all([...ids].map(async (id) => {
          if ((await queue.getJobState(id)) !== 'failed') return;
          const job = await queue.getJob(id);
          await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          retried.add(id);
        }));
        for (const j of jobs) if (retried.has(j.jobId)) j.retried = true;
      }
      batch = [];
      options.onProgress?.({ added: jobs.length, total: jobs.length });
    };
    for await (const item of images) {
      const img: EnqueueImage = typeof item === 'string' ? { path: item } : item;
      const given = (['path', 'url', 'bytes'] as const).filter((k) => img[k] !== undefined);
      if (given.length !== 1) throw new TypeError(`each image needs exactly one of path, url or bytes${given.length ? ` (got ${given.join(', ')})` : ''}`);
      const label = img.name ?? img.path ?? img.url ?? `image ${jobs.length + 1}`;
      const data: EmotionJobData = { name: label, ...answer };
      let jobId = img.jobId;
      if (img.url !== undefined) {
        data.url = img.url;
        jobId ??= emotionJobId({ url: img.url }, answer);
      } else if (img.bytes !== undefined) {
        data.base64 = Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength).toString('base64');
        jobId ??= emotionJobId({ bytes: img.bytes }, answer);
      } else if (send === 'path') {
        data.path = resolvePath(img.path!);
        jobId ??= emotionJobId({ path: data.path }, answer);
      } else {
        // a regular file of at most the workers' default input limit: not /dev/zero, not a FIFO
        const bytes = await readLocalImage(img.path!, INPUT_DEFAULTS.maxInputBytes);
        data.base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
        jobId ??= emotionJobId({ bytes }, answer);
      }
      jobs.push({ jobId, name: label });
      batch.push({ name: JOB_NAME, data, opts: { jobId, attempts, backoff: { type: 'exponential', delay: backoffMs } } });
      if (batch.length >= ADD_CHUNK) await flush();
    }
    await flush();
  } finally {
    await queue.close();
  }
  return jobs;
}

/** Options of {@link collectResults}. */
export interface CollectOptions extends QueueClientOptions {
  /** Called after each finished job. */
  onProgress?: (p: { done: number; failed: number; total: number }) => void;
  /** Milliseconds between full checks of the jobs not yet finished (events answer sooner). Default 3000. */
  pollMs?: number;
  /** Give up (throw) after this many milliseconds. Default: wait as long as it takes. */
  timeoutMs?: number;
  /** Stops waiting (throws an AbortError) when aborted. */
  signal?: AbortSignal;
  /**
   * Give up (throw, naming Redis) when Redis has not answered a check for this many milliseconds
   * — Redis gone for good. Default 60000. The jobs stay in the queue.
   */
  redisTimeoutMs?: number;
  /** Called on each Redis connection error while waiting (e.g. to say that Redis is not answering). Default: none. */
  onConnectionError?: (error: Error) => void;
}

/**
 * The outcomes of the jobs `jobIds`, each once, as they finish (jobs already finished come
 * first): `{ jobId, ok: true, result }` or `{ jobId, ok: false, reason }` (the worker's one-line
 * error). Listens to the queue's events and also checks the unfinished jobs every `pollMs`, so no
 * outcome is missed. A job id that is not in the queue gives `ok: false`.
 */
export async function* collectResults(jobIds: Iterable<string>, options: CollectOptions): AsyncGenerator<JobOutcome> {
  const { Queue, QueueEvents } = await loadBullmq('queue producer', options.importers);
  const name = options.queue ?? DEFAULT_QUEUE;
  const connection = toConnectionOptions(options.connection);
  const pending = new Set(jobIds);
  const total = pending.size;
  const pollMs = options.pollMs ?? 3000;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let done = 0;
  let failed = 0;
  if (total === 0) return;

  const queue = new Queue<EmotionJobData, EmotionJobResult>(name, { connection });
  const events = new QueueEvents(name, { connection, autorun: true });
  const onError = (e: Error) => options.onConnectionError?.(e);
  queue.on('error', onError);
  events.on('error', onError);
  const redisTimeoutMs = options.redisTimeoutMs ?? 60_000;
  const toCheck = new Set<string>();
  let wake: (() => void) | undefined;
  const onFinished = ({ jobId }: { jobId: string }) => {
    if (!pending.has(jobId)) return;
    toCheck.add(jobId);
    wake?.();
  };
  events.on('completed', onFinished);
  events.on('failed', onFinished);
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);

  /** The outcome of a job if it has finished. */
  const check = async (jobId: string): Promise<JobOutcome | undefined> => {
    // the state first: a job read before it finished would have no result yet
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return undefined;
    let job: Awaited<ReturnType<typeof queue.getJob>>;
    try {
      job = await queue.getJob(jobId);
    } catch (e) {
      // a job whose stored data is not JSON (added by hand) cannot be read back: an outcome, not the end of the wait
      if (e instanceof SyntaxError) return { jobId, ok: false, reason: 'job data is not valid JSON (added by hand?): the job cannot be read back' };
      throw e;
    }
    if (!job || state === 'unknown') return { jobId, ok: false, reason: `job ${jobId} is not in queue ${name} (never added, or removed)` };
    const jobName = typeof job.data?.name === 'string' ? { name: job.data.name } : {};
    if (state === 'completed') return { jobId, ...jobName, ok: true, result: job.returnvalue };
    return { jobId, ...jobName, ok: false, reason: job.failedReason || 'failed (no reason given)' };
  };

  try {
    const timeout = options.connectTimeoutMs ?? 15_000;
    await withTimeout(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), timeout, `cannot reach Redis at ${describeConnection(options.connection)} (waited ${timeout / 1000} s)`);
    let nextSweep = 0;
    while (pending.size > 0) {
      if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('collecting results was aborted', 'AbortError');
      if (Date.now() > deadline) throw new Error(`${pending.size} of ${total} jobs of queue ${name} did not finish within ${options.timeoutMs! / 1000} s`);
      let ids: string[];
      const sweep = Date.now() >= nextSweep;
      const sweepStart = Date.now();
      if (sweep) {
        ids = [...pending];
        toCheck.clear();
        nextSweep = Date.now() + pollMs;
      } else {
        ids = [...toCheck];
        toCheck.clear();
      }
      for (let i = 0; i < ids.length; i += ADD_CHUNK) {
        const outcomes = await withTimeout(Promise.all(ids.slice(i, i + ADD_CHUNK).map(check)), redisTimeoutMs,
          `Redis at ${describeConnection(options.connection)} has not answered for ${redisTimeoutMs / 1000} s: gave up waiting (the jobs stay in queue ${name})`);
        for (const o of outcomes) {
          if (!o || !pending.delete(o.jobId)) continue;
          done++;
          if (!o.ok) failed++;
          options.onProgress?.({ done, failed, total });
          yield o;
        }
      }
      // a full check of many jobs takes a while: space them out (events answer in between)
      if (sweep) nextSweep = Math.max(nextSweep, Date.now() + 4 * (Date.now() - sweepStart));
      if (pending.size === 0 || toCheck.size > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.max(0, Math.min(nextSweep, deadline) - Date.now()) + 1);
        function finish() { clearTimeout(timer); wake = undefined; resolve(); }
        wake = finish;
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // closing waits for Redis: with Redis gone, not longer than a moment
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([events.close(), queue.close()]),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, 2000); }),
    ]);
    clearTimeout(timer);
  }
}
