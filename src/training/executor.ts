/**
 * Where gradients are computed: in this thread ({@link LocalExecutor}, any backend, browsers
 * too) or data-parallel over Node `worker_threads` ({@link WorkerExecutor}, one wasm backend per
 * worker: wasm's own thread pool does not start in Node).
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { shardGradients, type ShardRequest } from './loss.js';
import { EmotionClassifier } from '../inference/classifier.js';
import type { ShardResult, WorkerRequest, WorkerResponse } from './protocol.js';
import type { TtaMode } from '../inference/tta.js';

/** Computes shard gradients and predictions for the trainer. */
export interface GradientExecutor {
  /** Parallel shards per step. */
  readonly parallelism: number;
  /** One result per shard, in order. `weights` are all of `model.weights` (ignored in-process). */
  step(weights: Float32Array[] | undefined, shards: ShardRequest[]): Promise<ShardResult[]>;
  /** Class probabilities for `pixels`, `[n × classes]`, with test-time augmentation `tta`. */
  predict(weights: Float32Array[] | undefined, pixels: Uint8Array, size: number, tta: TtaMode): Promise<Float32Array>;
  /** Stops workers. */
  close(): Promise<void>;
}

/** Reads weights out of a model as plain arrays. */
export function readWeights(weights: tfl.LayerVariable[]): Float32Array[] {
  return weights.map((w) => (w.read().dataSync() as Float32Array).slice());
}

/** Writes plain arrays into a model's weights (same order and sizes). */
export function writeWeights(weights: tfl.LayerVariable[], values: Float32Array[]): void {
  if (values.length !== weights.length) throw new Error(`expected ${weights.length} weight arrays, got ${values.length}`);
  tf.tidy(() => weights.forEach((w, i) => w.write(tf.tensor(values[i], w.shape as number[]))));
}

/** Computes everything in this thread, on the model itself. */
export class LocalExecutor implements GradientExecutor {
  readonly parallelism = 1;
  /** The model's forward pass for predictions (made on first use; it follows the weight updates). */
  private classifier?: EmotionClassifier<string>;
  constructor(private readonly model: tfl.LayersModel) {}

  async step(_weights: Float32Array[] | undefined, shards: ShardRequest[]): Promise<ShardResult[]> {
    return shards.map((shard) => {
      const g = shardGradients(this.model, shard);
      const grads = g.grads.map((t) => t.dataSync() as Float32Array);
      tf.dispose(g.grads);
      return { grads, nonTrainable: readWeights(this.model.nonTrainableWeights), lossSum: g.lossSum, correct: g.correct, count: g.count };
    });
  }

  async predict(_weights: Float32Array[] | undefined, pixels: Uint8Array, size: number, tta: TtaMode): Promise<Float32Array> {
    this.classifier ??= EmotionClassifier.fromModel<string>(this.model);
    if (size !== this.classifier.inputSize) throw new RangeError(`the model takes ${this.classifier.inputSize}×${this.classifier.inputSize} images, got ${size}×${size}`);
    return this.classifier.probabilities(pixels, { tta, batchSize: 256 });
  }

  async close(): Promise<void> {
    this.classifier?.dispose();
    this.classifier = undefined;
  }
}

interface Pending {
  resolve: (r: WorkerResponse) => void;
  reject: (e: Error) => void;
}

/**
 * Starts the worker script next to this module: `worker.cjs` when built (from the ESM build too:
 * CommonJS `require()`s TensorFlow.js without the export-name scan that Node runs on CommonJS
 * imported from ESM, about 0.3 s per worker), or
 * `worker.ts` through tsx's loader when running from source (tsx, vitest).
 */
async function spawnWorker(): Promise<import('node:worker_threads').Worker> {
  const { Worker } = await import('node:worker_threads');
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('./worker.ts', here).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
    return new Worker(boot, { eval: true });
  }
  // without the parent's Node flags: a loader such as tsx's would hook every module it loads
  return new Worker(new URL('./worker.cjs', here), { execArgv: [] });
}

/** Data-parallel gradients over Node worker threads. */
export class WorkerExecutor implements GradientExecutor {
  private workers: import('node:worker_threads').Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private failure?: Error;

  private constructor(readonly parallelism: number) {}

  /** Starts `count` workers, each rebuilding `model` on `backend`. */
  static async start(model: tfl.LayersModel, count: number, backend = 'wasm', fastBatchNorm = true): Promise<WorkerExecutor> {
    const ex = new WorkerExecutor(count);
    const topology = JSON.stringify(model.toJSON(undefined, false));
    const started = await Promise.all(Array.from({ length: count }, () => spawnWorker()));
    await Promise.all(started.map((w) => new Promise<void>((resolve, reject) => {
      ex.workers.push(w);
      const onFirst = (m: WorkerResponse) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'error') reject(new Error(`gradient worker failed to start: ${m.message}`));
        w.off('message', onFirst);
        w.on('message', (msg: WorkerResponse) => ex.onMessage(msg));
      };
      w.on('message', onFirst);
      w.on('error', (e) => { ex.fail(e); reject(e); });
      w.on('exit', (code) => { if (code !== 0) ex.fail(new Error(`gradient worker exited with code ${code}`)); });
      w.postMessage({ type: 'init', topology, backend, fastBatchNorm } satisfies WorkerRequest);
    })));
    return ex;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private onMessage(m: WorkerResponse): void {
    if (!('id' in m) || m.id === undefined) {
      if (m.type === 'error') this.fail(new Error(m.message));
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(new Error(`gradient worker: ${m.message}`));
    else p.resolve(m);
  }

  private call(worker: number, msg: Omit<WorkerRequest & { id: number }, 'id'>): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[worker].postMessage({ ...msg, id });
    });
  }

  async step(weights: Float32Array[] | undefined, shards: ShardRequest[]): Promise<ShardResult[]> {
    if (!weights) throw new Error('WorkerExecutor.step needs the weights');
    if (shards.length > this.workers.length) throw new Error(`${shards.length} shards for ${this.workers.length} workers`);
    const replies = await Promise.all(shards.map((shard, i) => this.call(i, { type: 'step', weights, shard } as never)));
    return replies.map((r) => (r as Extract<WorkerResponse, { type: 'step' }>).result);
  }

  async predict(weights: Float32Array[] | undefined, pixels: Uint8Array, size: number, tta: TtaMode): Promise<Float32Array> {
    if (!weights) throw new Error('WorkerExecutor.predict needs the weights');
    const px = size * size;
    const n = pixels.length / px;
    const per = Math.ceil(n / this.workers.length);
    const parts = await Promise.all(this.workers.map((_, i) => {
      const s = Math.min(n, i * per), e = Math.min(n, (i + 1) * per);
      return this.call(i, { type: 'predict', weights, pixels: pixels.slice(s * px, e * px), size, tta } as never);
    }));
    const arrays = parts.map((p) => (p as Extract<WorkerResponse, { type: 'predict' }>).probs);
    const out = new Float32Array(arrays.reduce((a, b) => a + b.length, 0));
    let off = 0;
    for (const a of arrays) { out.set(a, off); off += a.length; }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
