/**
 * `predictFiles`: classify any number of image files (a whole folder, a million files) on every
 * core, as an async iterator of results in input order, with bounded memory.
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import type { Classification } from '../inference/predict.js';
import type { tfl } from '../backends/tf.js';
import type { EmotionClassifier } from '../inference/classifier.js';
import { runTask, type BatchFace, type FoundFace, type Task, type TaskItem, type TaskOptions, type TaskReply } from './core.js';
import { coreCount } from '../util/env.js';

export type { BatchFace, FoundFace, TaskOptions } from './core.js';

/** Options of {@link predictFiles}. */
export interface PredictFilesOptions extends TaskOptions {
  /**
   * Worker threads, each with its own backend and copy of the model. Default: the number of
   * cores (`os.availableParallelism()`). `0` runs everything in this thread (then `model` may be given).
   */
  workers?: number;
  /** A loaded model (only with `workers: 0`; workers load `weights` or the shipped weights themselves). */
  model?: tfl.LayersModel;
  /** A loaded classifier (only with `workers: 0`): answers instead of the model that the options name. */
  classifier?: EmotionClassifier;
  /** Files per task (one forward pass). Default 32, or 1 with `faces`. */
  chunkSize?: number;
  /** Tasks queued or running at once, at most (backpressure: memory stays flat). Default 2 per worker. */
  maxInFlight?: number;
  /** Stops the run: the iterator throws the signal's reason (an `AbortError`), workers are stopped. */
  signal?: AbortSignal;
  /** Called after each result is yielded. */
  onProgress?: (progress: BatchProgress) => void;
}

/** Progress of {@link predictFiles}. */
export interface BatchProgress {
  /** Files done (yielded), errors included. */
  done: number;
  /** Files that gave an error. */
  failed: number;
  /** Seconds since the run started. */
  elapsedSeconds: number;
  /** Files per second so far. */
  filesPerSecond: number;
}

/**
 * The answer for one file without `faces`: its classification, as the root `classifyEmotion`
 * gives it — of the image as it is when it is a face crop (or with `crop`), else of its most
 * prominent face, whose place `faceCount`, `box`, `crop` and `faceScore` then give.
 */
export interface FileClassification extends Classification<Emotion>, Partial<FoundFace> {
  file: string;
  /** Position of the file in the input (0-based). */
  index: number;
  status: 'ok';
}

/** A photo (not a face crop) in which the detector found no face, without `faces`: it gets no emotion. */
export interface FileNoFace {
  file: string;
  index: number;
  status: 'no-face';
}

/** The answer for one file with `faces`: every face found (maybe none). */
export interface FileFaces {
  file: string;
  index: number;
  status: 'ok';
  faces: BatchFace[];
}

/** A file that could not be read or classified (a missing file, a corrupt image). */
export interface FileError {
  file: string;
  index: number;
  status: 'error';
  /** One line naming the file and the problem. */
  error: string;
}

/** What {@link predictFiles} yields per file. */
export type FileResult = FileClassification | FileFaces | FileNoFace | FileError;

/** Number of cores. */
export async function defaultWorkers(): Promise<number> {
  return coreCount();
}

/** Something that runs tasks: the tinypool pool, or this thread. */
interface Runner {
  run(task: Task, signal?: AbortSignal): Promise<TaskReply>;
  close(): Promise<void>;
}

/**
 * `import()` that the CommonJS build keeps as a real dynamic import (esbuild turns a literal
 * `import()` into `require()` there, which cannot load an ESM-only package such as tinypool on Node 18).
 */
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

/**
 * The worker entry: the CommonJS `batch-worker.cjs` next to the built bundle (from the ESM build
 * too), or the sources through tsx. CommonJS because it `require()`s TensorFlow.js: importing
 * tfjs' CommonJS bundles from ESM makes Node scan them for their export names (cjs-module-lexer)
 * first, which took about 0.3 s of each worker's 0.45 s start (`bench:files`, README "Speed").
 */
function workerFile(): string {
  const here = import.meta.url;
  if (/\.ts$/.test(here)) return new URL('./worker-source.mjs', here).href;
  return new URL('./batch-worker.cjs', here).href;
}

