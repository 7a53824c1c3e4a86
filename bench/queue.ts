/**
 * Throughput of the emotion queue: jobs per second with 1 and 2 `fer-cnn-lstm worker` processes
 * on a throwaway Redis (Debian's `redis-server` on a free loopback port, no persistence).
 *
 *   npm run bench:queue -- [--jobs 300] [--workers 1,2] [--concurrency 4] [--weights <dir>] [--json]
 *
 * Each round starts a fresh queue and the workers (model loaded, kernels compiled: start-up is not
 * timed), then times from the first job added to the last result collected (`enqueueImages` with
 * the image bytes in the jobs, `collectResults`). The images: `examples/images/astronaut-face.png`
 * and four generated face-sized PNG/JPEG files, repeated under distinct job ids. The model: the
 * shipped weights when they load, else an untrained default model (same architecture, same cost).
 * Skips (exit 0, with a message) where redis-server cannot run. Prints one line per worker count
 * and, last, one JSON object `{"jobs","concurrency","results":[{"workers","seconds","jobsPerSecond"}]}`.
 *
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { redisUnavailable, startRedis } from '../test/queue/redis-server.js';
import { collectResults, enqueueImages } from '../src/queue/producer.js';
import { emotionClassifierId } from '../src/inference/classifier.js';
import { emitJson, positiveInt, round } from './util.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    concurrency: { type: 'string' },
    weights: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const jobs = positiveInt('jobs', values.jobs, 300);
const concurrency = positiveInt('concurrency', values.concurrency, 4);
const counts = values.workers!.split(',').map((s) => positiveInt('workers', s, 1));
const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');

/** A face-sized gray test pattern as RGBA (as the CLI tests' fixtures make them). */
function pattern(seed: number, size: number): { data: Buffer; size: number } {
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = Math.round(128 + 100 * Math.sin((x + 3 * seed) / 7) * Math.cos((y - seed) / 11));
      data.fill(v, 4 * (y * size + x), 4 * (y * size + x) + 3);
      data[4 * (y * size + x) + 3] = 255;
    }
  }
  return { data, size };
}

function png(p: { data: Buffer; size: number }): Buffer {
  const img = new PNG({ width: p.size, height: p.size });
  img.data = p.data;
  return PNG.sync.write(img);
}

function jpg(p: { data: Buffer; size: number }): Buffer {
  return Buffer.from(jpeg.encode({ data: p.data, width: p.size, height: p.size }, 95).data);
}

/** Weights for the workers: given, shipped (if they load), or an untrained default model. */
async function chooseWeights(tmp: string): Promise<{ weights: string; what: string }> {
  if (values.weights) return { weights: values.weights, what: values.weights };
  const { loadEmotionModel } = await import('../src/inference/weights.js');
  try {
    await loadEmotionModel({});
    return { weights: join(ROOT, 'weights'), what: 'shipped weights' };
  } catch (e) {
    const { buildCnnLstm } = await import('../src/model/cnn-lstm.js');
    const { saveModel } = await import('../src/model/io.js');
    const dir = join(tmp, 'untrained');
    const model = buildCnnLstm({ seed: 1 });
    await saveModel(model, dir);
    model.dispose();
    return { weights: dir, what: `an untrained default model (the shipped weights do not load: ${(e as Error).message.slice(0, 80)}…)` };
  }
}

function startWorker(url: string, queue: string, weights: string, name: string): { child: ChildProcess; ready: Promise<void> } {
  // from the sources (start-up is not timed); FER_QUEUE_BENCH_DIST=1 runs the built dist/cli.cjs
  const dist = join(ROOT, 'dist', 'cli.cjs');
  const entry = process.env.FER_QUEUE_BENCH_DIST === '1' && existsSync(dist) ? [dist] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
  const child = spawn(process.execPath, [...entry, 'worker', '--redis', url, '--queue', queue, '--concurrency', String(concurrency), '--weights', weights, '--name', name, '--quiet'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' },
  });
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/ on queue /.test(err)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker ${name} exited (${code}): ${err.trim()}`)));
  });
  return { child, ready };
}

async function main(): Promise<void> {
  const why = redisUnavailable();
  if (why) {
    console.log(`bench:queue skipped: ${why}`);
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'fer-bench-queue-'));
  const redis = (await startRedis())!;
  const children: ChildProcess[] = [];
  try {
    const { weights, what } = await chooseWeights(tmp);
    const images = [readFileSync(join(ROOT, 'examples/images/astronaut-face.png')), png(pattern(1, 48)), jpg(pattern(2, 48)), png(pattern(3, 64)), jpg(pattern(4, 96))];
    console.log(`${jobs} jobs per round, concurrency ${concurrency} per worker, ${what}; ${cpus().length} CPUs`);
    const results: { workers: number; seconds: number; jobsPerSecond: number }[] = [];
    for (const n of counts) {
      const queue = `bench-${n}-${Date.now()}`;
      const started = Array.from({ length: n }, (_, i) => startWorker(redis.url, queue, weights, `bench-w${i + 1}`));
      children.push(...started.map((s) => s.child));
      await Promise.all(started.map((s) => s.ready));
      const t0 = performance.now();
      const model = await emotionClassifierId({ weights }); // the workers' model: jobs name it
      const added = await enqueueImages(Array.from({ length: jobs }, (_, i) => ({ bytes: images[i % images.length], jobId: `b-${i}` })), { connection: redis.url, queue, model });
      let failed = 0;
      for await (const o of collectResults(added.map((j) => j.jobId), { connection: redis.url, queue, pollMs: 1000 })) if (!o.ok) failed++;
      const seconds = (performance.now() - t0) / 1000;
      if (failed > 0) throw new Error(`${failed} jobs failed`);
      results.push({ workers: n, seconds: round(seconds, 2), jobsPerSecond: round(jobs / seconds, 1) });
      console.log(`${n} worker${n === 1 ? ' ' : 's'}: ${jobs} jobs in ${seconds.toFixed(2)} s = ${(jobs / seconds).toFixed(1)} jobs/s`);
      for (const s of started) {
        const gone = new Promise((r) => s.child.once('exit', r));
        s.child.kill('SIGTERM');
        await gone;
      }
    }
    emitJson({ jobs, concurrency, results });
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await redis.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