async function startPool(workers: number): Promise<Runner> {
  const { Tinypool } = await importEsm<typeof import('tinypool')>('tinypool')
    // where code runs in a vm context without dynamic-import support for Function (vitest), the plain import
    .catch(() => import('tinypool'));
  const pool = new Tinypool({
    filename: workerFile(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // the worker's own environment: neither NODE_OPTIONS nor the Node flags of the parent (vitest's
    // or tsx's loaders: they would hook every module each worker loads, about 0.15 s of its start)
    env: { ...process.env, NODE_OPTIONS: '' } as Record<string, string>,
    execArgv: [],
  });
  let closing: Promise<void> | undefined;
  return {
    run: (task, signal) => pool.run(task, { signal }) as Promise<TaskReply>,
    close: () => (closing ??= pool.destroy()),
  };
}

function localRunner(options: TaskOptions, model?: tfl.LayersModel, classifier?: EmotionClassifier): Runner {
  let given: Promise<EmotionClassifier | undefined> | undefined;
  // a model given as is: its classifier (with the options' TTA and prior), made once for the run
  const resolve = () => given ??= classifier || !model ? Promise.resolve(classifier)
    : import('../inference/classifier.js').then(({ EmotionClassifier }) => EmotionClassifier.shared({ model, tta: options.tta, classPrior: options.classPrior, backend: options.backend }));
  return {
    run: async (task) => {
      let c: EmotionClassifier | undefined;
      try {
        c = await resolve();
      } catch (e) {
        return { fatal: `cannot use the model: ${(e as Error).message}` };
      }
      return runTask(task, c);
    },
    close: async () => {},
  };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

function toResult(file: string, index: number, item: TaskItem): FileResult {
  if (item.status === 'error') return { file, index, status: 'error', error: item.error };
  if (item.status === 'no-face') return { file, index, status: 'no-face' };
  if ('faces' in item) return { file, index, status: 'ok', faces: item.faces };
  return { file, index, status: 'ok', ...item.classification, ...item.found };
}

interface Pending {
  files: string[];
  first: number;
  reply: Promise<TaskReply | { crashed: string }>;
}

/**
 * Classifies image files on a pool of worker threads (tinypool; each worker has its own
 * TensorFlow.js backend — wasm by default — and its own copy of the model) and yields one result
 * per file, **in input order**, as soon as it (and every file before it) is done. Each file gets
 * exactly what `classifyEmotion` gives for it (or with `faces`, what `detectEmotions`
 * gives). A bad file (missing, not an image) is a result with `status: 'error'`, not the end of
 * the run; a model or detector that cannot load ends it (the iterator throws).
 *
 * Inputs are read lazily from any iterable or async iterable (e.g. {@link listImageFiles}) and at
 * most `maxInFlight` tasks of `chunkSize` files are queued at once, so memory stays flat however
 * many files there are. Breaking out of the loop or aborting `signal` stops the workers.
 *
 * @example
 * ```ts
 * import { predictFiles, listImageFiles } from 'fer-cnn-lstm/batch';
 * for await (const r of predictFiles(listImageFiles(['photos'], { recursive: true }), { workers: 4 })) {
 *   if (r.status === 'ok' && !('faces' in r)) console.log(r.file, r.emotion, r.confidence);
 * }
 * ```
 * @throws RangeError at the first step for bad options; Error when the model (or detector) cannot
 *   be loaded; the signal's reason when aborted.
 */
export async function* predictFiles(
  files: Iterable<string> | AsyncIterable<string>,
  options: PredictFilesOptions = {},
): AsyncGenerator<FileResult, void, undefined> {
  const { workers: workersOption, model, classifier, chunkSize: chunkOption, maxInFlight: inFlightOption, signal, onProgress, ...taskOptions } = options;
  const workers = workersOption ?? (await defaultWorkers());
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be an integer ≥ 0, got ${String(workers)}`);
  if ((model || classifier) && workers > 0) throw new RangeError(`${model ? 'model' : 'classifier'} can only be given with workers: 0 (worker threads load \`weights\` or the shipped weights themselves)`);
  const chunkSize = chunkOption ?? (taskOptions.faces ? 1 : 32);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be an integer ≥ 1, got ${String(chunkSize)}`);
  const maxInFlight = inFlightOption ?? Math.max(2, 2 * workers);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${String(maxInFlight)}`);
  if (signal?.aborted) throw abortError(signal);
  if (typeof files === 'string') throw new TypeError('predictFiles takes a list (or iterable) of file paths, not one string: wrap it in an array');

  const source: AsyncIterator<string> | Iterator<string> = Symbol.asyncIterator in Object(files)
    ? (files as AsyncIterable<string>)[Symbol.asyncIterator]()
    : (files as Iterable<string>)[Symbol.iterator]();
  const runner = workers === 0 ? localRunner(taskOptions, model, classifier) : await startPool(workers);
  const queue: Pending[] = [];
  const start = Date.now();
  let next = 0, done = 0, failed = 0, exhausted = false;
  const onAbort = () => { void runner.close(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      // keep up to maxInFlight tasks queued (reading inputs only as fast as results are taken)
      while (!exhausted && queue.length < maxInFlight) {
        const chunk: string[] = [];
        while (chunk.length < chunkSize) {
          const r = await source.next();
          if (r.done) { exhausted = true; break; }
          if (typeof r.value !== 'string') throw new TypeError(`predictFiles: input ${next + chunk.length} is ${typeof r.value}, expected a file path`);
          chunk.push(r.value);
        }
        if (chunk.length === 0) break;
        if (signal?.aborted) throw abortError(signal);
        const task: Task = { files: chunk, options: taskOptions };
        const reply = runner.run(task, signal).catch((e: unknown) => ({ crashed: e instanceof Error ? e.message : String(e) }));
        reply.catch(() => {}); // settled later, in order
        queue.push({ files: chunk, first: next, reply });
        next += chunk.length;
      }
      const head = queue.shift();
      if (!head) break;
      const reply = await head.reply;
      if (signal?.aborted) throw abortError(signal);
      if ('fatal' in reply) throw new Error(reply.fatal);
      const items: TaskItem[] = 'crashed' in reply
        // the worker died on this task (out of memory on a huge image…): its files fail, the pool starts a new worker
        ? head.files.map((f) => ({ status: 'error', error: `${f}: the worker failed (${reply.crashed})` }))
        : reply.items;
      for (let i = 0; i < head.files.length; i++) {
        const result = toResult(head.files[i], head.first + i, items[i]);
        done++;
        if (result.status === 'error') failed++;
        yield result;
        if (onProgress) {
          const elapsedSeconds = (Date.now() - start) / 1000;
          onProgress({ done, failed, elapsedSeconds, filesPerSecond: elapsedSeconds > 0 ? done / elapsedSeconds : 0 });
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await runner.close();
    if (!exhausted) await (source as AsyncIterator<string>).return?.();
  }
}
